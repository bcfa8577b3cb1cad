/**
 * The pipeline build holds its lease for the whole rollout it starts, however
 * long: the buildspec's lease and rollout-wait blocks, run with the AWS CLI
 * against the emulator's Parameter Store and CloudFormation, with short
 * settable times (UPDATE_POLL_SECONDS, LEASE_CLAIM_SECONDS, LEASE_RENEW_SECONDS)
 * in place of the build's 30 s polls and 95-minute claim, beside mlops taking
 * the same lease. The emulator completes an ECS rollout at once; a real one
 * keeps the stack UPDATE_IN_PROGRESS for its bake times, which a wrapper of
 * the `aws` program stands for while the test says the rollout runs.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateStackCommand, UpdateStackCommand } from "@aws-sdk/client-cloudformation";
import { GetParametersByPathCommand, SSMClient } from "@aws-sdk/client-ssm";
import yaml from "js-yaml";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SdkSsm } from "../../src/aws/sdk/ssm.js";
import { codeBuildProject } from "../../src/deploy/steps/pipeline.js";
import { systemClock } from "../../src/deploy/engine/clock.js";
import { acquireLease } from "../../src/deploy/lease.js";
import { loadEndpointConfig } from "../../src/params/load.js";
import { MemoryOutput } from "../fakes/output.js";
import { sdkClients } from "../helpers/aws.js";
import { resetEmulator, startEmulator, type RunningEmulator } from "../setup/emulator-process.js";

let emulator: RunningEmulator;
let aws: ReturnType<typeof sdkClients>;
let ssm: SSMClient;
let dir = "";

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
  ssm = new SSMClient({ region: "us-east-1", endpoint: emulator.url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  dir = mkdtempSync(join(tmpdir(), "mlops-build-wait-"));
  // Answers UPDATE_IN_PROGRESS to the build's status polls while $ROLLING exists; the rest goes to the AWS CLI.
  writeFileSync(
    join(dir, "aws"),
    `#!/usr/bin/env bash
if [[ "$1 $2" == "cloudformation describe-stacks" && "$*" == *"Stacks[0].StackStatus --output"* && -e "$ROLLING" ]]; then
  echo UPDATE_IN_PROGRESS
  exit 0
fi
PATH=\${PATH#*:} exec aws "$@"
`,
  );
  chmodSync(join(dir, "aws"), 0o755);
});
afterAll(async () => {
  await emulator?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await resetEmulator(emulator.url);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const spec = yaml.load(readFileSync(fileURLToPath(new URL("../../buildspec/endpoint.yaml", import.meta.url)), "utf8")) as {
  phases: Record<string, { commands: string[] }>;
};
const script = spec.phases.post_build!.commands.find((c) => c.includes("# ---- lease (begin)"))!;
const between = (begin: string, end: string) => script.slice(script.indexOf(begin), script.indexOf(end));
const leaseBlock = between("# ---- lease (begin)", "# ---- lease (end)");
const waitBlock = between("# ---- rollout wait (begin)", "# ---- rollout wait (end)");

// A 95-minute claim renewed every 10 minutes, polled every 30 s, here in seconds (under load an AWS CLI call can take seconds).
const CLAIM_SECONDS = 24;
const TIMES = { UPDATE_POLL_SECONDS: "1", LEASE_CLAIM_SECONDS: String(CLAIM_SECONDS), LEASE_RENEW_SECONDS: "4" };

/** The ROLLOUT_WAIT_MINUTES mlops sets on the project of a canary endpoint with the longest rollout AWS allows (33 hours of bake). */
async function longestCanaryWaitMinutes(): Promise<string> {
  const loaded = await loadEndpointConfig("params/ep-a.yaml");
  const pipeline = {
    connectionArn: "arn:aws:codeconnections:us-east-1:123456789012:connection/x",
    repository: "o/r",
    branch: "main",
    dockerContext: ".",
    dockerfile: "Dockerfile",
    baseImageRegistries: [],
    computeType: "BUILD_GENERAL1_MEDIUM" as const,
    buildArgs: {},
  };
  const config = { ...loaded, pipeline, rollout: { ...loaded.rollout, strategy: "canary" as const, bakeMinutes: 1440, canaryBakeMinutes: 540 } };
  const project = codeBuildProject(
    config,
    { ecrRepositoryName: "ep-a-prod", ecrRepositoryUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/ep-a-prod" },
    "arn:aws:iam::123456789012:role/build",
    [],
  );
  return project.environment.environmentVariables.find((v) => v.name === "ROLLOUT_WAIT_MINUTES")!.value;
}

/** The build after its `update-stack`: takes the lease, waits for the rollout, gives the lease back. */
function buildWaitingForRollout(rolling: string, rolloutWaitMinutes: string) {
  const lines: string[] = [];
  const child = spawn(
    "bash",
    [
      "-c",
      `set -eo pipefail\n${leaseBlock}\necho HELD\n${waitBlock}\nwait_for_update || exit 1\nif [[ -n "$LEASE_LOST" ]]; then exit 1; fi\nlease_release\necho RELEASED`,
    ],
    {
      env: {
        ...process.env,
        PATH: `${dir}:${process.env.PATH}`,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_ENDPOINT_URL: emulator.url,
        LEASE_SCOPE: "ep-a-prod",
        STACK_NAME: "ep-a-prod",
        IMAGE_TAG: "tag-abc",
        CODEBUILD_BUILD_ID: "ep-a-prod:1234",
        ROLLING: rolling,
        ROLLOUT_WAIT_MINUTES: rolloutWaitMinutes,
        ...TIMES,
      },
      detached: true,
    },
  );
  child.stdout.on("data", (d: Buffer) => lines.push(...d.toString().split("\n").filter(Boolean)));
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { lines, done, stderr: () => stderr, kill: () => process.kill(-child.pid!, "SIGKILL") };
}

/** The lease's generations: name and expiry (epoch seconds). */
async function leaseNow(): Promise<{ name: string; expiresAt: number }[]> {
  const found = (await ssm.send(new GetParametersByPathCommand({ Path: "/mlops/lease/ep-a-prod" }))).Parameters ?? [];
  return found.map((p) => ({ name: p.Name ?? "", expiresAt: Number(JSON.parse(p.Value ?? "{}").expiresAt) }));
}

/** A stack for the build to update: the emulator completes the update itself at once. */
async function updatedStack(): Promise<void> {
  const template = (value: string) =>
    JSON.stringify({ Resources: { Marker: { Type: "AWS::SSM::Parameter", Properties: { Name: "/mlops-test/marker", Type: "String", Value: value } } } });
  await aws.cfn.send(new CreateStackCommand({ StackName: "ep-a-prod", TemplateBody: template("v1") }));
  await aws.cfn.send(new UpdateStackCommand({ StackName: "ep-a-prod", TemplateBody: template("v2") }));
}

const mlopsDeps = (out: MemoryOutput) => ({ ssm: new SdkSsm(ssm, { region: "us-east-1", endpointUrl: emulator.url }), out, clock: systemClock });
const mlopsRequest = {
  holder: "alice@laptop (pid 7)",
  command: "update ep-a-prod --tag t2",
  waitTimeoutMs: 10 * 60_000,
  forceUnlock: false,
  heartbeatMs: 0,
  pollMs: 500,
};

describe("the build's lease through a long rollout (emulator)", () => {
  it("a canary build with the longest rollout AWS allows holds its lease past several claims, renewing it; mlops waits for it, then takes it", async () => {
    await updatedStack();
    const rolling = join(dir, "rolling-1");
    writeFileSync(rolling, "");
    const waitMinutes = await longestCanaryWaitMinutes();
    expect(Number(waitMinutes)).toBeGreaterThan(33 * 60);
    const build = buildWaitingForRollout(rolling, waitMinutes);
    while (!build.lines.includes("HELD")) {
      expect(build.stderr()).toBe("");
      await sleep(100);
    }

    const out = new MemoryOutput();
    let takenAt = 0;
    const taking = acquireLease("ep-a-prod", mlopsRequest, mlopsDeps(out)).then((held) => {
      takenAt = Date.now();
      return held;
    });

    // The rollout goes on for three claims: the lease is live at every look, and moves forward.
    const rolloutEnds = Date.now() + 3 * CLAIM_SECONDS * 1000;
    const expiries = new Set<number>();
    while (Date.now() < rolloutEnds) {
      const [lease, ...more] = await leaseNow();
      expect(more).toEqual([]);
      expect(lease!.name).toBe("/mlops/lease/ep-a-prod/0000000001");
      expect(lease!.expiresAt * 1000).toBeGreaterThan(Date.now());
      expiries.add(lease!.expiresAt);
      expect(takenAt).toBe(0);
      await sleep(1000);
    }
    expect(expiries.size).toBeGreaterThanOrEqual(3);
    expect(out.lines.find((l) => l.startsWith("info: Waiting for"))).toMatch(
      /Waiting for build deploying tag-abc to ep-a-prod by CodeBuild build ep-a-prod:1234 since /,
    );

    rmSync(rolling);
    expect(await build.done, build.stderr()).toBe(0);
    expect(build.lines).toContain("RELEASED");
    const held = await taking;
    expect(takenAt).toBeGreaterThanOrEqual(rolloutEnds);
    // Given back, not expired: no take-over.
    expect(out.lines.filter((l) => l.startsWith("warn:"))).toEqual([]);
    await held.release();
  }, 300_000);

  it("a build killed mid-rollout: its lease expires after its claim, and the next command says when and that a rollout may still be running", async () => {
    await updatedStack();
    const rolling = join(dir, "rolling-2");
    writeFileSync(rolling, "");
    const build = buildWaitingForRollout(rolling, "60");
    while (!build.lines.includes("HELD")) await sleep(100);
    // Killed after its first renewal (a build timeout, a stopped build).
    const first = (await leaseNow())[0]!.expiresAt;
    while ((await leaseNow())[0]!.expiresAt === first) await sleep(500);
    build.kill();
    await build.done;
    const expiresAt = (await leaseNow())[0]!.expiresAt;

    const out = new MemoryOutput();
    const held = await acquireLease("ep-a-prod", mlopsRequest, mlopsDeps(out));
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt * 1000);
    expect(out.lines).toContain(
      `warn: ${"Took over the expired lease of build deploying tag-abc to ep-a-prod by CodeBuild build ep-a-prod:1234 since "}${out.lines.join("").match(/since (\S+) on ep-a-prod/)?.[1]} on ep-a-prod: it expired at ${new Date(expiresAt * 1000).toISOString()} without being given back. Its holder was a pipeline build: the stack update it started may still be rolling out (check with mlops status; the build's log tells why it stopped).`,
    );
    await held.release();
    rmSync(rolling);
  }, 300_000);
});
