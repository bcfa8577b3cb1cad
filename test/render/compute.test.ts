/**
 * GPU and Neuron endpoints: the endpoint templates rendered onto an ECS Managed Instances capacity
 * provider. Fargate endpoints are unchanged (golden.test.ts holds them byte for byte).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadEndpointConfig, parseEndpointConfig } from "../../src/params/load.js";
import { parseTemplate } from "../../src/render/cfn-yaml.js";
import { renderEndpointStack } from "../../src/render/render.js";
import { readRepoFile, run } from "../templates/helpers.js";

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: unknown };

/** ep-a.yaml (a base) with a compute section. */
function baseWith(compute: string): ReturnType<typeof parseEndpointConfig> {
  const text = readRepoFile("params/ep-a.yaml").replace(/^container:\n( {2}.*\n)+/m, "container:\n  cpu: 4096\n  memory: 12GB\n");
  return parseEndpointConfig(`${text}\ncompute: ${compute}\n`, "ep-a-gpu.yaml");
}

/** ep-gpu.yaml with 6 vCPUs and 30 GB on a g5.4xlarge (16 vCPUs, 64 GiB): no Fargate size. */
function sixVcpuConfig(): ReturnType<typeof parseEndpointConfig> {
  const text = readRepoFile("params/ep-gpu.yaml")
    .replace(/^ {2}cpu: 2048\b/m, "  cpu: 6144")
    .replace(/^ {2}memory: 12GB\b/m, "  memory: 30GB")
    .replace("instanceTypes: [g6.xlarge, g5.xlarge]", "instanceTypes: [g5.4xlarge]");
  return parseEndpointConfig(text, "ep-gpu-6vcpu.yaml");
}

