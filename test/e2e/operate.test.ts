/**
 * Operating an endpoint, end to end: the real `mlops` binary against the
 * emulator. create-endpoint follows the pipeline's first run (stage states,
 * build phases and log lines as they come; the test plays `docker push`),
 * then `mlops pipeline`, `mlops logs` (container lines interleaved by task,
 * --json, --follow until Ctrl-C, --build) and `mlops exec` (its prerequisite
 * report, then the session handed to a fake session-manager-plugin on PATH
 * that records its arguments).
 */
import { CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ListPipelineExecutionsCommand } from "@aws-sdk/client-codepipeline";
import { ListTasksCommand } from "@aws-sdk/client-ecs";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImage, sdkClients } from "../helpers/aws.js";
import { failure, runMlops, type MlopsRun } from "../helpers/mlops.js";
import { startEmulator } from "../setup/emulator-process.js";

let emulator: { url: string; stop(): Promise<void> };
let aws: ReturnType<typeof sdkClients>;
let created: MlopsRun;
let commit = "";
const group = "/mlops/ep-a-prod";
const streams = { a: "ecs/api/0123456789abcdef0123456789abcdef", b: "ecs/api/fedcba9876543210fedcba9876543210" };

/** Plays the build's `docker push`: once the pipeline's first execution exists, pushes the image of its commit. */
async function pushWhenPipelineRuns(signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      const execution = (await aws.codePipeline.send(new ListPipelineExecutionsCommand({ pipelineName: "ep-a-prod" }))).pipelineExecutionSummaries?.[0];
      if (execution) {
        commit = execution.sourceRevisions?.[0]?.revisionId ?? "";
        // Let mlops see the build running first, as on AWS.
        await new Promise((r) => setTimeout(r, 1500));
        await pushImage(aws.ecr, "ep-a-prod", `tag-${commit}`);
        return;
      }
    } catch (error) {
      if ((error as Error).name !== "PipelineNotFoundException") throw error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function putLines(stream: string, events: { timestamp: number; message: string }[]): Promise<void> {
  await aws.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream })).catch((error: Error) => {
    if (error.name !== "ResourceAlreadyExistsException") throw error;
  });
  await aws.logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events }));
}

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
  const controller = new AbortController();
  const pushing = pushWhenPipelineRuns(controller.signal);
  created = await runMlops(["create-endpoint", "params/ep-a.yaml", "--yes"], { endpointUrl: emulator.url });
  controller.abort();
  await pushing;
}, 120_000);
afterAll(async () => {
  await emulator?.stop();
});

describe("create-endpoint following the pipeline", () => {
  it("shows per-resource stack progress, the stages, the build's phases and log lines, and deploys the commit's image", () => {
    expect(created.code, failure(created)).toBe(0);
    const err = created.stderr;
    expect(err).toMatch(/Vpc\s+AWS::EC2::VPC\s+CREATE_COMPLETE/);
    expect(err).toMatch(/Service\s+AWS::ECS::Service\s+UPDATE_COMPLETE/);
    expect(err).toContain(`Stage Source: Succeeded (commit ${commit.slice(0, 12)})`);
    expect(err).toMatch(/Stage Build: InProgress[\s\S]*Stage Build: Succeeded/);
    expect(err).toMatch(/phase PRE_BUILD SUCCEEDED[\s\S]*phase BUILD SUCCEEDED/);
    expect(err).toContain(`| Pushed image ep-a-prod:tag-${commit}`);
    expect(created.stdout).toContain(`(image tag-${commit})`);
    // The connection answers: no warning about reading it, no call the emulator lacks.
    expect(err).not.toMatch(/connection .* (could not|Could not)|Could not read the state|NotImplemented|does not implement/);
  });
});

