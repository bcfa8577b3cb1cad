/**
 * The container logs of an endpoint's tasks: every task's lines interleaved
 * by time, each with the task it came from, read once or followed until
 * Ctrl-C.
 */
import type { LogsApi } from "../../aws/interfaces.js";
import { AwsError } from "../../errors.js";
import { runnable, type Invocation } from "../../io/invocation.js";
import type { Output } from "../../io/output.js";
import type { Clock } from "../engine/clock.js";
import { logEventPages, type LogEvent } from "../steps/log-groups.js";

/** One log line as `mlops logs` shows it. */
export interface LogLine {
  /** ISO time of the event. */
  time: string;
  /** The task's id, shortened to its first 8 characters as the ECS console lists them. */
  task: string;
  container?: string;
  message: string;
  stream: string;
  eventId: string;
}

/**
 * The task and container of an awslogs stream: ECS names it
 * `prefix/container-name/task-id` ("Using the awslogs log driver", Amazon ECS developer guide).
 */
export function taskOfStream(stream: string): { task: string; container?: string } {
  const parts = stream.split("/");
  if (parts.length >= 3) return { task: (parts.at(-1) ?? "").slice(0, 8), container: parts.at(-2) };
  return { task: stream.slice(0, 8) };
}

/** A log event as a line of `mlops logs`. */
export function toLogLine(event: LogEvent): LogLine {
  const { task, container } = taskOfStream(event.stream);
  return { time: new Date(event.timestamp).toISOString(), task, container, message: event.message, stream: event.stream, eventId: event.eventId };
}

/** The text of a line: `[task] time message`. */
export function formatLogLine(line: LogLine): string {
  return `[${line.task}] ${line.time} ${line.message}`;
}

const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * The start time `--since` names: a duration back from now (`90s`, `10m`, `2h`, `7d`) or an ISO 8601
 * time (`2026-11-29T17:00:00Z`, `2026-11-29`). A string when the text is neither: the problem to report.
 */
export function parseSince(text: string, now: number): number | string {
  const duration = /^(\d+)([smhd])$/.exec(text.trim());
  if (duration) return now - Number(duration[1]) * units[duration[2]!]!;
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
    const time = Date.parse(text.trim());
    if (!Number.isNaN(time)) {
      if (time > now) return `${text} is in the future`;
      return time;
    }
  }
  return `${JSON.stringify(text)} is neither a duration (30s, 10m, 2h, 7d) nor an ISO 8601 time (2026-11-29T17:00:00Z)`;
}

/** How `--follow` polls: at once after new lines, slower while the group is quiet. */
export const FOLLOW_POLL = { firstMs: 1_000, maxMs: 10_000 };

/**
 * CloudWatch Logs can deliver an event some time after its timestamp (agents batch, then
 * ingestion): each poll reads again from this far before the newest line shown, and the event
 * ids already shown keep those lines from showing twice.
 */
export const LATE_EVENTS_MS = 30_000;

/** Where to read and what to show. */
export interface ShowLogsOptions {
  logGroupName: string;
  startTime: number;
  follow: boolean;
  /** Only these streams (a build's), else every stream of the group. */
  logStreamNames?: string[];
  /** Called between polls while following; returning false ends following (a build that ended). */
  keepFollowing?: () => Promise<boolean>;
}

/** What `showLogs` did. */
export interface ShowLogsResult {
  lines: number;
  /** True when Ctrl-C ended following. */
  interrupted: boolean;
}

/**
 * Prints the lines of a log group (each as an output record) from the start time on, then, with
 * `follow`, polls for new ones until Ctrl-C: every line once, in time order within each read.
 */
export async function showLogs(
  options: ShowLogsOptions,
  deps: { logs: LogsApi; out: Output; clock: Clock; signal?: AbortSignal; invocation?: Invocation },
): Promise<ShowLogsResult> {
  const { out, clock, signal } = deps;
  const shown = new Map<string, number>();
  let lines = 0;
  let newest = options.startTime;
  let delay = FOLLOW_POLL.firstMs;
  try {
    for (;;) {
      const from = Math.max(options.startTime, newest - LATE_EVENTS_MS);
      let fresh = 0;
      for await (const page of logEventPages(deps.logs, { logGroupName: options.logGroupName, startTime: from, logStreamNames: options.logStreamNames })) {
        const unseen = page.filter((e) => !shown.has(e.eventId)).sort((a, b) => a.timestamp - b.timestamp);
        for (const event of unseen) {
          shown.set(event.eventId, event.timestamp);
          newest = Math.max(newest, event.timestamp);
          const line = toLogLine(event);
          out.record(line, formatLogLine(line));
        }
        fresh += unseen.length;
      }
      lines += fresh;
      if (!options.follow) {
        if (lines === 0) out.info(`No log lines in ${options.logGroupName} since ${new Date(options.startTime).toISOString()}.`);
        return { lines, interrupted: false };
      }
      // Ids older than the re-read window can never come back: forget them.
      for (const [id, time] of shown) if (time < newest - LATE_EVENTS_MS) shown.delete(id);
      delay = fresh > 0 ? FOLLOW_POLL.firstMs : Math.min(FOLLOW_POLL.maxMs, delay * 2);
      if (options.keepFollowing && !(await options.keepFollowing())) {
        // One more read: the lines written while the build ended.
        options = { ...options, follow: false };
        continue;
      }
      await clock.sleep(delay, signal);
    }
  } catch (error) {
    // Ctrl-C is how following ends: the call or the sleep it cut short is not a failure.
    if (signal?.aborted) return { lines, interrupted: true };
    if (error instanceof AwsError && error.code === "ResourceNotFoundException") {
      throw new AwsError(`Log group ${options.logGroupName} does not exist: ${error.message}`, {
        code: error.code,
        hint: `The endpoint has not run a task yet, or its log group was deleted (teardown --delete-data). Run ${runnable("mlops status", deps.invocation)} to see the endpoint.`,
      });
    }
    throw error;
  }
}
