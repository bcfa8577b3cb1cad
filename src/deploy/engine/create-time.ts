/**
 * How long a whole create takes on AWS, by design: the infrastructure (certificate, base and endpoint
 * stacks), the pipeline's setup and first build, and the first rollout, each from AWS's documentation
 * or a published measurement (named in CREATE_SOURCES), combined along the critical path. The same
 * model expresses today's create, where the phases run one after another, and an overlapped one,
 * where the first build runs while the infrastructure is created (critical path: the longer of the
 * two, then the rollout). The emulator creates everything at once, so this is the only account of
 * real-AWS time. Pure: no AWS, no console.
 */
import type { EndpointConfig } from "../../params/model.js";
import { estimateRollout, formatDuration, rolloutSettingsOf, type RolloutAssumptions, type RolloutSettings } from "./rollout-time.js";

/**
 * The rollout model, behind one function so that the create model does not depend on where it
 * lives or how its settings are typed: the rollout's whole duration for the given assumptions.
 */
export function rolloutSecondsOf(settings: RolloutSettings, assumptions: RolloutAssumptions): number {
  // A first rollout has no old tasks to drain.
  return estimateRollout({ ...settings, deregistrationDelaySeconds: 0 }, assumptions).totalSeconds;
}

/** Where each figure of the model comes from: AWS's documentation, a published measurement, or a named assumption. */
export const CREATE_SOURCES = {
  natGateway: {
    seconds: 120,
    basis: "measurement",
    note: "a NAT gateway is `pending` until `available`; AWS gives no duration, published CloudFormation runs take 1-2 min (assumed 2 min)",
    source: "https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-working-with.html",
  },
  loadBalancer: {
    seconds: 180,
    basis: "measurement",
    note: "an Application Load Balancer is `provisioning` until `active`; AWS gives no duration, typically about 3 min",
    source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-state",
  },
  efsMountTargets: {
    seconds: 90,
    basis: "measurement",
    note: "a mount target is `creating` until `available` (one per subnet, created side by side); about 1.5 min",
    source: "https://docs.aws.amazon.com/efs/latest/ug/manage-fs-access.html",
  },
  networkBasics: {
    seconds: 40,
    basis: "assumption",
    note: "VPC, subnets, internet gateway, route tables, security groups: seconds each, partly in sequence (dependencies)",
    source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stack-resource-configuration-complete.html",
  },
  ecsClusterAndService: {
    seconds: 60,
    basis: "assumption",
    note: "the ECS cluster in seconds; the service (no tasks yet) waits for its listener rule and reaches steady state in about a minute",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html",
  },
  certificateValidation: {
    seconds: 180,
    basis: "assumption",
    note: "ACM validates once the CNAME record resolves; AWS bounds it only by the 72 h timeout; minutes with Route 53",
    source: "https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html",
  },
  endpointStack: {
    seconds: 60,
    basis: "assumption",
    note: "the endpoint stack without tasks: target group, listener rule, task definition, log group, ECR repository",
    source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stack-resource-configuration-complete.html",
  },
  pipelineSetup: {
    seconds: 45,
    basis: "assumption",
    note: "pipeline stack (roles, artifact bucket), CodeBuild project and CodePipeline: IAM and S3 resources, under a minute",
    source: "https://docs.aws.amazon.com/codepipeline/latest/userguide/welcome.html",
  },
  buildProvisioning: {
    seconds: 60,
    basis: "measurement",
    note: "CodeBuild's QUEUED, PROVISIONING and DOWNLOAD_SOURCE phases of an on-demand build: about a minute (reserved fleets avoid it)",
    source: "https://docs.aws.amazon.com/codebuild/latest/userguide/view-build-details.html#view-build-details-phases",
  },
  dockerBuild: {
    seconds: 8 * 60,
    basis: "assumption",
    note: "`pipeline.expectedBuildMinutes`, default 8: a first build without cache pulls a CUDA base image (~3 GB) and installs PyTorch wheels (~2.5 GB) on BUILD_GENERAL1_MEDIUM",
    source: "https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-compute-types.html",
  },
  pushPerGb: {
    seconds: 40,
    basis: "assumption",
    note: "docker push to ECR in the build's region, layers in parallel: about 25 MB/s per GB of compressed image",
    source: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push.html",
  },
  taskProvisioning: {
    seconds: 20,
    basis: "measurement",
    note: "Fargate capacity and the task's network interface before the pull starts",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-pull-behavior.html",
  },
  pullPerGb: {
    seconds: 90,
    basis: "measurement",
    note: "Fargate pulls and unpacks the whole image for every task (no cache); a 413 MB image started in 53-62 s through NAT (elasticscale.com, 2024): about 90 s per GB",
    source: "https://elasticscale.com/blog/reduce-aws-fargate-pull-times-with-soci",
  },
  efsReadMiBps: {
    seconds: 0,
    mibps: 500,
    basis: "documentation",
    note: "EFS elastic throughput: a single client reads at most about 500 MiB/s (higher per-client limits need amazon-efs-utils 2)",
    source: "https://docs.aws.amazon.com/efs/latest/ug/performance.html",
  },
  modelInit: {
    seconds: 25,
    basis: "assumption",
    note: "the framework's start and the model's deserialization after the weights are read",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_healthcheck",
  },
} as const;

