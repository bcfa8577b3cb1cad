/**
 * The first build beside the infrastructure, end to end: the real `mlops` binary against an emulator
 * whose builds last 20 s and whose slow stacks' creations last 10 s (corrections build-duration and
 * stack-duration), through a proxy that logs every request in the order AWS answered. The tests hold
 * the order of events (the build started before the endpoint's stack was created), not the wall time
 * (that is the benchmark's: `npm run bench`, BENCHMARKS.md). The test plays the build's `docker push`.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { ListPipelineExecutionsCommand, ListPipelinesCommand } from "@aws-sdk/client-codepipeline";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetEmulator, startEmulator, type RunningEmulator } from "../setup/emulator-process.js";
import { pushWhenRepositoryExists, sdkClients } from "../helpers/aws.js";
import { failure, runMlops, type MlopsRun } from "../helpers/mlops.js";
import { buildStarted, firstIndex, stackAnswered, startRequestLog, type RequestLog } from "../helpers/request-log.js";

const BUILD_SECONDS = 20;
const STACK_SECONDS = 10;

let emulator: RunningEmulator;
let aws: ReturnType<typeof sdkClients>;
let log: RequestLog;

beforeAll(async () => {
  emulator = await startEmulator({ buildSeconds: BUILD_SECONDS, stackSeconds: STACK_SECONDS });
  aws = sdkClients(emulator.url);
  log = await startRequestLog(emulator.url);
}, 60_000);
afterAll(async () => {
  await log?.close();
  await emulator?.stop();
});
beforeEach(async () => {
  await resetEmulator(emulator.url);
  log.entries.length = 0;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Plays the build's `docker push`: the image of the commit the pipeline's execution builds, once the repository exists. */
async function pushBuiltImage(pipelineName: string, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const execution = (await aws.codePipeline.send(new ListPipelineExecutionsCommand({ pipelineName })).catch(() => undefined))
      ?.pipelineExecutionSummaries?.[0];
    const commit = execution?.sourceRevisions?.[0]?.revisionId;
    if (commit) {
      await pushWhenRepositoryExists(aws.ecr, pipelineName, `tag-${commit}`, signal);
      return;
    }
    await sleep(200);
  }
}

/** Runs create-endpoint through the pipeline (no --tag) against the logging proxy, pushing the built image meanwhile. */
async function createThroughPipeline(): Promise<MlopsRun> {
  const controller = new AbortController();
  const pushing = pushBuiltImage("ep-a-prod", controller.signal);
  const run = await runMlops(["create-endpoint", "params/ep-a.yaml", "--yes"], { endpointUrl: log.url });
  controller.abort();
  await pushing;
  return run;
}

/** Names and states of the stacks that exist (not deleted). */
async function liveStacks(): Promise<string[]> {
  const stacks = (await aws.cfn.send(new DescribeStacksCommand({}))).Stacks ?? [];
  return stacks.filter((s) => s.StackStatus !== "DELETE_COMPLETE").map((s) => s.StackName ?? "");
}

