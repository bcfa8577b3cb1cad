/**
 * Each emulator correction (emulator/corrections/, see emulator/README.md),
 * shown through the AWS SDK for JavaScript v3: the corrected behaviour on the
 * shared emulator (all corrections), and the wrong behaviour on an emulator
 * started without the correction, so that each test can fail.
 *
 * Stack names are unique per run: other test files share the same emulator.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ACMClient, RequestCertificateCommand } from "@aws-sdk/client-acm";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  ContinueUpdateRollbackCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ListExportsCommand,
  ListImportsCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
  ExecuteChangeSetCommand,
  UpdateStackCommand,
  type Change,
  type ChangeSetType,
  type Parameter,
  type Stack,
} from "@aws-sdk/client-cloudformation";
import {
  BatchGetBuildsCommand,
  BatchGetProjectsCommand,
  CodeBuildClient,
  ListBuildsForProjectCommand,
  CreateProjectCommand,
  StartBuildCommand,
  UpdateProjectCommand,
} from "@aws-sdk/client-codebuild";
import {
  CodePipelineClient,
  CreatePipelineCommand,
  GetPipelineCommand,
  GetPipelineStateCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  ListPipelinesCommand,
  StartPipelineExecutionCommand,
} from "@aws-sdk/client-codepipeline";
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeAddressesCommand,
  DescribeFlowLogsCommand,
  DescribeSecurityGroupsCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ExecuteCommandCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  ListServiceDeploymentsCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CodeStarConnectionsClient, GetConnectionCommand } from "@aws-sdk/client-codestar-connections";
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import { GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { DescribeAccessPointsCommand, DescribeFileSystemsCommand, EFSClient } from "@aws-sdk/client-efs";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import {
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DescribeAccountLimitsCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { startEmulator, type RunningEmulator } from "../setup/emulator-process.js";
import {
  CONTAINER_PORT,
  addedTemplate,
  baseTemplate,
  ecsTemplate,
  exporterTemplate,
  gatewayTemplate,
  importerTemplate,
  rolesTemplate,
  canaryTemplate,
  trafficShiftTemplate,
  conditionalRuleTemplate,
} from "./fixtures.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// --- clients and helpers -------------------------------------------------------

function aws(url: string) {
  const config = { region: "us-east-1", endpoint: url, credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  return {
    acm: new ACMClient(config),
    cf: new CloudFormationClient(config),
    codebuild: new CodeBuildClient(config),
    codepipeline: new CodePipelineClient(config),
    ec2: new EC2Client(config),
    ecs: new ECSClient(config),
    efs: new EFSClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    cloudWatch: new CloudWatchClient(config),
    logs: new CloudWatchLogsClient(config),
    connections: new CodeStarConnectionsClient(config),
    ecr: new ECRClient(config),
    iam: new IAMClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    scheduler: new SchedulerClient(config),
  };
}
type Aws = ReturnType<typeof aws>;

const IMAGE_MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.docker.distribution.manifest.v2+json",
  config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 2, digest: `sha256:${"1".repeat(64)}` },
  layers: [],
});

const run = Math.random().toString(36).slice(2, 7);
let counter = 0;
/** A stack name unique to this run, short enough for ALB and target group names. */
const uniqueName = (tag: string) => `e${run}${tag}${++counter}`;

const parameters = (values: Record<string, string | number>): Parameter[] =>
  Object.entries(values).map(([ParameterKey, value]) => ({ ParameterKey, ParameterValue: String(value) }));

async function certificate(a: Aws): Promise<string> {
  const answer = await a.acm.send(new RequestCertificateCommand({ DomainName: "a.example.com", ValidationMethod: "DNS" }));
  return answer.CertificateArn!;
}

async function createStack(a: Aws, name: string, body: string, values: Record<string, string | number> = {}) {
  const answer = await a.cf.send(new CreateStackCommand({ StackName: name, TemplateBody: body, Parameters: parameters(values) }));
  return answer.StackId!;
}

/** Creates a change set, waits until it is ready and executes it (our CLI's path); returns its Changes. */
async function throughChangeSet(
  a: Aws,
  name: string,
  type: ChangeSetType,
  template: { body?: string; values?: Record<string, string | number>; previous?: string[] },
) {
  const changeSetName = `cs-${++counter}`;
  const created = await a.cf.send(
    new CreateChangeSetCommand({
      StackName: name,
      ChangeSetName: changeSetName,
      ChangeSetType: type,
      ...(template.body ? { TemplateBody: template.body } : { UsePreviousTemplate: true }),
      Parameters: [
        ...parameters(template.values ?? {}),
        ...(template.previous ?? []).map((key) => ({ ParameterKey: key, UsePreviousValue: true })),
      ],
    }),
  );
  const described = await a.cf.send(new DescribeChangeSetCommand({ StackName: name, ChangeSetName: created.Id! }));
  expect(described.Status).toBe("CREATE_COMPLETE");
  await a.cf.send(new ExecuteChangeSetCommand({ StackName: name, ChangeSetName: created.Id! }));
  return described.Changes ?? [];
}

async function describeStack(a: Aws, nameOrId: string): Promise<Stack> {
  const answer = await a.cf.send(new DescribeStacksCommand({ StackName: nameOrId }));
  return answer.Stacks![0]!;
}

async function stackResources(a: Aws, name: string): Promise<Record<string, string>> {
  const answer = await a.cf.send(new ListStackResourcesCommand({ StackName: name }));
  const result: Record<string, string> = {};
  for (const summary of answer.StackResourceSummaries ?? []) {
    if (summary.LogicalResourceId) result[summary.LogicalResourceId] = summary.PhysicalResourceId ?? "";
  }
  return result;
}

async function exportNames(a: Aws): Promise<string[]> {
  const answer = await a.cf.send(new ListExportsCommand({}));
  return (answer.Exports ?? []).map((e) => e.Name!);
}

async function vpcExists(a: Aws, vpcId: string): Promise<boolean> {
  const answer = await a.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }));
  return (answer.Vpcs ?? []).length > 0;
}

async function targetGroupExists(a: Aws, arn: string): Promise<boolean> {
  try {
    await a.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }));
    return true;
  } catch (error) {
    if ((error as Error).name.includes("NotFound")) return false;
    throw error;
  }
}

async function describeService(a: Aws, cluster: string, service: string): Promise<Service> {
  const answer = await a.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  return answer.services![0]!;
}

async function healthyTargets(a: Aws, targetGroupArn: string) {
  const answer = await a.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  return (answer.TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State === "healthy");
}

/** A VPC with two subnets and a security group, made through the EC2 API. */
async function network(a: Aws) {
  const vpc = await a.ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnets: string[] = [];
  for (const [cidr, zone] of [["10.9.1.0/24", "us-east-1a"], ["10.9.2.0/24", "us-east-1b"]] as const) {
    const subnet = await a.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }));
    subnets.push(subnet.Subnet!.SubnetId!);
  }
  const group = await a.ec2.send(new CreateSecurityGroupCommand({ GroupName: uniqueName("sg"), Description: "task", VpcId: vpcId }));
  return { vpcId, subnets, securityGroup: group.GroupId! };
}

/** A Fargate service with `desiredCount` tasks behind a target group, made through the ECS API. */
async function fargateService(a: Aws, desiredCount: number) {
  const net = await network(a);
  const name = uniqueName("svc");
  const group = await a.elb.send(
    new CreateTargetGroupCommand({ Name: name, Protocol: "HTTP", Port: CONTAINER_PORT, VpcId: net.vpcId, TargetType: "ip" }),
  );
  const targetGroupArn = group.TargetGroups![0]!.TargetGroupArn!;
  await a.ecs.send(new CreateClusterCommand({ clusterName: name }));
  const register = (tag: string) =>
    a.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: name,
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        containerDefinitions: [{ name: "api", image: `repo/api:${tag}`, portMappings: [{ containerPort: CONTAINER_PORT }] }],
      }),
    );
  const first = await register("v1");
  await a.ecs.send(
    new CreateServiceCommand({
      cluster: name,
      serviceName: name,
      taskDefinition: first.taskDefinition!.taskDefinitionArn!,
      desiredCount,
      launchType: "FARGATE",
      networkConfiguration: { awsvpcConfiguration: { subnets: net.subnets, securityGroups: [net.securityGroup] } },
      loadBalancers: [{ targetGroupArn, containerName: "api", containerPort: CONTAINER_PORT }],
    }),
  );
  return { cluster: name, service: name, targetGroupArn, register, ...net };
}

// --- emulators -------------------------------------------------------------------

const mainUrl = inject("emulatorUrl");
const main = aws(mainUrl);

/** Two extra emulators, each without a group of corrections that do not depend on each other. */
const WITHOUT_STACK_LIFECYCLE = ["delete-base-stack", "change-set-execute", "failed-create-rollback", "export-in-use"];
const WITHOUT_RESOURCE_STATE = [
  "update-keeps-resources",
  "sub-parameter-diff",
  "ecs-properties",
  "service-rollout",
  "target-health",
  "service-tasks",
  "pipeline-dates",
  "codebuild-update-project",
  "unimplemented-calls",
  "change-set-replacement",
  "security-group-message",
  "stack-parameters-text",
  "connections",
  "pipeline-executions",
  "resource-events",
  "role-policy-json",
  "alarm-resources",
  "efs-access-points",
  "one-off-task",
  "scheduler-schedule",
  "conditional-resources-update",
  "elb-quotas",
  "elb-health-metrics",
  "stack-resource-lists",
  "ecr-encryption-configuration",
];
/** A third, without the corrections that judge and record deployments (the alarms exist). */
const WITHOUT_ROLLOUT_JUDGES = ["service-deployments", "deployment-alarms", "ecs-traffic-shift"];
let lifecycleEmulator: RunningEmulator;
let stateEmulator: RunningEmulator;
let judgesEmulator: RunningEmulator;
let withoutLifecycle: Aws;
let withoutState: Aws;
let withoutJudges: Aws;

beforeAll(async () => {
  [lifecycleEmulator, stateEmulator, judgesEmulator] = await Promise.all([
    startEmulator({ without: WITHOUT_STACK_LIFECYCLE }),
    startEmulator({ without: WITHOUT_RESOURCE_STATE }),
    startEmulator({ without: WITHOUT_ROLLOUT_JUDGES }),
  ]);
  withoutLifecycle = aws(lifecycleEmulator.url);
  withoutState = aws(stateEmulator.url);
  withoutJudges = aws(judgesEmulator.url);
});

afterAll(async () => {
  await Promise.all([lifecycleEmulator?.stop(), stateEmulator?.stop(), judgesEmulator?.stop()]);
});

// --- the corrections ----------------------------------------------------------------

