/**
 * The emulator corrections behind rollout strategies and alarms (ecs-properties, alarm-resources, service-
 * deployments, deployment-alarms), shown through the AWS SDK for JavaScript v3: the corrected behaviour on the
 * shared emulator (all corrections), and the wrong behaviour on an emulator started without it, so that each
 * test can fail.
 */
import { describe, expect, it } from "vitest";
import { DescribeStackEventsCommand } from "@aws-sdk/client-cloudformation";
import {
  DescribeTaskDefinitionCommand,
  ListServiceDeploymentsCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
} from "@aws-sdk/client-ecs";
import { DescribeAlarmsCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { canaryTemplate } from "../fixtures.js";
import {
  type Aws,
  describeService,
  describeStack,
  emulatorWithout,
  main,
  stackResources,
  throughChangeSet,
  uniqueName,
  WITHOUT_RESOURCE_STATE,
  WITHOUT_ROLLOUT_JUDGES,
} from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));
let withoutJudges: Aws;
emulatorWithout(WITHOUT_ROLLOUT_JUDGES, (a) => (withoutJudges = a));

describe("rollout strategies and alarms (ecs-properties, alarm-resources, service-deployments, deployment-alarms)", () => {
  async function canary(a: Aws) {
    const name = uniqueName("c");
    await throughChangeSet(a, name, "CREATE", { body: canaryTemplate(), values: { APITag: "v1", DesiredCount: 1 } });
    const made = await stackResources(a, name);
    return { name, made, service: await describeService(a, made.Cluster!, made.Service!) };
  }

  async function image(a: Aws, cluster: string, service: string): Promise<string | undefined> {
    const s = await describeService(a, cluster, service);
    const described = await a.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: s.taskDefinition! }));
    return described.taskDefinition?.containerDefinitions?.[0]?.image;
  }

  it("the strategy, canary settings, alarms and alternate target group survive CloudFormation, as numbers and booleans", async () => {
    const { made, service } = await canary(main);
    expect(service.deploymentConfiguration).toMatchObject({
      strategy: "CANARY",
      bakeTimeInMinutes: 5,
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 },
      alarms: { alarmNames: [made.Alarm], enable: true, rollback: true },
    });
    expect(service.loadBalancers?.[0]?.advancedConfiguration?.alternateTargetGroupArn).toBe(made.AltTg);
  });

  it("without ecs-properties, the service has no strategy", async () => {
    const { service } = await canary(withoutState);
    expect(service.deploymentConfiguration?.strategy).toBeUndefined();
  });

  it("a stack's alarm exists under its AlarmName, which Ref answers; without alarm-resources it does not", async () => {
    const { name, made } = await canary(main);
    expect(made.Alarm).toBe(`${name}-target-5xx`);
    const alarms = await main.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [made.Alarm!] }));
    expect(alarms.MetricAlarms?.[0]).toMatchObject({ AlarmName: made.Alarm, Threshold: 5, EvaluationPeriods: 2 });
    const without = await canary(withoutState);
    expect((await withoutState.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [`${without.name}-target-5xx`] }))).MetricAlarms ?? []).toEqual([]);
  });

  it("ListServiceDeployments, DescribeServiceDeployments and DescribeServiceRevisions answer the service's deployments, newest first", async () => {
    const { name, made } = await canary(main);
    await throughChangeSet(main, name, "UPDATE", { values: { APITag: "v2", DesiredCount: 1 }, previous: ["CanaryPercent"] });
    const listed = await main.ecs.send(new ListServiceDeploymentsCommand({ cluster: made.Cluster!, service: made.Service! }));
    expect(listed.serviceDeployments?.map((d) => d.status)).toEqual(["SUCCESSFUL", "SUCCESSFUL"]);
    const described = await main.ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: listed.serviceDeployments!.map((d) => d.serviceDeploymentArn!) }),
    );
    expect(described.serviceDeployments?.[0]?.deploymentConfiguration?.strategy).toBe("CANARY");
    const revisions = await main.ecs.send(
      new DescribeServiceRevisionsCommand({ serviceRevisionArns: described.serviceDeployments!.map((d) => d.targetServiceRevision!.arn!) }),
    );
    expect(revisions.serviceRevisions?.map((r) => r.containerImages?.[0]?.image?.split(":").pop())).toEqual(["v2", "v1"]);
  });

  it("without service-deployments, ListServiceDeployments is not implemented", async () => {
    const { made } = await canary(withoutJudges);
    await expect(withoutJudges.ecs.send(new ListServiceDeploymentsCommand({ cluster: made.Cluster!, service: made.Service! }))).rejects.toThrow(
      /ListServiceDeployments/,
    );
  });

  async function failingCanary(a: Aws) {
    const { name, made } = await canary(a);
    await a.cloudWatch.send(new SetAlarmStateCommand({ AlarmName: made.Alarm!, StateValue: "ALARM", StateReason: "Threshold Crossed" }));
    await throughChangeSet(a, name, "UPDATE", { values: { APITag: "v2", DesiredCount: 1 }, previous: ["CanaryPercent"] });
    return { name, made, stack: await describeStack(a, name) };
  }

  it("a deployment whose alarm is in ALARM fails: the service goes back to v1, the stack update rolls back, ECS records the alarm", async () => {
    const { made, stack } = await failingCanary(main);
    expect(stack.StackStatus).toBe("UPDATE_ROLLBACK_COMPLETE");
    expect(stack.Parameters?.find((p) => p.ParameterKey === "APITag")?.ParameterValue).toBe("v1");
    expect(await image(main, made.Cluster!, made.Service!)).toMatch(/:v1$/);
    const events = (await main.cf.send(new DescribeStackEventsCommand({ StackName: stack.StackName! }))).StackEvents ?? [];
    expect(events.find((e) => e.ResourceStatus === "UPDATE_FAILED")?.ResourceStatusReason).toContain(`alarm ${made.Alarm} in ALARM`);
    const listed = await main.ecs.send(new ListServiceDeploymentsCommand({ cluster: made.Cluster!, service: made.Service! }));
    const described = await main.ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: listed.serviceDeployments!.map((d) => d.serviceDeploymentArn!) }),
    );
    const failed = described.serviceDeployments?.find((d) => d.status === "ROLLBACK_SUCCESSFUL");
    expect(failed?.alarms?.triggeredAlarmNames).toEqual([made.Alarm]);
  });

  it("without deployment-alarms, the alarm changes nothing: the stack and service run v2", async () => {
    const { made, stack } = await failingCanary(withoutJudges);
    expect(stack.StackStatus).toBe("UPDATE_COMPLETE");
    expect(await image(withoutJudges, made.Cluster!, made.Service!)).toMatch(/:v2$/);
  });
});
