/**
 * `status`: every endpoint mlops manages in the account and region, read
 * from AWS (stack tags), with its image, tasks and target health.
 *
 * The cost grows gently with the number of endpoints: the stacks are read
 * once, the services 10 to a call (the most DescribeServices takes), and the
 * per-endpoint reads run concurrently. One endpoint that cannot be read does
 * not hide the others: its row carries its own problems.
 */
import { AwsError, CredentialsError, InterruptedError } from "../../errors.js";
import { pipelineName } from "../../render/names.js";
import { placeholderImageTag } from "../../render/render.js";
import type { DeployContext } from "../context.js";
import { imageExists } from "../steps/image.js";
import { listManagedStacks, stackParameters, type ManagedStack } from "../engine/discovery.js";
import { stackOutputs } from "../engine/stack.js";
import { targetHealthCounts } from "../steps/validate.js";

/** One endpoint's state. */
export interface EndpointStatus {
  endpoint: string;
  role: "base" | "added";
  stackName: string;
  stackStatus: string;
  imageTag?: string;
  desired?: number;
  running?: number;
  healthyTargets?: number;
  totalTargets?: number;
  url?: string;
  pipeline: boolean;
  /** What is wrong with this endpoint, one sentence each; empty when nothing is. */
  problems: string[];
}

/** DescribeServices accepts at most 10 services per call (ECS API reference, DescribeServices, `services`). */
export const SERVICES_PER_CALL = 10;
/**
 * Reads in flight at once per service: enough to hide latency (100 target groups' health in 5 round trips),
 * few enough not to be throttled, and a throttled read is retried with backoff (see retry.ts).
 */
const CONCURRENT_READS = 20;

/** Stack states that need someone's attention: a failed operation that left the stack so. */
const FAILED_STACK = /(_FAILED|^ROLLBACK_COMPLETE)$/;

/** What a row's problems are about, in the order they are listed whatever the order the reads finish in. */
const PARTS = ["stack", "service", "targets", "image", "pipeline"] as const;

interface Row {
  status: EndpointStatus;
  outputs: Record<string, string>;
  problems: Partial<Record<(typeof PARTS)[number], string>>;
}

/**
 * Reads the state of every managed endpoint, or of those `select` picks; a failed read becomes a problem
 * of its endpoint, not of the command. `managed`: the stacks, when the caller has read them already.
 */
export async function endpointStatuses(ctx: DeployContext, select?: (stack: ManagedStack) => boolean, managed?: ManagedStack[]): Promise<EndpointStatus[]> {
  const stacks = managed ?? (await listManagedStacks(ctx.aws.cloudFormation));
  const pipelines = new Set(stacks.filter((m) => m.role === "pipeline").map((m) => m.endpointId));
  const rows = stacks.flatMap((m) =>
    m.role === "pipeline" || (select && !select(m)) ? [] : [newRow(m as ManagedStack & { role: "base" | "added" }, pipelines.has(m.endpointId))],
  );

  // Each service's reads have their own bound: they do not share a throttle, so they run side by side.
  await Promise.all([
    runConcurrently(serviceReads(rows, ctx), CONCURRENT_READS),
    runConcurrently(rows.map((row) => () => readTargets(row, ctx)), CONCURRENT_READS),
    runConcurrently(rows.map((row) => () => readImage(row, ctx)), CONCURRENT_READS),
    runConcurrently(rows.filter((row) => row.status.pipeline).map((row) => () => readPipeline(row, ctx)), CONCURRENT_READS),
  ]);
  return rows.map((row) => ({ ...row.status, problems: PARTS.flatMap((part) => row.problems[part] ?? []) }));
}

/** The endpoints with at least one problem. */
export function unhealthy(statuses: EndpointStatus[]): EndpointStatus[] {
  return statuses.filter((s) => s.problems.length > 0);
}