describe("delete-base-stack (moto gap 1)", () => {
  it("deleting the base stack removes what it made, keeps Retain file systems, and its exports", async () => {
    const name = uniqueName("a");
    const stackId = await createStack(main, name, baseTemplate(await certificate(main)), { DesiredCount: 1 });
    const made = await stackResources(main, name);
    expect(await exportNames(main)).toContain(`${name}-VpcId`);

    await main.cf.send(new DeleteStackCommand({ StackName: name }));

    await expect(describeStack(main, name)).rejects.toThrow(/does not exist/);
    expect((await describeStack(main, stackId)).StackStatus).toBe("DELETE_COMPLETE");
    expect(await exportNames(main)).not.toContain(`${name}-VpcId`);

    expect(await vpcExists(main, made.Vpc!)).toBe(false);
    const subnets = await main.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [made.Vpc!] }] }));
    expect(subnets.Subnets ?? []).toEqual([]);
    const gateways = await main.ec2.send(new DescribeInternetGatewaysCommand({}));
    expect((gateways.InternetGateways ?? []).map((g) => g.InternetGatewayId)).not.toContain(made.Igw);
    const routeTables = await main.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [made.Vpc!] }] }));
    expect(routeTables.RouteTables ?? []).toEqual([]);
    const nat = await main.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [made.Nat!] }));
    expect(nat.NatGateways?.[0]?.State).toBe("deleted");
    const addresses = await main.ec2.send(new DescribeAddressesCommand({}));
    expect((addresses.Addresses ?? []).map((e) => e.PublicIp)).not.toContain(made.NatEip);
    const interfaces = await main.ec2.send(new DescribeNetworkInterfacesCommand({}));
    const leftInterfaces = (interfaces.NetworkInterfaces ?? []).filter((eni) => eni.VpcId === made.Vpc);
    expect(leftInterfaces).toEqual([]);

    const lbs = await main.elb.send(new DescribeLoadBalancersCommand({}));
    expect((lbs.LoadBalancers ?? []).map((lb) => lb.LoadBalancerArn)).not.toContain(made.Alb);
    expect(await targetGroupExists(main, made.Tg!)).toBe(false);

    const clusters = await main.ecs.send(new DescribeClustersCommand({ clusters: [made.Cluster!] }));
    expect(clusters.clusters?.[0]?.status ?? "INACTIVE").toBe("INACTIVE");
    const service = await describeService(main, made.Cluster!, made.Service!);
    expect(service.status).toBe("INACTIVE");
    const taskDefinition = await main.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: made.TaskDef! }));
    expect(taskDefinition.taskDefinition?.status).toBe("INACTIVE");

    // DeletionPolicy: Retain (moto honours it): the file system stays, without mount targets
    const fileSystems = await main.efs.send(new DescribeFileSystemsCommand({ FileSystemId: made.Weights! }));
    expect(fileSystems.FileSystems?.[0]?.NumberOfMountTargets).toBe(0);
  });

  it("deleting an added stack removes its service, task definition, target group and listener rule", async () => {
    const base = uniqueName("a");
    await createStack(main, base, baseTemplate(await certificate(main)));
    const added = uniqueName("b");
    await createStack(main, added, addedTemplate(), { BaseName: base, DesiredCount: 1 });
    const made = await stackResources(main, added);
    const cluster = `${base}-cluster`;

    await main.cf.send(new DeleteStackCommand({ StackName: added }));

    expect((await describeService(main, cluster, made.Service!)).status).toBe("INACTIVE");
    const taskDefinition = await main.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: made.TaskDef! }));
    expect(taskDefinition.taskDefinition?.status).toBe("INACTIVE");
    expect(await targetGroupExists(main, made.Tg!)).toBe(false);
    const baseMade = await stackResources(main, base);
    const rules = await main.elb.send(new DescribeRulesCommand({ ListenerArn: baseMade.Https! }));
    expect((rules.Rules ?? []).map((r) => r.RuleArn)).not.toContain(made.Rule);

    await main.cf.send(new DeleteStackCommand({ StackName: base }));
    expect(await vpcExists(main, baseMade.Vpc!)).toBe(false);
  });

  it("deleting a stack removes its VPC flow log; without the correction the flow log stays", async () => {
    const template = JSON.stringify({
      Resources: {
        Vpc: { Type: "AWS::EC2::VPC", Properties: { CidrBlock: "10.9.0.0/16" } },
        Group: { Type: "AWS::Logs::LogGroup", Properties: { RetentionInDays: 7 } },
        Role: {
          Type: "AWS::IAM::Role",
          Properties: {
            AssumeRolePolicyDocument: {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
            },
          },
        },
        FlowLog: {
          Type: "AWS::EC2::FlowLog",
          Properties: {
            ResourceType: "VPC",
            ResourceId: { Ref: "Vpc" },
            TrafficType: "ALL",
            LogDestinationType: "cloud-watch-logs",
            LogGroupName: { Ref: "Group" },
            DeliverLogsPermissionArn: { "Fn::GetAtt": ["Role", "Arn"] },
          },
        },
      },
    });
    const flowLogsOf = async (a: Aws, vpc: string) =>
      ((await a.ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: "resource-id", Values: [vpc] }] }))).FlowLogs ?? []).map((f) => f.FlowLogId);
    for (const [a, expectLeft] of [[main, 0], [withoutLifecycle, 1]] as const) {
      const name = uniqueName("f");
      await createStack(a, name, template);
      const made = await stackResources(a, name);
      expect(await flowLogsOf(a, made.Vpc!)).toEqual([made.FlowLog]);
      await a.cf.send(new DeleteStackCommand({ StackName: name })).catch(() => undefined);
      expect(await flowLogsOf(a, made.Vpc!)).toHaveLength(expectLeft);
    }
  });

  it("without it, DeleteStack fails with DependencyViolation and the VPC and exports stay", async () => {
    const a = withoutLifecycle;
    const name = uniqueName("a");
    await createStack(a, name, baseTemplate(await certificate(a)));
    const made = await stackResources(a, name);

    await expect(a.cf.send(new DeleteStackCommand({ StackName: name }))).rejects.toThrow(/has dependencies/);
    expect(await vpcExists(a, made.Vpc!)).toBe(true);
    expect(await exportNames(a)).toContain(`${name}-VpcId`);
  });
});

describe("update-keeps-resources (moto gap 1, after an update)", () => {
  it("a resource without Properties survives an update and goes with the stack", async () => {
    const name = uniqueName("g");
    await createStack(main, name, gatewayTemplate());
    const before = await stackResources(main, name);
    await main.cf.send(new UpdateStackCommand({ StackName: name, UsePreviousTemplate: true, Parameters: parameters({ Suffix: "two" }) }));
    expect((await stackResources(main, name)).Igw).toBe(before.Igw);

    await main.cf.send(new DeleteStackCommand({ StackName: name }));
    const gateways = await main.ec2.send(new DescribeInternetGatewaysCommand({}));
    expect((gateways.InternetGateways ?? []).map((g) => g.InternetGatewayId)).not.toContain(before.Igw);
  });

  it("without it, the stack forgets the internet gateway at the update and leaves it behind", async () => {
    const a = withoutState;
    const name = uniqueName("g");
    await createStack(a, name, gatewayTemplate());
    const before = await stackResources(a, name);
    await a.cf.send(new UpdateStackCommand({ StackName: name, UsePreviousTemplate: true, Parameters: parameters({ Suffix: "two" }) }));
    expect((await stackResources(a, name)).Igw).toBeUndefined();

    await a.cf.send(new DeleteStackCommand({ StackName: name }));
    const gateways = await a.ec2.send(new DescribeInternetGatewaysCommand({}));
    expect((gateways.InternetGateways ?? []).map((g) => g.InternetGatewayId)).toContain(before.Igw);
  });
});

describe("sub-parameter-diff (moto gap 2)", () => {
  async function updateTag(a: Aws) {
    const name = uniqueName("s");
    await createStack(a, name, ecsTemplate(), { APITag: "v1", DesiredCount: 1 });
    const made = await stackResources(a, name);
    await a.cf.send(
      new UpdateStackCommand({ StackName: name, UsePreviousTemplate: true, Parameters: parameters({ APITag: "v2", DesiredCount: 1 }) }),
    );
    const service = await describeService(a, made.Cluster!, made.Service!);
    const described = await a.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition! }));
    return { made, service, taskDefinition: described.taskDefinition! };
  }

  it("updating the image tag (only in Fn::Sub) registers a new revision and the service uses it", async () => {
    const { made, service, taskDefinition } = await updateTag(main);
    expect(taskDefinition.revision).toBe(2);
    expect(taskDefinition.containerDefinitions?.[0]?.image).toMatch(/:v2$/);
    expect(service.deployments?.[0]?.taskDefinition).toBe(taskDefinition.taskDefinitionArn);
    const old = await main.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: made.TaskDef! }));
    expect(old.taskDefinition?.status).toBe("INACTIVE");
  });

  it("without it, the stack's parameter changes but the task definition stays at revision 1", async () => {
    const { taskDefinition } = await updateTag(withoutState);
    expect(taskDefinition.revision).toBe(1);
  });
});

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
      volumes: [
        { name: "weights", efsVolumeConfiguration: { fileSystemId: made.Weights, transitEncryption: "ENABLED", rootDirectory: "/" } },
      ],
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

describe("service-rollout (moto gap 3)", () => {
  it("a service reports running = desired and a COMPLETED primary deployment for its task definition", async () => {
    const made = await fargateService(main, 2);
    const first = await describeService(main, made.cluster, made.service);
    expect(first.runningCount).toBe(2);
    expect(first.deployments).toHaveLength(1);
    expect(first.deployments?.[0]).toMatchObject({ status: "PRIMARY", rolloutState: "COMPLETED", runningCount: 2 });

    const next = await made.register("v2");
    await main.ecs.send(
      new UpdateServiceCommand({ cluster: made.cluster, service: made.service, taskDefinition: next.taskDefinition!.taskDefinitionArn!, desiredCount: 3 }),
    );
    const updated = await describeService(main, made.cluster, made.service);
    expect(updated.runningCount).toBe(3);
    expect(updated.deployments?.[0]).toMatchObject({
      status: "PRIMARY",
      rolloutState: "COMPLETED",
      taskDefinition: next.taskDefinition!.taskDefinitionArn,
      desiredCount: 3,
      runningCount: 3,
    });
    expect(updated.deployments?.[0]?.id).not.toBe(first.deployments?.[0]?.id);
  });

  it("without it, the service never runs its tasks and its deployment stays IN_PROGRESS", async () => {
    const made = await fargateService(withoutState, 2);
    const service = await describeService(withoutState, made.cluster, made.service);
    expect(service.runningCount).toBe(0);
    expect(service.deployments?.[0]?.rolloutState).toBe("IN_PROGRESS");
  });
});

