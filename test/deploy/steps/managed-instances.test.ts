/**
 * What a rollout watch and a stopped-task report say of a service on ECS Managed Instances while an
 * instance launches and after a Spot interruption (fake: test/fakes/managed-instances.ts, which
 * names the AWS pages it follows).
 */
import { describe, expect, it } from "vitest";
import type { DeployContext } from "../../../src/deploy/context.js";
import { SPOT_INTERRUPTION_TEXT } from "../../../src/deploy/steps/managed-instances.js";
import { serviceRolloutLine, stoppedTaskReasons } from "../../../src/deploy/steps/validate.js";
import { FakeClock } from "../../fakes/clock.js";
import { FakeManagedInstancesService } from "../../fakes/managed-instances.js";

const resources = { clusterName: "ep-a-prod", serviceName: "ep-gpu-prod" };
const ctxOf = (ecs: FakeManagedInstancesService, clock: FakeClock) => ({ aws: { ecs }, clock }) as unknown as DeployContext;

describe("a rollout on ECS Managed Instances", () => {
  it("says a new task waits for an instance to launch (not stuck) until the instance is up", async () => {
    const clock = new FakeClock();
    const ecs = new FakeManagedInstancesService(clock, { launchSeconds: 240 });
    ecs.runningTask("t-old");
    ecs.startTaskOnNewInstance();
    const ctx = ctxOf(ecs, clock);
    const waiting = await serviceRolloutLine(resources.clusterName, resources.serviceName, ctx);
    expect(waiting).toContain("ECS ep-gpu-prod: 1/2 running, 1 pending");
    expect(waiting).toContain("1 task(s) waiting for ECS Managed Instances to launch an EC2 instance (PROVISIONING");
    expect(waiting).toContain("waiting, not stuck");
    // Three minutes on, still launching; past the launch the note goes.
    clock.advance(180_000);
    expect(await serviceRolloutLine(resources.clusterName, resources.serviceName, ctx)).toContain("waiting for ECS Managed Instances to launch");
    clock.advance(60_000);
    const up = await serviceRolloutLine(resources.clusterName, resources.serviceName, ctx);
    expect(up).toBe("ECS ep-gpu-prod: 2/2 running, 0 pending, rollout COMPLETED");
  });

  it("reads no tasks for a Fargate service's rollout line", async () => {
    const clock = new FakeClock();
    const ecs = new FakeManagedInstancesService(clock, { managed: false });
    ecs.startTaskOnNewInstance();
    await serviceRolloutLine(resources.clusterName, resources.serviceName, ctxOf(ecs, clock));
    expect(ecs.calls).toEqual(["describeServices"]);
  });
});

describe("a Spot interruption on ECS Managed Instances", () => {
  it("is named as a Spot interruption whose replacement is expected, not as an application crash", async () => {
    const clock = new FakeClock();
    const ecs = new FakeManagedInstancesService(clock, { launchSeconds: 240 });
    ecs.runningTask("t-1");
    ecs.interruptSpot("t-1");
    const ctx = ctxOf(ecs, clock);
    const line = await serviceRolloutLine(resources.clusterName, resources.serviceName, ctx);
    expect(line).toContain(
      "1 task(s) stopped by a Spot interruption (EC2 reclaimed the instance); the service starts replacements, as expected with compute.spot",
    );
    // The replacement waits for a new instance like any other new task.
    expect(line).toContain("1 task(s) waiting for ECS Managed Instances to launch an EC2 instance");
    const reasons = await stoppedTaskReasons(resources, ctx);
    expect(reasons).toBe(`Stopped tasks: SpotInterruption: ${SPOT_INTERRUPTION_TEXT}. `);
    expect(reasons).not.toContain("placeholder");
    expect(SPOT_INTERRUPTION_TEXT).toContain("not an application crash");
  });

  it("reads a large service's running and stopped tasks in one DescribeTasks of at most 100", async () => {
    const clock = new FakeClock();
    const ecs = new FakeManagedInstancesService(clock);
    for (let i = 0; i < 120; i++) ecs.runningTask(`t-${i}`);
    for (let i = 0; i < 12; i++) ecs.interruptSpot(`t-${i}`);
    const line = await serviceRolloutLine(resources.clusterName, resources.serviceName, ctxOf(ecs, clock));
    expect(line).toContain("10 task(s) stopped by a Spot interruption");
    expect(ecs.calls.filter((c) => c === "describeTasks")).toHaveLength(1);
  });
});
