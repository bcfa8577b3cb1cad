/**
 * What the emulator correction tests (one file per correction in this folder) share: AWS SDK clients for an
 * emulator, small helpers that make and read resources through them, the shared emulator (all corrections)
 * and emulators started without a group of corrections, so that each test can fail.
 *
 * Stack names are unique per run: other test files share the same emulator.
 */
import { afterAll, beforeAll, expect, inject } from "vitest";
import { ACMClient, RequestCertificateCommand } from "@aws-sdk/client-acm";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ListExportsCommand,
  ListStackResourcesCommand,
  ExecuteChangeSetCommand,
  type ChangeSetType,
  type Parameter,
  type Stack,
} from "@aws-sdk/client-cloudformation";
import { CodeBuildClient, CreateProjectCommand } from "@aws-sdk/client-codebuild";
import { CodePipelineClient, CreatePipelineCommand } from "@aws-sdk/client-codepipeline";
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CodeStarConnectionsClient } from "@aws-sdk/client-codestar-connections";
import { ECRClient } from "@aws-sdk/client-ecr";
import { IAMClient } from "@aws-sdk/client-iam";
import { S3Client } from "@aws-sdk/client-s3";
import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { EFSClient } from "@aws-sdk/client-efs";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import {
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { startEmulator, type RunningEmulator } from "../../setup/emulator-process.js";
import { CONTAINER_PORT, rolesTemplate } from "../fixtures.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// --- clients and helpers -------------------------------------------------------

/** The SDK clients the tests call, all sent to the emulator at `url`. */
export function aws(url: string) {
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
/** The clients of one emulator. */
export type Aws = ReturnType<typeof aws>;

/** A Docker image manifest to put into ECR. */
export const IMAGE_MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.docker.distribution.manifest.v2+json",
  config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 2, digest: `sha256:${"1".repeat(64)}` },
  layers: [],
});

const run = Math.random().toString(36).slice(2, 7);
let counter = 0;
/** A stack name unique to this run, short enough for ALB and target group names. */
export const uniqueName = (tag: string) => `e${run}${tag}${++counter}`;

/** CloudFormation parameters from name-value pairs. */
export const parameters = (values: Record<string, string | number>): Parameter[] =>
  Object.entries(values).map(([ParameterKey, value]) => ({ ParameterKey, ParameterValue: String(value) }));

/** Requests an ACM certificate and returns its ARN. */
export async function certificate(a: Aws): Promise<string> {
  const answer = await a.acm.send(new RequestCertificateCommand({ DomainName: "a.example.com", ValidationMethod: "DNS" }));
  return answer.CertificateArn!;
}

/** Creates a stack (without a change set) and returns its id. */
export async function createStack(a: Aws, name: string, body: string, values: Record<string, string | number> = {}) {
  const answer = await a.cf.send(new CreateStackCommand({ StackName: name, TemplateBody: body, Parameters: parameters(values) }));
  return answer.StackId!;
}

/** Creates a change set, waits until it is ready and executes it (our CLI's path); returns its Changes. */
export async function throughChangeSet(
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
      Parameters: [...parameters(template.values ?? {}), ...(template.previous ?? []).map((key) => ({ ParameterKey: key, UsePreviousValue: true }))],
    }),
  );
  const described = await a.cf.send(new DescribeChangeSetCommand({ StackName: name, ChangeSetName: created.Id! }));
  expect(described.Status).toBe("CREATE_COMPLETE");
  await a.cf.send(new ExecuteChangeSetCommand({ StackName: name, ChangeSetName: created.Id! }));
  return described.Changes ?? [];
}

/** The stack as DescribeStacks answers it. */
export async function describeStack(a: Aws, nameOrId: string): Promise<Stack> {
  const answer = await a.cf.send(new DescribeStacksCommand({ StackName: nameOrId }));
  return answer.Stacks![0]!;
}

/** The stack's resources: logical id to physical id. */
export async function stackResources(a: Aws, name: string): Promise<Record<string, string>> {
  const answer = await a.cf.send(new ListStackResourcesCommand({ StackName: name }));
  const result: Record<string, string> = {};
  for (const summary of answer.StackResourceSummaries ?? []) {
    if (summary.LogicalResourceId) result[summary.LogicalResourceId] = summary.PhysicalResourceId ?? "";
  }
  return result;
}

/** The names of the region's CloudFormation exports. */
export async function exportNames(a: Aws): Promise<string[]> {
  const answer = await a.cf.send(new ListExportsCommand({}));
  return (answer.Exports ?? []).map((e) => e.Name!);
}

/** Whether EC2 still lists the VPC. */
export async function vpcExists(a: Aws, vpcId: string): Promise<boolean> {
  const answer = await a.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }));
  return (answer.Vpcs ?? []).length > 0;
}

