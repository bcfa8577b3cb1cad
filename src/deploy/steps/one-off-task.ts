/**
 * A one-off Fargate task (the weights sync and listing): started with RunTask,
 * its log lines streamed from CloudWatch Logs as they come, waited for until
 * STOPPED within a deadline, and judged by its container's exit code.
 */
import type { EcsApi, EcsTask, LogsApi } from "../../aws/interfaces.js";
import { AwsError, InterruptedError } from "../../errors.js";
import type { Output } from "../../io/output.js";
import type { Clock } from "../engine/clock.js";
import { formatDuration } from "../engine/poll.js";

/** Where and what to run. */
export interface OneOffTaskSpec {
  cluster: string;
  taskDefinitionArn: string;
  /** The container whose command is replaced and whose exit code decides. */
  containerName: string;
  /** The container's command (the task definition's entry point is `/bin/sh -c`: one shell script). */
  command: string[];
  subnets: string[];
  securityGroups: string[];
  /** The container's awslogs group and stream prefix; the stream is `prefix/container/task id`. */
  logGroup: string;
  logStreamPrefix: string;
  /** What the task does, for messages ("weights sync"). */
  purpose: string;
  /** Longest wait for the task to stop. */
  timeoutMs: number;
}

/** How the task ended. */
export interface OneOffTaskResult {
  taskArn: string;
  exitCode: number;
  /** Every log line the container wrote, oldest first. */
  lines: string[];
  durationMs: number;
}

/** What the step needs. */
export interface OneOffTaskDeps {
  ecs: EcsApi;
  logs: LogsApi;
  out: Output;
  clock: Clock;
  signal?: AbortSignal;
  /** Between two polls; default 2 s (CloudWatch Logs and ECS both answer within seconds). */
  pollIntervalMs?: number;
  /** Prints each log line as it comes; default `out.info`. `ls` collects them instead. */
  onLine?: (line: string) => void;
}

/** How many of the task's last log lines a failure quotes. */
const LAST_LINES = 10;

/**
 * Runs the task and waits for it; returns when its container exited 0. A non-zero exit code, a task
 * that never started (no exit code) or the deadline is an `AwsError` naming the task, its stop
 * reason and its last log lines. Ctrl-C stops waiting; the task runs on (the interruption names it).
 */
export async function runOneOffTask(spec: OneOffTaskSpec, deps: OneOffTaskDeps): Promise<OneOffTaskResult> {
  const started = deps.clock.now();
  const answer = await deps.ecs.runTask({
    cluster: spec.cluster,
    taskDefinition: spec.taskDefinitionArn,
    launchType: "FARGATE",
    count: 1,
    startedBy: "mlops",
    networkConfiguration: { awsvpcConfiguration: { subnets: spec.subnets, securityGroups: spec.securityGroups, assignPublicIp: "DISABLED" } },
    overrides: { containerOverrides: [{ name: spec.containerName, command: spec.command }] },
  });
  const task = answer.tasks?.[0];
  if (!task?.taskArn) {
    const failure = answer.failures?.[0];
    throw new AwsError(
      `ECS could not start the ${spec.purpose} task: ${failure?.reason ?? "no task and no reason given"}${failure?.detail ? ` (${failure.detail})` : ""}.`,
      {
        hint: "Check the cluster's capacity and the subnets' free IP addresses, then run the same command again.",
      },
    );
  }
  const taskArn = task.taskArn;
  const taskId = taskArn.split("/").pop() ?? taskArn;
  const stopHint = `aws ecs stop-task --cluster ${spec.cluster} --task ${taskArn}`;
  deps.out.info(`Started the ${spec.purpose} task ${taskId}`);

  const stream = new LogStream(deps.logs, spec.logGroup, `${spec.logStreamPrefix}/${spec.containerName}/${taskId}`);
  const print = deps.onLine ?? ((line: string) => deps.out.info(`  ${line}`));
  const interval = deps.pollIntervalMs ?? 2_000;
  let stopped: EcsTask | undefined;
  try {
    while (!stopped) {
      for (const line of await stream.next()) print(line);
      const described = await deps.ecs.describeTasks({ cluster: spec.cluster, tasks: [taskArn] });
      const current = described.tasks?.[0];
      if (current?.lastStatus === "STOPPED") stopped = current;
      else {
        if (deps.clock.now() - started > spec.timeoutMs) {
          throw new AwsError(
            `The ${spec.purpose} task ${taskId} is still ${current?.lastStatus ?? "starting"} after ${formatDuration(spec.timeoutMs)}; mlops stopped waiting (the task runs on).`,
            {
              hint: `Follow it in CloudWatch Logs (${spec.logGroup}), stop it with: ${stopHint}, or wait longer with --timeout.`,
            },
          );
        }
        await deps.clock.sleep(interval, deps.signal);
      }
    }
    // Lines written just before the task stopped arrive in CloudWatch Logs a moment later.
    for (const line of await stream.next()) print(line);
  } catch (error) {
    if (error instanceof InterruptedError)
      throw new InterruptedError(`Interrupted while the ${spec.purpose} task ${taskId} runs.`, `It runs on to its end; to stop it: ${stopHint}`);
    throw error;
  }

  const container = stopped.containers?.find((c) => c.name === spec.containerName) ?? stopped.containers?.[0];
  const exitCode = container?.exitCode;
  const durationMs = deps.clock.now() - started;
  if (exitCode === 0) return { taskArn, exitCode, lines: stream.lines, durationMs };

  const reason = [stopped.stoppedReason, container?.reason].filter(Boolean).join("; ") || "no reason given";
  const last = stream.lines.slice(-LAST_LINES);
  const quoted = last.length ? `\nIts last log lines:\n${last.map((l) => `  ${l}`).join("\n")}` : "\nIt wrote no log lines.";
  const outcome = exitCode === undefined || exitCode === null ? "did not run its container" : `failed: its container exited with code ${exitCode}`;
  throw new AwsError(`The ${spec.purpose} task ${taskId} ${outcome}. Stop reason: ${reason}.${quoted}`, {
    hint: `Fix the cause above and run the same command again (task logs: ${spec.logGroup}).`,
  });
}

/** Reads one log stream forward from its start, page by page, remembering every line. */
class LogStream {
  readonly lines: string[] = [];
  private token: string | undefined;

  constructor(
    private readonly logs: LogsApi,
    private readonly group: string,
    private readonly name: string,
  ) {}

  /** The lines written since the last call; none while the stream does not exist yet. */
  async next(): Promise<string[]> {
    const fresh: string[] = [];
    for (;;) {
      let page;
      try {
        page = await this.logs.getLogEvents({ logGroupName: this.group, logStreamName: this.name, startFromHead: true, nextToken: this.token });
      } catch (error) {
        // The container creates its stream when it starts.
        if (error instanceof AwsError && error.code === "ResourceNotFoundException") return fresh;
        throw error;
      }
      for (const event of page.events ?? []) if (event.message !== undefined) fresh.push(event.message.replace(/\n$/, ""));
      // "If you have reached the end of the stream, it returns the same token you passed in."
      const done = !page.nextForwardToken || page.nextForwardToken === this.token || (page.events ?? []).length === 0;
      this.token = page.nextForwardToken ?? this.token;
      if (done) break;
    }
    this.lines.push(...fresh);
    return fresh;
  }
}
