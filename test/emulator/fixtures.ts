/**
 * Small inline CloudFormation templates for the emulator correction tests.
 * They mirror the shape of our base (A) and added (B) endpoints, not their
 * exact content: the project's own templates are tested elsewhere.
 */
type Json = Record<string, unknown>;

export const ref = (name: string): Json => ({ Ref: name });
export const sub = (text: string): Json => ({ "Fn::Sub": text });
export const getAtt = (name: string, attribute: string): Json => ({ "Fn::GetAtt": [name, attribute] });
export const importValue = (text: string): Json => ({ "Fn::ImportValue": sub(text) });

const assumeRole = (service: string): Json => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
});

export const CONTAINER_PORT = 8080;

const imageParameters: Json = {
  APITag: { Type: "String", Default: "v1" },
  DesiredCount: { Type: "Number", Default: 0 },
};

function taskDefinition(executionRole: Json, taskRole: Json, fileSystem: Json, logGroup: Json, repository: Json): Json {
  return {
    Type: "AWS::ECS::TaskDefinition",
    Properties: {
      Family: sub("${AWS::StackName}-task"),
      NetworkMode: "awsvpc",
      RequiresCompatibilities: ["FARGATE"],
      Cpu: "512",
      Memory: "1024",
      ExecutionRoleArn: executionRole,
      TaskRoleArn: taskRole,
      Volumes: [
        {
          Name: "weights",
          EFSVolumeConfiguration: { FilesystemId: fileSystem, TransitEncryption: "ENABLED", RootDirectory: "/" },
        },
      ],
      ContainerDefinitions: [
        {
          Name: "api",
          Image: { "Fn::Sub": ["${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/${Repo}:${APITag}", { Repo: repository }] },
          Essential: true,
          PortMappings: [{ ContainerPort: CONTAINER_PORT }],
          MountPoints: [{ SourceVolume: "weights", ContainerPath: "/app/weights" }],
          LogConfiguration: {
            LogDriver: "awslogs",
            Options: { "awslogs-group": logGroup, "awslogs-region": ref("AWS::Region"), "awslogs-stream-prefix": "api" },
          },
        },
      ],
    },
  };
}

function service(cluster: Json, subnets: Json[], securityGroup: Json, targetGroup: Json, dependsOn?: string): Json {
  return {
    Type: "AWS::ECS::Service",
    ...(dependsOn ? { DependsOn: dependsOn } : {}),
    Properties: {
      Cluster: cluster,
      TaskDefinition: ref("TaskDef"),
      LaunchType: "FARGATE",
      DesiredCount: ref("DesiredCount"),
      EnableExecuteCommand: true,
      HealthCheckGracePeriodSeconds: 60,
      DeploymentConfiguration: {
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      },
      NetworkConfiguration: {
        AwsvpcConfiguration: { AssignPublicIp: "DISABLED", Subnets: subnets, SecurityGroups: [securityGroup] },
      },
      LoadBalancers: [{ ContainerName: "api", ContainerPort: CONTAINER_PORT, TargetGroupArn: targetGroup }],
    },
  };
}

