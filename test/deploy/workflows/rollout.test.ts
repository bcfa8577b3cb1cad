/**
 * Rollouts on a stateful fake CloudFormation that resolves our real template from each
 * stack's parameters, and a fake ECS service behaving as AWS documents for
 * AWS::ECS::Service: created with DesiredCount (1 when absent); on update, a declared
 * DesiredCount is sent again and resets the count, an absent one leaves it ("For existing
 * services, if a desired count is not specified, it is omitted from the operation"); a new
 * task definition starts a deployment at the count the update leaves. The emulator cannot
 * show this (autoscaling does not run, and moto skips ApplicationAutoScaling).
 */
import { beforeEach, describe, expect, it } from "vitest";
import type * as cfn from "@aws-sdk/client-cloudformation";
import type { AwsClients, Stack } from "../../../src/aws/interfaces.js";
import type { DeployContext } from "../../../src/deploy/context.js";
import { rollOut, updateEndpoint } from "../../../src/deploy/workflows/endpoint.js";
import { deployStack } from "../../../src/deploy/engine/stack.js";
import { InputError } from "../../../src/errors.js";
import { loadEndpointConfig } from "../../../src/params/load.js";
import type { EndpointConfig } from "../../../src/params/model.js";
import { readTemplate, renderEndpointStack } from "../../../src/render/render.js";
import { FakeClock } from "../../fakes/clock.js";
import { FakeCloudFormation, type AppliedResource } from "../../fakes/cloudformation.js";
import { MemoryOutput } from "../../fakes/output.js";
import { fakeTemplateOf } from "../../fakes/template.js";

const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000001";
const OUTPUTS = { EcrRepositoryName: "ep-a-prod", ClusterName: "ep-a-prod", ServiceName: "ep-a-prod" };
const TEMPLATE = readTemplate("create-ep-a.yaml");

/** The ECS service as the AWS documentation describes it; `autoscale` plays Application Auto Scaling. */
class FakeEcsService {
  desired?: number;
  private taskDefinition?: string;
  /** Deployments ECS started (a new task definition), with the count each had to reach. */
  readonly deployments: { image: string; desired: number }[] = [];
  private image = "";

  apply(applied: AppliedResource): void {
    const props = applied.props as Record<string, unknown>;
    if (applied.type === "AWS::ECS::TaskDefinition") {
      const containers = props.ContainerDefinitions as { Image: string }[];
      this.image = containers[0]?.Image ?? "";
    }
    if (applied.type !== "AWS::ECS::Service") return;
    if (applied.action === "Add") this.desired = props.DesiredCount === undefined ? 1 : Number(props.DesiredCount);
    else if (props.DesiredCount !== undefined) this.desired = Number(props.DesiredCount);
    if (props.TaskDefinition !== this.taskDefinition) {
      this.taskDefinition = String(props.TaskDefinition);
      this.deployments.push({ image: this.image, desired: this.desired ?? 0 });
    }
  }

  autoscale(count: number): void {
    this.desired = count;
  }
}

let ecs: FakeEcsService;
let fake: FakeCloudFormation;
let out: MemoryOutput;
let ctx: DeployContext;
let config: EndpointConfig;

function setUp(templateBody = TEMPLATE): void {
  ecs = new FakeEcsService();
  const clock = new FakeClock();
  fake = new FakeCloudFormation({ pollsPerOperation: 1, now: () => clock.now(), onApply: (a) => ecs.apply(a) });
  fake.defineTemplate(templateBody, fakeTemplateOf(templateBody, OUTPUTS));
  out = new MemoryOutput();
  ctx = { aws: { region: "us-east-1", cloudFormation: fake } as unknown as AwsClients, out, clock, assumeYes: true, pollIntervalMs: 10 };
}

beforeEach(async () => {
  config = await loadEndpointConfig("params/ep-a.yaml");
  setUp();
});

