/**
 * The emulator correction target-health (moto gap 3), shown through the AWS SDK for JavaScript v3: the corrected
 * behaviour on the shared emulator (all corrections), and the wrong behaviour on an emulator started without it,
 * so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { CONTAINER_PORT, ecsTemplate } from "../fixtures.js";
import {
  type Aws,
  createStack,
  describeService,
  emulatorWithout,
  fargateService,
  healthyTargets,
  main,
  stackResources,
  uniqueName,
  WITHOUT_RESOURCE_STATE,
} from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("target-health (moto gap 3)", () => {
  it("the target group reports one healthy target per running task, in the service's subnets", async () => {
    const made = await fargateService(main, 2);
    const targets = await healthyTargets(main, made.targetGroupArn);
    expect(targets).toHaveLength(2);
    for (const target of targets) {
      expect(target.Target?.Id).toMatch(/^10\.9\.[12]\.\d+$/);
      expect(target.Target?.Port).toBe(CONTAINER_PORT);
    }
    await main.ecs.send(new UpdateServiceCommand({ cluster: made.cluster, service: made.service, desiredCount: 1 }));
    expect(await healthyTargets(main, made.targetGroupArn)).toHaveLength(1);
  });

  it("a stack's service registers its tasks in its target group", async () => {
    const name = uniqueName("t");
    await createStack(main, name, ecsTemplate(), { DesiredCount: 3 });
    const made = await stackResources(main, name);
    expect(await healthyTargets(main, made.Tg!)).toHaveLength(3);
  });

  it("without it, the target group has no targets", async () => {
    const made = await fargateService(withoutState, 2);
    await withoutState.ecs.send(new UpdateServiceCommand({ cluster: made.cluster, service: made.service, desiredCount: 2 }));
    expect((await describeService(withoutState, made.cluster, made.service)).runningCount).toBe(2);
    expect(await healthyTargets(withoutState, made.targetGroupArn)).toEqual([]);
  });
});
