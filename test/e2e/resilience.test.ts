/**
 * When things go wrong: injected faults, Ctrl-C, missing credentials and
 * concurrent runs. Each test ends in a state a re-run recovers from.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { ListPipelinesCommand } from "@aws-sdk/client-codepipeline";
import { DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import { DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import { DescribeFileSystemsCommand } from "@aws-sdk/client-efs";
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator } from "../setup/emulator-process.js";
import { sdkClients, withPushes } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";
import { startCountingServer, startFaultProxy } from "../helpers/servers.js";

let emulator: { url: string; stop(): Promise<void> };
let aws: ReturnType<typeof sdkClients>;

beforeEach(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
});
afterEach(async () => {
  await emulator?.stop();
});

/** What the sequence leaves behind, counted. */
async function inventory() {
  const stacks = ((await aws.cfn.send(new DescribeStacksCommand({}))).Stacks ?? []).filter((s) => s.StackStatus !== "DELETE_COMPLETE");
  const efsGroup = stacks.find((s) => s.StackName === "ep-a-prod")?.Outputs?.find((o) => o.OutputKey === "EfsSecurityGroupId")?.OutputValue;
  const nfsRules = efsGroup
    ? ((await aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [efsGroup] }))).SecurityGroups?.[0]?.IpPermissions ?? []).flatMap(
        (p) => p.UserIdGroupPairs ?? [],
      ).length
    : 0;
  return {
    stacks: stacks.map((s) => `${s.StackName}:${s.StackStatus}`).sort(),
    pipelines: ((await aws.codePipeline.send(new ListPipelinesCommand({}))).pipelines ?? []).map((p) => p.name).sort(),
    repositories: ((await aws.ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? []).map((r) => r.repositoryName).sort(),
    fileSystems: ((await aws.efs.send(new DescribeFileSystemsCommand({}))).FileSystems ?? []).length,
    loadBalancers: ((await aws.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).length,
    targetGroups: ((await aws.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).length,
    nfsRules,
  };
}

describe("faults", () => {
  it("the sequence through a proxy that throttles, fails and drops requests ends as without faults", async () => {
    const proxy = await startFaultProxy(emulator.url, 4);
    try {
      const a = await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () =>
        runMlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes"], { endpointUrl: proxy.url }),
      );
      expect(a.code, failure(a)).toBe(0);
      const b = await withPushes(aws.ecr, [{ repository: "ep-b-prod", tag: "v1" }], () =>
        runMlops(["add-endpoint", "params/ep-b.yaml", "--tag", "v1", "--yes"], { endpointUrl: proxy.url }),
      );
      expect(b.code, failure(b)).toBe(0);
      const faulted = await inventory();
      expect(proxy.stats.faults.throttle + proxy.stats.faults["server-error"] + proxy.stats.faults.drop).toBeGreaterThan(20);

      // The same sequence on a second emulator without faults is the reference.
      await emulator.stop();
      emulator = await startEmulator();
      aws = sdkClients(emulator.url);
      await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () =>
        runMlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes"], { endpointUrl: emulator.url }),
      );
      await withPushes(aws.ecr, [{ repository: "ep-b-prod", tag: "v1" }], () =>
        runMlops(["add-endpoint", "params/ep-b.yaml", "--tag", "v1", "--yes"], { endpointUrl: emulator.url }),
      );
      expect(faulted).toEqual(await inventory());
      expect(faulted.fileSystems).toBe(4);
    } finally {
      await proxy.close();
    }
  });
});

describe("interruption", () => {
  it("Ctrl-C while waiting for the image exits 130, says what to do, and a re-run finishes", async () => {
    const bin = fileURLToPath(new URL("../../bin/mlops.js", import.meta.url));
    const child = spawn(process.execPath, [bin, "create-endpoint", "params/ep-a.yaml", "--tag", "late", "--yes"], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      env: { ...process.env, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1", CI: "true", MLOPS_ENDPOINT_URL: emulator.url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let interrupted = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        if (!interrupted && stderr.includes("Waiting for image")) {
          interrupted = true;
          child.kill("SIGINT");
        }
      });
      child.on("exit", (c) => resolve(c));
    });
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/Interrupted/);
    expect(stderr).toMatch(/run the same command again/i);
    const rerun = await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "late" }], () =>
      runMlops(["create-endpoint", "params/ep-a.yaml", "--tag", "late", "--yes"], { endpointUrl: emulator.url }),
    );
    expect(rerun.code, failure(rerun)).toBe(0);
    expect((await inventory()).stacks).toContain("ep-a-prod:UPDATE_COMPLETE");
  });
});

describe("credentials", () => {
  it("missing credentials get a one-line explanation, exit 1, no stack trace", async () => {
    const counter = await startCountingServer();
    try {
      const home = mkdtempSync(join(tmpdir(), "mlops-home-"));
      const run = await runMlops(["status"], {
        endpointUrl: counter.url,
        env: {
          AWS_ACCESS_KEY_ID: "",
          AWS_SECRET_ACCESS_KEY: "",
          HOME: home,
          AWS_CONFIG_FILE: join(home, "config"),
          AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
          AWS_EC2_METADATA_DISABLED: "true",
        },
      });
      expect(run.code, failure(run)).toBe(1);
      expect(run.stderr).toMatch(/credentials/i);
      expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expect(run.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
    } finally {
      await counter.close();
    }
  });
});

describe("concurrency", () => {
  it("five add-endpoint runs at once against one base get distinct priorities", async () => {
    const a = await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () =>
      runMlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes", "--no-pipeline"], { endpointUrl: emulator.url }),
    );
    expect(a.code, failure(a)).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), "mlops-concurrent-"));
    const template = readFileSync(fileURLToPath(new URL("../../params/ep-b.yaml", import.meta.url)), "utf8");
    const names = [1, 2, 3, 4, 5].map((i) => `ep-c${i}`);
    const files = names.map((name) => {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, template.replace(/^project: .*$/m, `project: ${name}`).replace(/ep-b\.example\.com/g, `${name}.example.com`));
      return file;
    });
    const runs = await withPushes(
      aws.ecr,
      names.map((n) => ({ repository: `${n}-prod`, tag: "v1" })),
      () => Promise.all(files.map((file) => runMlops(["add-endpoint", file, "--tag", "v1", "--yes", "--no-pipeline"], { endpointUrl: emulator.url }))),
    );
    for (const run of runs) expect(run.code, failure(run)).toBe(0);
    const stacks = (await aws.cfn.send(new DescribeStacksCommand({}))).Stacks ?? [];
    const priorities = names.map(
      (n) => stacks.find((s) => s.StackName === `${n}-prod`)?.Parameters?.find((p) => p.ParameterKey === "ListenerRulePriority")?.ParameterValue,
    );
    expect(priorities.every((p) => p !== undefined)).toBe(true);
    expect(new Set(priorities).size).toBe(5);
    for (const n of names) expect(stacks.find((s) => s.StackName === `${n}-prod`)?.StackStatus).toMatch(/^(CREATE|UPDATE)_COMPLETE$/);
  });
});