/** The base endpoint (A): VPC, NAT, ALB with HTTPS listener and rule, EFS (Retain), ECS. Exports what B needs. */
export function baseTemplate(certificateArn: string): string {
  const R: Json = {};
  R.Vpc = { Type: "AWS::EC2::VPC", Properties: { CidrBlock: "10.0.0.0/16", EnableDnsSupport: true, EnableDnsHostnames: true } };
  R.Igw = { Type: "AWS::EC2::InternetGateway" };
  R.IgwAttach = { Type: "AWS::EC2::VPCGatewayAttachment", Properties: { VpcId: ref("Vpc"), InternetGatewayId: ref("Igw") } };
  const zones = [
    ["us-east-1a", "10.0.0.0/24", "10.0.2.0/24"],
    ["us-east-1b", "10.0.1.0/24", "10.0.3.0/24"],
  ] as const;
  zones.forEach(([zone, publicCidr, privateCidr], index) => {
    const n = index + 1;
    R[`Public${n}`] = { Type: "AWS::EC2::Subnet", Properties: { VpcId: ref("Vpc"), CidrBlock: publicCidr, AvailabilityZone: zone, MapPublicIpOnLaunch: true } };
    R[`Private${n}`] = { Type: "AWS::EC2::Subnet", Properties: { VpcId: ref("Vpc"), CidrBlock: privateCidr, AvailabilityZone: zone } };
  });
  R.NatEip = { Type: "AWS::EC2::EIP", DependsOn: "IgwAttach", Properties: { Domain: "vpc" } };
  R.Nat = { Type: "AWS::EC2::NatGateway", Properties: { AllocationId: getAtt("NatEip", "AllocationId"), SubnetId: ref("Public1") } };
  R.PublicRt = { Type: "AWS::EC2::RouteTable", Properties: { VpcId: ref("Vpc") } };
  R.PublicRoute = {
    Type: "AWS::EC2::Route",
    DependsOn: "IgwAttach",
    Properties: { RouteTableId: ref("PublicRt"), DestinationCidrBlock: "0.0.0.0/0", GatewayId: ref("Igw") },
  };
  R.PrivateRt = { Type: "AWS::EC2::RouteTable", Properties: { VpcId: ref("Vpc") } };
  R.PrivateRoute = { Type: "AWS::EC2::Route", Properties: { RouteTableId: ref("PrivateRt"), DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: ref("Nat") } };
  for (const n of [1, 2]) {
    R[`PublicAssoc${n}`] = { Type: "AWS::EC2::SubnetRouteTableAssociation", Properties: { RouteTableId: ref("PublicRt"), SubnetId: ref(`Public${n}`) } };
    R[`PrivateAssoc${n}`] = { Type: "AWS::EC2::SubnetRouteTableAssociation", Properties: { RouteTableId: ref("PrivateRt"), SubnetId: ref(`Private${n}`) } };
  }
  R.LbSg = {
    Type: "AWS::EC2::SecurityGroup",
    Properties: {
      GroupDescription: "load balancer",
      VpcId: ref("Vpc"),
      SecurityGroupIngress: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIp: "0.0.0.0/0" }],
    },
  };
  R.TaskSg = {
    Type: "AWS::EC2::SecurityGroup",
    Properties: {
      GroupDescription: "task",
      VpcId: ref("Vpc"),
      SecurityGroupIngress: [{ IpProtocol: "tcp", FromPort: CONTAINER_PORT, ToPort: CONTAINER_PORT, SourceSecurityGroupId: ref("LbSg") }],
    },
  };
  R.EfsSg = { Type: "AWS::EC2::SecurityGroup", Properties: { GroupDescription: "efs", VpcId: ref("Vpc") } };
  R.EfsIngress = {
    Type: "AWS::EC2::SecurityGroupIngress",
    Properties: { GroupId: ref("EfsSg"), IpProtocol: "tcp", FromPort: 2049, ToPort: 2049, SourceSecurityGroupId: ref("TaskSg") },
  };
  R.Alb = {
    Type: "AWS::ElasticLoadBalancingV2::LoadBalancer",
    Properties: { Scheme: "internet-facing", Subnets: [ref("Public1"), ref("Public2")], SecurityGroups: [ref("LbSg")] },
  };
  R.Https = {
    Type: "AWS::ElasticLoadBalancingV2::Listener",
    Properties: {
      LoadBalancerArn: ref("Alb"),
      Port: 443,
      Protocol: "HTTPS",
      Certificates: [{ CertificateArn: certificateArn }],
      DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404" } }],
    },
  };
  R.Http = {
    Type: "AWS::ElasticLoadBalancingV2::Listener",
    Properties: {
      LoadBalancerArn: ref("Alb"),
      Port: 80,
      Protocol: "HTTP",
      DefaultActions: [{ Type: "redirect", RedirectConfig: { Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" } }],
    },
  };
  R.Tg = {
    Type: "AWS::ElasticLoadBalancingV2::TargetGroup",
    Properties: { VpcId: ref("Vpc"), Port: CONTAINER_PORT, Protocol: "HTTP", TargetType: "ip", HealthCheckPath: "/health" },
  };
  R.Rule = {
    Type: "AWS::ElasticLoadBalancingV2::ListenerRule",
    Properties: {
      ListenerArn: ref("Https"),
      Priority: 10,
      Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: ["a.example.com"] } }],
      Actions: [{ Type: "forward", TargetGroupArn: ref("Tg") }],
    },
  };
  R.Weights = { Type: "AWS::EFS::FileSystem", DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain", Properties: { Encrypted: true } };
  for (const n of [1, 2]) {
    R[`WeightsMt${n}`] = {
      Type: "AWS::EFS::MountTarget",
      Properties: { FileSystemId: ref("Weights"), SubnetId: ref(`Private${n}`), SecurityGroups: [ref("EfsSg")] },
    };
  }
  R.Logs = { Type: "AWS::Logs::LogGroup", Properties: { LogGroupName: sub("/emu/${AWS::StackName}"), RetentionInDays: 7 } };
  R.ExecRole = { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: assumeRole("ecs-tasks.amazonaws.com") } };
  R.TaskRole = { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: assumeRole("ecs-tasks.amazonaws.com") } };
  R.Repo = { Type: "AWS::ECR::Repository", Properties: { RepositoryName: sub("${AWS::StackName}-repo") } };
  R.Cluster = { Type: "AWS::ECS::Cluster", Properties: { ClusterName: sub("${AWS::StackName}-cluster") } };
  R.TaskDef = taskDefinition(getAtt("ExecRole", "Arn"), getAtt("TaskRole", "Arn"), ref("Weights"), ref("Logs"), ref("Repo"));
  R.Service = service(ref("Cluster"), [ref("Private1"), ref("Private2")], ref("TaskSg"), ref("Tg"), "Rule");
  const exported: Record<string, Json> = {
    VpcId: ref("Vpc"),
    HttpsListener: ref("Https"),
    Cluster: ref("Cluster"),
    PrivateSubnet1: ref("Private1"),
    PrivateSubnet2: ref("Private2"),
    LbSg: ref("LbSg"),
    ExecRoleArn: getAtt("ExecRole", "Arn"),
    TaskRoleArn: getAtt("TaskRole", "Arn"),
  };
  const Outputs: Json = {};
  for (const [key, value] of Object.entries(exported)) {
    Outputs[key] = { Value: value, Export: { Name: sub(`\${AWS::StackName}-${key}`) } };
  }
  return JSON.stringify({ AWSTemplateFormatVersion: "2010-09-09", Parameters: imageParameters, Resources: R, Outputs });
}

