/**
 * The emulator correction ecs-properties (moto gap 3), shown through the AWS SDK for JavaScript v3: the
 * corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an emulator started
 * without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { CONTAINER_PORT, ecsTemplate } from "../fixtures.js";
import { type Aws, createStack, describeService, emulatorWithout, main, stackResources, uniqueName, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("ecs-properties (moto gap 3)", () => {
  async function created(a: Aws) {
    const name = uniqueName("p");
    await createStack(a, name, ecsTemplate(), { DesiredCount: 2 });
    const made = await stackResources(a, name);
    const service = await describeService(a, made.Cluster!, made.Service!);
    const described = await a.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: made.TaskDef! }));
    return { made, service, taskDefinition: described.taskDefinition! };
  }

  it("the task definition and service keep their CloudFormation properties", async () => {
    const { made, service, taskDefinition } = await created(main);
    expect(taskDefinition).toMatchObject({
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "512",
      memory: "1024",
      executionRoleArn: expect.stringMatching(/^arn:aws:iam::\d+:role\//),
      taskRoleArn: expect.stringMatching(/^arn:aws:iam::\d+:role\//),
      volumes: [{ name: "weights", efsVolumeConfiguration: { fileSystemId: made.Weights, transitEncryption: "ENABLED", rootDirectory: "/" } }],
    });
    expect(taskDefinition.containerDefinitions?.[0]?.mountPoints).toEqual([{ sourceVolume: "weights", containerPath: "/app/weights" }]);
    expect(service).toMatchObject({
      launchType: "FARGATE",
      desiredCount: 2,
      enableExecuteCommand: true,
      healthCheckGracePeriodSeconds: 60,
      loadBalancers: [{ targetGroupArn: made.Tg, containerName: "api", containerPort: CONTAINER_PORT }],
      networkConfiguration: {
        awsvpcConfiguration: { subnets: [made.Subnet1, made.Subnet2], securityGroups: [made.TaskSg], assignPublicIp: "DISABLED" },
      },
      deploymentConfiguration: {
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
    });
  });

  it("without it, the task definition is bridge/EC2 and the service has no load balancer or network", async () => {
    const { service, taskDefinition } = await created(withoutState);
    expect(taskDefinition.networkMode).toBe("bridge");
    expect(taskDefinition.cpu).toBeUndefined();
    expect(service.launchType).toBe("EC2");
    expect(service.loadBalancers ?? []).toEqual([]);
    expect(service.enableExecuteCommand ?? false).toBe(false);
  });
});
