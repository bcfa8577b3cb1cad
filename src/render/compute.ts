/**
 * GPU and Neuron endpoints: the endpoint template, changed at render time to
 * run its service on an Amazon ECS Managed Instances capacity provider of its
 * own instead of Fargate. A Fargate endpoint's template is returned as it is,
 * byte for byte; only an endpoint whose `compute.type` is `gpu` or `neuron`
 * gets the resources, parameters and properties below. Pure: no AWS.
 *
 * The AWS pages each property rests on:
 * - AWS::ECS::CapacityProvider ManagedInstancesProvider, InstanceLaunchTemplate,
 *   InstanceRequirementsRequest (CloudFormation Template Reference,
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-capacityprovider-managedinstancesprovider.html).
 * - "Amazon ECS infrastructure IAM role" and "Amazon ECS Managed Instances instance profile"
 *   (Amazon ECS Developer Guide, infrastructure_IAM_role.html, managed-instances-instance-profile.html).
 * - AWS::ECS::TaskDefinition ResourceRequirement and the ECS API's ResourceRequirement
 *   (`GPU`: the number of GPUs; `NeuronDevice`: `ALL`, Managed Instances only;
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ResourceRequirement.html,
 *   "Example Neuron task definitions", ecs-inference-task-def.html).
 * - AWS::ECS::Service CapacityProviderStrategy (a strategy and a launch type exclude each other).
 */
import yaml from "js-yaml";
import { EC2_TASK_CPU } from "../params/fargate.js";
import type { ComputeConfig, EndpointConfig } from "../params/model.js";
import { parseTemplate } from "./cfn-yaml.js";
import { encodeCompute } from "./contract.js";

/** The template and parameters of an endpoint stack. */
export interface StackBody {
  templateBody: string;
  parameters: Record<string, string>;
}

type Template = Record<string, unknown> & {
  Parameters: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; [key: string]: unknown }>;
  Outputs?: Record<string, unknown>;
};