async function stackNow(): Promise<Stack> {
  const stack = (await fake.describeStacks({ StackName: "ep-a-prod" })).Stacks?.[0];
  if (!stack) throw new Error("no stack");
  return stack;
}

/** The first step of create-endpoint: the stack with no tasks, before any image exists. */
async function createWithoutImage(templateBody = TEMPLATE): Promise<void> {
  const rendered = renderEndpointStack(config, { certificateArn: CERTIFICATE });
  await deployStack({ ...rendered, templateBody, capabilities: ["CAPABILITY_IAM"] }, { cfn: fake, out, clock: ctx.clock, assumeYes: true, pollIntervalMs: 10 });
}

/** The parameters of every change set created (each one was executed in these tests). */
const executedParameters = (): Record<string, string>[] =>
  (fake.callsOf("createChangeSet") as cfn.CreateChangeSetInput[]).map((c) =>
    Object.fromEntries((c.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue ?? "(previous)"])),
  );

describe("the task count across rollouts", () => {
  it("the first rollout sends the image and the count in one update: one ECS deployment of 2 tasks", async () => {
    await createWithoutImage();
    expect(ecs.desired).toBe(0);
    await rollOut(config, await stackNow(), { certificateArn: CERTIFICATE, imageTag: "v1" }, 15 * 60_000, ctx);

    const [create, rollout, ...more] = executedParameters();
    expect(more).toEqual([]);
    expect(create).toMatchObject({ APITag: "no-image-yet", DesiredCount: "0", SendDesiredCount: "true" });
    expect(rollout).toMatchObject({ APITag: "v1", DesiredCount: "2", SendDesiredCount: "true" });
    // The circuit breaker judges a deployment of the image with its 2 tasks, not a count raised on its own.
    expect(ecs.deployments.at(-1)).toEqual({ image: expect.stringContaining(":v1"), desired: 2 });
    expect(ecs.desired).toBe(2);
  });

  it("an image rollout keeps a count of 4 set by autoscaling, and the resolved service leaves DesiredCount out", async () => {
    await createWithoutImage();
    await rollOut(config, await stackNow(), { certificateArn: CERTIFICATE, imageTag: "v1" }, 15 * 60_000, ctx);
    ecs.autoscale(4);

    await rollOut(config, await stackNow(), { certificateArn: CERTIFICATE, imageTag: "v2" }, 15 * 60_000, ctx);
    expect(executedParameters().at(-1)).toMatchObject({ APITag: "v2", DesiredCount: "2", SendDesiredCount: "false" });
    const service = fakeTemplateOf(TEMPLATE).resources.find((r) => r.logicalId === "Service");
    const parameters = Object.fromEntries(((await stackNow()).Parameters ?? []).map((p) => [p.ParameterKey ?? "", p.ParameterValue ?? ""]));
    expect(service?.resolve?.(parameters)).not.toHaveProperty("DesiredCount");
    expect(ecs.deployments.at(-1)).toEqual({ image: expect.stringContaining(":v2"), desired: 4 });
    expect(ecs.desired).toBe(4);
  });

  it("a changed scaling.desired is sent", async () => {
    await createWithoutImage();
    await rollOut(config, await stackNow(), { certificateArn: CERTIFICATE, imageTag: "v1" }, 15 * 60_000, ctx);
    ecs.autoscale(4);
    config = { ...config, scaling: { ...config.scaling, desired: 3 } };
    await rollOut(config, await stackNow(), { certificateArn: CERTIFICATE, imageTag: "v2" }, 15 * 60_000, ctx);
    expect(executedParameters().at(-1)).toMatchObject({ DesiredCount: "3", SendDesiredCount: "true" });
    expect(ecs.desired).toBe(3);
    // The next rollout compares with 3 and leaves the count alone again.
    ecs.autoscale(4);
    await rollOut(config, await stackNow(), { certificateArn: CERTIFICATE, imageTag: "v3" }, 15 * 60_000, ctx);
    expect(ecs.desired).toBe(4);
  });

  it("(the fake models AWS: a template that always declares DesiredCount resets the autoscaled count)", async () => {
    const always = TEMPLATE.replace("!If [SetDesiredCount, !Ref DesiredCount, !Ref AWS::NoValue]", "!Ref DesiredCount");
    expect(always).not.toBe(TEMPLATE);
    setUp(always);
    await createWithoutImage(always);
    const first = renderEndpointStack(config, { certificateArn: CERTIFICATE, imageTag: "v1", deployedDesiredCount: 0 });
    await deployStack(
      { ...first, templateBody: always, capabilities: ["CAPABILITY_IAM"] },
      { cfn: fake, out, clock: ctx.clock, assumeYes: true, pollIntervalMs: 10 },
    );
    ecs.autoscale(4);
    const second = renderEndpointStack(config, { certificateArn: CERTIFICATE, imageTag: "v2", deployedDesiredCount: 2 });
    await deployStack(
      { ...second, templateBody: always, capabilities: ["CAPABILITY_IAM"] },
      { cfn: fake, out, clock: ctx.clock, assumeYes: true, pollIntervalMs: 10 },
    );
    expect(ecs.desired).toBe(2);
  });
});

