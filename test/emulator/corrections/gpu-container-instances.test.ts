/**
 * gpu-container-instances (emulator/corrections/gpu_container_instances.py): the container instance a task
 * on a Managed Instances capacity provider names is described with its EC2 instance id and the
 * `ecs.instance-type` attribute; without the correction DescribeContainerInstances fails (HTTP 500: moto has
 * no container instance in that cluster).
 */
import { CloudFormationClient, CreateStackCommand, DescribeStackResourcesCommand, waitUntilStackCreateComplete } from "@aws-sdk/client-cloudformation";
import { DescribeContainerInstancesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
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
  without = await startEmulator({ without: ["gpu-container-instances"] });
});
afterAll(async () => {
  await without?.stop();
});

/** The container instances under the two tasks of a GPU service (the fixture allows g6.xlarge), and its capacity provider. */
async function instancesOf(aws: Clients) {
  const name = `gci-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  await aws.cfn.send(
    new CreateStackCommand({ StackName: name, TemplateBody: managedInstancesTemplate(1), Parameters: [{ ParameterKey: "DesiredCount", ParameterValue: "2" }] }),
  );
  await waitUntilStackCreateComplete({ client: aws.cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { StackName: name });
  const resources = (await aws.cfn.send(new DescribeStackResourcesCommand({ StackName: name }))).StackResources ?? [];
  const id = (logical: string) => resources.find((r) => r.LogicalResourceId === logical)?.PhysicalResourceId ?? "";
  const cluster = id("Cluster");
  const taskArns = (await aws.ecs.send(new ListTasksCommand({ cluster, serviceName: id("Service") }))).taskArns ?? [];
  const tasks = (await aws.ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }))).tasks ?? [];
  const arns = tasks.map((t) => t.containerInstanceArn ?? "");
  const answer = await aws.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns })).catch((error: Error) => error);
  return { arns, answer, provider: id("Capacity") };
}

describe("gpu-container-instances", () => {
  it("describes the instance under each task with its EC2 instance id and instance type", async () => {
    const { arns, answer, provider } = await instancesOf(clients(inject("emulatorUrl")));
    expect(arns).toHaveLength(2);
    if (answer instanceof Error) throw answer;
    expect(answer.failures).toEqual([]);
    expect(answer.containerInstances?.map((c) => c.containerInstanceArn).sort()).toEqual([...arns].sort());
    for (const instance of answer.containerInstances ?? []) {
      expect(instance).toMatchObject({ status: "ACTIVE", capacityProviderName: provider });
      expect(instance.ec2InstanceId).toMatch(/^i-[0-9a-f]{17}$/);
      expect(instance.attributes).toContainEqual({ name: "ecs.instance-type", value: "g6.xlarge" });
    }
  });

  it("without it: no instance type can be read (the call fails)", async () => {
    const { arns, answer } = await instancesOf(clients(without.url));
    expect(arns).toHaveLength(2);
    expect(answer).toBeInstanceOf(Error);
  });
});