/** Used when ECR does not know the image yet: a compressed PyTorch/CUDA serving image. */
export const ASSUMED_IMAGE_GB = 4;
/** Used when the weights' size is unknown. */
export const ASSUMED_WEIGHTS_GB = 2;
/** The default of `pipeline.expectedBuildMinutes` (see CREATE_SOURCES.dockerBuild). */
export const DEFAULT_BUILD_MINUTES = 8;

/** What the estimate of one create depends on. */
export interface CreateInputs {
  /** A base endpoint creates the network, load balancer and EFS; an added one only its own stack. */
  kind: "base" | "added";
  /** Whether the stack exists already (a re-run or an update of the image only). */
  stackExists: boolean;
  /** Whether a certificate must be requested and validated. */
  requestsCertificate: boolean;
  /** Whether a pipeline build must run before the rollout (false: `--tag` or the running image). */
  builds: boolean;
  /** `pipeline.expectedBuildMinutes`; absent: DEFAULT_BUILD_MINUTES. */
  buildMinutes?: number;
  /** Compressed image size from ECR; absent: ASSUMED_IMAGE_GB, named in the line. */
  imageGb?: number;
  weightsGb?: number;
  /** The rollout's settings, as the rendered stack sets them. */
  rollout: RolloutSettings;
}

/** One phase of the create. */
export interface CreatePhase {
  name: "infrastructure" | "build" | "rollout";
  seconds: number;
  /** What it is made of, for the benchmark's table. */
  parts: { what: string; seconds: number }[];
}

/** The whole create's estimate, in both orders. */
export interface CreateEstimate {
  infrastructure: CreatePhase;
  build?: CreatePhase;
  rollout: CreatePhase;
  /** Today: infrastructure, then the build, then the rollout. */
  sequentialSeconds: number;
  /** The build beside the infrastructure: max(infrastructure, build) + rollout. */
  overlappedSeconds: number;
  /** Whether the run this estimate is for builds beside the infrastructure (the plan's line and the end's comparison say which). */
  overlapped?: boolean;
  /** Whether the image size was assumed (not read from ECR). */
  imageAssumed: boolean;
  imageGb: number;
}

const GB = 1024;

/** The task start (provisioning and pull) and the model load the rollout model assumes, from the image and weights sizes. */
export function startAssumptions(imageGb: number, weightsGb: number): RolloutAssumptions {
  const s = CREATE_SOURCES;
  const taskStartSeconds = Math.round(s.taskProvisioning.seconds + imageGb * s.pullPerGb.seconds);
  const modelLoadSeconds = Math.round((weightsGb * GB) / s.efsReadMiBps.mibps + s.modelInit.seconds);
  return { taskStartSeconds, modelLoadSeconds };
}

/** Estimates a create from its inputs. */
export function estimateCreate(inputs: CreateInputs): CreateEstimate {
  const s = CREATE_SOURCES;
  const infraParts: { what: string; seconds: number }[] = [];
  if (inputs.requestsCertificate) infraParts.push({ what: "ACM DNS validation", seconds: s.certificateValidation.seconds });
  if (!inputs.stackExists && inputs.kind === "base") {
    // CloudFormation creates independent resources side by side: the slowest of NAT gateway, load balancer and mount targets.
    infraParts.push({ what: "VPC, subnets, gateways", seconds: s.networkBasics.seconds });
    infraParts.push({
      what: "slowest of NAT gateway, load balancer, EFS mount targets",
      seconds: Math.max(s.natGateway.seconds, s.loadBalancer.seconds, s.efsMountTargets.seconds),
    });
    infraParts.push({ what: "ECS cluster and service", seconds: s.ecsClusterAndService.seconds });
  } else if (!inputs.stackExists) {
    infraParts.push({ what: "endpoint stack", seconds: s.endpointStack.seconds });
  }
  const infrastructure: CreatePhase = { name: "infrastructure", seconds: sum(infraParts), parts: infraParts };

  const imageAssumed = inputs.imageGb === undefined;
  const imageGb = inputs.imageGb ?? ASSUMED_IMAGE_GB;
  let build: CreatePhase | undefined;
  if (inputs.builds) {
    const parts = [
      { what: "pipeline and build project", seconds: s.pipelineSetup.seconds },
      { what: "CodeBuild provisioning", seconds: s.buildProvisioning.seconds },
      { what: "docker build", seconds: (inputs.buildMinutes ?? DEFAULT_BUILD_MINUTES) * 60 },
      { what: `push ${gbText(imageGb)}`, seconds: Math.round(imageGb * s.pushPerGb.seconds) },
    ];
    build = { name: "build", seconds: sum(parts), parts };
  }

  const start = startAssumptions(imageGb, inputs.weightsGb ?? ASSUMED_WEIGHTS_GB);
  const rolloutSeconds = rolloutSecondsOf(inputs.rollout, start);
  const rollout: CreatePhase = {
    name: "rollout",
    seconds: rolloutSeconds,
    parts: [
      { what: `task start and pull of ${gbText(imageGb)}`, seconds: start.taskStartSeconds },
      { what: "model load from EFS", seconds: start.modelLoadSeconds },
      { what: "health checks (and bake, by strategy)", seconds: Math.max(0, rolloutSeconds - start.taskStartSeconds - start.modelLoadSeconds) },
    ],
  };
  const buildSeconds = build?.seconds ?? 0;
  return {
    infrastructure,
    ...(build ? { build } : {}),
    rollout,
    sequentialSeconds: infrastructure.seconds + buildSeconds + rolloutSeconds,
    overlappedSeconds: Math.max(infrastructure.seconds, buildSeconds) + rolloutSeconds,
    imageAssumed,
    imageGb,
  };
}

