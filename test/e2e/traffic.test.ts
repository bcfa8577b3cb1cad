/**
 * The listener rule's weights after a traffic-shifting rollout, end to end: the
 * real `mlops` binary against the emulator, whose ECS moves the production
 * rule's weights to the alternate target group at a blue/green deployment and
 * leaves them there, as ECS does. CloudFormation writes the rule's template
 * weights back whenever the rule changes (a new host header here), so an update
 * must render the weights ECS left, or production points at a target group
 * with no tasks (aws/containers-roadmap#2853, aws/aws-cdk#36649).
 */
import { ListStackResourcesCommand } from "@aws-sdk/client-cloudformation";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { DescribeRulesCommand, DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../setup/emulator-process.js";
import { pushImage, pushWhenRepositoryExists, sdkClients } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";

let emulator: { url: string; stop(): Promise<void> };
let aws: ReturnType<typeof sdkClients>;
let folder: string;

/** A copy of params/ep-a.yaml with a blue/green strategy and, optionally, another host. */
function paramsFile(name: string, host = "ep-a.example.com", strategy = "blue-green"): string {
  const text = readFileSync("params/ep-a.yaml", "utf8").replace("hostHeader: ep-a.example.com", `hostHeader: ${host}`);
  const file = join(folder, `${name}.yaml`);
  writeFileSync(file, `${text}\nrollout:\n  strategy: ${strategy}\n`);
  return file;
}

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
  folder = mkdtempSync(join(tmpdir(), "mlops-traffic-"));
});
afterAll(async () => {
  if (folder) rmSync(folder, { recursive: true, force: true });
  await emulator?.stop();
});

const mlops = (args: string[]) => runMlops(args, { endpointUrl: emulator.url });

async function resource(logicalId: string): Promise<string> {
  const resources = (await aws.cfn.send(new ListStackResourcesCommand({ StackName: "ep-a-prod" }))).StackResourceSummaries ?? [];
  return resources.find((r) => r.LogicalResourceId === logicalId)!.PhysicalResourceId!;
}

/** The production rule's weights by target group (primary, alternate) and each one's healthy targets. */
async function traffic() {
  const [rule, primary, alternate] = await Promise.all([resource("ListenerRule"), resource("TargetGroup"), resource("AlternateTargetGroup")]);
  const described = (await aws.elb.send(new DescribeRulesCommand({ RuleArns: [rule] }))).Rules![0]!;
  const groups = described.Actions?.find((a) => a.Type === "forward")?.ForwardConfig?.TargetGroups ?? [];
  const weight = (arn: string) => groups.find((g) => g.TargetGroupArn === arn)?.Weight;
  const healthy = async (arn: string) =>
    ((await aws.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))).TargetHealthDescriptions ?? []).filter(
      (d) => d.TargetHealth?.State === "healthy",
    ).length;
  return { primary: { weight: weight(primary), healthy: await healthy(primary) }, alternate: { weight: weight(alternate), healthy: await healthy(alternate) } };
}

describe("the listener rule's weights after a blue/green rollout", () => {
  it("a blue/green rollout leaves the alternate target group serving all traffic", async () => {
    const controller = new AbortController();
    const pushing = pushWhenRepositoryExists(aws.ecr, "ep-a-prod", "v1", controller.signal);
    const created = await mlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--no-pipeline", "--yes"]);
    controller.abort();
    await pushing;
    expect(created.code, failure(created)).toBe(0);
    await pushImage(aws.ecr, "ep-a-prod", "v2");
    const run = await mlops(["update", paramsFile("blue-green"), "--tag", "v2", "--yes"]);
    expect(run.code, failure(run)).toBe(0);
    expect(await traffic()).toEqual({ primary: { weight: 0, healthy: 0 }, alternate: { weight: 100, healthy: 2 } });
    // "Amazon ECS deployment failure detection" names rolling and blue/green: the circuit breaker stays on.
    const service = (await aws.ecs.send(new DescribeServicesCommand({ cluster: "ep-a-prod", services: ["ep-a-prod"] }))).services![0]!;
    expect(service.deploymentConfiguration?.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
  });

  it("diff of a new host header shows the weights the update keeps", async () => {
    const run = await mlops(["diff", paramsFile("moved", "api.ep-a.example.com"), "--no-dns"]);
    expect(run.stderr, failure(run)).toContain(
      "Traffic: listener rule keeps 0% to the primary target group, 100% to the alternate (where the last deployment left it)",
    );
    // The rule's properties as CloudFormation will write them: the new host and the live weights.
    expect(run.stderr).toContain("Conditions[0].HostHeaderConfig.Values[0]: ep-a.example.com -> api.ep-a.example.com");
    expect(run.stderr).toContain("Actions[0].ForwardConfig.TargetGroups[0].Weight: 100 -> 0");
    expect(run.stderr).toContain("Actions[0].ForwardConfig.TargetGroups[1].Weight: 0 -> 100");
  });

  it("an update that changes the host header leaves the traffic where ECS put it", async () => {
    const run = await mlops(["update", paramsFile("moved", "api.ep-a.example.com"), "--tag", "v2", "--yes"]);
    expect(run.code, failure(run)).toBe(0);
    // Production still reaches the tasks: the target group with all the weight has them.
    expect(await traffic()).toEqual({ primary: { weight: 0, healthy: 0 }, alternate: { weight: 100, healthy: 2 } });
    expect(run.stderr).toContain("Traffic: listener rule keeps 0% to the primary target group, 100% to the alternate");
  });

  it("a switch to rolling while the alternate target group serves is refused, naming what to do, and changes nothing", async () => {
    const run = await mlops(["update", paramsFile("rolling", "api.ep-a.example.com", "rolling"), "--tag", "v2", "--yes"]);
    expect(run.code, failure(run)).toBe(1);
    expect(run.stderr).toContain("The alternate target group serves 100% of ep-a-prod's traffic");
    expect(run.stderr).toContain("--strategy blue-green");
    expect(await traffic()).toEqual({ primary: { weight: 0, healthy: 0 }, alternate: { weight: 100, healthy: 2 } });
  });

  it("the next blue/green rollout moves the traffic back to the primary target group; then rolling is allowed", async () => {
    await pushImage(aws.ecr, "ep-a-prod", "v3");
    const shifted = await mlops(["update", paramsFile("moved", "api.ep-a.example.com"), "--tag", "v3", "--yes"]);
    expect(shifted.code, failure(shifted)).toBe(0);
    expect(await traffic()).toEqual({ primary: { weight: 100, healthy: 2 }, alternate: { weight: 0, healthy: 0 } });
    const rolling = await mlops(["update", paramsFile("rolling", "api.ep-a.example.com", "rolling"), "--tag", "v3", "--yes"]);
    expect(rolling.code, failure(rolling)).toBe(0);
  });
});
