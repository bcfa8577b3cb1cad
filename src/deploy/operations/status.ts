/**
 * `status`: every endpoint mlops manages in the account and region, read
 * from AWS (stack tags), with its image, tasks and target health.
 *
 * The cost grows gently with the number of endpoints: the stacks are read
 * once, page by page, and each page's endpoints are read while the next page
 * is on its way; the services 10 to a call (the most DescribeServices takes);
 * the pipelines in one listing; target health live while the target groups
 * are few, else from CloudWatch, all of them in one call. One endpoint that
 * cannot be read does not hide the others: its row carries its own problems.
 */
import { capacityDetail, capacityText, readPlacements } from "./capacity.js";
import type { DeployedCompute } from "../../render/contract.js";
import type { MetricDataQuery } from "../../aws/interfaces.js";
import { CredentialsError, InterruptedError } from "../../errors.js";
import { pipelineName } from "../../render/names.js";
import { placeholderImageTag } from "../../render/render.js";
import type { DeployContext } from "../context.js";
import { imageExists } from "../steps/image.js";
import { chunks, concurrencyLimit, type ConcurrencyLimit } from "../engine/concurrency.js";
import { listMlopsStacks, loadBalancerStackOf, readDeployed, type ManagedStack, type MlopsStacks } from "../engine/discovery.js";
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
  /**
   * Where the target counts come from: `live`, read from the load balancer now; `cloudwatch`, the latest minute the load
   * balancer reported to CloudWatch (see `targetHealthAt`). Absent when they were not read (see `targetHealthNotRead`).
   */
  targetHealthSource?: "live" | "cloudwatch";
  /** With `cloudwatch`: the start of the minute the counts are from (ISO 8601). */
  targetHealthAt?: string;
  /** Why the target counts were not read, when they were not (`mlops status NAME` reads them live). */
  targetHealthNotRead?: string;
  url?: string;
  pipeline: boolean;
  /** GPU and Neuron endpoints: their ECS Managed Instances capacity; absent for Fargate. */
  capacity?: string;
  /** What is wrong with this endpoint, one sentence each; empty when nothing is. */
  problems: string[];
}

/** DescribeServices accepts at most 10 services per call (ECS API reference, DescribeServices, `services`). */
export const SERVICES_PER_CALL = 10;
/**
 * Target groups whose health status reads live, one DescribeTargetHealth each (ELB has no batch call). ELB answers
 * Describe calls from one bucket per account and Region of 40 tokens refilled at 10 a second (Elastic Load Balancing
 * user guide, "Request throttling for the ELB API"): status spends at most half of it, leaving the rest to whatever else
 * reads the load balancers at the same time. Past it, CloudWatch reports every target group's counts in one call.
 */
export const LIVE_TARGET_HEALTH_READS = 20;
/** GetMetricData takes at most 500 queries per call (CloudWatch API reference, GetMetricData, `MetricDataQueries`). */
export const METRIC_QUERIES_PER_CALL = 500;
/** How far back CloudWatch's latest target counts are looked for: they are published every minute (ALB user guide, "CloudWatch metrics for your Application Load Balancer"). */
const METRICS_WINDOW_MS = 5 * 60_000;
/** Reads in flight at once: enough to hide latency, few enough not to be throttled (a throttled read is retried with backoff, see retry.ts). */
const CONCURRENT_READS = 20;

/** Stack states that need someone's attention: a failed operation that left the stack so. */
const FAILED_STACK = /(_FAILED|^ROLLBACK_COMPLETE)$/;

/** What a row's problems are about, in the order they are listed whatever the order the reads finish in. */
const PARTS = ["stack", "service", "targets", "image", "pipeline"] as const;

interface Row {
  status: EndpointStatus;
  outputs: Record<string, string>;
  /** The stack whose load balancer serves the endpoint (the base's, or a shard's). */
  loadBalancerStack: string;
  problems: Partial<Record<(typeof PARTS)[number], string>>;
  /** A GPU or Neuron endpoint's capacity as deployed; undefined for Fargate. */
  compute?: DeployedCompute;
}

/** A status read under way: the stacks as soon as every page is read, the endpoints' states when all their reads are done. */
export interface StatusReading {
  stacks: Promise<MlopsStacks>;
  statuses: Promise<EndpointStatus[]>;
}

