/**
 * Many endpoints on one base, on an emulator whose load balancer quotas are lowered (3 certificates,
 * 6 rules, 6 target groups per load balancer): add-endpoint places each endpoint on a load balancer
 * with room, adds shards when all are full, reuses a certificate already on a listener that covers
 * the host; teardown in a seeded random order removes each shard with its last endpoint. After every
 * command, no load balancer is over a quota and every host routes to its own endpoint's target group.
 */
import { DescribeStacksCommand, type Stack } from "@aws-sdk/client-cloudformation";
import { RequestCertificateCommand } from "@aws-sdk/client-acm";
import {
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../setup/emulator-process.js";
import { sdkClients, withPushes } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";
import { seededRandom } from "../helpers/servers.js";

const QUOTAS = { certificates: 3, rules: 6, targetGroups: 6 };

let emulator: { url: string; stop(): Promise<void> };
let aws: ReturnType<typeof sdkClients>;
let dir: string;

/** Twelve added endpoints: `s*` under a wildcard certificate issued beforehand, `x*` with their own hosts. */
const added = ["s1", "x1", "s2", "x2", "s3", "x3", "s4", "x4", "s5", "x5", "s6", "x6"];
const hostOf = (name: string) => (name.startsWith("s") ? `${name}.team.example.com` : `${name}.example.com`);

beforeAll(async () => {
  emulator = await startEmulator({ elbQuotas: `certificates=${QUOTAS.certificates},rules=${QUOTAS.rules},target-groups=${QUOTAS.targetGroups}` });
  aws = sdkClients(emulator.url);
  dir = mkdtempSync(join(tmpdir(), "mlops-scale-"));
  const withoutPipeline = (text: string) => text.replace(/\npipeline:[\s\S]*$/, "\n");
  writeFileSync(join(dir, "ep-a.yaml"), withoutPipeline(readFileSync("params/ep-a.yaml", "utf8")));
  const b = withoutPipeline(readFileSync("params/ep-b.yaml", "utf8"));
  for (const name of added) {
    writeFileSync(
      join(dir, `${name}.yaml`),
      b.replace(/^project: ep-b$/m, `project: ${name}`).replace("hostHeader: ep-b.example.com", `hostHeader: ${hostOf(name)}`),
    );
  }
  // The wildcard covers every s* host; s5 also has its own certificate, which the wildcard already on its listener makes unnecessary.
  await aws.acm.send(new RequestCertificateCommand({ DomainName: "*.team.example.com", ValidationMethod: "DNS" }));
  await aws.acm.send(new RequestCertificateCommand({ DomainName: "s5.team.example.com", ValidationMethod: "DNS" }));
});
afterAll(async () => {
  await emulator?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function stacks(): Promise<Stack[]> {
  return ((await aws.cfn.send(new DescribeStacksCommand({}))).Stacks ?? []).filter((s) => s.StackStatus !== "DELETE_COMPLETE");
}

const tag = (s: Stack, key: string) => s.Tags?.find((t) => t.Key === key)?.Value;
const param = (s: Stack, key: string) => s.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
const output = (s: Stack, key: string) => s.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;

/** What each load balancer holds, read through the SDK; and the endpoint stacks. */
async function observe() {
  const balancers = (await aws.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  const groups = (await aws.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  const seen = [];
  for (const lb of balancers) {
    const listeners = (await aws.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? [];
    const https = listeners.find((l) => l.Protocol === "HTTPS");
    const certificates = (await aws.elb.send(new DescribeListenerCertificatesCommand({ ListenerArn: https?.ListenerArn }))).Certificates ?? [];
    let rules: { hosts: string[]; targetGroup?: string }[] = [];
    for (const listener of listeners) {
      const found = (await aws.elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules ?? [];
      rules = rules.concat(
        found
          .filter((r) => !r.IsDefault)
          .map((r) => ({
            hosts: r.Conditions?.flatMap((c) => c.HostHeaderConfig?.Values ?? c.Values ?? []) ?? [],
            targetGroup: r.Actions?.[0]?.TargetGroupArn,
          })),
      );
    }
    seen.push({
      dnsName: lb.DNSName,
      listenerArn: https?.ListenerArn,
      certificates: certificates.filter((c) => !c.IsDefault).length,
      rules,
      targetGroups: groups.filter((g) => g.LoadBalancerArns?.includes(lb.LoadBalancerArn!)).length,
    });
  }
  const all = await stacks();
  const endpoints = all.filter((s) => tag(s, "mlops:role") === "added" || tag(s, "mlops:role") === "base");
  const shards = all.filter((s) => tag(s, "mlops:role") === "shard");
  return { balancers: seen, endpoints, shards };
}

/** No load balancer over a quota; every host routes to its own target group on the load balancer its stack names; no shard without an endpoint. */
async function expectInvariants(): Promise<Awaited<ReturnType<typeof observe>>> {
  const state = await observe();
  for (const lb of state.balancers) {
    expect(lb.certificates, lb.dnsName).toBeLessThanOrEqual(QUOTAS.certificates);
    expect(lb.rules.length, lb.dnsName).toBeLessThanOrEqual(QUOTAS.rules);
    expect(lb.targetGroups, lb.dnsName).toBeLessThanOrEqual(QUOTAS.targetGroups);
  }
  for (const endpoint of state.endpoints) {
    const host = param(endpoint, "HostHeaderApi")!;
    const dns = output(endpoint, "LoadBalancerDnsName");
    const lb = state.balancers.find((b) => b.dnsName === dns);
    expect(lb, `${endpoint.StackName}'s load balancer ${dns}`).toBeDefined();
    const routes = state.balancers.flatMap((b) => b.rules.filter((r) => r.hosts.includes(host)).map((r) => ({ ...r, dnsName: b.dnsName })));
    expect(routes, `${host} has one rule`).toHaveLength(1);
    expect(routes[0]?.dnsName, host).toBe(dns);
    expect(routes[0]?.targetGroup, host).toBe(output(endpoint, "TargetGroupArn"));
  }
  for (const shard of state.shards) {
    expect(
      state.endpoints.some((e) => param(e, "LoadBalancerStackName") === shard.StackName),
      `${shard.StackName} serves an endpoint`,
    ).toBe(true);
  }
  return state;
}

async function deploy(command: string, file: string, repository: string) {
  return withPushes(aws.ecr, [{ repository, tag: "v1" }], () =>
    runMlops([command, join(dir, file), "--no-pipeline", "--tag", "v1", "--yes"], { endpointUrl: emulator.url }),
  );
}

describe("many endpoints on one base, with lowered load balancer quotas", () => {
  it("adds a dozen endpoints: shards appear when the load balancers are full, certificates are shared", async () => {
    const base = await deploy("create-endpoint", "ep-a.yaml", "ep-a-prod");
    expect(base.code, failure(base)).toBe(0);
    const outputs: Record<string, string> = {};
    for (const name of added) {
      const run = await deploy("add-endpoint", `${name}.yaml`, `${name}-prod`);
      expect(run.code, failure(run)).toBe(0);
      outputs[name] = run.stdout + run.stderr;
      await expectInvariants();
    }
    // The base holds the base endpoint and five added ones (6 rules); x3 starts the second load balancer.
    expect(outputs.s3).toMatch(/Load balancer: ep-a-prod \(.*\) serves s3\.team\.example\.com/);
    expect(outputs.x3).toContain("Load balancer: create ep-a-prod-lb-2");
    expect(outputs.x3).toContain("full: ep-a-prod: rules 6/6, target groups 6/6");
    // The wildcard attached for s1 serves s2 and s3 without another certificate.
    expect(outputs.s2).toContain("HTTPS listener of ep-a-prod: already serves s2.team.example.com");
    expect(outputs.s2).not.toContain("Attached the certificate");
    // s5's own certificate is not attached: the wildcard on ep-a-prod-lb-2 covers it.
    expect(outputs.s5).toMatch(/HTTPS listener of ep-a-prod-lb-2: reuse the certificate \S+ already there, which covers s5\.team\.example\.com/);
    expect(outputs.s5).not.toContain("Attached the certificate");
    // x5 finds ep-a-prod-lb-2's certificates full: a third load balancer.
    expect(outputs.x5).toContain("Load balancer: create ep-a-prod-lb-3");
    expect(outputs.x5).toContain("ep-a-prod-lb-2: certificates 3/3");

    const state = await expectInvariants();
    expect(state.balancers).toHaveLength(3);
    // Thirteen endpoints read side by side: healthy, and no warning of Node's (one listener per call in flight on the Ctrl-C signal).
    const status = await runMlops(["status", "--json"], { endpointUrl: emulator.url });
    expect(status.code, failure(status)).toBe(0);
    expect(JSON.parse(status.stdout).endpoints).toHaveLength(13);
    expect(status.stderr).not.toMatch(/Warning/);
    expect(state.shards.map((s) => s.StackName).sort()).toEqual(["ep-a-prod-lb-2", "ep-a-prod-lb-3"]);
    // The shard has the base's settings: its own listener, the base's certificate as default.
    const serving = (name: string) =>
      param(
        state.endpoints.find((e) => e.StackName === `${name}-prod`)!,
        "LoadBalancerStackName",
      );
    expect(serving("s1")).toBe("");
    expect(serving("x3")).toBe("ep-a-prod-lb-2");
    expect(serving("x6")).toBe("ep-a-prod-lb-3");
  });

  it("an update keeps an endpoint on its shard", async () => {
    const run = await runMlops(["update", join(dir, "x3.yaml"), "--tag", "v1", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    const state = await expectInvariants();
    expect(
      param(
        state.endpoints.find((e) => e.StackName === "x3-prod")!,
        "LoadBalancerStackName",
      ),
    ).toBe("ep-a-prod-lb-2");
  });

  it("tears the endpoints down in a random order: each shard goes with its last endpoint, the base's load balancer stays", async () => {
    const random = seededRandom(14);
    const order = [...added].sort(() => random() - 0.5);
    for (const name of order) {
      const run = await runMlops(["teardown", join(dir, `${name}.yaml`), "--yes"], { endpointUrl: emulator.url });
      expect(run.code, failure(run)).toBe(0);
      const state = await expectInvariants();
      // The base's own load balancer stays while the base lives.
      expect(state.endpoints.some((e) => e.StackName === "ep-a-prod")).toBe(true);
      expect(state.balancers.length).toBe(1 + state.shards.length);
    }
    const state = await observe();
    expect(state.shards).toEqual([]);
    expect(state.balancers).toHaveLength(1);
    const all = await runMlops(["teardown", "--all", "--yes"], { endpointUrl: emulator.url });
    expect(all.code, failure(all)).toBe(0);
    expect((await observe()).balancers).toEqual([]);
  });
});
