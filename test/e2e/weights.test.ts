/**
 * `mlops weights push|schedule|ls` end to end: the real binary against the
 * emulator, then what it made checked through the SDK: the one-off task's
 * command, mounts and role, the upload, the schedule made and removed, and a
 * failing sync reported with its exit code and reason.
 */
import { DescribeStacksCommand, ListStackResourcesCommand } from "@aws-sdk/client-cloudformation";
import { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { DescribeAccessPointsCommand } from "@aws-sdk/client-efs";
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../setup/emulator-process.js";
import { pushWhenRepositoryExists, sdkClients } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";
import { rollbackScript, SCHEDULED_VERSION, versionedSyncScript } from "../../src/deploy/steps/weights-versions.js";
import { syncScript } from "../../src/deploy/workflows/weights.js";

let emulator: { url: string; stop(): Promise<void> };
let aws: ReturnType<typeof sdkClients>;
let scheduler: SchedulerClient;
let folder: string;

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
  scheduler = new SchedulerClient({ region: "us-east-1", endpoint: emulator.url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  folder = mkdtempSync(join(tmpdir(), "mlops-weights-"));
  mkdirSync(join(folder, "tokenizer"));
  writeFileSync(join(folder, "model.safetensors"), Buffer.alloc(4096, 1));
  writeFileSync(join(folder, "tokenizer", "vocab.json"), '{"a": 1}');
  const controller = new AbortController();
  const pushing = pushWhenRepositoryExists(aws.ecr, "ep-a-prod", "v1", controller.signal);
  const created = await runMlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--no-pipeline", "--yes"], { endpointUrl: emulator.url });
  controller.abort();
  await pushing;
  expect(created.code, failure(created)).toBe(0);
}, 120_000);

afterAll(async () => {
  if (folder) rmSync(folder, { recursive: true, force: true });
  await emulator?.stop();
});

async function outputs(): Promise<Record<string, string>> {
  const stack = (await aws.cfn.send(new DescribeStacksCommand({ StackName: "ep-a-prod" }))).Stacks![0]!;
  return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
}

async function physicalId(logicalId: string): Promise<string | undefined> {
  const resources = (await aws.cfn.send(new ListStackResourcesCommand({ StackName: "ep-a-prod" }))).StackResourceSummaries ?? [];
  return resources.find((r) => r.LogicalResourceId === logicalId)?.PhysicalResourceId;
}

async function task(cluster: string, arn: string) {
  return (await aws.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0]!;
}

/** Runs mlops in a pseudo-terminal (test/helpers/pty_run.py) and answers its question. */
function answerAtTerminal(args: string[], answer: string): Promise<{ code: number; output: string; answered: boolean }> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && key !== "CI" && key !== "NO_COLOR") env[key] = value;
  Object.assign(env, { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1", MLOPS_ENDPOINT_URL: emulator.url, TERM: "xterm" });
  delete env.AWS_PROFILE;
  const bin = fileURLToPath(new URL("../../bin/mlops.js", import.meta.url));
  const spec = { argv: [process.execPath, bin, ...args], env, cwd: fileURLToPath(new URL("../..", import.meta.url)), answer, timeout_s: 120 };
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.MLOPS_PYTHON ?? "python3", [fileURLToPath(new URL("../helpers/pty_run.py", import.meta.url))], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.on("error", reject);
    // "close": the report is read to its end before it is parsed (see helpers/mlops.ts).
    child.on("close", () => resolve(JSON.parse(stdout) as { code: number; output: string; answered: boolean }));
    child.stdin.end(JSON.stringify(spec));
  });
}

async function schedule(name: string) {
  try {
    return await scheduler.send(new GetScheduleCommand({ Name: name }));
  } catch (error) {
    if ((error as Error).name === "ResourceNotFoundException") return undefined;
    throw error;
  }
}

