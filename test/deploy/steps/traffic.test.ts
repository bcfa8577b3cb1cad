/**
 * The listener rule's weights across an update (steps/traffic.ts): read from the live rule
 * only for a traffic-shifting stack, kept with a traffic-shifting strategy, and refused when
 * keeping them is impossible (a shift under way, a switch to rolling away from the tasks).
 */
import { describe, expect, it } from "vitest";
import type { AwsClients, Stack } from "../../../src/aws/interfaces.js";
import { keptTrafficWeights, readTrafficWeights, sharesText } from "../../../src/deploy/steps/traffic.js";
import { AwsError } from "../../../src/errors.js";
import { loadEndpointConfig } from "../../../src/params/load.js";
import type { EndpointConfig, RolloutStrategy } from "../../../src/params/model.js";

const RULE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/ep-a-prod/1/2/3";
const PRIMARY = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ep-a-prod/1";
const ALTERNATE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ep-a-prod-Alternate/2";

function stack(strategy: string): Stack {
  return {
    StackName: "ep-a-prod",
    StackStatus: "UPDATE_COMPLETE",
    CreationTime: new Date(0),
    Parameters: [{ ParameterKey: "DeploymentStrategy", ParameterValue: strategy }],
  };
}

function aws(weights: [string, number][]) {
  const calls: string[] = [];
  const clients = {
    cloudFormation: {
      listStackResources: async () => {
        calls.push("listStackResources");
        return {
          StackResourceSummaries: [
            ["ListenerRule", RULE],
            ["TargetGroup", PRIMARY],
            ["AlternateTargetGroup", ALTERNATE],
          ].map(([LogicalResourceId, PhysicalResourceId]) => ({ LogicalResourceId, PhysicalResourceId })),
        };
      },
    },
    elb: {
      describeRules: async () => {
        calls.push("describeRules");
        return {
          Rules: [
            {
              RuleArn: RULE,
              Actions: [{ Type: "forward", ForwardConfig: { TargetGroups: weights.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })) } }],
            },
          ],
        };
      },
    },
  } as unknown as Pick<AwsClients, "cloudFormation" | "elb">;
  return { clients, calls };
}

async function config(strategy: RolloutStrategy): Promise<EndpointConfig> {
  const loaded = await loadEndpointConfig("params/ep-a.yaml");
  return { ...loaded, rollout: { ...loaded.rollout, strategy } };
}

describe("the listener rule's live weights", () => {
  it("are read by target group from a traffic-shifting stack's rule", async () => {
    const { clients } = aws([
      [PRIMARY, 0],
      [ALTERNATE, 100],
    ]);
    expect(await readTrafficWeights(clients, stack("BLUE_GREEN"))).toEqual({ primary: 0, alternate: 100 });
  });

  it("are not read from a rolling stack, whose rule forwards to one target group", async () => {
    const { clients, calls } = aws([[PRIMARY, 100]]);
    expect(await readTrafficWeights(clients, stack("ROLLING"))).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it("are kept with a traffic-shifting strategy, whichever target group serves", async () => {
    expect(keptTrafficWeights(await config("canary"), "ep-a-prod", { primary: 0, alternate: 100 })).toEqual({ primary: 0, alternate: 100 });
    expect(keptTrafficWeights(await config("blue-green"), "ep-a-prod", { primary: 100, alternate: 0 })).toEqual({ primary: 100, alternate: 0 });
    expect(keptTrafficWeights(await config("linear"), "ep-a-prod", undefined)).toBeUndefined();
  });

  it("allow a switch to rolling while the primary target group serves", async () => {
    expect(keptTrafficWeights(await config("rolling"), "ep-a-prod", { primary: 100, alternate: 0 })).toBeUndefined();
  });

  it("refuse a switch to rolling while the alternate target group serves, saying how to move the traffic back", async () => {
    const refused = (async () => keptTrafficWeights(await config("rolling"), "ep-a-prod", { primary: 0, alternate: 100 }))();
    await expect(refused).rejects.toBeInstanceOf(AwsError);
    await expect(refused).rejects.toMatchObject({ hint: expect.stringContaining("--strategy blue-green") });
  });

  it("spell the commands of their hints as the user starts mlops", async () => {
    const hint = async (strategy: RolloutStrategy, live: { primary: number; alternate: number }) => {
      const c = await config(strategy);
      try {
        keptTrafficWeights(c, "ep-a-prod", live, "npx mlops");
      } catch (error) {
        return (error as AwsError).hint ?? "";
      }
      return "";
    };
    const shifting = await hint("canary", { primary: 90, alternate: 10 });
    expect(shifting).toContain("(npx mlops status ep-a-prod shows it)");
    const rolling = await hint("rolling", { primary: 0, alternate: 100 });
    expect(rolling).toMatch(/\(npx mlops update \S+ --tag <new tag> --strategy blue-green\)/);
    for (const text of [shifting, rolling]) expect(text).not.toMatch(/(?<!npx )\bmlops (status|update)/);
  });

  it("refuse an update while a deployment is shifting traffic", async () => {
    const refused = (async () => keptTrafficWeights(await config("canary"), "ep-a-prod", { primary: 90, alternate: 10 }))();
    await expect(refused).rejects.toThrow(
      "A deployment of ep-a-prod is shifting traffic now: its listener rule sends 90% to the primary target group, 10% to the alternate. Nothing was changed.",
    );
  });

  it("read as shares of the traffic", () => {
    expect(sharesText({ primary: 0, alternate: 100 })).toBe("0% to the primary target group, 100% to the alternate");
  });
});
