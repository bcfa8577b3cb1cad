/**
 * The contract between mlops and its templates: one table per stack, one row
 * per template parameter. A row says where the value comes from (a field of
 * the parameter file or a fact found in AWS), how it is written as a
 * CloudFormation string and read back, how plans name it, and whether changing
 * it replaces a resource or only steers how mlops deploys. Rendering, reading a
 * deployed stack back, plan labels and the replacement check all come from
 * these rows, so a parameter is named here and nowhere else in the program
 * (the tutorial's file format, params/tutorial-keys.ts, names the keys that
 * format reads). A test holds the tables and the templates' Parameters
 * sections to each other. Pure: no AWS, no console.
 */
import type { ComputeConfig, EndpointConfig, NetworkConfig, RolloutConfig, RolloutStrategy } from "../params/model.js";
import { TUTORIAL_PARAMETERS } from "../params/tutorial-keys.js";
import { isSecretArn } from "../params/rules.js";
import { buildSettings } from "./build-settings.js";
import { baseStackName, deploymentStrategyParameter, endpointStackName, strategyOfParameter } from "./names.js";

/** Image tag used while no image exists yet; no task runs with it because the desired count is 0. */
export const placeholderImageTag = "no-image-yet";

/** The load balancer's idle timeout when the base's file gives none: AWS's default (idle_timeout.timeout_seconds). */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 60;

