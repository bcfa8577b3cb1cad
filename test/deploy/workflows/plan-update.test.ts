/**
 * The plan of an update against what is deployed: a configuration-only change lists what
 * changes, and not the task count the stack stops sending after the first rollout. Dropping
 * DesiredCount changes nothing on AWS ("For existing services, if a desired count is not
 * specified, it is omitted from the operation": AWS::ECS::Service DesiredCount, CloudFormation
 * User Guide), so it is no change to show.
 */
import { describe, expect, it } from "vitest";
import type { AwsClients, Stack } from "../../../src/aws/interfaces.js";
import type { DeployContext } from "../../../src/deploy/context.js";
import { chooseUpdateImage, planStack, printStackPlan } from "../../../src/deploy/workflows/plan.js";
import { loadEndpointConfig } from "../../../src/params/load.js";
import { renderEndpointStack } from "../../../src/render/render.js";
import { FakeClock } from "../../fakes/clock.js";
import { MemoryOutput } from "../../fakes/output.js";

const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000001";

describe("the plan of an update", () => {
  it("a memory-only change after the first rollout lists the task definition's memory, not DesiredCount", async () => {
    const config = await loadEndpointConfig("params/ep-a.yaml");
    // The first rollout sent the count (0 -> desired); the next render stops sending it.
    const deployed = renderEndpointStack(config, { certificateArn: CERTIFICATE, imageTag: "v1", deployedDesiredCount: 0 });
    expect(deployed.parameters.SendDesiredCount).toBe("true");
    const bigger = { ...config, container: { ...config.container, memoryMiB: config.container.memoryMiB * 2 } };
    const wanted = renderEndpointStack(bigger, { certificateArn: CERTIFICATE, imageTag: "v1", deployedDesiredCount: config.scaling.desired });
    expect(wanted.parameters.SendDesiredCount).toBe("false");

    const existing: Stack = {
      StackName: "ep-a-prod",
      StackId: "arn:aws:cloudformation:us-east-1:123456789012:stack/ep-a-prod/1",
      StackStatus: "UPDATE_COMPLETE",
      CreationTime: new Date(0),
      Parameters: Object.entries(deployed.parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
    };
    const cloudFormation = { getTemplate: async () => ({ TemplateBody: deployed.templateBody }) };
    const out = new MemoryOutput();
    const ctx = { aws: { region: "us-east-1", cloudFormation } as unknown as AwsClients, out, clock: new FakeClock(), assumeYes: true } as DeployContext;

    const plan = await planStack(wanted, existing, ctx);
    expect(plan.action).toBe("update");
    expect(plan.parameters.map((p) => p.key)).toContain("TaskRAM");
    expect(plan.changes.map((c) => c.logicalId)).toContain("TaskDefinition");
    expect(plan.changes.flatMap((c) => c.properties.map((p) => p.path))).not.toContain("DesiredCount");
    printStackPlan(plan, out);
    expect(out.lines.join("\n")).toMatch(/Memory: 2048 -> 4096/);
    expect(out.lines.join("\n")).not.toMatch(/DesiredCount/);
  });
});

describe("the image of an update given no tag", () => {
  // Every tag asked for is in ECR: only the endpoint's pipeline (or its absence) decides.
  const ecr = { describeImages: async () => ({ imageDetails: [{ imageTags: ["any"] }] }) };
  const ctx = { aws: { region: "us-east-1", ecr } as unknown as AwsClients, out: new MemoryOutput(), clock: new FakeClock(), assumeYes: true } as DeployContext;

  it("with a pipeline: git HEAD's build when it is in ECR", async () => {
    const config = await loadEndpointConfig("params/ep-a.yaml");
    expect((await chooseUpdateImage(config, "ep-a-prod", "v1", "tag-abc", ctx)).tag).toBe("tag-abc");
  });

  it("without a pipeline: the running image, a configuration-only change, and how to deploy another; git HEAD is not named", async () => {
    const config = { ...(await loadEndpointConfig("params/ep-a.yaml")), pipeline: undefined };
    const choice = await chooseUpdateImage(config, "ep-a-prod", "v1", "tag-abc", ctx);
    expect(choice.tag).toBe("v1");
    expect(choice.why).toContain("a configuration-only change");
    expect(choice.why).toContain("no --tag given");
    expect(choice.why).toContain("push it to the repository ep-a-prod, then: mlops update params/ep-a.yaml --tag TAG");
    expect(choice.why).not.toMatch(/git HEAD|tag-abc/);
  });
});