describe("target-health (moto gap 3)", () => {
  it("the target group reports one healthy target per running task, in the service's subnets", async () => {
    const made = await fargateService(main, 2);
    const targets = await healthyTargets(main, made.targetGroupArn);
    expect(targets).toHaveLength(2);
    for (const target of targets) {
      expect(target.Target?.Id).toMatch(/^10\.9\.[12]\.\d+$/);
      expect(target.Target?.Port).toBe(CONTAINER_PORT);
    }
    await main.ecs.send(new UpdateServiceCommand({ cluster: made.cluster, service: made.service, desiredCount: 1 }));
    expect(await healthyTargets(main, made.targetGroupArn)).toHaveLength(1);
  });

  it("a stack's service registers its tasks in its target group", async () => {
    const name = uniqueName("t");
    await createStack(main, name, ecsTemplate(), { DesiredCount: 3 });
    const made = await stackResources(main, name);
    expect(await healthyTargets(main, made.Tg!)).toHaveLength(3);
  });

  it("without it, the target group has no targets", async () => {
    const made = await fargateService(withoutState, 2);
    await withoutState.ecs.send(new UpdateServiceCommand({ cluster: made.cluster, service: made.service, desiredCount: 2 }));
    expect((await describeService(withoutState, made.cluster, made.service)).runningCount).toBe(2);
    expect(await healthyTargets(withoutState, made.targetGroupArn)).toEqual([]);
  });
});

