/**
 * Zod schemas of our parameter format. Each field carries its documentation
 * (registered in `paramDocs`) so the README's reference table is generated
 * from the same objects that validate, and cannot drift from them.
 * Rules that involve more than one field live in `checks.ts`.
 */
import { z } from "zod";
import { parseCidr } from "./cidr.js";
import { parseCpu, parseInstanceCpu, parseMemory } from "./fargate.js";
import {
  checkAvailabilityZone,
  checkBaseImageRegistry,
  checkBranch,
  checkBuildArgName,
  checkBuildArgValue,
  checkCertificateArn,
  checkConnectionArn,
  checkContainerName,
  checkDockerTag,
  checkHostName,
  checkMountPath,
  checkName,
  checkRepoPath,
  checkRepository,
  checkSecretReference,
  checkUrlPath,
  isTenths,
} from "./rules.js";
import { checkInstanceType } from "./gpu-instances.js";
import { COMPUTE_TYPE_NAMES, DEFAULT_COMPUTE_TYPE, describeComputeType } from "./compute-types.js";

// A command validates one parameter file once: zod's compiled (JIT) validators cost more to build than they save.
z.config({ jitless: true });

/** Documentation of one key, shown in the parameter reference. */
export interface ParamDoc {
  /** What the key means. */
  description: string;
  /** What is checked, in a few words. */
  rule?: string;
  /** Shown instead of the schema's own default (for defaults computed from other keys). */
  defaultText?: string;
}

/** The rollout strategies, as the parameter file and `update --strategy` name them. */
export const ROLLOUT_STRATEGIES = ["rolling", "blue-green", "canary", "linear"] as const;

/** Documentation attached to the schema nodes below. */
export const paramDocs = z.registry<ParamDoc>();

/** Log retention values CloudWatch Logs accepts. */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

function documented<T extends z.ZodType>(schema: T, doc: ParamDoc): T {
  paramDocs.add(schema, doc);
  return schema;
}

/** Text checked by one of the rules in `rules.ts`. */
function ruled(rule: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const message = rule(value);
    if (message !== undefined) ctx.addIssue({ code: "custom", message });
  });
}

/** A number within bounds; whole numbers only unless `fractions` is set, whole tenths with `tenths`. */
function numberIn(min: number, max: number, options: { fractions?: boolean; tenths?: boolean } = {}) {
  return z.number().superRefine((value, ctx) => {
    const allowed = options.tenths === true ? isTenths(value) : options.fractions === true || Number.isInteger(value);
    if (!allowed || value < min || value > max) {
      const kind = options.tenths === true ? "a multiple of 0.1" : options.fractions === true ? "a number" : "a whole number";
      ctx.addIssue({ code: "custom", message: `must be ${kind} from ${min} to ${max}, got ${value}` });
    }
  });
}

/** An IPv4 block whose prefix length must lie in a range. */
function cidrIn(what: string, minPrefix: number, maxPrefix: number) {
  return ruled((value) => {
    const cidr = parseCidr(value);
    if ("error" in cidr) return cidr.error;
    if (cidr.prefix < minPrefix || cidr.prefix > maxPrefix) {
      return `"${value}" has prefix /${cidr.prefix}; a ${what} must be /${minPrefix} to /${maxPrefix}`;
    }
    return undefined;
  });
}

/** A value turned into a number by a parser that reports its own messages. */
function parsedNumber(parse: (value: unknown) => number | { error: string }) {
  return z.unknown().transform((value, ctx) => {
    const result = parse(value);
    if (typeof result === "number") return result;
    ctx.issues.push({ code: "custom", message: result.error, input: value });
    return z.NEVER;
  });
}

const subnet = cidrIn("subnet", 16, 28);
const zone = ruled(checkAvailabilityZone);

