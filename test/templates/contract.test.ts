/**
 * The contract other code relies on: parameter names and defaults, resource
 * names, export and output names. Renaming any of these breaks the renderer
 * or the CLI's lookups, so they are pinned here.
 */
import { describe, expect, it } from "vitest";
import { FARGATE_SIZES } from "../../src/params/fargate.js";
import type { CfnValue } from "./cfn-yaml.js";
import { A, B, S, ENDPOINTS, P, evaluateName, list, obj, onlyResource, props, refTarget, resource, resourcesOfType } from "./helpers.js";

const ID = "${ProjectName}-${EnvironmentName}";
const VARS = { ProjectName: "proj", BaseProjectName: "base", EnvironmentName: "env", "Condition:OnBaseLoadBalancer": "true" };

const COMMON_PARAMETERS = [
  "ImageRepositoryName",
  "ProjectName",
  "EnvironmentName",
  "ApiPort",
  "ApiHealthCheckPath",
  "HostHeaderApi",
  "ContainerName",
  "APITag",
  "TaskCPU",
  "TaskRAM",
  "DesiredCount",
  "SendDesiredCount",
  "MinContainers",
  "MaxContainers",
  "AutoScalingTargetValueCPU",
  "AutoScalingTargetValueRAM",
  "ListenerRulePriority",
  "MountPathAssets",
  "MountPathWeights",
  "AssetsFileSystemId",
  "WeightsFileSystemId",
  "AssetsVolumeRoot",
  "WeightsVolumeRoot",
  "WeightsReadOnly",
  "HealthCheckIntervalSeconds",
  "HealthCheckTimeoutSeconds",
  "HealthyThresholdCount",
  "UnhealthyThresholdCount",
  "DeregistrationDelaySeconds",
  "HealthCheckGracePeriodSeconds",
  "MinimumHealthyPercent",
  "MaximumPercent",
  "CircuitBreakerRollback",
  "DeploymentStrategy",
  "PrimaryTargetGroupWeight",
  "AlternateTargetGroupWeight",
  "BakeTimeInMinutes",
  "CanaryPercent",
  "CanaryBakeTimeInMinutes",
  "LinearStepPercent",
  "LinearStepBakeTimeInMinutes",
  "AlarmTarget5xxPercent",
  "AlarmP95ResponseSeconds",
  "AlarmUnhealthyHosts",
  "AlarmMinutes",
  "LogRetentionDays",
  "LogGroupExists",
  "ImagesToKeep",
  "WeightsSourceBucket",
  "WeightsSourcePrefix",
  "WeightsSyncDelete",
  "WeightsSchedule",
];
const BASE_ONLY_PARAMETERS = [
  "VpcCidr",
  "VpcSubnetIpBlocks",
  "AZs",
  "AllowedCidrIp",
  "DNSCertArn",
  "VpcFlowLogs",
  "LoadBalancerAccessLogs",
  "ContainerInsights",
  "LoadBalancerIdleTimeoutSeconds",
];

const DEFAULTS: Record<string, string | number> = {
  MountPathAssets: "/app/assets",
  MountPathWeights: "/app/weights",
  AssetsFileSystemId: "",
  WeightsFileSystemId: "",
  AssetsVolumeRoot: "/data",
  WeightsVolumeRoot: "/data",
  WeightsReadOnly: "true",
  HealthCheckIntervalSeconds: 10,
  HealthCheckTimeoutSeconds: 5,
  HealthyThresholdCount: 2,
  UnhealthyThresholdCount: 3,
  DeregistrationDelaySeconds: 15,
  HealthCheckGracePeriodSeconds: 60,
  MinimumHealthyPercent: 100,
  MaximumPercent: 200,
  CircuitBreakerRollback: "true",
  LogRetentionDays: 30,
  LogGroupExists: "false",
  ImagesToKeep: 30,
  WeightsSourceBucket: "",
  WeightsSourcePrefix: "",
  WeightsSyncDelete: "false",
  WeightsSchedule: "",
};

