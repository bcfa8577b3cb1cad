/**
 * managed-instances (emulator/corrections/managed_instances.py): an AWS::ECS::CapacityProvider with
 * ManagedInstancesProvider exists in its cluster while its stack does, and a service on a capacity
 * provider strategy keeps it; without the correction moto skips the resource and puts the service on EC2.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackResourcesCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
} from "@aws-sdk/client-cloudformation";
import { DescribeCapacityProvidersCommand, DescribeClustersCommand, DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
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
  without = await startEmulator({ without: ["managed-instances"] });
});
afterAll(async () => {
  await without?.stop();
});

/** Creates a stack of managedInstancesTemplate; returns its physical ids by logical id. */
async function create(aws: Clients): Promise<{ name: string; ids: Record<string, string> }> {
  const name = `mi-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  await aws.cfn.send(
    new CreateStackCommand({ StackName: name, TemplateBody: managedInstancesTemplate(), Parameters: [{ ParameterKey: "DesiredCount", ParameterValue: "1" }] }),
  );
  await waitUntilStackCreateComplete({ client: aws.cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { StackName: name });
  const resources = (await aws.cfn.send(new DescribeStackResourcesCommand({ StackName: name }))).StackResources ?? [];
  return { name, ids: Object.fromEntries(resources.map((r) => [r.LogicalResourceId ?? "", r.PhysicalResourceId ?? ""])) };
}

async function providersOf(aws: Clients, cluster: string) {
  const names = (await aws.ecs.send(new DescribeClustersCommand({ clusters: [cluster] }))).clusters?.[0]?.capacityProviders ?? [];
  const providers =
    names.length === 0 ? [] : ((await aws.ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: names }))).capacityProviders ?? []);
  return providers.filter((p) => p.type === "MANAGED_INSTANCES");
}

describe("managed-instances", () => {
  it("creates the capacity provider in its cluster, places the service on it and deletes it with the stack", async () => {
    const aws = clients(inject("emulatorUrl"));
    const { name, ids } = await create(aws);
    const [provider] = await providersOf(aws, ids.Cluster!);
    expect(provider).toMatchObject({ name: ids.Capacity, cluster: ids.Cluster, type: "MANAGED_INSTANCES", status: "ACTIVE" });
    expect(provider?.managedInstancesProvider?.instanceLaunchTemplate).toMatchObject({
      storageConfiguration: { storageSizeGiB: 100 },
      instanceRequirements: { acceleratorCount: { min: 1 }, allowedInstanceTypes: ["g6.xlarge"] },
    });
    // Asked for no names, DescribeCapacityProviders lists every provider.
    const all = (await aws.ecs.send(new DescribeCapacityProvidersCommand({}))).capacityProviders ?? [];
    expect(all.map((p) => p.name)).toContain(ids.Capacity);
    const service = (await aws.ecs.send(new DescribeServicesCommand({ cluster: ids.Cluster, services: [ids.Service!] }))).services?.[0];
    expect(service?.launchType).toBeUndefined();
    expect(service?.capacityProviderStrategy).toEqual([{ capacityProvider: ids.Capacity, weight: 1 }]);

    await aws.cfn.send(new DeleteStackCommand({ StackName: name }));
    await waitUntilStackDeleteComplete({ client: aws.cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { StackName: name });
    const left = (await aws.ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: [ids.Capacity!] }))).capacityProviders ?? [];
    expect(left).toEqual([]);
  });

  it("without it: no capacity provider, and the service lands on the EC2 launch type", async () => {
    const aws = clients(without.url);
    const { ids } = await create(aws);
    expect(await providersOf(aws, ids.Cluster!)).toEqual([]);
    const service = (await aws.ecs.send(new DescribeServicesCommand({ cluster: ids.Cluster, services: [ids.Service!] }))).services?.[0];
    expect(service?.launchType).toBe("EC2");
    expect(service?.capacityProviderStrategy ?? []).toEqual([]);
  });
});