/** What the deployment found or chose in AWS, which the parameter file does not say. */
export interface DeploymentFacts {
  /** ACM certificate for the host header; base endpoints only (the HTTPS listener's default certificate). */
  certificateArn?: string;
  /** Image tag to run; absent: no image yet, so the desired count is 0. */
  imageTag?: string;
  /** Kept EFS file systems to mount again instead of creating empty ones. */
  assetsFileSystemId?: string;
  weightsFileSystemId?: string;
  /**
   * The directory of each file system that its volume shows (the templates' access points):
   * `/data` for a file system made by this version, `/` for one whose data lies at its root
   * (made by an earlier version). Absent: `/data` for a new file system, `/` for a kept one.
   */
  assetsVolumeRoot?: VolumeRoot;
  weightsVolumeRoot?: VolumeRoot;
  /** The log group `/mlops/<id>` was kept from an earlier stack and is used again. */
  logGroupExists?: boolean;
  /**
   * The ECR repository the endpoint's images stack holds; absent: the endpoint's own stack holds
   * it (an endpoint created before images stacks existed keeps it there: see steps/repository.ts).
   */
  imageRepository?: string;
  /**
   * Added endpoints: the stack whose load balancer serves the endpoint, the base's or one of its
   * shards'; absent: the base's (rendered as empty).
   */
  loadBalancerStack?: string;
  /** Listener rule priority chosen when the parameter file gives none. */
  listenerPriority?: number;
  /**
   * The desired count the stack was last deployed with; absent for a new stack. The
   * count is sent to the service only when it differs (see the templates' Service).
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

/** The production listener rule's weights of the primary and the alternate target group. */
export interface TrafficWeights {
  primary: number;
  alternate: number;
}

/** Where a volume's data lies on its file system. */
export type VolumeRoot = "/data" | "/";

/** The directory of the file systems that mlops creates that the volumes show. */
export const NEW_VOLUME_ROOT: VolumeRoot = "/data";

/** The weights sync settings a stack keeps (`mlops weights push` / `schedule` set them; other commands carry them over). */
export interface WeightsSyncSettings {
  sourceBucket: string;
  /** Empty or ending with `/`. */
  sourcePrefix: string;
  deleteExtraneous: boolean;
  /** EventBridge Scheduler expression; empty: no schedule. */
  schedule: string;
}

/** What the pipeline support stack needs to know about the endpoint stack. */
export interface PipelineFacts {
  ecrRepositoryName: string;
  /** The build log group was kept from an earlier pipeline stack (or made by CodeBuild before the stack owned it) and is used again. */
  buildLogGroupExists?: boolean;
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
  /** The base's load balancer idle timeout in seconds; absent: the default. */
  idleTimeoutSeconds?: number;
}

/** An endpoint stack as deployed, read back from its parameters into typed fields. */
export interface DeployedEndpoint {
  project?: string;
  environment?: string;
  /** Added endpoints: the base's project. */
  baseProject?: string;
  host?: string;
  /** The tag the stack names, the placeholder of a stack with no image included. */
  imageTag?: string;
  /** The tag that runs: undefined while the stack has no image. */
  runningTag?: string;
  /** Undefined when the stack has none (then the next render sends the count). */
  desiredCount?: number;
  fileSystems: { assets?: string; weights?: string };
  /** A stack without the volume roots was deployed before the volumes had access points: its data lies at the file systems' root. */
  volumeRoots: { assets: VolumeRoot; weights: VolumeRoot };
  logGroupExists: boolean;
  /** The images stack's repository; undefined: the stack holds its own (created before images stacks existed). */
  imageRepository?: string;
  listenerPriority?: number;
  /** Added endpoints on a shard: its stack; undefined: the base's load balancer. */
  loadBalancerStack?: string;
  /** Base endpoints: the HTTPS listener's certificate. */
  certificateArn?: string;
  /** The rollout settings the stack was deployed with; stacks from before strategies roll. */
  rollout: Partial<Omit<RolloutConfig, "strategy">> & { strategy: RolloutStrategy };
  weights: WeightsSyncSettings;
  /** Base endpoints: what a new load balancer shard takes over. */
  network: { vpcCidr?: string; allowedCidr?: string; idleTimeoutSeconds?: number };
  /** GPU and Neuron endpoints: their ECS Managed Instances capacity; undefined for a Fargate endpoint. */
  compute?: DeployedCompute;
}

/** A GPU or Neuron endpoint's capacity as deployed (the compute rows). */
export interface DeployedCompute {
  spot: boolean;
  /** GPU endpoints; undefined for Neuron, whose task takes every device of its instance. */
  gpusPerTask?: number;
  rootVolumeGiB?: number;
}

/** A pipeline support stack as deployed. */
export interface DeployedPipeline {
  /** Undefined for a stack from before the parameter existed. */
  buildLogGroupExists?: boolean;
}

/** How a change of a parameter's value counts. */
export type ChangeKind =
  /** A setting of the parameter file or a fact found in AWS: shown in plans. */
  | "setting"
  /** Steers how mlops deploys, not what the user configured: left out of summaries. */
  | "mechanism"
  /** Replaces a resource with a fixed name, which CloudFormation cannot do: refused before any change. */
  | { replaces: string };

/** One template parameter: where its value comes from, how it is written and read back, how plans name it. */
export interface ParameterRow<Input, Deployed> {
  parameter: string;
  /** The parameter-file field (`api.port`) or the discovered fact (`fact: ...`) it comes from. */
  from: string;
  /** The CloudFormation string sent. */
  encode: (input: Input) => string;
  /** Reads the deployed value back into the typed view; absent: nothing reads it back. */
  decode?: (value: string | undefined, into: Deployed) => void;
  /** The name plans and summaries give it ("memory"); absent: the parameter's own name. */
  label?: string;
  change?: ChangeKind;
  /** The tutorial's parameter files have this key (params/tutorial-keys.ts). */
  tutorial?: true;
  /** Set by `mlops weights` alone; every other command carries the deployed value over. */
  weights?: true;
}

/** What an endpoint stack is rendered from: the configuration, the facts, and what the render decides from both. */
export interface EndpointInput {
  config: EndpointConfig;
  facts: DeploymentFacts;
  /** The image known to exist; absent: no image yet. */
  imageTag?: string;
  desiredCount: number;
  sendDesiredCount: boolean;
  certificateArn: string;
  /** Base endpoints only. */
  network?: NetworkConfig;
}

type EndpointRow = ParameterRow<EndpointInput, DeployedEndpoint>;
type PipelineInput = { config: EndpointConfig; pipeline: NonNullable<EndpointConfig["pipeline"]>; facts: PipelineFacts };
type PipelineRow = ParameterRow<PipelineInput, DeployedPipeline>;
type ShardRow = ParameterRow<ShardFacts, Record<string, never>>;

const text = (value: string | number | boolean): string => String(value);
const integer = (value: string | undefined): number | undefined => (value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined);
const volumeRoot = (value: string | undefined): VolumeRoot => (value === NEW_VOLUME_ROOT ? NEW_VOLUME_ROOT : "/");
/** A number of the rollout settings, read back into `rollout`. */
const rolloutNumber =
  (key: Exclude<keyof RolloutConfig, "strategy" | "circuitBreakerRollback">) =>
  (value: string | undefined, into: DeployedEndpoint): void => {
    const n = value === undefined || value === "" ? NaN : Number(value);
    if (Number.isFinite(n)) into.rollout[key] = n;
  };
const network = (input: EndpointInput): NetworkConfig => {
  if (!input.network) throw new Error(`${input.config.source}: a base endpoint needs a network section`);
  return input.network;
};

/** The parameters both endpoint templates (create-ep-a.yaml, add-ep-b.yaml) declare. */
const ENDPOINT_ROWS: readonly EndpointRow[] = [
  { parameter: "ProjectName", from: "project", tutorial: true, encode: (i) => i.config.project, decode: (v, d) => (d.project = v) },
  { parameter: "EnvironmentName", from: "environment", tutorial: true, encode: (i) => i.config.environment, decode: (v, d) => (d.environment = v) },
  {
    parameter: "ApiPort",
    from: "api.port",
    tutorial: true,
    label: "port",
    change: { replaces: "the target group's port" },
    encode: (i) => text(i.config.api.port),
  },
  { parameter: "ApiHealthCheckPath", from: "api.healthCheckPath", tutorial: true, label: "health check path", encode: (i) => i.config.api.healthCheckPath },
  { parameter: "HostHeaderApi", from: "api.hostHeader", tutorial: true, label: "host", encode: (i) => i.config.api.hostHeader, decode: (v, d) => (d.host = v) },
  { parameter: "ContainerName", from: "container.name", tutorial: true, encode: (i) => i.config.container.name },
  {
    parameter: "APITag",
    from: "fact: the image found in ECR (container.tag or --tag once it exists)",
    tutorial: true,
    label: "image",
    encode: (i) => i.imageTag ?? placeholderImageTag,
    decode: (v, d) => {
      d.imageTag = v;
      d.runningTag = v && v !== placeholderImageTag ? v : undefined;
    },
  },
  { parameter: "TaskCPU", from: "container.cpu", tutorial: true, label: "cpu", encode: (i) => text(i.config.container.cpu) },
  { parameter: "TaskRAM", from: "container.memoryMiB", tutorial: true, label: "memory", encode: (i) => text(i.config.container.memoryMiB) },
  // Only an image known to exist sets the task counts: a tag merely named in the file must not start tasks.
  {
    parameter: "DesiredCount",
    from: "scaling.desired (0 until an image exists)",
    tutorial: true,
    label: "tasks",
    encode: (i) => text(i.desiredCount),
    decode: (v, d) => (d.desiredCount = integer(v)),
  },
  // Sending an unchanged count would undo what autoscaling set since (see the templates' Service).
  { parameter: "SendDesiredCount", from: "fact: the deployed desired count differs", change: "mechanism", encode: (i) => text(i.sendDesiredCount) },
  {
    parameter: "MinContainers",
    from: "scaling.min (0 until an image exists)",
    tutorial: true,
    label: "min tasks",
    encode: (i) => text(i.imageTag ? i.config.scaling.min : 0),
  },
  { parameter: "MaxContainers", from: "scaling.max", tutorial: true, label: "max tasks", encode: (i) => text(i.config.scaling.max) },
  { parameter: "AutoScalingTargetValueCPU", from: "scaling.cpuTarget", tutorial: true, label: "cpu target %", encode: (i) => text(i.config.scaling.cpuTarget) },
  {
    parameter: "AutoScalingTargetValueRAM",
    from: "scaling.memoryTarget",
    tutorial: true,
    label: "memory target %",
    encode: (i) => text(i.config.scaling.memoryTarget),
  },
  {
    parameter: "ListenerRulePriority",
    from: "api.listenerPriority, else the fact: a free priority",
    tutorial: true,
    label: "listener priority",
    encode: (i) => text(i.facts.listenerPriority ?? i.config.api.listenerPriority ?? 1),
    decode: (v, d) => (d.listenerPriority = Number(v) || undefined),
  },
  { parameter: "MountPathAssets", from: "storage.assetsMountPath", tutorial: true, encode: (i) => i.config.storage.assetsMountPath },
  { parameter: "MountPathWeights", from: "storage.weightsMountPath", tutorial: true, encode: (i) => i.config.storage.weightsMountPath },
  {
    parameter: "AssetsFileSystemId",
    from: "fact: a kept assets file system",
    encode: (i) => i.facts.assetsFileSystemId ?? "",
    decode: (v, d) => (d.fileSystems.assets = v || undefined),
  },
  {
    parameter: "WeightsFileSystemId",
    from: "fact: a kept weights file system",
    encode: (i) => i.facts.weightsFileSystemId ?? "",
    decode: (v, d) => (d.fileSystems.weights = v || undefined),
  },
  // A kept file system whose layout is unknown is shown from its root: that hides nothing.
  {
    parameter: "AssetsVolumeRoot",
    from: "fact: where the assets file system keeps its data",
    encode: (i) => i.facts.assetsVolumeRoot ?? (i.facts.assetsFileSystemId ? "/" : NEW_VOLUME_ROOT),
    decode: (v, d) => (d.volumeRoots.assets = volumeRoot(v)),
  },
  {
    parameter: "WeightsVolumeRoot",
    from: "fact: where the weights file system keeps its data",
    encode: (i) => i.facts.weightsVolumeRoot ?? (i.facts.weightsFileSystemId ? "/" : NEW_VOLUME_ROOT),
    decode: (v, d) => (d.volumeRoots.weights = volumeRoot(v)),
  },
  { parameter: "WeightsReadOnly", from: "storage.weightsWritable (negated)", encode: (i) => text(!i.config.storage.weightsWritable) },
  {
    parameter: "HealthCheckIntervalSeconds",
    from: "rollout.healthCheckIntervalSeconds",
    encode: (i) => text(i.config.rollout.healthCheckIntervalSeconds),
    decode: rolloutNumber("healthCheckIntervalSeconds"),
  },
  {
    parameter: "HealthCheckTimeoutSeconds",
    from: "rollout.healthCheckTimeoutSeconds",
    encode: (i) => text(i.config.rollout.healthCheckTimeoutSeconds),
    decode: rolloutNumber("healthCheckTimeoutSeconds"),
  },
  {
    parameter: "HealthyThresholdCount",
    from: "rollout.healthyThresholdCount",
    encode: (i) => text(i.config.rollout.healthyThresholdCount),
    decode: rolloutNumber("healthyThresholdCount"),
  },
  {
    parameter: "UnhealthyThresholdCount",
    from: "rollout.unhealthyThresholdCount",
    encode: (i) => text(i.config.rollout.unhealthyThresholdCount),
    decode: rolloutNumber("unhealthyThresholdCount"),
  },
  {
    parameter: "DeregistrationDelaySeconds",
    from: "rollout.deregistrationDelaySeconds",
    encode: (i) => text(i.config.rollout.deregistrationDelaySeconds),
    decode: rolloutNumber("deregistrationDelaySeconds"),
  },
  {
    parameter: "HealthCheckGracePeriodSeconds",
    from: "rollout.healthCheckGracePeriodSeconds",
    encode: (i) => text(i.config.rollout.healthCheckGracePeriodSeconds),
    decode: rolloutNumber("healthCheckGracePeriodSeconds"),
  },
  {
    parameter: "MinimumHealthyPercent",
    from: "rollout.minimumHealthyPercent",
    encode: (i) => text(i.config.rollout.minimumHealthyPercent),
    decode: rolloutNumber("minimumHealthyPercent"),
  },
  {
    parameter: "MaximumPercent",
    from: "rollout.maximumPercent",
    encode: (i) => text(i.config.rollout.maximumPercent),
    decode: rolloutNumber("maximumPercent"),
  },
  {
    parameter: "CircuitBreakerRollback",
    from: "rollout.circuitBreakerRollback",
    encode: (i) => text(i.config.rollout.circuitBreakerRollback),
    decode: (v, d) => (d.rollout.circuitBreakerRollback = v === "true"),
  },
  {
    parameter: "DeploymentStrategy",
    from: "rollout.strategy",
    encode: (i) => deploymentStrategyParameter(i.config.rollout.strategy),
    decode: (v, d) => (d.rollout.strategy = strategyOfParameter(v)),
  },
  {
    parameter: "PrimaryTargetGroupWeight",
    from: "fact: the live listener rule's weights",
    change: "mechanism",
    encode: (i) => text(i.facts.trafficWeights?.primary ?? 100),
  },
  {
    parameter: "AlternateTargetGroupWeight",
    from: "fact: the live listener rule's weights",
    change: "mechanism",
    encode: (i) => text(i.facts.trafficWeights?.alternate ?? 0),
  },
  { parameter: "BakeTimeInMinutes", from: "rollout.bakeMinutes", encode: (i) => text(i.config.rollout.bakeMinutes), decode: rolloutNumber("bakeMinutes") },
  { parameter: "CanaryPercent", from: "rollout.canaryPercent", encode: (i) => text(i.config.rollout.canaryPercent), decode: rolloutNumber("canaryPercent") },
  {
    parameter: "CanaryBakeTimeInMinutes",
    from: "rollout.canaryBakeMinutes",
    encode: (i) => text(i.config.rollout.canaryBakeMinutes),
    decode: rolloutNumber("canaryBakeMinutes"),
  },
  {
    parameter: "LinearStepPercent",
    from: "rollout.linearStepPercent",
    encode: (i) => text(i.config.rollout.linearStepPercent),
    decode: rolloutNumber("linearStepPercent"),
  },
  {
    parameter: "LinearStepBakeTimeInMinutes",
    from: "rollout.linearStepBakeMinutes",
    encode: (i) => text(i.config.rollout.linearStepBakeMinutes),
    decode: rolloutNumber("linearStepBakeMinutes"),
  },
  { parameter: "AlarmTarget5xxPercent", from: "alarms.target5xxPercent", encode: (i) => text(i.config.alarms.target5xxPercent) },
  { parameter: "AlarmP95ResponseSeconds", from: "alarms.p95ResponseSeconds", encode: (i) => text(i.config.alarms.p95ResponseSeconds) },
  { parameter: "AlarmUnhealthyHosts", from: "alarms.unhealthyHosts", encode: (i) => text(i.config.alarms.unhealthyHosts) },
  { parameter: "AlarmMinutes", from: "alarms.minutes", encode: (i) => text(i.config.alarms.minutes) },
  { parameter: "LogRetentionDays", from: "logRetentionDays", label: "log retention days", encode: (i) => text(i.config.logRetentionDays) },
  {
    parameter: "LogGroupExists",
    from: "fact: the log group was kept",
    encode: (i) => text(i.facts.logGroupExists ?? false),
    decode: (v, d) => (d.logGroupExists = v === "true"),
  },
  { parameter: "ImagesToKeep", from: "imagesToKeep", encode: (i) => text(i.config.imagesToKeep) },
  // Empty keeps the repository in the endpoint's stack: never set for a stack that holds its own (see DeploymentFacts).
  {
    parameter: "ImageRepositoryName",
    from: "fact: the images stack's repository (empty: the stack holds its own)",
    change: "mechanism",
    encode: (i) => i.facts.imageRepository ?? "",
    decode: (v, d) => (d.imageRepository = v || undefined),
  },
  {
    parameter: "WeightsSourceBucket",
    from: "fact: mlops weights settings",
    weights: true,
    encode: (i) => i.facts.weights?.sourceBucket ?? "",
    decode: (v, d) => (d.weights.sourceBucket = v ?? ""),
  },
  {
    parameter: "WeightsSourcePrefix",
    from: "fact: mlops weights settings",
    weights: true,
    encode: (i) => i.facts.weights?.sourcePrefix ?? "",
    decode: (v, d) => (d.weights.sourcePrefix = v ?? ""),
  },
  {
    parameter: "WeightsSyncDelete",
    from: "fact: mlops weights settings",
    weights: true,
    encode: (i) => text(i.facts.weights?.deleteExtraneous ?? false),
    decode: (v, d) => (d.weights.deleteExtraneous = v === "true"),
  },
  {
    parameter: "WeightsSchedule",
    from: "fact: mlops weights settings",
    weights: true,
    encode: (i) => i.facts.weights?.schedule ?? "",
    decode: (v, d) => (d.weights.schedule = v ?? ""),
  },
];

/** The parameters only a base endpoint's template (create-ep-a.yaml) declares: its network and load balancer. */
const BASE_ROWS: readonly EndpointRow[] = [
  {
    parameter: "VpcCidr",
    from: "network.vpcCidr",
    tutorial: true,
    change: { replaces: "the VPC (and with it the target group)" },
    encode: (i) => network(i).vpcCidr,
    decode: (v, d) => (d.network.vpcCidr = v),
  },
  {
    parameter: "VpcSubnetIpBlocks",
    from: "network.publicSubnets, network.privateSubnets",
    tutorial: true,
    encode: (i) => [...network(i).publicSubnets, ...network(i).privateSubnets].join(","),
  },
  { parameter: "AZs", from: "network.availabilityZones", tutorial: true, encode: (i) => network(i).availabilityZones.join(",") },
  {
    parameter: "AllowedCidrIp",
    from: "network.allowedCidr",
    tutorial: true,
    label: "allowed CIDR",
    encode: (i) => network(i).allowedCidr,
    decode: (v, d) => (d.network.allowedCidr = v),
  },
  {
    parameter: "DNSCertArn",
    from: "api.certificateArn, else the fact: a found or requested certificate",
    tutorial: true,
    label: "certificate",
    encode: (i) => i.certificateArn,
    decode: (v, d) => (d.certificateArn = v || undefined),
  },
  { parameter: "VpcFlowLogs", from: "monitoring.vpcFlowLogs", encode: (i) => text(i.config.monitoring.vpcFlowLogs) },
  { parameter: "LoadBalancerAccessLogs", from: "monitoring.loadBalancerAccessLogs", encode: (i) => text(i.config.monitoring.loadBalancerAccessLogs) },
  { parameter: "ContainerInsights", from: "monitoring.containerInsights", encode: (i) => text(i.config.monitoring.containerInsights) },
  {
    parameter: "LoadBalancerIdleTimeoutSeconds",
    from: "api.idleTimeoutSeconds",
    label: "load balancer idle timeout s",
    encode: (i) => text(i.config.api.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS),
    // A stack deployed before the parameter existed has AWS's default.
    decode: (v, d) => (d.network.idleTimeoutSeconds = Number(v) > 0 ? Number(v) : undefined),
  },
];

/** The parameters only an added endpoint's template (add-ep-b.yaml) declares: its base and the load balancer that serves it. */
const ADDED_ROWS: readonly EndpointRow[] = [
  { parameter: "BaseProjectName", from: "base", tutorial: true, encode: (i) => i.config.baseProject ?? "", decode: (v, d) => (d.baseProject = v || undefined) },
  // The HTTPS listener of the base's load balancer, or of a shard's, serves it; mlops attaches its certificate there.
  {
    parameter: "LoadBalancerStackName",
    from: "fact: the load balancer placement chose (empty: the base's)",
    label: "load balancer",
    encode: (i) => (i.facts.loadBalancerStack && i.facts.loadBalancerStack !== baseStackName(i.config) ? i.facts.loadBalancerStack : ""),
    decode: (v, d) => (d.loadBalancerStack = v || undefined),
  },
];

/** A row of the parameters an endpoint template gets only when it runs on ECS Managed Instances. */
type ComputeRow = EndpointRow & {
  /** The compute types whose render has the parameter. */
  types: readonly ComputeConfig["type"][];
};

const computeOf = (input: EndpointInput): ComputeConfig => {
  if (!input.config.compute) throw new Error(`${input.config.source}: no compute section`);
  return input.config.compute;
};
/** The deployed compute view, made on the first compute parameter read back. */
const deployedCompute = (into: DeployedEndpoint): DeployedCompute => (into.compute ??= { spot: false });

/**
 * The parameters src/render/compute.ts adds to either endpoint template for a GPU or Neuron
 * endpoint, with the capacity provider they configure; a Fargate endpoint's template has none.
 */
const COMPUTE_ROWS: readonly ComputeRow[] = [
  {
    parameter: "CapacityOptionType",
    from: "compute.spot",
    label: "capacity option",
    types: ["gpu", "neuron"],
    encode: (i) => (computeOf(i).spot ? "SPOT" : "ON_DEMAND"),
    decode: (v, d) => {
      if (v !== undefined) deployedCompute(d).spot = v === "SPOT";
    },
  },
  {
    parameter: "GpusPerTask",
    from: "compute.gpus",
    label: "GPUs per task",
    types: ["gpu"],
    encode: (i) => text(computeOf(i).gpus),
    decode: (v, d) => {
      if (v !== undefined) deployedCompute(d).gpusPerTask = integer(v);
    },
  },
  {
    parameter: "InstanceRootVolumeGiB",
    from: "compute.rootVolumeGiB",
    label: "instance root volume GiB",
    types: ["gpu", "neuron"],
    encode: (i) => text(computeOf(i).rootVolumeGiB),
    decode: (v, d) => {
      if (v !== undefined) deployedCompute(d).rootVolumeGiB = integer(v);
    },
  },
];

/** The compute rows a GPU or Neuron endpoint's render adds to its template's (none for Fargate). */
export function computeRows(type: ComputeConfig["type"] | undefined): readonly ComputeRow[] {
  return type === undefined ? [] : COMPUTE_ROWS.filter((row) => row.types.includes(type));
}

/** The pipeline support stack's parameters (pipeline.yaml). */
const PIPELINE_ROWS: readonly PipelineRow[] = [
  { parameter: "ProjectName", from: "project", encode: (i) => i.config.project },
  { parameter: "EnvironmentName", from: "environment", encode: (i) => i.config.environment },
  { parameter: "EndpointStackName", from: "project, environment", encode: (i) => endpointStackName(`${i.config.project}-${i.config.environment}`) },
  { parameter: "BaseStackName", from: "base (or the endpoint itself)", encode: (i) => baseStackName(i.config) },
  { parameter: "EcrRepositoryName", from: "fact: the endpoint stack's repository", encode: (i) => i.facts.ecrRepositoryName },
  { parameter: "ConnectionArn", from: "pipeline.connectionArn", encode: (i) => i.pipeline.connectionArn },
  { parameter: "LogRetentionDays", from: "logRetentionDays", encode: (i) => text(i.config.logRetentionDays) },
  {
    parameter: "BuildLogGroupExists",
    from: "fact: the build log group was kept",
    encode: (i) => text(i.facts.buildLogGroupExists ?? false),
    decode: (v, d) => (d.buildLogGroupExists = v === undefined ? undefined : v === "true"),
  },
  { parameter: "ArtifactAccessLogs", from: "monitoring.artifactAccessLogs", encode: (i) => text(i.config.monitoring.artifactAccessLogs) },
  { parameter: "BaseImageRepositoryArns", from: "pipeline.baseImageRegistries", encode: (i) => buildSettings(i.pipeline).access.repositoryArns.join(",") },
  {
    parameter: "PullThroughCacheRepositoryArns",
    from: "pipeline.baseImageRegistries",
    encode: (i) => buildSettings(i.pipeline).access.pullThroughCacheArns.join(","),
  },
  { parameter: "PublicEcrLogin", from: "pipeline.baseImageRegistries", encode: (i) => text(buildSettings(i.pipeline).access.publicEcrLogin) },
  {
    parameter: "DockerHubSecretArn",
    from: "pipeline.dockerHubSecret (an ARN)",
    encode: (i) => (i.pipeline.dockerHubSecret && isSecretArn(i.pipeline.dockerHubSecret) ? i.pipeline.dockerHubSecret : ""),
  },
  {
    parameter: "DockerHubSecretName",
    from: "pipeline.dockerHubSecret (a name)",
    encode: (i) => (i.pipeline.dockerHubSecret && !isSecretArn(i.pipeline.dockerHubSecret) ? i.pipeline.dockerHubSecret : ""),
  },
];

/** A load balancer shard's parameters (shard.yaml): all taken over from its base. */
const SHARD_ROWS: readonly ShardRow[] = [
  { parameter: "BaseStackName", from: "fact: the base stack", encode: (f) => f.baseStackName },
  { parameter: "VpcCidr", from: "fact: the base's VPC range", encode: (f) => f.vpcCidr },
  { parameter: "PublicSubnet1", from: "fact: the base's public subnets", encode: (f) => f.publicSubnets[0] },
  { parameter: "PublicSubnet2", from: "fact: the base's public subnets", encode: (f) => f.publicSubnets[1] },
  { parameter: "AllowedCidrIp", from: "fact: the base's allowed CIDR", encode: (f) => f.allowedCidr },
  { parameter: "DefaultCertificateArn", from: "fact: the base listener's certificate", encode: (f) => f.defaultCertificateArn },
  { parameter: "AccessLogsBucket", from: "fact: the base's access-log bucket", encode: (f) => f.accessLogsBucket ?? "" },
  {
    parameter: "LoadBalancerIdleTimeoutSeconds",
    from: "fact: the base's idle timeout",
    encode: (f) => text(f.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS),
  },
];

/** The images stack's parameters (images.yaml): the endpoint's repository. */
const IMAGES_ROWS: readonly ParameterRow<EndpointConfig, Record<string, never>>[] = [
  { parameter: "ProjectName", from: "project", encode: (c) => c.project },
  { parameter: "EnvironmentName", from: "environment", encode: (c) => c.environment },
  { parameter: "ImagesToKeep", from: "imagesToKeep", encode: (c) => text(c.imagesToKeep) },
];

/** Each template's rows, by template file. */
export const CONTRACTS = {
  "create-ep-a.yaml": [...ENDPOINT_ROWS, ...BASE_ROWS],
  "add-ep-b.yaml": [...ENDPOINT_ROWS, ...ADDED_ROWS],
  "pipeline.yaml": PIPELINE_ROWS,
  "shard.yaml": SHARD_ROWS,
  "images.yaml": IMAGES_ROWS,
} as const;

/** Every endpoint row, base and added: what plans and the deployed view look up. */
const ALL_ENDPOINT_ROWS: readonly EndpointRow[] = [...ENDPOINT_ROWS, ...BASE_ROWS, ...ADDED_ROWS, ...COMPUTE_ROWS];

function encodeRows<I, D>(rows: readonly ParameterRow<I, D>[], input: I): Record<string, string> {
  return Object.fromEntries(rows.map((row) => [row.parameter, row.encode(input)]));
}

/** The template and parameters of an endpoint stack, from the input the render decided. */
export function encodeEndpoint(input: EndpointInput): { templateFile: "create-ep-a.yaml" | "add-ep-b.yaml"; parameters: Record<string, string> } {
  const templateFile = input.config.kind === "base" ? "create-ep-a.yaml" : "add-ep-b.yaml";
  return { templateFile, parameters: encodeRows(CONTRACTS[templateFile], input) };
}

/**
 * The parameters a GPU or Neuron endpoint's render adds (src/render/compute.ts declares them in
 * the template); none for a Fargate endpoint.
 */
export function encodeCompute(config: EndpointConfig): Record<string, string> {
  const input: EndpointInput = { config, facts: {}, desiredCount: 0, sendDesiredCount: true, certificateArn: "", network: config.network };
  return encodeRows(computeRows(config.compute?.type), input);
}

/** The pipeline stack's parameters. */
export function encodePipeline(config: EndpointConfig, pipeline: NonNullable<EndpointConfig["pipeline"]>, facts: PipelineFacts): Record<string, string> {
  return encodeRows(PIPELINE_ROWS, { config, pipeline, facts });
}

/** The images stack's parameters. */
export function encodeImages(config: EndpointConfig): Record<string, string> {
  return encodeRows(IMAGES_ROWS, config);
}

/** A shard stack's parameters. */
export function encodeShard(facts: ShardFacts): Record<string, string> {
  return encodeRows(SHARD_ROWS, facts);
}

/** Reads an endpoint stack's parameters back into typed fields. */
export function decodeEndpoint(parameters: Record<string, string>): DeployedEndpoint {
  const deployed: DeployedEndpoint = {
    fileSystems: {},
    volumeRoots: { assets: "/", weights: "/" },
    logGroupExists: false,
    rollout: { strategy: "rolling" },
    weights: { sourceBucket: "", sourcePrefix: "", deleteExtraneous: false, schedule: "" },
    network: {},
  };
  for (const row of ALL_ENDPOINT_ROWS) row.decode?.(parameters[row.parameter], deployed);
  return deployed;
}

/** Reads a pipeline stack's parameters back into typed fields. */
export function decodePipeline(parameters: Record<string, string>): DeployedPipeline {
  const deployed: DeployedPipeline = {};
  for (const row of PIPELINE_ROWS) row.decode?.(parameters[row.parameter], deployed);
  return deployed;
}

/** The facts a deployed endpoint carries into its next render: kept file systems, log group, weights settings. */
export function keptFactsOf(deployed: DeployedEndpoint): DeploymentFacts {
  return {
    assetsFileSystemId: deployed.fileSystems.assets,
    weightsFileSystemId: deployed.fileSystems.weights,
    assetsVolumeRoot: deployed.volumeRoots.assets,
    weightsVolumeRoot: deployed.volumeRoots.weights,
    logGroupExists: deployed.logGroupExists,
    imageRepository: deployed.imageRepository,
    weights: deployed.weights,
  };
}

function endpointRow(parameter: string): EndpointRow | undefined {
  return ALL_ENDPOINT_ROWS.find((row) => row.parameter === parameter);
}

/** How plans and summaries name a parameter ("memory"); its own name when the contract gives no label. */
export function parameterLabel(parameter: string): string {
  return endpointRow(parameter)?.label ?? parameter;
}

/** True for a parameter that steers how mlops deploys rather than what the user configured. */
export function isMechanismParameter(parameter: string): boolean {
  return endpointRow(parameter)?.change === "mechanism";
}

/** True for the parameter that carries the image tag (summaries report it apart from the configuration). */
export function isImageParameter(parameter: string): boolean {
  return parameter === IMAGE_PARAMETER;
}

const IMAGE_PARAMETER = "APITag";

/** The parameter-file field that sets a stack parameter, in the file's own format; undefined when the tutorial's format has no key for it. */
export function fieldOfParameter(config: Pick<EndpointConfig, "format">, parameter: string): string | undefined {
  if (!endpointRow(parameter)?.tutorial) return undefined;
  const entry = TUTORIAL_PARAMETERS.find((p) => p.key === parameter);
  if (!entry) return undefined;
  return config.format === "mlops" ? entry.paths.join(" / ") : entry.key;
}

/** A deployed value that the configuration would change into one that replaces a resource with a fixed name. */
export interface ReplacingChange {
  parameter: string;
  /** The parameter-file field, in the file's own format. */
  field: string;
  before: string;
  after: string;
  what: string;
}

/**
 * The changes of `config` against a deployed stack's parameters that would replace a resource
 * with a fixed name. Only rows the configuration alone decides are compared, so no facts are needed.
 */
export function replacingChanges(config: EndpointConfig, deployedParameters: Record<string, string>): ReplacingChange[] {
  const input: EndpointInput = { config, facts: {}, desiredCount: 0, sendDesiredCount: true, certificateArn: "", network: config.network };
  const rows = CONTRACTS[config.kind === "base" ? "create-ep-a.yaml" : "add-ep-b.yaml"];
  const changes: ReplacingChange[] = [];
  for (const row of rows) {
    if (typeof row.change !== "object") continue;
    const before = deployedParameters[row.parameter];
    const after = row.encode(input);
    if (before !== undefined && before !== after)
      changes.push({ parameter: row.parameter, field: fieldOfParameter(config, row.parameter) ?? row.parameter, before, after, what: row.change.replaces });
  }
  return changes;
}

/** The parameter-file field that names an added endpoint's base, in the file's own format. */
export function baseProjectField(config: Pick<EndpointConfig, "format">): string {
  return fieldOfParameter(config, "BaseProjectName") ?? "base";
}

/**
 * The parameters of an endpoint stack that changes only its weights settings: a parameter the
 * deployed stack has keeps its value (so nothing else changes), one it lacks (a template newer
 * than the stack) takes the rendered value, and the weights rows take `weights`.
 */
export function weightsChange(
  config: EndpointConfig,
  rendered: Record<string, string>,
  deployedParameters: Record<string, string>,
  weights: WeightsSyncSettings,
): Record<string, string> {
  const kept = Object.fromEntries(
    Object.keys(rendered)
      .filter((key) => key in deployedParameters)
      .map((key) => [key, deployedParameters[key]!]),
  );
  const input: EndpointInput = { config, facts: { weights }, desiredCount: 0, sendDesiredCount: true, certificateArn: "", network: config.network };
  const rows = CONTRACTS[config.kind === "base" ? "create-ep-a.yaml" : "add-ep-b.yaml"].filter((row) => row.weights);
  return { ...rendered, ...kept, ...encodeRows(rows, input) };
}