/** The network of a base endpoint. */
export const networkSchema = z
  .object({
    vpcCidr: documented(cidrIn("VPC", 16, 28), {
      description: "Address range of the VPC. Fixed once the base is deployed (the VPC and the target groups in it would have to be replaced).",
      rule: "IPv4 CIDR, /16 to /28, host bits zero",
    }),
    publicSubnets: documented(z.tuple([subnet, subnet]), {
      description: "Two public subnets (load balancer, NAT gateway), one per AZ.",
      rule: "2 CIDRs, /16 to /28, inside `vpcCidr`, no overlaps",
    }),
    privateSubnets: documented(z.tuple([subnet, subnet]), {
      description: "Two private subnets (tasks, EFS mount targets), one per AZ.",
      rule: "2 CIDRs, /16 to /28, inside `vpcCidr`, no overlaps",
    }),
    availabilityZones: documented(z.tuple([zone, zone]), {
      description: "The two availability zones, in subnet order.",
      rule: "2 different AZs of one region (region + one letter), in `--region` when given",
    }),
    allowedCidr: documented(cidrIn("allowed range", 0, 32).default("0.0.0.0/0"), {
      description: "Who may reach the load balancer on ports 80 and 443.",
      rule: "IPv4 CIDR, host bits zero",
    }),
  })
  .strict();

/** How requests reach the container. */
export const apiSchema = z
  .object({
    hostHeader: documented(
      ruled(checkHostName).transform((host) => host.toLowerCase()),
      {
        description: "Host name routed to this endpoint; also the certificate's name.",
        rule: "DNS name, 2+ labels of 1-63 characters, at most 128 in all, no wildcard; at most 64 when mlops requests the certificate",
      },
    ),
    port: documented(numberIn(1, 65535).default(8000), {
      description: "Port the container listens on. Fixed once the endpoint is deployed (the target group's port cannot change in place).",
      rule: "1-65535",
    }),
    healthCheckPath: documented(ruled(checkUrlPath).default("/ping"), {
      description: "Path the load balancer checks.",
      rule: "starts with `/`",
    }),
    certificateArn: documented(ruled(checkCertificateArn).optional(), {
      description: "ACM certificate for HTTPS. Absent: mlops uses an issued certificate covering the host, or requests one.",
      rule: "ACM certificate ARN in the endpoint's region",
    }),
    listenerPriority: documented(numberIn(1, 50000).optional(), {
      description: "Listener rule priority. Absent: a free one is chosen (a stable slot derived from the endpoint's name, or the next free one after it).",
      rule: "1-50000",
    }),
    idleTimeoutSeconds: documented(numberIn(1, 4000).optional(), {
      description:
        "Base endpoints only: the load balancer's idle timeout, for every endpoint it serves (and the base's later load balancers). A request whose response sends nothing for this long (a long generation) gets a 504. Longer lets slow requests finish, but keeps idle connections and abandoned requests open longer, holding a task's worker meanwhile; the plan warns when an endpoint's `alarms.p95ResponseSeconds` exceeds it. Connection idle timeout: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout",
      rule: "1-4000; not in an added endpoint",
      defaultText: "`60`",
    }),
  })
  .strict();

/** What `container.cpu` means, for both compute types' schemas. */
const CPU_DOC: ParamDoc = {
  description:
    'Task CPU units (1024 = 1 vCPU; `"1 vCPU"` also accepted). On Fargate, one of its sizes; a `gpu` or `neuron` endpoint runs on EC2 instances, where any size within the instance is valid (no Fargate sizes or CPU/memory pairs). RegisterTaskDefinition `cpu`: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html',
  rule: "Fargate: 256, 512, 1024, 2048, 4096, 8192 or 16384; `gpu`/`neuron`: a whole number from 128 to 196608, at most the vCPUs × 1024 of every `compute.instanceTypes` entry and of `compute.instanceRequirements.vcpus.max`",
};

/** The container and its task size (Fargate's; see `instanceContainerSchema` for GPU and Neuron endpoints). */
export const containerSchema = z
  .object({
    name: documented(ruled(checkContainerName).optional(), {
      description: "Container name in the task definition.",
      rule: "letters, digits, `-`, `_`; at most 255",
      defaultText: "`project`",
    }),
    cpu: documented(parsedNumber(parseCpu).default(1024), CPU_DOC),
    memory: documented(parsedNumber(parseMemory).default(2048), {
      description:
        'Task memory: a number is MiB (`2048`); text may carry a unit: `"2GB"`, `"2 GB"`, `"0.5GB"`, `"512MB"`, `"2GiB"` (GB and GiB both mean 1024 MiB, as in Fargate). On Fargate it must pair with `cpu`; a `gpu` or `neuron` endpoint may use any amount its instances hold beside the ECS agent and operating system.',
      rule: "Fargate: 256: 512/1024/2048; 512: 1-4 GB; 1024: 2-8 GB; 2048: 4-16 GB; 4096: 8-30 GB (1 GB steps); 8192: 16-60 GB (4 GB steps); 16384: 32-120 GB (8 GB steps); `gpu`/`neuron`: whole MiB, less than the memory of every `compute.instanceTypes` entry and of `compute.instanceRequirements.memoryGiB.max`",
      defaultText: "`2048` (2 GB)",
    }),
    tag: documented(ruled(checkDockerTag).optional(), {
      description: "Image tag to deploy. Absent: from the pipeline or `--tag`.",
      rule: "Docker tag: letters, digits, `_ . -`, at most 128, not starting with `.` or `-`; not `latest` (tags are immutable)",
    }),
  })
  .strict();

