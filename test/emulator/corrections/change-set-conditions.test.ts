/**
 * change-set-conditions (emulator/corrections/change_set_conditions.py): a change set lists,
 * and a stack operation's events name, only the resources whose Condition holds, as
 * CloudFormation does ("Conditions", CloudFormation User Guide: "the resource is created only
 * if the condition is true"). Shown on the shared emulator, and the wrong answer on one started
 * without the correction. The plan's list of a new stack (templateResources) is the change set's.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  ExecuteChangeSetCommand,
  type Change,
  type ChangeSetType,
} from "@aws-sdk/client-cloudformation";
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { loadEndpointConfig } from "../../../src/params/load.js";
import { renderEndpointStack } from "../../../src/render/render.js";
import { templateResources } from "../../../src/deploy/engine/template-diff.js";
import { startEmulator, type RunningEmulator } from "../../setup/emulator-process.js";
import { conditionalRuleTemplate } from "../fixtures.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

function aws(url: string) {
  const config = { region: "us-east-1", endpoint: url, credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  return { cf: new CloudFormationClient(config), elb: new ElasticLoadBalancingV2Client(config) };
}
type Aws = ReturnType<typeof aws>;

const run = Math.random().toString(36).slice(2, 7);
let counter = 0;
const uniqueName = (tag: string) => `e${run}${tag}${++counter}`;

/** Creates a change set and returns its Changes; executes it unless told not to. */
async function changeSet(a: Aws, name: string, type: ChangeSetType, body: string, values: Record<string, string>, execute = true): Promise<Change[]> {
  const created = await a.cf.send(
    new CreateChangeSetCommand({
      StackName: name,
      ChangeSetName: `cs-${++counter}`,
      ChangeSetType: type,
      TemplateBody: body,
      Capabilities: ["CAPABILITY_IAM"],
      Parameters: Object.entries(values).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
    }),
  );
  const described = await a.cf.send(new DescribeChangeSetCommand({ StackName: name, ChangeSetName: created.Id! }));
  expect(described.Status, described.StatusReason).toBe("CREATE_COMPLETE");
  if (execute) await a.cf.send(new ExecuteChangeSetCommand({ StackName: name, ChangeSetName: created.Id! }));
  return described.Changes ?? [];
}

const listed = (changes: Change[]) => changes.map((c) => `${c.ResourceChange?.Action} ${c.ResourceChange?.LogicalResourceId}`);

/** "LogicalId STATUS" of the stack's resource events, oldest first. */
async function resourceEvents(a: Aws, name: string): Promise<string[]> {
  const events = (await a.cf.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents ?? [];
  return events
    .filter((e) => e.LogicalResourceId !== name)
    .map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`)
    .reverse();
}

/** The target groups in the stack's VPC. */
async function targetGroupsOf(a: Aws, name: string): Promise<number> {
  const resources = (await a.cf.send(new DescribeStackResourcesCommand({ StackName: name }))).StackResources ?? [];
  const vpc = resources.find((r) => r.LogicalResourceId === "Vpc")?.PhysicalResourceId;
  const groups = (await a.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  return groups.filter((g) => g.VpcId === vpc).length;
}

const main = aws(inject("emulatorUrl"));
let without: RunningEmulator;
let wrong: Aws;

beforeAll(async () => {
  without = await startEmulator({ without: ["change-set-conditions"] });
  wrong = aws(without.url);
});

afterAll(async () => {
  await without?.stop();
});

describe("change-set-conditions (change sets and events honour Condition)", () => {
  it("a resource whose condition is false is neither listed nor created; a flip adds it, another removes it", async () => {
    const name = uniqueName("csc");
    const body = conditionalRuleTemplate();
    const created = await changeSet(main, name, "CREATE", body, { Shift: "false" });
    expect(listed(created)).toEqual(["Add Vpc", "Add Subnet1", "Add Subnet2", "Add Lb", "Add Listener", "Add Tg", "Add Rule"]);
    expect((await resourceEvents(main, name)).filter((e) => e.startsWith("AltTg"))).toEqual([]);
    expect(await targetGroupsOf(main, name)).toBe(1);

    const on = await changeSet(main, name, "UPDATE", body, { Shift: "true" });
    expect(listed(on)).toContain("Add AltTg");
    expect(listed(on)).not.toContain("Modify AltTg");
    expect(await targetGroupsOf(main, name)).toBe(2);
    expect((await resourceEvents(main, name)).filter((e) => e.startsWith("AltTg"))).toEqual(["AltTg CREATE_IN_PROGRESS", "AltTg CREATE_COMPLETE"]);

    const off = await changeSet(main, name, "UPDATE", body, { Shift: "false" });
    expect(listed(off)).toContain("Remove AltTg");
    expect(await targetGroupsOf(main, name)).toBe(1);
    expect((await resourceEvents(main, name)).filter((e) => e.startsWith("AltTg")).slice(2)).toEqual(["AltTg DELETE_IN_PROGRESS", "AltTg DELETE_COMPLETE"]);
  });

  it("the change set of the project's base template lists what the plan lists, no more", async () => {
    const config = await loadEndpointConfig("params/ep-a.yaml");
    const rendered = renderEndpointStack(config, { certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/plan" });
    const planned = templateResources({ templateBody: rendered.templateBody, parameters: rendered.parameters }).map((r) => `Add ${r.logicalId}`);
    // Resources of the defaults' false conditions (blue/green, weights schedule): CloudFormation creates none of them.
    for (const absent of ["AlternateTargetGroup", "TrafficShiftRole", "WeightsSchedulerRole", "WeightsSyncSchedule"])
      expect(planned).not.toContain(`Add ${absent}`);
    const changes = await changeSet(main, uniqueName("cscbase"), "CREATE", rendered.templateBody, rendered.parameters, false);
    expect(listed(changes).sort()).toEqual([...planned].sort());
  });

  it("without it, the change set lists the resource of a false condition and its events say it was created", async () => {
    const name = uniqueName("csc");
    const created = await changeSet(wrong, name, "CREATE", conditionalRuleTemplate(), { Shift: "false" });
    expect(listed(created)).toContain("Add AltTg");
    expect(await resourceEvents(wrong, name)).toContain("AltTg CREATE_COMPLETE");
    // moto itself does not create it: only the change set and the events claim it.
    expect(await targetGroupsOf(wrong, name)).toBe(1);
  });
});