/** An added endpoint (B): imports A's exports (A's stack name is the BaseName parameter). */
export function addedTemplate(): string {
  const R: Json = {};
  R.TaskSg = {
    Type: "AWS::EC2::SecurityGroup",
    Properties: {
      GroupDescription: "task b",
      VpcId: importValue("${BaseName}-VpcId"),
      SecurityGroupIngress: [{ IpProtocol: "tcp", FromPort: CONTAINER_PORT, ToPort: CONTAINER_PORT, SourceSecurityGroupId: importValue("${BaseName}-LbSg") }],
    },
  };
  R.Tg = {
    Type: "AWS::ElasticLoadBalancingV2::TargetGroup",
    Properties: { VpcId: importValue("${BaseName}-VpcId"), Port: CONTAINER_PORT, Protocol: "HTTP", TargetType: "ip", HealthCheckPath: "/health" },
  };
  R.Rule = {
    Type: "AWS::ElasticLoadBalancingV2::ListenerRule",
    Properties: {
      ListenerArn: importValue("${BaseName}-HttpsListener"),
      Priority: 20,
      Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: ["b.example.com"] } }],
      Actions: [{ Type: "forward", TargetGroupArn: ref("Tg") }],
    },
  };
  R.Weights = { Type: "AWS::EFS::FileSystem", DeletionPolicy: "Retain", Properties: { Encrypted: true } };
  R.Logs = { Type: "AWS::Logs::LogGroup", Properties: { LogGroupName: sub("/emu/${AWS::StackName}") } };
  R.Repo = { Type: "AWS::ECR::Repository", Properties: { RepositoryName: sub("${AWS::StackName}-repo") } };
  R.TaskDef = taskDefinition(importValue("${BaseName}-ExecRoleArn"), importValue("${BaseName}-TaskRoleArn"), ref("Weights"), ref("Logs"), ref("Repo"));
  R.Service = service(
    importValue("${BaseName}-Cluster"),
    [importValue("${BaseName}-PrivateSubnet1"), importValue("${BaseName}-PrivateSubnet2")],
    ref("TaskSg"),
    ref("Tg"),
    "Rule",
  );
  return JSON.stringify({
    AWSTemplateFormatVersion: "2010-09-09",
    Parameters: { BaseName: { Type: "String" }, ...imageParameters },
    Resources: R,
  });
}

