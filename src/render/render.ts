/**
 * Pure rendering: an endpoint's configuration (plus what was found in AWS)
 * becomes the template and parameters of its stack. No AWS, no console.
 */
import { buildSettings, dockerHubSecretParameters } from "./build-settings.js";
import { applyCompute } from "./compute.js";
import { readFileSync } from "node:fs";
import { packageFile } from "../package-files.js";
import { endpointId, type EndpointConfig } from "../params/model.js";
import { baseStackName, deploymentStrategyParameter, endpointStackName, pipelineStackName, shardTags, stackTags } from "./names.js";

/** Template files, resolved from the installed package so `mlops` works from any directory. */
const templatesDir = packageFile("templates/");

/** Image tag used while no image exists yet; no task runs with it because DesiredCount is 0. */
export const placeholderImageTag = "no-image-yet";

/** What the deployment found or chose in AWS, which the parameter file does not say. */
export interface DeploymentFacts {
  /** ACM certificate for the host header; base endpoints only (the HTTPS listener's default certificate). */
  certificateArn?: string;
  /** Image tag to run; absent: no image yet, so DesiredCount is 0. */
  imageTag?: string;
  /** Kept EFS file systems to mount again instead of creating empty ones. */
  assetsFileSystemId?: string;
  weightsFileSystemId?: string;
  /**
   * The directory of each file system that its volume shows (the templates' AssetsAccessPoint):
   * `/data` for a file system made by this version, `/` for one whose data lies at its root
   * (made by an earlier version). Absent: `/data` for a new file system, `/` for a kept one.
   */
  assetsVolumeRoot?: VolumeRoot;
  weightsVolumeRoot?: VolumeRoot;
  /** The log group `/mlops/<id>` was kept from an earlier stack and is used again. */
  logGroupExists?: boolean;
  /**
   * Added endpoints: the stack whose load balancer serves the endpoint, the base's or one of its
   * shards'; absent: the base's (rendered as an empty LoadBalancerStackName).
   */
  loadBalancerStack?: string;
  /** Listener rule priority chosen when the parameter file gives none. */
  listenerPriority?: number;
  /**
   * The DesiredCount the stack was last deployed with; absent for a new stack. The
   * count is sent to the service only when it differs (see `SendDesiredCount`).
   */
  deployedDesiredCount?: number;
  /** What the weights sync task copies from and how often (set by `mlops weights`); absent: none. */
  weights?: WeightsSyncSettings;
  /**
   * The production listener rule's live weights, which ECS moved at the last traffic shift;
   * absent: a new rule (primary 100, alternate 0). CloudFormation writes the rule's weights
   * whenever the rule changes, so they must be what ECS left.
   */
  trafficWeights?: TrafficWeights;
}

/** The production listener rule's weights of the primary (TargetGroup) and alternate target group. */
export interface TrafficWeights {
  primary: number;
  alternate: number;
}

/** Where a volume's data lies on its file system (the templates' AssetsVolumeRoot / WeightsVolumeRoot). */
export type VolumeRoot = "/data" | "/";

/** The directory of the file systems that mlops creates that the volumes show. */
export const NEW_VOLUME_ROOT: VolumeRoot = "/data";

/**
 * The volume roots a deployed stack keeps. A stack whose parameters lack them was deployed
 * before the volumes had access points: its data lies at the file systems' root.
 */
export function volumeRootsOf(parameters: Record<string, string>): Pick<DeploymentFacts, "assetsVolumeRoot" | "weightsVolumeRoot"> {
  const root = (value: string | undefined): VolumeRoot => (value === NEW_VOLUME_ROOT ? NEW_VOLUME_ROOT : "/");
  return { assetsVolumeRoot: root(parameters.AssetsVolumeRoot), weightsVolumeRoot: root(parameters.WeightsVolumeRoot) };
}

/** The weights sync settings a stack keeps (`mlops weights push` / `schedule` set them; other commands carry them over). */
export interface WeightsSyncSettings {
  sourceBucket: string;
  /** Empty or ending with `/`. */
  sourcePrefix: string;
  deleteExtraneous: boolean;
  /** EventBridge Scheduler expression; empty: no schedule. */
  schedule: string;
}

/** The weights settings of a deployed stack's parameters. */
export function weightsSettingsOf(parameters: Record<string, string>): WeightsSyncSettings {
  return {
    sourceBucket: parameters.WeightsSourceBucket ?? "",
    sourcePrefix: parameters.WeightsSourcePrefix ?? "",
    deleteExtraneous: parameters.WeightsSyncDelete === "true",
    schedule: parameters.WeightsSchedule ?? "",
  };
}

/** The input of one CloudFormation stack. */
export interface RenderedStack {
  stackName: string;
  templateFile: string;
  templateBody: string;
  parameters: Record<string, string>;
  tags: Record<string, string>;
}

