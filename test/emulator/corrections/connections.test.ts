/**
 * The emulator correction connections (moto: no CodeStar Connections backend), shown through the AWS SDK for
 * JavaScript v3: the corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an
 * emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { GetConnectionCommand } from "@aws-sdk/client-codestar-connections";
import { type Aws, emulatorWithout, main, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("connections (moto: no CodeStar Connections backend)", () => {
  const arn = "arn:aws:codestar-connections:us-east-1:123456789012:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

  it("GetConnection answers an AVAILABLE GitHub connection; a malformed ARN is not found", async () => {
    const answer = await main.connections.send(new GetConnectionCommand({ ConnectionArn: arn }));
    expect(answer.Connection).toMatchObject({ ConnectionArn: arn, ConnectionStatus: "AVAILABLE", ProviderType: "GitHub" });
    await expect(main.connections.send(new GetConnectionCommand({ ConnectionArn: "arn:aws:s3:::not-a-connection" }))).rejects.toThrow(/does not exist/);
  });

  it("without it, GetConnection fails", async () => {
    await expect(withoutState.connections.send(new GetConnectionCommand({ ConnectionArn: arn }))).rejects.toThrow();
  });
});