/** The container of a GPU or Neuron endpoint: its task runs on EC2 instances, so its CPU is any size within them. */
export const instanceContainerSchema = containerSchema.extend({ cpu: documented(parsedNumber(parseInstanceCpu).default(1024), CPU_DOC) });

/** Task counts and target-tracking targets. */
export const scalingSchema = z
  .object({
    desired: documented(numberIn(0, 5000).default(1), {
      description: "Tasks to run. Set at the first rollout and whenever this value changes; other rollouts keep the count autoscaling chose.",
      rule: "min <= desired <= max",
    }),
    min: documented(numberIn(0, 5000).default(1), { description: "Fewest tasks autoscaling keeps.", rule: "0-5000, <= max" }),
    max: documented(numberIn(1, 5000).default(4), { description: "Most tasks autoscaling starts.", rule: "1-5000" }),
    cpuTarget: documented(numberIn(1, 100, { fractions: true }).default(60), {
      description: "Average CPU % autoscaling aims for.",
      rule: "1-100",
    }),
    memoryTarget: documented(numberIn(1, 100, { fractions: true }).default(80), {
      description: "Average memory % autoscaling aims for.",
      rule: "1-100",
    }),
  })
  .strict();

/** Rollout speed and safety. */
export const rolloutSchema = z
  .object({
    healthCheckIntervalSeconds: documented(numberIn(5, 300).default(10), {
      description: "Seconds between load balancer health checks.",
      rule: "5-300",
    }),
    healthCheckTimeoutSeconds: documented(numberIn(2, 120).default(5), {
      description: "Seconds before a health check counts as failed.",
      rule: "2-120, less than the interval",
    }),
    healthyThresholdCount: documented(numberIn(2, 10).default(2), {
      description: "Passed checks before a task receives traffic.",
      rule: "2-10",
    }),
    unhealthyThresholdCount: documented(numberIn(2, 10).default(3), {
      description: "Failed checks before a task is replaced.",
      rule: "2-10",
    }),
    deregistrationDelaySeconds: documented(numberIn(0, 3600).default(15), {
      description: "Seconds an old task drains in-flight requests.",
      rule: "0-3600",
    }),
    healthCheckGracePeriodSeconds: documented(numberIn(0, 2147483647).default(60), {
      description:
        "Seconds ECS ignores failed health checks after start: it must cover loading the model. A large model loading onto a GPU takes minutes, so a `gpu` or `neuron` endpoint's default is 600.",
      rule: "0-2147483647",
      defaultText: "`60`; `600` for a `gpu` or `neuron` endpoint",
    }),
    minimumHealthyPercent: documented(numberIn(0, 100).default(100), {
      description:
        "Share of desired tasks kept serving during a rolling update (ECS rounds it up). A `gpu` or `neuron` endpoint with the rolling strategy that sets neither this nor `maximumPercent` replaces one task at a time in place: every task above the desired count would need another GPU instance, so with `scaling.min` N >= 2 (the fewest tasks a rollout may find) the default is floor((N-1)/N x 100), which keeps at least one task serving at any count autoscaling chose; with N = 1 no in-place rollout keeps a task serving, so it stays 100 and the plan says a rollout starts an extra instance (ECS service deployment configuration, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html).",
      rule: "0-100",
      defaultText: "`100`; for a rolling `gpu` or `neuron` endpoint with `scaling.min` N >= 2, floor((N-1)/N x 100)",
    }),
    maximumPercent: documented(numberIn(100, 200).default(200), {
      description:
        "Upper limit of running tasks during a rolling update, in % of desired (ECS rounds it down). Above 100, a `gpu` or `neuron` endpoint's rollout starts tasks beside the running ones, on extra instances; see `minimumHealthyPercent` for its default.",
      rule: "100-200, above `minimumHealthyPercent`",
      defaultText: "`200`; `100` for a rolling `gpu` or `neuron` endpoint with `scaling.min` >= 2",
    }),
    circuitBreakerRollback: documented(z.boolean().default(true), {
      description: "Stop a failing rollout and roll back to the last working version.",
      rule: "true or false",
    }),
    strategy: documented(z.enum(ROLLOUT_STRATEGIES).default("rolling"), {
      description:
        "How a new image takes over: `rolling` replaces tasks in waves; `blue-green` starts the new revision beside the old one and shifts all traffic at once; `canary` shifts `canaryPercent` first, then the rest; `linear` shifts `linearStepPercent` at a time. `update --strategy` overrides it for one rollout.",
      rule: "`rolling`, `blue-green`, `canary` or `linear`",
    }),
    bakeMinutes: documented(numberIn(0, 1440).default(5), {
      description:
        "Minutes both revisions keep running after all traffic has shifted (`blue-green`, `canary`, `linear`): an alarm in this time rolls back at once.",
      rule: "0-1440; with `canaryBakeMinutes` or the linear steps at most 1980 (33 hours)",
    }),
    // "Valid values are multiples of 0.1" (ECS API reference, CanaryConfiguration and LinearConfiguration).
    canaryPercent: documented(numberIn(0.1, 100, { tenths: true }).default(10), {
      description: "Share of traffic (%) the new revision gets first (`canary`).",
      rule: "0.1-100, in steps of 0.1",
    }),
    canaryBakeMinutes: documented(numberIn(0, 1440).default(5), {
      description: "Minutes the canary share runs before the rest of the traffic shifts (`canary`).",
      rule: "0-1440; + `bakeMinutes` at most 1980 (33 hours)",
    }),
    linearStepPercent: documented(numberIn(3, 100, { tenths: true }).default(25), {
      description: "Share of traffic (%) shifted at each step (`linear`).",
      rule: "3-100, in steps of 0.1",
    }),
    linearStepBakeMinutes: documented(numberIn(0, 1440).default(2), {
      description: "Minutes between two steps (`linear`).",
      rule: "0-1440; `bakeMinutes` + this × steps at most 1980 (33 hours)",
    }),
  })
  .strict();

