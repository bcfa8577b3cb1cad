/**
 * How the tutorial's CloudFormation parameter keys map onto our format. One
 * table serves the conversion, the naming of fields in messages, the
 * suggestions for keys written in the wrong format, and the reference.
 */

/** One ParameterKey of the tutorial's parameter files. */
export interface TutorialParameter {
  key: string;
  /** Field paths of our format it fills. */
  paths: readonly string[];
  /** How the text value is read. */
  kind: "text" | "number" | "list";
  /** For lists: how many comma-separated items, and what they are. */
  items?: { count: number; meaning: string };
  /** Values the tutorial ships as fill-me-in text; they mean "not given". */
  placeholders?: readonly string[];
}

/** Every ParameterKey accepted, in the order the reference lists them. */
export const TUTORIAL_PARAMETERS: readonly TutorialParameter[] = [
  { key: "ProjectName", paths: ["project"], kind: "text" },
  { key: "EnvironmentName", paths: ["environment"], kind: "text" },
  { key: "BaseProjectName", paths: ["base"], kind: "text" },
  { key: "VpcCidr", paths: ["network.vpcCidr"], kind: "text" },
  {
    key: "VpcSubnetIpBlocks",
    paths: ["network.publicSubnets", "network.privateSubnets"],
    kind: "list",
    items: { count: 4, meaning: "public1,public2,private1,private2" },
  },
  { key: "AZs", paths: ["network.availabilityZones"], kind: "list", items: { count: 2, meaning: "zone1,zone2" } },
  { key: "AllowedCidrIp", paths: ["network.allowedCidr"], kind: "text" },
  { key: "ApiPort", paths: ["api.port"], kind: "number" },
  { key: "ApiHealthCheckPath", paths: ["api.healthCheckPath"], kind: "text" },
  { key: "HostHeaderApi", paths: ["api.hostHeader"], kind: "text" },
  { key: "DNSCertArn", paths: ["api.certificateArn"], kind: "text", placeholders: ["Get from ACM", ""] },
  { key: "ListenerRulePriority", paths: ["api.listenerPriority"], kind: "number", placeholders: [""] },
  { key: "ContainerName", paths: ["container.name"], kind: "text" },
  { key: "APITag", paths: ["container.tag"], kind: "text", placeholders: ["docker image tag", "tag-<git commit hash>", ""] },
  { key: "TaskCPU", paths: ["container.cpu"], kind: "number" },
  { key: "TaskRAM", paths: ["container.memory"], kind: "text" },
  { key: "DesiredCount", paths: ["scaling.desired"], kind: "number" },
  { key: "MinContainers", paths: ["scaling.min"], kind: "number" },
  { key: "MaxContainers", paths: ["scaling.max"], kind: "number" },
  { key: "AutoScalingTargetValueCPU", paths: ["scaling.cpuTarget"], kind: "number" },
  { key: "AutoScalingTargetValueRAM", paths: ["scaling.memoryTarget"], kind: "number" },
  { key: "MountPathAssets", paths: ["storage.assetsMountPath"], kind: "text" },
  { key: "MountPathWeights", paths: ["storage.weightsMountPath"], kind: "text" },
];

/** The keys with a meaning of their own in the tutorial's format: a file with `network` is a base endpoint, one with `base` joins that base. */
export const KEY = { project: "ProjectName", base: "BaseProjectName", network: "VpcCidr", subnets: "VpcSubnetIpBlocks", host: "HostHeaderApi" } as const;

/** Keys that only a base endpoint (a file with `KEY.network`) may give. */
export const NETWORK_KEYS: readonly string[] = [KEY.network, KEY.subnets, "AZs", "AllowedCidrIp"];

/** Command-line flags that supply the pipeline section for the tutorial's format. */
export const PIPELINE_FLAGS = {
  connectionArn: "--connection-arn",
  repository: "--repository",
  branch: "--branch",
} as const;