describe("failed-create-rollback (moto gap 4)", () => {
  const missingCertificate = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000";

  it("a resource that fails rolls the stack back to ROLLBACK_COMPLETE with a CREATE_FAILED event", async () => {
    const name = uniqueName("f");
    await createStack(main, name, baseTemplate(missingCertificate));

    const stack = await describeStack(main, name);
    expect(stack.StackStatus).toBe("ROLLBACK_COMPLETE");
    expect(stack.StackStatusReason).toMatch(/failed to create: \[Https\]/);
    const events = (await main.cf.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents ?? [];
    const failed = events.find((e) => e.ResourceStatus === "CREATE_FAILED");
    expect(failed).toMatchObject({ LogicalResourceId: "Https", ResourceType: "AWS::ElasticLoadBalancingV2::Listener" });
    expect(failed?.ResourceStatusReason).toMatch(/certificate/i);
    expect(events.map((e) => e.ResourceStatus)).toEqual(
      expect.arrayContaining(["CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE"]),
    );

    // the partial resources are gone
    const vpcs = await main.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:aws:cloudformation:stack-name", Values: [name] }] }));
    expect(vpcs.Vpcs ?? []).toEqual([]);
    const lbs = await main.elb.send(new DescribeLoadBalancersCommand({}));
    expect((lbs.LoadBalancers ?? []).filter((lb) => lb.LoadBalancerName?.startsWith(`${name}-`))).toEqual([]);
    expect(await exportNames(main)).not.toContain(`${name}-VpcId`);

    // it stays until deleted; then the name is free again
    await main.cf.send(new DeleteStackCommand({ StackName: name }));
    await expect(describeStack(main, name)).rejects.toThrow(/does not exist/);
  });

  it("a CREATE change set that fails while executing rolls back the same way", async () => {
    const name = uniqueName("f");
    await throughChangeSet(main, name, "CREATE", { body: baseTemplate(missingCertificate) });
    const stack = await describeStack(main, name);
    expect(stack.StackStatus).toBe("ROLLBACK_COMPLETE");
    const events = (await main.cf.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents ?? [];
    expect(events.find((e) => e.ResourceStatus === "CREATE_FAILED")?.LogicalResourceId).toBe("Https");
    const vpcs = await main.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:aws:cloudformation:stack-name", Values: [name] }] }));
    expect(vpcs.Vpcs ?? []).toEqual([]);
  });

  it("an import of a missing export is refused with ValidationError and leaves no stack", async () => {
    const name = uniqueName("f");
    await expect(createStack(main, name, importerTemplate(), { BaseName: `${name}-missing` })).rejects.toThrow(/No export named/);
    await expect(describeStack(main, name)).rejects.toThrow(/does not exist/);
  });

  it("without it, CreateStack fails and the stack stays in CREATE_PENDING/CREATE_IN_PROGRESS", async () => {
    const a = withoutLifecycle;
    const name = uniqueName("f");
    await expect(createStack(a, name, baseTemplate(missingCertificate))).rejects.toThrow(/certificate/i);
    // (DescribeStacks would try to create the listener again, for the outputs, and fail with HTTP 500)
    const stacks = await a.cf.send(new ListStacksCommand({}));
    expect(stacks.StackSummaries?.find((s) => s.StackName === name)?.StackStatus).toMatch(/^CREATE_(PENDING|IN_PROGRESS)$/);
  });
});

describe("change-set-execute (moto: change sets work only partly)", () => {
  it("a stack created through a change set has its outputs and exports, and another can import them", async () => {
    const base = uniqueName("x");
    const changes = await throughChangeSet(main, base, "CREATE", { body: exporterTemplate() });
    expect(changes.map((c) => [c.ResourceChange?.Action, c.ResourceChange?.LogicalResourceId])).toEqual([["Add", "Logs"]]);
    const stack = await describeStack(main, base);
    expect(stack.StackStatus).toBe("CREATE_COMPLETE");
    expect(stack.Outputs?.find((o) => o.OutputKey === "LogsName")?.OutputValue).toBe(`/emu/${base}`);
    expect(await exportNames(main)).toContain(`${base}-Logs`);

    const importer = uniqueName("y");
    await throughChangeSet(main, importer, "CREATE", { body: importerTemplate(), values: { BaseName: base } });
    expect((await describeStack(main, importer)).StackStatus).toBe("CREATE_COMPLETE");
  });

  it("an UPDATE change set lists what a parameter change modifies, and executing it applies it", async () => {
    const name = uniqueName("u");
    await throughChangeSet(main, name, "CREATE", { body: ecsTemplate(), values: { APITag: "v1", DesiredCount: 1 } });
    const changes = await throughChangeSet(main, name, "UPDATE", { values: { APITag: "v2" }, previous: ["DesiredCount"] });
    expect(changes.map((c) => `${c.ResourceChange?.Action} ${c.ResourceChange?.LogicalResourceId}`).sort()).toEqual([
      "Modify Service",
      "Modify TaskDef",
    ]);
    const stack = await describeStack(main, name);
    expect(stack.StackStatus).toBe("UPDATE_COMPLETE");
    expect(stack.Parameters?.find((p) => p.ParameterKey === "APITag")?.ParameterValue).toBe("v2");
    const made = await stackResources(main, name);
    const service = await describeService(main, made.Cluster!, made.Service!);
    expect(service.taskDefinition).toMatch(/:2$/);
    expect(service.desiredCount).toBe(1);
  });

  it("without it, a stack created through a change set has no outputs and exports nothing", async () => {
    const a = withoutLifecycle;
    const base = uniqueName("x");
    await throughChangeSet(a, base, "CREATE", { body: exporterTemplate() });
    const stack = await describeStack(a, base);
    expect(stack.StackStatus).toBe("CREATE_COMPLETE");
    expect(stack.Outputs ?? []).toEqual([]);
    expect(await exportNames(a)).not.toContain(`${base}-Logs`);
  });
});

describe("export-in-use (moto gap 10)", () => {
  it("an imported export protects its stack; ListImports names the importers", async () => {
    const base = uniqueName("x");
    const importer = uniqueName("y");
    await createStack(main, base, exporterTemplate());
    await createStack(main, importer, importerTemplate(), { BaseName: base });

    const imports = await main.cf.send(new ListImportsCommand({ ExportName: `${base}-Logs` }));
    expect(imports.Imports).toEqual([importer]);

    await main.cf.send(new DeleteStackCommand({ StackName: base }));
    const kept = await describeStack(main, base);
    expect(kept.StackStatus).toBe("CREATE_COMPLETE");
    expect(kept.StackStatusReason).toBe(`Export ${base}-Logs cannot be deleted as it is in use by ${importer}`);
    expect(await exportNames(main)).toContain(`${base}-Logs`);

    await main.cf.send(new DeleteStackCommand({ StackName: importer }));
    await expect(main.cf.send(new ListImportsCommand({ ExportName: `${base}-Logs` }))).rejects.toThrow(/is not imported by any stack/);
    await main.cf.send(new DeleteStackCommand({ StackName: base }));
    await expect(describeStack(main, base)).rejects.toThrow(/does not exist/);
  });

  it("without it, the exporting stack is deleted under its importer and ListImports does not exist", async () => {
    const a = withoutLifecycle;
    const base = uniqueName("x");
    const importer = uniqueName("y");
    await createStack(a, base, exporterTemplate());
    await createStack(a, importer, importerTemplate(), { BaseName: base });

    await expect(a.cf.send(new ListImportsCommand({ ExportName: `${base}-Logs` }))).rejects.toThrow();
    await a.cf.send(new DeleteStackCommand({ StackName: base }));
    await expect(describeStack(a, base)).rejects.toThrow(/does not exist/);
    expect(await exportNames(a)).not.toContain(`${base}-Logs`);
    const live = await a.cf.send(new ListStacksCommand({ StackStatusFilter: ["CREATE_COMPLETE"] }));
    expect((live.StackSummaries ?? []).map((s) => s.StackName)).toContain(importer);
  });
});

/** A CodeBuild project (logging to its own group, pushing to repository NAME) and a pipeline building it. */
async function pipelineAndBuild(a: Aws) {
    const name = uniqueName("cp");
    // the roles come from a stack: the project has no IAM client
    await createStack(a, `${name}-roles`, rolesTemplate());
    const outputs = (await describeStack(a, `${name}-roles`)).Outputs ?? [];
    const roleArn = (key: string) => outputs.find((o) => o.OutputKey === key)!.OutputValue!;
    await a.codebuild.send(
      new CreateProjectCommand({
        name,
        source: { type: "CODEPIPELINE", location: "unused" },
        artifacts: { type: "CODEPIPELINE", location: "unused" },
        environment: {
          type: "LINUX_CONTAINER",
          image: "aws/codebuild/standard:7.0",
          computeType: "BUILD_GENERAL1_SMALL",
          privilegedMode: true,
          environmentVariables: [{ name: "ECR_REPOSITORY_URI", value: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${name}` }],
        },
        serviceRole: roleArn("BuildRoleArn"),
        logsConfig: { cloudWatchLogs: { status: "ENABLED", groupName: `/aws/codebuild/${name}` } },
      }),
    );
    await a.codepipeline.send(
      new CreatePipelineCommand({
        pipeline: {
          name,
          roleArn: roleArn("PipelineRoleArn"),
          artifactStore: { type: "S3", location: `${name}-artifacts` },
          stages: [
            {
              name: "Source",
              actions: [
                {
                  name: "Source",
                  actionTypeId: { category: "Source", owner: "AWS", provider: "CodeStarSourceConnection", version: "1" },
                  configuration: {
                    ConnectionArn: "arn:aws:codestar-connections:us-east-1:123456789012:connection/00000000-0000-0000-0000-000000000000",
                    FullRepositoryId: "owner/repo",
                    BranchName: "main",
                  },
                  outputArtifacts: [{ name: "src" }],
                },
              ],
            },
            {
              name: "Build",
              actions: [
                {
                  name: "Build",
                  actionTypeId: { category: "Build", owner: "AWS", provider: "CodeBuild", version: "1" },
                  configuration: { ProjectName: name },
                  inputArtifacts: [{ name: "src" }],
                },
              ],
            },
          ],
        },
      }),
    );
    return name;
}

describe("pipeline-dates (moto gap 9)", () => {
  it("GetPipeline, ListPipelines, StartBuild, BatchGetBuilds and BatchGetProjects deserialize, with Date timestamps", async () => {
    const name = await pipelineAndBuild(main);
    const pipeline = await main.codepipeline.send(new GetPipelineCommand({ name }));
    expect(pipeline.metadata?.created).toBeInstanceOf(Date);
    expect(Math.abs(pipeline.metadata!.created!.getTime() - Date.now())).toBeLessThan(120_000);
    const listed = await main.codepipeline.send(new ListPipelinesCommand({}));
    expect(listed.pipelines?.find((p) => p.name === name)?.updated).toBeInstanceOf(Date);

    const started = await main.codebuild.send(new StartBuildCommand({ projectName: name }));
    expect(started.build?.startTime).toBeInstanceOf(Date);
    const builds = await main.codebuild.send(new BatchGetBuildsCommand({ ids: [started.build!.id!] }));
    expect(builds.builds?.[0]?.startTime).toBeInstanceOf(Date);
    expect(builds.builds?.[0]?.phases?.[0]?.startTime).toBeInstanceOf(Date);
    const projects = await main.codebuild.send(new BatchGetProjectsCommand({ names: [name] }));
    expect(projects.projects?.[0]?.created).toBeInstanceOf(Date);
  });

  it("without it, the JS SDK cannot read GetPipeline, ListPipelines or StartBuild", async () => {
    const a = withoutState;
    const name = await pipelineAndBuild(a);
    await expect(a.codepipeline.send(new GetPipelineCommand({ name }))).rejects.toThrow(/real number|NaN/);
    await expect(a.codepipeline.send(new ListPipelinesCommand({}))).rejects.toThrow(/real number|NaN/);
    await expect(a.codebuild.send(new StartBuildCommand({ projectName: name }))).rejects.toThrow(/real number|NaN/);
  });
});

describe("codebuild-update-project (missing in moto)", () => {
  const project = (name: string, roleArn: string, image: string) => ({
    name,
    source: { type: "CODEPIPELINE" as const, location: "unused" },
    artifacts: { type: "CODEPIPELINE" as const, location: "unused" },
    environment: { type: "LINUX_CONTAINER" as const, image, computeType: "BUILD_GENERAL1_SMALL" as const, privilegedMode: true },
    serviceRole: roleArn,
  });
  const role = "arn:aws:iam::123456789012:role/build";

  it("UpdateProject replaces the fields given", async () => {
    const name = uniqueName("cb");
    await main.codebuild.send(new CreateProjectCommand(project(name, role, "aws/codebuild/standard:7.0")));
    const updated = await main.codebuild.send(new UpdateProjectCommand(project(name, role, "aws/codebuild/standard:8.0")));
    expect(updated.project?.environment?.image).toBe("aws/codebuild/standard:8.0");
    const projects = await main.codebuild.send(new BatchGetProjectsCommand({ names: [name] }));
    expect(projects.projects?.[0]?.environment?.image).toBe("aws/codebuild/standard:8.0");
    await expect(main.codebuild.send(new UpdateProjectCommand(project(`${name}-none`, role, "x")))).rejects.toThrow(/cannot be found/);
  });

  it("without it, UpdateProject fails", async () => {
    const name = uniqueName("cb");
    await withoutState.codebuild.send(new CreateProjectCommand(project(name, role, "aws/codebuild/standard:7.0")));
    await expect(withoutState.codebuild.send(new UpdateProjectCommand(project(name, role, "aws/codebuild/standard:8.0")))).rejects.toThrow();
  });
});

describe("unimplemented-calls (moto gap 8: calls moto lacks)", () => {
  const refusal = async (send: Promise<unknown>) =>
    send.then(
      () => undefined,
      (e: unknown) => e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } },
    );

  it("a call moto lacks answers 501 NotImplemented naming it, in the request's protocol", async () => {
    const executions = await refusal(main.codepipeline.send(new ListActionExecutionsCommand({ pipelineName: uniqueName("p") })));
    expect(executions?.$metadata?.httpStatusCode).toBe(501);
    expect(executions?.name).toBe("NotImplemented");
    expect(executions?.message).toBe("The emulator does not implement ListActionExecutions.");
    const rollback = await refusal(main.cf.send(new ContinueUpdateRollbackCommand({ StackName: uniqueName("s") })));
    expect(rollback?.$metadata?.httpStatusCode).toBe(501);
    expect(rollback?.message).toBe("The emulator does not implement ContinueUpdateRollback.");
  });

  it("without it, moto answers an HTML 500 page, which clients take for an outage and retry", async () => {
    const executions = await refusal(withoutState.codepipeline.send(new ListActionExecutionsCommand({ pipelineName: uniqueName("p") })));
    expect(executions?.$metadata?.httpStatusCode).toBe(500);
    expect(executions?.name).not.toBe("NotImplemented");
  });
});

describe("change-set-replacement (moto: change sets leave Replacement empty)", () => {
  const template = JSON.stringify({
    Parameters: { Cidr: { Type: "String" }, Days: { Type: "Number" } },
    Resources: {
      Vpc: { Type: "AWS::EC2::VPC", Properties: { CidrBlock: { Ref: "Cidr" } } },
      Subnet: { Type: "AWS::EC2::Subnet", Properties: { VpcId: { Ref: "Vpc" }, CidrBlock: "10.0.0.0/24" } },
      Logs: { Type: "AWS::Logs::LogGroup", Properties: { RetentionInDays: { Ref: "Days" } } },
    },
  });
  const byId = (changes: Change[]) =>
    Object.fromEntries(changes.map((c) => [c.ResourceChange?.LogicalResourceId ?? "", c.ResourceChange]));

  it("a new VPC CIDR replaces the VPC (True), its subnet may be replaced (Conditional), a new retention does not replace (False)", async () => {
    const name = uniqueName("r");
    await throughChangeSet(main, name, "CREATE", { body: template, values: { Cidr: "10.0.0.0/16", Days: 7 } });
    const changes = byId(await throughChangeSet(main, name, "UPDATE", { body: template, values: { Cidr: "10.1.0.0/16", Days: 14 } }));
    expect(changes.Vpc?.Replacement).toBe("True");
    expect(changes.Vpc?.Details).toEqual([
      { Target: { Attribute: "Properties", Name: "CidrBlock", RequiresRecreation: "Always" }, Evaluation: "Static", ChangeSource: "ParameterReference", CausingEntity: "Cidr" },
    ]);
    expect(changes.Subnet?.Replacement).toBe("Conditional");
    expect(changes.Subnet?.Details).toEqual([
      { Target: { Attribute: "Properties", Name: "VpcId", RequiresRecreation: "Always" }, Evaluation: "Dynamic", ChangeSource: "ResourceReference", CausingEntity: "Vpc" },
    ]);
    expect(changes.Logs?.Replacement).toBe("False");
    expect(changes.Logs?.Details?.[0]?.Target).toEqual({ Attribute: "Properties", Name: "RetentionInDays", RequiresRecreation: "Never" });
  });

  it("without it, a replaced VPC shows no Replacement", async () => {
    const name = uniqueName("r");
    await throughChangeSet(withoutState, name, "CREATE", { body: template, values: { Cidr: "10.0.0.0/16", Days: 7 } });
    const changes = byId(await throughChangeSet(withoutState, name, "UPDATE", { body: template, values: { Cidr: "10.1.0.0/16", Days: 14 } }));
    expect(changes.Vpc).toBeDefined();
    expect(changes.Vpc?.Replacement).toBeUndefined();
  });
});

describe("security-group-message (moto: a Python set in an EC2 message)", () => {
  it("InvalidGroup.NotFound names the group as EC2 does", async () => {
    const missing = await main.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["sg-0123456789abcdef0"] })).catch((e: unknown) => e as Error);
    expect((missing as Error).name).toBe("InvalidGroup.NotFound");
    expect((missing as Error).message).toBe("The security group 'sg-0123456789abcdef0' does not exist");
  });

  it("without it, the message carries a Python set", async () => {
    const missing = await withoutState.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["sg-0123456789abcdef0"] })).catch((e: unknown) => e as Error);
    expect((missing as Error).message).toBe("The security group '{'sg-0123456789abcdef0'}' does not exist");
  });
});

describe("stack-parameters-text (list parameters read back)", () => {
  const listTemplate = () =>
    JSON.stringify({
      Parameters: { Zones: { Type: "CommaDelimitedList" } },
      Resources: { Logs: { Type: "AWS::Logs::LogGroup", Properties: { LogGroupName: { "Fn::Join": ["-", { Ref: "Zones" }] } } } },
    });

  it("DescribeStacks answers a CommaDelimitedList parameter as the text it was given", async () => {
    const name = uniqueName("l");
    await throughChangeSet(main, name, "CREATE", { body: listTemplate(), values: { Zones: "us-east-1a,us-east-1b" } });
    expect((await describeStack(main, name)).Parameters?.find((p) => p.ParameterKey === "Zones")?.ParameterValue).toBe("us-east-1a,us-east-1b");
  });

  it("without it, the value reads as a Python list", async () => {
    const name = uniqueName("l");
    await throughChangeSet(withoutState, name, "CREATE", { body: listTemplate(), values: { Zones: "us-east-1a,us-east-1b" } });
    expect((await describeStack(withoutState, name)).Parameters?.find((p) => p.ParameterKey === "Zones")?.ParameterValue).toBe("['us-east-1a', 'us-east-1b']");
  });
});

describe("ecs-traffic-shift (moto gap 3)", () => {
  async function ruleWeights(a: Aws, ruleArn: string): Promise<Record<string, number>> {
    const rule = (await a.elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }))).Rules![0]!;
    const forward = rule.Actions?.find((action) => action.Type === "forward");
    const groups = forward?.ForwardConfig?.TargetGroups ?? (forward?.TargetGroupArn ? [{ TargetGroupArn: forward.TargetGroupArn, Weight: 1 }] : []);
    return Object.fromEntries(groups.map((g) => [g.TargetGroupArn!, g.Weight!]));
  }

  async function blueGreen(a: Aws) {
    const name = uniqueName("s");
    await throughChangeSet(a, name, "CREATE", { body: trafficShiftTemplate(), values: { APITag: "v1", DesiredCount: 2 } });
    const made = await stackResources(a, name);
    const deploy = (values: Record<string, string | number>) => throughChangeSet(a, name, "UPDATE", { values: { APITag: "v1", DesiredCount: 2, ...values } });
    const state = async () => ({ weights: await ruleWeights(a, made.Rule!), primary: (await healthyTargets(a, made.Tg!)).length, alternate: (await healthyTargets(a, made.AltTg!)).length });
    return { made, deploy, state };
  }

  it("each blue/green deployment moves the rule's weights and the tasks to the target group that served none, and leaves them there", async () => {
    const { made, deploy, state } = await blueGreen(main);
    expect(await state()).toEqual({ weights: { [made.Tg!]: 100, [made.AltTg!]: 0 }, primary: 2, alternate: 0 });
    await deploy({ APITag: "v2" });
    expect(await state()).toEqual({ weights: { [made.Tg!]: 0, [made.AltTg!]: 100 }, primary: 0, alternate: 2 });
    await deploy({ APITag: "v3" });
    expect(await state()).toEqual({ weights: { [made.Tg!]: 100, [made.AltTg!]: 0 }, primary: 2, alternate: 0 });
  });

  it("an update of the rule writes the template's weights back while the tasks stay where ECS put them (the outage CloudFormation causes)", async () => {
    const { made, deploy, state } = await blueGreen(main);
    await deploy({ APITag: "v2" });
    await deploy({ APITag: "v2", HostHeader: "moved.example.com" });
    expect(await state()).toEqual({ weights: { [made.Tg!]: 100, [made.AltTg!]: 0 }, primary: 0, alternate: 2 });
  });

  it("a parameter that flips a condition updates the rule using it before the resource the condition removes goes (sub-parameter-diff, conditional-resources-update)", async () => {
    const name = uniqueName("f");
    await throughChangeSet(main, name, "CREATE", { body: conditionalRuleTemplate(), values: { Shift: "true" } });
    const made = await stackResources(main, name);
    expect(Object.keys(await ruleWeights(main, made.Rule!)).sort()).toEqual([made.AltTg!, made.Tg!].sort());
    await throughChangeSet(main, name, "UPDATE", { values: { Shift: "false" } });
    expect((await describeStack(main, name)).StackStatus).toBe("UPDATE_COMPLETE");
    expect(Object.keys(await ruleWeights(main, made.Rule!))).toEqual([made.Tg!]);
    expect(await targetGroupExists(main, made.AltTg!)).toBe(false);
  });

  it("without them, the rule keeps forwarding to the target group the condition removes", async () => {
    const name = uniqueName("f");
    await throughChangeSet(withoutState, name, "CREATE", { body: conditionalRuleTemplate(), values: { Shift: "true" } });
    const made = await stackResources(withoutState, name);
    await throughChangeSet(withoutState, name, "UPDATE", { values: { Shift: "false" } });
    expect(Object.keys(await ruleWeights(withoutState, made.Rule!)).sort()).toEqual([made.AltTg!, made.Tg!].sort());
  });

  it("without it, a deployment leaves the weights and the tasks on the primary target group", async () => {
    const { made, deploy, state } = await blueGreen(withoutJudges);
    await deploy({ APITag: "v2" });
    expect(await state()).toEqual({ weights: { [made.Tg!]: 100, [made.AltTg!]: 0 }, primary: 2, alternate: 0 });
  });
});

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
    const described = await main.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: listed.serviceDeployments!.map((d) => d.serviceDeploymentArn!) }));
    expect(described.serviceDeployments?.[0]?.deploymentConfiguration?.strategy).toBe("CANARY");
    const revisions = await main.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: described.serviceDeployments!.map((d) => d.targetServiceRevision!.arn!) }));
    expect(revisions.serviceRevisions?.map((r) => r.containerImages?.[0]?.image?.split(":").pop())).toEqual(["v2", "v1"]);
  });

  it("without service-deployments, ListServiceDeployments is not implemented", async () => {
    const { made } = await canary(withoutJudges);
    await expect(withoutJudges.ecs.send(new ListServiceDeploymentsCommand({ cluster: made.Cluster!, service: made.Service! }))).rejects.toThrow(/ListServiceDeployments/);
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
    const described = await main.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: listed.serviceDeployments!.map((d) => d.serviceDeploymentArn!) }));
    const failed = described.serviceDeployments?.find((d) => d.status === "ROLLBACK_SUCCESSFUL");
    expect(failed?.alarms?.triggeredAlarmNames).toEqual([made.Alarm]);
  });

  it("without deployment-alarms, the alarm changes nothing: the stack and service run v2", async () => {
    const { made, stack } = await failingCanary(withoutJudges);
    expect(stack.StackStatus).toBe("UPDATE_COMPLETE");
    expect(await image(withoutJudges, made.Cluster!, made.Service!)).toMatch(/:v2$/);
  });
});

describe("one-off-task (ECS RunTask of a Fargate awsvpc task)", () => {
  /** A Fargate task definition like the weights sync task's: shell entry point, an EFS volume, awslogs. */
  async function syncTask(a: Aws) {
    const net = await network(a);
    const name = uniqueName("run");
    await a.ecs.send(new CreateClusterCommand({ clusterName: name }));
    await a.logs.send(new CreateLogGroupCommand({ logGroupName: `/t/${name}` }));
    const registered = await a.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: name,
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "512",
        memory: "1024",
        containerDefinitions: [
          {
            name: "sync",
            image: "public.ecr.aws/aws-cli/aws-cli:2.27.0",
            entryPoint: ["/bin/sh", "-c"],
            command: ["true"],
            mountPoints: [{ sourceVolume: "weights", containerPath: "/mnt/weights" }],
            logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": `/t/${name}`, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "weights" } },
          },
        ],
        volumes: [{ name: "weights", efsVolumeConfiguration: { fileSystemId: "fs-12345678", transitEncryption: "ENABLED", authorizationConfig: { iam: "ENABLED" } } }],
      }),
    );
    const run = (command: string) =>
      a.ecs.send(
        new RunTaskCommand({
          cluster: name,
          taskDefinition: registered.taskDefinition!.taskDefinitionArn!,
          launchType: "FARGATE",
          networkConfiguration: { awsvpcConfiguration: { subnets: net.subnets, securityGroups: [net.securityGroup], assignPublicIp: "DISABLED" } },
          overrides: { containerOverrides: [{ name: "sync", command: [command] }] },
        }),
      );
    return { name, run };
  }

  it("RunTask starts the task with its command; it ends STOPPED with exit code 0 and a log line per object it syncs", async () => {
    const { name, run } = await syncTask(main);
    const bucket = `${name}-src`;
    await main.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await main.s3.send(new PutObjectCommand({ Bucket: bucket, Key: "m/a.bin", Body: "abc" }));
    const started = (await run(`aws s3 sync 's3://${bucket}/m/' /mnt/weights --no-progress`)).tasks![0]!;
    const task = (await main.ecs.send(new DescribeTasksCommand({ cluster: name, tasks: [started.taskArn!] }))).tasks![0]!;
    expect(task).toMatchObject({ lastStatus: "STOPPED", stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited" });
    expect(task.containers?.[0]?.exitCode).toBe(0);
    expect(task.overrides?.containerOverrides?.[0]?.command).toEqual([`aws s3 sync 's3://${bucket}/m/' /mnt/weights --no-progress`]);
    const id = started.taskArn!.split("/").pop();
    const events = (await main.logs.send(new GetLogEventsCommand({ logGroupName: `/t/${name}`, logStreamName: `weights/sync/${id}`, startFromHead: true }))).events ?? [];
    expect(events.map((e) => e.message)).toEqual([`download: s3://${bucket}/m/a.bin to /mnt/weights/a.bin`]);
  });

  it("a sync from a missing bucket exits 1 with the AWS CLI's error", async () => {
    const { name, run } = await syncTask(main);
    const started = (await run("aws s3 sync 's3://no-such-bucket-anywhere/m/' /mnt/weights")).tasks![0]!;
    const task = (await main.ecs.send(new DescribeTasksCommand({ cluster: name, tasks: [started.taskArn!] }))).tasks![0]!;
    expect(task.containers?.[0]?.exitCode).toBe(1);
  });

  it("without it, RunTask of a Fargate awsvpc task fails", async () => {
    const { run } = await syncTask(withoutState);
    await expect(run("true")).rejects.toThrow();
  });
});

/** A stack whose parameter S switches a log group and a schedule (and the schedule's role) on and off. */
const switchedTemplate = (group: string, scheduleName: string) =>
  JSON.stringify({
    Parameters: { S: { Type: "String", Default: "" } },
    Conditions: { On: { "Fn::Not": [{ "Fn::Equals": [{ Ref: "S" }, ""] }] } },
    Resources: {
      Group: { Type: "AWS::Logs::LogGroup", Condition: "On", Properties: { LogGroupName: group } },
      Role: {
        Type: "AWS::IAM::Role",
        Condition: "On",
        Properties: { AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole" }] } },
      },
      Schedule: {
        Type: "AWS::Scheduler::Schedule",
        Condition: "On",
        Properties: {
          Name: scheduleName,
          ScheduleExpression: { Ref: "S" },
          FlexibleTimeWindow: { Mode: "OFF" },
          Target: {
            Arn: "arn:aws:ecs:us-east-1:123456789012:cluster/c",
            RoleArn: { "Fn::GetAtt": ["Role", "Arn"] },
            EcsParameters: { TaskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/f:1", TaskCount: 1, NetworkConfiguration: { AwsvpcConfiguration: { Subnets: ["subnet-1"] } } },
          },
        },
      },
    },
  });

async function scheduleOf(a: Aws, name: string) {
  try {
    return await a.scheduler.send(new GetScheduleCommand({ Name: name }));
  } catch (error) {
    if ((error as Error).name === "ResourceNotFoundException") return undefined;
    throw error;
  }
}

async function groupExists(a: Aws, name: string): Promise<boolean> {
  const groups = (await a.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }))).logGroups ?? [];
  return groups.some((g) => g.logGroupName === name);
}

describe("scheduler-schedule (AWS::Scheduler::Schedule has no model)", () => {
  const scheduleTemplate = (name: string) =>
    JSON.stringify({
      Resources: {
        Schedule: {
          Type: "AWS::Scheduler::Schedule",
          Properties: { Name: name, ScheduleExpression: "rate(3 minutes)", FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: "arn:aws:ecs:us-east-1:123456789012:cluster/c", RoleArn: "arn:aws:iam::123456789012:role/r" } },
        },
      },
    });

  it("a stack's schedule exists with its expression and target, and goes with the stack", async () => {
    const name = uniqueName("sch");
    await createStack(main, name, scheduleTemplate(name));
    expect(await scheduleOf(main, name)).toMatchObject({ ScheduleExpression: "rate(3 minutes)", Target: { Arn: "arn:aws:ecs:us-east-1:123456789012:cluster/c" } });
    await main.cf.send(new DeleteStackCommand({ StackName: name }));
    expect(await scheduleOf(main, name)).toBeUndefined();
  });

  it("without it, the stack is created but no schedule exists", async () => {
    const name = uniqueName("sch");
    await createStack(withoutState, name, scheduleTemplate(name));
    expect(await scheduleOf(withoutState, name)).toBeUndefined();
  });
});

describe("conditional-resources-update (a Condition flipped by an update)", () => {
  it("an update that makes a condition true creates its resources; one that makes it false deletes them", async () => {
    const name = uniqueName("cond");
    const body = switchedTemplate(`/c/${name}`, name);
    await throughChangeSet(main, name, "CREATE", { body, values: { S: "" } });
    expect(await groupExists(main, `/c/${name}`)).toBe(false);
    await throughChangeSet(main, name, "UPDATE", { body, values: { S: "rate(5 minutes)" } });
    expect((await describeStack(main, name)).StackStatus).toBe("UPDATE_COMPLETE");
    expect(await groupExists(main, `/c/${name}`)).toBe(true);
    expect((await scheduleOf(main, name))?.Target?.EcsParameters?.NetworkConfiguration?.awsvpcConfiguration?.Subnets).toEqual(["subnet-1"]);
    await throughChangeSet(main, name, "UPDATE", { body, values: { S: "" } });
    expect((await describeStack(main, name)).StackStatus).toBe("UPDATE_COMPLETE");
    expect(await groupExists(main, `/c/${name}`)).toBe(false);
    expect(await scheduleOf(main, name)).toBeUndefined();
  });

  it("without it, the resources of a condition that became true are never created", async () => {
    const name = uniqueName("cond");
    const body = switchedTemplate(`/c/${name}`, name);
    await throughChangeSet(withoutState, name, "CREATE", { body, values: { S: "" } });
    await throughChangeSet(withoutState, name, "UPDATE", { body, values: { S: "rate(5 minutes)" } }).catch(() => undefined);
    expect(await groupExists(withoutState, `/c/${name}`)).toBe(false);
  });
});

describe("elb-quotas (load balancer quotas reported and enforced)", () => {
  const limitsOf = async (a: Aws) =>
    Object.fromEntries(((await a.elb.send(new DescribeAccountLimitsCommand({}))).Limits ?? []).map((l) => [l.Name, l.Max]));

  /** A load balancer with an HTTPS listener and `groups` target groups, made through the API. */
  async function loadBalancer(a: Aws, groups: number) {
    const vpc = (await a.ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc!.VpcId!;
    const subnets = await Promise.all(
      ["10.9.0.0/24", "10.9.1.0/24"].map(async (cidr, i) => (await a.ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr, AvailabilityZone: `us-east-1${"ab"[i]}` }))).Subnet!.SubnetId!),
    );
    const lb = (await a.elb.send(new CreateLoadBalancerCommand({ Name: uniqueName("q"), Subnets: subnets }))).LoadBalancers![0]!.LoadBalancerArn!;
    const certificate = async (host: string) => (await a.acm.send(new RequestCertificateCommand({ DomainName: host, ValidationMethod: "DNS" }))).CertificateArn!;
    const listener = (
      await a.elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb,
          Protocol: "HTTPS",
          Port: 443,
          Certificates: [{ CertificateArn: await certificate("default.example.com") }],
          DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404" } }],
        }),
      )
    ).Listeners![0]!.ListenerArn!;
    const targetGroups: string[] = [];
    for (let i = 0; i < groups; i++) {
      targetGroups.push((await a.elb.send(new CreateTargetGroupCommand({ Name: uniqueName("tg"), VpcId: vpc, Protocol: "HTTP", Port: 80, TargetType: "ip" }))).TargetGroups![0]!.TargetGroupArn!);
    }
    const rule = (priority: number, targetGroup: string) =>
      a.elb.send(
        new CreateRuleCommand({
          ListenerArn: listener,
          Priority: priority,
          Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: [`h${priority}.example.com`] } }],
          Actions: [{ Type: "forward", TargetGroupArn: targetGroup }],
        }),
      );
    return { lb, listener, targetGroups, certificate, rule };
  }

  const failsWith = async (work: Promise<unknown>, code: string) => {
    const error = await work.then(
      () => undefined,
      (e: Error) => e,
    );
    // The API reference's error code; the SDK names its class after it (TooManyRulesException).
    expect(error?.name).toMatch(new RegExp(`^${code}(Exception)?$`));
  };

  it("DescribeAccountLimits reports AWS's default quotas per load balancer", async () => {
    const limits = await limitsOf(main);
    expect(limits).toMatchObject({
      "certificates-per-application-load-balancer": "25",
      "rules-per-application-load-balancer": "100",
      "target-groups-per-application-load-balancer": "100",
    });
  });

  it("lowered quotas are reported and enforced: TooManyCertificates, TooManyRules, TooManyTargetGroups", async () => {
    const lowered = await startEmulator({ elbQuotas: "certificates=1,rules=2,target-groups=1" });
    try {
      const a = aws(lowered.url);
      expect(await limitsOf(a)).toMatchObject({
        "certificates-per-application-load-balancer": "1",
        "rules-per-application-load-balancer": "2",
        "target-groups-per-application-load-balancer": "1",
      });
      const made = await loadBalancer(a, 2);
      // The default certificate does not count.
      await a.elb.send(new AddListenerCertificatesCommand({ ListenerArn: made.listener, Certificates: [{ CertificateArn: await made.certificate("one.example.com") }] }));
      await failsWith(a.elb.send(new AddListenerCertificatesCommand({ ListenerArn: made.listener, Certificates: [{ CertificateArn: await made.certificate("two.example.com") }] })), "TooManyCertificates");
      const first = (await made.rule(1, made.targetGroups[0]!)).Rules![0]!.RuleArn!;
      await failsWith(made.rule(2, made.targetGroups[1]!), "TooManyTargetGroups");
      const second = (await made.rule(2, made.targetGroups[0]!)).Rules![0]!.RuleArn!;
      await failsWith(made.rule(3, made.targetGroups[0]!), "TooManyRules");
      // Once no rule forwards to it, the target group is no longer attached to the load balancer.
      await a.elb.send(new DeleteRuleCommand({ RuleArn: first }));
      await a.elb.send(new DeleteRuleCommand({ RuleArn: second }));
      const group = (await a.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [made.targetGroups[0]!] }))).TargetGroups![0]!;
      expect(group.LoadBalancerArns ?? []).toEqual([]);
      await made.rule(4, made.targetGroups[1]!);
    } finally {
      await lowered.stop();
    }
  });

  it("without it, the limits lack target groups per load balancer and a target group stays attached after its rules are gone", async () => {
    expect(await limitsOf(withoutState)).not.toHaveProperty("target-groups-per-application-load-balancer");
    const made = await loadBalancer(withoutState, 1);
    const rule = (await made.rule(1, made.targetGroups[0]!)).Rules![0]!.RuleArn!;
    await withoutState.elb.send(new DeleteRuleCommand({ RuleArn: rule }));
    const group = (await withoutState.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [made.targetGroups[0]!] }))).TargetGroups![0]!;
    expect(group.LoadBalancerArns).toEqual([made.lb]);
  });
});

