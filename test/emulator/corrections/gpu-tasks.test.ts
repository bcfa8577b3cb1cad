/**
 * gpu-tasks (emulator/corrections/gpu_tasks.py): the tasks of a service on a Managed Instances capacity
 * provider are described as MANAGED_INSTANCES tasks of that provider, each container with the GPU ids it
 * asked for; without the correction they are Fargate tasks without GPUs.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStackResourcesCommand, waitUntilStackCreateComplete } from "@aws-sdk/client-cloudformation";
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../setup/emulator-process.js";
import { managedInstancesTemplate } from "../fixtures.js";

function clients(endpoint: string) {
  const config = { region: "us-east-1", endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  return { cfn: new CloudFormationClient(config), ecs: new ECSClient(config) };
}
type Clients = ReturnType<typeof clients>;

let without: RunningEmulator;
beforeAll(async () => {
  without = await startEmulator({ without: ["gpu-tasks"] });
});
afterAll(async () => {
  await without?.stop();
});

/** The tasks of a GPU service with `gpus` GPUs per task and two tasks, and its capacity provider. */
async function tasksOf(aws: Clients, gpus: number) {
  const name = `gt-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  await aws.cfn.send(
    new CreateStackCommand({
      StackName: name,
      TemplateBody: managedInstancesTemplate(gpus),
      Parameters: [{ ParameterKey: "DesiredCount", ParameterValue: "2" }],
    }),
  );
  await waitUntilStackCreateComplete({ client: aws.cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { StackName: name });
  const resources = (await aws.cfn.send(new DescribeStackResourcesCommand({ StackName: name }))).StackResources ?? [];
  const id = (logical: string) => resources.find((r) => r.LogicalResourceId === logical)?.PhysicalResourceId ?? "";
  const taskArns = (await aws.ecs.send(new ListTasksCommand({ cluster: id("Cluster"), serviceName: id("Service") }))).taskArns ?? [];
  const tasks = taskArns.length === 0 ? [] : ((await aws.ecs.send(new DescribeTasksCommand({ cluster: id("Cluster"), tasks: taskArns }))).tasks ?? []);
  return { tasks, provider: id("Capacity") };
}

describe("gpu-tasks", () => {
  it("describes each task on its capacity provider and instance with the GPUs its container asked for", async () => {
    const { tasks, provider } = await tasksOf(clients(inject("emulatorUrl")), 2);
    expect(tasks).toHaveLength(2);
    for (const task of tasks) {
      expect(task).toMatchObject({ launchType: "MANAGED_INSTANCES", capacityProviderName: provider, lastStatus: "RUNNING" });
      expect(task.containerInstanceArn).toMatch(/^arn:aws:ecs:us-east-1:\d+:container-instance\//);
      expect(task.containers?.[0]?.gpuIds).toHaveLength(2);
    }
    // Two tasks, two instances: no GPU is given to both.
    expect(new Set(tasks.flatMap((t) => t.containers?.[0]?.gpuIds ?? [])).size).toBe(4);
  });

  it("without it: Fargate tasks without a provider or GPUs", async () => {
    const { tasks } = await tasksOf(clients(without.url), 2);
    expect(tasks).toHaveLength(2);
    for (const task of tasks) {
      expect(task.launchType).toBe("FARGATE");
      expect(task.capacityProviderName).toBeUndefined();
      expect(task.containers?.[0]?.gpuIds ?? []).toEqual([]);
    }
  });
});