/** Whether the load balancer service still knows the target group. */
export async function targetGroupExists(a: Aws, arn: string): Promise<boolean> {
  try {
    await a.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }));
    return true;
  } catch (error) {
    if ((error as Error).name.includes("NotFound")) return false;
    throw error;
  }
}

/** The ECS service as DescribeServices answers it. */
export async function describeService(a: Aws, cluster: string, service: string): Promise<Service> {
  const answer = await a.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  return answer.services![0]!;
}

/** The target group's healthy targets. */
export async function healthyTargets(a: Aws, targetGroupArn: string) {
  const answer = await a.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  return (answer.TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State === "healthy");
}

/** A VPC with two subnets and a security group, made through the EC2 API. */
export async function network(a: Aws) {
  const vpc = await a.ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnets: string[] = [];
  for (const [cidr, zone] of [
    ["10.9.1.0/24", "us-east-1a"],
    ["10.9.2.0/24", "us-east-1b"],
  ] as const) {
    const subnet = await a.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }));
    subnets.push(subnet.Subnet!.SubnetId!);
  }
  const group = await a.ec2.send(new CreateSecurityGroupCommand({ GroupName: uniqueName("sg"), Description: "task", VpcId: vpcId }));
  return { vpcId, subnets, securityGroup: group.GroupId! };
}

/** A Fargate service with `desiredCount` tasks behind a target group, made through the ECS API. */
export async function fargateService(a: Aws, desiredCount: number) {
  const net = await network(a);
  const name = uniqueName("svc");
  const group = await a.elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: "HTTP", Port: CONTAINER_PORT, VpcId: net.vpcId, TargetType: "ip" }));
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

/** The shared emulator (every correction), started by the global setup. */
export const mainUrl = inject("emulatorUrl");
/** Clients of the shared emulator. */
export const main = aws(mainUrl);

// Groups of corrections an emulator is started without (emulatorWithout); the corrections of a group do not depend on each other.
/** The corrections of a stack's lifecycle: deletion, change sets, rollback, exports. */
export const WITHOUT_STACK_LIFECYCLE = ["delete-base-stack", "change-set-execute", "failed-create-rollback", "export-in-use"];
/** The corrections of resources' state and answers. */
export const WITHOUT_RESOURCE_STATE = [
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
  "s3-bucket-update-tags",
];
/** The corrections that judge and record deployments (the alarms exist). */
export const WITHOUT_ROLLOUT_JUDGES = ["service-deployments", "deployment-alarms", "ecs-traffic-shift"];

/**
 * Starts an emulator without `corrections` for the calling test file, hands its clients to `use` before the
 * file's tests, and stops it after them.
 */
export function emulatorWithout(corrections: string[], use: (a: Aws) => void): void {
  let emulator: RunningEmulator | undefined;
  beforeAll(async () => {
    // Every correction file starts its own, often while other files start theirs: more time than one start alone needs.
    emulator = await startEmulator({ without: corrections, timeoutMs: 50_000 });
    use(aws(emulator.url));
  });
  afterAll(async () => {
    await emulator?.stop();
  });
}

// --- fixtures several corrections share -----------------------------------------------

/** A CodeBuild project (logging to its own group, pushing to repository NAME) and a pipeline building it. */
export async function pipelineAndBuild(a: Aws) {
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

/** A stack whose parameter S switches a log group and a schedule (and the schedule's role) on and off. */
export const switchedTemplate = (group: string, scheduleName: string) =>
  JSON.stringify({
    Parameters: { S: { Type: "String", Default: "" } },
    Conditions: { On: { "Fn::Not": [{ "Fn::Equals": [{ Ref: "S" }, ""] }] } },
    Resources: {
      Group: { Type: "AWS::Logs::LogGroup", Condition: "On", Properties: { LogGroupName: group } },
      Role: {
        Type: "AWS::IAM::Role",
        Condition: "On",
        Properties: {
          AssumeRolePolicyDocument: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole" }],
          },
        },
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
            EcsParameters: {
              TaskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/f:1",
              TaskCount: 1,
              NetworkConfiguration: { AwsvpcConfiguration: { Subnets: ["subnet-1"] } },
            },
          },
        },
      },
    },
  });

/** The EventBridge schedule, or undefined when there is none. */
export async function scheduleOf(a: Aws, name: string) {
  try {
    return await a.scheduler.send(new GetScheduleCommand({ Name: name }));
  } catch (error) {
    if ((error as Error).name === "ResourceNotFoundException") return undefined;
    throw error;
  }
}

/** Whether the log group exists. */
export async function groupExists(a: Aws, name: string): Promise<boolean> {
  const groups = (await a.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }))).logGroups ?? [];
  return groups.some((g) => g.logGroupName === name);
}
