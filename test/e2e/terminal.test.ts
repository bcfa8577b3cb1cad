/**
 * At a terminal (a pseudo-terminal driven by test/helpers/pty_run.py), against
 * the emulator behind a proxy that makes every call slow and records it:
 * one plan and one question before any change, `diff` that shows what changes
 * inside resources, and a Ctrl-C that stops making changes at once.
 *
 * "Mutating" is decided at the proxy from the AWS action each request names
 * (Create*, Update*, Delete*, Put*, Authorize*, Execute*, Request*, Add*, ...;
 * for REST services any method but GET/HEAD), so CreateChangeSet and
 * DeleteChangeSet count too: the plan reads the deployed template and
 * parameters instead of making a change set, and declining leaves nothing.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ListCertificatesCommand } from "@aws-sdk/client-acm";
import { DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ListProjectsCommand } from "@aws-sdk/client-codebuild";
import { ListPipelinesCommand } from "@aws-sdk/client-codepipeline";
import { DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import { DescribeRepositoriesCommand, ListImagesCommand, PutImageCommand } from "@aws-sdk/client-ecr";
import { DescribeFileSystemsCommand } from "@aws-sdk/client-efs";
import { DescribeListenerCertificatesCommand, DescribeLoadBalancersCommand, DescribeTargetGroupsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ListBucketsCommand } from "@aws-sdk/client-s3";
import { GetParametersByPathCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEmulator, startEmulator, type RunningEmulator } from "../setup/emulator-process.js";
import { sdkClients } from "../helpers/aws.js";
import { runMlops, type MlopsRun } from "../helpers/mlops.js";
import { seededRandom, startSlowProxy, type SeenRequest } from "../helpers/servers.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bin = fileURLToPath(new URL("../../bin/mlops.js", import.meta.url));
const driver = fileURLToPath(new URL("../helpers/pty_run.py", import.meta.url));

/** Slowness of each call at the proxy: enough for Ctrl-C to land between calls, short enough to keep the suite bounded. */
const MIN_DELAY_MS = 60;
const MAX_DELAY_MS = 160;
/** A request reaching the proxy this soon after Ctrl-C was sent before the command could see the signal (in flight). */
const IN_FLIGHT_GRACE_MS = 50;
const RUNS_PER_COMMAND = Number(process.env.MLOPS_INTERRUPT_RUNS ?? 5);
const SEED = Number(process.env.MLOPS_TEST_SEED ?? 20261129);

let emulator: RunningEmulator;
let aws: ReturnType<typeof sdkClients>;
let ssm: SSMClient;
let scratch: string;
/** ep-a with more memory and a higher maximum: an update that changes configuration and image. */
let biggerA: string;

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
  ssm = new SSMClient({ region: "us-east-1", endpoint: emulator.url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  scratch = mkdtempSync(join(tmpdir(), "mlops-terminal-"));
  biggerA = join(scratch, "ep-a.yaml");
  writeFileSync(biggerA, readFileSync(join(root, "params/ep-a.yaml"), "utf8").replace("memory: 2GB", "memory: 4GB").replace("max: 4", "max: 6"));
});
afterAll(async () => {
  await emulator?.stop();
});

interface TerminalRun {
  code: number;
  output: string;
  startedAt: number;
  interruptedAt: number | null;
  exitedAt: number;
  answered: boolean;
}

/** Runs mlops in a pseudo-terminal; answers the question with `answer`, or types Ctrl-C after `interruptAfterMs`. */
function runInTerminal(args: string[], options: { endpointUrl: string; answer?: string; prompt?: string; interruptAfterMs?: number }): Promise<TerminalRun> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && key !== "CI" && key !== "NO_COLOR") env[key] = value;
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
    MLOPS_ENDPOINT_URL: options.endpointUrl,
    TERM: "xterm",
  });
  delete env.AWS_PROFILE;
  const spec = {
    argv: [process.execPath, bin, ...args],
    env,
    cwd: root,
    answer: options.answer,
    prompt: options.prompt,
    interrupt_after_ms: options.interruptAfterMs,
    timeout_s: 120,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.MLOPS_PYTHON ?? "python3", [driver], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`pty driver failed (${code}): ${stderr}`));
      else resolve(JSON.parse(stdout) as TerminalRun);
    });
    child.stdin.end(JSON.stringify(spec));
  });
}

