/** Loading valid files: the examples, defaults, accepted forms and overrides. */
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatIssue, InputError } from "../../src/errors.js";
import { FARGATE_SIZES } from "../../src/params/fargate.js";
import { loadEndpointConfig, parseEndpointConfig } from "../../src/params/load.js";
import type { EndpointConfig, ParamOverrides } from "../../src/params/model.js";

/** The example files, found from this test file so the tests run from any directory. */
const EXAMPLES = fileURLToPath(new URL("../../params/", import.meta.url));
const example = (name: string): string => join(EXAMPLES, name);

const CONNECTION = "arn:aws:codestar-connections:us-east-1:123456789012:connection/00000000-0000-4000-8000-000000000000";
const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-4333-8444-555555555555";

const DEFAULT_ROLLOUT = {
  healthCheckIntervalSeconds: 10,
  healthCheckTimeoutSeconds: 5,
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 3,
  deregistrationDelaySeconds: 15,
  healthCheckGracePeriodSeconds: 60,
  minimumHealthyPercent: 100,
  maximumPercent: 200,
  circuitBreakerRollback: true,
  strategy: "rolling" as const,
  bakeMinutes: 5,
  canaryPercent: 10,
  canaryBakeMinutes: 5,
  linearStepPercent: 25,
  linearStepBakeMinutes: 2,
};
const DEFAULT_ALARMS = { target5xxPercent: 5, p95ResponseSeconds: 5, unhealthyHosts: 1, minutes: 2 };
const DEFAULT_STORAGE = { assetsMountPath: "/app/assets", weightsMountPath: "/app/weights", weightsWritable: false };
const NETWORK_A = {
  vpcCidr: "10.0.0.0/16",
  publicSubnets: ["10.0.0.0/24", "10.0.1.0/24"],
  privateSubnets: ["10.0.2.0/24", "10.0.3.0/24"],
  availabilityZones: ["us-east-1a", "us-east-1b"],
  allowedCidr: "0.0.0.0/0",
};

/** The smallest valid base endpoint in our format. */
const MINIMAL_BASE = `
project: ep-a
network:
  vpcCidr: 10.0.0.0/16
  publicSubnets: [10.0.0.0/24, 10.0.1.0/24]
  privateSubnets: [10.0.2.0/24, 10.0.3.0/24]
  availabilityZones: [us-east-1a, us-east-1b]
api:
  hostHeader: ep-a.example.com
`;

/** Parses text that must fail, returning the error. */
function failure(text: string, file = "t.yaml", overrides?: ParamOverrides): InputError {
  try {
    parseEndpointConfig(text, file, overrides);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("parsed without error");
}

/** A tutorial-format file from key/value pairs. */
function tutorial(pairs: Record<string, string>): string {
  return JSON.stringify(Object.entries(pairs).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })));
}

const TUTORIAL_BASE = {
  ProjectName: "ep-a",
  VpcCidr: "10.0.0.0/16",
  VpcSubnetIpBlocks: "10.0.0.0/24,10.0.1.0/24,10.0.2.0/24,10.0.3.0/24",
  AZs: "us-east-1a,us-east-1b",
  HostHeaderApi: "ep-a.example.com",
};

