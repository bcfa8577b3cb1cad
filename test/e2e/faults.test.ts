/**
 * Faults that last seconds, as AWS brownouts and throttling do: a window of
 * HTML 503 pages, of throttling (HTTP 400 ThrottlingException and HTTP 429),
 * and of refused connections, opened in the middle of create, add, update and
 * teardown by a proxy in front of the emulator. Every command rides it out
 * (exit 0, one progress line) and leaves what a clean run leaves. A request
 * that is never answered is abandoned after the request timeout and retried.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { ListPipelinesCommand } from "@aws-sdk/client-codepipeline";
import { DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import { DescribeRepositoriesCommand, ListImagesCommand } from "@aws-sdk/client-ecr";
import { DescribeFileSystemsCommand } from "@aws-sdk/client-efs";
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { pushImage, pushWhenRepositoryExists, sdkClients } from "../helpers/aws.js";
import { failure, runMlops, type MlopsRun } from "../helpers/mlops.js";
import { startWindowProxy, type WindowFault, type WindowProxy } from "../helpers/servers.js";
import { startEmulator, type RunningEmulator } from "../setup/emulator-process.js";

let emulator: RunningEmulator | undefined;
let proxy: WindowProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await emulator?.stop();
  emulator = undefined;
});

/** What the account holds, counted the same way after every step. */
async function inventory(aws: ReturnType<typeof sdkClients>) {
  const stacks = ((await aws.cfn.send(new DescribeStacksCommand({}))).Stacks ?? []).filter((s) => s.StackStatus !== "DELETE_COMPLETE");
  const efsGroup = stacks.find((s) => s.StackName === "ep-a-prod")?.Outputs?.find((o) => o.OutputKey === "EfsSecurityGroupId")?.OutputValue;
  const nfsRules = efsGroup
    ? ((await aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [efsGroup] }))).SecurityGroups?.[0]?.IpPermissions ?? []).flatMap(
        (p) => p.UserIdGroupPairs ?? [],
      ).length
    : 0;
  const repositories = ((await aws.ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? []).map((r) => r.repositoryName ?? "").sort();
  const images: string[] = [];
  for (const repositoryName of repositories) {
    const ids = (await aws.ecr.send(new ListImagesCommand({ repositoryName }))).imageIds ?? [];
    images.push(...ids.map((i) => `${repositoryName}:${i.imageTag}`));
  }
  return {
    stacks: stacks.map((s) => `${s.StackName}:${s.StackStatus}:${s.Parameters?.find((p) => p.ParameterKey === "APITag")?.ParameterValue ?? "-"}`).sort(),
    pipelines: ((await aws.codePipeline.send(new ListPipelinesCommand({}))).pipelines ?? []).map((p) => p.name).sort(),
    repositories,
    images: images.sort(),
    fileSystems: ((await aws.efs.send(new DescribeFileSystemsCommand({}))).FileSystems ?? []).length,
    loadBalancers: ((await aws.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).length,
    targetGroups: ((await aws.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).length,
    nfsRules,
  };
}

type Inventory = Awaited<ReturnType<typeof inventory>>;

interface Step {
  name: string;
  args: string[];
  pushes: { repository: string; tag: string }[];
}

const steps: Step[] = [
  { name: "create", args: ["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes"], pushes: [{ repository: "ep-a-prod", tag: "v1" }] },
  { name: "add", args: ["add-endpoint", "params/ep-b.yaml", "--tag", "v1", "--yes"], pushes: [{ repository: "ep-b-prod", tag: "v1" }] },
  { name: "update", args: ["update", "params/ep-a.yaml", "--tag", "v2", "--yes"], pushes: [] },
  { name: "teardown", args: ["teardown", "--all", "--yes"], pushes: [] },
];

/** Runs the four commands; `beforeStep` may arm a fault. Returns each run and the inventory after it. */
async function sequence(endpointUrl: string, aws: ReturnType<typeof sdkClients>, beforeStep?: (step: Step) => void, env?: Record<string, string>) {
  const results: { step: string; run: MlopsRun; after: Inventory }[] = [];
  for (const step of steps) {
    if (step.name === "update") await pushImage(aws.ecr, "ep-a-prod", "v2");
    beforeStep?.(step);
    const controller = new AbortController();
    const pushing = Promise.all(step.pushes.map((p) => pushWhenRepositoryExists(aws.ecr, p.repository, p.tag, controller.signal)));
    const run = await runMlops(step.args, { endpointUrl, env });
    controller.abort();
    await pushing;
    results.push({ step: step.name, run, after: await inventory(aws) });
  }
  return results;
}

/** Requests into each command at which the window opens: past the first reads, inside the command's real work. */
const windowStartsAfter: Record<string, number> = { create: 12, add: 15, update: 5, teardown: 15 };

let clean: { step: string; after: Inventory }[];

describe("a 3 s fault window during create, add, update and teardown", () => {
  beforeAll(async () => {
    emulator = await startEmulator();
    const runs = await sequence(emulator.url, sdkClients(emulator.url));
    for (const r of runs) expect(r.run.code, `${r.step}: ${failure(r.run)}`).toBe(0);
    clean = runs.map(({ step, after }) => ({ step, after }));
    expect(clean[1]?.after.fileSystems).toBe(4);
    await emulator.stop();
    emulator = undefined;
  }, 180_000);

  const cases: { fault: WindowFault; line: RegExp }[] = [
    { fault: "server-unavailable", line: /AWS answered 503; retrying for up to 60 s\./ },
    { fault: "throttle", line: /AWS is throttling requests \((ThrottlingException|Throttling|HTTP 429)\); retrying for up to 60 s\./ },
    // A connection the kernel accepted just as the port closed is never answered: the request timeout ends it.
    {
      fault: "refuse",
      line: /(AWS refused the connection \(ECONNREFUSED\)|AWS dropped the connection \(\w+\)|AWS did not answer within 5 s); retrying for up to 60 s\./,
    },
  ];
  for (const { fault, line } of cases) {
    it(`${fault}: every command exits 0 and leaves the clean run's inventory`, async () => {
      emulator = await startEmulator();
      const aws = sdkClients(emulator.url);
      const faulty = await startWindowProxy(emulator.url);
      proxy = faulty;
      // A short request timeout keeps the test quick when a connection is caught half-open.
      const runs = await sequence(faulty.url, aws, (step) => faulty.arm(fault, windowStartsAfter[step.name] ?? 5, 3_000), { MLOPS_REQUEST_TIMEOUT: "5" });
      for (const r of runs) {
        expect(r.run.code, `${r.step}: ${failure(r.run)}`).toBe(0);
        expect(r.run.stderr, `${r.step}: ${failure(r.run)}`).toMatch(line);
      }
      expect(runs.map(({ step, after }) => ({ step, after }))).toEqual(clean);
      expect(faulty.stats.windows.map((w) => w.fault)).toEqual([fault, fault, fault, fault]);
      if (fault !== "refuse") expect(faulty.stats.injected[fault]).toBeGreaterThanOrEqual(4);
    }, 240_000);
  }
});

describe("a request that is never answered", () => {
  it("is abandoned after the request timeout and retried; the command succeeds", async () => {
    emulator = await startEmulator();
    const aws = sdkClients(emulator.url);
    const faulty = await startWindowProxy(emulator.url);
    proxy = faulty;
    faulty.arm("hold", 12, 0);
    const started = Date.now();
    const controller = new AbortController();
    const pushing = pushWhenRepositoryExists(aws.ecr, "ep-a-prod", "v1", controller.signal);
    const run = await runMlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes", "--request-timeout", "2"], { endpointUrl: faulty.url });
    controller.abort();
    await pushing;
    expect(run.code, failure(run)).toBe(0);
    expect(faulty.stats.injected.hold).toBe(1);
    expect(run.stderr).toMatch(/AWS did not answer within 2 s; retrying for up to 60 s\./);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect((await inventory(aws)).stacks).toContain("ep-a-prod:UPDATE_COMPLETE:v1");
  }, 120_000);

  it("Ctrl-C ends a request that is never answered at once: exit 130", async () => {
    emulator = await startEmulator();
    const faulty = await startWindowProxy(emulator.url);
    proxy = faulty;
    faulty.arm("hold", 3, 0);
    const bin = fileURLToPath(new URL("../../bin/mlops.js", import.meta.url));
    const child = spawn(process.execPath, [bin, "create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes"], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_REGION: "us-east-1",
        CI: "true",
        NO_COLOR: "1",
        MLOPS_ENDPOINT_URL: faulty.url,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await faulty.windowDone();
    // The request is held now (30 s default timeout); Ctrl-C must not wait for it.
    await new Promise((r) => setTimeout(r, 300));
    const interruptedAt = Date.now();
    child.kill("SIGINT");
    const code = await exited;
    expect(code, stderr).toBe(130);
    expect(Date.now() - interruptedAt).toBeLessThan(2_000);
    expect(stderr).toMatch(/Interrupted/);
  }, 60_000);
});
