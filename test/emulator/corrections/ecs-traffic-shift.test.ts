/**
 * The emulator correction ecs-traffic-shift (moto gap 3), shown through the AWS SDK for JavaScript v3: the
 * corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an emulator started
 * without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { DescribeRulesCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { trafficShiftTemplate, conditionalRuleTemplate } from "../fixtures.js";
import {
  type Aws,
  describeStack,
  emulatorWithout,
  healthyTargets,
  main,
  stackResources,
  targetGroupExists,
  throughChangeSet,
  uniqueName,
  WITHOUT_RESOURCE_STATE,
  WITHOUT_ROLLOUT_JUDGES,
} from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));
let withoutJudges: Aws;
emulatorWithout(WITHOUT_ROLLOUT_JUDGES, (a) => (withoutJudges = a));

describe("ecs-traffic-shift (moto gap 3)", () => {
  async function ruleWeights(a: Aws, ruleArn: string): Promise<Record<string, number>> {
    const rule = (await a.elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }))).Rules![0]!;
    const forward = rule.Actions?.find((action) => action.Type === "forward");
    const groups = forward?.ForwardConfig?.TargetGroups ?? (forward?.TargetGroupArn ? [{ TargetGroupArn: forward.TargetGroupArn, Weight: 1 }] : []);
    return Object.fromEntries(groups.map((g) => [g.TargetGroupArn!, g.Weight!]));
  }

  async function blueGreen(a: Aws) {
    const name = uniqueName("s");
    await throughChangeSet(a, name, "CREATE", { body: trafficShiftTemplate(), values: { APITag: "v1", DesiredCount: 2 } });
    const made = await stackResources(a, name);
    const deploy = (values: Record<string, string | number>) => throughChangeSet(a, name, "UPDATE", { values: { APITag: "v1", DesiredCount: 2, ...values } });
    const state = async () => ({
      weights: await ruleWeights(a, made.Rule!),
      primary: (await healthyTargets(a, made.Tg!)).length,
      alternate: (await healthyTargets(a, made.AltTg!)).length,
    });
    return { made, deploy, state };
  }

  it("each blue/green deployment moves the rule's weights and the tasks to the target group that served none, and leaves them there", async () => {
    const { made, deploy, state } = await blueGreen(main);
    expect(await state()).toEqual({ weights: { [made.Tg!]: 100, [made.AltTg!]: 0 }, primary: 2, alternate: 0 });
    await deploy({ APITag: "v2" });
    expect(await state()).toEqual({ weights: { [made.Tg!]: 0, [made.AltTg!]: 100 }, primary: 0, alternate: 2 });
    await deploy({ APITag: "v3" });
    expect(await state()).toEqual({ weights: { [made.Tg!]: 100, [made.AltTg!]: 0 }, primary: 2, alternate: 0 });
  });

  it("an update of the rule writes the template's weights back while the tasks stay where ECS put them (the outage CloudFormation causes)", async () => {
    const { made, deploy, state } = await blueGreen(main);
    await deploy({ APITag: "v2" });
    await deploy({ APITag: "v2", HostHeader: "moved.example.com" });
    expect(await state()).toEqual({ weights: { [made.Tg!]: 100, [made.AltTg!]: 0 }, primary: 0, alternate: 2 });
  });

  it("a parameter that flips a condition updates the rule using it before the resource the condition removes goes (sub-parameter-diff, conditional-resources-update)", async () => {
    const name = uniqueName("f");
    await throughChangeSet(main, name, "CREATE", { body: conditionalRuleTemplate(), values: { Shift: "true" } });
    const made = await stackResources(main, name);
    expect(Object.keys(await ruleWeights(main, made.Rule!)).sort()).toEqual([made.AltTg!, made.Tg!].sort());
    await throughChangeSet(main, name, "UPDATE", { values: { Shift: "false" } });
    expect((await describeStack(main, name)).StackStatus).toBe("UPDATE_COMPLETE");
    expect(Object.keys(await ruleWeights(main, made.Rule!))).toEqual([made.Tg!]);
    expect(await targetGroupExists(main, made.AltTg!)).toBe(false);
  });

  it("without them, the rule keeps forwarding to the target group the condition removes", async () => {
    const name = uniqueName("f");
    await throughChangeSet(withoutState, name, "CREATE", { body: conditionalRuleTemplate(), values: { Shift: "true" } });
    const made = await stackResources(withoutState, name);
    await throughChangeSet(withoutState, name, "UPDATE", { values: { Shift: "false" } });
    expect(Object.keys(await ruleWeights(withoutState, made.Rule!)).sort()).toEqual([made.AltTg!, made.Tg!].sort());
  });

  it("without it, a deployment leaves the weights and the tasks on the primary target group", async () => {
    const { made, deploy, state } = await blueGreen(withoutJudges);
    await deploy({ APITag: "v2" });
    expect(await state()).toEqual({ weights: { [made.Tg!]: 100, [made.AltTg!]: 0 }, primary: 2, alternate: 0 });
  });
});