function newRow(m: ManagedStack & { role: "base" | "added" }, pipeline: boolean): Row {
  const params = stackParameters(m.stack);
  const stackStatus = m.stack.StackStatus ?? "UNKNOWN";
  const problems: Row["problems"] = {};
  if (FAILED_STACK.test(stackStatus)) {
    const reason = m.stack.StackStatusReason ? `: ${m.stack.StackStatusReason}` : "";
    problems.stack = `stack ${m.stackName} is ${stackStatus}${reason}`;
  }
  return {
    problems,
    outputs: stackOutputs(m.stack),
    status: {
      endpoint: m.endpointId,
      role: m.role,
      stackName: m.stackName,
      stackStatus,
      imageTag: params.APITag,
      url: params.HostHeaderApi ? `https://${params.HostHeaderApi}` : undefined,
      pipeline,
      problems: [],
    },
  };
}

/** One DescribeServices per cluster and 10 services. */
function serviceReads(rows: Row[], ctx: DeployContext): (() => Promise<void>)[] {
  const byCluster = new Map<string, Row[]>();
  for (const row of rows) {
    const { ClusterName: cluster, ServiceName: service } = row.outputs;
    if (!cluster || !service) continue;
    byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), row]);
  }
  const reads: (() => Promise<void>)[] = [];
  for (const [cluster, members] of byCluster) {
    for (let i = 0; i < members.length; i += SERVICES_PER_CALL) {
      const batch = members.slice(i, i + SERVICES_PER_CALL);
      reads.push(async () => {
        try {
          const answer = await ctx.aws.ecs.describeServices({ cluster, services: batch.map((row) => row.outputs.ServiceName as string) });
          for (const row of batch) {
            const name = row.outputs.ServiceName as string;
            const service = answer.services?.find((s) => s.serviceName === name || s.serviceArn === name || s.serviceArn?.endsWith(`/${name}`));
            if (service && service.status !== "INACTIVE") {
              row.status.desired = service.desiredCount;
              row.status.running = service.runningCount;
            } else {
              const failure = answer.failures?.find((f) => f.arn === name || f.arn?.endsWith(`/${name}`));
              row.problems.service = `ECS service ${name} not found in cluster ${cluster}${failure?.reason ? ` (${failure.reason})` : ""}`;
            }
          }
        } catch (error) {
          for (const row of batch) row.problems.service = problemOf(error);
        }
      });
    }
  }
  return reads;
}

async function readTargets(row: Row, ctx: DeployContext): Promise<void> {
  const arn = row.outputs.TargetGroupArn;
  if (!arn) return;
  try {
    const health = await targetHealthCounts(ctx.aws.elb, [arn, row.outputs.AlternateTargetGroupArn]);
    row.status.totalTargets = health.total;
    row.status.healthyTargets = health.healthy;
  } catch (error) {
    row.problems.targets = `target group: ${problemOf(error)}`;
  }
}

async function readImage(row: Row, ctx: DeployContext): Promise<void> {
  const repositoryName = row.outputs.EcrRepositoryName;
  const imageTag = row.status.imageTag;
  if (!repositoryName || !imageTag || imageTag === placeholderImageTag) return;
  try {
    if (!(await imageExists(ctx.aws.ecr, repositoryName, imageTag))) {
      row.problems.image = `image ${imageTag} is not in ECR repository ${repositoryName}: new tasks cannot start`;
    }
  } catch (error) {
    row.problems.image = `image: ${problemOf(error)}`;
  }
}

async function readPipeline(row: Row, ctx: DeployContext): Promise<void> {
  const name = pipelineName(row.status.endpoint);
  try {
    await ctx.aws.codePipeline.getPipeline({ name });
  } catch (error) {
    if (error instanceof AwsError && error.code === "PipelineNotFoundException") row.problems.pipeline = `pipeline ${name} is gone: pushes build nothing; run create-endpoint or add-endpoint again to restore it`;
    else row.problems.pipeline = `pipeline: ${problemOf(error)}`;
  }
}

/** AWS's own message; the problems that concern the whole command (credentials, Ctrl-C) still end it. */
function problemOf(error: unknown): string {
  if (error instanceof CredentialsError || error instanceof InterruptedError) throw error;
  return error instanceof Error ? error.message : String(error);
}

/** Runs the tasks with at most `limit` in flight. */
async function runConcurrently(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await (tasks[next++] as () => Promise<void>)();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