describe("changes CloudFormation cannot make", () => {
  it("update refuses a new api.port on a deployed endpoint with exit 2, before any change", async () => {
    await createWithoutImage();
    await rollOut(config, await stackNow(), { certificateArn: CERTIFICATE, imageTag: "v1" }, 15 * 60_000, ctx);
    const writes = fake.calls.length;
    const moved = { ...config, api: { ...config.api, port: 9000 } };
    const error = await updateEndpoint(moved, { tag: "v2", rolloutTimeoutMs: 60_000 }, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(2);
    expect((error as InputError).message).toContain(
      "api.port: is 8000 on the deployed endpoint ep-a-prod; changing it to 9000 would replace the target group's port",
    );
    expect((error as InputError).hint).toContain("mlops teardown");
    // One read of the stack, nothing else.
    expect(fake.calls.slice(writes).map((c) => c.method)).toEqual(["describeStacks"]);
  });

  it("a new network.vpcCidr on a deployed base is refused the same way", async () => {
    await createWithoutImage();
    const network = config.network;
    if (!network) throw new Error("ep-a is a base endpoint");
    const moved = {
      ...config,
      network: {
        ...network,
        vpcCidr: "10.1.0.0/16",
        publicSubnets: ["10.1.0.0/24", "10.1.1.0/24"] as [string, string],
        privateSubnets: ["10.1.2.0/24", "10.1.3.0/24"] as [string, string],
      },
    };
    const error = await updateEndpoint(moved, { tag: "v2", rolloutTimeoutMs: 60_000 }, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain(
      "network.vpcCidr: is 10.0.0.0/16 on the deployed endpoint ep-a-prod; changing it to 10.1.0.0/16 would replace the VPC",
    );
    expect(fake.callsOf("createChangeSet")).toHaveLength(1);
  });

  it("the stack step refuses a change set that replaces a custom-named resource, naming the field, and deletes the change set", async () => {
    await createWithoutImage();
    const moved = { ...config, api: { ...config.api, port: 9000 } };
    const rendered = renderEndpointStack(moved, { certificateArn: CERTIFICATE, deployedDesiredCount: 0 });
    const error = await deployStack(
      { ...rendered, capabilities: ["CAPABILITY_IAM"], fieldOfParameter: (p) => (p === "ApiPort" ? "api.port" : undefined) },
      { cfn: fake, out, clock: ctx.clock, assumeYes: true, pollIntervalMs: 10 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(
      /^api\.port: changing it replaces TargetGroup \(AWS::ElasticLoadBalancingV2::TargetGroup\) \(create-only: Port\), and CloudFormation cannot replace a resource with a fixed Name/,
    );
    expect(fake.callsOf("executeChangeSet")).toHaveLength(1);
    expect(fake.callsOf("deleteChangeSet")).toHaveLength(1);
    // The change table names the property behind each replacement.
    const table = out.lines.join("\n");
    expect(table).toMatch(/TargetGroup\s+AWS::ElasticLoadBalancingV2::TargetGroup\s+True\s+<-- REPLACED\s+Port \(parameter ApiPort\)/);
  });

  it("a new task definition revision names its cause and is not warned about: it is how an image rolls out", async () => {
    await createWithoutImage();
    await rollOut(config, await stackNow(), { certificateArn: CERTIFICATE, imageTag: "v1" }, 15 * 60_000, ctx);
    await rollOut(config, await stackNow(), { certificateArn: CERTIFICATE, imageTag: "v2" }, 15 * 60_000, ctx);
    const text = out.lines.join("\n");
    expect(text).toMatch(/TaskDefinition \(AWS::ECS::TaskDefinition\): a new revision \(changed: ContainerDefinitions \(parameter APITag\)\)/);
    expect(out.lines.filter((l) => l.startsWith("warn:") && l.includes("TaskDefinition"))).toEqual([]);
  });
});

describe("a rollout that ECS rolls back", () => {
  /** ECS and CloudWatch as the API references describe them after a failed deployment. */
  function judges(options: { alarm?: string; stoppedReason?: string }) {
    const ecsApi = {
      listServiceDeployments: async () => ({ serviceDeployments: [{ serviceDeploymentArn: "arn:dep/1" }] }),
      describeServiceDeployments: async () => ({
        serviceDeployments: [
          { status: "ROLLBACK_SUCCESSFUL", ...(options.alarm ? { alarms: { status: "TRIGGERED", triggeredAlarmNames: [options.alarm] } } : {}) },
        ],
      }),
      listTasks: async () => ({ taskArns: options.stoppedReason ? ["arn:task/1"] : [] }),
      describeTasks: async () => ({ tasks: [{ stoppedReason: options.stoppedReason }] }),
    };
    const cloudWatch = {
      describeAlarms: async () => ({
        MetricAlarms: options.alarm
          ? [{ AlarmName: options.alarm, StateValue: "ALARM", StateReason: "Threshold Crossed: 2 datapoints were greater than 5.0" }]
          : [],
      }),
    };
    ctx.aws = { ...ctx.aws, ecs: ecsApi, cloudWatch } as unknown as AwsClients;
  }

  async function failingRollout(reason: string): Promise<Error> {
    await createWithoutImage();
    await rollOut(config, await stackNow(), { certificateArn: CERTIFICATE, imageTag: "v1" }, 15 * 60_000, ctx);
    const failing = fakeTemplateOf(TEMPLATE, OUTPUTS);
    const service = failing.resources.find((r) => r.logicalId === "Service");
    if (service) service.fail = reason;
    fake.defineTemplate(TEMPLATE, failing);
    return rollOut(config, await stackNow(), { certificateArn: CERTIFICATE, imageTag: "v2" }, 15 * 60_000, ctx).then(
      () => new Error("the rollout succeeded"),
      (error: Error) => error,
    );
  }

  it("names the alarm that fired and says the stack runs the previous image again", async () => {
    judges({ alarm: "ep-a-prod-target-5xx" });
    const error = await failingRollout("Service deployment failed: alarm ep-a-prod-target-5xx in ALARM.");
    expect(error.message).toContain(
      "The rollout of v2 on ep-a-prod was rolled back by the alarm ep-a-prod-target-5xx (Threshold Crossed: 2 datapoints were greater than 5.0); the stack was rolled back and runs v1 again.",
    );
  });

  it("without an alarm, names the stopped tasks' reasons (the circuit breaker)", async () => {
    judges({ stoppedReason: "Essential container in task exited" });
    const error = await failingRollout("Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'.");
    expect(error.message).toContain("ECS Deployment Circuit Breaker was triggered");
    expect(error.message).toContain("Stopped tasks: Essential container in task exited.");
  });
});
