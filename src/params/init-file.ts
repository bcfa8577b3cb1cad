/**
 * A new parameter file, as `mlops init` writes it: the answers in place, every
 * other key shown commented out with its default, so that the file explains
 * itself. Pure: no file or AWS access.
 */
import { formatAddress, overlaps, parseCidr, type Cidr } from "./cidr.js";

/** The network of a new base endpoint. */
export interface InitNetwork {
  vpcCidr: string;
  publicSubnets: [string, string];
  privateSubnets: [string, string];
  availabilityZones: [string, string];
}

/** What a new parameter file says. */
export interface InitAnswers {
  project: string;
  environment: string;
  hostHeader: string;
  /** An added endpoint's base project; absent for a base endpoint. */
  base?: string;
  /** A base endpoint's network; absent for an added endpoint. */
  network?: InitNetwork;
  /** Where editors find the JSON Schema, relative to the file. */
  schemaReference?: string;
  /** The pipeline that builds the images; absent: images are pushed by hand. */
  pipeline?: InitPipeline;
  /** Write a GPU endpoint (ECS Managed Instances with an NVIDIA GPU) instead of a Fargate one. */
  gpu?: boolean;
}

/** Where a pipeline builds images from. */
export interface InitPipeline {
  connectionArn: string;
  repository: string;
  branch: string;
}

/** Subnets of a VPC at most this long (/24: 251 usable addresses each, the tutorial's size). */
const LONGEST_SUBNET_PREFIX = 24;

/** The four subnets (two public, two private) a VPC block is cut into: /24s when it is large enough, else quarters. */
export function subnetsFor(vpcCidr: string): { publicSubnets: [string, string]; privateSubnets: [string, string] } | { error: string } {
  const vpc = parseCidr(vpcCidr);
  if ("error" in vpc) return vpc;
  if (vpc.prefix < 16 || vpc.prefix > 26) return { error: `"${vpcCidr}" is /${vpc.prefix}; a VPC for mlops is /16 to /26 (four subnets of at least /28)` };
  const prefix = Math.max(vpc.prefix + 2, LONGEST_SUBNET_PREFIX);
  const subnet = (i: number) => `${formatAddress(vpc.base + i * 2 ** (32 - prefix))}/${prefix}`;
  return { publicSubnets: [subnet(0), subnet(1)], privateSubnets: [subnet(2), subnet(3)] };
}

/** Private ranges tried for a new VPC, in order: 10.0-255.0.0/16, then 172.16-31.0.0/16, then 192.168.0.0/16 (RFC 1918). */
function* candidateVpcs(): Generator<string> {
  for (let b = 0; b < 256; b++) yield `10.${b}.0.0/16`;
  for (let b = 16; b < 32; b++) yield `172.${b}.0.0/16`;
  yield "192.168.0.0/16";
}

/** The first private /16 that overlaps none of `existing` (the region's VPC blocks); undefined when all do. */
export function proposeVpcCidr(existing: readonly string[]): string | undefined {
  const taken = existing.map(parseCidr).filter((c): c is Cidr => !("error" in c));
  for (const text of candidateVpcs()) {
    const candidate = parseCidr(text) as Cidr;
    if (!taken.some((t) => overlaps(t, candidate))) return text;
  }
  return undefined;
}

/** The existing blocks that `vpcCidr` overlaps. */
export function overlappingBlocks(vpcCidr: string, existing: readonly string[]): string[] {
  const vpc = parseCidr(vpcCidr);
  if ("error" in vpc) return [];
  return existing.filter((text) => {
    const block = parseCidr(text);
    return !("error" in block) && overlaps(block, vpc);
  });
}

/** The YAML text of the new file. */
export function initFileText(a: InitAnswers): string {
  return [...headerLines(a), ...(a.network ? networkLines(a.network) : []), ...serviceLines(a), ...pipelineLines(a.pipeline), ""].join("\n");
}

/** What the file is, and the endpoint's identity. */
function headerLines(a: InitAnswers): string[] {
  return [
    ...(a.schemaReference ? [`# yaml-language-server: $schema=${a.schemaReference}`] : []),
    a.base
      ? `# Added endpoint ${a.project}: joins the VPC, load balancer and cluster of ${a.base}.`
      : `# Base endpoint ${a.project}: creates the VPC, load balancer and cluster that added endpoints share.`,
    "# Written by `mlops init`. Every key left out (or commented out) takes its default;",
    "# README.md's parameter reference explains each one.",
    `project: ${a.project}`,
    `environment: ${a.environment}`,
    ...(a.base ? [`base: ${a.base}`] : []),
  ];
}