describe("elb-health-metrics (moto gap 12: no load balancer metrics in CloudWatch)", () => {
  // Whole minutes, so that the five 60 s periods of the window are complete whatever the clock says.
  const window = () => {
    const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    return { StartTime: new Date(end.getTime() - 5 * 60_000), EndTime: end };
  };
  const minutes = (range: { StartTime: Date }) => [0, 1, 2, 3, 4].map((i) => new Date(range.StartTime.getTime() + i * 60_000).toISOString());

  /** TargetGroup and LoadBalancer dimension values: the ends of the ARNs, as CloudWatch names them. */
  const dimensionsOf = (targetGroupArn: string, loadBalancerArn: string, zone?: string) => [
    { Name: "TargetGroup", Value: targetGroupArn.split(":").pop()! },
    { Name: "LoadBalancer", Value: loadBalancerArn.split(":loadbalancer/").pop()! },
    ...(zone ? [{ Name: "AvailabilityZone", Value: zone }] : []),
  ];
  const health = (Id: string, MetricName: string, Stat: string, Dimensions: { Name: string; Value: string }[], extra: Partial<MetricDataQuery> = {}): MetricDataQuery => ({
    Id,
    MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName, Dimensions }, Period: 60, Stat },
    ...extra,
  });

  /** A load balancer in two zones whose listener forwards to a target group holding two IP targets, one per zone. */
  async function registered(a: Aws) {
    const net = await network(a);
    const lb = (await a.elb.send(new CreateLoadBalancerCommand({ Name: uniqueName("m"), Subnets: net.subnets }))).LoadBalancers![0]!.LoadBalancerArn!;
    const group = (await a.elb.send(new CreateTargetGroupCommand({ Name: uniqueName("m"), VpcId: net.vpcId, Protocol: "HTTP", Port: 80, TargetType: "ip" }))).TargetGroups![0]!.TargetGroupArn!;
    await a.elb.send(new CreateListenerCommand({ LoadBalancerArn: lb, Protocol: "HTTP", Port: 80, DefaultActions: [{ Type: "forward", TargetGroupArn: group }] }));
    await a.elb.send(new RegisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: "10.9.1.10" }, { Id: "10.9.2.10" }] }));
    const namespace = uniqueName("custom");
    // moto's own path: a custom metric two minutes before the window ends.
    const range = window();
    await a.cloudWatch.send(
      new PutMetricDataCommand({ Namespace: namespace, MetricData: [{ MetricName: "Load", Value: 7, Timestamp: new Date(range.EndTime.getTime() - 90_000) }] }),
    );
    return { lb, group, namespace, range };
  }

  async function metricData(a: Aws, made: Awaited<ReturnType<typeof registered>>) {
    const answer = await a.cloudWatch.send(
      new GetMetricDataCommand({
        ...made.range,
        ScanBy: "TimestampAscending",
        MetricDataQueries: [
          { Id: "custom", MetricStat: { Metric: { Namespace: made.namespace, MetricName: "Load" }, Period: 60, Stat: "Sum" } },
          health("healthy", "HealthyHostCount", "Minimum", dimensionsOf(made.group, made.lb), { Label: "healthy targets" }),
          health("unhealthy", "UnHealthyHostCount", "Maximum", dimensionsOf(made.group, made.lb)),
          health("zoneA", "HealthyHostCount", "Maximum", dimensionsOf(made.group, made.lb, "us-east-1a")),
          health("unknown", "HealthyHostCount", "Maximum", dimensionsOf(made.group.replace(/\/[0-9a-f]+$/, "/0123456789abcdef"), made.lb)),
          health("hidden", "HealthyHostCount", "Maximum", dimensionsOf(made.group, made.lb), { ReturnData: false }),
        ],
      }),
    );
    return Object.fromEntries((answer.MetricDataResults ?? []).map((r) => [r.Id!, r]));
  }

  it("HealthyHostCount and UnHealthyHostCount per target group match DescribeTargetHealth, in one request with moto's own metrics", async () => {
    const made = await registered(main);
    const states = ((await main.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: made.group }))).TargetHealthDescriptions ?? []).map((d) => d.TargetHealth?.State);
    const healthy = states.filter((s) => s === "healthy").length;
    const unhealthy = states.filter((s) => s === "unhealthy" || s === "unhealthy.draining").length;
    expect(healthy + unhealthy).toBe(2);

    const results = await metricData(main, made);
    expect(Object.keys(results)).toEqual(["custom", "healthy", "unhealthy", "zoneA", "unknown"]);
    expect(results.healthy).toMatchObject({ Label: "healthy targets", StatusCode: "Complete", Values: [healthy, healthy, healthy, healthy, healthy] });
    expect(results.healthy?.Timestamps?.map((t) => t.toISOString())).toEqual(minutes(made.range));
    expect(results.unhealthy?.Values).toEqual([unhealthy, unhealthy, unhealthy, unhealthy, unhealthy]);
    // One target's address is in the us-east-1a subnet.
    expect(results.zoneA?.Values).toEqual(Array(5).fill(states[0] === "healthy" ? 1 : 0));
    expect(results.unknown?.Values).toEqual([]);
    expect(results.custom?.Values).toEqual([7]);
  });

  it("a target group not attached to the load balancer, or with health checks off, has no metric; 500 queries fit one request", async () => {
    const made = await registered(main);
    const vpcId = (await main.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [made.group] }))).TargetGroups![0]!.VpcId!;
    const detached = (await main.elb.send(new CreateTargetGroupCommand({ Name: uniqueName("m"), VpcId: vpcId, Protocol: "HTTP", Port: 80, TargetType: "ip" }))).TargetGroups![0]!.TargetGroupArn!;
    await main.elb.send(new RegisterTargetsCommand({ TargetGroupArn: detached, Targets: [{ Id: "10.9.1.11" }] }));
    const values = async (queries: MetricDataQuery[]) =>
      ((await main.cloudWatch.send(new GetMetricDataCommand({ ...made.range, MetricDataQueries: queries }))).MetricDataResults ?? []).map((r) => r.Values);

    const many = Array.from({ length: 500 }, (_, i) => health(`q${i}`, i % 2 ? "UnHealthyHostCount" : "HealthyHostCount", "Average", dimensionsOf(made.group, made.lb)));
    const answered = await values(many);
    expect(answered).toHaveLength(500);
    expect(answered[0]).toEqual([2, 2, 2, 2, 2]);
    expect(answered[499]).toEqual([0, 0, 0, 0, 0]);
    expect(await values([health("d", "HealthyHostCount", "Maximum", dimensionsOf(detached, made.lb))])).toEqual([[]]);

    await main.elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: made.group, HealthCheckEnabled: false }));
    expect(await values([health("off", "HealthyHostCount", "Maximum", dimensionsOf(made.group, made.lb))])).toEqual([[]]);
  });

  it("a stack's service shows its running tasks as healthy hosts", async () => {
    const name = uniqueName("m");
    await createStack(main, name, baseTemplate(await certificate(main)), { DesiredCount: 2 });
    const made = await stackResources(main, name);
    const answer = await main.cloudWatch.send(
      new GetMetricDataCommand({
        ...window(),
        MetricDataQueries: [
          health("all", "HealthyHostCount", "Maximum", dimensionsOf(made.Tg!, made.Alb!)),
          health("a", "HealthyHostCount", "Maximum", dimensionsOf(made.Tg!, made.Alb!, "us-east-1a")),
          health("b", "HealthyHostCount", "Maximum", dimensionsOf(made.Tg!, made.Alb!, "us-east-1b")),
        ],
      }),
    );
    const latest = Object.fromEntries((answer.MetricDataResults ?? []).map((r) => [r.Id!, r.Values?.[0]]));
    expect(latest.all).toBe(2);
    expect(latest.a! + latest.b!).toBe(2);
  });

  it("without it, the load balancer queries answer no datapoints; the custom metric still does", async () => {
    const made = await registered(withoutState);
    const results = await metricData(withoutState, made);
    expect(results.healthy?.Values).toEqual([]);
    expect(results.unhealthy?.Values).toEqual([]);
    expect(results.custom?.Values).toEqual([7]);
  });
});

