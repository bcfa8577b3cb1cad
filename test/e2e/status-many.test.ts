/**
 * `mlops status` over more target groups than it reads live: 25 endpoints on one base (stacks made straight through
 * CloudFormation, each service running one task), read through a counting proxy. Their target counts come from one
 * CloudWatch GetMetricData call (the emulator's load balancers report HealthyHostCount and UnHealthyHostCount as ALB
 * documents, see emulator/README.md `elb-health-metrics`), not from 25 DescribeTargetHealth calls, which ELB's request
 * rate would throttle at a larger count (ELB user guide, "Request throttling for the ELB API").
 */
import { CreateStackCommand, type Parameter } from "@aws-sdk/client-cloudformation";
import { RequestCertificateCommand } from "@aws-sdk/client-acm";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../setup/emulator-process.js";
import { sdkClients } from "../helpers/aws.js";
import { runMlops } from "../helpers/mlops.js";
import { startSlowProxy, type SlowProxy } from "../helpers/slow-proxy.js";

const ENDPOINTS = 25;
let emulator: { url: string; stop(): Promise<void> };
let proxy: SlowProxy;
let dir: string;

/** A parameter file: the base (`m0`) with its network, the others added to it. */
function paramsFile(i: number, certificateArn: string): string {
  const name = `m${i}`;
  const lines = ["environment: prod", `project: ${name}`, "api:", `  hostHeader: ${name}.example.com`, `  listenerPriority: ${100 + i}`];
  if (i === 0)
    lines.push(
      `  certificateArn: ${certificateArn}`,
      "network:",
      "  vpcCidr: 10.0.0.0/16",
      "  publicSubnets: [10.0.0.0/24, 10.0.1.0/24]",
      "  privateSubnets: [10.0.2.0/24, 10.0.3.0/24]",
      "  availabilityZones: [us-east-1a, us-east-1b]",
    );
  else lines.push("base: m0");
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/** Renders an endpoint and creates its stack with one running task, straight through CloudFormation. */
async function createDirectly(aws: ReturnType<typeof sdkClients>, file: string): Promise<void> {
  const out = join(dir, "rendered");
  const rendered = await runMlops(["render", file, "--out", out]);
  expect(rendered.code, rendered.stderr).toBe(0);
  const stackName = /Wrote .*[/\\]([^/\\]+)[/\\]template\.yaml/.exec(rendered.stderr + rendered.stdout)?.[1] as string;
  const stackDir = join(out, stackName);
  const parameters = (JSON.parse(readFileSync(join(stackDir, "parameters.json"), "utf8")) as Parameter[]).map((p) =>
    p.ParameterKey === "DesiredCount" ? { ...p, ParameterValue: "1" } : p,
  );
  await aws.cfn.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: readFileSync(join(stackDir, "template.yaml"), "utf8"),
      Parameters: parameters,
      Tags: JSON.parse(readFileSync(join(stackDir, "tags.json"), "utf8")),
      Capabilities: ["CAPABILITY_IAM"],
    }),
  );
}

beforeAll(async () => {
  emulator = await startEmulator();
  const aws = sdkClients(emulator.url);
  dir = mkdtempSync(join(tmpdir(), "mlops-status-many-"));
  const certificateArn = (await aws.acm.send(new RequestCertificateCommand({ DomainName: "m0.example.com", ValidationMethod: "DNS" })))
    .CertificateArn as string;
  await createDirectly(aws, paramsFile(0, certificateArn));
  const rest = Array.from({ length: ENDPOINTS - 1 }, (_, i) => i + 1);
  // Rendering spawns mlops: a few at a time.
  for (let i = 0; i < rest.length; i += 4) await Promise.all(rest.slice(i, i + 4).map((n) => createDirectly(aws, paramsFile(n, certificateArn))));
  expect(readdirSync(join(dir, "rendered"))).toHaveLength(ENDPOINTS);
  proxy = await startSlowProxy(emulator.url, { latencyMs: 0 });
}, 240_000);
afterAll(async () => {
  await proxy?.close();
  await emulator?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("mlops status over many target groups", () => {
  it("reads every endpoint's target counts from CloudWatch in one call, and says so", async () => {
    const json = await runMlops(["status", "--json"], { endpointUrl: proxy.url });
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as {
      endpoints: { endpoint: string; healthyTargets?: number; totalTargets?: number; targetHealthSource?: string; targetHealthAt?: string }[];
    };
    expect(report.endpoints).toHaveLength(ENDPOINTS);
    for (const e of report.endpoints) {
      expect(e, e.endpoint).toMatchObject({ healthyTargets: 1, totalTargets: 1, targetHealthSource: "cloudwatch" });
      expect(Date.now() - Date.parse(e.targetHealthAt as string)).toBeLessThan(3 * 60_000);
    }
    expect(proxy.actions.get("GraniteServiceVersion20100801.GetMetricData") ?? proxy.actions.get("GetMetricData")).toBe(1);
    expect(proxy.actions.get("DescribeTargetHealth")).toBeUndefined();

    const text = await runMlops(["status"], { endpointUrl: proxy.url });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^m1-prod\s+added\s+\S+\s+\S+\s+1\/1\s+1\/1\*\s/m);
    expect(text.stdout).toMatch(/^\* as the load balancer last reported to CloudWatch \(minute of \d\d:\d\d UTC or later\)/m);
  });
});
