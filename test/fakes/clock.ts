/**
 * A clock whose sleeps return at once and move time forward, so polling loops
 * run instantly and deterministically in tests.
 */
import type { Clock } from "../../src/deploy/engine/clock.js";
import { InterruptedError } from "../../src/errors.js";

/** Fake time: `sleep(ms)` advances `now()` by `ms` without waiting. */
export class FakeClock implements Clock {
  private current: number;
  /** Every sleep requested, in order. */
  readonly sleeps: number[] = [];
  /** Runs after each sleep (1-based count): tests change the world mid-wait here, e.g. abort a signal. */
  onSleep?: (count: number) => void;

  constructor(start = Date.UTC(2026, 0, 15, 12, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves time forward without a sleep. */
  advance(ms: number): void {
    this.current += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new InterruptedError();
    this.current += ms;
    this.sleeps.push(ms);
    this.onSleep?.(this.sleeps.length);
    // Yield once so other promises settle, as a real timer would allow.
    await Promise.resolve();
    if (signal?.aborted) throw new InterruptedError();
  }
}