const CLOUDWATCH_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const EXPORT_SUFFIXES = [
  "VpcId",
  "LoadBalancerSecurityGroup",
  "LoadBalancerArn",
  "LoadBalancerDnsName",
  "HttpsListenerArn",
  "Cluster",
  "ClusterArn",
  "PrivateSubnet1",
  "PrivateSubnet2",
  "EfsSecurityGroup",
  "TaskExecutionRoleArn",
  "TaskRoleArn",
  "WeightsUploadBucket",
];

const ENDPOINT_OUTPUTS = [
  "ServiceName",
  "ClusterName",
  "TargetGroupArn",
  "AlternateTargetGroupArn",
  "ListenerRuleArn",
  "TaskSecurityGroupId",
  "EfsSecurityGroupId",
  "AssetsFileSystemId",
  "WeightsFileSystemId",
  "EcrRepositoryName",
  "EcrRepositoryUri",
  "LogGroupName",
  "LoadBalancerDnsName",
  "EndpointUrl",
  "WeightsUploadBucketName",
  "WeightsSyncTaskDefinitionArn",
  "WeightsSyncSubnets",
  "WeightsScheduleName",
];

/** `{ "Fn::Sub": text }` in long form. */
const sub = (text: string) => ({ "Fn::Sub": text });

describe("parameters", () => {
  it("A and B have exactly the agreed parameters", () => {
    expect(Object.keys(A.Parameters ?? {}).sort()).toEqual([...COMMON_PARAMETERS, ...BASE_ONLY_PARAMETERS].sort());
    expect(Object.keys(B.Parameters ?? {}).sort()).toEqual([...COMMON_PARAMETERS, "BaseProjectName", "LoadBalancerStackName"].sort());
  });

  it("every parameter has a Type and a Description", () => {
    for (const [name, t] of [...ENDPOINTS, ["pipeline", P] as const]) {
      for (const [key, p] of Object.entries(t.Parameters ?? {})) {
        expect(p.Type, `${name} ${key}`).toMatch(/^(String|Number|CommaDelimitedList)$/);
        expect(p.Description, `${name} ${key}`).toMatch(/\S/);
      }
    }
  });

  it("defaults are the agreed ones", () => {
    for (const [, t] of ENDPOINTS) {
      for (const [key, value] of Object.entries(DEFAULTS)) {
        expect(t.Parameters?.[key]?.Default, key).toBe(value);
      }
    }
    expect(A.Parameters?.["ListenerRulePriority"]?.Default).toBe(1);
    expect(B.Parameters?.["ListenerRulePriority"]?.Default).toBeUndefined();
  });

  it("the load balancers' idle timeout is a parameter of the base and of a shard, 60 s (AWS's default) unless given, 1-4000 s", () => {
    for (const t of [A, S]) {
      const [, lb] = onlyResource(t, "AWS::ElasticLoadBalancingV2::LoadBalancer");
      expect(list(props(lb)["LoadBalancerAttributes"])).toContainEqual({
        Key: "idle_timeout.timeout_seconds",
        Value: { Ref: "LoadBalancerIdleTimeoutSeconds" },
      });
      expect(t.Parameters?.["LoadBalancerIdleTimeoutSeconds"]).toMatchObject({ Type: "Number", Default: 60, MinValue: 1, MaxValue: 4000 });
    }
  });

  it("ports, counts and the priority are Numbers; lists are CommaDelimitedLists", () => {
    for (const [, t] of ENDPOINTS) {
      for (const key of ["ApiPort", "DesiredCount", "ListenerRulePriority"]) {
        expect(t.Parameters?.[key]?.Type, key).toBe("Number");
      }
    }
    expect(A.Parameters?.["VpcSubnetIpBlocks"]?.Type).toBe("CommaDelimitedList");
    expect(A.Parameters?.["AZs"]?.Type).toBe("CommaDelimitedList");
  });

  it("log retention accepts exactly CloudWatch's retention values", () => {
    for (const [, t] of ENDPOINTS) {
      expect(t.Parameters?.["LogRetentionDays"]?.AllowedValues).toEqual(CLOUDWATCH_RETENTION_DAYS);
    }
  });

  it("task size parameters allow every Fargate size the loader accepts, 16 vCPU and 120 GB included", () => {
    const memory = [...FARGATE_SIZES.values()].flat();
    for (const [, t] of ENDPOINTS) {
      expect(t.Parameters?.["TaskCPU"]?.AllowedValues).toEqual([...FARGATE_SIZES.keys()].map(String));
      expect(t.Parameters?.["TaskRAM"]).toMatchObject({ MinValue: Math.min(...memory), MaxValue: Math.max(...memory) });
    }
  });

  it("subnet blocks keep the tutorial's order: public 1, public 2, private 1, private 2", () => {
    const expected: Record<string, number> = { PublicSubnet1: 0, PublicSubnet2: 1, PrivateSubnet1: 2, PrivateSubnet2: 3 };
    for (const [id, index] of Object.entries(expected)) {
      expect(props(resource(A, id))["CidrBlock"]).toEqual({ "Fn::Select": [index, { Ref: "VpcSubnetIpBlocks" }] });
    }
  });

  it("the pipeline template has the agreed parameters and outputs", () => {
    expect(Object.keys(P.Parameters ?? {}).sort()).toEqual(
      [
        "ProjectName",
        "EnvironmentName",
        "EndpointStackName",
        "BaseStackName",
        "EcrRepositoryName",
        "ConnectionArn",
        "LogRetentionDays",
        "BuildLogGroupExists",
        "ArtifactAccessLogs",
        "BaseImageRepositoryArns",
        "PullThroughCacheRepositoryArns",
        "PublicEcrLogin",
        "DockerHubSecretArn",
        "DockerHubSecretName",
      ].sort(),
    );
    expect(Object.keys(P.Outputs ?? {}).sort()).toEqual([
      "AccessLogsBucketName",
      "ArtifactBucketName",
      "BuildCacheRepositoryUri",
      "BuildLogGroupName",
      "CodeBuildRoleArn",
      "PipelineRoleArn",
    ]);
    expect(resourcesOfType(P, "AWS::CodeBuild::Project")).toEqual([]);
    expect(resourcesOfType(P, "AWS::CodePipeline::Pipeline")).toEqual([]);
  });
});

