/** The plan's capacity lines of a GPU endpoint: instances, GPUs per task, price (or "price unknown"), extra rollout instances. */
import { describe, expect, it } from "vitest";
import { loadEndpointConfig, parseEndpointConfig } from "../../../src/params/load.js";
import { capacityLines, GPU_ASSUMPTIONS, gpuAssumptionsOf } from "../../../src/deploy/engine/gpu-plan.js";
import { estimateRollout, rolloutSettingsOf } from "../../../src/deploy/engine/rollout-time.js";
import { rolloutEstimate } from "../../../src/deploy/workflows/plan-parameters.js";

describe("capacityLines", () => {
  it("says nothing for a Fargate endpoint", async () => {
    expect(capacityLines(await loadEndpointConfig("params/ep-b.yaml"), "us-east-1")).toEqual([]);
  });

  it("names the instance types, GPUs per task, On-Demand, the price table's price (the Cost line's) or unknown, and one extra instance for a rolling update", async () => {
    const config = await loadEndpointConfig("params/ep-gpu.yaml");
    expect(capacityLines(config, "us-east-1")).toEqual([
      "Capacity: ECS Managed Instances, On-Demand; 1 GPU per task; instances: g6.xlarge, g5.xlarge; root volume 100 GiB",
      "Price: g6.xlarge price unknown; g5.xlarge $1.006/h On-Demand in us-east-1 (https://aws.amazon.com/ec2/pricing/on-demand/, as of 2026-12-07); ECS Managed Instances adds its management fee per instance-hour (https://aws.amazon.com/ecs/pricing/)",
      expect.stringMatching(/^Rollout capacity: up to 1 extra task\(s\) beside the running ones, so ECS launches up to 1 extra instance\(s\)/),
    ]);
  });

  it("prices an instance type only in a region the price table holds it for", async () => {
    const config = await loadEndpointConfig("params/ep-gpu.yaml");
    expect(capacityLines(config, "eu-north-1")[1]).toMatch(/^Price: g6.xlarge price unknown; g5.xlarge price unknown;/);
  });

  it("counts tasks per instance, Spot, attribute selection and in-place rollouts", () => {
    const base = "project: ep-g\nbase: ep-a\napi: {hostHeader: ep-g.example.com}\n";
    const packed = parseEndpointConfig(`${base}scaling: {desired: 4, max: 4}\ncompute: {type: gpu, instanceTypes: [g5.12xlarge], spot: true}\n`, "g.yaml");
    expect(capacityLines(packed, "us-east-1")[0]).toMatch(/^Capacity: ECS Managed Instances, Spot \(EC2 may reclaim/);
    // 4 extra tasks, 4 GPUs per g5.12xlarge: one extra instance.
    expect(capacityLines(packed, "us-east-1")[2]).toMatch(
      /up to 4 extra task\(s\) .* up to 1 extra instance\(s\) for the length of the rollout \(4 task\(s\) per instance\)/,
    );
    const attributes = parseEndpointConfig(
      `${base}compute: {type: gpu, gpus: 2, instanceRequirements: {acceleratorNames: [l4], vcpus: {min: 8, max: 48}}}\n`,
      "g.yaml",
    );
    expect(capacityLines(attributes, "us-east-1")[0]).toContain("instances: any type with nvidia accelerators >= 2, models l4, vCPUs 8-48");
    expect(capacityLines(attributes, "us-east-1")[1]).toMatch(/^Price: price unknown \(instances chosen by attributes\)/);
    const inPlace = parseEndpointConfig(`${base}compute: {type: gpu}\nrollout: {minimumHealthyPercent: 0, maximumPercent: 100}\n`, "g.yaml");
    expect(capacityLines(inPlace, "us-east-1")[2]).toMatch(/^Rollout capacity: no extra instance/);
  });

  it("says a rollout of the default GPU limits starts no extra instance from 2 tasks up, and one with a single task", () => {
    const base = "project: ep-g\nbase: ep-a\napi: {hostHeader: ep-g.example.com}\ncompute: {type: gpu, instanceTypes: [g6.xlarge]}\n";
    const three = parseEndpointConfig(`${base}scaling: {desired: 3, min: 3}\n`, "g.yaml");
    expect(capacityLines(three, "us-east-1")[2]).toBe(
      "Rollout capacity: no extra instance: maximumPercent 100 and minimumHealthyPercent 66 replace 1 of 3 task(s) at a time in place, 2 keep serving",
    );
    const one = parseEndpointConfig(base, "g.yaml");
    expect(capacityLines(one, "us-east-1")[2]).toMatch(
      /^Rollout capacity: up to 1 extra task\(s\) .* up to 1 extra instance\(s\) .*needs scaling.min 2 or more/,
    );
  });

  it("models in-place replacement one task at a time without an instance launch", () => {
    const base = "project: ep-g\nbase: ep-a\napi: {hostHeader: ep-g.example.com}\ncompute: {type: gpu, instanceTypes: [g6.xlarge]}\n";
    const three = parseEndpointConfig(`${base}scaling: {desired: 3, min: 3}\n`, "g.yaml");
    const a = gpuAssumptionsOf(three);
    expect(a.taskStartSeconds).toBe(GPU_ASSUMPTIONS.imagePullSeconds);
    const e = estimateRollout(rolloutSettingsOf(three), a);
    expect({ tasksPerWave: e.tasksPerWave, waves: e.waves }).toEqual({ tasksPerWave: 1, waves: 3 });
    expect(rolloutEstimate(three)).toContain("Assumed for a GPU task: no new instance (tasks replaced in place), a 10 GB CUDA image pulled in ~4 min");
    expect(rolloutEstimate(three)).toContain("x3 waves");
    const one = parseEndpointConfig(base, "g.yaml");
    expect(gpuAssumptionsOf(one)).toEqual(GPU_ASSUMPTIONS);
    expect(rolloutEstimate(one)).toContain("Assumed for a GPU task: a new instance ready in ~3 min");
    // The launch time is mlops's assumption; the plan names the AWS page that documents the wait, not its length.
    expect(rolloutEstimate(one)).toContain(
      "a task waits in PROVISIONING while its instance launches; AWS gives no launch time, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html",
    );
  });
});