/** The plan's one line; `overlapped`: whether the run builds beside the infrastructure. */
export function createEstimateLine(e: CreateEstimate, overlapped = false): string {
  const total = overlapped ? e.overlappedSeconds : e.sequentialSeconds;
  const parts: string[] = [];
  if (e.infrastructure.seconds > 0) parts.push(`infrastructure ~${minutes(e.infrastructure.seconds)}`);
  if (e.build) parts.push(`${overlapped && parts.length ? "beside it" : parts.length ? "then" : ""} the first build ~${minutes(e.build.seconds)}`.trim());
  parts.push(`${parts.length ? "then " : ""}the rollout ~${minutes(e.rollout.seconds)}`);
  const pull = e.rollout.parts[0]!;
  const notes = [`the rollout pulls a ${gbText(e.imageGb)} image${e.imageAssumed ? " (assumed)" : ""} in ~${minutes(pull.seconds)} per task`];
  if (e.build) notes.push("pipeline.expectedBuildMinutes sets the build's minutes");
  return `About ${minutes(total)} on AWS: ${parts.join(", ")} (${notes.join("; ")}).`;
}

/** The phases the end of a run adds up (see deploy/phases.ts), grouped as the estimate's. */
const REAL_PHASES: Record<CreatePhase["name"], string[]> = {
  infrastructure: ["certificate", "stacks", "security groups", "dns"],
  build: ["repository", "pipeline", "waiting for the image"],
  rollout: ["rollout", "validation"],
};

/** How the run went: whether its infrastructure and first build ran side by side, and its wall time. */
export interface RunShape {
  overlapped: boolean;
  totalSeconds: number;
}

/**
 * The run's real seconds per phase beside the estimate, in one line. A run whose build went on
 * beside the infrastructure says so, and its total is the wall time (the phases beside each other
 * are not added up).
 */
export function createComparisonLine(e: CreateEstimate, real: Partial<Record<string, number>>, run?: RunShape): string {
  const phases = [e.infrastructure, ...(e.build ? [e.build] : []), e.rollout];
  const realOf = (p: CreatePhase) => REAL_PHASES[p.name].reduce((t, name) => t + (real[name] ?? 0), 0);
  if (!run?.overlapped || !e.build) {
    const cells = phases.map((p) => `${p.name} ${formatDuration(realOf(p))} (AWS ~${minutes(p.seconds)})`);
    const total = run ? `; total ${formatDuration(run.totalSeconds)} (AWS ~${minutes(e.sequentialSeconds)})` : "";
    return `This run beside the AWS estimate: ${cells.join(", ")}${total}.`;
  }
  const cell = (p: CreatePhase, label: string) => `${label} ${formatDuration(realOf(p))} (AWS ~${minutes(p.seconds)})`;
  return (
    `This run beside the AWS estimate: ${cell(e.infrastructure, "infrastructure")}, beside it ${cell(e.build, "the first build")}; ` +
    `then ${cell(e.rollout, "the rollout")}; total ${formatDuration(run.totalSeconds)} of wall time (AWS ~${minutes(e.overlappedSeconds)}).`
  );
}

function sum(parts: { seconds: number }[]): number {
  return parts.reduce((total, p) => total + p.seconds, 0);
}

function minutes(seconds: number): string {
  return `${Math.max(1, Math.round(seconds / 60))} min`;
}

function gbText(gb: number): string {
  return `${Number(gb.toFixed(1))} GB`;
}

/** The plan's whole-create estimate of a run that creates the endpoint's stack; nothing for a stack that exists. */
export function createEstimateOf(
  config: EndpointConfig,
  run: { stackExists: boolean; certificateAction: string; tagSource: "given" | "running" | "pipeline"; imageGb?: number; overlapped?: boolean },
): { create?: CreateEstimate } {
  if (run.stackExists) return {};
  const buildMinutes = config.pipeline?.expectedBuildMinutes;
  return {
    create: {
      ...estimateCreate({
        kind: config.kind,
        stackExists: false,
        requestsCertificate: run.certificateAction === "request" || run.certificateAction === "await",
        builds: run.tagSource === "pipeline",
        ...(buildMinutes !== undefined ? { buildMinutes } : {}),
        ...(run.imageGb !== undefined ? { imageGb: run.imageGb } : {}),
        rollout: rolloutSettingsOf(config),
      }),
      ...(run.overlapped ? { overlapped: true } : {}),
    },
  };
}
