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

/** How to retry a call that fails for a passing reason. */
export interface RetryOptions {
  clock: Clock;
  signal?: AbortSignal;
  /** Total time to keep trying. */
  timeoutMs: number;
  delayMs: number;
  /** Called before each retry, e.g. to say why the command waits. */
  onRetry?: (error: unknown) => void;
}

/** Calls `call` again while it fails with an error `passing` accepts, until the time is up; then the last error stands. */
export async function retryWhile<T>(call: () => Promise<T>, passing: (error: unknown) => boolean, options: RetryOptions): Promise<T> {
  const deadline = options.clock.now() + options.timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!passing(error) || options.clock.now() >= deadline) throw error;
      options.onRetry?.(error);
      await options.clock.sleep(options.delayMs, options.signal);
    }
  }
}