/**
 * Starts reading the state of every managed endpoint, or of those `select` picks; a failed read becomes a problem of its
 * endpoint, not of the command. `known`: the stacks, when the caller has read them already.
 */
export function readEndpointStatuses(ctx: DeployContext, options: { select?: (stack: ManagedStack) => boolean; known?: MlopsStacks } = {}): StatusReading {
  const rows: Row[] = [];
  const reads: Promise<void>[] = [];
  const limited = concurrencyLimit(CONCURRENT_READS);
  const start = (read: Promise<void>) => {
    // Awaited once every page is in; until then a failure must not count as unhandled.
    read.catch(() => undefined);
    reads.push(read);
  };
  const onPage = (page: MlopsStacks) => {
    const fresh = page.managed.flatMap((m) =>
      m.role === "pipeline" || (options.select && !options.select(m)) ? [] : [newRow(m as ManagedStack & { role: "base" | "added" })],
    );
    rows.push(...fresh);
    for (const read of serviceReads(fresh, ctx)) start(limited(read));
    for (const row of fresh) start(limited(() => readImage(row, ctx)));
    for (const row of fresh) if (row.compute) start(limited(() => readCapacity(row, ctx)));
  };
  const stacks = options.known ? Promise.resolve(options.known).then((known) => (onPage(known), known)) : listMlopsStacks(ctx.aws.cloudFormation, onPage);
  const statuses = stacks.then(async (all) => {
    const pipelines = new Set(all.managed.filter((m) => m.role === "pipeline").map((m) => m.endpointId));
    for (const row of rows) row.status.pipeline = pipelines.has(row.status.endpoint);
    await Promise.all([
      ...reads,
      readPipelines(
        rows.filter((row) => row.status.pipeline),
        ctx,
      ),
      readTargetHealth(rows, all, ctx, limited),
    ]);
    return rows
      .sort((a, b) => a.status.stackName.localeCompare(b.status.stackName))
      .map((row) => ({ ...row.status, problems: PARTS.flatMap((part) => row.problems[part] ?? []) }));
  });
  return { stacks, statuses };
}

/** Reads the state of every managed endpoint, or of those `select` picks (see `readEndpointStatuses`). */
export async function endpointStatuses(ctx: DeployContext, select?: (stack: ManagedStack) => boolean, known?: MlopsStacks): Promise<EndpointStatus[]> {
  return readEndpointStatuses(ctx, { select, known }).statuses;
}

/** The endpoints with at least one problem. */
export function unhealthy(statuses: EndpointStatus[]): EndpointStatus[] {
  return statuses.filter((s) => s.problems.length > 0);
}