describe("mlops pipeline", () => {
  it("shows the latest run, its stages and build", async () => {
    const run = await runMlops(["pipeline", "params/ep-a.yaml"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    expect(run.stdout.trim()).toBe(`ep-a-prod: Succeeded at commit ${commit.slice(0, 12)} (Source Succeeded, Build Succeeded)`);
    expect(run.stderr).toMatch(/phase BUILD SUCCEEDED/);
    const json = await runMlops(["pipeline", "params/ep-a.yaml", "--json"], { endpointUrl: emulator.url });
    expect(JSON.parse(json.stdout)).toMatchObject({ pipeline: "ep-a-prod", execution: { status: "Succeeded", commit }, build: { status: "SUCCEEDED" } });
  });
});

describe("mlops logs", () => {
  it("prints every task's lines interleaved by time, each with its task; --json one object a line", async () => {
    const t = Date.now() - 60_000;
    await putLines(streams.a, [
      { timestamp: t, message: "loading model" },
      { timestamp: t + 2000, message: "model loaded" },
    ]);
    await putLines(streams.b, [
      { timestamp: t + 1000, message: "loading model" },
      { timestamp: t + 3000, message: "GET /ping 200" },
    ]);
    const run = await runMlops(["logs", "params/ep-a.yaml", "--since", "5m"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    const lines = run.stdout
      .trim()
      .split("\n")
      .map((l) => l.replace(/ \S+Z /, " "));
    expect(lines).toEqual(["[01234567] loading model", "[fedcba98] loading model", "[01234567] model loaded", "[fedcba98] GET /ping 200"]);
    const json = await runMlops(["logs", "params/ep-a.yaml", "--since", "5m", "--json"], { endpointUrl: emulator.url });
    const records = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { task: string; message: string; container: string; time: string });
    expect(records.map((r) => `${r.task} ${r.message}`)).toEqual([
      "01234567 loading model",
      "fedcba98 loading model",
      "01234567 model loaded",
      "fedcba98 GET /ping 200",
    ]);
    expect(records[0]).toMatchObject({ container: "api", time: new Date(t).toISOString() });
  });

  it("a bad --since is bad input: exit 2 naming the flag, no AWS call", async () => {
    const run = await runMlops(["logs", "params/ep-a.yaml", "--since", "yesterday"]);
    expect(run.code, failure(run)).toBe(2);
    expect(run.stderr).toMatch(/--since: "yesterday" is neither a duration/);
  });

  it("--follow prints new lines as they come, each once, until Ctrl-C ends it with exit 0", async () => {
    const bin = fileURLToPath(new URL("../../bin/mlops.js", import.meta.url));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
      CI: "true",
      NO_COLOR: "1",
      MLOPS_ENDPOINT_URL: emulator.url,
    };
    delete env.AWS_PROFILE;
    const child = spawn(process.execPath, [bin, "logs", "params/ep-a.yaml", "--follow", "--since", "5m"], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      env,
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const seen = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not seen in 20 s: ${text}\nstdout:\n${stdout}\nstderr:\n${stderr}`)), 20_000);
        const check = () => {
          if (stdout.includes(text)) {
            clearTimeout(timer);
            child.stdout.off("data", onData);
            resolve();
          }
        };
        const onData = (d: Buffer) => {
          stdout += d.toString();
          check();
        };
        child.stdout.on("data", onData);
        check();
      });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await seen("GET /ping 200");
    await putLines(streams.a, [{ timestamp: Date.now(), message: "GET /invocations 200" }]);
    await seen("GET /invocations 200");
    child.kill("SIGINT");
    expect(await exited, stderr).toBe(0);
    expect(stdout.match(/GET \/ping 200/g)).toHaveLength(1);
    expect(stdout.match(/GET \/invocations 200/g)).toHaveLength(1);
    expect(stderr).not.toMatch(/Interrupted/);
  });

  it("--build prints the latest build's log", async () => {
    const run = await runMlops(["logs", "params/ep-a.yaml", "--build"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    expect(run.stderr).toMatch(/Build ep-a-prod:\S+: SUCCEEDED/);
    expect(run.stdout).toContain(`Pushed image ep-a-prod:tag-${commit}`);
  });
});

describe("mlops exec", () => {
  function fakePlugin(): { dir: string; record: string } {
    const dir = mkdtempSync(join(tmpdir(), "mlops-plugin-"));
    const record = join(dir, "args.json");
    const script = join(dir, "session-manager-plugin");
    // Records its arguments as JSON, one per line, and exits 0 as a session that ended does.
    writeFileSync(script, `#!/bin/sh\n: > ${JSON.stringify(record)}\nfor a in "$@"; do printf '%s\\n' "$a" >> ${JSON.stringify(record)}; done\n`);
    chmodSync(script, 0o755);
    return { dir, record };
  }

  it("checks every prerequisite, then starts the plugin as the AWS CLI does with the ExecuteCommand session", async () => {
    const { dir, record } = fakePlugin();
    const run = await runMlops(["exec", "params/ep-a.yaml", "--", "ls", "/app/weights"], { endpointUrl: emulator.url, env: { PATH: `${dir}:/usr/bin:/bin` } });
    expect(run.code, failure(run)).toBe(0);
    const args = readFileSync(record, "utf8").trimEnd().split("\n");
    expect(args).toHaveLength(6);
    const session = JSON.parse(args[0]!) as { sessionId: string; streamUrl: string; tokenValue: string };
    expect(session.sessionId).toMatch(/^ecs-execute-command-/);
    expect(session.streamUrl).toMatch(/^wss:\/\/ssmmessages\.us-east-1\.amazonaws\.com\//);
    expect(args.slice(1, 4)).toEqual(["us-east-1", "StartSession", ""]);
    expect(JSON.parse(args[4]!)).toEqual({ Target: expect.stringMatching(/^ecs:ep-a-prod_[0-9a-f]{32}_[0-9a-f]{32}-[0-9a-f]{10}$/) });
    expect(args[5]).toBe(emulator.url);
    // The task the session opened in is one the service runs.
    const taskId = /ecs:ep-a-prod_([0-9a-f]{32})_/.exec(args[4]!)![1]!;
    const tasks = await aws.ecs.send(new ListTasksCommand({ cluster: "ep-a-prod", serviceName: "ep-a-prod" }));
    expect(tasks.taskArns?.map((a) => a.split("/").at(-1))).toContain(taskId);
    expect(run.stderr).toMatch(new RegExp(`Session in task ${taskId.slice(0, 8)}, container \\S+: ls /app/weights`));
  });

  it("names each prerequisite missing instead: an unknown task, no plugin on PATH; nothing starts", async () => {
    const { dir, record } = fakePlugin();
    const unknown = await runMlops(["exec", "params/ep-a.yaml", "--task", "99999999"], { endpointUrl: emulator.url, env: { PATH: `${dir}:/usr/bin:/bin` } });
    expect(unknown.code, failure(unknown)).toBe(1);
    expect(unknown.stderr).toMatch(
      /ECS Exec cannot start: 1 prerequisite\(s\) missing:\n- task: no running task of ep-a-prod has the id 99999999\.\n {2}Fix: Running tasks: [0-9a-f]{8}, [0-9a-f]{8}; pass one with --task\./,
    );
    // The service's flag and the task role's ssmmessages permissions are in place: not named.
    expect(unknown.stderr).not.toMatch(/- service:|- task role:|- plugin:/);
    expect(existsSync(record)).toBe(false);

    const without = await runMlops(["exec", "params/ep-a.yaml"], { endpointUrl: emulator.url, env: { PATH: "/nonexistent" } });
    expect(without.code, failure(without)).toBe(1);
    expect(without.stderr).toMatch(
      /1 prerequisite\(s\) missing:\n- plugin: session-manager-plugin is not on PATH\.\n {2}Fix: Install the Session Manager plugin: .*session-manager-working-with-install-plugin\.html/,
    );
  });
});
