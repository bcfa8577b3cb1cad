/**
 * Where a command's time went: each changing command times its phases
 * (certificate, stacks, waiting for the image, rollout, validation, ...) and
 * ends with one line that adds them up, so a slow run says what was slow.
 * Phases that ran side by side (see engine/side-by-side.ts) are shown as
 * such, and the total is the wall time, not the sum of the phases.
 */
import { formatDuration } from "./engine/rollout-time.js";
import type { Clock } from "./engine/clock.js";

/** A phase as the summary names it. */
export type Phase =
  "certificate" | "stacks" | "repository" | "pipeline" | "security groups" | "waiting for the image" | "rollout" | "validation" | "dns" | "pipelines" | "data";

/** The seconds each phase took, in the order they first ran. */
export type PhaseSeconds = Partial<Record<Phase, number>>;

/** Times phases of one lane of a side-by-side block. */
export interface PhaseLane {
  /** Runs `work`, adding its time to `phase` (also when it fails). */
  time<T>(phase: Phase, work: () => Promise<T>): Promise<T>;
}

/** Two lanes of phases that ran at the same time, and the block's wall time. */
interface Block {
  kind: "block";
  lanes: [Phase[], Phase[]];
  ms: number;
}

/** Times phases with the command's clock. */
export class PhaseTimes {
  private readonly spent = new Map<Phase, number>();
  private readonly started: number;
  /** What the summary lists, in the order it first ran: a phase on its own, or a block of two lanes. */
  private readonly order: (Phase | Block)[] = [];

  constructor(private readonly clock: Clock) {
    this.started = clock.now();
  }

  /** Runs `work`, adding its time to `phase` (also when it fails: the summary of a failed run says where it stood). */
  async time<T>(phase: Phase, work: () => Promise<T>): Promise<T> {
    if (!this.listed(phase)) this.order.push(phase);
    return this.timed(phase, work);
  }

  /**
   * Runs `work`, whose two lanes run side by side: each lane's phases are added up as usual, the
   * summary shows the lanes beside each other, and the block counts once, by its wall time.
   */
  async beside<T>(work: (lanes: [PhaseLane, PhaseLane]) => Promise<T>): Promise<T> {
    const block: Block = { kind: "block", lanes: [[], []], ms: 0 };
    this.order.push(block);
    const lane = (phases: Phase[]): PhaseLane => ({
      time: (phase, w) => {
        if (!this.listed(phase)) phases.push(phase);
        return this.timed(phase, w);
      },
    });
    const start = this.clock.now();
    try {
      return await work([lane(block.lanes[0]), lane(block.lanes[1])]);
    } finally {
      block.ms = this.clock.now() - start;
    }
  }

  /** Seconds per phase, rounded. */
  seconds(): PhaseSeconds {
    return Object.fromEntries([...this.spent].map(([phase, ms]) => [phase, Math.round(ms / 1000)]));
  }

  /** The wall time so far, in seconds. */
  totalSeconds(): number {
    return Math.round((this.clock.now() - this.started) / 1000);
  }

  /** Whether phases ran side by side. */
  overlapped(): boolean {
    return this.order.some((entry) => typeof entry !== "string" && entry.lanes.every((l) => l.length > 0));
  }

  /** "Time: certificate 2 s, stacks 1 min 3 s, rollout 4 min, validation 5 s (total 5 min 12 s)"; lanes side by side as "a + b beside c + d (20 s)". */
  summary(): string {
    const total = this.clock.now() - this.started;
    const text = (phase: Phase) => `${phase} ${formatDuration(Math.round((this.spent.get(phase) ?? 0) / 1000))}`;
    const parts: string[] = [];
    let counted = 0;
    for (const entry of this.order) {
      if (typeof entry === "string") {
        parts.push(text(entry));
        counted += this.spent.get(entry) ?? 0;
        continue;
      }
      const [a, b] = entry.lanes.map((lane) => lane.map(text).join(" + "));
      if (!a && !b) continue;
      parts.push(a && b ? `${a} beside ${b} (${formatDuration(Math.round(entry.ms / 1000))} together)` : a || b!);
      counted += entry.ms;
    }
    const other = total - counted;
    if (other >= 1000) parts.push(`other ${formatDuration(Math.round(other / 1000))}`);
    return `Time: ${parts.join(", ")} (total ${formatDuration(Math.round(total / 1000))})`;
  }

  private listed(phase: Phase): boolean {
    return this.order.some((entry) => entry === phase || (typeof entry !== "string" && entry.lanes.some((lane) => lane.includes(phase))));
  }

  private async timed<T>(phase: Phase, work: () => Promise<T>): Promise<T> {
    const start = this.clock.now();
    try {
      return await work();
    } finally {
      this.spent.set(phase, (this.spent.get(phase) ?? 0) + (this.clock.now() - start));
    }
  }
}
