/**
 * Waiting for something in AWS to become true, with a deadline, without
 * hammering the API, and stoppable with Ctrl-C.
 */
import { AwsError, InterruptedError } from "../errors.js";
import type { Clock } from "./clock.js";

/** How to wait. */
export interface PollOptions {
  clock: Clock;
  signal?: AbortSignal;
  intervalMs: number;
  timeoutMs: number;
  /** What is awaited, for the timeout message (e.g. "image tag-abc in ECR"). */
  what: string;
  /** What to do when the deadline passes. */
  hint?: string;
}

/** The result of one check: done with a value, or not yet with a status line. */
export type PollCheck<T> = { done: true; value: T } | { done: false; status?: string };

/** Calls `check` until it reports done; rejects with AwsError on timeout, InterruptedError on abort. */
export async function pollUntil<T>(check: () => Promise<PollCheck<T>>, options: PollOptions): Promise<T> {
  const deadline = options.clock.now() + options.timeoutMs;
  let lastStatus: string | undefined;
  for (;;) {
    if (options.signal?.aborted) throw new InterruptedError(`Interrupted while waiting for ${options.what}.`);
    const result = await check();
    if (result.done) return result.value;
    lastStatus = result.status ?? lastStatus;
    if (options.clock.now() >= deadline) {
      const seconds = Math.round(options.timeoutMs / 1000);
      throw new AwsError(`Timed out after ${seconds}s waiting for ${options.what}${lastStatus ? ` (last seen: ${lastStatus})` : ""}.`, {
        hint: options.hint,
      });
    }
    await options.clock.sleep(options.intervalMs, options.signal);
  }
}
