/**
 * `mlops logs`: the --since parser, the task of an awslogs stream, and the
 * read/follow loop against a fake CloudWatch Logs that pages like
 * FilterLogEvents (partial pages, empty pages with a token).
 */
import { describe, expect, it } from "vitest";
import { FOLLOW_POLL, LATE_EVENTS_MS, parseSince, showLogs, taskOfStream } from "../../../src/deploy/operations/logs.js";
import { FakeClock } from "../../fakes/clock.js";
import { FakeLogs } from "../../fakes/logs.js";
import { MemoryOutput } from "../../fakes/output.js";

const group = "/mlops/ep-a-prod";
const taskA = "ecs/api/0123456789abcdef0123456789abcdef";
const taskB = "ecs/api/fedcba9876543210fedcba9876543210";

describe("parseSince", () => {
  const now = Date.UTC(2026, 10, 29, 12, 0, 0);
  it("reads durations back from now and ISO 8601 times", () => {
    expect(parseSince("90s", now)).toBe(now - 90_000);
    expect(parseSince("10m", now)).toBe(now - 600_000);
    expect(parseSince("2h", now)).toBe(now - 7_200_000);
    expect(parseSince("7d", now)).toBe(now - 7 * 86_400_000);
    expect(parseSince("2026-11-29T11:00:00Z", now)).toBe(Date.UTC(2026, 10, 29, 11));
    expect(parseSince("2026-11-28", now)).toBe(Date.UTC(2026, 10, 28));
  });
  it("names the problem of anything else", () => {
    expect(parseSince("10 minutes", now)).toMatch(/neither a duration \(30s, 10m, 2h, 7d\) nor an ISO 8601 time/);
    expect(parseSince("-5m", now)).toMatch(/neither/);
    expect(parseSince("2026-13-45T99:00:00Z", now)).toMatch(/neither/);
    expect(parseSince("2027-01-01T00:00:00Z", now)).toMatch(/in the future/);
  });
});

describe("taskOfStream", () => {
  it("takes the task id (first 8 characters) and container from prefix/container/task-id", () => {
    expect(taskOfStream(taskA)).toEqual({ task: "01234567", container: "api" });
  });
});

describe("showLogs", () => {
  it("prints every task's lines once, interleaved by time, each with its task, through empty and partial pages", async () => {
    const logs = new FakeLogs({ pageSize: 2, emptyEvery: 2 });
    const t = Date.UTC(2026, 10, 29, 12);
    logs.put(group, taskA, [
      { timestamp: t + 1, message: "a1" },
      { timestamp: t + 3, message: "a2" },
      { timestamp: t + 5, message: "a3" },
    ]);
    logs.put(group, taskB, [
      { timestamp: t + 2, message: "b1" },
      { timestamp: t + 4, message: "b2" },
    ]);
    logs.put(group, taskB, [{ timestamp: t - 60_000, message: "too old" }]);
    const out = new MemoryOutput();
    const result = await showLogs({ logGroupName: group, startTime: t, follow: false }, { logs, out, clock: new FakeClock() });
    expect(result).toEqual({ lines: 5, interrupted: false });
    expect(out.lines).toEqual([
      "record: [01234567] 2026-11-29T12:00:00.001Z a1",
      "record: [fedcba98] 2026-11-29T12:00:00.002Z b1",
      "record: [01234567] 2026-11-29T12:00:00.003Z a2",
      "record: [fedcba98] 2026-11-29T12:00:00.004Z b2",
      "record: [01234567] 2026-11-29T12:00:00.005Z a3",
    ]);
    expect(out.results[0]).toMatchObject({ task: "01234567", container: "api", message: "a1", stream: taskA });
  });

  it("--follow shows new lines (also late ones) once each, backs off while quiet, and ends at Ctrl-C without an error", async () => {
    const logs = new FakeLogs();
    const clock = new FakeClock();
    const t = clock.now();
    logs.put(group, taskA, [{ timestamp: t - 1000, message: "first" }]);
    const controller = new AbortController();
    clock.onSleep = (n) => {
      if (n === 1) logs.put(group, taskB, [{ timestamp: clock.now(), message: "second" }]);
      // Arrives late: stamped before "second", within the re-read window.
      if (n === 2) logs.put(group, taskA, [{ timestamp: clock.now() - LATE_EVENTS_MS / 2, message: "late" }]);
      if (n === 6) controller.abort();
    };
    const out = new MemoryOutput();
    const result = await showLogs({ logGroupName: group, startTime: t - 60_000, follow: true }, { logs, out, clock, signal: controller.signal });
    expect(result).toEqual({ lines: 3, interrupted: true });
    expect(out.lines.map((l) => l.replace(/^record: \[\w+\] \S+ /, ""))).toEqual(["first", "second", "late"]);
    // After new lines the next poll comes soon; quiet polls back off to the maximum.
    expect(clock.sleeps.slice(0, 3)).toEqual([FOLLOW_POLL.firstMs, FOLLOW_POLL.firstMs, FOLLOW_POLL.firstMs]);
    expect(clock.sleeps.at(-1)).toBeGreaterThan(FOLLOW_POLL.firstMs);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(FOLLOW_POLL.maxMs);
  });

  it("a missing log group says what it means", async () => {
    const logs = new FakeLogs();
    await expect(showLogs({ logGroupName: group, startTime: 0, follow: false }, { logs, out: new MemoryOutput(), clock: new FakeClock() })).rejects.toThrow(
      /Log group \/mlops\/ep-a-prod does not exist/,
    );
  });
});

describe("showLogs with nothing to show", () => {
  it("says so on the progress stream, not as a log line", async () => {
    const logs = new FakeLogs();
    logs.put(group, taskA, [{ timestamp: 1_000, message: "old" }]);
    const out = new MemoryOutput();
    const result = await showLogs({ logGroupName: group, startTime: Date.UTC(2026, 10, 29, 12), follow: false }, { logs, out, clock: new FakeClock() });
    expect(result.lines).toBe(0);
    expect(out.lines).toEqual(["info: No log lines in /mlops/ep-a-prod since 2026-11-29T12:00:00.000Z."]);
  });
});