/** ECS only: VPC, two subnets, a target group, EFS, roles, cluster, task definition, service. */
export function ecsTemplate(): string {
  const R: Json = {};
  R.Vpc = { Type: "AWS::EC2::VPC", Properties: { CidrBlock: "10.1.0.0/16" } };
  R.Subnet1 = { Type: "AWS::EC2::Subnet", Properties: { VpcId: ref("Vpc"), CidrBlock: "10.1.1.0/24", AvailabilityZone: "us-east-1a" } };
  R.Subnet2 = { Type: "AWS::EC2::Subnet", Properties: { VpcId: ref("Vpc"), CidrBlock: "10.1.2.0/24", AvailabilityZone: "us-east-1b" } };
  R.TaskSg = { Type: "AWS::EC2::SecurityGroup", Properties: { GroupDescription: "task", VpcId: ref("Vpc") } };
  R.Tg = {
    Type: "AWS::ElasticLoadBalancingV2::TargetGroup",
    Properties: { VpcId: ref("Vpc"), Port: CONTAINER_PORT, Protocol: "HTTP", TargetType: "ip", HealthCheckPath: "/health" },
  };
  R.Weights = { Type: "AWS::EFS::FileSystem", Properties: { Encrypted: true } };
  R.Logs = { Type: "AWS::Logs::LogGroup", Properties: { LogGroupName: sub("/emu/${AWS::StackName}") } };
  R.ExecRole = { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: assumeRole("ecs-tasks.amazonaws.com") } };
  R.TaskRole = { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: assumeRole("ecs-tasks.amazonaws.com") } };
  R.Repo = { Type: "AWS::ECR::Repository", Properties: { RepositoryName: sub("${AWS::StackName}-repo") } };
  R.Cluster = { Type: "AWS::ECS::Cluster", Properties: { ClusterName: sub("${AWS::StackName}-cluster") } };
  R.TaskDef = taskDefinition(getAtt("ExecRole", "Arn"), getAtt("TaskRole", "Arn"), ref("Weights"), ref("Logs"), ref("Repo"));
  R.Service = service(ref("Cluster"), [ref("Subnet1"), ref("Subnet2")], ref("TaskSg"), ref("Tg"));
  return JSON.stringify({ AWSTemplateFormatVersion: "2010-09-09", Parameters: imageParameters, Resources: R });
}

/** A stack that exports one value (a log group name). */
export function exporterTemplate(): string {
  return JSON.stringify({
    Resources: { Logs: { Type: "AWS::Logs::LogGroup", Properties: { LogGroupName: sub("/emu/${AWS::StackName}") } } },
    Outputs: { LogsName: { Value: ref("Logs"), Export: { Name: sub("${AWS::StackName}-Logs") } } },
  });
}