describe("names", () => {
  it("cluster, load balancer (A), service, repository, target group and family are ProjectName-EnvironmentName", () => {
    const [, cluster] = onlyResource(A, "AWS::ECS::Cluster");
    expect(props(cluster)["ClusterName"]).toEqual(sub(ID));
    const [, lb] = onlyResource(A, "AWS::ElasticLoadBalancingV2::LoadBalancer");
    expect(props(lb)["Name"]).toEqual(sub(ID));
    expect(resourcesOfType(B, "AWS::ECS::Cluster")).toEqual([]);
    expect(resourcesOfType(B, "AWS::ElasticLoadBalancingV2::LoadBalancer")).toEqual([]);
    for (const [, t] of ENDPOINTS) {
      expect(props(onlyResource(t, "AWS::ECS::Service")[1])["ServiceName"]).toEqual(sub(ID));
      expect(props(onlyResource(t, "AWS::ECR::Repository")[1])["RepositoryName"]).toEqual(sub(ID));
      expect(props(resource(t, "TargetGroup"))["Name"]).toEqual(sub(ID));
      expect(props(resource(t, "TaskDefinition"))["Family"]).toEqual(sub(ID));
      expect(props(resource(t, "LogGroup"))["LogGroupName"]).toEqual(sub(`/mlops/${ID}`));
    }
  });

  it("EFS file systems carry the tags teardown and re-create look for", () => {
    for (const [, t] of ENDPOINTS) {
      for (const volume of ["assets", "weights"]) {
        const [, fs] = resourcesOfType(t, "AWS::EFS::FileSystem").find(([id]) => id.toLowerCase().startsWith(volume)) ?? [];
        expect(fs, volume).toBeDefined();
        const tags = list(props(fs ?? { Type: "" })["FileSystemTags"]).map((x) => obj(x));
        expect(tags).toEqual([
          { Key: "Name", Value: sub(`${ID}-${volume}`) },
          { Key: "mlops:endpoint", Value: sub(ID) },
          { Key: "mlops:volume", Value: volume },
          { Key: "mlops:volume-root", Value: { Ref: `${volume === "assets" ? "Assets" : "Weights"}VolumeRoot` } },
        ]);
      }
    }
  });
});

