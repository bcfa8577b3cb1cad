/**
 * The emulator correction unimplemented-calls (moto gap 8: calls moto lacks), shown through the AWS SDK for
 * JavaScript v3: the corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an
 * emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { ContinueUpdateRollbackCommand } from "@aws-sdk/client-cloudformation";
import { ListActionExecutionsCommand } from "@aws-sdk/client-codepipeline";
import { type Aws, emulatorWithout, main, uniqueName, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("unimplemented-calls (moto gap 8: calls moto lacks)", () => {
  const refusal = async (send: Promise<unknown>) =>
    send.then(
      () => undefined,
      (e: unknown) => e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } },
    );

  it("a call moto lacks answers 501 NotImplemented naming it, in the request's protocol", async () => {
    const executions = await refusal(main.codepipeline.send(new ListActionExecutionsCommand({ pipelineName: uniqueName("p") })));
    expect(executions?.$metadata?.httpStatusCode).toBe(501);
    expect(executions?.name).toBe("NotImplemented");
    expect(executions?.message).toBe("The emulator does not implement ListActionExecutions.");
    const rollback = await refusal(main.cf.send(new ContinueUpdateRollbackCommand({ StackName: uniqueName("s") })));
    expect(rollback?.$metadata?.httpStatusCode).toBe(501);
    expect(rollback?.message).toBe("The emulator does not implement ContinueUpdateRollback.");
  });

  it("without it, moto answers an HTML 500 page, which clients take for an outage and retry", async () => {
    const executions = await refusal(withoutState.codepipeline.send(new ListActionExecutionsCommand({ pipelineName: uniqueName("p") })));
    expect(executions?.$metadata?.httpStatusCode).toBe(500);
    expect(executions?.name).not.toBe("NotImplemented");
  });
});