describe("example files", () => {
  it("loads params/ep-a.yaml", async () => {
    const expected: EndpointConfig = {
      source: example("ep-a.yaml"),
      format: "mlops",
      kind: "base",
      project: "ep-a",
      environment: "prod",
      network: {
        vpcCidr: "10.0.0.0/16",
        publicSubnets: ["10.0.0.0/24", "10.0.1.0/24"],
        privateSubnets: ["10.0.2.0/24", "10.0.3.0/24"],
        availabilityZones: ["us-east-1a", "us-east-1b"],
        allowedCidr: "0.0.0.0/0",
      },
      api: { hostHeader: "ep-a.example.com", port: 8000, healthCheckPath: "/ping" },
      container: { name: "ep-a", cpu: 1024, memoryMiB: 2048 },
      scaling: { desired: 2, min: 2, max: 4, cpuTarget: 60, memoryTarget: 90 },
      rollout: DEFAULT_ROLLOUT,
      alarms: DEFAULT_ALARMS,
      storage: DEFAULT_STORAGE,
      logRetentionDays: 30,
      imagesToKeep: 30,
      monitoring: { vpcFlowLogs: true, loadBalancerAccessLogs: true, containerInsights: true, artifactAccessLogs: true },
      pipeline: {
        connectionArn: CONNECTION,
        repository: "example-org/ml-endpoints",
        branch: "main",
        dockerContext: ".",
        dockerfile: "Dockerfile",
        baseImageRegistries: [],
        computeType: "BUILD_GENERAL1_MEDIUM",
        buildArgs: {},
      },
    };
    const config = await loadEndpointConfig(example("ep-a.yaml"), { region: "us-east-1" });
    expect(config).toStrictEqual(expected);
  });

  it("loads params/create-ep-a.json", async () => {
    const expected: EndpointConfig = {
      source: example("create-ep-a.json"),
      format: "cloudformation",
      kind: "base",
      project: "ep-a",
      environment: "prod",
      network: NETWORK_A as EndpointConfig["network"],
      api: { hostHeader: "ep-a.example.com", port: 8000, healthCheckPath: "/ping" },
      container: { name: "ep-a", cpu: 1024, memoryMiB: 2048 },
      scaling: { desired: 2, min: 2, max: 4, cpuTarget: 60, memoryTarget: 90 },
      rollout: DEFAULT_ROLLOUT,
      alarms: DEFAULT_ALARMS,
      storage: DEFAULT_STORAGE,
      logRetentionDays: 30,
      imagesToKeep: 30,
      monitoring: { vpcFlowLogs: true, loadBalancerAccessLogs: true, containerInsights: true, artifactAccessLogs: true },
    };
    const config = await loadEndpointConfig(example("create-ep-a.json"), { region: "us-east-1" });
    expect(config).toStrictEqual(expected);
  });

  it("loads params/ep-b.yaml as an added endpoint with its own pipeline", async () => {
    const config = await loadEndpointConfig(example("ep-b.yaml"), { region: "us-east-1" });
    expect(config).toMatchObject({ kind: "added", baseProject: "ep-a", project: "ep-b", format: "mlops" });
    expect(config.network).toBeUndefined();
    expect(config.api.hostHeader).toBe("ep-b.example.com");
    expect(config.pipeline).toMatchObject({ connectionArn: CONNECTION, repository: "example-org/ml-endpoints", branch: "main" });
  });

  it("loads params/add-ep-b.json as an added endpoint of ep-a", async () => {
    const config = await loadEndpointConfig(example("add-ep-b.json"), { region: "us-east-1" });
    expect(config).toStrictEqual({
      source: example("add-ep-b.json"),
      format: "cloudformation",
      kind: "added",
      project: "ep-b",
      environment: "prod",
      baseProject: "ep-a",
      api: { hostHeader: "ep-b.example.com", port: 8000, healthCheckPath: "/", listenerPriority: 2 },
      container: { name: "ep-b", cpu: 1024, memoryMiB: 2048 },
      scaling: { desired: 2, min: 2, max: 4, cpuTarget: 60, memoryTarget: 90 },
      rollout: DEFAULT_ROLLOUT,
      alarms: DEFAULT_ALARMS,
      storage: DEFAULT_STORAGE,
      logRetentionDays: 30,
      imagesToKeep: 30,
      monitoring: { vpcFlowLogs: true, loadBalancerAccessLogs: true, containerInsights: true, artifactAccessLogs: true },
    } satisfies EndpointConfig);
  });

  it("gives the two example endpoints distinct hosts and no certificate ARN", async () => {
    const files = ["ep-a.yaml", "ep-b.yaml", "create-ep-a.json", "add-ep-b.json"].map(example);
    const configs = await Promise.all(files.map((file) => loadEndpointConfig(file)));
    expect(new Set(configs.map((config) => config.api.hostHeader))).toEqual(new Set(["ep-a.example.com", "ep-b.example.com"]));
    for (const config of configs) expect(config.api.certificateArn).toBeUndefined();
  });
});

