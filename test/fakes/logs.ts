/**
 * A fake of `LogsApi` reading streams the way CloudWatch Logs pages them.
 *
 * GetLogEvents with `startFromHead: false` starts at the stream's end (or `endTime`) and each
 * `nextBackwardToken` page holds the events just before the previous page, oldest first. As the
 * API reference says, a page can be empty while more events remain ("This operation can return
 * empty results while there are more log events available through the token"): `emptyEvery`
 * makes every n-th page empty, and `pageSize` caps pages below the requested limit (partial
 * pages). At the stream's start the token passed in comes back.
 * DescribeLogStreams orders by LastEventTime when asked, newest first with `descending`.
 */
import type * as logs from "@aws-sdk/client-cloudwatch-logs";
import type { LogsApi } from "../../src/aws/interfaces.js";
import { AwsError } from "../../src/errors.js";

/** One event of a fake stream. */
export interface FakeLogEvent {
  timestamp: number;
  message: string;
}

export interface FakeLogsOptions {
  /** At most this many events per page, whatever the limit asked. */
  pageSize?: number;
  /** Every n-th GetLogEvents answer is an empty page (with a token to go on). */
  emptyEvery?: number;
}

/** The fake; streams are set per log group. */
export class FakeLogs implements LogsApi {
  readonly calls: { method: string; input: unknown }[] = [];
  private readonly groups = new Map<string, Map<string, FakeLogEvent[]>>();
  private pages = 0;
  private ingested = 0;

  constructor(private readonly options: FakeLogsOptions = {}) {}

  /** Adds events (any order) to a stream of a group. */
  put(group: string, stream: string, events: FakeLogEvent[]): void {
    const streams = this.groups.get(group) ?? new Map<string, FakeLogEvent[]>();
    this.groups.set(group, streams);
    // Each event gets its id when it is put, as CloudWatch Logs gives one at ingestion.
    const stamped = events.map((e) => ({ ...e, eventId: `${stream}#${++this.ingested}` }));
    streams.set(
      stream,
      [...(streams.get(stream) ?? []), ...stamped].sort((a, b) => a.timestamp - b.timestamp),
    );
  }

  async describeLogStreams(input: logs.DescribeLogStreamsRequest): Promise<logs.DescribeLogStreamsResponse> {
    this.calls.push({ method: "describeLogStreams", input });
    const streams = [...this.requireGroup(input.logGroupName).entries()].map(([name, events]) => ({
      logStreamName: name,
      lastEventTimestamp: events.at(-1)?.timestamp,
      lastIngestionTime: events.at(-1)?.timestamp,
    }));
    if (input.orderBy === "LastEventTime") streams.sort((a, b) => (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0));
    else streams.sort((a, b) => a.logStreamName.localeCompare(b.logStreamName));
    if (input.descending) streams.reverse();
    return { logStreams: streams.slice(0, input.limit ?? 50) };
  }

  async getLogEvents(input: logs.GetLogEventsRequest): Promise<logs.GetLogEventsResponse> {
    this.calls.push({ method: "getLogEvents", input });
    const all = this.requireGroup(input.logGroupName).get(input.logStreamName ?? "");
    if (!all) throw new AwsError("CloudWatch Logs GetLogEvents: The specified log stream does not exist.", { code: "ResourceNotFoundException" });
    if (input.startFromHead !== false) throw new Error("FakeLogs: only startFromHead=false is modelled");
    const inWindow = all.filter(
      (e) => (input.startTime === undefined || e.timestamp >= input.startTime) && (input.endTime === undefined || e.timestamp < input.endTime),
    );
    // The token is the index (in the window) before which the next page ends.
    const end = input.nextToken ? Number(input.nextToken.split("/")[1]) : inWindow.length;
    this.pages++;
    if (this.options.emptyEvery && this.pages % this.options.emptyEvery === 0 && end > 0) {
      // A new token for the same position: more events remain.
      return { events: [], nextBackwardToken: `b/${end}/empty-${this.pages}`, nextForwardToken: `f/${end}` };
    }
    const size = Math.min(input.limit ?? 10_000, this.options.pageSize ?? Number.MAX_SAFE_INTEGER);
    const start = Math.max(0, end - size);
    const events = inWindow.slice(start, end).map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.timestamp }));
    // At the start of the stream the same token comes back.
    const backward = start === end && input.nextToken ? input.nextToken : `b/${start}`;
    return { events, nextBackwardToken: backward, nextForwardToken: `f/${end}` };
  }

  /**
   * FilterLogEvents over every stream of the group, oldest first, `pageSize` events a page; the token
   * is the index of the next event. Event ids are given when events are put.
   */
  async filterLogEvents(input: logs.FilterLogEventsRequest): Promise<logs.FilterLogEventsResponse> {
    this.calls.push({ method: "filterLogEvents", input });
    const all = [...this.requireGroup(input.logGroupName).entries()]
      .flatMap(([stream, events]) =>
        events.map((e) => ({ timestamp: e.timestamp, message: e.message, logStreamName: stream, eventId: (e as { eventId?: string }).eventId })),
      )
      .filter((e) => (input.startTime === undefined || e.timestamp >= input.startTime) && (input.endTime === undefined || e.timestamp <= input.endTime))
      .sort((a, b) => a.timestamp - b.timestamp);
    const start = input.nextToken ? Number(input.nextToken) : 0;
    this.pages++;
    if (this.options.emptyEvery && this.pages % this.options.emptyEvery === 0 && start < all.length) return { events: [], nextToken: String(start) };
    const size = Math.min(input.limit ?? 10_000, this.options.pageSize ?? Number.MAX_SAFE_INTEGER);
    const page = all.slice(start, start + size);
    const next = start + page.length;
    return { events: page.map((e) => ({ ...e, ingestionTime: e.timestamp })), nextToken: next < all.length ? String(next) : undefined };
  }

  async describeLogGroups(input: logs.DescribeLogGroupsRequest): Promise<logs.DescribeLogGroupsResponse> {
    this.calls.push({ method: "describeLogGroups", input });
    return {
      logGroups: [...this.groups.keys()]
        .filter((g) => !input.logGroupNamePrefix || g.startsWith(input.logGroupNamePrefix))
        .map((logGroupName) => ({ logGroupName })),
    };
  }

  async deleteLogGroup(input: logs.DeleteLogGroupRequest): Promise<unknown> {
    this.calls.push({ method: "deleteLogGroup", input });
    this.groups.delete(input.logGroupName ?? "");
    return {};
  }

  private requireGroup(name: string | undefined): Map<string, FakeLogEvent[]> {
    const group = this.groups.get(name ?? "");
    if (!group) throw new AwsError("CloudWatch Logs: The specified log group does not exist.", { code: "ResourceNotFoundException" });
    return group;
  }
}
