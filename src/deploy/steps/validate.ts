/**
 * The validate step: what the tutorial checks by hand in the console. The ECS
 * rollout reaches its goal, the load balancer sees healthy targets, and the
 * tasks' recent log lines are shown.
 */
import { placementAdvice } from "./gpu-capacity.js";
import { managedInstancesNote, SPOT_INTERRUPTION_TEXT, spotInterruption } from "./managed-instances.js";
import type { EcsService, ElbApi } from "../../aws/interfaces.js";
import { AwsError } from "../../errors.js";
import { runnable } from "../../io/invocation.js";
import type { DeployContext } from "../context.js";
import { pollUntil } from "../engine/poll.js";
import { formatElapsed } from "../engine/stack-progress.js";

/** Where the endpoint's parts are, from its stack's outputs. */
export interface EndpointResources {
  stackName: string;
  clusterName: string;
  serviceName: string;
  targetGroupArn: string;
  /** The second target group of a traffic-shifting strategy: the new revision's tasks may be there. */
  alternateTargetGroupArn?: string;
  logGroupName: string;
  loadBalancerDnsName: string;
  hostHeader: string;
}

/** What validation saw. */
export interface ValidationReport {
  desired: number;
  running: number;
  rolloutState?: string;
  healthyTargets: number;
  totalTargets: number;
  logLines: string[];
  url: string;
  loadBalancerDnsName: string;
  dnsRecord: string;
}

/** Timeouts of the validate step. */
export interface ValidateOptions {
  rolloutTimeoutMs: number;
}

/** Waits for the rollout and healthy targets, then reports the endpoint's state. */
export async function validateEndpoint(resources: EndpointResources, options: ValidateOptions, ctx: DeployContext): Promise<ValidationReport> {
  ctx.out.step(`Validating ${resources.serviceName}`);
  const interval = ctx.pollIntervalMs ?? 5_000;
  const expected = await stackTaskDefinition(resources.stackName, ctx);
  const live = ctx.out.live();
  const started = ctx.clock.now();
  let lastState = "";
  let shown = "";
  let service: EcsService;
  try {
    service = await pollUntil(
      async () => {
        const current = await describeService(resources, ctx);
        const primary = current.deployments?.find((d) => d.status === "PRIMARY");
        const failed = current.deployments?.find((d) => d.rolloutState === "FAILED");
        const state = `service: ${current.runningCount ?? 0}/${current.desiredCount ?? 0} running, ${current.pendingCount ?? 0} pending, rollout ${primary?.rolloutState ?? "n/a"}`;
        // Logs get a line per change of state (with the time it took), a terminal the running clock.
        if (ctx.out.interactive || state !== lastState) shown = `${state} (${formatElapsed(ctx.clock.now() - started)})`;
        lastState = state;
        live.update([shown]);
        if (failed) {
          throw new AwsError(`The ECS deployment of ${resources.serviceName} failed: ${failed.rolloutStateReason ?? "no reason given"}.`, {
            hint: `${await stoppedTaskReasons(resources, ctx)}With rollout.circuitBreakerRollback on (the default), the service is back on the previous image. Fix the image and run \`${runnable("mlops update --tag NEW_TAG", ctx.invocation)}\`.`,
          });
        }
        const settled =
          (current.runningCount ?? 0) === (current.desiredCount ?? 0) &&
          (current.deployments?.length ?? 0) <= 1 &&
          (!primary?.rolloutState || primary.rolloutState === "COMPLETED");
        // After a circuit-breaker rollback CloudFormation may still report success: the service then runs an older revision.
        if (settled && expected && primary?.taskDefinition && primary.taskDefinition !== expected) {
          throw new AwsError(
            `${resources.serviceName} runs ${revision(primary.taskDefinition)}, not the stack's ${revision(expected)}: the new version did not stay up and ECS rolled back.`,
            {
              hint: `${await stoppedTaskReasons(resources, ctx)}Check the task logs (health check path, port, model load time vs rollout.healthCheckGracePeriodSeconds), fix the image and run \`${runnable("mlops update --tag NEW_TAG", ctx.invocation)}\`.`,
            },
          );
        }
        return settled ? { done: true, value: current } : { done: false, status: `${current.runningCount ?? 0}/${current.desiredCount ?? 0} running` };
      },
      {
        clock: ctx.clock,
        signal: ctx.signal,
        intervalMs: interval,
        timeoutMs: options.rolloutTimeoutMs,
        what: `service ${resources.serviceName} to reach its desired count`,
        hint: `Check \`${runnable("mlops status", ctx.invocation)}\` and the service's events in the ECS console; running the same command again resumes validation.`,
      },
    );
  } finally {
    live.close();
  }
  const desired = service.desiredCount ?? 0;
  const health = await targetHealth(resources, ctx, desired, options.rolloutTimeoutMs);
  const logLines = await recentLogLines(resources.logGroupName, ctx);
  const report: ValidationReport = {
    desired,
    running: service.runningCount ?? 0,
    rolloutState: service.deployments?.find((d) => d.status === "PRIMARY")?.rolloutState,
    healthyTargets: health.healthy,
    totalTargets: health.total,
    logLines,
    url: `https://${resources.hostHeader}`,
    loadBalancerDnsName: resources.loadBalancerDnsName,
    dnsRecord: `${resources.hostHeader}. CNAME ${resources.loadBalancerDnsName}`,
  };
  ctx.out.success(
    `Service ${resources.serviceName}: ${report.running}/${report.desired} running, ${report.healthyTargets}/${report.totalTargets} targets healthy`,
  );
  if (logLines.length > 0) {
    ctx.out.info("Recent log lines:");
    for (const line of logLines) ctx.out.info(`  ${line}`);
  }
  return report;
}