/** Thresholds of the CloudWatch alarms that judge every rollout. */
export const alarmsSchema = z
  .object({
    target5xxPercent: documented(numberIn(0.1, 100, { fractions: true }).default(5), {
      description: "Alarm when more than this share (%) of requests get a 5xx answer from the endpoint's tasks.",
      rule: "0.1-100",
    }),
    p95ResponseSeconds: documented(numberIn(0.01, 3600, { fractions: true }).default(5), {
      description: "Alarm when the 95th percentile of the tasks' response time exceeds this many seconds.",
      rule: "0.01-3600",
    }),
    unhealthyHosts: documented(numberIn(1, 1000).default(1), {
      description: "Alarm when at least this many tasks fail their load balancer health checks.",
      rule: "1-1000",
    }),
    minutes: documented(numberIn(1, 60).default(2), {
      description: "Consecutive one-minute periods over a threshold before an alarm fires (and rolls a rollout back).",
      rule: "1-60",
    }),
  })
  .strict();

/** Where the two EFS volumes are mounted. */
export const storageSchema = z
  .object({
    assetsMountPath: documented(ruled(checkMountPath).default("/app/assets"), {
      description: "Mount path of the assets volume.",
      rule: "starts with `/`",
    }),
    weightsMountPath: documented(ruled(checkMountPath).default("/app/weights"), {
      description: "Mount path of the weights volume.",
      rule: "starts with `/`, differs from `assetsMountPath`",
    }),
    weightsWritable: documented(z.boolean().default(false), {
      description:
        "Mount the weights volume read-write in the API container. Off: read-only, and only `mlops weights push` (its sync task) writes the weights.",
    }),
  })
  .strict();

