/**
 * `mlops status NAME` against the emulator: one endpoint in detail, as text
 * and as JSON, each section checked against the AWS state read through the SDK.
 */
import { DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { ListPipelineExecutionsCommand } from "@aws-sdk/client-codepipeline";
import { RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../setup/emulator-process.js";
import { sdkClients, withPushes } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";
import type { StatusDetailReport } from "../../src/commands/status.js";

let emulator: { url: string; stop(): Promise<void> };
let aws: ReturnType<typeof sdkClients>;
let runningTask: string;
let stoppedTask: string;

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
  const run = await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () =>
    runMlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes"], { endpointUrl: emulator.url }),
  );
  expect(run.code, failure(run)).toBe(0);
  const added = await withPushes(aws.ecr, [{ repository: "ep-b-prod", tag: "v1" }], () =>
    runMlops(["add-endpoint", "params/ep-b.yaml", "--tag", "v1", "--yes", "--no-pipeline"], { endpointUrl: emulator.url }),
  );
  expect(added.code, failure(added)).toBe(0);
  // The emulator's services list their running tasks (two for ep-a) but never stop one, and its RunTask fails on a
  // container without a memory size (moto 5.2.1): two tasks of a task definition with one are started by hand in the
  // service's cluster, in the service's task group (`service:NAME`, by which ListTasks filters by service), and one of them stopped.
  const out = await outputs();
  const family = await aws.ecs.send(
    new RegisterTaskDefinitionCommand({ family: "ep-a-prod-probe", containerDefinitions: [{ name: "api", image: "api", memory: 512 }] }),
  );
  const started = await aws.ecs.send(
    new RunTaskCommand({
      cluster: out.ClusterName,
      taskDefinition: family.taskDefinition?.taskDefinitionArn,
      launchType: "FARGATE",
      count: 2,
      startedBy: out.ServiceName,
      group: `service:${out.ServiceName}`,
    }),
  );
  runningTask = started.tasks?.[0]?.taskArn?.split("/").pop() as string;
  stoppedTask = started.tasks?.[1]?.taskArn?.split("/").pop() as string;
  await aws.ecs.send(new StopTaskCommand({ cluster: out.ClusterName, task: stoppedTask, reason: "Essential container in task exited" }));
}, 180_000);
afterAll(async () => {
  await emulator?.stop();
});

async function outputs(): Promise<Record<string, string>> {
  const stack = (await aws.cfn.send(new DescribeStacksCommand({ StackName: "ep-a-prod" }))).Stacks?.[0];
  return Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
}

