/**
 * The emulator correction sub-parameter-diff (moto gap 2), shown through the AWS SDK for JavaScript v3: the
 * corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an emulator started
 * without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { UpdateStackCommand } from "@aws-sdk/client-cloudformation";
import { DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { ecsTemplate } from "../fixtures.js";
import { type Aws, createStack, describeService, emulatorWithout, main, parameters, stackResources, uniqueName, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("sub-parameter-diff (moto gap 2)", () => {
  async function updateTag(a: Aws) {
    const name = uniqueName("s");
    await createStack(a, name, ecsTemplate(), { APITag: "v1", DesiredCount: 1 });
    const made = await stackResources(a, name);
    await a.cf.send(new UpdateStackCommand({ StackName: name, UsePreviousTemplate: true, Parameters: parameters({ APITag: "v2", DesiredCount: 1 }) }));
    const service = await describeService(a, made.Cluster!, made.Service!);
    const described = await a.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition! }));
    return { made, service, taskDefinition: described.taskDefinition! };
  }

  it("updating the image tag (only in Fn::Sub) registers a new revision and the service uses it", async () => {
    const { made, service, taskDefinition } = await updateTag(main);
    expect(taskDefinition.revision).toBe(2);
    expect(taskDefinition.containerDefinitions?.[0]?.image).toMatch(/:v2$/);
    expect(service.deployments?.[0]?.taskDefinition).toBe(taskDefinition.taskDefinitionArn);
    const old = await main.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: made.TaskDef! }));
    expect(old.taskDefinition?.status).toBe("INACTIVE");
  });

  it("without it, the stack's parameter changes but the task definition stays at revision 1", async () => {
    const { taskDefinition } = await updateTag(withoutState);
    expect(taskDefinition.revision).toBe(1);
  });
});
