/**
 * `update` renders its stack once, in the plan, and the apply sends that rendering: the template and
 * parameters of CreateChangeSet are the ones the plan showed. A stack changed between the plan and the
 * apply (possible only for someone without mlops, who takes no lease) is not updated from a plan that no
 * longer describes it. On the fake CloudFormation of rollout.test.ts, which resolves the real template.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type * as cfn from "@aws-sdk/client-cloudformation";
import type { AwsClients, EcrApi, Stack } from "../../../src/aws/interfaces.js";
import type { DeployContext } from "../../../src/deploy/context.js";
import { deployStack } from "../../../src/deploy/engine/stack.js";
import { sendApproved } from "../../../src/deploy/workflows/endpoint.js";
import { planUpdate } from "../../../src/deploy/workflows/plan.js";
import { AwsError } from "../../../src/errors.js";
import { loadEndpointConfig } from "../../../src/params/load.js";
import type { EndpointConfig } from "../../../src/params/model.js";
import { readTemplate, renderEndpointStack, toParameterList } from "../../../src/render/render.js";
import { FakeClock } from "../../fakes/clock.js";
import { FakeCloudFormation } from "../../fakes/cloudformation.js";
import { MemoryOutput } from "../../fakes/output.js";
import { fakeTemplateOf } from "../../fakes/template.js";

const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000001";
const OUTPUTS = { EcrRepositoryName: "ep-a-prod", ClusterName: "ep-a-prod", ServiceName: "ep-a-prod" };
const TEMPLATE = readTemplate("create-ep-a.yaml");

/** ECR with every tag present. */
const ecr = { describeImages: async () => ({ imageDetails: [{}] }) } as unknown as EcrApi;

let fake: FakeCloudFormation;
let ctx: DeployContext;
let config: EndpointConfig;

beforeEach(async () => {
  // The pipeline's part of the plan reads CodeBuild; this test is about the endpoint's stack.
  config = { ...(await loadEndpointConfig("params/ep-a.yaml")), pipeline: undefined };
  const clock = new FakeClock();
  fake = new FakeCloudFormation({ pollsPerOperation: 1, now: () => clock.now() });
  fake.defineTemplate(TEMPLATE, fakeTemplateOf(TEMPLATE, OUTPUTS));
  ctx = {
    aws: { region: "us-east-1", cloudFormation: fake, ecr } as unknown as AwsClients,
    out: new MemoryOutput(),
    clock,
    assumeYes: true,
    pollIntervalMs: 10,
  };
  await deployAs({ certificateArn: CERTIFICATE, imageTag: "v1" });
});

/** Deploys the endpoint's stack as another run would. */
async function deployAs(facts: Parameters<typeof renderEndpointStack>[1]): Promise<void> {
  const rendered = renderEndpointStack(config, facts);
  await deployStack({ ...rendered, capabilities: ["CAPABILITY_IAM"] }, { cfn: fake, out: ctx.out, clock: ctx.clock, assumeYes: true, pollIntervalMs: 10 });
}

async function stackNow(): Promise<Stack> {
  const stack = (await fake.describeStacks({ StackName: "ep-a-prod" })).Stacks?.[0];
  if (!stack) throw new Error("no stack");
  return stack;
}

const changeSets = () => fake.callsOf("createChangeSet") as cfn.CreateChangeSetInput[];

describe("the rendering update sends", () => {
  it("is the one its plan showed: same template, same parameters", async () => {
    const plan = await planUpdate({ ...config, container: { ...config.container, memoryMiB: 4096 } }, "v2", ctx);
    expect(plan.stack.action).toBe("update");
    const before = changeSets().length;
    // Given the configuration without the new memory: only the plan's rendering carries it.
    await sendApproved(config, plan, 15 * 60_000, ctx);
    const sent = changeSets().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.TemplateBody).toBe(plan.basis.rendered.templateBody);
    expect(sent[0]!.Parameters).toEqual(toParameterList(plan.basis.rendered.parameters));
    // What the plan showed as changing is what now runs.
    const deployed = Object.fromEntries(((await stackNow()).Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
    for (const change of plan.stack.parameters) expect(deployed[change.key]).toBe(change.after);
  });

  it("is not sent when the stack changed after the plan: nothing is changed, and the error says to run again", async () => {
    const plan = await planUpdate(config, "v2", ctx);
    // Someone without mlops (no lease) deploys another image between the plan and the apply.
    await deployAs({ certificateArn: CERTIFICATE, imageTag: "v9", deployedDesiredCount: config.scaling.desired });
    const before = changeSets().length;
    const error = await sendApproved(config, plan, 15 * 60_000, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).message).toContain("changed after the plan was made");
    expect((error as AwsError).hint).toContain("Run the same command again");
    expect(changeSets().length).toBe(before);
    expect((await stackNow()).Parameters?.find((p) => p.ParameterKey === "APITag")?.ParameterValue).toBe("v9");
  });
});