function newRow(m: ManagedStack & { role: "base" | "added" }): Row {
  const deployed = readDeployed(m.stack);
  const stackStatus = m.stack.StackStatus ?? "UNKNOWN";
  const problems: Row["problems"] = {};
  if (FAILED_STACK.test(stackStatus)) {
    const reason = m.stack.StackStatusReason ? `: ${m.stack.StackStatusReason}` : "";
    problems.stack = `stack ${m.stackName} is ${stackStatus}${reason}`;
  }
  return {
    problems,
    ...(deployed.compute ? { compute: deployed.compute } : {}),
    outputs: stackOutputs(m.stack),
    loadBalancerStack: loadBalancerStackOf(m),
    status: {
      endpoint: m.endpointId,
      role: m.role,
      stackName: m.stackName,
      stackStatus,
      imageTag: deployed.imageTag,
      url: deployed.host ? `https://${deployed.host}` : undefined,
      pipeline: false,
      ...(deployed.compute ? { capacity: capacityText(deployed.compute) } : {}),
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
    for (const batch of chunks(members, SERVICES_PER_CALL)) {
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

/** The target groups whose targets serve the endpoint: the production one, and the alternate one of a gradual rollout. */
function targetGroupsOf(row: Row): string[] {
  return [row.outputs.TargetGroupArn, row.outputs.AlternateTargetGroupArn].filter((arn): arn is string => !!arn);
}

/**
 * Live reads while the target groups fit in `LIVE_TARGET_HEALTH_READS`; past that, CloudWatch's latest minute for all
 * of them in one call, and live reads, within the same bound, for those CloudWatch has no minute of yet (a target group
 * created in the last minutes).
 */
async function readTargetHealth(rows: Row[], stacks: MlopsStacks, ctx: DeployContext, limited: ConcurrencyLimit): Promise<void> {
  const wanted = rows.filter((row) => targetGroupsOf(row).length > 0);
  const groups = wanted.reduce((sum, row) => sum + targetGroupsOf(row).length, 0);
  let live = wanted;
  if (groups > LIVE_TARGET_HEALTH_READS) {
    let why = "CloudWatch has no recent minute of its target counts";
    try {
      await readTargetMetrics(wanted, loadBalancerArns(stacks), ctx);
    } catch (error) {
      why = `CloudWatch could not be read (${problemOf(error)})`;
    }
    live = [];
    let budget = LIVE_TARGET_HEALTH_READS;
    for (const row of wanted) {
      if (row.status.targetHealthSource) continue;
      const needed = targetGroupsOf(row).length;
      if (needed <= budget) {
        budget -= needed;
        live.push(row);
      } else {
        row.status.targetHealthNotRead = `${why}, and live reads stop at ${LIVE_TARGET_HEALTH_READS} target groups (ELB's request rate)`;
      }
    }
  }
  await Promise.all(live.map((row) => limited(() => readTargets(row, ctx))));
}

/** Each load balancer's ARN by the name of the stack that holds it (a base endpoint's stack, or a shard's). */
function loadBalancerArns(stacks: MlopsStacks): Map<string, string> {
  const arns = new Map<string, string>();
  for (const { stack, stackName } of [...stacks.managed, ...stacks.shards]) {
    const arn = stackOutputs(stack).LoadBalancerArn;
    if (arn) arns.set(stackName, arn);
  }
  return arns;
}

/**
 * The final portion of an ELB ARN after `marker`, which CloudWatch uses as the dimension value: `app/name/id` for a load
 * balancer, `targetgroup/name/id` for a target group (ALB user guide, "Metric dimensions for Application Load Balancers").
 */
export function metricDimensionOf(arn: string, marker: "loadbalancer/" | "targetgroup/"): string | undefined {
  const at = arn.indexOf(`:${marker}`);
  if (at < 0) return undefined;
  const rest = arn.slice(at + 1);
  return marker === "loadbalancer/" ? rest.slice(marker.length) : rest;
}

/**
 * `HealthyHostCount` and `UnHealthyHostCount` of every target group, which the load balancer publishes each minute while
 * health checks are enabled (ALB user guide, "CloudWatch metrics for your Application Load Balancer"): the fewest healthy
 * and the most unhealthy of the latest minute. A row gets counts only when each of its target groups has that minute.
 */
async function readTargetMetrics(rows: Row[], loadBalancers: Map<string, string>, ctx: DeployContext): Promise<void> {
  const queries: MetricDataQuery[] = [];
  const byRow = new Map<Row, { healthy: string; unhealthy: string }[]>();
  for (const row of rows) {
    const loadBalancerArn = loadBalancers.get(row.loadBalancerStack);
    const loadBalancer = loadBalancerArn ? metricDimensionOf(loadBalancerArn, "loadbalancer/") : undefined;
    if (!loadBalancer) continue;
    const ids: { healthy: string; unhealthy: string }[] = [];
    for (const arn of targetGroupsOf(row)) {
      const targetGroup = metricDimensionOf(arn, "targetgroup/");
      if (!targetGroup) continue;
      const n = queries.length / 2;
      const dimensions = [
        { Name: "TargetGroup", Value: targetGroup },
        { Name: "LoadBalancer", Value: loadBalancer },
      ];
      const query = (id: string, metric: string, stat: string): MetricDataQuery => ({
        Id: id,
        MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: metric, Dimensions: dimensions }, Period: 60, Stat: stat },
      });
      queries.push(query(`h${n}`, "HealthyHostCount", "Minimum"), query(`u${n}`, "UnHealthyHostCount", "Maximum"));
      ids.push({ healthy: `h${n}`, unhealthy: `u${n}` });
    }
    if (ids.length === targetGroupsOf(row).length) byRow.set(row, ids);
  }
  if (queries.length === 0) return;
  const end = ctx.clock.now();
  const latest = new Map<string, { value: number; at: number }>();
  await Promise.all(
    chunks(queries, METRIC_QUERIES_PER_CALL).map(async (chunk) => {
      let token: string | undefined;
      do {
        const page = await ctx.aws.cloudWatch.getMetricData({
          MetricDataQueries: chunk,
          StartTime: new Date(end - METRICS_WINDOW_MS),
          EndTime: new Date(end),
          ScanBy: "TimestampDescending",
          NextToken: token,
        });
        for (const result of page.MetricDataResults ?? []) {
          result.Timestamps?.forEach((timestamp, i) => {
            const at = new Date(timestamp).getTime();
            const value = result.Values?.[i];
            const seen = result.Id ? latest.get(result.Id) : undefined;
            if (result.Id && value !== undefined && (!seen || at > seen.at)) latest.set(result.Id, { value, at });
          });
        }
        token = page.NextToken;
      } while (token);
    }),
  );
  for (const [row, ids] of byRow) {
    const points = ids.map((id) => [latest.get(id.healthy), latest.get(id.unhealthy)] as const);
    if (points.some(([healthy, unhealthy]) => !healthy || !unhealthy)) continue;
    const healthy = points.reduce((sum, [h]) => sum + (h?.value ?? 0), 0);
    const unhealthyCount = points.reduce((sum, [, u]) => sum + (u?.value ?? 0), 0);
    row.status.healthyTargets = healthy;
    row.status.totalTargets = healthy + unhealthyCount;
    row.status.targetHealthSource = "cloudwatch";
    row.status.targetHealthAt = new Date(Math.min(...points.flatMap(([h, u]) => [h?.at ?? end, u?.at ?? end]))).toISOString();
  }
}

async function readTargets(row: Row, ctx: DeployContext): Promise<void> {
  try {
    const health = await targetHealthCounts(ctx.aws.elb, targetGroupsOf(row));
    row.status.totalTargets = health.total;
    row.status.healthyTargets = health.healthy;
    row.status.targetHealthSource = "live";
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

/**
 * A GPU or Neuron endpoint's running tasks with the instance types under them (capacity.ts): one
 * ListTasks, DescribeTasks and DescribeContainerInstances per such endpoint, none for Fargate ones.
 * Capacity is information: a failed read keeps the deployed capacity text and adds no problem.
 */
async function readCapacity(row: Row, ctx: DeployContext): Promise<void> {
  const { ClusterName: cluster, ServiceName: service } = row.outputs;
  if (!cluster || !service) return;
  try {
    const read = await readPlacements(ctx.aws.ecs, cluster, service);
    row.status.capacity = capacityDetail(row.compute, read.placements, read.error);
  } catch (error) {
    row.status.capacity = `${capacityText(row.compute)}; running tasks not readable: ${problemOf(error)}`;
  }
}

/** Whether each endpoint's pipeline still exists, from one listing of the Region's pipelines (all pages). */
async function readPipelines(rows: Row[], ctx: DeployContext): Promise<void> {
  if (rows.length === 0) return;
  const names = new Set<string>();
  try {
    let token: string | undefined;
    do {
      const page = await ctx.aws.codePipeline.listPipelines({ maxResults: 1000, nextToken: token });
      for (const pipeline of page.pipelines ?? []) if (pipeline.name) names.add(pipeline.name);
      token = page.nextToken;
    } while (token);
  } catch (error) {
    const problem = `pipeline: ${problemOf(error)}`;
    for (const row of rows) row.problems.pipeline = problem;
    return;
  }
  for (const row of rows) {
    const name = pipelineName(row.status.endpoint);
    if (!names.has(name)) row.problems.pipeline = `pipeline ${name} is gone: pushes build nothing; run create-endpoint or add-endpoint again to restore it`;
  }
}

/** AWS's own message; the problems that concern the whole command (credentials, Ctrl-C) still end it. */
function problemOf(error: unknown): string {
  if (error instanceof CredentialsError || error instanceof InterruptedError) throw error;
  return error instanceof Error ? error.message : String(error);
}