describe("connections (moto: no CodeStar Connections backend)", () => {
  const arn = "arn:aws:codestar-connections:us-east-1:123456789012:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

  it("GetConnection answers an AVAILABLE GitHub connection; a malformed ARN is not found", async () => {
    const answer = await main.connections.send(new GetConnectionCommand({ ConnectionArn: arn }));
    expect(answer.Connection).toMatchObject({ ConnectionArn: arn, ConnectionStatus: "AVAILABLE", ProviderType: "GitHub" });
    await expect(main.connections.send(new GetConnectionCommand({ ConnectionArn: "arn:aws:s3:::not-a-connection" }))).rejects.toThrow(/does not exist/);
  });

  it("without it, GetConnection fails", async () => {
    await expect(withoutState.connections.send(new GetConnectionCommand({ ConnectionArn: arn }))).rejects.toThrow();
  });
});

describe("pipeline-executions (moto gap 8: no executions, builds that never run)", () => {
  it("a new pipeline runs: source commit, a build in BUILD with log lines, which succeeds once its image is pushed", async () => {
    const name = await pipelineAndBuild(main);
    const first = (await main.codepipeline.send(new ListPipelineExecutionsCommand({ pipelineName: name }))).pipelineExecutionSummaries ?? [];
    expect(first).toHaveLength(1);
    expect(first[0]?.status).toBe("InProgress");
    const commit = first[0]?.sourceRevisions?.[0]?.revisionId ?? "";
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    const state = await main.codepipeline.send(new GetPipelineStateCommand({ name }));
    expect(state.stageStates?.map((s) => [s.stageName, s.latestExecution?.status])).toEqual([
      ["Source", "Succeeded"],
      ["Build", "InProgress"],
    ]);
    // ActionRevision's three members are required (CodePipeline API reference, ActionRevision).
    expect(state.stageStates?.[0]?.actionStates?.[0]?.currentRevision).toEqual({ revisionId: commit, revisionChangeId: commit, created: expect.any(Date) });
    const buildId = state.stageStates?.[1]?.actionStates?.[0]?.latestExecution?.externalExecutionId ?? "";
    const running = (await main.codebuild.send(new BatchGetBuildsCommand({ ids: [buildId] }))).builds?.[0];
    expect(running?.buildStatus).toBe("IN_PROGRESS");
    expect(running?.currentPhase).toBe("BUILD");

    await main.ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    await main.ecr.send(new PutImageCommand({ repositoryName: name, imageTag: `tag-${commit}`, imageManifest: IMAGE_MANIFEST }));
    const done = (await main.codebuild.send(new BatchGetBuildsCommand({ ids: [buildId] }))).builds?.[0];
    expect(done?.buildStatus).toBe("SUCCEEDED");
    expect(done?.phases?.map((p) => p.phaseType)).toEqual(["SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD", "BUILD", "POST_BUILD", "UPLOAD_ARTIFACTS", "FINALIZING", "COMPLETED"]);
    const lines = await main.logs.send(new GetLogEventsCommand({ logGroupName: done?.logs?.groupName, logStreamName: done?.logs?.streamName, startFromHead: true }));
    expect(lines.events?.map((e) => e.message)).toContain(`Pushed image ${name}:tag-${commit}`);
    expect((await main.codepipeline.send(new ListPipelineExecutionsCommand({ pipelineName: name }))).pipelineExecutionSummaries?.[0]?.status).toBe("Succeeded");

    const again = await main.codepipeline.send(new StartPipelineExecutionCommand({ name }));
    const listed = (await main.codepipeline.send(new ListPipelineExecutionsCommand({ pipelineName: name }))).pipelineExecutionSummaries ?? [];
    expect(listed.map((e) => e.pipelineExecutionId)).toEqual([again.pipelineExecutionId, first[0]?.pipelineExecutionId]);
    // Newest build first, as ListBuildsForProject sorts DESCENDING.
    const builds = await main.codebuild.send(new ListBuildsForProjectCommand({ projectName: name, sortOrder: "DESCENDING" }));
    expect(builds.ids?.[1]).toBe(buildId);
  });

  it("without it, a pipeline has no executions and its state cannot be read", async () => {
    const name = await pipelineAndBuild(withoutState);
    await expect(withoutState.codepipeline.send(new ListPipelineExecutionsCommand({ pipelineName: name }))).rejects.toThrow();
    await expect(withoutState.codepipeline.send(new GetPipelineStateCommand({ name }))).rejects.toThrow();
  });
});