/** The task definition revision the stack declares (its TaskDefinition resource). */
async function stackTaskDefinition(stackName: string, ctx: DeployContext): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await ctx.aws.cloudFormation.listStackResources({ StackName: stackName, NextToken: nextToken });
    const found = page.StackResourceSummaries?.find((r) => r.LogicalResourceId === "TaskDefinition" && r.ResourceType === "AWS::ECS::TaskDefinition");
    if (found?.PhysicalResourceId) return found.PhysicalResourceId;
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
}

function revision(taskDefinitionArn: string): string {
  return taskDefinitionArn.split("/").pop() ?? taskDefinitionArn;
}

/** One line on an ECS rollout, shown while CloudFormation waits for the service: counts, rollout state, newest service event. */
export async function serviceRolloutLine(clusterName: string, serviceName: string, ctx: DeployContext): Promise<string | undefined> {
  const service = (await ctx.aws.ecs.describeServices({ cluster: clusterName, services: [serviceName] })).services?.[0];
  if (!service) return undefined;
  const primary = service.deployments?.find((d) => d.status === "PRIMARY");
  const failed = primary?.failedTasks ? `, ${primary.failedTasks} failed` : "";
  const event = service.events?.[0]?.message;
  // A service on ECS Managed Instances: tasks waiting for an instance, or replaced after a Spot interruption (managed-instances.ts).
  const note = service.capacityProviderStrategy?.length
    ? await managedInstancesNote(ctx.aws.ecs, clusterName, serviceName, primary?.createdAt).catch(() => undefined)
    : undefined;
  return `ECS ${serviceName}: ${service.runningCount ?? 0}/${service.desiredCount ?? 0} running, ${service.pendingCount ?? 0} pending${failed}, rollout ${primary?.rolloutState ?? "n/a"}${note ? ` | ${note}` : ""}${event ? ` | ${event}` : ""}`;
}

async function describeService(resources: EndpointResources, ctx: DeployContext): Promise<EcsService> {
  const result = await ctx.aws.ecs.describeServices({ cluster: resources.clusterName, services: [resources.serviceName] });
  const service = result.services?.[0];
  if (!service)
    throw new AwsError(`ECS service ${resources.serviceName} not found in cluster ${resources.clusterName}.`, {
      hint: "Run the same command again to recreate it.",
    });
  return service;
}

/** "Stopped tasks: REASON; REASON. " for the service's last stopped tasks, or "" when none stopped. */
export async function stoppedTaskReasons(resources: Pick<EndpointResources, "clusterName" | "serviceName">, ctx: DeployContext): Promise<string> {
  const stopped = await ctx.aws.ecs.listTasks({ cluster: resources.clusterName, serviceName: resources.serviceName, desiredStatus: "STOPPED", maxResults: 3 });
  if (!stopped.taskArns?.length) return "";
  const tasks = await ctx.aws.ecs.describeTasks({ cluster: resources.clusterName, tasks: stopped.taskArns });
  const reasons = (tasks.tasks ?? [])
    .map((t) => (spotInterruption(t) ? `${t.stopCode}: ${SPOT_INTERRUPTION_TEXT}` : (t.stoppedReason ?? t.containers?.[0]?.reason)))
    .filter((r): r is string => !!r)
    .map((r) => (placementAdvice(r) === undefined ? r : `${r} (${placementAdvice(r)})`));
  return reasons.length ? `Stopped tasks: ${[...new Set(reasons)].join("; ")}. ` : "";
}