const dir = mkdtempSync(join(tmpdir(), "mlops-gpu-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a GPU endpoint's template", async () => {
  const added = renderEndpointStack(await loadEndpointConfig("params/ep-gpu.yaml"));
  const template = parseTemplate(added.templateBody) as { Parameters: Record<string, unknown>; Resources: Record<string, Resource> };
  const resources = template.Resources;

  it("runs the service on its own Managed Instances capacity provider on the base's cluster", () => {
    const service = resources.Service!.Properties;
    expect(service.LaunchType).toBeUndefined();
    expect(service.PlatformVersion).toBeUndefined();
    expect(service.CapacityProviderStrategy).toEqual([{ CapacityProvider: { Ref: "CapacityProvider" }, Weight: 1, Base: 0 }]);
    const provider = resources.CapacityProvider!;
    expect(provider.Type).toBe("AWS::ECS::CapacityProvider");
    expect(provider.Properties.ClusterName).toEqual(service.Cluster);
    const launch = (provider.Properties.ManagedInstancesProvider as { InstanceLaunchTemplate: Record<string, unknown> }).InstanceLaunchTemplate;
    // The instances sit where the tasks do: private subnets, the task security group.
    const awsvpc = (service.NetworkConfiguration as { AwsvpcConfiguration: Record<string, unknown> }).AwsvpcConfiguration;
    expect(awsvpc.AssignPublicIp).toBe("DISABLED");
    expect(launch.NetworkConfiguration).toEqual({ Subnets: awsvpc.Subnets, SecurityGroups: [{ Ref: "TaskSecurityGroup" }] });
    expect(launch.InstanceRequirements).toEqual({
      VCpuCount: { Min: 2 },
      MemoryMiB: { Min: 12288 },
      AcceleratorTypes: ["gpu"],
      AcceleratorManufacturers: ["nvidia"],
      AcceleratorCount: { Min: 1 },
      AllowedInstanceTypes: ["g6.xlarge", "g5.xlarge"],
    });
    expect(launch.CapacityOptionType).toEqual({ Ref: "CapacityOptionType" });
    expect(launch.StorageConfiguration).toEqual({ StorageSizeGiB: { Ref: "InstanceRootVolumeGiB" } });
  });

  it("asks for the GPUs in a MANAGED_INSTANCES awsvpc task definition with the EFS volumes as before", () => {
    const task = resources.TaskDefinition!.Properties;
    expect(task.RequiresCompatibilities).toEqual(["MANAGED_INSTANCES"]);
    expect(task.NetworkMode).toBe("awsvpc");
    const [container] = task.ContainerDefinitions as Record<string, unknown>[];
    expect(container!.ResourceRequirements).toEqual([{ Type: "GPU", Value: { Ref: "GpusPerTask" } }]);
    for (const volume of task.Volumes as { EFSVolumeConfiguration: Record<string, unknown> }[]) {
      expect(volume.EFSVolumeConfiguration.TransitEncryption).toBe("ENABLED");
      expect(volume.EFSVolumeConfiguration.AuthorizationConfig).toMatchObject({ IAM: "ENABLED" });
    }
    expect(added.parameters).toMatchObject({ GpusPerTask: "1", CapacityOptionType: "ON_DEMAND", InstanceRootVolumeGiB: "100" });
  });

  it("gives the task definition a CPU size no Fargate task has, within the instance, and keeps Fargate's sizes for Fargate", async () => {
    const sixVcpus = renderEndpointStack(sixVcpuConfig());
    const sized = parseTemplate(sixVcpus.templateBody) as { Parameters: Record<string, Record<string, unknown>>; Resources: Record<string, Resource> };
    const task = sized.Resources.TaskDefinition!.Properties;
    expect(task).toMatchObject({ Cpu: { Ref: "TaskCPU" }, Memory: { Ref: "TaskRAM" } });
    expect(sixVcpus.parameters).toMatchObject({ TaskCPU: "6144", TaskRAM: "30720" });
    // RegisterTaskDefinition's range on EC2 capacity, in place of Fargate's AllowedValues, which would refuse 6144.
    expect(sized.Parameters.TaskCPU).toEqual({ Type: "Number", Description: expect.any(String), MinValue: 128, MaxValue: 196608 });
    expect(sized.Parameters.TaskRAM).toEqual({ Type: "Number", Description: expect.any(String), MinValue: 1 });
    const fargate = parseTemplate(renderEndpointStack(await loadEndpointConfig("params/ep-b.yaml")).templateBody) as {
      Parameters: Record<string, Record<string, unknown>>;
    };
    expect(fargate.Parameters.TaskCPU?.AllowedValues).toEqual(["256", "512", "1024", "2048", "4096", "8192", "16384"]);
    expect(fargate.Parameters.TaskRAM).toMatchObject({ MinValue: 512, MaxValue: 122880 });
  });

  it("gives ECS and the instances AWS's Managed Instances policies, and passes only its own instance role, to EC2", () => {
    const infrastructure = resources.InfrastructureRole!.Properties;
    expect(JSON.stringify(infrastructure.AssumeRolePolicyDocument)).toContain('"Service":"ecs.amazonaws.com"');
    expect(infrastructure.ManagedPolicyArns).toEqual([
      { "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances" },
    ]);
    const [pass] = (infrastructure.Policies as { PolicyDocument: { Statement: Record<string, unknown>[] } }[])[0]!.PolicyDocument.Statement;
    expect(pass).toEqual({
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: { "Fn::GetAtt": ["InstanceRole", "Arn"] },
      Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
    });
    const instance = resources.InstanceRole!.Properties;
    expect(JSON.stringify(instance.AssumeRolePolicyDocument)).toContain('"Service":"ec2.amazonaws.com"');
    expect(instance.ManagedPolicyArns).toEqual([{ "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonECSInstanceRolePolicyForManagedInstances" }]);
    // CAPABILITY_IAM is enough: no role is named.
    for (const role of [infrastructure, instance]) expect(role.RoleName).toBeUndefined();
  });

  it("is the Fargate template plus the capacity: every other resource as before", async () => {
    const fargate = parseTemplate(renderEndpointStack(await loadEndpointConfig("params/ep-b.yaml")).templateBody) as { Resources: Record<string, unknown> };
    expect(Object.keys(resources).sort()).toEqual(
      [...Object.keys(fargate.Resources), "CapacityProvider", "InfrastructureRole", "InstanceProfile", "InstanceRole"].sort(),
    );
    expect(resources.Repository).toEqual(fargate.Resources.Repository);
  });

  it("cfn-lint reports nothing on GPU and Neuron renders of a base and an added endpoint", async () => {
    const neuronAdded = parseEndpointConfig(
      readRepoFile("params/ep-gpu.yaml")
        .replace("type: gpu", "type: neuron")
        .replace("instanceTypes: [g6.xlarge, g5.xlarge]", "instanceTypes: [inf2.xlarge, inf2.8xlarge]"),
      "ep-neuron.yaml",
    );
    const renders = {
      "gpu-added.yaml": added,
      "gpu-base.yaml": renderEndpointStack(baseWith("{type: gpu, gpus: 4, instanceTypes: [g5.12xlarge], spot: true}")),
      "gpu-6vcpu.yaml": renderEndpointStack(sixVcpuConfig()),
      "neuron-added.yaml": renderEndpointStack(neuronAdded),
      "neuron-base.yaml": renderEndpointStack(baseWith("{type: neuron, instanceRequirements: {acceleratorNames: [inferentia], vcpus: {max: 32}}}")),
    };
    for (const [name, rendered] of Object.entries(renders)) writeFileSync(join(dir, name), rendered.templateBody);
    const neuron = parseTemplate(renders["neuron-added.yaml"].templateBody) as { Resources: Record<string, Resource> };
    const [container] = neuron.Resources.TaskDefinition!.Properties.ContainerDefinitions as Record<string, unknown>[];
    expect(container!.ResourceRequirements).toEqual([{ Type: "NeuronDevice", Value: "ALL" }]);
    expect(renders["neuron-added.yaml"].parameters.GpusPerTask).toBeUndefined();
    const result = await run("cfn-lint", ["--include-checks", "I", "--", ...Object.keys(renders).map((name) => join(dir, name))]);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.code).toBe(0);
  }, 120_000);
});