describe("resource-events (moto gap 5: only stack-level events)", () => {
  const twoQueues = JSON.stringify({ Resources: { First: { Type: "AWS::SQS::Queue" }, Second: { Type: "AWS::SNS::Topic" } } });
  const events = async (a: Aws, name: string) =>
    ((await a.cf.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents ?? []).map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`).reverse();

  it("create and delete list each resource's IN_PROGRESS and COMPLETE events between the stack's own", async () => {
    const name = uniqueName("ev");
    await createStack(main, name, twoQueues);
    expect(await events(main, name)).toEqual([
      `${name} CREATE_IN_PROGRESS`,
      "First CREATE_IN_PROGRESS",
      "First CREATE_COMPLETE",
      "Second CREATE_IN_PROGRESS",
      "Second CREATE_COMPLETE",
      `${name} CREATE_COMPLETE`,
    ]);
    const id = (await describeStack(main, name)).StackId!;
    await main.cf.send(new DeleteStackCommand({ StackName: name }));
    expect((await events(main, id)).slice(6)).toEqual([
      `${name} DELETE_IN_PROGRESS`,
      "Second DELETE_IN_PROGRESS",
      "Second DELETE_COMPLETE",
      "First DELETE_IN_PROGRESS",
      "First DELETE_COMPLETE",
      `${name} DELETE_COMPLETE`,
    ]);
  });

  it("an update lists the resources it added, changed and removed", async () => {
    const name = uniqueName("ev");
    await createStack(main, name, twoQueues);
    const changed = JSON.stringify({ Resources: { First: { Type: "AWS::SQS::Queue", Properties: { DelaySeconds: 5 } }, Third: { Type: "AWS::SNS::Topic" } } });
    await main.cf.send(new UpdateStackCommand({ StackName: name, TemplateBody: changed }));
    expect((await events(main, name)).slice(6)).toEqual([
      `${name} UPDATE_IN_PROGRESS`,
      "First UPDATE_IN_PROGRESS",
      "First UPDATE_COMPLETE",
      "Third CREATE_IN_PROGRESS",
      "Third CREATE_COMPLETE",
      "Second DELETE_IN_PROGRESS",
      "Second DELETE_COMPLETE",
      `${name} UPDATE_COMPLETE`,
    ]);
  });

  it("without it, a create lists only the stack's two events", async () => {
    const name = uniqueName("ev");
    await createStack(withoutState, name, twoQueues);
    expect(await events(withoutState, name)).toEqual([`${name} CREATE_IN_PROGRESS`, `${name} CREATE_COMPLETE`]);
  });
});

describe("efs-access-points (AWS::EFS::AccessPoint has no id)", () => {
  const accessPointTemplate = JSON.stringify({
    Resources: {
      FileSystem: { Type: "AWS::EFS::FileSystem", Properties: { Encrypted: true } },
      AccessPoint: {
        Type: "AWS::EFS::AccessPoint",
        Properties: {
          FileSystemId: { Ref: "FileSystem" },
          PosixUser: { Uid: "1000", Gid: "1000" },
          RootDirectory: { Path: "/data", CreationInfo: { OwnerUid: "1000", OwnerGid: "1000", Permissions: "0755" } },
        },
      },
    },
    Outputs: {
      Ref: { Value: { Ref: "AccessPoint" } },
      Id: { Value: { "Fn::GetAtt": ["AccessPoint", "AccessPointId"] } },
      Arn: { Value: { "Fn::GetAtt": ["AccessPoint", "Arn"] } },
      Sub: { Value: { "Fn::Sub": "access-point/${AccessPoint}" } },
    },
  });
  const outputsOf = async (a: Aws, name: string) =>
    Object.fromEntries(((await describeStack(a, name)).Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));

  it("Ref and Sub answer the access point's id, GetAtt its id and ARN; deleting the stack deletes it", async () => {
    const name = uniqueName("ap");
    await createStack(main, name, accessPointTemplate);
    const outputs = await outputsOf(main, name);
    const points = (await main.efs.send(new DescribeAccessPointsCommand({ AccessPointId: outputs.Ref }))).AccessPoints ?? [];
    expect(points.map((p) => [p.AccessPointId, p.AccessPointArn, p.PosixUser, p.RootDirectory])).toEqual([
      [outputs.Ref, outputs.Arn, { Uid: 1000, Gid: 1000 }, { Path: "/data", CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: "0755" } }],
    ]);
    expect(outputs.Ref).toMatch(/^fsap-[0-9a-f]+$/);
    expect(outputs.Id).toBe(outputs.Ref);
    expect(outputs.Sub).toBe(`access-point/${outputs.Ref}`);
    await main.cf.send(new DeleteStackCommand({ StackName: name }));
    await expect(main.efs.send(new DescribeAccessPointsCommand({ AccessPointId: outputs.Ref }))).rejects.toThrow(/AccessPointNotFound|does not exist/);
  });

  it("without it, Ref answers no access point id", async () => {
    const name = uniqueName("ap");
    const created = await createStack(withoutState, name, accessPointTemplate).then(
      async () => (await outputsOf(withoutState, name)).Ref ?? "",
      (error: Error) => `failed: ${error.message}`,
    );
    expect(created).not.toMatch(/^fsap-[0-9a-f]+$/);
  });
});

describe("role-policy-json (inline policies of CloudFormation roles)", () => {
  const roleTemplate = JSON.stringify({
    Resources: {
      Role: {
        Type: "AWS::IAM::Role",
        Properties: {
          AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] },
          Policies: [
            {
              PolicyName: "exec",
              PolicyDocument: {
                Version: "2012-10-17",
                Statement: [
                  { Effect: "Allow", Action: ["ssmmessages:OpenDataChannel"], Resource: "*" },
                  // A statement left out by a false condition is no statement at all.
                  { "Fn::If": ["Never", { Effect: "Allow", Action: "s3:GetObject", Resource: "*" }, { Ref: "AWS::NoValue" }] },
                ],
              },
            },
          ],
        },
      },
    },
    Conditions: { Never: { "Fn::Equals": ["a", "b"] } },
  });
  const document = async (a: Aws) => {
    const name = uniqueName("r");
    await createStack(a, name, roleTemplate);
    const roleName = (await stackResources(a, name)).Role!;
    return decodeURIComponent((await a.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: "exec" }))).PolicyDocument ?? "");
  };

  it("GetRolePolicy answers the template's policy as JSON", async () => {
    expect(JSON.parse(await document(main))).toEqual({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ssmmessages:OpenDataChannel"], Resource: "*" }] });
  });

  it("without it, the document is Python text", async () => {
    const text = await document(withoutState);
    expect(text).toContain("'Version': '2012-10-17'");
    // And the statement a false condition leaves out is still there, as None.
    expect(text).toContain("None");
    expect(() => JSON.parse(text)).toThrow();
  });
});

describe("service-tasks (moto gap 3: a service runs no tasks; no ExecuteCommand)", () => {
  it("a service lists and describes a RUNNING task per running count; ExecuteCommand needs execute-command on", async () => {
    const made = await fargateService(main, 2);
    const listed = (await main.ecs.send(new ListTasksCommand({ cluster: made.cluster, serviceName: made.service }))).taskArns ?? [];
    expect(listed).toHaveLength(2);
    const tasks = (await main.ecs.send(new DescribeTasksCommand({ cluster: made.cluster, tasks: listed }))).tasks ?? [];
    expect(tasks.map((t) => [t.lastStatus, t.enableExecuteCommand, t.taskDefinitionArn])).toEqual([
      ["RUNNING", false, expect.stringContaining(`task-definition/${made.service}:1`)],
      ["RUNNING", false, expect.stringContaining(`task-definition/${made.service}:1`)],
    ]);
    expect(tasks[0]?.containers?.map((c) => [c.name, c.lastStatus, c.managedAgents ?? []])).toEqual([["api", "RUNNING", []]]);
    await expect(main.ecs.send(new ExecuteCommandCommand({ cluster: made.cluster, task: listed[0], command: "/bin/sh", interactive: true }))).rejects.toThrow(/execute command was not enabled/);

    await main.ecs.send(new UpdateServiceCommand({ cluster: made.cluster, service: made.service, enableExecuteCommand: true, forceNewDeployment: true }));
    const replaced = (await main.ecs.send(new ListTasksCommand({ cluster: made.cluster, serviceName: made.service }))).taskArns ?? [];
    expect(replaced.some((arn) => listed.includes(arn))).toBe(false);
    const [task] = (await main.ecs.send(new DescribeTasksCommand({ cluster: made.cluster, tasks: replaced }))).tasks ?? [];
    expect(task?.enableExecuteCommand).toBe(true);
    expect(task?.containers?.[0]?.managedAgents).toEqual([{ name: "ExecuteCommandAgent", lastStatus: "RUNNING" }]);
    const session = await main.ecs.send(new ExecuteCommandCommand({ cluster: made.cluster, task: replaced[0], container: "api", command: "/bin/sh", interactive: true }));
    expect(session).toMatchObject({ taskArn: replaced[0], containerName: "api", interactive: true, session: { sessionId: expect.stringMatching(/^ecs-execute-command-/), streamUrl: expect.stringMatching(/^wss:\/\/ssmmessages\.us-east-1\.amazonaws\.com\//) } });
  });

  it("without it, the service lists no task and ExecuteCommand is not implemented", async () => {
    const made = await fargateService(withoutState, 2);
    expect((await withoutState.ecs.send(new ListTasksCommand({ cluster: made.cluster, serviceName: made.service }))).taskArns).toEqual([]);
    await expect(withoutState.ecs.send(new ExecuteCommandCommand({ cluster: made.cluster, task: "0123", command: "/bin/sh", interactive: true }))).rejects.toThrow();
  });
});

describe("stack-resource-lists (resources listed without identity, summaries without LastUpdatedTimestamp)", () => {
  // StackResourceSummary and StackResource (CloudFormation API reference): logical id, type,
  // status and timestamp are required; a resource whose Condition is false is not created.
  const template = JSON.stringify({
    Parameters: { Make: { Type: "String", Default: "no" } },
    Conditions: { Wanted: { "Fn::Equals": [{ Ref: "Make" }, "yes"] } },
    Resources: {
      Queue: { Type: "AWS::SQS::Queue" },
      Maybe: { Type: "AWS::SNS::Topic", Condition: "Wanted" },
      Scaling: {
        Type: "AWS::ApplicationAutoScaling::ScalableTarget",
        Properties: { MaxCapacity: 2, MinCapacity: 1, ResourceId: "service/c/s", ScalableDimension: "ecs:service:DesiredCount", ServiceNamespace: "ecs" },
      },
    },
  });
  const lists = async (a: Aws) => {
    const name = uniqueName("l");
    await createStack(a, name, template);
    const summaries = (await a.cf.send(new ListStackResourcesCommand({ StackName: name }))).StackResourceSummaries ?? [];
    const resources = (await a.cf.send(new DescribeStackResourcesCommand({ StackName: name }))).StackResources ?? [];
    return { summaries, resources };
  };

  it("both lists name every created resource with type, status and timestamp, and leave out the false condition", async () => {
    const { summaries, resources } = await lists(main);
    expect(summaries.map((s) => [s.LogicalResourceId, s.ResourceType, s.ResourceStatus])).toEqual([
      ["Queue", "AWS::SQS::Queue", "CREATE_COMPLETE"],
      ["Scaling", "AWS::ApplicationAutoScaling::ScalableTarget", "CREATE_COMPLETE"],
    ]);
    expect(summaries.every((s) => s.LastUpdatedTimestamp instanceof Date)).toBe(true);
    expect(summaries[0]?.PhysicalResourceId).toMatch(/queue|sqs/i);
    expect(resources.map((r) => [r.LogicalResourceId, r.ResourceType])).toEqual([
      ["Queue", "AWS::SQS::Queue"],
      ["Scaling", "AWS::ApplicationAutoScaling::ScalableTarget"],
    ]);
    expect(resources.every((r) => r.Timestamp instanceof Date && r.ResourceStatus === "CREATE_COMPLETE")).toBe(true);
  });

  it("without it, summaries lack LastUpdatedTimestamp and resources moto did not create come without identity", async () => {
    const { summaries, resources } = await lists(withoutState);
    expect(summaries.some((s) => s.LastUpdatedTimestamp === undefined)).toBe(true);
    expect(resources.some((r) => r.LogicalResourceId === undefined)).toBe(true);
  });
});

describe("ecr-encryption-configuration (CloudFormation's EncryptionType answered as it was written)", () => {
  // EncryptionConfiguration (Amazon ECR API reference): encryptionType is required.
  const template = (repository: string) =>
    JSON.stringify({
      Resources: { Repo: { Type: "AWS::ECR::Repository", Properties: { RepositoryName: repository, EncryptionConfiguration: { EncryptionType: "AES256" } } } },
    });
  const encryption = async (a: Aws) => {
    const name = uniqueName("e");
    const repository = name.toLowerCase();
    await createStack(a, name, template(repository));
    expect((await describeStack(a, name)).StackStatus).toBe("CREATE_COMPLETE");
    const answer = await a.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }));
    return answer.repositories?.[0]?.encryptionConfiguration;
  };

  it("DescribeRepositories answers encryptionConfiguration.encryptionType", async () => {
    expect(await encryption(main)).toEqual({ encryptionType: "AES256" });
  });

  it("without it, the required encryptionType is missing", async () => {
    expect((await encryption(withoutState))?.encryptionType).toBeUndefined();
  });
});
