/** A GPU task ECS could not place is reported with what to change (fake: test/fakes/gpu-placement.ts). */
import { describe, expect, it } from "vitest";
import type { DeployContext } from "../../../src/deploy/context.js";
import { placementAdvice } from "../../../src/deploy/steps/gpu-capacity.js";
import { stoppedTaskReasons } from "../../../src/deploy/steps/validate.js";
import { FakeGpuPlacement } from "../../fakes/gpu-placement.js";

const resources = { clusterName: "ep-a-prod", serviceName: "ep-gpu-prod" };

describe("GPU placement failures", () => {
  it("explains RESOURCE:GPU with the compute settings that widen the choice of instances", async () => {
    const ecs = new FakeGpuPlacement(["GPU", "GPU"]);
    const text = await stoppedTaskReasons(resources, { aws: { ecs } } as unknown as DeployContext);
    expect(text).toBe(`Stopped tasks: TaskFailedToStart: RESOURCE:GPU (${placementAdvice("RESOURCE:GPU")}). `);
    expect(text).toMatch(/compute\.instanceTypes .* compute\.spot off/);
    expect(text).toContain("Availability Zone");
    expect(ecs.calls.map((c) => c.method)).toEqual(["listTasks", "describeTasks"]);
  });

  it("names the container setting for RESOURCE:CPU and RESOURCE:MEMORY, and leaves other reasons as they are", async () => {
    const text = await stoppedTaskReasons(resources, { aws: { ecs: new FakeGpuPlacement(["MEMORY", "CPU"]) } } as unknown as DeployContext);
    expect(text).toContain("RESOURCE:MEMORY (no instance with enough memory for the task: lower container.memory");
    expect(text).toContain("RESOURCE:CPU (no instance with enough vCPUs for the task: lower container.cpu");
    expect(placementAdvice("Essential container in task exited")).toBeUndefined();
  });
});
