/**
 * Safe rollouts end to end: the real `mlops` binary against the emulator. A
 * canary that succeeds, a canary that an alarm rolls back (the emulator fails a
 * deployment whose alarm is in ALARM, as ECS does, and rolls the stack update
 * back, as CloudFormation does), `history`, and `rollback`.
 */
import { DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../setup/emulator-process.js";
import { pushImage, pushWhenRepositoryExists, sdkClients } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";

let emulator: { url: string; stop(): Promise<void> };
let aws: ReturnType<typeof sdkClients>;

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
});
afterAll(async () => {
  await emulator?.stop();
});

const mlops = (args: string[]) => runMlops(args, { endpointUrl: emulator.url });

async function stackParameter(key: string): Promise<string | undefined> {
  const stack = (await aws.cfn.send(new DescribeStacksCommand({ StackName: "ep-a-prod" }))).Stacks?.[0];
  return stack?.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
}

async function stackStatus(): Promise<string | undefined> {
  return (await aws.cfn.send(new DescribeStacksCommand({ StackName: "ep-a-prod" }))).Stacks?.[0]?.StackStatus;
}

async function service() {
  return (await aws.ecs.send(new DescribeServicesCommand({ cluster: "ep-a-prod", services: ["ep-a-prod"] }))).services![0]!;
}

async function serviceImage(): Promise<string | undefined> {
  const definition = await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: (await service()).taskDefinition! }));
  return definition.taskDefinition?.containerDefinitions?.[0]?.image;
}

const setAlarm = (state: "ALARM" | "OK") =>
  aws.cloudWatch.send(
    new SetAlarmStateCommand({
      AlarmName: "ep-a-prod-target-5xx",
      StateValue: state,
      StateReason: state === "ALARM" ? "Threshold Crossed: 2 datapoints were greater than 5.0" : "back to normal",
    }),
  );

