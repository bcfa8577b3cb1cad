/**
 * The endpoint's log group outlives its stack like its file systems: found
 * again on re-create, deleted only with `--delete-data`.
 */
import type { LogsApi } from "../../aws/interfaces.js";
import { AwsError } from "../../errors.js";
import { pipelineName } from "../../render/names.js";

/** Name of an endpoint's container log group (fixed, so `mlops` finds it without the stack). */
export function endpointLogGroupName(id: string): string {
  return `/mlops/${id}`;
}

/** Name of the log group CodeBuild writes the endpoint's build logs to. */
export function buildLogGroupName(id: string): string {
  return `/aws/codebuild/${pipelineName(id)}`;
}

/** True when the log group exists. */
export async function logGroupExists(logs: LogsApi, name: string): Promise<boolean> {
  const result = await logs.describeLogGroups({ logGroupNamePrefix: name });
  return (result.logGroups ?? []).some((g) => g.logGroupName === name);
}

/** Deletes a log group; one already gone is not an error. */
export async function deleteLogGroup(logs: LogsApi, name: string): Promise<"deleted" | "absent"> {
  try {
    await logs.deleteLogGroup({ logGroupName: name });
    return "deleted";
  } catch (error) {
    if (error instanceof AwsError && error.code === "ResourceNotFoundException") return "absent";
    throw error;
  }
}

/** One log event and the stream it came from. */
export interface LogEvent {
  eventId: string;
  timestamp: number;
  message: string;
  stream: string;
}

/** What to read with FilterLogEvents. */
export interface LogQuery {
  logGroupName: string;
  startTime?: number;
  logStreamNames?: string[];
}

/**
 * The events of a log group (or of some of its streams) from `startTime` on, a page at a time, in
 * the order FilterLogEvents pages them. A page may be empty while its `nextToken` says more events
 * remain ("This operation can return empty results while there are more log events available
 * through the token", FilterLogEvents API reference): only a missing token ends the read.
 */
export async function* logEventPages(logs: LogsApi, query: LogQuery): AsyncGenerator<LogEvent[]> {
  let nextToken: string | undefined;
  do {
    const page = await logs.filterLogEvents({ ...query, nextToken });
    yield (page.events ?? []).map((e) => ({
      eventId: e.eventId ?? `${e.logStreamName ?? ""}:${e.timestamp ?? 0}:${e.message ?? ""}`,
      timestamp: e.timestamp ?? 0,
      message: (e.message ?? "").replace(/\n$/, ""),
      stream: e.logStreamName ?? "",
    }));
    nextToken = page.nextToken;
  } while (nextToken);
}

/** Every event a query finds, oldest first. */
export async function readLogEvents(logs: LogsApi, query: LogQuery): Promise<LogEvent[]> {
  const events: LogEvent[] = [];
  for await (const page of logEventPages(logs, query)) events.push(...page);
  return events.sort((a, b) => a.timestamp - b.timestamp);
}