describe("status NAME: one endpoint in detail", () => {
  it("--json has every section, read from the account", async () => {
    const run = await runMlops(["status", "ep-a", "--json"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    const report = JSON.parse(run.stdout) as StatusDetailReport;
    const out = await outputs();
    const d = report.endpoint;
    expect(report.region).toBe("us-east-1");
    expect(d.endpoint).toBe("ep-a-prod");
    expect(d.role).toBe("base");
    expect(d.stack).toMatchObject({ name: "ep-a-prod", lastOperation: "UPDATE", result: "COMPLETE" });
    expect(d.stack.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    // The last operation was the rollout's update: its time, not the stack's creation.
    const described = (await aws.cfn.send(new DescribeStacksCommand({ StackName: "ep-a-prod" }))).Stacks?.[0];
    expect(described?.LastUpdatedTime).toBeInstanceOf(Date);
    expect(d.stack.time).toBe(described?.LastUpdatedTime?.toISOString().replace(/\.\d{3}Z$/, "Z"));
    expect(d.image).toMatchObject({ tag: "v1", repository: "ep-a-prod", inRepository: true, uri: out.EcrRepositoryUri });
    expect(d.service).toMatchObject({ name: out.ServiceName, cluster: out.ClusterName });
    expect(d.service.error).toBeUndefined();
    // The emulator moves a task's lastStatus on by itself as it is read; its desired status stays RUNNING.
    // The service's own two tasks and the one started by hand.
    expect(d.tasks.running).toHaveLength(3);
    expect(d.tasks.running.map((t) => t.id)).toContain(runningTask);
    expect(d.tasks.running.map((t) => t.desiredStatus)).toEqual(["RUNNING", "RUNNING", "RUNNING"]);
    expect(d.tasks.running.every((t) => t.lastStatus)).toBe(true);
    expect(d.tasks.stopped.map((t) => [t.id, t.reason])).toEqual([[stoppedTask, "Essential container in task exited"]]);
    expect(d.targets.targetGroupArn).toBe(out.TargetGroupArn);
    expect(d.targets.error).toBeUndefined();
    // The pipeline's runs: whatever the emulator answers, the section is there and says what it knows.
    // The pipeline's first run starts as it is created, and its build waits for an image tagged after the source
    // commit, which is never pushed here: the emulator keeps it InProgress.
    const [firstRun] = (await aws.codePipeline.send(new ListPipelineExecutionsCommand({ pipelineName: "ep-a-prod" }))).pipelineExecutionSummaries ?? [];
    expect(firstRun?.status).toBe("InProgress");
    expect(d.pipeline).toEqual({
      name: "ep-a-prod",
      state: "ok",
      lastRun: {
        id: firstRun?.pipelineExecutionId,
        status: "InProgress",
        startedAt: firstRun?.startTime?.toISOString().replace(/\.\d{3}Z$/, "Z"),
        updatedAt: firstRun?.lastUpdateTime?.toISOString().replace(/\.\d{3}Z$/, "Z"),
        trigger: "StartPipelineExecution",
      },
    });
    expect(d.certificate).toMatchObject({ domain: "ep-a.example.com", status: "ISSUED" });
    expect(d.certificate.daysLeft).toBeGreaterThan(30);
    expect(d.fileSystems.map((f) => [f.volume, f.id])).toEqual([
      ["weights", out.WeightsFileSystemId],
      ["assets", out.AssetsFileSystemId],
    ]);
    expect(d.fileSystems.every((f) => typeof f.sizeBytes === "number")).toBe(true);
    // example.com names resolve nowhere here: DNS is not pointed, and the record to create names the load balancer.
    expect(d.dns).toMatchObject({ url: "https://ep-a.example.com", host: "ep-a.example.com", loadBalancer: out.LoadBalancerDnsName, state: "not pointed" });
    expect(d.dns.record).toContain(`ep-a.example.com. CNAME ${out.LoadBalancerDnsName}.`);
    expect(report.healthy).toBe(d.problems.length === 0);
    expect(run.stderr).not.toMatch(/NodeVersionSupportWarning|node >=22/);
  });

  it("an added endpoint: its certificate is found on the base's listener, no pipeline", async () => {
    const run = await runMlops(["status", "ep-b", "--json"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    const d = (JSON.parse(run.stdout) as StatusDetailReport).endpoint;
    expect(d).toMatchObject({ endpoint: "ep-b-prod", role: "added" });
    expect(d.certificate).toMatchObject({ domain: "ep-b.example.com", status: "ISSUED" });
    expect(d.pipeline).toBeUndefined();
    expect(d.image).toMatchObject({ tag: "v1", inRepository: true });
    expect(d.dns).toMatchObject({ host: "ep-b.example.com", state: "not pointed" });
    expect(d.fileSystems.every((f) => f.id?.startsWith("fs-") && f.sizeBytes !== undefined)).toBe(true);
    const text = await runMlops(["status", "ep-b"], { endpointUrl: emulator.url });
    expect(text.stdout).toMatch(/^Pipeline: +none \(images are built elsewhere\)$/m);
  });

  it("prints the detail as text, by project-environment too", async () => {
    const run = await runMlops(["status", "ep-a-prod"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    const out = await outputs();
    expect(run.stdout).toMatch(/^ep-a-prod \(base endpoint\)/);
    expect(run.stdout).toContain("URL:         https://ep-a.example.com");
    expect(run.stdout).toContain(`create: ep-a.example.com. CNAME ${out.LoadBalancerDnsName}.`);
    expect(run.stdout).toMatch(/^Stack: +ep-a-prod UPDATE_COMPLETE \(last operation UPDATE at \d{4}-/m);
    expect(run.stdout).toContain(`Image:       ${out.EcrRepositoryUri}:v1 (pushed `);
    expect(run.stdout).toMatch(/^Certificate: ep-a\.example\.com ISSUED until \S+, \d+ day\(s\) left$/m);
    expect(run.stdout).toMatch(new RegExp(`^EFS weights: ${out.WeightsFileSystemId} \\d`, "m"));
    expect(run.stdout).toMatch(/^Pipeline: +ep-a-prod: /m);
    expect(run.stdout).toMatch(/^Tasks \(3\):/m);
    expect(run.stdout).toMatch(new RegExp(`^  ${runningTask} +[A-Z]+ `, "m"));
    expect(run.stdout).toMatch(new RegExp(`^  ${stoppedTask}( \\S+)?: Essential container in task exited`, "m"));
    expect(run.stdout).toMatch(/^Targets \(\d+\/\d+ healthy\):/m);
  });
});
