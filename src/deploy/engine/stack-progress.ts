/**
 * Shows a stack operation as it happens. On a terminal: a table, one row per
 * resource, redrawn in place so a person sees what is still running and for
 * how long. In logs: one line per event, since redrawing means nothing there.
 */
import type { StackEvent } from "../../aws/interfaces.js";
import type { LiveRegion, Output } from "../../io/output.js";
import type { Clock } from "./clock.js";
import { isStackEvent } from "./root-cause.js";

interface Row {
  logicalId: string;
  type: string;
  status: string;
  reason?: string;
  /** Local clock times, not event timestamps: the machine's clock may be skewed from AWS's. */
  firstSeen: number;
  lastChange: number;
}

const MAX_REASON = 100;
/** In logs, how long a stack operation may run without a line before one says it still runs. */
const QUIET_LINE_MS = 60_000;

/** Live progress of one stack operation. */
export class StackProgress {
  private readonly region: LiveRegion;
  private readonly rows = new Map<string, Row>();
  private readonly started: number;
  private stackStatus = "";
  private sidecar?: string;
  /** Logs only: when a line was last printed, for the once-a-minute "still running" line. */
  private lastPrinted: number;

  constructor(
    private readonly out: Output,
    private readonly clock: Clock,
    private readonly stackName: string,
  ) {
    this.region = out.live();
    this.started = clock.now();
    this.lastPrinted = this.started;
  }

  /** Takes new events (oldest first), the stack's current status and an extra status line, and shows them. */
  update(events: readonly StackEvent[], stackStatus?: string, sidecar?: string): void {
    if (stackStatus) this.stackStatus = stackStatus;
    if (!this.out.interactive) {
      // Only new lines: a log reader wants each event once, and each change of the extra line.
      const lines = events.map((event) => formatEventLine(event, this.stackName));
      if (sidecar && sidecar !== this.sidecar) lines.push(sidecar);
      this.sidecar = sidecar ?? this.sidecar;
      const now = this.clock.now();
      // A quiet stack still says, once a minute, that it is running and for how long.
      if (lines.length === 0 && now - this.lastPrinted >= QUIET_LINE_MS && this.stackStatus.endsWith("_IN_PROGRESS")) {
        lines.push(`${this.stackName}  ${this.stackStatus}  ${formatElapsed(now - this.started)} so far`);
      }
      if (lines.length > 0) {
        this.region.update(lines);
        this.lastPrinted = now;
      }
      return;
    }
    this.sidecar = sidecar;
    const now = this.clock.now();
    for (const event of events) {
      if (isStackEvent(event)) {
        if (event.ResourceStatus) this.stackStatus = event.ResourceStatus;
        continue;
      }
      const logicalId = event.LogicalResourceId || "(unnamed)";
      const row = this.rows.get(logicalId);
      const status = event.ResourceStatus ?? "";
      const reason = event.ResourceStatusReason || undefined;
      if (row) {
        if (row.status !== status) row.lastChange = now;
        row.status = status;
        row.reason = reason;
        row.type = event.ResourceType || row.type;
      } else {
        this.rows.set(logicalId, { logicalId, type: event.ResourceType || "", status, reason, firstSeen: now, lastChange: now });
      }
    }
    const table = renderTable(this.stackName, this.stackStatus, [...this.rows.values()], now - this.started, now);
    this.region.update(this.sidecar ? [...table, `  ${this.sidecar}`] : table);
  }

  /** Leaves the last state on screen. */
  close(): void {
    this.region.close();
  }
}

/** One log line for one event: `12:03:04  Service  AWS::ECS::Service  CREATE_FAILED  reason`. */
export function formatEventLine(event: StackEvent, stackName: string): string {
  const time = event.Timestamp ? new Date(event.Timestamp).toTimeString().slice(0, 8) : "--:--:--";
  const name = event.LogicalResourceId || (isStackEvent(event) ? stackName : "(unnamed)");
  const parts = [time, name, event.ResourceType || "-", event.ResourceStatus ?? "?"];
  if (event.ResourceStatusReason) parts.push(event.ResourceStatusReason);
  return parts.join("  ");
}

/** The terminal table: a header line for the stack, then one row per resource. */
function renderTable(stackName: string, stackStatus: string, rows: Row[], stackElapsed: number, now: number): string[] {
  const idWidth = Math.max(11, ...rows.map((r) => r.logicalId.length));
  const typeWidth = Math.max(4, ...rows.map((r) => r.type.length));
  const statusWidth = Math.max(6, ...rows.map((r) => r.status.length));
  const lines = [`${stackName}  ${stackStatus || "…"}  ${formatElapsed(stackElapsed)}`];
  for (const row of rows) {
    const running = row.status.endsWith("_IN_PROGRESS");
    const elapsed = (running ? now : row.lastChange) - row.firstSeen;
    let line = `  ${row.logicalId.padEnd(idWidth)}  ${row.type.padEnd(typeWidth)}  ${row.status.padEnd(statusWidth)}  ${formatElapsed(elapsed)}`;
    if (row.reason && row.status.endsWith("_FAILED")) line += `  ${truncate(row.reason, MAX_REASON)}`;
    lines.push(line);
  }
  return lines;
}

/** `m:ss`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
