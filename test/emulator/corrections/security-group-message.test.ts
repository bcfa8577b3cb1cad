/**
 * The emulator correction security-group-message (moto: a Python set in an EC2 message), shown through the AWS
 * SDK for JavaScript v3: the corrected behaviour on the shared emulator (all corrections), and the wrong
 * behaviour on an emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import { type Aws, emulatorWithout, main, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("security-group-message (moto: a Python set in an EC2 message)", () => {
  it("InvalidGroup.NotFound names the group as EC2 does", async () => {
    const missing = await main.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["sg-0123456789abcdef0"] })).catch((e: unknown) => e as Error);
    expect((missing as Error).name).toBe("InvalidGroup.NotFound");
    expect((missing as Error).message).toBe("The security group 'sg-0123456789abcdef0' does not exist");
  });

  it("without it, the message carries a Python set", async () => {
    const missing = await withoutState.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["sg-0123456789abcdef0"] })).catch((e: unknown) => e as Error);
    expect((missing as Error).message).toBe("The security group '{'sg-0123456789abcdef0'}' does not exist");
  });
});
