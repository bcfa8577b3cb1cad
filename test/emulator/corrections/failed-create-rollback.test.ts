/**
 * The emulator correction failed-create-rollback (moto gap 4), shown through the AWS SDK for JavaScript v3: the
 * corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an emulator started
 * without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { DeleteStackCommand, DescribeStackEventsCommand, ListStacksCommand } from "@aws-sdk/client-cloudformation";
import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { DescribeLoadBalancersCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { baseTemplate, importerTemplate } from "../fixtures.js";
import { type Aws, createStack, describeStack, emulatorWithout, exportNames, main, throughChangeSet, uniqueName, WITHOUT_STACK_LIFECYCLE } from "./helpers.js";

let withoutLifecycle: Aws;
emulatorWithout(WITHOUT_STACK_LIFECYCLE, (a) => (withoutLifecycle = a));

describe("failed-create-rollback (moto gap 4)", () => {
  const missingCertificate = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000";

  it("a resource that fails rolls the stack back to ROLLBACK_COMPLETE with a CREATE_FAILED event", async () => {
    const name = uniqueName("f");
    await createStack(main, name, baseTemplate(missingCertificate));

    const stack = await describeStack(main, name);
    expect(stack.StackStatus).toBe("ROLLBACK_COMPLETE");
    expect(stack.StackStatusReason).toMatch(/failed to create: \[Https\]/);
    const events = (await main.cf.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents ?? [];
    const failed = events.find((e) => e.ResourceStatus === "CREATE_FAILED");
    expect(failed).toMatchObject({ LogicalResourceId: "Https", ResourceType: "AWS::ElasticLoadBalancingV2::Listener" });
    expect(failed?.ResourceStatusReason).toMatch(/certificate/i);
    expect(events.map((e) => e.ResourceStatus)).toEqual(expect.arrayContaining(["CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE"]));

    // the partial resources are gone
    const vpcs = await main.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:aws:cloudformation:stack-name", Values: [name] }] }));
    expect(vpcs.Vpcs ?? []).toEqual([]);
    const lbs = await main.elb.send(new DescribeLoadBalancersCommand({}));
    expect((lbs.LoadBalancers ?? []).filter((lb) => lb.LoadBalancerName?.startsWith(`${name}-`))).toEqual([]);
    expect(await exportNames(main)).not.toContain(`${name}-VpcId`);

    // it stays until deleted; then the name is free again
    await main.cf.send(new DeleteStackCommand({ StackName: name }));
    await expect(describeStack(main, name)).rejects.toThrow(/does not exist/);
  });

  it("a CREATE change set that fails while executing rolls back the same way", async () => {
    const name = uniqueName("f");
    await throughChangeSet(main, name, "CREATE", { body: baseTemplate(missingCertificate) });
    const stack = await describeStack(main, name);
    expect(stack.StackStatus).toBe("ROLLBACK_COMPLETE");
    const events = (await main.cf.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents ?? [];
    expect(events.find((e) => e.ResourceStatus === "CREATE_FAILED")?.LogicalResourceId).toBe("Https");
    const vpcs = await main.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:aws:cloudformation:stack-name", Values: [name] }] }));
    expect(vpcs.Vpcs ?? []).toEqual([]);
  });

  it("an import of a missing export is refused with ValidationError and leaves no stack", async () => {
    const name = uniqueName("f");
    await expect(createStack(main, name, importerTemplate(), { BaseName: `${name}-missing` })).rejects.toThrow(/No export named/);
    await expect(describeStack(main, name)).rejects.toThrow(/does not exist/);
  });

  it("without it, CreateStack fails and the stack stays in CREATE_PENDING/CREATE_IN_PROGRESS", async () => {
    const a = withoutLifecycle;
    const name = uniqueName("f");
    await expect(createStack(a, name, baseTemplate(missingCertificate))).rejects.toThrow(/certificate/i);
    // (DescribeStacks would try to create the listener again, for the outputs, and fail with HTTP 500)
    const stacks = await a.cf.send(new ListStacksCommand({}));
    expect(stacks.StackSummaries?.find((s) => s.StackName === name)?.StackStatus).toMatch(/^CREATE_(PENDING|IN_PROGRESS)$/);
  });
});
