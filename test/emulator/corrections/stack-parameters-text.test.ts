/**
 * The emulator correction stack-parameters-text (list parameters read back), shown through the AWS SDK for
 * JavaScript v3: the corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an
 * emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { type Aws, describeStack, emulatorWithout, main, throughChangeSet, uniqueName, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("stack-parameters-text (list parameters read back)", () => {
  const listTemplate = () =>
    JSON.stringify({
      Parameters: { Zones: { Type: "CommaDelimitedList" } },
      Resources: { Logs: { Type: "AWS::Logs::LogGroup", Properties: { LogGroupName: { "Fn::Join": ["-", { Ref: "Zones" }] } } } },
    });

  it("DescribeStacks answers a CommaDelimitedList parameter as the text it was given", async () => {
    const name = uniqueName("l");
    await throughChangeSet(main, name, "CREATE", { body: listTemplate(), values: { Zones: "us-east-1a,us-east-1b" } });
    expect((await describeStack(main, name)).Parameters?.find((p) => p.ParameterKey === "Zones")?.ParameterValue).toBe("us-east-1a,us-east-1b");
  });

  it("without it, the value reads as a Python list", async () => {
    const name = uniqueName("l");
    await throughChangeSet(withoutState, name, "CREATE", { body: listTemplate(), values: { Zones: "us-east-1a,us-east-1b" } });
    expect((await describeStack(withoutState, name)).Parameters?.find((p) => p.ParameterKey === "Zones")?.ParameterValue).toBe("['us-east-1a', 'us-east-1b']");
  });
});
