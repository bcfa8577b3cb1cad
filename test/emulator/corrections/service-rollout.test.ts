/**
 * The emulator correction service-rollout (moto gap 3), shown through the AWS SDK for JavaScript v3: the
 * corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an emulator started
 * without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { type Aws, describeService, emulatorWithout, fargateService, main, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("service-rollout (moto gap 3)", () => {
  it("a service reports running = desired and a COMPLETED primary deployment for its task definition", async () => {
    const made = await fargateService(main, 2);
    const first = await describeService(main, made.cluster, made.service);
    expect(first.runningCount).toBe(2);
    expect(first.deployments).toHaveLength(1);
    expect(first.deployments?.[0]).toMatchObject({ status: "PRIMARY", rolloutState: "COMPLETED", runningCount: 2 });

    const next = await made.register("v2");
    await main.ecs.send(
      new UpdateServiceCommand({ cluster: made.cluster, service: made.service, taskDefinition: next.taskDefinition!.taskDefinitionArn!, desiredCount: 3 }),
    );
    const updated = await describeService(main, made.cluster, made.service);
    expect(updated.runningCount).toBe(3);
    expect(updated.deployments?.[0]).toMatchObject({
      status: "PRIMARY",
      rolloutState: "COMPLETED",
      taskDefinition: next.taskDefinition!.taskDefinitionArn,
      desiredCount: 3,
      runningCount: 3,
    });
    expect(updated.deployments?.[0]?.id).not.toBe(first.deployments?.[0]?.id);
  });

  it("without it, the service never runs its tasks and its deployment stays IN_PROGRESS", async () => {
    const made = await fargateService(withoutState, 2);
    const service = await describeService(withoutState, made.cluster, made.service);
    expect(service.runningCount).toBe(0);
    expect(service.deployments?.[0]?.rolloutState).toBe("IN_PROGRESS");
  });
});