/** A stack that imports `${BaseName}-Logs`. */
export function importerTemplate(): string {
  return JSON.stringify({
    Parameters: { BaseName: { Type: "String" } },
    Resources: {
      Logs: {
        Type: "AWS::Logs::LogGroup",
        Properties: { LogGroupName: { "Fn::Sub": ["${Imported}-${AWS::StackName}", { Imported: importValue("${BaseName}-Logs") }] } },
      },
    },
  });
}

/** An internet gateway (no Properties) and a log group named by a parameter. */
export function gatewayTemplate(): string {
  return JSON.stringify({
    Parameters: { Suffix: { Type: "String", Default: "one" } },
    Resources: {
      Igw: { Type: "AWS::EC2::InternetGateway" },
      Logs: { Type: "AWS::Logs::LogGroup", Properties: { LogGroupName: sub("/emu/${AWS::StackName}-${Suffix}") } },
    },
  });
}

/** A NAT gateway in its own VPC (a type that keeps a stack creating for minutes on AWS) and a log group named by a parameter. */
export function natGatewayTemplate(): string {
  return JSON.stringify({
    Parameters: { Suffix: { Type: "String", Default: "one" } },
    Resources: {
      Vpc: { Type: "AWS::EC2::VPC", Properties: { CidrBlock: "10.2.0.0/16" } },
      Subnet: { Type: "AWS::EC2::Subnet", Properties: { VpcId: ref("Vpc"), CidrBlock: "10.2.1.0/24", AvailabilityZone: "us-east-1a" } },
      Eip: { Type: "AWS::EC2::EIP", Properties: { Domain: "vpc" } },
      Nat: { Type: "AWS::EC2::NatGateway", Properties: { AllocationId: getAtt("Eip", "AllocationId"), SubnetId: ref("Subnet") } },
      Logs: { Type: "AWS::Logs::LogGroup", Properties: { LogGroupName: sub("/emu/${AWS::StackName}-${Suffix}") } },
    },
  });
}

/** Only an ECR repository (seconds on AWS). */
export function repositoryTemplate(): string {
  return JSON.stringify({ Resources: { Repo: { Type: "AWS::ECR::Repository", Properties: { RepositoryName: sub("${AWS::StackName}-repo") } } } });
}

/** Roles for a CodePipeline and a CodeBuild project (Outputs PipelineRoleArn, BuildRoleArn). */
export function rolesTemplate(): string {
  return JSON.stringify({
    Resources: {
      PipelineRole: { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: assumeRole("codepipeline.amazonaws.com") } },
      BuildRole: { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: assumeRole("codebuild.amazonaws.com") } },
    },
    Outputs: {
      PipelineRoleArn: { Value: getAtt("PipelineRole", "Arn") },
      BuildRoleArn: { Value: getAtt("BuildRole", "Arn") },
    },
  });
}

/**
 * ecsTemplate's service with a canary strategy and a deployment alarm, as our endpoint
 * stacks declare them: the settings come from parameters (text), the alarm by Ref.
 */