/** Reads a template shipped with mlops. */
export function readTemplate(file: string): string {
  return readFileSync(new URL(file, templatesDir), "utf8");
}

/** Renders the endpoint's own stack: the base (A) or an added endpoint (B). */
export function renderEndpointStack(config: EndpointConfig, facts: DeploymentFacts = {}): RenderedStack {
  const templateFile = config.kind === "base" ? "create-ep-a.yaml" : "add-ep-b.yaml";
  // Only an image known to exist sets the tag and the task counts: a tag merely named in the file must not start tasks.
  const imageTag = facts.imageTag;
  const desiredCount = imageTag ? config.scaling.desired : 0;
  // Sending an unchanged count would undo what autoscaling set since (see the templates' Service).
  const sendDesiredCount = facts.deployedDesiredCount === undefined || facts.deployedDesiredCount !== desiredCount;
  const common: Record<string, string> = {
    ProjectName: config.project,
    EnvironmentName: config.environment,
    ApiPort: String(config.api.port),
    ApiHealthCheckPath: config.api.healthCheckPath,
    HostHeaderApi: config.api.hostHeader,
    ContainerName: config.container.name,
    APITag: imageTag ?? placeholderImageTag,
    TaskCPU: String(config.container.cpu),
    TaskRAM: String(config.container.memoryMiB),
    DesiredCount: String(desiredCount),
    SendDesiredCount: String(sendDesiredCount),
    MinContainers: String(imageTag ? config.scaling.min : 0),
    MaxContainers: String(config.scaling.max),
    AutoScalingTargetValueCPU: String(config.scaling.cpuTarget),
    AutoScalingTargetValueRAM: String(config.scaling.memoryTarget),
    ListenerRulePriority: String(facts.listenerPriority ?? config.api.listenerPriority ?? 1),
    MountPathAssets: config.storage.assetsMountPath,
    MountPathWeights: config.storage.weightsMountPath,
    AssetsFileSystemId: facts.assetsFileSystemId ?? "",
    WeightsFileSystemId: facts.weightsFileSystemId ?? "",
    // A kept file system whose layout is unknown is shown from its root: that hides nothing.
    AssetsVolumeRoot: facts.assetsVolumeRoot ?? (facts.assetsFileSystemId ? "/" : NEW_VOLUME_ROOT),
    WeightsVolumeRoot: facts.weightsVolumeRoot ?? (facts.weightsFileSystemId ? "/" : NEW_VOLUME_ROOT),
    WeightsReadOnly: String(!config.storage.weightsWritable),
    HealthCheckIntervalSeconds: String(config.rollout.healthCheckIntervalSeconds),
    HealthCheckTimeoutSeconds: String(config.rollout.healthCheckTimeoutSeconds),
    HealthyThresholdCount: String(config.rollout.healthyThresholdCount),
    UnhealthyThresholdCount: String(config.rollout.unhealthyThresholdCount),
    DeregistrationDelaySeconds: String(config.rollout.deregistrationDelaySeconds),
    HealthCheckGracePeriodSeconds: String(config.rollout.healthCheckGracePeriodSeconds),
    MinimumHealthyPercent: String(config.rollout.minimumHealthyPercent),
    MaximumPercent: String(config.rollout.maximumPercent),
    CircuitBreakerRollback: String(config.rollout.circuitBreakerRollback),
    DeploymentStrategy: deploymentStrategyParameter(config.rollout.strategy),
    PrimaryTargetGroupWeight: String(facts.trafficWeights?.primary ?? 100),
    AlternateTargetGroupWeight: String(facts.trafficWeights?.alternate ?? 0),
    BakeTimeInMinutes: String(config.rollout.bakeMinutes),
    CanaryPercent: String(config.rollout.canaryPercent),
    CanaryBakeTimeInMinutes: String(config.rollout.canaryBakeMinutes),
    LinearStepPercent: String(config.rollout.linearStepPercent),
    LinearStepBakeTimeInMinutes: String(config.rollout.linearStepBakeMinutes),
    AlarmTarget5xxPercent: String(config.alarms.target5xxPercent),
    AlarmP95ResponseSeconds: String(config.alarms.p95ResponseSeconds),
    AlarmUnhealthyHosts: String(config.alarms.unhealthyHosts),
    AlarmMinutes: String(config.alarms.minutes),
    LogRetentionDays: String(config.logRetentionDays),
    LogGroupExists: String(facts.logGroupExists ?? false),
    ImagesToKeep: String(config.imagesToKeep),
    WeightsSourceBucket: facts.weights?.sourceBucket ?? "",
    WeightsSourcePrefix: facts.weights?.sourcePrefix ?? "",
    WeightsSyncDelete: String(facts.weights?.deleteExtraneous ?? false),
    WeightsSchedule: facts.weights?.schedule ?? "",
  };
  const certificateArn = facts.certificateArn ?? config.api.certificateArn ?? "";
  let parameters: Record<string, string>;
  if (config.kind === "base") {
    const network = config.network;
    if (!network) throw new Error(`${config.source}: a base endpoint needs a network section`);
    parameters = {
      ...common,
      VpcCidr: network.vpcCidr,
      VpcSubnetIpBlocks: [...network.publicSubnets, ...network.privateSubnets].join(","),
      AZs: network.availabilityZones.join(","),
      AllowedCidrIp: network.allowedCidr,
      DNSCertArn: certificateArn,
      VpcFlowLogs: String(config.monitoring.vpcFlowLogs),
      LoadBalancerAccessLogs: String(config.monitoring.loadBalancerAccessLogs),
      ContainerInsights: String(config.monitoring.containerInsights),
    };
  } else {
    // The HTTPS listener of the base's load balancer (or of a shard's, LoadBalancerStackName) serves it; mlops attaches its certificate there.
    parameters = { ...common, BaseProjectName: config.baseProject ?? "", LoadBalancerStackName: facts.loadBalancerStack && facts.loadBalancerStack !== baseStackName(config) ? facts.loadBalancerStack : "" };
  }
  // GPU and Neuron endpoints only; a Fargate endpoint's template and parameters pass through unchanged.
  const body = applyCompute(config, { templateBody: readTemplate(templateFile), parameters: sortKeys(parameters) });
  return {
    stackName: endpointStackName(endpointId(config)),
    templateFile,
    templateBody: body.templateBody,
    parameters: body.parameters,
    tags: stackTags(config, config.kind),
  };
}

