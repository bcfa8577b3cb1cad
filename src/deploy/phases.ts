/**
 * Where a command's time went: each changing command times its phases
 * (certificate, stacks, waiting for the image, rollout, validation, ...) and
 * ends with one line that adds them up, so a slow run says what was slow.
 */
import { formatDuration } from "./engine/rollout-time.js";
import type { Clock } from "./engine/clock.js";

/** A phase as the summary names it. */
export type Phase =
  "certificate" | "stacks" | "pipeline" | "security groups" | "waiting for the image" | "rollout" | "validation" | "dns" | "pipelines" | "data";

/** The seconds each phase took, in the order they first ran. */
export type PhaseSeconds = Partial<Record<Phase, number>>;

/** Times phases with the command's clock. */
export class PhaseTimes {
  private readonly spent = new Map<Phase, number>();
  private readonly started: number;

  constructor(private readonly clock: Clock) {
    this.started = clock.now();
  }

  /** Runs `work`, adding its time to `phase` (also when it fails: the summary of a failed run says where it stood). */
  async time<T>(phase: Phase, work: () => Promise<T>): Promise<T> {
    const start = this.clock.now();
    try {
      return await work();
    } finally {
      this.spent.set(phase, (this.spent.get(phase) ?? 0) + (this.clock.now() - start));
    }
  }

  /** Seconds per phase, rounded. */
  seconds(): PhaseSeconds {
    return Object.fromEntries([...this.spent].map(([phase, ms]) => [phase, Math.round(ms / 1000)]));
  }

  /** "Time: certificate 2 s, stacks 1 min 3 s, rollout 4 min, validation 5 s (total 5 min 12 s)". */
  summary(): string {
    const total = this.clock.now() - this.started;
    const parts = [...this.spent].map(([phase, ms]) => `${phase} ${formatDuration(Math.round(ms / 1000))}`);
    const other = total - [...this.spent.values()].reduce((a, b) => a + b, 0);
    if (other >= 1000) parts.push(`other ${formatDuration(Math.round(other / 1000))}`);
    return `Time: ${parts.join(", ")} (total ${formatDuration(Math.round(total / 1000))})`;
  }
}
