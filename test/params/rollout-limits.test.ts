/**
 * The rollout values AWS refuses are bad input. Sources:
 * - ECS API reference, CanaryConfiguration and LinearConfiguration: `canaryPercent` and
 *   `stepPercent` are "multiples of 0.1" (0.1-100 and 3.0-100).
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html
 * - CloudFormation, AWS::ECS::Service CanaryConfiguration and LinearConfiguration: CloudFormation
 *   rejects a deployment whose BakeTimeInMinutes + CanaryBakeTimeInMinutes, or
 *   BakeTimeInMinutes + StepBakeTimeInMinutes × steps, exceeds 33 hours; steps is
 *   100 ÷ StepPercent - 1 when StepPercent divides 100 evenly, else floor(100 ÷ StepPercent).
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-canaryconfiguration.html
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-linearconfiguration.html
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { parseEndpointConfig } from "../../src/params/load.js";
import type { ParamOverrides } from "../../src/params/model.js";
import { linearDeploymentSteps } from "../../src/params/rules.js";

const BASE = `
project: ep-a
network:
  vpcCidr: 10.0.0.0/16
  publicSubnets: [10.0.0.0/24, 10.0.1.0/24]
  privateSubnets: [10.0.2.0/24, 10.0.3.0/24]
  availabilityZones: [us-east-1a, us-east-1b]
api:
  hostHeader: ep-a.example.com
`;

function withRollout(fields: Record<string, string | number>): string {
  return `${BASE}rollout:\n${Object.entries(fields)
    .map(([key, value]) => `  ${key}: ${value}\n`)
    .join("")}`;
}

function issuesOf(text: string, overrides?: ParamOverrides): { path: string; message: string }[] {
  try {
    parseEndpointConfig(text, "r.yaml", overrides);
  } catch (error) {
    if (error instanceof InputError) return error.issues.map((issue) => ({ path: issue.path, message: issue.message }));
    throw error;
  }
  return [];
}

describe("traffic shares in tenths of a percent", () => {
  it("refuses a canary or linear share that is not a multiple of 0.1, naming the field", () => {
    expect(issuesOf(withRollout({ canaryPercent: 12.25 }))).toEqual([
      { path: "rollout.canaryPercent", message: expect.stringMatching(/multiple of 0\.1.*12\.25/) },
    ]);
    expect(issuesOf(withRollout({ linearStepPercent: 33.33 }))).toEqual([
      { path: "rollout.linearStepPercent", message: expect.stringMatching(/multiple of 0\.1.*33\.33/) },
    ]);
  });

  it("accepts tenths that binary floating point cannot hold exactly", () => {
    for (const canaryPercent of [0.1, 0.3, 0.7, 12.3, 33.3, 99.9, 100]) expect(issuesOf(withRollout({ canaryPercent }))).toEqual([]);
    for (const linearStepPercent of [3, 3.3, 10.1, 33.3, 100]) expect(issuesOf(withRollout({ strategy: "linear", linearStepPercent }))).toEqual([]);
  });
});

describe("CloudFormation's 33 hours", () => {
  it("counts linear steps as CloudFormation's page defines them", () => {
    expect(linearDeploymentSteps(10)).toBe(9);
    expect(linearDeploymentSteps(11)).toBe(9);
    expect(linearDeploymentSteps(25)).toBe(3);
    expect(linearDeploymentSteps(33.3)).toBe(3);
    expect(linearDeploymentSteps(3)).toBe(33);
    expect(linearDeploymentSteps(100)).toBe(0);
    expect(linearDeploymentSteps(0.3 * 10)).toBe(33);
  });

  it("refuses a canary whose bake times add up to more than 33 hours, and accepts exactly 33", () => {
    const issues = issuesOf(withRollout({ strategy: "canary", bakeMinutes: 1440, canaryBakeMinutes: 1440 }));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe("rollout.canaryBakeMinutes");
    expect(issues[0]!.message).toMatch(/2880 minutes/);
    expect(issues[0]!.message).toMatch(/33 hours \(1980 minutes\)/);
    expect(issuesOf(withRollout({ strategy: "canary", bakeMinutes: 540, canaryBakeMinutes: 1440 }))).toEqual([]);
    expect(issuesOf(withRollout({ strategy: "canary", bakeMinutes: 541, canaryBakeMinutes: 1440 }))).toHaveLength(1);
  });

  it("refuses a linear rollout whose bake time plus step bake time × steps is more than 33 hours", () => {
    // 11 % is 9 steps: 1440 + 60 × 9 = 1980 is allowed, 1440 + 61 × 9 = 1989 is not.
    expect(issuesOf(withRollout({ strategy: "linear", linearStepPercent: 11, linearStepBakeMinutes: 60, bakeMinutes: 1440 }))).toEqual([]);
    const issues = issuesOf(withRollout({ strategy: "linear", linearStepPercent: 11, linearStepBakeMinutes: 61, bakeMinutes: 1440 }));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe("rollout.linearStepBakeMinutes");
    expect(issues[0]!.message).toMatch(/9 steps/);
    expect(issues[0]!.message).toMatch(/1989 minutes/);
    expect(issues[0]!.message).toMatch(/1980 minutes/);
    // 10 % divides 100: 9 steps, not 10: 1440 + 60 × 9 = 1980.
    expect(issuesOf(withRollout({ strategy: "linear", linearStepPercent: 10, linearStepBakeMinutes: 60, bakeMinutes: 1440 }))).toEqual([]);
    // The default step (25 %, 3 steps) with the longest step bake time: 5 + 1440 × 3.
    expect(issuesOf(withRollout({ strategy: "linear", linearStepBakeMinutes: 1440 }))[0]).toMatchObject({
      path: "rollout.linearStepBakeMinutes",
      message: expect.stringMatching(/4325 minutes/),
    });
  });

  it("judges only the strategy that runs: the file's, or the one --strategy sets", () => {
    const long = { bakeMinutes: 1440, canaryBakeMinutes: 1440 };
    expect(issuesOf(withRollout(long))).toEqual([]);
    expect(issuesOf(withRollout({ ...long, strategy: "blue-green" }))).toEqual([]);
    const issues = issuesOf(withRollout(long), { strategy: "canary" });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/--strategy canary/);
    expect(issuesOf(withRollout({ ...long, strategy: "canary" }), { strategy: "rolling" })).toEqual([]);
  });

  it("names the field the file gave when the other one is a default", () => {
    // A linear step of 3 % is 33 steps: 5 (default bake) + 60 × 33 = 1985.
    const issues = issuesOf(withRollout({ strategy: "linear", linearStepPercent: 3, linearStepBakeMinutes: 60 }));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/rollout\.bakeMinutes \(5, its default\)/);
  });
});