/** The endpoint's ECR repository. */
export const imagesSchema = z
  .object({
    keep: documented(numberIn(2, 10000).default(30), {
      description:
        "Tagged images the ECR repository keeps (the newest); older ones expire, and untagged ones after a day. At least 2, so that a rollback finds the previous image.",
      rule: "2-10000",
    }),
  })
  .strict();

/** Logs and metrics that AWS's best-practice checks ask for, each on by default. */
export const monitoringSchema = z
  .object({
    vpcFlowLogs: documented(z.boolean().default(true), {
      description: "VPC flow logs (every accepted and rejected connection) in CloudWatch Logs. Base endpoints only.",
      rule: "true or false; not in an added endpoint",
    }),
    loadBalancerAccessLogs: documented(z.boolean().default(true), {
      description: "Access logs of the load balancer, and server access logs of the weights upload bucket, in an encrypted S3 bucket. Base endpoints only.",
      rule: "true or false; not in an added endpoint",
    }),
    containerInsights: documented(z.boolean().default(true), {
      description: "CloudWatch Container Insights: CPU, memory and task metrics of the cluster. Base endpoints only.",
      rule: "true or false; not in an added endpoint",
    }),
    artifactAccessLogs: documented(z.boolean().default(true), {
      description: "S3 server access logs of the pipeline's artifact bucket, in a logs bucket.",
      rule: "true or false",
    }),
  })
  .strict();

/** CloudWatch Logs settings. */
export const logsSchema = z
  .object({
    retentionDays: documented(
      z
        .number()
        .superRefine((value, ctx) => {
          if (!(RETENTION_DAYS as readonly number[]).includes(value)) {
            ctx.addIssue({ code: "custom", message: `${value} is not a CloudWatch retention period; use one of ${RETENTION_DAYS.join(", ")}` });
          }
        })
        .default(30),
      {
        description:
          "Days the endpoint's logs are kept: container logs, build logs, ECS Exec sessions, VPC flow logs, and the objects of the access-log buckets.",
        rule: "a CloudWatch value: 1, 3, 5, 7, 14, 30, 60, 90, … 3653",
      },
    ),
  })
  .strict();