describe("exports and outputs", () => {
  it("A exports exactly the agreed names, ProjectName-EnvironmentName-Suffix", () => {
    const names = Object.values(A.Outputs ?? {})
      .filter((o) => o.Export)
      .map((o) => evaluateName(o.Export?.Name, VARS));
    expect(names.sort()).toEqual(EXPORT_SUFFIXES.map((s) => `proj-env-${s}`).sort());
  });

  it("B exports nothing", () => {
    expect(Object.values(B.Outputs ?? {}).filter((o) => o.Export)).toEqual([]);
  });

  it("both stacks have every endpoint output", () => {
    for (const [name, t] of ENDPOINTS) {
      for (const key of ENDPOINT_OUTPUTS) expect(t.Outputs?.[key], `${name} ${key}`).toBeDefined();
    }
    expect(Object.keys(B.Outputs ?? {}).sort()).toEqual([...ENDPOINT_OUTPUTS].sort());
  });

  it("EndpointUrl is https://HostHeaderApi", () => {
    for (const [, t] of ENDPOINTS) expect(t.Outputs?.["EndpointUrl"]?.Value).toEqual(sub("https://${HostHeaderApi}"));
  });

  it("file system outputs give the kept file system when one was passed in", () => {
    for (const [, t] of ENDPOINTS) {
      expect(t.Outputs?.["AssetsFileSystemId"]?.Value).toEqual({
        "Fn::If": ["CreateAssetsFileSystem", { Ref: "AssetsFileSystem" }, { Ref: "AssetsFileSystemId" }],
      });
      expect(t.Outputs?.["WeightsFileSystemId"]?.Value).toEqual({
        "Fn::If": ["CreateWeightsFileSystem", { Ref: "WeightsFileSystem" }, { Ref: "WeightsFileSystemId" }],
      });
    }
  });
});

