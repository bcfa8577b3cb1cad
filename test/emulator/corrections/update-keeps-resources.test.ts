/**
 * The emulator correction update-keeps-resources (moto gap 1, after an update), shown through the AWS SDK for
 * JavaScript v3: the corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an
 * emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { DeleteStackCommand, UpdateStackCommand } from "@aws-sdk/client-cloudformation";
import { DescribeInternetGatewaysCommand } from "@aws-sdk/client-ec2";
import { gatewayTemplate } from "../fixtures.js";
import { type Aws, createStack, emulatorWithout, main, parameters, stackResources, uniqueName, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("update-keeps-resources (moto gap 1, after an update)", () => {
  it("a resource without Properties survives an update and goes with the stack", async () => {
    const name = uniqueName("g");
    await createStack(main, name, gatewayTemplate());
    const before = await stackResources(main, name);
    await main.cf.send(new UpdateStackCommand({ StackName: name, UsePreviousTemplate: true, Parameters: parameters({ Suffix: "two" }) }));
    expect((await stackResources(main, name)).Igw).toBe(before.Igw);

    await main.cf.send(new DeleteStackCommand({ StackName: name }));
    // Only this gateway: the shared emulator also holds the attached gateways of tests running alongside.
    const gateways = await main.ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: "internet-gateway-id", Values: [before.Igw!] }] }));
    expect((gateways.InternetGateways ?? []).map((g) => g.InternetGatewayId)).not.toContain(before.Igw);
  });

  it("without it, the stack forgets the internet gateway at the update and leaves it behind", async () => {
    const a = withoutState;
    const name = uniqueName("g");
    await createStack(a, name, gatewayTemplate());
    const before = await stackResources(a, name);
    await a.cf.send(new UpdateStackCommand({ StackName: name, UsePreviousTemplate: true, Parameters: parameters({ Suffix: "two" }) }));
    expect((await stackResources(a, name)).Igw).toBeUndefined();

    await a.cf.send(new DeleteStackCommand({ StackName: name }));
    const gateways = await a.ec2.send(new DescribeInternetGatewaysCommand({}));
    expect((gateways.InternetGateways ?? []).map((g) => g.InternetGatewayId)).toContain(before.Igw);
  });
});