describe("defaults", () => {
  it("fills every default of a minimal base endpoint", () => {
    expect(parseEndpointConfig(MINIMAL_BASE, "min.yaml")).toStrictEqual({
      source: "min.yaml",
      format: "mlops",
      kind: "base",
      project: "ep-a",
      environment: "prod",
      network: NETWORK_A,
      api: { hostHeader: "ep-a.example.com", port: 8000, healthCheckPath: "/ping" },
      container: { name: "ep-a", cpu: 1024, memoryMiB: 2048 },
      scaling: { desired: 1, min: 1, max: 4, cpuTarget: 60, memoryTarget: 80 },
      rollout: DEFAULT_ROLLOUT,
      alarms: DEFAULT_ALARMS,
      storage: DEFAULT_STORAGE,
      logRetentionDays: 30,
      imagesToKeep: 30,
      monitoring: { vpcFlowLogs: true, loadBalancerAccessLogs: true, containerInsights: true, artifactAccessLogs: true },
    });
  });

  it("fills the defaults of a minimal added endpoint", () => {
    const config = parseEndpointConfig("project: ep-b\nbase: ep-a\napi: { hostHeader: ep-b.example.com }\n", "b.yaml");
    expect(config).toMatchObject({ kind: "added", baseProject: "ep-a", container: { name: "ep-b", cpu: 1024, memoryMiB: 2048 } });
    expect(config.network).toBeUndefined();
    expect(config.pipeline).toBeUndefined();
  });

  it("fills pipeline defaults", () => {
    const config = parseEndpointConfig(`${MINIMAL_BASE}pipeline:\n  connectionArn: ${CONNECTION}\n  repository: a/b\n`, "p.yaml");
    expect(config.pipeline).toStrictEqual({
      connectionArn: CONNECTION,
      repository: "a/b",
      branch: "main",
      dockerContext: ".",
      dockerfile: "Dockerfile",
      baseImageRegistries: [],
      computeType: "BUILD_GENERAL1_MEDIUM",
      buildArgs: {},
    });
  });

  it("treats empty sections (every line commented out) as absent", () => {
    const config = parseEndpointConfig(`${MINIMAL_BASE}rollout:\n  # healthCheckIntervalSeconds: 10\nstorage:\n`, "n.yaml");
    expect(config.rollout).toStrictEqual(DEFAULT_ROLLOUT);
    expect(config.storage).toStrictEqual(DEFAULT_STORAGE);
  });

  it("accepts every value of our format explicitly", () => {
    const text = `${MINIMAL_BASE}  port: 9000
  healthCheckPath: /health
  certificateArn: ${CERTIFICATE}
  listenerPriority: 50000
container:
  name: model_server
  cpu: 4096
  memory: 30GB
  tag: tag-abc123
scaling: { desired: 3, min: 0, max: 10, cpuTarget: 55.5, memoryTarget: 100 }
rollout:
  healthCheckIntervalSeconds: 300
  healthCheckTimeoutSeconds: 120
  healthyThresholdCount: 10
  unhealthyThresholdCount: 2
  deregistrationDelaySeconds: 0
  healthCheckGracePeriodSeconds: 2147483647
  minimumHealthyPercent: 0
  maximumPercent: 100
  circuitBreakerRollback: false
storage: { assetsMountPath: /data/assets, weightsMountPath: /data/weights }
logs: { retentionDays: 3653 }
images: { keep: 2 }
monitoring: { vpcFlowLogs: false, loadBalancerAccessLogs: false, containerInsights: false, artifactAccessLogs: false }
`;
    const config = parseEndpointConfig(text, "all.yaml", { region: "us-east-1" });
    expect(config.api).toStrictEqual({
      hostHeader: "ep-a.example.com",
      port: 9000,
      healthCheckPath: "/health",
      certificateArn: CERTIFICATE,
      listenerPriority: 50000,
    });
    expect(config.container).toStrictEqual({ name: "model_server", cpu: 4096, memoryMiB: 30720, tag: "tag-abc123" });
    expect(config.scaling).toStrictEqual({ desired: 3, min: 0, max: 10, cpuTarget: 55.5, memoryTarget: 100 });
    expect(config.rollout.circuitBreakerRollback).toBe(false);
    expect(config.rollout.minimumHealthyPercent).toBe(0);
    expect(config.logRetentionDays).toBe(3653);
    expect(config.imagesToKeep).toBe(2);
    expect(config.monitoring).toStrictEqual({ vpcFlowLogs: false, loadBalancerAccessLogs: false, containerInsights: false, artifactAccessLogs: false });
  });
});

