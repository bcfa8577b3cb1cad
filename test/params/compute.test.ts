/** The compute section: GPU and Neuron endpoints on ECS Managed Instances, checked before any AWS call. */
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { ACCELERATOR_INSTANCES, gpuRolloutLimits } from "../../src/params/gpu-instances.js";
import { parseEndpointConfig } from "../../src/params/load.js";

const ADDED = `project: ep-g
base: ep-a
api: {hostHeader: ep-g.example.com}
`;

/** The issues (path: message) of a file, or [] when it loads. */
function issuesOf(text: string, region?: string): string[] {
  try {
    parseEndpointConfig(text, "ep-g.yaml", region === undefined ? {} : { region, regionSource: "--region" });
    return [];
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
}

describe("compute", () => {
  it("leaves a Fargate endpoint's configuration as it was (no compute)", () => {
    const config = parseEndpointConfig(ADDED, "ep-g.yaml");
    expect(config.compute).toBeUndefined();
  });

  it("loads a GPU endpoint with its defaults", () => {
    const config = parseEndpointConfig(
      `${ADDED}container: {cpu: 2048, memory: 8GB}\ncompute: {type: gpu, instanceTypes: [g6.xlarge, g5.xlarge]}\n`,
      "ep-g.yaml",
    );
    expect(config.compute).toEqual({ type: "gpu", gpus: 1, instanceTypes: ["g6.xlarge", "g5.xlarge"], spot: false, rootVolumeGiB: 100 });
  });

  it("gives a GPU endpoint a grace period of minutes unless the file sets one", () => {
    const gpu = `${ADDED}container: {cpu: 2048, memory: 8GB}\ncompute: {type: gpu}\n`;
    expect(parseEndpointConfig(gpu, "ep-g.yaml").rollout.healthCheckGracePeriodSeconds).toBe(600);
    expect(parseEndpointConfig(`${gpu}rollout: {healthCheckGracePeriodSeconds: 90}\n`, "ep-g.yaml").rollout.healthCheckGracePeriodSeconds).toBe(90);
    expect(parseEndpointConfig(ADDED, "ep-g.yaml").rollout.healthCheckGracePeriodSeconds).toBe(60);
  });

  it("replaces a GPU endpoint's tasks one at a time in place unless the file sets the rollout limits", () => {
    const limits = (extra: string) => {
      const { maximumPercent, minimumHealthyPercent } = parseEndpointConfig(`${ADDED}compute: {type: gpu}\n${extra}`, "ep-g.yaml").rollout;
      return { maximumPercent, minimumHealthyPercent };
    };
    // One task at the fewest: in place would leave none serving, so a rollout starts an extra instance.
    expect(limits("")).toEqual({ maximumPercent: 200, minimumHealthyPercent: 100 });
    expect(limits("scaling: {desired: 2, min: 2}\n")).toEqual({ maximumPercent: 100, minimumHealthyPercent: 50 });
    expect(limits("scaling: {desired: 4, min: 3, max: 6}\n")).toEqual({ maximumPercent: 100, minimumHealthyPercent: 66 });
    // The fewest tasks autoscaling keeps decides, not the desired count: a rollout may find only scaling.min running.
    expect(limits("scaling: {desired: 4, min: 1, max: 6}\n")).toEqual({ maximumPercent: 200, minimumHealthyPercent: 100 });
    // Either limit in the file is the user's choice: neither is defaulted then.
    expect(limits("scaling: {desired: 2, min: 2}\nrollout: {maximumPercent: 150}\n")).toEqual({ maximumPercent: 150, minimumHealthyPercent: 100 });
    expect(limits("scaling: {desired: 2, min: 2}\nrollout: {minimumHealthyPercent: 0}\n")).toEqual({ maximumPercent: 200, minimumHealthyPercent: 0 });
    // Blue/green, canary and linear start a whole second revision: the in-place limits are for rolling updates only.
    expect(limits("scaling: {desired: 2, min: 2}\nrollout: {strategy: canary}\n")).toEqual({ maximumPercent: 200, minimumHealthyPercent: 100 });
    expect(parseEndpointConfig(`${ADDED}scaling: {desired: 2, min: 2}\n`, "ep-g.yaml").rollout).toMatchObject({
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    });
  });

  it("keeps at least one task serving and frees one at any count from the fewest up (ECS rounds the minimum up)", () => {
    for (let fewest = 2; fewest <= 60; fewest++) {
      const { minimumHealthyPercent } = gpuRolloutLimits(fewest);
      for (let count = fewest; count <= 5 * fewest; count++) {
        const serving = Math.ceil((count * minimumHealthyPercent) / 100);
        expect(serving, `${count} tasks, minimum ${minimumHealthyPercent}`).toBeGreaterThanOrEqual(1);
        expect(count - serving, `${count} tasks, minimum ${minimumHealthyPercent}`).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it("drops the Fargate CPU/memory pair rule for a GPU endpoint", () => {
    // 1 vCPU with 12 GB is no Fargate size.
    expect(issuesOf(`${ADDED}container: {cpu: 1024, memory: 12GB}\n`)).toEqual([expect.stringMatching(/^container\.memory: .*not a Fargate size/)]);
    expect(issuesOf(`${ADDED}container: {cpu: 1024, memory: 12GB}\ncompute: {type: gpu, instanceTypes: [g6.xlarge]}\n`)).toEqual([]);
  });

  it("takes any task CPU size within the instance for a GPU endpoint, not a Fargate size", () => {
    // g5.4xlarge: 16 vCPUs, 64 GiB. 6 vCPUs is no Fargate size; on EC2 capacity any whole number of units is
    // (RegisterTaskDefinition `cpu`, 128 to 196608 units).
    const sized = (cpu: string, memory: string, extra = "") =>
      `${ADDED}container: {cpu: ${cpu}, memory: ${memory}}\ncompute: {type: gpu, instanceTypes: [g5.4xlarge]${extra}}\n`;
    expect(parseEndpointConfig(sized("6144", "30GB"), "ep-g.yaml").container).toMatchObject({ cpu: 6144, memoryMiB: 30720 });
    expect(parseEndpointConfig(sized('"6 vCPU"', "30GB"), "ep-g.yaml").container.cpu).toBe(6144);
    expect(parseEndpointConfig(sized("3000", "20000"), "ep-g.yaml").container).toMatchObject({ cpu: 3000, memoryMiB: 20000 });
    expect(parseEndpointConfig(sized("16384", "60GB"), "ep-g.yaml").container.cpu).toBe(16384);
    // A Neuron endpoint runs on the same EC2 capacity.
    const neuron = `${ADDED}container: {cpu: 6144, memory: 30GB}\ncompute: {type: neuron, instanceTypes: [inf2.8xlarge]}\n`;
    expect(parseEndpointConfig(neuron, "ep-g.yaml").container.cpu).toBe(6144);
  });

  it("refuses a GPU task's CPU or memory beyond its instance type, naming the field and the instance's size", () => {
    const sized = (cpu: string, memory: string) => `${ADDED}container: {cpu: ${cpu}, memory: ${memory}}\ncompute: {type: gpu, instanceTypes: [g5.4xlarge]}\n`;
    expect(issuesOf(sized("20480", "30GB"))).toEqual(["compute.instanceTypes[0]: g5.4xlarge has 16 vCPUs (16384 CPU units), fewer than container.cpu (20480)"]);
    expect(issuesOf(sized("6144", "64GB"))).toEqual([
      "compute.instanceTypes[0]: g5.4xlarge has 64 GiB of memory, which must be more than container.memory (64 GB) (the ECS agent and operating system use some)",
    ]);
    expect(issuesOf(sized("6144", "80GB"))).toEqual([expect.stringMatching(/^compute\.instanceTypes\[0\]: g5\.4xlarge has 64 GiB of memory/)]);
    // The attribute ranges bound it too.
    const ranged = `${ADDED}container: {cpu: 6144, memory: 30GB}\ncompute: {type: gpu, instanceRequirements: {vcpus: {max: 4}, memoryGiB: {max: 16}}}\n`;
    expect(issuesOf(ranged)).toEqual([
      "compute.instanceRequirements.vcpus.max: 4 vCPUs (4096 CPU units) is below container.cpu (6144)",
      "compute.instanceRequirements.memoryGiB.max: 16 GiB must be more than container.memory (30 GB)",
    ]);
  });

  it("refuses a GPU task CPU outside what ECS accepts on EC2 capacity, naming container.cpu", () => {
    const gpu = (cpu: string) => `${ADDED}container: {cpu: ${cpu}, memory: 8GB}\ncompute: {type: gpu}\n`;
    const usage = 'use CPU units from 128 to 196608 (1024 = 1 vCPU; "0.125 vCPU" to "192 vCPU" also accepted)';
    expect(issuesOf(gpu("100"))).toEqual([`container.cpu: 100 is not a task CPU size on ECS Managed Instances; ${usage}`]);
    expect(issuesOf(gpu("200000"))).toEqual([`container.cpu: 200000 is not a task CPU size on ECS Managed Instances; ${usage}`]);
    expect(issuesOf(gpu('"lots"'))).toEqual([`container.cpu: "lots" is not a task CPU size on ECS Managed Instances; ${usage}`]);
    expect(issuesOf(gpu('"0.3 vCPU"'))).toEqual([`container.cpu: "0.3 vCPU" is 307.2 CPU units, not a whole number; ${usage}`]);
    expect(issuesOf(gpu("128"))).toEqual([]);
    expect(issuesOf(gpu('"0.125 vCPU"'))).toEqual([]);
  });

  it("keeps Fargate's CPU sizes and message for a Fargate endpoint", () => {
    const message = "container.cpu: 6144 is not a Fargate CPU size; use one of 256, 512, 1024, 2048, 4096, 8192, 16384 (1024 = 1 vCPU)";
    expect(issuesOf(`${ADDED}container: {cpu: 6144, memory: 30GB}\n`)).toEqual([message]);
    expect(issuesOf(`${ADDED}container: {cpu: 6144, memory: 30GB}\ncompute: {type: fargate}\n`)).toEqual([message]);
    // An unknown compute type is reported, and the CPU is held to Fargate's sizes meanwhile.
    expect(issuesOf(`${ADDED}container: {cpu: 6144, memory: 30GB}\ncompute: {type: gpus}\n`)).toEqual([
      expect.stringMatching(/^container\.cpu: 6144 is not a Fargate CPU size/),
      expect.stringMatching(/^compute\.type: /),
    ]);
  });

  it("names the field when the GPU count exceeds an instance type's", () => {
    expect(issuesOf(`${ADDED}compute: {type: gpu, gpus: 2, instanceTypes: [g5.12xlarge, g6.xlarge]}\n`)).toEqual([
      "compute.instanceTypes[1]: g6.xlarge has 1 GPU(s), fewer than compute.gpus (2): name a larger type (or lower compute.gpus)",
    ]);
  });

  it("refuses a task larger than the instance type", () => {
    const issues = issuesOf(`${ADDED}container: {cpu: 8192, memory: 16GB}\ncompute: {type: gpu, instanceTypes: [g5.xlarge]}\n`);
    expect(issues).toEqual([
      expect.stringMatching(/^compute\.instanceTypes\[0\]: g5\.xlarge has 4 vCPUs .* container\.cpu \(8192\)/),
      expect.stringMatching(/^compute\.instanceTypes\[0\]: g5\.xlarge has 16 GiB of memory/),
    ]);
  });

  it("refuses unknown types and types of the other accelerator kind", () => {
    const issues = issuesOf(`${ADDED}compute: {type: neuron, instanceTypes: [g6.xlarge, x9.large, inf2.24xlarge]}\n`);
    expect(issues).toEqual([
      expect.stringMatching(/^compute\.instanceTypes\[0\]: g6\.xlarge has GPUs, not Neuron devices/),
      expect.stringMatching(
        /^compute\.instanceTypes\[1\]: "x9\.large" is not in mlops's table of Neuron instance types \(families inf2; https:\/\/docs\.aws\.amazon\.com/,
      ),
      expect.stringMatching(/^compute\.instanceTypes\[2\]: inf2\.24xlarge has 6 Neuron device\(s\) and a Neuron task gets all/),
    ]);
  });

  it("checks attribute-based ranges against the task", () => {
    const issues = issuesOf(
      `${ADDED}compute:\n  type: gpu\n  gpus: 4\n  instanceRequirements: {acceleratorCount: {max: 2}, vcpus: {min: 8, max: 4}, acceleratorManufacturers: [amazon-web-services]}\n`,
    );
    expect(issues).toEqual([
      "compute.instanceRequirements.vcpus.max: 4 is below compute.instanceRequirements.vcpus.min (8)",
      "compute.instanceRequirements.acceleratorCount.max: 2 is below compute.gpus (4): no instance it allows could run a task",
      expect.stringMatching(/^compute\.instanceRequirements\.acceleratorManufacturers\[0\]: amazon-web-services makes no GPUs/),
    ]);
  });

  it("refuses GPU settings on a Fargate endpoint", () => {
    expect(issuesOf(`${ADDED}compute: {gpus: 2}\n`)).toEqual([
      expect.stringMatching(/^compute\.gpus: applies to GPU and Neuron endpoints only, but compute\.type \(fargate, its default\)/),
    ]);
  });

  it("refuses a region without ECS Managed Instances", () => {
    expect(issuesOf(`${ADDED}compute: {type: gpu}\n`, "eu-isoe-west-1")).toEqual([
      expect.stringMatching(/^compute\.type: Amazon ECS Managed Instances, .* not offered in eu-isoe-west-1/),
    ]);
    expect(issuesOf(`${ADDED}compute: {type: gpu}\n`, "us-east-1")).toEqual([]);
  });

  it("keeps a table whose every entry has accelerators, vCPUs and memory", () => {
    for (const [type, instance] of ACCELERATOR_INSTANCES) {
      expect(instance.accelerators, type).toBeGreaterThan(0);
      expect(instance.vcpus * 1024, type).toBeGreaterThanOrEqual(4096);
      expect(instance.memoryGiB, type).toBeGreaterThanOrEqual(16);
    }
  });

  it("holds the numbers AWS publishes, and no size AWS's pages were not found to state", () => {
    // EC2 User Guide "Hardware specifications" and AWS Batch "Run GPU jobs"; AWS Neuron "Amazon EC2 Inf2 Architecture".
    const row = (type: string) => {
      const i = ACCELERATOR_INSTANCES.get(type);
      return i && [i.accelerators, i.acceleratorMemoryGiB, i.vcpus, i.memoryGiB];
    };
    expect(row("g4dn.12xlarge")).toEqual([4, 16, 48, 192]);
    expect(row("g5.48xlarge")).toEqual([8, 24, 192, 768]);
    expect(row("g6.16xlarge")).toEqual([1, 24, 64, 256]);
    expect(row("p4d.24xlarge")).toEqual([8, 40, 96, 1152]);
    expect(row("inf2.48xlarge")).toEqual([12, 32, 192, 768]);
    for (const type of ["g6.12xlarge", "g6.48xlarge", "g6e.xlarge", "p5.48xlarge"]) expect(ACCELERATOR_INSTANCES.has(type), type).toBe(false);
  });
});