/** The CodePipeline that builds images. */
export const pipelineSchema = z
  .object({
    connectionArn: documented(ruled(checkConnectionArn), {
      description: "CodeStar/CodeConnections connection to GitHub.",
      rule: "`arn:aws:codestar-connections:…:connection/…` or `arn:aws:codeconnections:…`",
    }),
    repository: documented(ruled(checkRepository), { description: "GitHub repository.", rule: "`owner/name`" }),
    branch: documented(ruled(checkBranch).default("main"), {
      description: "Branch whose pushes build and deploy.",
      rule: "valid git branch name",
    }),
    dockerContext: documented(ruled(checkRepoPath).default("."), {
      description: "Docker build context inside the repository.",
      rule: "relative path, no `..`",
    }),
    dockerfile: documented(ruled(checkRepoPath).default("Dockerfile"), {
      description: "Dockerfile inside the repository.",
      rule: "relative path, no `..`",
    }),
    baseImageRegistries: documented(
      z
        .array(
          z.union([
            ruled(checkBaseImageRegistry),
            z.object({ registry: ruled(checkBaseImageRegistry), pullThroughCache: z.boolean().default(false) }).strict(),
          ]),
        )
        .default([]),
      {
        description:
          "Registries the Dockerfile's base images come from, other than the endpoint's own repository: the build logs in to each before `docker build`, and the build role may pull from exactly these repositories (`ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer`). An ECR registry is `ACCOUNT.dkr.ecr.REGION.amazonaws.com`, optionally with `/REPOSITORY` or a `/PREFIX` that limits it (AWS Deep Learning Containers: `763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference`). `{registry: ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX, pullThroughCache: true}` is a pull-through cache rule's prefix in your registry: the role may also import upstream images and create their repositories there. `public.ecr.aws` (ECR Public, also Docker Hub's official images as `public.ecr.aws/docker/library/NAME`) needs no entry to pull; listed, the build logs in for a higher pull rate. Free; only the image transfer is billed as ECR's.",
        rule: "ECR registry host (with an optional repository prefix) or `public.ecr.aws`",
        defaultText: "none",
      },
    ),
    dockerHubSecret: documented(ruled(checkSecretReference).optional(), {
      description:
        'Secrets Manager secret (ARN or name) holding a Docker Hub user and access token as JSON `{"username": "...", "token": "..."}`. CodeBuild reads it into the build as a `SECRETS_MANAGER` variable (never plain text), the build role may read this secret only, and the build logs in to Docker Hub before it pulls: anonymous pulls are rate-limited per IP address, which CodeBuild\'s hosts share. A secret costs $0.40 a month. Without one, pull Docker Hub\'s official images from the mirror `public.ecr.aws/docker/library/NAME`, which needs no credential.',
      rule: "Secrets Manager ARN or secret name",
      defaultText: "none (anonymous Docker Hub pulls)",
    }),
    computeType: documented(z.enum(COMPUTE_TYPE_NAMES).default(DEFAULT_COMPUTE_TYPE), {
      description: `CodeBuild compute type of the build (Linux container; billed per build minute). SMALL: ${describeComputeType("BUILD_GENERAL1_SMALL")}; MEDIUM: ${describeComputeType("BUILD_GENERAL1_MEDIUM")}; LARGE: ${describeComputeType("BUILD_GENERAL1_LARGE")}; XLARGE: ${describeComputeType("BUILD_GENERAL1_XLARGE")}; 2XLARGE: ${describeComputeType("BUILD_GENERAL1_2XLARGE")} (https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-compute-types.html, https://aws.amazon.com/codebuild/pricing/). The default MEDIUM builds a PyTorch/CUDA image: pip unpacking the torch and CUDA wheels next to the Docker daemon outgrows SMALL's 4 GiB (the build is killed, exit 137), and a CUDA base image with its unpacked layers and the build cache fits in 128 GB. A 20-minute build costs $0.20 on MEDIUM, $0.40 on LARGE.`,
      rule: COMPUTE_TYPE_NAMES.map((n) => `\`${n}\``).join(", "),
    }),
    expectedBuildMinutes: documented(numberIn(1, 480).optional(), {
      description:
        "Minutes the image's first `docker build` takes (no layer cache), for the plan's estimate of the whole create on AWS. Only the estimate uses it.",
      rule: "1-480",
      defaultText: "8 (a CUDA base image and PyTorch wheels installed on BUILD_GENERAL1_MEDIUM)",
    }),
    buildArgs: documented(
      z
        .record(z.string(), ruled(checkBuildArgValue))
        .superRefine((args, ctx) => {
          for (const name of Object.keys(args)) {
            const message = checkBuildArgName(name);
            if (message !== undefined) ctx.addIssue({ code: "custom", message, path: [name] });
          }
        })
        .default({}),
      {
        description:
          "Build arguments, each passed as `docker build --build-arg NAME=VALUE`. They are plain text in the project and in the image's history: never put a secret here.",
        rule: "map of NAME (letters, digits, `_`) to a one-line value",
        defaultText: "none",
      },
    ),
  })
  .strict();

/** The compute types of an endpoint: Fargate, or ECS Managed Instances with NVIDIA GPUs or AWS Neuron devices. */
export const COMPUTE_TYPES = ["fargate", "gpu", "neuron"] as const;

/** Accelerator manufacturers that ECS Managed Instances' attribute-based selection accepts for GPU and Neuron instances. */
export const ACCELERATOR_MANUFACTURERS = ["nvidia", "amd", "amazon-web-services"] as const;

/** Accelerator names of EC2 attribute-based instance selection (AcceleratorNames) for GPU and Neuron instances. */
export const ACCELERATOR_NAMES = ["a10g", "a100", "h100", "l4", "l40s", "t4", "t4g", "v100", "inferentia"] as const;

/** A `{min, max}` range of whole numbers of `unit`, either end optional. */
function rangeOf(max: number, unit: string) {
  return z
    .object({
      min: documented(numberIn(0, max).optional(), { description: `Fewest ${unit}.`, rule: `0-${max}`, defaultText: "no lower bound" }),
      max: documented(numberIn(0, max).optional(), { description: `Most ${unit}.`, rule: `0-${max}, at least \`min\``, defaultText: "no upper bound" }),
    })
    .strict();
}