describe("accepted forms", () => {
  it.each([
    [2048, 1024, 2048],
    ["2048", 1024, 2048],
    ["2GB", 1024, 2048],
    ["2 GB", 1024, 2048],
    ["2gb", 1024, 2048],
    ["2GiB", 1024, 2048],
    ["2048MB", 1024, 2048],
    ["2048 MiB", 1024, 2048],
    ["0.5GB", 256, 512],
    ["512MB", 256, 512],
    ["1.5GB", 512, 1536],
  ] as const)("memory %j with cpu %i is %i MiB", (memory, cpu, mib) => {
    if (mib === 1536) {
      // Not a Fargate size: parsed to MiB, then refused with what is allowed.
      expect(failure(`${MINIMAL_BASE}container: { cpu: ${cpu}, memory: "${memory}" }\n`).message).toContain("1536 MiB");
      return;
    }
    const config = parseEndpointConfig(`${MINIMAL_BASE}container:\n  cpu: ${cpu}\n  memory: ${JSON.stringify(memory)}\n`, "m.yaml");
    expect(config.container.memoryMiB).toBe(mib);
  });

  it.each([
    ["1 vCPU", 1024],
    ["0.25 vCPU", 256],
    ["4 vcpu", 4096],
    ["1024", 1024],
  ])("cpu %j is %i units", (cpu, units) => {
    const memory = FARGATE_SIZES.get(units)?.[0] ?? 0;
    const config = parseEndpointConfig(`${MINIMAL_BASE}container: { cpu: "${cpu}", memory: ${memory} }\n`, "c.yaml");
    expect(config.container.cpu).toBe(units);
  });

  it("accepts every Fargate CPU/memory pair and refuses the next step", () => {
    for (const [cpu, sizes] of FARGATE_SIZES) {
      for (const memory of sizes) {
        expect(parseEndpointConfig(`${MINIMAL_BASE}container: { cpu: ${cpu}, memory: ${memory} }\n`, "f.yaml").container.memoryMiB).toBe(memory);
      }
      const beyond = (sizes[sizes.length - 1] ?? 0) + 1024;
      const error = failure(`${MINIMAL_BASE}container: { cpu: ${cpu}, memory: ${beyond} }\n`);
      expect(error.issues).toEqual([expect.objectContaining({ path: "container.memory" })]);
      expect(error.issues[0]?.message).toContain(`with ${cpu} CPU units the memory must be`);
    }
  });

  // Amazon ECS Developer Guide, "Amazon ECS task definition parameters for Fargate", Task size:
  // 8 vCPU takes 16-60 GB in 4 GB steps and 16 vCPU 32-120 GB in 8 GB steps (Linux platform 1.4.0 or later).
  const largeSizes = [
    [8192, 16384, 61440, 4096],
    [16384, 32768, 122880, 8192],
  ] as const;

  it.each(largeSizes)("accepts cpu %i with %i to %i MiB in %i MiB steps, in both formats", (cpu, from, to, step) => {
    for (let memory = from; memory <= to; memory += step) {
      expect(parseEndpointConfig(`${MINIMAL_BASE}container: { cpu: ${cpu}, memory: ${memory} }\n`, "f.yaml").container).toMatchObject({
        cpu,
        memoryMiB: memory,
      });
      const config = parseEndpointConfig(tutorial({ ...TUTORIAL_BASE, TaskCPU: String(cpu), TaskRAM: `${memory / 1024}GB` }), "t.json");
      expect(config.container).toMatchObject({ cpu, memoryMiB: memory });
    }
  });

  it.each([
    [8192, 12288, "16 GB to 60 GB in 4 GB steps"],
    [8192, 18432, "16 GB to 60 GB in 4 GB steps"],
    [8192, 65536, "16 GB to 60 GB in 4 GB steps"],
    [16384, 28672, "32 GB to 120 GB in 8 GB steps"],
    [16384, 36864, "32 GB to 120 GB in 8 GB steps"],
    [16384, 131072, "32 GB to 120 GB in 8 GB steps"],
  ] as const)("refuses cpu %i with %i MiB, in both formats", (cpu, memory, allowed) => {
    const ours = failure(`${MINIMAL_BASE}container: { cpu: ${cpu}, memory: ${memory} }\n`, "f.yaml");
    expect(ours.exitCode).toBe(2);
    expect(ours.issues).toEqual([expect.objectContaining({ file: "f.yaml", path: "container.memory" })]);
    expect(ours.issues[0]?.message).toContain(`with ${cpu} CPU units the memory must be ${allowed}`);
    const theirs = failure(tutorial({ ...TUTORIAL_BASE, TaskCPU: String(cpu), TaskRAM: String(memory) }), "t.json");
    expect(theirs.issues).toEqual([expect.objectContaining({ file: "t.json", path: "TaskRAM" })]);
    expect(theirs.issues[0]?.message).toContain(`with ${cpu} CPU units the memory must be ${allowed}`);
  });

  it("reads 8 and 16 vCPU written as vCPUs", () => {
    expect(parseEndpointConfig(`${MINIMAL_BASE}container: { cpu: "8 vCPU", memory: 60GB }\n`, "c.yaml").container).toMatchObject({
      cpu: 8192,
      memoryMiB: 61440,
    });
    expect(parseEndpointConfig(`${MINIMAL_BASE}container: { cpu: "16 vCPU", memory: 120GB }\n`, "c.yaml").container).toMatchObject({
      cpu: 16384,
      memoryMiB: 122880,
    });
  });

  it("normalizes the host header to lowercase", () => {
    const config = parseEndpointConfig(MINIMAL_BASE.replace("ep-a.example.com", "EP-A.Example.COM"), "h.yaml");
    expect(config.api.hostHeader).toBe("ep-a.example.com");
  });

  it("accepts CodeConnections ARNs", () => {
    const arn = "arn:aws:codeconnections:us-east-1:123456789012:connection/00000000-0000-4000-8000-000000000000";
    const config = parseEndpointConfig(`${MINIMAL_BASE}pipeline: { connectionArn: "${arn}", repository: a/b.c, branch: release/v1.2 }\n`, "p.yaml");
    expect(config.pipeline?.connectionArn).toBe(arn);
    expect(config.pipeline?.branch).toBe("release/v1.2");
  });

  it("allows project-environment of exactly 32 characters and refuses 33", () => {
    const ok = MINIMAL_BASE.replace("project: ep-a", `project: ${"a".repeat(27)}`);
    expect(parseEndpointConfig(ok, "n.yaml").project).toHaveLength(27);
    const error = failure(MINIMAL_BASE.replace("project: ep-a", `project: ${"a".repeat(28)}`));
    expect(error.issues).toEqual([{ file: "t.yaml", path: "project", message: expect.stringContaining("is 33 characters") }]);
  });

  it("reads a host label of 63 characters and refuses 64", () => {
    const host = `${"a".repeat(63)}.io`;
    const config = parseEndpointConfig(MINIMAL_BASE.replace("ep-a.example.com", host).replace("api:\n", `api:\n  certificateArn: ${CERTIFICATE}\n`), "l.yaml");
    expect(config.api.hostHeader).toBe(host);
    expect(failure(MINIMAL_BASE.replace("ep-a.example.com", `${"a".repeat(64)}.io`)).message).toContain("at most 63");
  });

  it("reads YAML files named .yml and JSON files of any name", () => {
    expect(parseEndpointConfig(MINIMAL_BASE, "x.yml").project).toBe("ep-a");
    const json = JSON.stringify({ project: "ep-b", base: "ep-a", api: { hostHeader: "ep-b.example.com" } });
    expect(parseEndpointConfig(json, "params.txt").kind).toBe("added");
  });

  it("ignores a byte-order mark", () => {
    expect(parseEndpointConfig(`\uFEFF${MINIMAL_BASE}`, "bom.yaml").project).toBe("ep-a");
  });

  it("reads the rollout strategy and alarm thresholds, and names the field of a bad one", () => {
    const config = parseEndpointConfig(
      `${MINIMAL_BASE}rollout:\n  strategy: linear\n  linearStepPercent: 33.3\nalarms:\n  p95ResponseSeconds: 0.5\n`,
      "s.yaml",
    );
    expect(config.rollout).toMatchObject({ strategy: "linear", linearStepPercent: 33.3, bakeMinutes: 5 });
    expect(config.alarms).toStrictEqual({ target5xxPercent: 5, p95ResponseSeconds: 0.5, unhealthyHosts: 1, minutes: 2 });
    const error = failure(
      `${MINIMAL_BASE}rollout:\n  strategy: big-bang\n  canaryPercent: 0\n  linearStepPercent: 2\n  bakeMinutes: 2000\nalarms:\n  unhealthyHosts: 0\n`,
    );
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      "alarms.unhealthyHosts",
      "rollout.bakeMinutes",
      "rollout.canaryPercent",
      "rollout.linearStepPercent",
      "rollout.strategy",
    ]);
  });

  it("keeps YAML dates and yes/no as text", () => {
    const error = failure(`${MINIMAL_BASE}container:\n  tag: 2024-01-01\nrollout:\n  circuitBreakerRollback: yes\n`);
    expect(error.issues.map((issue) => issue.path)).toEqual(["rollout.circuitBreakerRollback"]);
    const config = parseEndpointConfig(`${MINIMAL_BASE}container:\n  tag: 2024-01-01\n`, "d.yaml");
    expect(config.container.tag).toBe("2024-01-01");
  });
});