/** How many targets are healthy, across the endpoint's target groups (one, or two with a traffic-shifting strategy). */
export async function targetHealthCounts(elb: ElbApi, targetGroupArns: string | (string | undefined)[]): Promise<{ healthy: number; total: number }> {
  const arns = (Array.isArray(targetGroupArns) ? targetGroupArns : [targetGroupArns]).filter((a): a is string => !!a);
  const lists = await Promise.all(arns.map(async (arn) => (await elb.describeTargetHealth({ TargetGroupArn: arn })).TargetHealthDescriptions ?? []));
  const list = lists.flat();
  return { healthy: list.filter((t) => t.TargetHealth?.State === "healthy").length, total: list.length };
}

async function targetHealth(resources: EndpointResources, ctx: DeployContext, desired: number, timeoutMs: number): Promise<{ healthy: number; total: number }> {
  const read = () => targetHealthCounts(ctx.aws.elb, [resources.targetGroupArn, resources.alternateTargetGroupArn]);
  if (desired === 0) return read();
  return pollUntil(
    async () => {
      const health = await read();
      return health.healthy >= desired ? { done: true, value: health } : { done: false, status: `${health.healthy}/${desired} healthy` };
    },
    {
      clock: ctx.clock,
      signal: ctx.signal,
      intervalMs: ctx.pollIntervalMs ?? 5_000,
      timeoutMs,
      what: `${desired} healthy target(s) in ${resources.targetGroupArn}`,
      out: ctx.out,
      hint: `Check the health check path and port in the parameter file and the task logs (\`${runnable("mlops status", ctx.invocation)}\`).`,
    },
  );
}

/** How many log lines validation shows, from how many of the newest streams, within how recent a window. */
const LOG_LINES = 10;
const LOG_STREAMS = 5;
const LOG_WINDOW_MS = 15 * 60_000;
/** Bound on pages read backwards per stream, against an endpoint that never repeats its token. */
const MAX_LOG_PAGES = 10;

/**
 * The newest log lines of the endpoint's tasks. FilterLogEvents returns a time window from its
 * start, in pages that may be partial or empty, so its first page is the oldest lines, not the
 * newest. Instead: the streams with the latest events (DescribeLogStreams by LastEventTime,
 * descending; that order "updates on an eventual consistency basis", hence several streams),
 * each read from its end with GetLogEvents `startFromHead: false`, following
 * `nextBackwardToken` past empty pages until enough lines or the same token comes back, which
 * marks the stream's start (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html).
 */
export async function recentLogLines(logGroupName: string, ctx: DeployContext): Promise<string[]> {
  const startTime = ctx.clock.now() - LOG_WINDOW_MS;
  try {
    const streams = await ctx.aws.logs.describeLogStreams({ logGroupName, orderBy: "LastEventTime", descending: true, limit: LOG_STREAMS });
    const events: { timestamp: number; message: string }[] = [];
    for (const stream of streams.logStreams ?? []) {
      if (!stream.logStreamName) continue;
      // lastIngestionTime, not lastEventTimestamp (which may lag): a stream that received nothing in the window has nothing to show.
      if (stream.lastIngestionTime !== undefined && stream.lastIngestionTime < startTime) continue;
      events.push(...(await newestEvents(logGroupName, stream.logStreamName, startTime, ctx)));
    }
    return events
      .sort((a, b) => a.timestamp - b.timestamp)
      .slice(-LOG_LINES)
      .map((e) => e.message);
  } catch (error) {
    if (error instanceof AwsError && error.code === "ResourceNotFoundException") return [];
    throw error;
  }
}

/** Up to `LOG_LINES` of a stream's newest events since `startTime`, oldest first. */
async function newestEvents(
  logGroupName: string,
  logStreamName: string,
  startTime: number,
  ctx: DeployContext,
): Promise<{ timestamp: number; message: string }[]> {
  const found: { timestamp: number; message: string }[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_LOG_PAGES && found.length < LOG_LINES; page++) {
    const result = await ctx.aws.logs.getLogEvents({ logGroupName, logStreamName, startTime, startFromHead: false, limit: LOG_LINES, nextToken: token });
    // Each page holds the events just before the previous one, oldest first.
    const lines = (result.events ?? []).flatMap((e) => {
      const message = e.message?.trimEnd() ?? "";
      return message.length > 0 ? [{ timestamp: e.timestamp ?? 0, message }] : [];
    });
    found.unshift(...lines);
    const next = result.nextBackwardToken;
    if (!next || next === token) break;
    token = next;
  }
  return found.slice(-LOG_LINES);
}