/** Attribute-based instance selection, in the terms ECS Managed Instances accepts (InstanceRequirementsRequest). */
export const instanceRequirementsSchema = z
  .object({
    vcpus: documented(rangeOf(1024, "vCPUs").optional(), {
      description: "vCPUs per instance (`{min, max}`).",
      rule: "whole numbers, min <= max",
      defaultText: "at least the task's",
    }),
    memoryGiB: documented(rangeOf(24576, "GiB").optional(), {
      description: "Memory per instance in GiB (`{min, max}`).",
      rule: "whole numbers, min <= max",
      defaultText: "at least the task's",
    }),
    acceleratorCount: documented(rangeOf(64, "accelerators").optional(), {
      description: "Accelerators per instance (`{min, max}`).",
      rule: "whole numbers; `max` at least `compute.gpus`",
      defaultText: "at least `compute.gpus`",
    }),
    acceleratorManufacturers: documented(z.array(z.enum(ACCELERATOR_MANUFACTURERS)).optional(), {
      description: "Accelerator makers allowed.",
      rule: ACCELERATOR_MANUFACTURERS.map((m) => `\`${m}\``).join(", "),
      defaultText: "`nvidia` (gpu) or `amazon-web-services` (neuron)",
    }),
    acceleratorNames: documented(z.array(z.enum(ACCELERATOR_NAMES)).optional(), {
      description: "Accelerator models allowed (e.g. `[l4, a10g]`).",
      rule: ACCELERATOR_NAMES.map((m) => `\`${m}\``).join(", "),
      defaultText: "any",
    }),
  })
  .strict();

/** Where the endpoint's tasks run. */
export const computeSchema = z
  .object({
    type: documented(z.enum(COMPUTE_TYPES).default("fargate"), {
      description:
        "`fargate`: serverless, no GPU. `gpu`: Amazon ECS Managed Instances with NVIDIA GPUs (ECS picks, launches, patches and retires the EC2 instances); `neuron`: the same with AWS Inferentia/Trainium devices. A `gpu` or `neuron` endpoint brings its own capacity provider on the base's cluster.",
      rule: "`fargate`, `gpu` or `neuron`",
    }),
    gpus: documented(numberIn(1, 16).default(1), {
      description:
        "GPUs (or Neuron devices) each task gets. A Neuron task gets all devices of its instance, so with `neuron` this is the devices of the instance types named.",
      rule: "1-16, at most the accelerators of every instance type named",
    }),
    instanceTypes: documented(z.array(ruled(checkInstanceType)).min(1).optional(), {
      description: "EC2 instance types ECS may launch (e.g. `[g6.xlarge, g5.xlarge]`); the first that has capacity is used.",
      rule: "types of mlops's table of GPU/Neuron instance types (g4dn, g5, g6, p4d, inf2), each with at least `gpus` accelerators and the task's vCPUs and memory",
      defaultText: "any type matching `instanceRequirements`",
    }),
    instanceRequirements: documented(instanceRequirementsSchema.optional(), {
      description: "Attribute-based instance selection instead of (or narrowing) `instanceTypes`: vCPU, memory and accelerator ranges, makers and models.",
      defaultText: "accelerators >= `gpus` of the type's maker, vCPUs and memory >= the task's",
    }),
    spot: documented(z.boolean().default(false), {
      description:
        "Run on Spot instances (up to 90% cheaper, but EC2 may reclaim an instance with two minutes' notice; its tasks are then replaced elsewhere).",
      rule: "true or false",
    }),
    rootVolumeGiB: documented(numberIn(30, 16384).default(100), {
      description:
        "Size of each instance's root volume in GiB: it holds the images, so a CUDA image of 10-20 GB needs room for the old and the new one during a rollout.",
      rule: "30-16384",
    }),
  })
  .strict();

/** What the container section is, for both compute types' schemas. */
const CONTAINER_DOC = "Container and task size (Fargate, or the EC2 instances of a `gpu` or `neuron` endpoint).";