describe("the tutorial's format", () => {
  it("treats the tutorial's placeholders as absent", () => {
    const config = parseEndpointConfig(tutorial({ ...TUTORIAL_BASE, DNSCertArn: "Get from ACM", APITag: "docker image tag" }), "t.json");
    expect(config.api.certificateArn).toBeUndefined();
    expect(config.container.tag).toBeUndefined();
    const added = parseEndpointConfig(
      tutorial({ ProjectName: "ep-b", BaseProjectName: "ep-a", HostHeaderApi: "ep-b.example.com", APITag: "tag-<git commit hash>", ListenerRulePriority: "" }),
      "b.json",
    );
    expect(added.container.tag).toBeUndefined();
    expect(added.api.listenerPriority).toBeUndefined();
  });

  it("keeps real values of DNSCertArn and APITag", () => {
    const config = parseEndpointConfig(tutorial({ ...TUTORIAL_BASE, DNSCertArn: CERTIFICATE, APITag: "tag-0a1b2c3" }), "t.json");
    expect(config.api.certificateArn).toBe(CERTIFICATE);
    expect(config.container.tag).toBe("tag-0a1b2c3");
  });

  it("reads every tutorial key", () => {
    const config = parseEndpointConfig(
      tutorial({
        ...TUTORIAL_BASE,
        EnvironmentName: "dev",
        AllowedCidrIp: "203.0.113.0/24",
        ApiPort: "9000",
        ApiHealthCheckPath: "/health",
        ContainerName: "server",
        TaskCPU: "2048",
        TaskRAM: "8GB",
        DesiredCount: "3",
        MinContainers: "1",
        MaxContainers: "6",
        AutoScalingTargetValueCPU: "50",
        AutoScalingTargetValueRAM: "70",
        ListenerRulePriority: "7",
        MountPathAssets: "/srv/assets",
        MountPathWeights: "/srv/weights",
      }),
      "all.json",
    );
    expect(config).toMatchObject({
      environment: "dev",
      network: { allowedCidr: "203.0.113.0/24" },
      api: { port: 9000, healthCheckPath: "/health", listenerPriority: 7 },
      container: { name: "server", cpu: 2048, memoryMiB: 8192 },
      scaling: { desired: 3, min: 1, max: 6, cpuTarget: 50, memoryTarget: 70 },
      storage: { assetsMountPath: "/srv/assets", weightsMountPath: "/srv/weights" },
    });
  });

  it("takes the base from --base and the pipeline from the three flags", () => {
    const overrides = { base: "ep-a", connectionArn: CONNECTION, repository: "example-org/ml-endpoints", branch: "dev" };
    const config = parseEndpointConfig(tutorial({ ProjectName: "ep-b", HostHeaderApi: "ep-b.example.com" }), "b.json", overrides);
    expect(config.baseProject).toBe("ep-a");
    expect(config.pipeline).toStrictEqual({
      connectionArn: CONNECTION,
      repository: "example-org/ml-endpoints",
      branch: "dev",
      dockerContext: ".",
      dockerfile: "Dockerfile",
      baseImageRegistries: [],
      computeType: "BUILD_GENERAL1_MEDIUM",
      buildArgs: {},
    });
  });

  it("names the --base flag when the base it gives is invalid", () => {
    const error = failure(tutorial({ ProjectName: "ep-b", HostHeaderApi: "ep-b.example.com" }), "b.json", { base: "Ep_A" });
    expect(error.issues).toEqual([{ file: "b.json", path: "--base", message: expect.stringContaining("uppercase") }]);
  });

  it("reads a tutorial-format list written in YAML", () => {
    const text = Object.entries(TUTORIAL_BASE)
      .map(([key, value]) => `- ParameterKey: ${key}\n  ParameterValue: "${value}"\n`)
      .join("");
    expect(parseEndpointConfig(`${text}- ParameterKey: ApiPort\n  ParameterValue: 8080\n`, "t.yaml").api.port).toBe(8080);
  });

  it("reports the same check with the same message in both formats", () => {
    const ours = failure(`${MINIMAL_BASE}container: { cpu: 512, memory: 512 }\n`).issues[0];
    const theirs = failure(tutorial({ ...TUTORIAL_BASE, TaskCPU: "512", TaskRAM: "512" }), "t.json").issues[0];
    expect(ours?.path).toBe("container.memory");
    expect(theirs?.path).toBe("TaskRAM");
    expect(theirs?.message).toBe(ours?.message.replace("container.cpu", "TaskCPU"));
  });
});