/** Pushes an image as soon as the repository exists (the pipeline's part), straight to the emulator. */
async function pushWhenReady(repositoryName: string, imageTag: string, signal: AbortSignal): Promise<void> {
  const imageManifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 2, digest: `sha256:${createHash("sha256").update(imageTag).digest("hex")}` },
    layers: [],
  });
  while (!signal.aborted) {
    try {
      await aws.ecr.send(new PutImageCommand({ repositoryName, imageTag, imageManifest }));
      return;
    } catch (error) {
      if ((error as Error).name === "ImageAlreadyExistsException") return;
      // The repository does not exist yet, or the emulator is busy creating the stack that makes it (it then answers 500).
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function withPushes<T>(pushes: [string, string][], work: () => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const pushing = Promise.all(pushes.map(([repo, tag]) => pushWhenReady(repo, tag, controller.signal)));
  try {
    return await work();
  } finally {
    controller.abort();
    await pushing;
  }
}

/** What exists in the account, counted; two runs that end alike have equal inventories. */
async function inventory() {
  const stacks = ((await aws.cfn.send(new DescribeStacksCommand({}))).Stacks ?? []).filter((s) => s.StackStatus !== "DELETE_COMPLETE");
  const param = (stack: string, key: string) => stacks.find((s) => s.StackName === stack)?.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
  const outputOf = (stack: string, key: string) => stacks.find((s) => s.StackName === stack)?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
  const efsGroup = outputOf("ep-a-prod", "EfsSecurityGroupId");
  const nfsRules = efsGroup
    ? ((await aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [efsGroup] }))).SecurityGroups?.[0]?.IpPermissions ?? []).flatMap(
        (p) => p.UserIdGroupPairs ?? [],
      ).length
    : 0;
  const listener = outputOf("ep-a-prod", "HttpsListenerArn");
  const listenerCertificates = listener
    ? ((await aws.elb.send(new DescribeListenerCertificatesCommand({ ListenerArn: listener }))).Certificates ?? []).length
    : 0;
  const repositories = ((await aws.ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? []).map((r) => r.repositoryName ?? "").sort();
  const images: Record<string, number> = {};
  for (const repositoryName of repositories) images[repositoryName] = ((await aws.ecr.send(new ListImagesCommand({ repositoryName }))).imageIds ?? []).length;
  return {
    stacks: stacks.map((s) => `${s.StackName}:${s.StackStatus}`).sort(),
    endpoints: ["ep-a-prod", "ep-b-prod"].map(
      (s) => `${s}:${param(s, "APITag") ?? "-"}:${param(s, "TaskRAM") ?? "-"}:${param(s, "DesiredCount") ?? "-"}:${param(s, "MaxContainers") ?? "-"}`,
    ),
    pipelines: ((await aws.codePipeline.send(new ListPipelinesCommand({}))).pipelines ?? []).map((p) => p.name).sort(),
    projects: ((await aws.codeBuild.send(new ListProjectsCommand({}))).projects ?? []).sort(),
    repositories,
    images,
    buckets: ((await aws.s3.send(new ListBucketsCommand({}))).Buckets ?? []).length,
    certificates: ((await aws.acm.send(new ListCertificatesCommand({}))).CertificateSummaryList ?? []).length,
    fileSystems: ((await aws.efs.send(new DescribeFileSystemsCommand({}))).FileSystems ?? []).length,
    // Names CloudFormation generates (a random suffix, a UUID) differ from run to run; what they name does not.
    logGroups: ((await aws.logs.send(new DescribeLogGroupsCommand({}))).logGroups ?? [])
      .map((g) => (g.logGroupName ?? "").replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, "<uuid>").replace(/-[A-Z0-9]{10,}$/, "-<suffix>"))
      .sort(),
    loadBalancers: ((await aws.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).length,
    targetGroups: ((await aws.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).length,
    nfsRules,
    listenerCertificates,
    // Leases still held on a base; a command that ended (declined, interrupted or done) holds none.
    leases: ((await ssm.send(new GetParametersByPathCommand({ Path: "/mlops/lease", Recursive: true }))).Parameters ?? []).map((p) => p.Name),
  };
}

function failure(run: MlopsRun | TerminalRun): string {
  return "output" in run ? `exit ${run.code}\n${run.output}` : `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}

/** A command of the sequence: how to prepare the account for it, and how to run it. */
interface Scenario {
  name: string;
  setup: () => Promise<void>;
  args: string[];
  pushes: [string, string][];
}

async function direct(args: string[], pushes: [string, string][] = []): Promise<void> {
  const run = await withPushes(pushes, () => runMlops([...args, "--yes"], { endpointUrl: emulator.url }));
  expect(run.code, failure(run)).toBe(0);
}

const createA = () => direct(["create-endpoint", "params/ep-a.yaml", "--tag", "v1"], [["ep-a-prod", "v1"]]);
const addB = () => direct(["add-endpoint", "params/ep-b.yaml", "--tag", "v1"], [["ep-b-prod", "v1"]]);

const scenarios: Scenario[] = [
  { name: "create-endpoint", setup: async () => {}, args: ["create-endpoint", "params/ep-a.yaml", "--tag", "v1"], pushes: [["ep-a-prod", "v1"]] },
  { name: "add-endpoint", setup: createA, args: ["add-endpoint", "params/ep-b.yaml", "--tag", "v1"], pushes: [["ep-b-prod", "v1"]] },
  {
    name: "update",
    setup: async () => {
      await createA();
      await withPushes([["ep-a-prod", "v2"]], async () => {});
    },
    args: ["update", "<bigger-a>", "--tag", "v2"],
    pushes: [],
  },
  {
    name: "teardown",
    setup: async () => {
      await createA();
      await addB();
    },
    args: ["teardown", "--all"],
    pushes: [],
  },
];

function argsOf(scenario: Scenario): string[] {
  return scenario.args.map((a) => (a === "<bigger-a>" ? biggerA : a));
}

async function withProxy<T>(random: () => number, work: (proxy: { url: string; requests: SeenRequest[] }) => Promise<T>): Promise<T> {
  const proxy = await startSlowProxy(emulator.url, { minDelayMs: MIN_DELAY_MS, maxDelayMs: MAX_DELAY_MS, random });
  try {
    return await work(proxy);
  } finally {
    await proxy.close();
  }
}

describe("one plan, one question", () => {
  it("declining the plan of create, add, update and teardown makes no mutating request and leaves the account as it was", async () => {
    await resetEmulator(emulator.url);
    const counts: Record<string, { requests: number; mutating: number; leaseCalls: number }> = {};
    const decline = async (name: string, args: string[], question: { prompt: string; answer: string } = { prompt: "[y/N]", answer: "n" }) => {
      const before = await inventory();
      const run = await withProxy(seededRandom(SEED), async (proxy) => {
        const result = await runInTerminal(args, { endpointUrl: proxy.url, ...question });
        counts[name] = {
          requests: proxy.requests.length,
          mutating: proxy.requests.filter((r) => r.mutating && !r.lease).length,
          leaseCalls: proxy.requests.filter((r) => r.mutating && r.lease).length,
        };
        // The lease on the base (Parameter Store, /mlops/lease/...) is taken and given back: it is counted apart, and the
        // inventory (which lists leases) shows that nothing of it remains.
        const mutating = proxy.requests.filter((r) => r.mutating && !r.lease).map((r) => r.action);
        expect(mutating, `${name}: ${mutating.join(", ")}\n${result.output}`).toEqual([]);
        return result;
      });
      expect(run.answered, failure(run)).toBe(true);
      expect(run.output).toMatch(/Plan for|Teardown in/);
      expect(run.output.split(question.prompt).length - 1, failure(run)).toBe(1);
      expect(run.code, failure(run)).toBe(1);
      expect(run.output).toMatch(/nothing was changed/i);
      expect(await inventory()).toEqual(before);
      return run;
    };

    const create = await decline("create-endpoint", ["create-endpoint", "params/ep-a.yaml", "--tag", "v1"]);
    // The plan names what will be made before anything is: certificate, stacks, pipeline, rule, rollout.
    expect(create.output).toMatch(/Certificate: request an ACM certificate for ep-a\.example\.com/);
    expect(create.output).toMatch(/Stack ep-a-prod: create \d+ resources/);
    expect(create.output).toMatch(/Pipeline ep-a-prod .*: create/);
    expect(create.output).toMatch(/Security group: let the endpoint's tasks reach EFS/);
    expect(create.output).toMatch(/Rollout: image v1 \(waits until it is in ECR\); 2 task\(s\)/);
    const followed = await decline("create-endpoint (pipeline)", ["create-endpoint", "params/ep-a.yaml"]);
    expect(followed.output).toMatch(/the tag the pipeline's first build pushes \(not known until the build runs\)/);

    await createA();
    const add = await decline("add-endpoint", ["add-endpoint", "params/ep-b.yaml", "--tag", "v1"]);
    expect(add.output).toMatch(/Load balancer: ep-a-prod \(\S+\) serves ep-b\.example\.com; it holds certificates 0\/25, rules 1\/100, target groups 1\/100/);
    expect(add.output).toMatch(/HTTPS listener of ep-a-prod: attach the certificate for ep-b\.example\.com/);
    await addB();
    await withPushes([["ep-a-prod", "v2"]], async () => {});
    const update = await decline("update", ["update", biggerA, "--tag", "v2"]);
    expect(update.output).toMatch(/Memory: 2048 -> 4096/);
    expect(update.output).toMatch(/Summary: configuration changed: max tasks 4 -> 6, memory 2048 -> 4096/);
    // A "y" typed out of habit does not delete a region: teardown --all wants the region or the number of endpoints.
    const teardown = await decline("teardown", ["teardown", "--all"], { prompt: "or the number of endpoints (2): ", answer: "y" });
    expect(teardown.output).toMatch(/1 image\(s\) in ECR ep-b-prod/);
    expect(teardown.output).toMatch(
      /This deletes the 2 endpoints above in us-east-1\. To confirm, type the region \(us-east-1\) or the number of endpoints \(2\)/,
    );
    expect(teardown.output).toMatch(/Cancelled: the answer was not us-east-1 or 2; nothing was changed/);
    expect(teardown.output).not.toMatch(/\[y\/N\]/);
    console.log(`declined plans (requests / mutating): ${JSON.stringify(counts)}`);
  }, 300_000);
});

describe("teardown --all at a terminal", () => {
  it("deletes once the user types the number of endpoints, and the help and the plan say the same of access logs", async () => {
    await resetEmulator(emulator.url);
    await createA();
    await addB();
    const run = await runInTerminal(["teardown", "--all"], { endpointUrl: emulator.url, prompt: "or the number of endpoints (2): ", answer: "2" });
    expect(run.answered, failure(run)).toBe(true);
    expect(run.code, failure(run)).toBe(0);
    expect(run.output.replace(/\s+/g, " ")).toMatch(/Access logs: S3 \S+ \(load balancer access logs\).* are kept \(pass --delete-data to delete them\)/);
    expect((await inventory()).stacks).toEqual([]);
    const help = await runMlops(["teardown", "--help"], { endpointUrl: emulator.url });
    expect(help.stdout.replace(/\s+/g, " ")).toMatch(
      /with its stacks and images; EFS data, log groups, access logs \(their S3 buckets\) and certificates are kept unless --delete-data/,
    );
    expect(help.stdout.replace(/\s+/g, " ")).toMatch(/at a terminal you type the region or the number of endpoints to confirm \(--yes for scripts\)/);
  }, 180_000);
});

describe("Ctrl-C at the question", () => {
  it("exits 130 at once, says nothing was changed, and makes no mutating request", async () => {
    await resetEmulator(emulator.url);
    await withProxy(seededRandom(SEED), async (proxy) => {
      // Ctrl-C typed at the prompt (the terminal is in raw mode while readline reads it).
      const run = await runInTerminal(["create-endpoint", "params/ep-a.yaml", "--tag", "v1"], { endpointUrl: proxy.url, answer: "\u0003" });
      expect(run.answered, failure(run)).toBe(true);
      expect(run.code, failure(run)).toBe(130);
      expect(run.output).toMatch(/Ctrl-C: stopping\. No new change will be started/);
      expect(run.output).toMatch(/Nothing this command started is still running in AWS/);
      expect(proxy.requests.filter((r) => r.mutating && !r.lease)).toEqual([]);
    });
    expect((await inventory()).stacks).toEqual([]);
    expect((await inventory()).leases).toEqual([]);
  }, 120_000);
});

describe("diff", () => {
  it("shows the property changes of an image change and a memory change, exits 3, and changes nothing", async () => {
    await resetEmulator(emulator.url);
    await createA();
    await withPushes([["ep-a-prod", "v2"]], async () => {});
    await withProxy(seededRandom(SEED), async (proxy) => {
      const run = await runMlops(["diff", biggerA, "--tag", "v2"], { endpointUrl: proxy.url });
      expect(run.code, failure(run)).toBe(3);
      expect(run.stderr).toMatch(/~ TaskDefinition \(AWS::ECS::TaskDefinition\)\s+<-- REPLACED because of ContainerDefinitions, Memory/);
      // The images stack's repository, by its URI (the stack holds no repository of its own).
      const uri = String.raw`\$\{AWS::AccountId\}\.dkr\.ecr\.\$\{AWS::Region\}\.\$\{AWS::URLSuffix\}/ep-a-prod`;
      expect(run.stderr).toMatch(new RegExp(String.raw`ContainerDefinitions\[0\]\.Image: ${uri}:v1 -> ${uri}:v2`));
      expect(run.stderr).toMatch(/Memory: 2048 -> 4096/);
      expect(run.stderr).toMatch(/MaxCapacity: 4 -> 6/);
      expect(run.stderr).toMatch(/Summary: image changed: v1 -> v2/);
      expect(proxy.requests.filter((r) => r.mutating && !r.lease)).toEqual([]);
    });
  }, 120_000);

  it("update applies a configuration change with the same tag and says what really changed", async () => {
    await resetEmulator(emulator.url);
    await createA();
    const run = await runMlops(["update", biggerA, "--tag", "v1", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    expect(run.stdout).toMatch(/ep-a-prod: configuration changed: max tasks 4 -> 6, memory 2048 -> 4096; image unchanged: v1/);
    expect((await inventory()).endpoints[0]).toBe("ep-a-prod:v1:4096:2:6");
    // What was applied is what the file says: nothing left to change.
    const same = await runMlops(["diff", biggerA], { endpointUrl: emulator.url });
    expect(same.code, failure(same)).toBe(0);
    expect(same.stderr).toMatch(/Stack ep-a-prod: no changes/);
    expect(same.stdout).toMatch(/ep-a-prod: no changes/);
  }, 120_000);
});

describe("Ctrl-C", () => {
  const random = seededRandom(SEED);
  const measured: { command: string; at: number; code: number; exitMs: number; afterSignal: number; inFlight: number; before: number }[] = [];

  afterAll(() => {
    console.log(`Ctrl-C runs (seed ${SEED}, ${MIN_DELAY_MS}-${MAX_DELAY_MS} ms per call): ${measured.length}`);
    for (const m of measured)
      console.log(
        `  ${m.command} at ${m.at} ms: exit ${m.code} after ${m.exitMs} ms; mutating requests before the signal: ${m.before}, after: ${m.afterSignal} (+${m.inFlight} in flight)`,
      );
  });

  for (const scenario of scenarios) {
    it(`${scenario.name}: no change starts after Ctrl-C, exit 130 within 2 s, and a re-run ends as an uninterrupted run`, async () => {
      // The reference: the same command, uninterrupted, through the same slow proxy.
      await resetEmulator(emulator.url);
      await scenario.setup();
      const reference = await withProxy(random, (proxy) =>
        withPushes(scenario.pushes, () => runInTerminal([...argsOf(scenario), "--yes"], { endpointUrl: proxy.url })),
      );
      expect(reference.code, failure(reference)).toBe(0);
      const duration = reference.exitedAt - reference.startedAt;
      const expected = await inventory();

      for (let i = 0; i < RUNS_PER_COMMAND; i++) {
        await resetEmulator(emulator.url);
        await scenario.setup();
        let at = Math.round((0.05 + 0.85 * random()) * duration);
        let run: TerminalRun | undefined;
        let requestsBefore = 0;
        // A run that ends before the chosen moment was not interrupted: start over, earlier.
        for (let attempt = 0; attempt < 4 && !run?.interruptedAt; attempt++) {
          if (run) {
            at = Math.round(at / 2);
            await resetEmulator(emulator.url);
            await scenario.setup();
          }
          run = await withProxy(random, async (proxy) => {
            const result = await withPushes(scenario.pushes, () =>
              runInTerminal([...argsOf(scenario), "--yes"], { endpointUrl: proxy.url, interruptAfterMs: at }),
            );
            if (result.interruptedAt === null) return result;
            const signalAt = result.interruptedAt;
            // Giving back the command's own lease is the one write allowed after Ctrl-C (counted apart).
            const late = proxy.requests.filter((r) => r.mutating && !r.lease && r.at > signalAt + IN_FLIGHT_GRACE_MS);
            const inFlight = proxy.requests.filter((r) => r.mutating && !r.lease && r.at > signalAt && r.at <= signalAt + IN_FLIGHT_GRACE_MS).length;
            const mutatingBefore = proxy.requests.filter((r) => r.mutating && !r.lease && r.at <= signalAt).length;
            requestsBefore = proxy.requests.filter((r) => r.at <= signalAt).length;
            measured.push({
              command: scenario.name,
              at,
              code: result.code,
              exitMs: Math.round(result.exitedAt - signalAt),
              afterSignal: late.length,
              inFlight,
              before: mutatingBefore,
            });
            expect(
              late.map((r) => r.action),
              `${scenario.name} at ${at} ms (seed ${SEED})\n${result.output}`,
            ).toEqual([]);
            return result;
          });
        }
        if (!run) throw new Error("no run");
        expect(run.interruptedAt, failure(run)).not.toBeNull();
        expect(run.code, `${scenario.name} at ${at} ms (seed ${SEED})\n${failure(run)}`).toBe(130);
        expect(run.exitedAt - (run.interruptedAt ?? 0)).toBeLessThanOrEqual(2000);
        // Before the AWS clients exist, Ctrl-C ends the process at once (by the signal): nothing can have changed.
        if (requestsBefore > 0) {
          expect(run.output).toMatch(/Ctrl-C: stopping\. No new change will be started/);
          // A signal that lands after the last step has finished has nothing left to finish.
          if (!/Interrupted after the work was done/.test(run.output)) expect(run.output).toMatch(/To finish the job, run the same command again: npx mlops /);
        }

        const rerun = await withPushes(scenario.pushes, () => runMlops([...argsOf(scenario), "--yes"], { endpointUrl: emulator.url }));
        expect(rerun.code, failure(rerun)).toBe(0);
        expect(await inventory(), `${scenario.name} interrupted at ${at} ms (seed ${SEED})\n${run.output}`).toEqual(expected);
      }
    }, 600_000);
  }
});
