/**
 * The load balancer's idle timeout against the emulator: a base endpoint sets it for its load
 * balancer (its stack's parameter, which sets the attribute idle_timeout.timeout_seconds), and the plans of the base
 * and of an added endpoint warn when `alarms.p95ResponseSeconds` allows responses the load
 * balancer cuts off with a 504 (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../setup/emulator-process.js";
import { sdkClients, withPushes } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
let emulator: { url: string; stop(): Promise<void> };
let aws: ReturnType<typeof sdkClients>;
let scratch: string;

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
  scratch = mkdtempSync(join(tmpdir(), "mlops-idle-"));
});
afterAll(async () => {
  await emulator?.stop();
});

/** The example file with text appended (YAML sections given again replace nothing: they must be new). */
function variant(name: string, source: string, edit: (text: string) => string): string {
  const path = join(scratch, name);
  writeFileSync(path, edit(readFileSync(join(root, source), "utf8")));
  return path;
}

/**
 * The stack's LoadBalancerIdleTimeoutSeconds, which the template gives the load balancer's idle_timeout.timeout_seconds
 * attribute (test/templates/contract.test.ts); the emulator keeps CloudFormation's attributes of a load balancer to itself.
 */
async function idleTimeoutOf(name: string): Promise<string | undefined> {
  const stack = (await aws.cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  return stack?.Parameters?.find((p) => p.ParameterKey === "LoadBalancerIdleTimeoutSeconds")?.ParameterValue;
}

describe("load balancer idle timeout", () => {
  it("is the base's parameter, and the plans warn when the p95 alarm allows longer responses", async () => {
    const slowA = variant("ep-a-slow.yaml", "params/ep-a.yaml", (t) => `${t}\nalarms:\n  p95ResponseSeconds: 120\n`);
    const created = await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () =>
      runMlops(["create-endpoint", slowA, "--tag", "v1", "--yes", "--no-pipeline"], { endpointUrl: emulator.url }),
    );
    expect(created.code, failure(created)).toBe(0);
    expect(created.stderr).toMatch(
      /alarms\.p95ResponseSeconds \(120 s\) exceeds the load balancer's idle timeout \(60 s\): ep-a-prod's requests that take longer than 60 s get a 504/,
    );
    expect(created.stderr).toMatch(/Raise api\.idleTimeoutSeconds in this file/);
    expect(await idleTimeoutOf("ep-a-prod")).toBe("60");

    const patientA = variant(
      "ep-a-patient.yaml",
      "params/ep-a.yaml",
      (t) => `${t.replace("  healthCheckPath: /ping", "  healthCheckPath: /ping\n  idleTimeoutSeconds: 300")}\nalarms:\n  p95ResponseSeconds: 120\n`,
    );
    const updated = await runMlops(["update", patientA, "--tag", "v1", "--yes"], { endpointUrl: emulator.url });
    expect(updated.code, failure(updated)).toBe(0);
    expect(updated.stderr).toMatch(/LoadBalancerAttributes\[0\]\.Value: 60 -> 300/);
    expect(updated.stderr).toMatch(/Summary: configuration changed: load balancer idle timeout s 60 -> 300/);
    expect(updated.stderr).not.toMatch(/exceeds the load balancer's idle timeout/);
    expect(await idleTimeoutOf("ep-a-prod")).toBe("300");

    // An added endpoint shares the base's load balancer: its plan compares with the base's timeout, read from the base's stack.
    const slowB = variant("ep-b-slow.yaml", "params/ep-b.yaml", (t) => `${t}\nalarms:\n  p95ResponseSeconds: 400\n`);
    const added = await withPushes(aws.ecr, [{ repository: "ep-b-prod", tag: "v1" }], () =>
      runMlops(["add-endpoint", slowB, "--tag", "v1", "--yes", "--no-pipeline"], { endpointUrl: emulator.url }),
    );
    expect(added.code, failure(added)).toBe(0);
    expect(added.stderr).toMatch(/alarms\.p95ResponseSeconds \(400 s\) exceeds the load balancer's idle timeout \(300 s\)/);
    expect(added.stderr).toMatch(/Raise api\.idleTimeoutSeconds in the file of the base endpoint ep-a/);

    // It is the base's alone: an added endpoint's file may not set it (exit 2, before any AWS call).
    const refused = await runMlops(
      [
        "update",
        variant("ep-b-own.yaml", "params/ep-b.yaml", (t) => t.replace("  healthCheckPath: /", "  healthCheckPath: /\n  idleTimeoutSeconds: 900")),
        "--tag",
        "v1",
        "--yes",
      ],
      { endpointUrl: emulator.url },
    );
    expect(refused.code, failure(refused)).toBe(2);
    expect(refused.stderr).toMatch(/api\.idleTimeoutSeconds: not allowed for an added endpoint/);
  }, 300_000);
});