describe("overrides in our format", () => {
  it("lets --base make a file without network an added endpoint", () => {
    const config = parseEndpointConfig("project: ep-b\napi: { hostHeader: ep-b.example.com }\n", "b.yaml", { base: "ep-a" });
    expect(config).toMatchObject({ kind: "added", baseProject: "ep-a" });
  });

  it("refuses --base that disagrees with the file or comes with a network", () => {
    expect(failure("project: ep-b\nbase: ep-a\napi: { hostHeader: ep-b.example.com }\n", "b.yaml", { base: "ep-x" }).message).toBe(
      'b.yaml: base: is "ep-a" but --base gives "ep-x"; they must agree',
    );
    expect(failure(MINIMAL_BASE, "a.yaml", { base: "ep-x" }).issues[0]?.message).toContain("describes a base endpoint");
  });

  it("lets pipeline flags override the file's pipeline section", () => {
    const text = `${MINIMAL_BASE}pipeline: { connectionArn: "${CONNECTION}", repository: a/b, dockerfile: ml/Dockerfile }\n`;
    const config = parseEndpointConfig(text, "p.yaml", { branch: "release" });
    expect(config.pipeline).toMatchObject({ repository: "a/b", branch: "release", dockerfile: "ml/Dockerfile" });
  });

  it("builds a pipeline from all three flags when the file has none", () => {
    const config = parseEndpointConfig(MINIMAL_BASE, "p.yaml", { connectionArn: CONNECTION, repository: "a/b", branch: "main" });
    expect(config.pipeline?.repository).toBe("a/b");
  });

  it("checks AZs against the region only when one is given", () => {
    expect(parseEndpointConfig(MINIMAL_BASE, "r.yaml").network?.availabilityZones).toEqual(["us-east-1a", "us-east-1b"]);
    expect(parseEndpointConfig(MINIMAL_BASE, "r.yaml", { region: "us-east-1" }).kind).toBe("base");
    expect(failure(MINIMAL_BASE, "r.yaml", { region: "eu-west-1" }).issues).toHaveLength(2);
  });

  it("checks the certificate's region against --region for an added endpoint", () => {
    const text = `project: ep-b\nbase: ep-a\napi: { hostHeader: ep-b.example.com, certificateArn: "${CERTIFICATE}" }\n`;
    expect(parseEndpointConfig(text, "b.yaml").api.certificateArn).toBe(CERTIFICATE);
    expect(failure(text, "b.yaml", { region: "eu-west-1" }).issues[0]?.path).toBe("api.certificateArn");
  });
});