describe("endpoint wiring", () => {
  it("an existing file system id replaces the new file system everywhere it is used", () => {
    for (const [, t] of ENDPOINTS) {
      expect(t.Conditions).toMatchObject({
        SetDesiredCount: { "Fn::Equals": [{ Ref: "SendDesiredCount" }, "true"] },
        CreateLogGroup: { "Fn::Equals": [{ Ref: "LogGroupExists" }, "false"] },
        CreateAssetsFileSystem: { "Fn::Equals": [{ Ref: "AssetsFileSystemId" }, ""] },
        CreateWeightsFileSystem: { "Fn::Equals": [{ Ref: "WeightsFileSystemId" }, ""] },
      });
      expect(resource(t, "AssetsFileSystem").Condition).toBe("CreateAssetsFileSystem");
      expect(resource(t, "WeightsFileSystem").Condition).toBe("CreateWeightsFileSystem");
      // Mount targets always exist (a kept file system lost its own) and use the chosen id.
      const mountTargets = resourcesOfType(t, "AWS::EFS::MountTarget");
      expect(mountTargets).toHaveLength(4);
      for (const [id, mt] of mountTargets) {
        expect(mt.Condition, id).toBeUndefined();
        const volume = id.startsWith("Assets") ? "Assets" : "Weights";
        expect(props(mt)["FileSystemId"], id).toEqual({
          "Fn::If": [`Create${volume}FileSystem`, { Ref: `${volume}FileSystem` }, { Ref: `${volume}FileSystemId` }],
        });
      }
    }
  });

  it("the task definition runs the tagged image with both volumes, logs and exec", () => {
    for (const [, t] of ENDPOINTS) {
      const td = resource(t, "TaskDefinition");
      const p = props(td);
      expect(p["RequiresCompatibilities"]).toEqual(["FARGATE"]);
      expect(p["NetworkMode"]).toBe("awsvpc");
      expect(refTarget(p["Cpu"])).toBe("TaskCPU");
      expect(refTarget(p["Memory"])).toBe("TaskRAM");
      const [container, ...others] = list(p["ContainerDefinitions"]).map((c) => obj(c));
      expect(others).toEqual([]);
      expect(refTarget(container?.["Name"])).toBe("ContainerName");
      expect(container?.["Image"]).toEqual({
        "Fn::Join": [
          ":",
          [
            {
              "Fn::If": [
                "OwnRepository",
                { "Fn::GetAtt": ["Repository", "RepositoryUri"] },
                { "Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/${ImageRepositoryName}" },
              ],
            },
            { Ref: "APITag" },
          ],
        ],
      });
      expect(list(container?.["MountPoints"])).toEqual([
        { SourceVolume: "assets", ContainerPath: { Ref: "MountPathAssets" }, ReadOnly: false },
        { SourceVolume: "weights", ContainerPath: { Ref: "MountPathWeights" }, ReadOnly: { "Fn::If": ["WeightsWritableInApi", false, true] } },
      ]);
      const logs = obj(container?.["LogConfiguration"]);
      expect(logs["LogDriver"]).toBe("awslogs");
      // A kept log group is used by name; a new one is referenced so tasks wait for it.
      expect(obj(logs["Options"])["awslogs-group"]).toEqual({
        "Fn::If": ["CreateLogGroup", { Ref: "LogGroup" }, { "Fn::Sub": `/mlops/\${ProjectName}-\${EnvironmentName}` }],
      });
      expect(resource(t, "LogGroup").Condition).toBe("CreateLogGroup");
      const volumes = list(p["Volumes"]).map((v) => obj(v));
      expect(volumes.map((v) => v["Name"])).toEqual(["assets", "weights"]);
    }
  });

  it("the task role may mount its own file systems and open ECS exec channels", () => {
    for (const [, t] of ENDPOINTS) {
      const policies = list(props(resource(t, "TaskRole"))["Policies"]).map((x) => obj(x));
      const actions = new Set<string>();
      for (const policy of policies) {
        for (const s of list(obj(policy["PolicyDocument"])["Statement"])) {
          for (const a of ([] as CfnValue[]).concat(obj(s)["Action"] ?? [])) actions.add(String(a));
        }
      }
      for (const a of [
        "elasticfilesystem:ClientMount",
        "elasticfilesystem:ClientWrite",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
      ]) {
        expect(actions, a).toContain(a);
      }
    }
  });

  it("the service runs on Fargate LATEST in the private subnets with exec and the rollout parameters", () => {
    for (const [name, t] of ENDPOINTS) {
      const [, svc] = onlyResource(t, "AWS::ECS::Service");
      const p = props(svc);
      expect(p["LaunchType"]).toBe("FARGATE");
      expect(p["PlatformVersion"]).toBe("LATEST");
      expect(p["EnableExecuteCommand"]).toBe(true);
      // Sent only when mlops means to change the count; otherwise left out, keeping what autoscaling set.
      expect(p["DesiredCount"]).toEqual({ "Fn::If": ["SetDesiredCount", { Ref: "DesiredCount" }, { Ref: "AWS::NoValue" }] });
      expect(refTarget(p["HealthCheckGracePeriodSeconds"])).toBe("HealthCheckGracePeriodSeconds");
      const deployment = obj(p["DeploymentConfiguration"]);
      expect(refTarget(deployment["MinimumHealthyPercent"])).toBe("MinimumHealthyPercent");
      expect(refTarget(deployment["MaximumPercent"])).toBe("MaximumPercent");
      const subnets = list(obj(obj(p["NetworkConfiguration"])["AwsvpcConfiguration"])["Subnets"]);
      if (name === "create-ep-a") expect(subnets).toEqual([{ Ref: "PrivateSubnet1" }, { Ref: "PrivateSubnet2" }]);
      else expect(subnets.map((s) => evaluateName(obj(s)["Fn::ImportValue"], VARS))).toEqual(["base-env-PrivateSubnet1", "base-env-PrivateSubnet2"]);
    }
  });

  it("the target groups check health and drain by the parameters", () => {
    for (const [, t] of ENDPOINTS)
      for (const tg of [resource(t, "TargetGroup"), resource(t, "AlternateTargetGroup")]) {
        const p = props(tg);
        expect(p["TargetType"]).toBe("ip");
        for (const key of ["HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds", "HealthyThresholdCount", "UnhealthyThresholdCount"]) {
          expect(refTarget(p[key]), key).toBe(key);
        }
        expect(refTarget(p["HealthCheckPath"])).toBe("ApiHealthCheckPath");
        expect(list(p["TargetGroupAttributes"])).toContainEqual({
          Key: "deregistration_delay.timeout_seconds",
          Value: { Ref: "DeregistrationDelaySeconds" },
        });
      }
  });

  it("autoscaling tracks CPU and memory of the service between MinContainers and MaxContainers", () => {
    for (const [, t] of ENDPOINTS) {
      const [targetId, target] = onlyResource(t, "AWS::ApplicationAutoScaling::ScalableTarget");
      expect(refTarget(props(target)["MinCapacity"])).toBe("MinContainers");
      expect(refTarget(props(target)["MaxCapacity"])).toBe("MaxContainers");
      const metrics = resourcesOfType(t, "AWS::ApplicationAutoScaling::ScalingPolicy").map(([, policy]) => {
        expect(refTarget(props(policy)["ScalingTargetId"])).toBe(targetId);
        const config = obj(props(policy)["TargetTrackingScalingPolicyConfiguration"]);
        return [obj(config["PredefinedMetricSpecification"])["PredefinedMetricType"], refTarget(config["TargetValue"])];
      });
      expect(metrics).toEqual([
        ["ECSServiceAverageCPUUtilization", "AutoScalingTargetValueCPU"],
        ["ECSServiceAverageMemoryUtilization", "AutoScalingTargetValueRAM"],
      ]);
    }
  });

  it("B's listener rule sits on A's HTTPS listener at B's own priority", () => {
    const [, rule] = onlyResource(B, "AWS::ElasticLoadBalancingV2::ListenerRule");
    expect(evaluateName(obj(props(rule)["ListenerArn"])["Fn::ImportValue"], VARS)).toBe("base-env-HttpsListenerArn");
    expect(refTarget(props(rule)["Priority"])).toBe("ListenerRulePriority");
  });

  it("the service takes its strategy, bake times and traffic-shift settings from parameters, and the alternate target group and role exist only for traffic-shifting strategies", () => {
    for (const [, t] of ENDPOINTS) {
      expect(t.Conditions?.["ShiftTraffic"]).toEqual({ "Fn::Not": [{ "Fn::Equals": [{ Ref: "DeploymentStrategy" }, "ROLLING"] }] });
      expect(t.Parameters?.["DeploymentStrategy"]?.AllowedValues).toEqual(["ROLLING", "BLUE_GREEN", "CANARY", "LINEAR"]);
      const service = props(onlyResource(t, "AWS::ECS::Service")[1]);
      const deployment = obj(service["DeploymentConfiguration"]);
      expect(refTarget(deployment["Strategy"])).toBe("DeploymentStrategy");
      expect(deployment["BakeTimeInMinutes"]).toEqual({ "Fn::If": ["ShiftTraffic", { Ref: "BakeTimeInMinutes" }, { Ref: "AWS::NoValue" }] });
      expect(deployment["CanaryConfiguration"]).toEqual({
        "Fn::If": [
          "CanaryStrategy",
          { CanaryPercent: { Ref: "CanaryPercent" }, CanaryBakeTimeInMinutes: { Ref: "CanaryBakeTimeInMinutes" } },
          { Ref: "AWS::NoValue" },
        ],
      });
      expect(deployment["LinearConfiguration"]).toEqual({
        "Fn::If": [
          "LinearStrategy",
          { StepPercent: { Ref: "LinearStepPercent" }, StepBakeTimeInMinutes: { Ref: "LinearStepBakeTimeInMinutes" } },
          { Ref: "AWS::NoValue" },
        ],
      });
      const [loadBalancer] = list(service["LoadBalancers"]).map((l) => obj(l));
      expect(loadBalancer?.["AdvancedConfiguration"]).toEqual({
        "Fn::If": [
          "ShiftTraffic",
          {
            AlternateTargetGroupArn: { Ref: "AlternateTargetGroup" },
            ProductionListenerRule: { Ref: "ListenerRule" },
            RoleArn: { "Fn::GetAtt": ["TrafficShiftRole", "Arn"] },
          },
          { Ref: "AWS::NoValue" },
        ],
      });
      expect(resource(t, "AlternateTargetGroup").Condition).toBe("ShiftTraffic");
      // Validation and status count the new revision's targets in either target group.
      expect(t.Outputs?.["AlternateTargetGroupArn"]).toMatchObject({ Condition: "ShiftTraffic", Value: { Ref: "AlternateTargetGroup" } });
      const role = resource(t, "TrafficShiftRole");
      expect(role.Condition).toBe("ShiftTraffic");
      expect(props(role)["ManagedPolicyArns"]).toEqual([
        { "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers" },
      ]);
    }
  });

  it("three alarms per endpoint (target 5xx share, p95 response time, unhealthy hosts) judge every deployment, with rollback", () => {
    for (const [, t] of ENDPOINTS) {
      const alarms = resourcesOfType(t, "AWS::CloudWatch::Alarm");
      expect(alarms.map(([id]) => id)).toEqual(["Target5xxAlarm", "ResponseTimeAlarm", "UnhealthyHostsAlarm"]);
      expect(alarms.map(([, a]) => props(a)["AlarmName"])).toEqual([sub(`${ID}-target-5xx`), sub(`${ID}-p95-response-time`), sub(`${ID}-unhealthy-hosts`)]);
      expect(alarms.map(([, a]) => refTarget(props(a)["Threshold"]))).toEqual(["AlarmTarget5xxPercent", "AlarmP95ResponseSeconds", "AlarmUnhealthyHosts"]);
      for (const [, a] of alarms) {
        expect(refTarget(props(a)["EvaluationPeriods"])).toBe("AlarmMinutes");
        expect(props(a)["TreatMissingData"]).toBe("notBreaching");
      }
      const deployment = obj(props(onlyResource(t, "AWS::ECS::Service")[1])["DeploymentConfiguration"]);
      expect(deployment["Alarms"]).toEqual({
        AlarmNames: [{ Ref: "Target5xxAlarm" }, { Ref: "ResponseTimeAlarm" }, { Ref: "UnhealthyHostsAlarm" }],
        Enable: true,
        Rollback: true,
      });
    }
  });

  it("on a load balancer shard, B's rule, task ingress and DNS name come from the shard's stack", () => {
    const onShard = { ...VARS, LoadBalancerStackName: "base-env-lb-2", "Condition:OnBaseLoadBalancer": "false" };
    const [, rule] = onlyResource(B, "AWS::ElasticLoadBalancingV2::ListenerRule");
    expect(evaluateName(obj(props(rule)["ListenerArn"])["Fn::ImportValue"], onShard)).toBe("base-env-lb-2-HttpsListenerArn");
    expect(evaluateName(obj(B.Outputs?.["LoadBalancerDnsName"]?.Value)["Fn::ImportValue"], onShard)).toBe("base-env-lb-2-LoadBalancerDnsName");
    const [, group] = onlyResource(B, "AWS::EC2::SecurityGroup");
    const ingress = props(group)["SecurityGroupIngress"] as CfnValue[];
    expect(evaluateName(obj(obj(ingress[0])["SourceSecurityGroupId"])["Fn::ImportValue"], onShard)).toBe("base-env-lb-2-LoadBalancerSecurityGroup");
  });
});