export function canaryTemplate(): string {
  const template = JSON.parse(ecsTemplate()) as { Parameters: Json; Resources: Json };
  const R = template.Resources;
  template.Parameters.CanaryPercent = { Type: "Number", Default: 10 };
  R.AltTg = R.Tg;
  R.ShiftRole = { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: assumeRole("ecs.amazonaws.com") } };
  R.Alarm = {
    Type: "AWS::CloudWatch::Alarm",
    Properties: {
      AlarmName: sub("${AWS::StackName}-target-5xx"),
      ComparisonOperator: "GreaterThanThreshold",
      Threshold: 5,
      EvaluationPeriods: 2,
      TreatMissingData: "notBreaching",
      Metrics: [
        {
          Id: "errors",
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: "AWS/ApplicationELB",
              MetricName: "HTTPCode_Target_5XX_Count",
              Dimensions: [{ Name: "TargetGroup", Value: getAtt("Tg", "TargetGroupFullName") }],
            },
            Period: 60,
            Stat: "Sum",
          },
        },
      ],
    },
  };
  const service = R.Service as { Properties: Json };
  service.Properties.DeploymentConfiguration = {
    ...(service.Properties.DeploymentConfiguration as Json),
    Strategy: "CANARY",
    BakeTimeInMinutes: "5",
    CanaryConfiguration: { CanaryPercent: ref("CanaryPercent"), CanaryBakeTimeInMinutes: "5" },
    Alarms: { AlarmNames: [ref("Alarm")], Enable: true, Rollback: true },
  };
  const [balancer] = service.Properties.LoadBalancers as Json[];
  service.Properties.LoadBalancers = [
    { ...(balancer as Record<string, unknown>), AdvancedConfiguration: { AlternateTargetGroupArn: ref("AltTg"), RoleArn: getAtt("ShiftRole", "Arn") } },
  ];
  return JSON.stringify(template);
}

/**
 * canaryTemplate's service behind a load balancer with a production listener rule that
 * forwards to both target groups, weights and host header from parameters, as our
 * endpoint stacks declare it.
 */
export function trafficShiftTemplate(): string {
  const template = JSON.parse(canaryTemplate()) as { Parameters: Json; Resources: Json };
  const R = template.Resources;
  template.Parameters.HostHeader = { Type: "String", Default: "shift.example.com" };
  template.Parameters.PrimaryWeight = { Type: "Number", Default: 100 };
  template.Parameters.AlternateWeight = { Type: "Number", Default: 0 };
  R.Lb = {
    Type: "AWS::ElasticLoadBalancingV2::LoadBalancer",
    Properties: { Type: "application", Scheme: "internal", Subnets: [ref("Subnet1"), ref("Subnet2")] },
  };
  R.Listener = {
    Type: "AWS::ElasticLoadBalancingV2::Listener",
    Properties: {
      LoadBalancerArn: ref("Lb"),
      Port: 80,
      Protocol: "HTTP",
      DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404" } }],
    },
  };
  R.Rule = {
    Type: "AWS::ElasticLoadBalancingV2::ListenerRule",
    Properties: {
      ListenerArn: ref("Listener"),
      Priority: 1,
      Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: [ref("HostHeader")] } }],
      Actions: [
        {
          Type: "forward",
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: ref("Tg"), Weight: ref("PrimaryWeight") },
              { TargetGroupArn: ref("AltTg"), Weight: ref("AlternateWeight") },
            ],
          },
        },
      ],
    },
  };
  const service = R.Service as Json & { Properties: Json };
  service.DependsOn = "Rule";
  const [balancer] = service.Properties.LoadBalancers as Json[];
  const advanced = (balancer as { AdvancedConfiguration: Json }).AdvancedConfiguration;
  service.Properties.LoadBalancers = [{ ...(balancer as Json), AdvancedConfiguration: { ...advanced, ProductionListenerRule: ref("Rule") } }];
  (service.Properties.DeploymentConfiguration as Json).Strategy = "BLUE_GREEN";
  delete (service.Properties.DeploymentConfiguration as Json).CanaryConfiguration;
  return JSON.stringify(template);
}

/**
 * A listener rule whose actions depend on a condition, as our endpoint stacks' do: with
 * Shift "true" it forwards to two target groups (the second exists only then), else to one.
 */