describe("reporting", () => {
  it("reports every problem of a file at once, each as file: path: message", () => {
    const text = `
project: Ep-A
environment: prod
network:
  vpcCidr: 10.0.0.0/16
  publicSubnets: [10.0.0.0/24, 10.9.1.0/24]
  privateSubnets: [10.0.0.0/24, 10.0.3.1/24]
  availabilityZones: [us-east-1a, eu-west-1b]
api:
  hostHeader: "*.example.com"
  port: 0
  listenerPriority: 0
container: { cpu: 256, memory: 8GB, tag: "bad tag" }
scaling: { desired: 9, min: 1, max: 4, cpuTarget: 101 }
storage: { assetsMountPath: /x, weightsMountPath: /x }
pipeline: { connectionArn: nope, repository: nope }
extra: true
`;
    const error = failure(text, "many.yaml");
    const paths = error.issues.map((issue) => issue.path).sort();
    expect(paths).toEqual(
      [
        "project",
        "network.publicSubnets[1]",
        "network.privateSubnets[0]",
        "network.privateSubnets[1]",
        "network.availabilityZones[1]",
        "api.hostHeader",
        "api.port",
        "api.listenerPriority",
        "container.memory",
        "container.tag",
        "scaling.desired",
        "scaling.cpuTarget",
        "storage.weightsMountPath",
        "pipeline.connectionArn",
        "pipeline.repository",
        "extra",
      ].sort(),
    );
    expect(error.message.split("\n")).toEqual(error.issues.map(formatIssue));
    for (const line of error.message.split("\n")) expect(line).toMatch(/^many\.yaml: [^:]+: /);
  });

  it("does not let a key named __proto__ change anything", () => {
    const error = failure(`{"project": "ep-a", "__proto__": {"polluted": true}}`, "p.json");
    expect(error.issues.some((issue) => issue.path === "__proto__" && issue.message.startsWith("unknown key"))).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("reading files", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mlops-params-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function loadFailure(file: string): Promise<InputError> {
    try {
      await loadEndpointConfig(file);
    } catch (error) {
      if (error instanceof InputError) return error;
      throw error;
    }
    throw new Error("loaded without error");
  }

  it("names a missing file", async () => {
    const file = join(dir, "missing.yaml");
    const error = await loadFailure(file);
    expect(error.message).toBe(`${file}: file not found`);
    expect(error.exitCode).toBe(2);
  });

  it("refuses a directory", async () => {
    const file = join(dir, "folder.yaml");
    await mkdir(file);
    expect((await loadFailure(file)).message).toBe(`${file}: is a directory, not a parameter file`);
  });

  it("refuses a file over 1 MiB without parsing it", async () => {
    const file = join(dir, "huge.yaml");
    const filler = `# ${"x".repeat(1000)}\n`;
    await writeFile(file, `${MINIMAL_BASE}${filler.repeat(1100)}`);
    const error = await loadFailure(file);
    expect(error.issues).toEqual([{ file, path: "", message: expect.stringContaining("larger than 1 MiB") }]);
  });

  it("refuses huge text passed directly too", () => {
    const text = JSON.stringify([{ ParameterKey: "ProjectName", ParameterValue: "x".repeat(1024 * 1024) }]);
    expect(failure(text, "huge.json").message).toContain("huge.json: file is larger than 1 MiB");
  });

  it("refuses a deeply nested JSON file with a message, not a crash", async () => {
    const file = join(dir, "deep.json");
    await writeFile(file, `${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    expect((await loadFailure(file)).message).toContain("nested more than 200 levels deep");
  });

  it("refuses a deeply nested YAML file with a message, not a crash", async () => {
    const file = join(dir, "deep.yaml");
    await writeFile(file, "[".repeat(100_000));
    expect((await loadFailure(file)).message).toMatch(/^.*deep\.yaml: line 1, column \d+: invalid YAML: nesting exceeded/);
  });

  it("loads a file that is fine", async () => {
    const file = join(dir, "ok.yaml");
    await writeFile(file, MINIMAL_BASE);
    expect((await loadEndpointConfig(file)).source).toBe(file);
  });
});