/** What the pipeline support stack needs to know about the endpoint stack. */
export interface PipelineFacts {
  ecrRepositoryName: string;
  /** The build log group was kept from an earlier pipeline stack (or made by CodeBuild before the stack owned it) and is used again. */
  buildLogGroupExists?: boolean;
}

/** Renders the stack that holds an endpoint's pipeline roles and artifact bucket. */
export function renderPipelineStack(config: EndpointConfig, facts: PipelineFacts): RenderedStack {
  if (!config.pipeline) throw new Error(`${config.source}: no pipeline section`);
  const { access } = buildSettings(config.pipeline);
  return {
    stackName: pipelineStackName(endpointId(config)),
    templateFile: "pipeline.yaml",
    templateBody: readTemplate("pipeline.yaml"),
    parameters: sortKeys({
      ProjectName: config.project,
      EnvironmentName: config.environment,
      EndpointStackName: endpointStackName(endpointId(config)),
      BaseStackName: baseStackName(config),
      EcrRepositoryName: facts.ecrRepositoryName,
      ConnectionArn: config.pipeline.connectionArn,
      LogRetentionDays: String(config.logRetentionDays),
      BuildLogGroupExists: String(facts.buildLogGroupExists ?? false),
      ArtifactAccessLogs: String(config.monitoring.artifactAccessLogs),
      BaseImageRepositoryArns: access.repositoryArns.join(","),
      PullThroughCacheRepositoryArns: access.pullThroughCacheArns.join(","),
      PublicEcrLogin: String(access.publicEcrLogin),
      ...dockerHubSecretParameters(config.pipeline.dockerHubSecret),
    }),
    tags: stackTags(config, "pipeline"),
  };
}

/** What a load balancer shard takes over from its base stack. */
export interface ShardFacts {
  baseStackName: string;
  shardStackName: string;
  vpcCidr: string;
  publicSubnets: [string, string];
  allowedCidr: string;
  /** The base listener's default certificate, also the shard listener's. */
  defaultCertificateArn: string;
  /** The base's access-log bucket; absent when the base logs none. */
  accessLogsBucket?: string;
}

/** Renders a load balancer shard of a base: one more ALB with the base's settings (templates/shard.yaml). */
export function renderShardStack(facts: ShardFacts): RenderedStack {
  return {
    stackName: facts.shardStackName,
    templateFile: "shard.yaml",
    templateBody: readTemplate("shard.yaml"),
    parameters: sortKeys({
      BaseStackName: facts.baseStackName,
      VpcCidr: facts.vpcCidr,
      PublicSubnet1: facts.publicSubnets[0],
      PublicSubnet2: facts.publicSubnets[1],
      AllowedCidrIp: facts.allowedCidr,
      DefaultCertificateArn: facts.defaultCertificateArn,
      AccessLogsBucket: facts.accessLogsBucket ?? "",
    }),
    tags: shardTags(facts.baseStackName, facts.shardStackName),
  };
}

/** Parameters as the CloudFormation parameter list that `aws cloudformation create-stack --parameters file://` reads. */
export function toParameterList(parameters: Record<string, string>): { ParameterKey: string; ParameterValue: string }[] {
  return Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
}

/** Tags as the list `aws cloudformation create-stack --tags` reads. */
export function toTagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