/** Runs the endpoint on ECS Managed Instances when it asks for GPUs or Neuron devices; otherwise returns `stack` unchanged. */
export function applyCompute(config: EndpointConfig, stack: StackBody): StackBody {
  const compute = config.compute;
  if (compute === undefined) return stack;
  const template = parseTemplate(stack.templateBody) as Template;
  // The values come from the contract's compute rows; the declarations below are the template's side.
  const parameters: Record<string, string> = { ...stack.parameters, ...encodeCompute(config) };
  addParameters(template, compute);
  addCapacity(template, config, compute);
  return {
    templateBody: yaml.dump(template, { lineWidth: -1, noRefs: true, sortKeys: false }),
    parameters: Object.fromEntries(Object.entries(parameters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}

function addParameters(template: Template, compute: ComputeConfig): void {
  // The task runs on EC2 instances: any CPU size RegisterTaskDefinition accepts there and any memory, not Fargate's
  // sizes (the loader has checked both against the instance types).
  template.Parameters.TaskCPU = {
    Type: "Number",
    Description: "Task CPU units on the ECS Managed Instances (container.cpu); 1024 = 1 vCPU.",
    MinValue: EC2_TASK_CPU.min,
    MaxValue: EC2_TASK_CPU.max,
  };
  template.Parameters.TaskRAM = {
    Type: "Number",
    Description: "Task memory in MiB on the ECS Managed Instances (container.memory); less than an instance's.",
    MinValue: 1,
  };
  if (compute.type === "gpu") {
    template.Parameters.GpusPerTask = {
      Type: "String",
      Description: "GPUs each task gets (compute.gpus); ECS places a task only on an instance with that many free GPUs.",
      AllowedPattern: "^[1-9][0-9]?$",
    };
  }
  template.Parameters.CapacityOptionType = {
    Type: "String",
    Description: "ON_DEMAND, or SPOT (compute.spot): cheaper instances that EC2 may reclaim with two minutes' notice.",
    AllowedValues: ["ON_DEMAND", "SPOT"],
  };
  template.Parameters.InstanceRootVolumeGiB = {
    Type: "Number",
    Description: "Root volume of each instance in GiB (compute.rootVolumeGiB): it holds the images the tasks run.",
    MinValue: 30,
    MaxValue: 16384,
  };
}

/** The instances ECS may launch: the named types and attributes, at least the task's size. */
function instanceRequirements(config: EndpointConfig, compute: ComputeConfig): Record<string, unknown> {
  const wanted = compute.instanceRequirements ?? {};
  const range = (min: number, max: number | undefined): Record<string, number> => (max === undefined ? { Min: min } : { Min: min, Max: max });
  const requirements: Record<string, unknown> = {
    VCpuCount: range(Math.max(wanted.vcpus?.min ?? 0, Math.ceil(config.container.cpu / 1024)), wanted.vcpus?.max),
    MemoryMiB: range(
      Math.max((wanted.memoryGiB?.min ?? 0) * 1024, config.container.memoryMiB),
      wanted.memoryGiB?.max === undefined ? undefined : wanted.memoryGiB.max * 1024,
    ),
    AcceleratorTypes: [compute.type === "gpu" ? "gpu" : "inference"],
    AcceleratorManufacturers: wanted.acceleratorManufacturers ?? [compute.type === "gpu" ? "nvidia" : "amazon-web-services"],
    AcceleratorCount: range(Math.max(wanted.acceleratorCount?.min ?? 0, compute.gpus), wanted.acceleratorCount?.max),
  };
  if (wanted.acceleratorNames !== undefined) requirements.AcceleratorNames = wanted.acceleratorNames;
  if (compute.instanceTypes !== undefined) requirements.AllowedInstanceTypes = compute.instanceTypes;
  return requirements;
}

/** The rule pack's acknowledgement (cdk_nag form, as the templates write it) of an AWS managed policy on a role. */
function nagAcknowledgement(policy: string, reason: string): Record<string, unknown> {
  return { cdk_nag: { rules_to_suppress: [{ id: "AwsSolutions-IAM4", reason, applies_to: [`Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}`] }] } };
}

function addCapacity(template: Template, config: EndpointConfig, compute: ComputeConfig): void {
  const resources = template.Resources;
  const service = resources.Service;
  const taskDefinition = resources.TaskDefinition;
  if (service === undefined || taskDefinition === undefined) throw new Error("the endpoint template has no Service or TaskDefinition");
  const awsvpc = ((service.Properties.NetworkConfiguration as Record<string, unknown>).AwsvpcConfiguration ?? {}) as Record<string, unknown>;
  const name = { "Fn::Sub": "${ProjectName}-${EnvironmentName}" };

  // The role ECS assumes to launch, patch and retire the instances. AmazonECSInfrastructureRolePolicyForManagedInstances
  // is AWS's policy for exactly that ("Amazon ECS infrastructure IAM role"): its EC2 actions (RunInstances,
  // CreateLaunchTemplate, TerminateInstances, ...) are on `*` because the instances, their network interfaces and
  // launch templates do not exist before ECS creates them; AWS keeps it in step with what ECS needs.
  resources.InfrastructureRole = {
    Type: "AWS::IAM::Role",
    Metadata: nagAcknowledgement(
      "AmazonECSInfrastructureRolePolicyForManagedInstances",
      "AWS maintains this policy for the ECS infrastructure role of Managed Instances and adds the actions new ECS features need, which a copied inline policy would miss.",
    ),
    Properties: {
      Description: { "Fn::Sub": "ECS Managed Instances of ${ProjectName}-${EnvironmentName}: launches and retires their EC2 instances" },
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" }],
      },
      ManagedPolicyArns: [{ "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances" }],
      Policies: [
        {
          // The managed policy passes only roles named ecsInstanceRole* ("Amazon ECS Managed Instances instance
          // profile"); this stack's instance role has a generated name, so it is passed by its own ARN, to EC2 only.
          PolicyName: "PassInstanceRole",
          PolicyDocument: {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: "iam:PassRole",
                Resource: { "Fn::GetAtt": ["InstanceRole", "Arn"] },
                Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
              },
            ],
          },
        },
      ],
    },
  };
  // The instances' role: the ECS agent registers them with the cluster and reports their tasks.
  // AmazonECSInstanceRolePolicyForManagedInstances is AWS's policy for that agent ("Amazon ECS Managed Instances
  // instance profile"); the tasks themselves keep their own task role and never use this one.
  resources.InstanceRole = {
    Type: "AWS::IAM::Role",
    Metadata: nagAcknowledgement(
      "AmazonECSInstanceRolePolicyForManagedInstances",
      "AWS maintains this policy for the ECS agent on Managed Instances and keeps it in step with what the agent needs, which a copied inline policy would miss.",
    ),
    Properties: {
      Description: { "Fn::Sub": "EC2 instances of ${ProjectName}-${EnvironmentName}: the ECS agent on ECS Managed Instances" },
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      },
      ManagedPolicyArns: [{ "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonECSInstanceRolePolicyForManagedInstances" }],
    },
  };
  resources.InstanceProfile = { Type: "AWS::IAM::InstanceProfile", Properties: { Roles: [{ Ref: "InstanceRole" }] } };
  // Cluster-scoped: ClusterName ties it to the base's cluster, so an added endpoint brings its own without
  // changing the base stack, and deleting this stack deletes it (after the service that uses it).
  resources.CapacityProvider = {
    Type: "AWS::ECS::CapacityProvider",
    Properties: {
      ClusterName: service.Properties.Cluster,
      ManagedInstancesProvider: {
        InfrastructureRoleArn: { "Fn::GetAtt": ["InfrastructureRole", "Arn"] },
        InstanceLaunchTemplate: {
          Ec2InstanceProfileArn: { "Fn::GetAtt": ["InstanceProfile", "Arn"] },
          // The tasks' private subnets and security group: the instances take only what the tasks take.
          NetworkConfiguration: { Subnets: awsvpc.Subnets, SecurityGroups: awsvpc.SecurityGroups },
          StorageConfiguration: { StorageSizeGiB: { Ref: "InstanceRootVolumeGiB" } },
          CapacityOptionType: { Ref: "CapacityOptionType" },
          InstanceRequirements: instanceRequirements(config, compute),
        },
        PropagateTags: "CAPACITY_PROVIDER",
      },
      Tags: [{ Key: "Name", Value: name }],
    },
  };

  // The service runs on the capacity provider: a capacity provider strategy replaces the launch type, and the
  // platform version is Fargate's.
  const { LaunchType: _launchType, PlatformVersion: _platformVersion, ...serviceProperties } = service.Properties;
  service.Properties = { ...serviceProperties, CapacityProviderStrategy: [{ CapacityProvider: { Ref: "CapacityProvider" }, Weight: 1, Base: 0 }] };

  taskDefinition.Properties.RequiresCompatibilities = ["MANAGED_INSTANCES"];
  const containers = taskDefinition.Properties.ContainerDefinitions as Record<string, unknown>[];
  const api = containers[0];
  if (api === undefined) throw new Error("the endpoint template's task definition has no container");
  api.ResourceRequirements = [compute.type === "gpu" ? { Type: "GPU", Value: { Ref: "GpusPerTask" } } : { Type: "NeuronDevice", Value: "ALL" }];
  if (compute.type === "neuron") {
    // cfn-lint's schema of ResourceRequirement predates NeuronDevice, which the ECS API accepts on Managed Instances.
    taskDefinition.Metadata = { ...(taskDefinition.Metadata as object | undefined), "cfn-lint": { config: { ignore_checks: ["E3030"] } } };
  }
}