describe("the first build beside the infrastructure", () => {
  it("create-endpoint starts the first build before the endpoint's stack is created, and the rollout after both", async () => {
    const run = await createThroughPipeline();
    expect(run.code, failure(run)).toBe(0);
    const entries = log.entries;
    const build = firstIndex(entries, (e) => buildStarted(e, "ep-a-prod"));
    const stackCreated = firstIndex(entries, (e) => stackAnswered(e, "ep-a-prod", "CREATE_COMPLETE"));
    const stackInProgress = firstIndex(entries, (e) => stackAnswered(e, "ep-a-prod", "CREATE_IN_PROGRESS"));
    expect(build, "the pipeline was created").toBeGreaterThanOrEqual(0);
    expect(stackInProgress, "the endpoint's stack was seen creating").toBeGreaterThanOrEqual(0);
    expect(stackCreated).toBeGreaterThan(0);
    // The build started while the endpoint's stack was still being created.
    expect(build).toBeLessThan(stackCreated);
    // The rollout (the stack's update that sends the image) comes once both are done.
    const rollout = entries.findIndex(
      (e, i) => i > Math.max(stackCreated, build) && /CreateChangeSet$/.test(e.action) && new URLSearchParams(e.request).get("StackName") === "ep-a-prod",
    );
    const buildDone = firstIndex(entries, (e) => /ListPipelineExecutions$/.test(e.action) && /"status":\s*"Succeeded"/.test(e.response));
    expect(buildDone).toBeGreaterThan(build);
    expect(rollout).toBeGreaterThan(stackCreated);
    expect(rollout).toBeGreaterThan(buildDone);
    expect(run.stderr).toMatch(/\[build\] /);
    expect(run.stderr).toMatch(/\[stack\] /);
    expect(run.stderr).toMatch(/Order: side by side/);
    expect(run.stderr).toMatch(/beside it the first build/);
    expect(run.stderr).toMatch(/Endpoint (ready|deployed)/);
  }, 180_000);

  it("Ctrl-C during the overlap exits 130 at once, names the stack and the build still running, and a re-run converges", async () => {
    const bin = fileURLToPath(new URL("../../bin/mlops.js", import.meta.url));
    const child = spawn(process.execPath, [bin, "create-endpoint", "params/ep-a.yaml", "--yes"], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_REGION: "us-east-1",
        CI: "true",
        NO_COLOR: "1",
        MLOPS_ENDPOINT_URL: log.url,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    // Both in flight: the build has started (its stage is followed) and the endpoint's stack is still creating.
    for (let i = 0; i < 600; i++) {
      const build = firstIndex(log.entries, (e) => /GetPipelineState$/.test(e.action));
      const created = firstIndex(log.entries, (e) => stackAnswered(e, "ep-a-prod", "CREATE_COMPLETE"));
      if (build >= 0 && created < 0 && firstIndex(log.entries, (e) => stackAnswered(e, "ep-a-prod", "CREATE_IN_PROGRESS")) >= 0) break;
      await sleep(100);
    }
    expect(
      firstIndex(log.entries, (e) => stackAnswered(e, "ep-a-prod", "CREATE_COMPLETE")),
      "Ctrl-C comes before the stack is created",
    ).toBe(-1);
    const interruptedAt = Date.now();
    child.kill("SIGINT");
    const code = await exited;
    expect(code, stderr).toBe(130);
    expect(Date.now() - interruptedAt).toBeLessThan(2_000);
    expect(stderr).toMatch(/Interrupted with two things under way in AWS/);
    expect(stderr).toMatch(/\[stack\] the creation of stack ep-a-prod \(CloudFormation carries on\): a re-run waits for it/);
    expect(stderr).toMatch(/\[build\] the build of pipeline ep-a-prod .*: a re-run follows the same execution/);
    // The closing lines agree: both listed as what may still run.
    expect(stderr).toMatch(/May still be running in AWS: .*the build of pipeline ep-a-prod/);
    // The endpoint's stack once, in the workflow's words, not also as the change set call on its ARN.
    const mayRun = /May still be running in AWS: (.*)$/m.exec(stderr)?.[1] ?? "";
    expect(mayRun.match(/stack (\S*:stack\/)?ep-a-prod(?![\w-])/g), mayRun).toEqual(["stack ep-a-prod"]);
    expect(stderr).not.toMatch(/Nothing this command started is still running/);
    expect(stderr).toMatch(/To finish the job, run the same command again: npx mlops create-endpoint params\/ep-a.yaml --yes/);

    const rerun = await createThroughPipeline();
    expect(rerun.code, failure(rerun)).toBe(0);
    expect(rerun.stderr).toMatch(/Endpoint (ready|deployed)/);
    const stacks = await liveStacks();
    // One of each: no stack or pipeline made twice.
    for (const name of new Set(stacks))
      expect(
        stacks.filter((s) => s === name),
        name,
      ).toHaveLength(1);
    expect(stacks).toEqual(expect.arrayContaining(["ep-a-prod", "ep-a-prod-pipeline"]));
    const pipelines = (await aws.codePipeline.send(new ListPipelinesCommand({}))).pipelines ?? [];
    expect(pipelines.filter((p) => p.name === "ep-a-prod")).toHaveLength(1);
    // The re-run followed the execution the first run left running: no second one was started.
    const executions = (await aws.codePipeline.send(new ListPipelineExecutionsCommand({ pipelineName: "ep-a-prod" }))).pipelineExecutionSummaries ?? [];
    expect(executions).toHaveLength(1);
    expect(executions[0]?.status).toBe("Succeeded");
  }, 240_000);
});
