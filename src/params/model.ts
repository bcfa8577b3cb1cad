/**
 * The validated, normalized description of one endpoint. Both parameter
 * formats (ours and the tutorial's CloudFormation parameter list) load into
 * this shape; everything after loading works on it alone.
 */

import type { ComputeType } from "./compute-types.js";

/** Network of a base endpoint. Subnet and AZ pairs are ordered: index 0 and 1. */
export interface NetworkConfig {
  vpcCidr: string;
  publicSubnets: [string, string];
  privateSubnets: [string, string];
  availabilityZones: [string, string];
  /** CIDR allowed to reach the load balancer on 80/443. */
  allowedCidr: string;
}

/** How requests reach the container. */
export interface ApiConfig {
  /** Host header routed to this endpoint, also the certificate's name. */
  hostHeader: string;
  port: number;
  healthCheckPath: string;
  /** ACM certificate; absent: mlops finds or requests one for the host header. */
  certificateArn?: string;
  /** Listener rule priority 1-50000; absent: chosen automatically. */
  listenerPriority?: number;
  /** Base endpoints: the load balancer's idle timeout in seconds; absent: 60 (AWS's default). */
  idleTimeoutSeconds?: number;
}

/** The container and its task size. */
export interface ContainerConfig {
  name: string;
  /** Task CPU units: a Fargate size (256 ... 16384), or 128-196608 on the instances of a GPU or Neuron endpoint. */
  cpu: number;
  /** Task memory in MiB. */
  memoryMiB: number;
  /** Image tag to deploy; absent: taken from the pipeline or `--tag`. */
  tag?: string;
}

/** Attribute-based selection of the instances of a GPU or Neuron endpoint; each range's ends are optional. */
export interface InstanceRequirementsConfig {
  vcpus?: { min?: number; max?: number };
  memoryGiB?: { min?: number; max?: number };
  acceleratorCount?: { min?: number; max?: number };
  acceleratorManufacturers?: string[];
  acceleratorNames?: string[];
}

/** Where the tasks of a GPU or Neuron endpoint run: ECS Managed Instances. */
export interface ComputeConfig {
  type: "gpu" | "neuron";
  /** GPUs (or Neuron devices) per task. */
  gpus: number;
  /** Instance types ECS may launch; absent: any matching `instanceRequirements`. */
  instanceTypes?: string[];
  instanceRequirements?: InstanceRequirementsConfig;
  spot: boolean;
  rootVolumeGiB: number;
}

/** Task counts and target-tracking targets. */
export interface ScalingConfig {
  desired: number;
  min: number;
  max: number;
  cpuTarget: number;
  memoryTarget: number;
}

/** Rollout speed and safety. Defaults make an update finish fast without dropping requests. */
export interface RolloutConfig {
  healthCheckIntervalSeconds: number;
  healthCheckTimeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  deregistrationDelaySeconds: number;
  healthCheckGracePeriodSeconds: number;
  minimumHealthyPercent: number;
  maximumPercent: number;
  circuitBreakerRollback: boolean;
  strategy: RolloutStrategy;
  /** Minutes both revisions run after all traffic has shifted (traffic-shifting strategies). */
  bakeMinutes: number;
  canaryPercent: number;
  canaryBakeMinutes: number;
  linearStepPercent: number;
  linearStepBakeMinutes: number;
}

/** How a new image takes over: ECS's deployment strategies. */
export type RolloutStrategy = "rolling" | "blue-green" | "canary" | "linear";

/** Thresholds of the alarms that judge every rollout. */
export interface AlarmsConfig {
  target5xxPercent: number;
  p95ResponseSeconds: number;
  unhealthyHosts: number;
  minutes: number;
}

/** Where the two EFS volumes are mounted in the container, and how. */
export interface StorageConfig {
  assetsMountPath: string;
  weightsMountPath: string;
  /** The API container may write the weights volume (read-only otherwise). */
  weightsWritable: boolean;
}

/** The CodePipeline that builds images for this endpoint. */
export interface PipelineConfig {
  /** CodeStar/CodeConnections connection ARN. */
  connectionArn: string;
  /** GitHub repository as `owner/name`. */
  repository: string;
  branch: string;
  /** Build context and Dockerfile inside the repository. */
  dockerContext: string;
  dockerfile: string;
  /** Registries of base images the build logs in to and may pull from. */
  baseImageRegistries: BaseImageRegistrySetting[];
  /** Secrets Manager ARN or name of the Docker Hub user and token; absent: anonymous pulls. */
  dockerHubSecret?: string;
  computeType: ComputeType;
  /** Minutes a first `docker build` takes, for the whole-create estimate; absent: the model's default. */
  expectedBuildMinutes?: number;
  /** `docker build --build-arg` values. */
  buildArgs: Record<string, string>;
}

/** One entry of `pipeline.baseImageRegistries`: a registry, optionally a pull-through cache prefix. */
export type BaseImageRegistrySetting = string | { registry: string; pullThroughCache: boolean };

/** Logs and metrics that cost a little; each on by default. The first three belong to a base endpoint. */
export interface MonitoringConfig {
  vpcFlowLogs: boolean;
  loadBalancerAccessLogs: boolean;
  containerInsights: boolean;
  artifactAccessLogs: boolean;
}

/** One endpoint, validated. */
export interface EndpointConfig {
  /** The file it was loaded from, for messages. */
  source: string;
  format: "mlops" | "cloudformation";
  /** `base` creates the shared infrastructure; `added` joins an existing base. */
  kind: "base" | "added";
  project: string;
  environment: string;
  /** Added endpoints only: the base endpoint's project name. */
  baseProject?: string;
  /** Base endpoints only. */
  network?: NetworkConfig;
  api: ApiConfig;
  container: ContainerConfig;
  /** Absent: the tasks run on Fargate. */
  compute?: ComputeConfig;
  scaling: ScalingConfig;
  rollout: RolloutConfig;
  alarms: AlarmsConfig;
  storage: StorageConfig;
  logRetentionDays: number;
  /** Tagged images the ECR repository keeps (at least 2, so a rollback finds the previous one). */
  imagesToKeep: number;
  monitoring: MonitoringConfig;
  /** Absent: no pipeline (images are built elsewhere). */
  pipeline?: PipelineConfig;
}

/** Values given on the command line that complete or override a parameter file. */
export interface ParamOverrides {
  base?: string;
  connectionArn?: string;
  repository?: string;
  branch?: string;
  /** The region the command runs in, for the AZ check; absent: not checked. */
  region?: string;
  /** Where that region came from, for messages: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`. */
  regionSource?: string;
  /** `--strategy`: the rollout strategy of this run, judged instead of the file's `rollout.strategy`. */
  strategy?: RolloutStrategy;
}

/** `project-environment`: the name every resource of the endpoint derives from. */
export function endpointId(config: Pick<EndpointConfig, "project" | "environment">): string {
  return `${config.project}-${config.environment}`;
}