export function conditionalRuleTemplate(): string {
  const R: Json = {};
  R.Vpc = { Type: "AWS::EC2::VPC", Properties: { CidrBlock: "10.2.0.0/16" } };
  R.Subnet1 = { Type: "AWS::EC2::Subnet", Properties: { VpcId: ref("Vpc"), CidrBlock: "10.2.1.0/24", AvailabilityZone: "us-east-1a" } };
  R.Subnet2 = { Type: "AWS::EC2::Subnet", Properties: { VpcId: ref("Vpc"), CidrBlock: "10.2.2.0/24", AvailabilityZone: "us-east-1b" } };
  R.Lb = {
    Type: "AWS::ElasticLoadBalancingV2::LoadBalancer",
    Properties: { Type: "application", Scheme: "internal", Subnets: [ref("Subnet1"), ref("Subnet2")] },
  };
  R.Listener = {
    Type: "AWS::ElasticLoadBalancingV2::Listener",
    Properties: {
      LoadBalancerArn: ref("Lb"),
      Port: 80,
      Protocol: "HTTP",
      DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404" } }],
    },
  };
  const group = {
    Type: "AWS::ElasticLoadBalancingV2::TargetGroup",
    Properties: { VpcId: ref("Vpc"), Port: CONTAINER_PORT, Protocol: "HTTP", TargetType: "ip" },
  };
  R.Tg = group;
  R.AltTg = { ...group, Condition: "Shift" };
  R.Rule = {
    Type: "AWS::ElasticLoadBalancingV2::ListenerRule",
    Properties: {
      ListenerArn: ref("Listener"),
      Priority: 1,
      Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: ["rule.example.com"] } }],
      Actions: {
        "Fn::If": [
          "Shift",
          [
            {
              Type: "forward",
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: ref("Tg"), Weight: 100 },
                  { TargetGroupArn: ref("AltTg"), Weight: 0 },
                ],
              },
            },
          ],
          [{ Type: "forward", TargetGroupArn: ref("Tg") }],
        ],
      },
    },
  };
  return JSON.stringify({
    AWSTemplateFormatVersion: "2010-09-09",
    Parameters: { Shift: { Type: "String", Default: "true", AllowedValues: ["true", "false"] } },
    Conditions: { Shift: { "Fn::Equals": [ref("Shift"), "true"] } },
    Resources: R,
  });
}

/**
 * ecsTemplate's service on an ECS Managed Instances capacity provider of its own: the task definition
 * asks for `gpus` GPUs (MANAGED_INSTANCES), the service names the provider in its strategy.
 */
export function managedInstancesTemplate(gpus = 1): string {
  const template = JSON.parse(ecsTemplate()) as { Resources: Record<string, { Properties: Record<string, unknown> }> };
  const R = template.Resources as Json;
  R.InfraRole = { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: assumeRole("ecs.amazonaws.com") } };
  R.InstanceRole = { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: assumeRole("ec2.amazonaws.com") } };
  R.InstanceProfile = { Type: "AWS::IAM::InstanceProfile", Properties: { Roles: [ref("InstanceRole")] } };
  R.Capacity = {
    Type: "AWS::ECS::CapacityProvider",
    Properties: {
      ClusterName: ref("Cluster"),
      ManagedInstancesProvider: {
        InfrastructureRoleArn: getAtt("InfraRole", "Arn"),
        InstanceLaunchTemplate: {
          Ec2InstanceProfileArn: getAtt("InstanceProfile", "Arn"),
          NetworkConfiguration: { Subnets: [ref("Subnet1"), ref("Subnet2")], SecurityGroups: [ref("TaskSg")] },
          StorageConfiguration: { StorageSizeGiB: "100" },
          InstanceRequirements: {
            VCpuCount: { Min: "4" },
            MemoryMiB: { Min: "8192" },
            AcceleratorCount: { Min: String(gpus) },
            AllowedInstanceTypes: ["g6.xlarge"],
          },
        },
      },
    },
  };
  const task = template.Resources.TaskDef!.Properties;
  task.RequiresCompatibilities = ["MANAGED_INSTANCES"];
  (task.ContainerDefinitions as Json[])[0]!.ResourceRequirements = [{ Type: "GPU", Value: String(gpus) }];
  const service = template.Resources.Service!.Properties;
  delete service.LaunchType;
  service.CapacityProviderStrategy = [{ CapacityProvider: ref("Capacity"), Weight: 1 }];
  return JSON.stringify(template);
}
