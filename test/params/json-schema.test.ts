/**
 * The JSON Schema of the parameter file: the shipped file is the generated
 * one, it is a valid draft 2020-12 schema, the example files reference it and
 * pass it, and it rejects what the loader rejects for the same reason
 * (unknown keys, wrong types, values out of range), checked by an independent
 * validator (Python's `jsonschema`), not by zod.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { constrainedPaths, parameterJsonSchema, parameterJsonSchemaText, SCHEMA_FILE } from "../../src/params/json-schema.js";
import { parseEndpointConfig } from "../../src/params/load.js";
import { schemaPaths } from "../../src/params/schema.js";
import { InputError } from "../../src/errors.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const checker = resolve(root, "test/helpers/json_schema_check.py");

/** Each document's schema errors (empty: valid). */
function check(documents: unknown[]): string[][] {
  const out = execFileSync("python3", [checker], { input: JSON.stringify({ schema: parameterJsonSchema(), documents }) });
  return JSON.parse(out.toString()) as string[][];
}

/** The loader's verdict on a document of our format: its problems, or none. */
function loaderProblems(document: unknown): string[] {
  try {
    parseEndpointConfig(JSON.stringify(document), "params.json");
    return [];
  } catch (error) {
    if (error instanceof InputError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
}

const example = (name: string) => yaml.load(readFileSync(resolve(root, "params", name), "utf8")) as Record<string, unknown>;
const base = () => example("ep-a.yaml");
const added = () => example("ep-b.yaml");

/** A copy of `doc` with `path` (dotted) set to `value` (undefined: removed). */
function withValue(doc: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(doc);
  const keys = path.split(".");
  let node = copy;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  const last = keys[keys.length - 1] as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

describe("mlops schema", () => {
  it("the shipped schema file is the generated one (regenerate: npm run docs)", () => {
    expect(readFileSync(resolve(root, SCHEMA_FILE), "utf8")).toBe(parameterJsonSchemaText());
    const pkg = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as { files: string[] };
    expect(pkg.files).toContain(SCHEMA_FILE.split("/")[0]);
  });

  it("is draft 2020-12 with every key's description and default, and no unknown keys", () => {
    const schema = parameterJsonSchema() as {
      $schema: string;
      additionalProperties: boolean;
      properties: Record<
        string,
        {
          description?: string;
          properties?: Record<string, { description?: string; default?: unknown; additionalProperties?: boolean }>;
          additionalProperties?: boolean;
        }
      >;
    };
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.additionalProperties).toBe(false);
    for (const { path } of schemaPaths()) {
      const [section, key] = path.split(".") as [string, string | undefined];
      const node = key ? schema.properties[section]?.properties?.[key] : schema.properties[section];
      expect(node?.description, path).toBeTruthy();
      if (!key && schema.properties[section]?.properties) expect(schema.properties[section]?.additionalProperties, path).toBe(false);
    }
    expect(schema.properties.api?.properties?.port?.default).toBe(8000);
    expect(schema.properties.api?.properties?.port?.description).toContain("Port the container listens on");
    expect(schema.properties.logs?.properties?.retentionDays).toMatchObject({ enum: expect.arrayContaining([1, 30, 3653]), default: 30 });
  });

  it("constrains only keys that exist", () => {
    const keys = new Set(schemaPaths().map((p) => p.path));
    for (const path of constrainedPaths) expect(keys.has(path.replace(/\[\]$/, "")), path).toBe(true);
  });

  it("the example files reference the schema, and pass it", () => {
    for (const name of ["ep-a.yaml", "ep-b.yaml"]) {
      const text = readFileSync(resolve(root, "params", name), "utf8");
      const reference = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1];
      expect(reference, name).toBeDefined();
      expect(existsSync(resolve(root, "params", reference as string)), name).toBe(true);
    }
    expect(check([base(), added()])).toEqual([[], []]);
  });

  it("rejects what the loader rejects: unknown keys, wrong types, values out of range, network in an added endpoint", () => {
    const cases: [string, Record<string, unknown>][] = [
      ["unknown top-level key", withValue(base(), "projet", "x")],
      ["unknown nested key", withValue(base(), "api.hostHeaders", "a.example.com")],
      ["missing api", withValue(base(), "api", undefined)],
      ["base without network", withValue(base(), "network", undefined)],
      ["added with network", withValue(added(), "network", base().network)],
      ["added with flow logs", withValue(added(), "monitoring.vpcFlowLogs", false)],
      ["port as text", withValue(base(), "api.port", "eighty")],
      ["port out of range", withValue(base(), "api.port", 70000)],
      ["fractional port", withValue(base(), "api.port", 80.5)],
      ["uppercase project", withValue(base(), "project", "EpA")],
      ["double hyphen", withValue(base(), "project", "ep--a")],
      ["three subnets", withValue(base(), "network.publicSubnets", ["10.0.0.0/24", "10.0.1.0/24", "10.0.4.0/24"])],
      ["not a CIDR", withValue(base(), "network.vpcCidr", "10.0.0.0")],
      ["not an AZ", withValue(base(), "network.availabilityZones", ["us-east-1", "us-east-1b"])],
      ["host with a wildcard", withValue(base(), "api.hostHeader", "*.example.com")],
      ["health path without slash", withValue(base(), "api.healthCheckPath", "ping")],
      ["tag latest", withValue(base(), "container.tag", "latest")],
      ["tag starting with a dot", withValue(base(), "container.tag", ".v1")],
      ["retention not a CloudWatch value", withValue(base(), "logs.retentionDays", 31)],
      ["cpu not a Fargate size", withValue(base(), "container.cpu", 300)],
      ["memory as words", withValue(base(), "container.memory", "two gigs")],
      ["rollback as text", withValue(base(), "rollout.circuitBreakerRollback", "yes")],
      ["repository not owner/name", withValue(base(), "pipeline.repository", "ml-endpoints")],
    ];
    const results = check(cases.map(([, doc]) => doc));
    cases.forEach(([name, doc], i) => {
      expect(results[i]?.length, `schema accepts ${name}`).toBeGreaterThan(0);
      expect(loaderProblems(doc).length, `loader accepts ${name}`).toBeGreaterThan(0);
    });
  });

  it("agrees with the loader on numeric limits: both accept the bounds, both refuse one past them", () => {
    const limits: [string, number, number][] = [
      ["api.port", 1, 65535],
      ["api.listenerPriority", 1, 50000],
      ["rollout.healthCheckIntervalSeconds", 6, 300],
      ["rollout.healthyThresholdCount", 2, 10],
      ["rollout.unhealthyThresholdCount", 2, 10],
      ["rollout.deregistrationDelaySeconds", 0, 3600],
      ["rollout.minimumHealthyPercent", 0, 100],
      ["images.keep", 2, 10000],
      ["scaling.cpuTarget", 1, 100],
      ["scaling.memoryTarget", 1, 100],
    ];
    const inside = limits.flatMap(([path, min, max]) => [withValue(base(), path, min), withValue(base(), path, max)]);
    const outside = limits.flatMap(([path, min, max]) => [withValue(base(), path, min - 1), withValue(base(), path, max + 1)]);
    // The interval's lower bound is the schema's 5, but the loader also wants it above the timeout (5 by default): 6 is inside both.
    outside[4] = withValue(base(), "rollout.healthCheckIntervalSeconds", 4);
    const [schemaInside, schemaOutside] = [check(inside), check(outside)];
    inside.forEach((doc, i) => {
      const what = JSON.stringify(limits[i >> 1]);
      expect(loaderProblems(doc), `loader refuses a bound of ${what}`).toEqual([]);
      expect(schemaInside[i], `schema refuses a bound of ${what}`).toEqual([]);
    });
    outside.forEach((doc, i) => {
      const what = JSON.stringify(limits[i >> 1]);
      expect(schemaOutside[i]?.length, `schema accepts past ${what}`).toBeGreaterThan(0);
      expect(loaderProblems(doc).length, `loader accepts past ${what}`).toBeGreaterThan(0);
    });
  });

  it("agrees with the loader on the largest Fargate sizes: 8 and 16 vCPU up to 120 GB", () => {
    const withSize = (cpu: unknown, memory: unknown) => withValue(withValue(base(), "container.cpu", cpu), "container.memory", memory);
    const accepted = [withSize(8192, 61440), withSize(16384, 122880), withSize("16 vCPU", "120GB")];
    expect(accepted.map(loaderProblems)).toEqual([[], [], []]);
    expect(check(accepted)).toEqual([[], [], []]);
    const refused = [withSize(32768, 122880), withSize(16384, 131072)];
    refused.forEach((doc) => expect(loaderProblems(doc).length).toBeGreaterThan(0));
    check(refused).forEach((errors) => expect(errors.length).toBeGreaterThan(0));
  });

  it("agrees with the loader on task sizes per compute type: any size within the instance for gpu, Fargate's otherwise", () => {
    const gpu = (cpu: unknown, memory: unknown, instanceTypes: string[]) =>
      withValue(withValue(withValue(added(), "compute", { type: "gpu", instanceTypes }), "container.cpu", cpu), "container.memory", memory);
    const accepted = [
      gpu(6144, "30GB", ["g5.4xlarge"]),
      gpu("6 vCPU", 30720, ["g5.4xlarge"]),
      gpu(98304, 600000, ["p4d.24xlarge"]),
      gpu(128, 512, ["g5.xlarge"]),
    ];
    expect(accepted.map(loaderProblems)).toEqual([[], [], [], []]);
    expect(check(accepted)).toEqual([[], [], [], []]);
    // Past what ECS accepts on EC2 capacity, and Fargate endpoints (compute absent or fargate) with a size Fargate has not.
    const refused = [
      gpu(127, "8GB", ["g5.xlarge"]),
      gpu(196609, "8GB", ["g5.xlarge"]),
      withValue(withValue(added(), "container.cpu", 6144), "container.memory", "30GB"),
      withValue(withValue(withValue(added(), "compute", { type: "fargate" }), "container.cpu", 6144), "container.memory", "30GB"),
      withValue(withValue(added(), "container.cpu", 16384), "container.memory", 131072),
    ];
    refused.forEach((doc) => expect(loaderProblems(doc).length, JSON.stringify(doc.container)).toBeGreaterThan(0));
    check(refused).forEach((errors, i) => expect(errors.length, JSON.stringify(refused[i]?.container)).toBeGreaterThan(0));
  });

  it("the loader accepts and ignores a `$schema` key; a non-text one is named", () => {
    const doc = { $schema: "../schema/params.schema.json", ...base() };
    expect(loaderProblems(doc)).toEqual([]);
    expect(check([doc])).toEqual([[]]);
    expect(loaderProblems({ ...doc, $schema: 3 })).toEqual(["$schema: expected the address of a JSON Schema (text), got the number 3"]);
  });
});