/** One endpoint in our format (YAML or JSON). */
export const endpointFileSchema = z
  .object({
    project: documented(ruled(checkName), {
      description: "Endpoint name; `project-environment` names its stack, load balancer, target group, ECR repository, cluster and service.",
      rule: "lowercase letters, digits, single hyphens; starts with a letter; `project-environment` at most 32 characters, not starting with `internal-`",
    }),
    environment: documented(ruled(checkName).default("prod"), {
      description: "Environment name, the second half of every resource name.",
      rule: "as `project`",
    }),
    base: documented(ruled(checkName).optional(), {
      description: "Added endpoints only: the base endpoint's `project`. Its presence makes this an added endpoint.",
      rule: "as `project`, not this endpoint's own `project`",
    }),
    network: documented(networkSchema.optional(), {
      description: "The VPC a base endpoint creates.",
      rule: "required for a base endpoint, not allowed for an added one",
      defaultText: "base: **required**; added: not allowed",
    }),
    api: documented(apiSchema, { description: "How requests reach the container.", rule: "required" }),
    container: documented(containerSchema.prefault({}), { description: CONTAINER_DOC }),
    compute: documented(computeSchema.prefault({}), {
      description: "Where the tasks run: Fargate (default), or EC2 instances with GPUs or Neuron devices that ECS Managed Instances runs.",
    }),
    scaling: documented(scalingSchema.prefault({}), { description: "Task counts and autoscaling targets." }),
    rollout: documented(rolloutSchema.prefault({}), {
      description: "Rollout speed and safety; the defaults finish an update in a few minutes without dropping requests.",
    }),
    alarms: documented(alarmsSchema.prefault({}), {
      description: "CloudWatch alarms of the endpoint; one in ALARM during a rollout (or its bake time) rolls it back.",
    }),
    storage: documented(storageSchema.prefault({}), { description: "EFS volumes in the container: mount paths, and whether the API may write the weights." }),
    images: documented(imagesSchema.prefault({}), { description: "Images in the endpoint's ECR repository." }),
    logs: documented(logsSchema.prefault({}), { description: "Log retention." }),
    monitoring: documented(monitoringSchema.prefault({}), {
      description:
        'Logs and metrics that AWS\'s best-practice checks ask for, each on by default; what each costs: "What is logged, what it costs, how to turn it off" above.',
    }),
    pipeline: documented(pipelineSchema.optional(), {
      description: "CodePipeline building images on push. Absent: no pipeline (images built elsewhere).",
    }),
  })
  .strict();

/**
 * One endpoint whose `compute.type` is `gpu` or `neuron`: as `endpointFileSchema`, but its task runs on EC2
 * instances (ECS Managed Instances), where the Fargate CPU sizes do not apply.
 */
export const instanceEndpointFileSchema = endpointFileSchema.extend({
  container: documented(instanceContainerSchema.prefault({}), { description: CONTAINER_DOC }),
});

/** The schema that validates a file: `instanceEndpointFileSchema` when it asks for GPUs or Neuron devices, else `endpointFileSchema`. */
export function endpointFileSchemaFor(raw: unknown): typeof endpointFileSchema {
  const compute = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>).compute : undefined;
  const type = typeof compute === "object" && compute !== null ? (compute as Record<string, unknown>).type : undefined;
  return type === "gpu" || type === "neuron" ? instanceEndpointFileSchema : endpointFileSchema;
}

/** Our format after validation and defaults. */
export type EndpointFile = z.output<typeof endpointFileSchema>;

/** Removes the wrappers (default, optional, prefault) around a schema node. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodOptional || current instanceof z.ZodPrefault) {
      current = current.unwrap() as z.ZodType;
    } else {
      return current;
    }
  }
}

/** The object schema at a path of keys, or undefined when the path leads elsewhere. */
export function objectSchemaAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodObject | undefined {
  let current = unwrapSchema(root);
  for (const key of path) {
    if (!(current instanceof z.ZodObject)) return undefined;
    const next = (current.shape as Record<string, z.ZodType>)[String(key)];
    if (next === undefined) return undefined;
    current = unwrapSchema(next);
  }
  return current instanceof z.ZodObject ? current : undefined;
}

/** Every key path of the schema, sections included, in declaration order (e.g. `api`, `api.hostHeader`). */
export function schemaPaths(root: z.ZodType = endpointFileSchema, prefix = ""): { path: string; schema: z.ZodType }[] {
  const object = unwrapSchema(root);
  if (!(object instanceof z.ZodObject)) return [];
  const paths: { path: string; schema: z.ZodType }[] = [];
  for (const [key, child] of Object.entries<z.ZodType>(object.shape)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    paths.push({ path, schema: child });
    paths.push(...schemaPaths(child, path));
  }
  return paths;
}