describe("canary, alarms, history and rollback", () => {
  it("creates the endpoint with the file's rolling strategy and its three alarms", async () => {
    const controller = new AbortController();
    const pushing = pushWhenRepositoryExists(aws.ecr, "ep-a-prod", "v1", controller.signal);
    const run = await mlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--no-pipeline", "--yes"]);
    controller.abort();
    await pushing;
    expect(run.code, failure(run)).toBe(0);
    expect(run.stderr).toContain("Rollout time: On AWS this rolling update takes about");
    expect(await stackParameter("DeploymentStrategy")).toBe("ROLLING");
    expect((await service()).deploymentConfiguration?.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
    expect((await service()).deploymentConfiguration?.alarms).toEqual({
      alarmNames: ["ep-a-prod-target-5xx", "ep-a-prod-p95-response-time", "ep-a-prod-unhealthy-hosts"],
      enable: true,
      rollback: true,
    });
  });

  it("update --strategy canary rolls v2 out as a canary through the alternate target group", async () => {
    await pushImage(aws.ecr, "ep-a-prod", "v2");
    const run = await mlops(["update", "params/ep-a.yaml", "--tag", "v2", "--strategy", "canary", "--yes"]);
    expect(run.code, failure(run)).toBe(0);
    expect(run.stderr).toContain("canary: 10% of traffic to the new revision for 5 min, then all of it");
    expect(run.stderr).toMatch(/Rollout time: On AWS this canary rollout takes about 12 min 5 s/);
    expect(run.stderr).toMatch(/Time: rollout \d+ s, security groups \d+ s, validation \d+ s \(total \d+ s\)/);
    expect(JSON.parse((await mlops(["update", "params/ep-a.yaml", "--tag", "v2", "--strategy", "canary", "--yes", "--json"])).stdout)).toMatchObject({
      stack: "unchanged",
    });
    expect(await stackParameter("DeploymentStrategy")).toBe("CANARY");
    expect(await stackParameter("APITag")).toBe("v2");
    const s = await service();
    expect(s.deploymentConfiguration).toMatchObject({
      strategy: "CANARY",
      bakeTimeInMinutes: 5,
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 },
    });
    // The circuit breaker applies to rolling and blue/green deployments only (AWS::ECS::Service
    // DeploymentCircuitBreaker; "Amazon ECS deployment failure detection"): a canary is judged by its alarms.
    expect(s.deploymentConfiguration?.deploymentCircuitBreaker).toEqual({ enable: false, rollback: false });
    expect(run.stderr).toContain("canary: 10% of traffic to the new revision for 5 min, then all of it; 5 min bake time; an alarm in ALARM rolls it back");
    expect(s.loadBalancers?.[0]?.advancedConfiguration?.alternateTargetGroupArn).toMatch(/^arn:aws:elasticloadbalancing:/);
    expect(s.loadBalancers?.[0]?.advancedConfiguration?.roleArn).toMatch(/^arn:aws:iam::/);
    expect(await serviceImage()).toMatch(/:v2$/);
  });

  it("a canary that an alarm fails is rolled back: stack and service end on v2, exit 1 naming the alarm", async () => {
    await pushImage(aws.ecr, "ep-a-prod", "v3");
    await setAlarm("ALARM");
    try {
      const run = await mlops(["update", "params/ep-a.yaml", "--tag", "v3", "--strategy", "canary", "--yes"]);
      expect(run.code, failure(run)).toBe(1);
      expect(run.stderr).toContain("rolled back by the alarm ep-a-prod-target-5xx (Threshold Crossed");
      expect(run.stderr).toContain("runs v2 again");
      expect(run.stderr).toMatch(/Time: rollout \d+ s/);
    } finally {
      await setAlarm("OK");
    }
    expect(await stackStatus()).toBe("UPDATE_ROLLBACK_COMPLETE");
    expect(await stackParameter("APITag")).toBe("v2");
    expect(await serviceImage()).toMatch(/:v2$/);
  });

  it("history lists the deployments newest first, the rolled-back canary with its alarm", async () => {
    const run = await mlops(["history", "params/ep-a.yaml", "--json"]);
    expect(run.code, failure(run)).toBe(0);
    const report = JSON.parse(run.stdout) as {
      runningTag: string;
      deployments: { tag: string; strategy: string; outcome: string; triggeredAlarms: string[]; startedAt: string; durationSeconds: number }[];
    };
    expect(report.runningTag).toBe("v2");
    // Newest first: the stack's rollback put v2 back (on the emulator a new task definition revision), the failed v3, v2, v1.
    expect(report.deployments.map((d) => [d.tag, d.outcome])).toEqual([
      ["v2", "succeeded"],
      ["v3", "rolled back"],
      ["v2", "succeeded"],
      ["v1", "succeeded"],
    ]);
    const failed = report.deployments[1]!;
    expect(failed).toMatchObject({ strategy: "canary", triggeredAlarms: ["ep-a-prod-target-5xx"] });
    expect(report.deployments[3]).toMatchObject({ strategy: "rolling" });
    expect(Date.parse(failed.startedAt)).toBeGreaterThan(0);
    expect(failed.durationSeconds).toBeGreaterThanOrEqual(0);
    const table = await mlops(["history", "params/ep-a.yaml"]);
    expect(table.stdout).toMatch(/v3\s+\S+ \S+\s+\S+( s)?\s+canary\s+rolled back \(alarm ep-a-prod-target-5xx\)/);
  });

  it("rollback goes back to the previous successful image (v1) with the same plan and progress as update", async () => {
    const run = await mlops(["rollback", "params/ep-a.yaml", "--yes"]);
    expect(run.code, failure(run)).toBe(0);
    expect(run.stderr).toContain("Rolling ep-a-prod back from v2 to v1");
    expect(run.stderr).toMatch(/Time: rollout/);
    expect(run.stderr).toContain("Plan for ep-a-prod");
    expect(await stackParameter("APITag")).toBe("v1");
    expect(await serviceImage()).toMatch(/:v1$/);
  });

  it("rollback --to a tag that is not in ECR changes nothing and exits 2 naming --to", async () => {
    const run = await mlops(["rollback", "params/ep-a.yaml", "--to", "v9", "--yes"]);
    expect(run.code, failure(run)).toBe(2);
    expect(run.stderr).toContain("--to: image ep-a-prod:v9 is no longer in ECR");
    expect(await stackParameter("APITag")).toBe("v1");
  });

  it("update --strategy with an unknown strategy exits 2 naming the option", async () => {
    const run = await mlops(["update", "params/ep-a.yaml", "--tag", "v2", "--strategy", "big-bang", "--yes"]);
    expect(run.code, failure(run)).toBe(2);
    expect(run.stderr).toContain("--strategy");
  });
});
