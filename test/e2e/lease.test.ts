/**
 * Commands on one base never interleave: the real binary, several at once,
 * against the emulator through a proxy that slows every request down.
 */
import { execFile } from "node:child_process";
import { DescribeStacksCommand, UpdateStackCommand } from "@aws-sdk/client-cloudformation";
import { ListPipelinesCommand } from "@aws-sdk/client-codepipeline";
import { DescribeImagesCommand, DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import { GetParametersByPathCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import { fileURLToPath } from "node:url";
import { resetEmulator, startEmulator, type RunningEmulator } from "../setup/emulator-process.js";
import { pushImage, sdkClients, withPushes } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";
import { startSlowProxy } from "../helpers/slow-proxy.js";

let emulator: RunningEmulator;
let aws: ReturnType<typeof sdkClients>;
let ssm: SSMClient;

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
  ssm = new SSMClient({ region: "us-east-1", endpoint: emulator.url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
});
afterAll(async () => {
  await emulator?.stop();
});
beforeEach(async () => {
  await resetEmulator(emulator.url);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stacks() {
  return ((await aws.cfn.send(new DescribeStacksCommand({}))).Stacks ?? []).filter((s) => s.StackStatus !== "DELETE_COMPLETE");
}

async function leaseParameters(): Promise<string[]> {
  return ((await ssm.send(new GetParametersByPathCommand({ Path: "/mlops/lease", Recursive: true }))).Parameters ?? []).map((p) => p.Name ?? "");
}

async function runningTag(stackName: string): Promise<string | undefined> {
  return (await stacks()).find((s) => s.StackName === stackName)?.Parameters?.find((p) => p.ParameterKey === "APITag")?.ParameterValue;
}

/** What matters for consistency after teardown and add raced. */
async function account() {
  const live = await stacks();
  const repositories = ((await aws.ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? []).map((r) => r.repositoryName ?? "").sort();
  const imagesOfA = repositories.includes("ep-a-prod")
    ? ((await aws.ecr.send(new DescribeImagesCommand({ repositoryName: "ep-a-prod" }))).imageDetails ?? []).flatMap((i) => i.imageTags ?? [])
    : [];
  return {
    stacks: live.map((s) => `${s.StackName}:${s.StackStatus}`).sort(),
    pipelines: ((await aws.codePipeline.send(new ListPipelinesCommand({}))).pipelines ?? []).map((p) => p.name ?? "").sort(),
    repositories,
    imagesOfA,
    leases: await leaseParameters(),
  };
}

const createA = () =>
  withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () =>
    runMlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes"], { endpointUrl: emulator.url }),
  );

describe("teardown --all beside add-endpoint", () => {
  it("at random moments, always ends with the base and B both fully there, or both gone, and no success that did not last", async () => {
    const runs = Number(process.env.MLOPS_LEASE_RACE_RUNS ?? 10);
    const outcomes: string[] = [];
    const timings: string[] = [];
    let addDuration = 0;
    const leadMs = 3_000;
    for (let run = 0; run < runs; run++) {
      await resetEmulator(emulator.url);
      const t0 = Date.now();
      const a = await createA();
      timings.push(`create ${Date.now() - t0} ms`);
      // Until an add has been timed, one costs about what a create does.
      if (run === 0) addDuration = Date.now() - t0;
      expect(a.code, failure(a)).toBe(0);
      const proxy = await startSlowProxy(emulator.url, { latencyMs: 15 });
      try {
        // Teardown starts at a random moment from well before add starts to after add's last call.
        const span = addDuration * 1.1 + leadMs;
        const delay = Math.round(((run + Math.random()) / runs) * span - leadMs);
        const started = Date.now();
        const [add, teardown] = await withPushes(aws.ecr, [{ repository: "ep-b-prod", tag: "v1" }], () =>
          Promise.all([
            sleep(Math.max(0, -delay)).then(async () => {
              const addStarted = Date.now();
              const r = await runMlops(["add-endpoint", "params/ep-b.yaml", "--tag", "v1", "--yes"], { endpointUrl: proxy.url });
              if (r.code === 0) addDuration = Date.now() - addStarted;
              return r;
            }),
            sleep(Math.max(0, delay)).then(() => runMlops(["teardown", "--all", "--yes"], { endpointUrl: proxy.url })),
          ]),
        );
        timings.push(`race ${Date.now() - started} ms (add ${addDuration} ms)`);
        const state = await account();
        const allThere =
          ["ep-a-prod", "ep-a-prod-pipeline", "ep-b-prod", "ep-b-prod-pipeline"].every((name) =>
            state.stacks.some((s) => new RegExp(`^${name}:(CREATE|UPDATE)_COMPLETE$`).test(s)),
          ) &&
          ["ep-a-prod", "ep-b-prod"].every((p) => state.pipelines.includes(p)) &&
          state.imagesOfA.includes("v1");
        const allGone = state.stacks.length === 0 && state.pipelines.length === 0 && state.repositories.length === 0;
        const context = `run ${run}, teardown after ${delay} ms\n${JSON.stringify(state)}\nadd: ${failure(add)}\nteardown: ${failure(teardown)}`;
        expect(allThere || allGone, context).toBe(true);
        expect(state.leases, context).toEqual([]);
        if (teardown.code === 0) expect(allGone, context).toBe(true);
        else expect(allThere, context).toBe(true);
        if (add.code === 0 && allGone) {
          // Add's success was true when it was printed: teardown planned after it (waiting for it when they overlapped) and named B in its plan.
          expect(teardown.stderr, context).toMatch(/ep-b-prod: .*stack ep-b-prod \(added\)/);
        }
        if (add.code !== 0) {
          // Teardown came first (add waiting for it when they overlapped): add found no base and created nothing.
          expect(add.code, context).toBe(2);
          expect(add.stderr, context).toMatch(/no base endpoint ep-a-prod/);
        }
        const waited = /Waiting for (teardown --all|add-endpoint ep-b-prod)/.test(add.stderr + teardown.stderr);
        outcomes.push(`${add.code === 0 ? (allGone ? "add, then teardown" : "add only") : "teardown, then add refused"}${waited ? " (one waited)" : ""}`);
      } finally {
        await proxy.close();
      }
    }
    const counts = outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {});
    // Both orders happen, and runs overlapped (one command waited for the other's lease).
    const summary = `${JSON.stringify(counts)} ${timings.join(", ")}`;
    expect(
      outcomes.some((o) => o.startsWith("add, then")),
      summary,
    ).toBe(true);
    expect(
      outcomes.some((o) => o.startsWith("teardown, then")),
      summary,
    ).toBe(true);
    expect(outcomes.filter((o) => o.endsWith("(one waited)")).length, summary).toBeGreaterThanOrEqual(3);
    console.info(`teardown --all beside add-endpoint, ${runs} runs: ${JSON.stringify(counts)}; ${timings.join(", ")}`);
  }, 600_000);
});

describe("two runs on one base", () => {
  it("two create-endpoint runs for one endpoint: the second waits on the lease, then converges; both succeed", async () => {
    const proxy = await startSlowProxy(emulator.url, { latencyMs: 20 });
    try {
      const args = ["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes"];
      const [first, second] = await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () =>
        Promise.all([runMlops(args, { endpointUrl: proxy.url }), sleep(300).then(() => runMlops(args, { endpointUrl: proxy.url }))]),
      );
      expect(first.code, failure(first)).toBe(0);
      expect(second.code, failure(second)).toBe(0);
      expect([first.stderr, second.stderr].filter((e) => /Waiting for create-endpoint ep-a-prod by .+ since /.test(e))).toHaveLength(1);
      const state = await account();
      expect(state.stacks).toEqual(["ep-a-prod-images:CREATE_COMPLETE", "ep-a-prod-pipeline:CREATE_COMPLETE", "ep-a-prod:UPDATE_COMPLETE"]);
      expect(state.pipelines).toEqual(["ep-a-prod"]);
      expect(state.leases).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it("two updates at once: they take turns, and each success was printed while its tag ran", async () => {
    const a = await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () =>
      runMlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes", "--no-pipeline"], { endpointUrl: emulator.url }),
    );
    expect(a.code, failure(a)).toBe(0);
    await pushImage(aws.ecr, "ep-a-prod", "t2");
    await pushImage(aws.ecr, "ep-a-prod", "t3");
    const proxy = await startSlowProxy(emulator.url, { latencyMs: 20 });
    try {
      const [t2, t3] = await Promise.all([
        runMlops(["update", "params/ep-a.yaml", "--tag", "t2", "--yes"], { endpointUrl: proxy.url }),
        sleep(300).then(() => runMlops(["update", "params/ep-a.yaml", "--tag", "t3", "--yes"], { endpointUrl: proxy.url })),
      ]);
      expect(t2.code, failure(t2)).toBe(0);
      expect(t3.code, failure(t3)).toBe(0);
      // Whichever took the lease second waited for the first, then deployed: its tag is what runs.
      const [earlier, later, laterTag] = /Waiting for update ep-a-prod --tag t2/.test(t3.stderr) ? [t2, t3, "t3"] : [t3, t2, "t2"];
      expect(later.stderr, failure(later)).toMatch(/Waiting for update ep-a-prod --tag t[23] by /);
      expect(earlier.stderr).not.toMatch(/Waiting for/);
      expect(await runningTag("ep-a-prod")).toBe(laterTag);
      expect(later.stderr).toMatch(new RegExp(`Updating ep-a-prod: t[123] -> ${laterTag}`));
    } finally {
      await proxy.close();
    }
  });

  it("an update superseded by someone without mlops (no lease) says so and exits 1", async () => {
    const a = await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () =>
      runMlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes", "--no-pipeline"], { endpointUrl: emulator.url }),
    );
    expect(a.code, failure(a)).toBe(0);
    await pushImage(aws.ecr, "ep-a-prod", "t2");
    await pushImage(aws.ecr, "ep-a-prod", "t3");
    let executed = false;
    let superseded = false;
    // Right after mlops's stack update, another update (as the AWS CLI would make it) sets t3.
    const proxy = await startSlowProxy(emulator.url, {
      latencyMs: 5,
      onRequest: async (action) => {
        if (action.endsWith("ExecuteChangeSet")) executed = true;
        if (executed && !superseded && action.endsWith(".DescribeServices")) {
          superseded = true;
          const stack = (await stacks()).find((s) => s.StackName === "ep-a-prod")!;
          await aws.cfn.send(
            new UpdateStackCommand({
              StackName: "ep-a-prod",
              UsePreviousTemplate: true,
              Capabilities: ["CAPABILITY_IAM"],
              Parameters: (stack.Parameters ?? []).map((p) =>
                p.ParameterKey === "APITag" ? { ParameterKey: "APITag", ParameterValue: "t3" } : { ParameterKey: p.ParameterKey, UsePreviousValue: true },
              ),
            }),
          );
        }
      },
    });
    try {
      const update = await runMlops(["update", "params/ep-a.yaml", "--tag", "t2", "--yes"], { endpointUrl: proxy.url });
      expect(superseded, `${failure(update)}\n${JSON.stringify([...proxy.actions])}`).toBe(true);
      expect(update.code, failure(update)).toBe(1);
      expect(update.stderr).toMatch(/ep-a-prod was superseded by tag t3 from another update while this one ran: t2 is not what runs/);
      expect(update.stderr).not.toMatch(/Endpoint (ready|deployed)/);
      expect(await runningTag("ep-a-prod")).toBe("t3");
      expect(await leaseParameters()).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe("teardown refused", () => {
  it("by a stack mlops does not manage that imports the base: nothing is deleted, not the pipeline, not an image", async () => {
    const a = await createA();
    expect(a.code, failure(a)).toBe(0);
    await aws.cfn.send(
      new (await import("@aws-sdk/client-cloudformation")).CreateStackCommand({
        StackName: "someone-elses",
        TemplateBody: JSON.stringify({
          Resources: {
            Group: { Type: "AWS::EC2::SecurityGroup", Properties: { GroupDescription: "uses ep-a's VPC", VpcId: { "Fn::ImportValue": "ep-a-prod-VpcId" } } },
          },
        }),
      }),
    );
    const before = await account();
    const teardown = await runMlops(["teardown", "--all", "--yes"], { endpointUrl: emulator.url });
    expect(teardown.code, failure(teardown)).toBe(1);
    expect(teardown.stderr).toMatch(/Base endpoint ep-a-prod is used by someone-elses, which mlops does not manage; nothing was deleted/);
    expect(await account()).toEqual(before);
    expect(before.imagesOfA).toEqual(["v1"]);
    expect(before.pipelines).toEqual(["ep-a-prod"]);
  });
});

describe("the build's lease (buildspec/endpoint.yaml) against Parameter Store", () => {
  const spec = yaml.load(readFileSync(fileURLToPath(new URL("../../buildspec/endpoint.yaml", import.meta.url)), "utf8")) as {
    phases: Record<string, { commands: string[] }>;
  };
  const script = spec.phases.post_build!.commands.find((c) => c.includes("# ---- lease (begin)"))!;
  const block = script.slice(script.indexOf("# ---- lease (begin)"), script.indexOf("# ---- lease (end)"));

  /** Runs the buildspec's lease block with the AWS CLI: takes the lease, holds it until `release` resolves, gives it back. */
  function buildHoldingLease(release: Promise<void>, dir: string, env: Record<string, string> = {}) {
    const lines: string[] = [];
    const child = execFile(
      "bash",
      ["-c", `set -eo pipefail\n${block}\necho HELD\nwhile [ ! -e "$GO" ]; do /bin/sleep 0.1; done\nlease_release\necho RELEASED`],
      {
        env: {
          ...process.env,
          // The build polls every 10 s; here every 0.2 s.
          PATH: `${dir}:${process.env.PATH}`,
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
          AWS_DEFAULT_REGION: "us-east-1",
          AWS_ENDPOINT_URL: emulator.url,
          LEASE_SCOPE: "ep-a-prod",
          STACK_NAME: "ep-a-prod",
          IMAGE_TAG: "tag-abc",
          CODEBUILD_BUILD_ID: "ep-a-prod:1234",
          GO: `${dir}/go`,
          ...env,
        },
      },
    );
    child.stdout!.on("data", (d: Buffer) => lines.push(...d.toString().split("\n").filter(Boolean)));
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    void release.then(() => import("node:fs").then((fs) => fs.writeFileSync(`${dir}/go`, "")));
    const done = new Promise<number | null>((resolve) => child.on("exit", resolve));
    return { lines, done, stderr: () => stderr, child };
  }

  it("the build waits for mlops's lease and mlops for the build's, each naming the other", async () => {
    const { mkdtempSync, writeFileSync, chmodSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(`${tmpdir()}/mlops-lease-`);
    writeFileSync(`${dir}/sleep`, "#!/bin/sh\nexec /bin/sleep 0.2\n");
    chmodSync(`${dir}/sleep`, 0o755);
    const { SdkSsm } = await import("../../src/aws/sdk/ssm.js");
    const { acquireLease } = await import("../../src/deploy/lease.js");
    const { MemoryOutput } = await import("../fakes/output.js");
    const { systemClock } = await import("../../src/deploy/engine/clock.js");
    const out = new MemoryOutput();
    const deps = { ssm: new SdkSsm(ssm, { region: "us-east-1", endpointUrl: emulator.url }), out, clock: systemClock };
    const request = {
      holder: "alice@laptop (pid 7)",
      command: "update ep-b-prod --tag t2",
      waitTimeoutMs: 60_000,
      forceUnlock: false,
      heartbeatMs: 0,
      pollMs: 200,
    };

    // mlops holds the lease; the build waits, naming mlops's command.
    const held = await acquireLease("ep-a-prod", request, deps);
    let letGo!: () => void;
    const build = buildHoldingLease(new Promise<void>((r) => (letGo = r)), dir);
    while (!build.lines.some((l) => l.startsWith("Waiting for the lease on ep-a-prod"))) await sleep(100);
    expect(build.lines.find((l) => l.startsWith("Waiting"))).toMatch(/"command":"update ep-b-prod --tag t2"/);
    expect(build.lines).not.toContain("HELD");
    await held.release();
    while (!build.lines.includes("HELD")) await sleep(100);

    // The build holds it; mlops waits, naming the build.
    const waiting = acquireLease("ep-a-prod", request, deps);
    while (!out.lines.some((l) => l.startsWith("info: Waiting for"))) await sleep(100);
    expect(out.lines.find((l) => l.startsWith("info: Waiting for"))).toMatch(
      /Waiting for build deploying tag-abc to ep-a-prod by CodeBuild build ep-a-prod:1234 since /,
    );
    letGo();
    expect(await build.done, build.stderr()).toBe(0);
    const second = await waiting;
    await second.release();
    expect(await leaseParameters()).toEqual([]);
  });

  it("a build that mlops waits for (create-endpoint following the first build) skips its stack update instead of waiting", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(`${tmpdir()}/mlops-lease-`);
    const { SdkSsm } = await import("../../src/aws/sdk/ssm.js");
    const { acquireLease } = await import("../../src/deploy/lease.js");
    const { MemoryOutput } = await import("../fakes/output.js");
    const { systemClock } = await import("../../src/deploy/engine/clock.js");
    const deps = { ssm: new SdkSsm(ssm, { region: "us-east-1", endpointUrl: emulator.url }), out: new MemoryOutput(), clock: systemClock };
    const held = await acquireLease(
      "ep-a-prod",
      { holder: "alice", command: "create-endpoint ep-a-prod", waitTimeoutMs: 60_000, forceUnlock: false, heartbeatMs: 0 },
      deps,
    );
    await held.awaitBuildOf("ep-a-prod");
    const build = buildHoldingLease(new Promise<void>(() => undefined), dir);
    expect(await build.done, build.stderr()).toBe(0);
    expect(build.lines.join("\n")).toMatch(/The lease holder waits for this build and deploys tag-abc itself; not updating ep-a-prod/);
    expect(build.lines).not.toContain("HELD");
    await held.release();
  });

  it("a build killed while holding the lease (as CodeBuild kills one at its timeout: no trap runs) holds the base only until it has ended", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { ListBuildsForProjectCommand, BatchGetBuildsCommand } = await import("@aws-sdk/client-codebuild");
    const a = await createA();
    expect(a.code, failure(a)).toBe(0);
    // The pipeline's first build runs until its image is pushed (the emulator's build).
    const buildId = (await aws.codeBuild.send(new ListBuildsForProjectCommand({ projectName: "ep-a-prod" }))).ids?.[0] ?? "";
    const running = (await aws.codeBuild.send(new BatchGetBuildsCommand({ ids: [buildId] }))).builds?.[0];
    expect(running?.buildStatus).toBe("IN_PROGRESS");

    const dir = mkdtempSync(`${tmpdir()}/mlops-lease-`);
    const holder = buildHoldingLease(new Promise<void>(() => undefined), dir, { CODEBUILD_BUILD_ID: buildId });
    while (!holder.lines.includes("HELD")) await sleep(100);
    holder.child.kill("SIGKILL");
    await holder.done;
    expect(await leaseParameters()).toEqual(["/mlops/lease/ep-a-prod/0000000001"]);

    // While the build runs, its lease is waited for.
    const waiting = await runMlops(["--lock-timeout", "0.05", "update", "params/ep-a.yaml", "--tag", "v1", "--yes"], { endpointUrl: emulator.url });
    expect(waiting.code, failure(waiting)).toBe(1);
    expect(waiting.stderr).toMatch(new RegExp(`Gave up after 3 s waiting for build deploying tag-abc to ep-a-prod by CodeBuild build ${buildId}`));

    // Once it has ended, the next command takes its lease over at once, and says so.
    await pushImage(aws.ecr, "ep-a-prod", `tag-${running?.resolvedSourceVersion}`);
    const update = await runMlops(["--lock-timeout", "0.05", "update", "params/ep-a.yaml", "--tag", "v1", "--yes"], { endpointUrl: emulator.url });
    expect(update.code, failure(update)).toBe(0);
    expect(update.stderr).toMatch(
      new RegExp(
        `Took over the lease of build deploying tag-abc to ep-a-prod by CodeBuild build ${buildId} since .* on ep-a-prod: that build has ended \\(SUCCEEDED\\)`,
      ),
    );
    expect(update.stderr).not.toMatch(/Waiting for/);
    expect(await leaseParameters()).toEqual([]);
  });
});

describe("lease flags and ways out", () => {
  it("a live lease makes a command wait, then fail after --lock-timeout with exit 1; --force-unlock breaks it; errors and Ctrl-C give it back", async () => {
    const a = await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () =>
      runMlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes", "--no-pipeline"], { endpointUrl: emulator.url }),
    );
    expect(a.code, failure(a)).toBe(0);
    const { PutParameterCommand } = await import("@aws-sdk/client-ssm");
    const claim = {
      holder: "ghost@gone (pid 1)",
      command: "update ep-a-prod --tag t9",
      since: "2026-01-01T00:00:00.000Z",
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    };
    await ssm.send(new PutParameterCommand({ Name: "/mlops/lease/ep-a-prod/0000000001", Value: JSON.stringify(claim), Type: "String" }));
    await pushImage(aws.ecr, "ep-a-prod", "t2");

    const timedOut = await runMlops(["--lock-timeout", "0.05", "update", "params/ep-a.yaml", "--tag", "t2", "--yes"], { endpointUrl: emulator.url });
    expect(timedOut.code, failure(timedOut)).toBe(1);
    expect(timedOut.stderr).toMatch(/Waiting for update ep-a-prod --tag t9 by ghost@gone \(pid 1\) since 2026-01-01T00:00:00.000Z/);
    expect(timedOut.stderr).toMatch(/Gave up after 3 s waiting for update ep-a-prod --tag t9/);
    expect(timedOut.stderr).toMatch(/--force-unlock/);
    expect(await runningTag("ep-a-prod")).toBe("v1");

    const badTimeout = await runMlops(["--lock-timeout", "soon", "update", "params/ep-a.yaml", "--tag", "t2", "--yes"], { endpointUrl: emulator.url });
    expect(badTimeout.code, failure(badTimeout)).toBe(2);
    expect(badTimeout.stderr).toMatch(/--lock-timeout/);

    const forced = await runMlops(["--force-unlock", "update", "params/ep-a.yaml", "--tag", "t2", "--yes"], { endpointUrl: emulator.url });
    expect(forced.code, failure(forced)).toBe(0);
    expect(forced.stderr).toMatch(/Broke the lease of update ep-a-prod --tag t9 by ghost@gone \(pid 1\)/);
    expect(await runningTag("ep-a-prod")).toBe("t2");
    expect(await leaseParameters()).toEqual([]);

    // An error inside the lease gives it back.
    const missing = await runMlops(["update", "params/ep-a.yaml", "--tag", "not-pushed", "--yes"], { endpointUrl: emulator.url });
    expect(missing.code, failure(missing)).toBe(2);
    expect(await leaseParameters()).toEqual([]);

    // So does Ctrl-C (exit 130) while waiting for an image.
    const { spawn } = await import("node:child_process");
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL("../../bin/mlops.js", import.meta.url)), "create-endpoint", "params/ep-a.yaml", "--tag", "late", "--yes", "--no-pipeline"],
      {
        cwd: fileURLToPath(new URL("../..", import.meta.url)),
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
          AWS_REGION: "us-east-1",
          CI: "true",
          MLOPS_ENDPOINT_URL: emulator.url,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    let heldWhileWaiting: string[] = [];
    let interrupting = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        // One Ctrl-C: a second one stops at once, without giving the lease back (it then expires).
        if (!interrupting && stderr.includes("Waiting for image")) {
          interrupting = true;
          void leaseParameters().then((names) => {
            heldWhileWaiting = names;
            child.kill("SIGINT");
          });
        }
      });
      child.on("exit", (c) => resolve(c));
    });
    expect(code, stderr).toBe(130);
    expect(heldWhileWaiting).toEqual(["/mlops/lease/ep-a-prod/0000000001"]);
    expect(await leaseParameters()).toEqual([]);
  });
});

describe("Ctrl-C while AWS answers slowly", () => {
  const late = (): Promise<void> => new Promise((r) => setTimeout(r, 1_200));
  /** Interrupts `create-endpoint --tag late` (waiting for its image) through `proxyUrl`, calling `onSignal` just before the signal. */
  async function interruptWhileWaitingForImage(proxyUrl: string, onSignal: () => void) {
    const { spawn } = await import("node:child_process");
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL("../../bin/mlops.js", import.meta.url)), "create-endpoint", "params/ep-a.yaml", "--tag", "late", "--yes", "--no-pipeline"],
      {
        cwd: fileURLToPath(new URL("../..", import.meta.url)),
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
          AWS_REGION: "us-east-1",
          CI: "true",
          NO_COLOR: "1",
          MLOPS_ENDPOINT_URL: proxyUrl,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    let signalAt = 0;
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        if (!signalAt && stderr.includes("Waiting for image")) {
          onSignal();
          signalAt = Date.now();
          child.kill("SIGINT");
        }
      });
      child.on("exit", (c) => resolve(c));
    });
    return { code, stderr, pid: child.pid, exitMs: Date.now() - signalAt };
  }

  /** Runs the same command again (its image now there), directly: it must not wait for the interrupted run's lease. */
  async function rerun() {
    await pushImage(aws.ecr, "ep-a-prod", "late");
    const started = Date.now();
    // A wait for the lease would outlast this --lock-timeout (6 s) and fail.
    const run = await runMlops(["--lock-timeout", "0.1", "create-endpoint", "params/ep-a.yaml", "--tag", "late", "--yes", "--no-pipeline"], {
      endpointUrl: emulator.url,
    });
    return { ...run, ms: Date.now() - started };
  }

  it("answers 1.2 s late after the signal: exit 130 within the second, and the re-run does not wait for the lease", async () => {
    const a = await createA();
    expect(a.code, failure(a)).toBe(0);
    let slow = false;
    const afterSignal: string[] = [];
    const proxy = await startSlowProxy(emulator.url, {
      latencyMs: 0,
      onRequest: (action) => {
        if (!slow) return undefined;
        afterSignal.push(action);
        return late();
      },
    });
    try {
      const interrupted = await interruptWhileWaitingForImage(proxy.url, () => (slow = true));
      expect(interrupted.code, interrupted.stderr).toBe(130);
      expect(interrupted.exitMs, interrupted.stderr).toBeLessThanOrEqual(1_500);
      // The give-back is one call, sent at once: no listing first.
      expect(
        afterSignal.filter((action) => action.startsWith("AmazonSSM.")),
        interrupted.stderr,
      ).toEqual(["AmazonSSM.DeleteParameter"]);
      const again = await rerun();
      expect(again.code, failure(again)).toBe(0);
      expect(again.stderr).not.toMatch(/Waiting for create-endpoint/);
      expect(await leaseParameters()).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it("a give-back that never gets through: the summary says the lease was left and what the next run does; the next run on this host takes it over at once", async () => {
    const a = await createA();
    expect(a.code, failure(a)).toBe(0);
    let slow = false;
    const proxy = await startSlowProxy(emulator.url, {
      latencyMs: 0,
      // After the signal, answers come 1.2 s late, and the lease's DeleteParameter never reaches AWS.
      onRequest: (action) => (slow ? (action === "AmazonSSM.DeleteParameter" ? new Promise<void>(() => undefined) : late()) : undefined),
    });
    try {
      const interrupted = await interruptWhileWaitingForImage(proxy.url, () => (slow = true));
      expect(interrupted.code, interrupted.stderr).toBe(130);
      expect(interrupted.exitMs, interrupted.stderr).toBeLessThanOrEqual(1_500);
      expect(interrupted.stderr).toMatch(
        /The lease on ep-a-prod may not have been given back .*The next mlops command on this host takes it over at once.*--force-unlock/,
      );
      expect(interrupted.stderr).not.toMatch(/ssm\.deleteParameter/);
      expect(await leaseParameters()).toEqual(["/mlops/lease/ep-a-prod/0000000001"]);
      const again = await rerun();
      expect(again.code, failure(again)).toBe(0);
      expect(again.stderr).not.toMatch(/Waiting for create-endpoint/);
      expect(again.stderr).toMatch(
        new RegExp(
          `Took over the lease of create-endpoint ep-a-prod by .*\\(pid ${interrupted.pid}\\).*: its process \\(pid ${interrupted.pid}\\) no longer runs on this host`,
        ),
      );
      expect(again.ms).toBeLessThan(30_000);
      expect(await leaseParameters()).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