describe("mlops weights", () => {
  it("push of a local folder uploads it, then a one-off Fargate task syncs it onto the weights volume with its own role", async () => {
    const run = await runMlops(["weights", "push", "params/ep-a.yaml", folder, "--yes", "--json"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    const result = JSON.parse(run.stdout) as {
      taskArn: string;
      source: string;
      copied: number;
      fileSystemId: string;
      uploaded: { files: number };
      version: string;
      restarted: boolean;
    };
    const out = await outputs();
    expect(result).toMatchObject({ copied: 2, uploaded: { files: 2 }, fileSystemId: out.WeightsFileSystemId });
    // The upload: under the endpoint's own prefix of the base's bucket, one prefix per run.
    expect(result.source).toMatch(new RegExp(`^s3://${out.WeightsUploadBucketName}/ep-a-prod/\\d{8}T\\d{9}Z-[0-9a-f]{6}/$`));
    const prefix = result.source.replace(`s3://${out.WeightsUploadBucketName}/`, "");
    const objects = (await aws.s3.send(new ListObjectsV2Command({ Bucket: out.WeightsUploadBucketName, Prefix: prefix }))).Contents ?? [];
    expect(objects.map((o) => o.Key!.slice(prefix.length)).sort()).toEqual(["model.safetensors", "tokenizer/vocab.json"]);

    // The task: its command, network, end, and (through its task definition) mounts and role.
    const t = await task(out.ClusterName!, result.taskArn);
    expect(t.lastStatus).toBe("STOPPED");
    expect(t.launchType).toBe("FARGATE");
    expect(t.containers?.[0]?.exitCode).toBe(0);
    // Into a new version directory, then `current` switched to it (the script runs in test/deploy/steps/weights-versions.test.ts).
    expect(result.version).toMatch(/^versions\/\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(t.overrides?.containerOverrides?.[0]).toEqual({
      name: "sync",
      command: [syncScript(result.source, false, result.version.slice("versions/".length), "us-east-1")],
    });
    expect(result.restarted).toBe(false);
    expect(run.stderr).toMatch(/Running tasks keep the weights they loaded and load the new version at their next start \(--restart starts them again now\)/);
    expect(run.stderr).toMatch(/current switches to it only once the sync succeeded, and the version before stays as previous \(mlops weights rollback\)/);
    expect(t.taskDefinitionArn).toBe(out.WeightsSyncTaskDefinitionArn);
    const td = (await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: t.taskDefinitionArn! }))).taskDefinition!;
    expect(td.taskRoleArn).toContain(await physicalId("WeightsSyncRole"));
    expect(td.containerDefinitions?.[0]).toMatchObject({
      image: expect.stringMatching(/^public\.ecr\.aws\/aws-cli\/aws-cli:\d+\.\d+\.\d+$/),
      entryPoint: ["/bin/sh", "-c"],
    });
    const weights = td.volumes?.find((v) => v.name === "weights");
    expect(weights?.efsVolumeConfiguration).toMatchObject({
      fileSystemId: out.WeightsFileSystemId,
      transitEncryption: "ENABLED",
      authorizationConfig: { iam: "ENABLED" },
    });
    // Through the weights access point: the sync (root in its image) writes as that point's user, in its directory.
    const accessPointId = weights?.efsVolumeConfiguration?.authorizationConfig?.accessPointId;
    expect(accessPointId).toBe(await physicalId("WeightsAccessPoint"));
    const [point] = (await aws.efs.send(new DescribeAccessPointsCommand({ AccessPointId: accessPointId }))).AccessPoints ?? [];
    expect(point).toMatchObject({ FileSystemId: out.WeightsFileSystemId, PosixUser: { Uid: 1000, Gid: 1000 }, RootDirectory: { Path: "/data" } });
    expect(td.containerDefinitions?.[0]?.mountPoints).toContainEqual({ sourceVolume: "weights", containerPath: "/mnt/weights", readOnly: false });

    // Its log lines went to the endpoint's log group, and mlops showed them.
    const taskId = result.taskArn.split("/").pop();
    const events =
      (await aws.logs.send(new GetLogEventsCommand({ logGroupName: out.LogGroupName, logStreamName: `weights/sync/${taskId}`, startFromHead: true }))).events ??
      [];
    expect(events.map((e) => e.message)).toEqual([
      `download: ${result.source}model.safetensors to /mnt/weights/${result.version}/model.safetensors`,
      `download: ${result.source}tokenizer/vocab.json to /mnt/weights/${result.version}/tokenizer/vocab.json`,
    ]);
    expect(run.stderr).toContain("download: ");
    expect(run.stderr).not.toContain("NodeVersionSupportWarning");
  });

  it("ls says it starts a task, and lists the volume's files (one folder per version) with sizes and dates, as a table and with --json", async () => {
    const json = await runMlops(["weights", "ls", "params/ep-a.yaml", "--json"], { endpointUrl: emulator.url });
    expect(json.code, failure(json)).toBe(0);
    expect(json.stderr).toMatch(/Starting a task to read the volume: on AWS that takes about a minute/);
    const listing = JSON.parse(json.stdout) as { files: { path: string; size: number; modified: string }[]; volume: string };
    expect(listing.volume).toBe("weights");
    expect(listing.files.map((f) => [f.path.replace(/^versions\/[^/]+\//, "versions/V/"), f.size])).toEqual([
      ["versions/V/model.safetensors", 4096],
      ["versions/V/tokenizer/vocab.json", 8],
    ]);
    expect(Date.parse(listing.files[0]!.modified)).toBeGreaterThan(Date.now() - 3_600_000);
    const version = listing.files[0]!.path.split("/").slice(0, 2).join("/");
    const table = await runMlops(["weights", "ls", "params/ep-a.yaml", `${version}/tokenizer`], { endpointUrl: emulator.url });
    expect(table.code, failure(table)).toBe(0);
    expect(table.stdout).toMatch(/^Path\s+Size\s+Modified\nversions\/\S+\/tokenizer\/vocab\.json\s+8 B\s+\d{4}-/);
  });

  it("rollback switches current back by the same one-off task; --restart starts a new deployment of the service", async () => {
    const out = await outputs();
    const run = await runMlops(["weights", "rollback", "params/ep-a.yaml", "--restart", "--yes", "--json"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    const result = JSON.parse(run.stdout) as { taskArn: string; restarted: boolean };
    const t = await task(out.ClusterName!, result.taskArn);
    expect(t.overrides?.containerOverrides?.[0]).toEqual({ name: "sync", command: [rollbackScript("/mnt/weights")] });
    expect(result.restarted).toBe(true);
    expect(run.stderr).toMatch(/Started a new deployment of ep-a-prod: its tasks start again with the new weights/);
    const deployments =
      (await aws.ecs.send(new DescribeServicesCommand({ cluster: out.ClusterName, services: [out.ServiceName!] }))).services?.[0]?.deployments ?? [];
    expect(deployments.length, JSON.stringify(deployments)).toBeGreaterThan(0);
    expect(deployments.some((d) => d.status === "PRIMARY")).toBe(true);
  });

  it("restart starts a new deployment of the service, with no upload and no sync task, as push's output says", async () => {
    const out = await outputs();
    const primary = async () =>
      (await aws.ecs.send(new DescribeServicesCommand({ cluster: out.ClusterName, services: [out.ServiceName!] }))).services?.[0]?.deployments?.find(
        (d) => d.status === "PRIMARY",
      );
    const before = await primary();
    // The sync task's family, whatever its status: no one-off task runs for a restart.
    const family = out.WeightsSyncTaskDefinitionArn!.split("/").pop()!.split(":")[0];
    const syncTasks = async () =>
      (
        await Promise.all(
          (["RUNNING", "STOPPED"] as const).map(
            async (desiredStatus) => (await aws.ecs.send(new ListTasksCommand({ cluster: out.ClusterName, family, desiredStatus }))).taskArns ?? [],
          ),
        )
      ).flat().length;
    const tasksBefore = await syncTasks();
    const run = await runMlops(["weights", "restart", "params/ep-a.yaml", "--yes", "--json"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ endpoint: "ep-a-prod", restarted: true });
    expect(run.stderr).toContain("Nothing is uploaded or synced");
    expect(run.stderr).toMatch(/Started a new deployment of ep-a-prod/);
    const after = await primary();
    expect(after?.id, JSON.stringify({ before, after })).not.toBe(before?.id);
    expect(await syncTasks()).toBe(tasksBefore);
  });

  it("push from S3 with --schedule makes the EventBridge Scheduler schedule running the same task; schedule --off removes it", async () => {
    await aws.s3.send(new CreateBucketCommand({ Bucket: "team-models" }));
    await aws.s3.send(new PutObjectCommand({ Bucket: "team-models", Key: "llm/v2/model.bin", Body: "weights" }));
    const run = await runMlops(["weights", "push", "params/ep-a.yaml", "s3://team-models/llm/v2", "--schedule", "rate(3 minutes)", "--delete", "--yes"], {
      endpointUrl: emulator.url,
    });
    expect(run.code, failure(run)).toBe(0);
    const out = await outputs();
    const made = await schedule("ep-a-prod-weights");
    expect(made?.ScheduleExpression).toBe("rate(3 minutes)");
    expect(made?.Target?.Arn).toMatch(/:cluster\/ep-a-prod$/);
    expect(made?.Target?.RoleArn).toContain(await physicalId("WeightsSchedulerRole"));
    expect(made?.Target?.EcsParameters).toMatchObject({ TaskDefinitionArn: out.WeightsSyncTaskDefinitionArn, LaunchType: "FARGATE" });
    expect(made?.Target?.EcsParameters?.NetworkConfiguration?.awsvpcConfiguration).toEqual({
      Subnets: out.WeightsSyncSubnets!.split(","),
      SecurityGroups: [out.TaskSecurityGroupId],
      AssignPublicIp: "DISABLED",
    });
    // The scheduled task runs the task definition's own command: the sync from the stack's source.
    const td = (await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: out.WeightsSyncTaskDefinitionArn! }))).taskDefinition!;
    expect(td.containerDefinitions?.[0]?.command).toEqual([
      versionedSyncScript("s3://team-models/llm/v2/", true, SCHEDULED_VERSION, "/mnt/weights", "us-east-1"),
    ]);
    expect(run.stdout).toContain("The sync repeats rate(3 minutes)");
    // The emulator plays the sync's downloads, not the script's last line naming the previous version (run in test/deploy/steps/weights-versions.test.ts).
    expect(run.stdout).toMatch(/^current -> versions\/\d{8}T\d{6}Z-[0-9a-f]{6}$/m);
    expect(run.stdout).toContain(
      "Running tasks keep the weights they loaded; they load the new ones at their next start. To roll them now: npx mlops weights restart params/ep-a.yaml (a forced new deployment; nothing is uploaded again).",
    );

    // Other commands carry the weights settings over: an update leaves the schedule alone.
    const update = await runMlops(["update", "params/ep-a.yaml", "--tag", "v1", "--yes"], { endpointUrl: emulator.url });
    expect(update.code, failure(update)).toBe(0);
    expect((await schedule("ep-a-prod-weights"))?.ScheduleExpression).toBe("rate(3 minutes)");

    const off = await runMlops(["weights", "schedule", "params/ep-a.yaml", "--off", "--yes"], { endpointUrl: emulator.url });
    expect(off.code, failure(off)).toBe(0);
    expect(await schedule("ep-a-prod-weights")).toBeUndefined();
    expect(await physicalId("WeightsSchedulerRole")).toBeUndefined();
  });

  it("at a terminal, the plan is shown and one question asked; declining changes nothing and runs no task", async () => {
    const out = await outputs();
    const tasksBefore = (await aws.ecs.send(new ListTasksCommand({ cluster: out.ClusterName, desiredStatus: "STOPPED" }))).taskArns ?? [];
    expect(tasksBefore.length).toBeGreaterThan(0);
    const run = await answerAtTerminal(["weights", "push", "params/ep-a.yaml", "s3://team-models/other/", "--schedule", "rate(10 minutes)"], "n");
    expect(run.answered, run.output).toBe(true);
    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain("Plan for the weights of ep-a-prod");
    expect(run.output).toContain("Schedule: repeat the sync rate(10 minutes)");
    expect(run.output.match(/\[y\/N\]/g)).toHaveLength(1);
    const stack = (await aws.cfn.send(new DescribeStacksCommand({ StackName: "ep-a-prod" }))).Stacks![0]!;
    expect(stack.Parameters?.find((p) => p.ParameterKey === "WeightsSourcePrefix")?.ParameterValue).toBe("llm/v2/");
    expect(await schedule("ep-a-prod-weights")).toBeUndefined();
    const tasksAfter = (await aws.ecs.send(new ListTasksCommand({ cluster: out.ClusterName, desiredStatus: "STOPPED" }))).taskArns ?? [];
    expect(tasksAfter).toHaveLength(tasksBefore.length);
  });

  it("a sync that fails is reported with the task's exit code, stop reason and last log lines (exit 1)", async () => {
    const run = await runMlops(["weights", "push", "params/ep-a.yaml", "s3://no-such-models/llm/", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(1);
    expect(run.stderr).toMatch(/The weights sync task [0-9a-f-]+ failed: its container exited with code 1\. Stop reason: Essential container in task exited\./);
    expect(run.stderr).toContain("NoSuchBucket");
  });

  it("a bad schedule expression, a schedule for a local folder or a missing folder is bad input (exit 2), before any AWS call", async () => {
    const bad = await runMlops(["weights", "push", "params/ep-a.yaml", "s3://team-models/llm/", "--schedule", "every 3 minutes", "--yes"], {
      endpointUrl: "http://127.0.0.1:9",
    });
    expect(bad.code, failure(bad)).toBe(2);
    expect(bad.stderr).toContain("--schedule");
    const local = await runMlops(["weights", "push", "params/ep-a.yaml", folder, "--schedule", "rate(5 minutes)", "--yes"], {
      endpointUrl: "http://127.0.0.1:9",
    });
    expect(local.code, failure(local)).toBe(2);
    const missing = await runMlops(["weights", "push", "params/ep-a.yaml", join(folder, "no-such-folder"), "--yes"], { endpointUrl: "http://127.0.0.1:9" });
    expect(missing.code, failure(missing)).toBe(2);
    expect(missing.stderr).toContain("is not a folder");
  });

  it("an added endpoint uploads to its own prefix of the base's bucket and syncs onto its own volume", async () => {
    const controller = new AbortController();
    const pushing = pushWhenRepositoryExists(aws.ecr, "ep-b-prod", "v1", controller.signal);
    const added = await runMlops(["add-endpoint", "params/ep-b.yaml", "--tag", "v1", "--no-pipeline", "--yes"], { endpointUrl: emulator.url });
    controller.abort();
    await pushing;
    expect(added.code, failure(added)).toBe(0);
    const run = await runMlops(["weights", "push", "params/ep-b.yaml", folder, "--yes", "--json"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    const result = JSON.parse(run.stdout) as { source: string; fileSystemId: string };
    const base = await outputs();
    const b = (await aws.cfn.send(new DescribeStacksCommand({ StackName: "ep-b-prod" }))).Stacks![0]!;
    const bOutputs = Object.fromEntries((b.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
    expect(result.source).toContain(`s3://${base.WeightsUploadBucketName}/ep-b-prod/`);
    expect(result.fileSystemId).toBe(bOutputs.WeightsFileSystemId);
    expect(result.fileSystemId).not.toBe(base.WeightsFileSystemId);
    const down = await runMlops(["teardown", "params/ep-b.yaml", "--yes"], { endpointUrl: emulator.url });
    expect(down.code, failure(down)).toBe(0);
    // The base's uploads stay until the base goes.
    expect(down.stderr).not.toContain(`Emptied bucket ${base.WeightsUploadBucketName}`);
  });

  it("teardown removes a schedule with the stack and empties the upload bucket", async () => {
    const on = await runMlops(["weights", "schedule", "params/ep-a.yaml", "cron(0 3 * * ? *)", "--yes"], { endpointUrl: emulator.url });
    expect(on.code, failure(on)).toBe(0);
    expect((await schedule("ep-a-prod-weights"))?.ScheduleExpression).toBe("cron(0 3 * * ? *)");
    const out = await outputs();
    const down = await runMlops(["teardown", "params/ep-a.yaml", "--yes"], { endpointUrl: emulator.url });
    expect(down.code, failure(down)).toBe(0);
    expect(await schedule("ep-a-prod-weights")).toBeUndefined();
    expect(down.stderr).toContain(`Emptied bucket ${out.WeightsUploadBucketName}`);
  });
});