/** A base endpoint's network. */
function networkLines(n: InitNetwork): string[] {
  return [
    "",
    "network:",
    "  # Fixed once the base is deployed. Chosen to overlap no VPC that existed in the region.",
    `  vpcCidr: ${n.vpcCidr}`,
    "  # One subnet of each kind per availability zone, in zone order.",
    `  publicSubnets: [${n.publicSubnets.join(", ")}]`,
    `  privateSubnets: [${n.privateSubnets.join(", ")}]`,
    `  availabilityZones: [${n.availabilityZones.join(", ")}]`,
    "  # Who may reach the load balancer (ports 80 and 443).",
    "  allowedCidr: 0.0.0.0/0",
  ];
}

/** The API, the container, scaling and the optional sections, commented out with their defaults. */
function serviceLines(a: InitAnswers): string[] {
  const tagLine = a.pipeline
    ? "  # tag: v1      # absent: the pipeline's build, or --tag"
    : "  # tag: v1      # absent: --tag, else the first image pushed by hand as v1 (create-endpoint prints how)";
  const lines = [
    "",
    "api:",
    "  # Requests for this host go to this endpoint. mlops finds an issued ACM certificate",
    "  # for it or requests one (certificateArn: to give your own).",
    `  hostHeader: ${a.hostHeader}`,
    "  port: 8000",
    "  healthCheckPath: /ping",
    "  # listenerPriority: 10   # absent: a free one is chosen",
    "",
    ...(a.gpu
      ? [
          "container:",
          "  # A GPU task may use any size within its instance (no Fargate sizes): cpu 128-196608 units, memory in MiB.",
          "  cpu: 2048      # the task's share of the instance (g6.xlarge and g5.xlarge: 4 vCPUs, 16 GiB)",
          "  memory: 12GB   # less than the instance's memory: the ECS agent and the OS use some",
          tagLine,
          "",
          "# The tasks run on EC2 instances with NVIDIA GPUs that ECS Managed Instances launches, patches and",
          "# retires (README: GPU endpoints). Billed per instance-hour while instances run.",
          "compute:",
          "  type: gpu",
          "  gpus: 1                              # per task",
          "  instanceTypes: [g6.xlarge, g5.xlarge] # the first with free capacity is used",
          "  spot: false                          # true: cheaper, but EC2 may reclaim an instance",
          "  rootVolumeGiB: 100                   # room for two CUDA images",
          "",
        ]
      : [
          "container:",
          "  cpu: 1024      # 256, 512, 1024, 2048, 4096, 8192 or 16384 (1024 = 1 vCPU)",
          "  memory: 2GB    # allowed sizes depend on cpu",
          tagLine,
          "",
        ]),
    "scaling:",
    "  desired: 1",
    "  min: 1",
    "  max: 4",
    "  cpuTarget: 60",
    "  memoryTarget: 80",
    "",
    "# Rollout speed and safety; the defaults finish an update in a few minutes without dropping requests.",
    "# rollout:",
    a.gpu
      ? "#   healthCheckGracePeriodSeconds: 600  # a GPU endpoint's default; raise it when the model takes longer to load"
      : "#   healthCheckGracePeriodSeconds: 60   # raise it when the model takes longer to load",
    "#   circuitBreakerRollback: true",
    "",
    "# storage:",
    "#   assetsMountPath: /app/assets",
    "#   weightsMountPath: /app/weights",
    "#   weightsWritable: false",
    "",
    "# logs:",
    "#   retentionDays: 30",
  ];
  if (!a.base) {
    lines.push(
      "",
      "# Logs and metrics that cost a little, all on by default (README: what each costs).",
      "# monitoring:",
      "#   vpcFlowLogs: false",
      "#   loadBalancerAccessLogs: false",
      "#   containerInsights: false",
    );
  }
  return lines;
}

/** The pipeline: in force when init was told where images are built from, else shown commented out. */
function pipelineLines(pipeline: InitPipeline | undefined): string[] {
  const on = (line: string) => (pipeline ? line : `# ${line}`);
  const option = (line: string) => `#   ${line}`;
  return [
    "",
    pipeline
      ? "# A pipeline that builds and rolls out an image on every push to the branch."
      : "# A pipeline that builds and rolls out an image on every push (absent: images pushed by hand).",
    on("pipeline:"),
    on(`  connectionArn: ${pipeline?.connectionArn ?? "arn:aws:codestar-connections:REGION:ACCOUNT:connection/ID"}`),
    on(`  repository: ${pipeline?.repository ?? "owner/name"}`),
    on(`  branch: ${pipeline?.branch ?? "main"}`),
    option("dockerfile: Dockerfile"),
    option("# Base images from AWS Deep Learning Containers (README: building ML images):"),
    option("baseImageRegistries: [763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference]"),
    option("# Docker Hub user and token (JSON keys username, token) in Secrets Manager:"),
    option("dockerHubSecret: mlops/dockerhub"),
    option("computeType: BUILD_GENERAL1_MEDIUM"),
    option('buildArgs: {TORCH_VERSION: "2.4.0"}'),
  ];
}
