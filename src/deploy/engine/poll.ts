/**
 * Waiting for something in AWS to become true, with a deadline, without
 * hammering the API, and stoppable with Ctrl-C.
 */
import { AwsError, InterruptedError } from "../../errors.js";
import type { LiveRegion, Output } from "../../io/output.js";
import type { Clock } from "./clock.js";
import { formatElapsed } from "./stack-progress.js";

/** How to wait. */
export interface PollOptions {
  clock: Clock;
  signal?: AbortSignal;
  /** The longest wait between two checks; the first waits are shorter (see `PollBackoff`). */
  intervalMs: number;
  timeoutMs: number;
  /** What is awaited, for the timeout message (e.g. "image tag-abc in ECR"). */
  what: string;
  /** What to do when the deadline passes. */
  hint?: string;
  /** Where to show the wait with its elapsed time; without it the caller shows progress itself. */
  out?: Output;
}

/** The result of one check: done with a value, or not yet with a status line. */
export type PollCheck<T> = { done: true; value: T } | { done: false; status?: string };

/** Calls `check` until it reports done; rejects with AwsError on timeout, InterruptedError on abort. */
export async function pollUntil<T>(check: () => Promise<PollCheck<T>>, options: PollOptions): Promise<T> {
  const started = options.clock.now();
  const deadline = started + options.timeoutMs;
  const line = options.out ? new WaitLine(options.out, options.clock, options.what, started, options.timeoutMs) : undefined;
  // Something that is ready a moment after the first check (an image pushed meanwhile, a rollout the
  // emulator completes at once) is seen a moment later, not a whole interval later.
  const delays = new PollBackoff({ firstMs: Math.min(STACK_POLL.firstMs, options.intervalMs), maxMs: options.intervalMs, throttledMs: options.intervalMs });
  let lastStatus: string | undefined;
  try {
    for (;;) {
      if (options.signal?.aborted) throw new InterruptedError(`Interrupted while waiting for ${options.what}.`);
      const result = await check();
      if (result.done) return result.value;
      lastStatus = result.status ?? lastStatus;
      if (options.clock.now() >= deadline) {
        throw new AwsError(
          `Timed out after ${formatDuration(options.timeoutMs)} waiting for ${options.what}${lastStatus ? ` (last seen: ${lastStatus})` : ""}.`,
          {
            hint: options.hint,
          },
        );
      }
      line?.show(lastStatus);
      await options.clock.sleep(delays.next(), options.signal);
    }
  } finally {
    line?.close();
  }
}

/** `90 s`, `5 min`, `1 min 30 s`: a deadline as people say it. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

/** How often a log (no terminal) hears that a wait goes on when nothing else changes. */
const LOG_REPEAT_MS = 60_000;

/**
 * One line for a wait: on a terminal redrawn in place with the elapsed time;
 * in logs printed when the status changes and once a minute, since a line per
 * poll would fill CI logs.
 */
class WaitLine {
  private readonly region?: LiveRegion;
  private lastPrinted = -Infinity;
  private lastStatus?: string;

  constructor(
    private readonly out: Output,
    private readonly clock: Clock,
    private readonly what: string,
    private readonly started: number,
    private readonly timeoutMs: number,
  ) {
    if (out.interactive) this.region = out.live();
  }

  show(status: string | undefined): void {
    const now = this.clock.now();
    const text = `Waiting for ${this.what}: ${formatElapsed(now - this.started)} of up to ${formatDuration(this.timeoutMs)}${status ? ` (${status})` : ""}`;
    if (this.region) {
      this.region.update([text]);
      return;
    }
    if (status === this.lastStatus && now - this.lastPrinted < LOG_REPEAT_MS) return;
    this.lastStatus = status;
    this.lastPrinted = now;
    this.out.info(text);
  }

  close(): void {
    this.region?.close();
  }
}

/** How to retry a call that fails for a passing reason. */
export interface RetryOptions {
  clock: Clock;
  signal?: AbortSignal;
  /** Total time to keep trying. */
  timeoutMs: number;
  /** Between two tries: a fixed delay, or successive delays (the last one repeating). */
  delayMs: number | readonly number[];
  /** Called before each retry, e.g. to say why the command waits. */
  onRetry?: (error: unknown) => void;
}

/** Calls `call` again while it fails with an error `passing` accepts, until the time is up; then the last error stands. */
export async function retryWhile<T>(call: () => Promise<T>, passing: (error: unknown) => boolean, options: RetryOptions): Promise<T> {
  const deadline = options.clock.now() + options.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!passing(error) || options.clock.now() >= deadline) throw error;
      options.onRetry?.(error);
      const delays = options.delayMs;
      const delay = typeof delays === "number" ? delays : (delays[Math.min(attempt, delays.length - 1)] ?? 15_000);
      await options.clock.sleep(Math.min(delay, deadline - options.clock.now()), options.signal);
    }
  }
}

/** How to read back a change AWS has just accepted. */
export interface ReadBackOptions {
  clock: Clock;
  signal?: AbortSignal;
  /** Total time to keep reading; default `READ_BACK_MS`. */
  timeoutMs?: number;
}

/**
 * How long a change AWS accepted may stay invisible to reads. AWS documents its APIs as
 * eventually consistent: "the results of an API command you run might not be immediately
 * visible to all subsequent commands" (EC2: https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html;
 * IAM: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
 * Seconds in practice; a minute before calling it missing.
 */
export const READ_BACK_MS = 60_000;

/** Delays between reads: quick at first, then every 15 s. */
export const READ_BACK_DELAYS_MS: readonly number[] = [1_000, 2_000, 4_000, 8_000, 15_000];

/** Reads until `visible` is true, backing off, for about a minute; false when it never shows. */
export async function readBack(visible: () => Promise<boolean>, options: ReadBackOptions): Promise<boolean> {
  const deadline = options.clock.now() + (options.timeoutMs ?? READ_BACK_MS);
  for (let attempt = 0; ; attempt++) {
    if (await visible()) return true;
    const left = deadline - options.clock.now();
    if (left <= 0) return false;
    const delay = READ_BACK_DELAYS_MS[Math.min(attempt, READ_BACK_DELAYS_MS.length - 1)] ?? 15_000;
    await options.clock.sleep(Math.min(delay, left), options.signal);
  }
}

/** How polling delays grow. */
export interface BackoffOptions {
  /** The first delay: short, so an operation that settles at once is noticed at once. */
  firstMs: number;
  /** The delay it grows to and stays at. */
  maxMs: number;
  /** The delay after AWS throttled a read: slower than `maxMs`. */
  throttledMs: number;
}

/**
 * Fast at first, then backing off to the 2-5 s that other CloudFormation
 * tools poll at against AWS (rain sleeps 2 s between reads, the CDK CLI
 * waits 5 s): an emulator or a no-op settles within a second and is
 * noticed within a second, a real stack update takes minutes and is not
 * polled harder than those tools do.
 */
export const STACK_POLL: BackoffOptions = { firstMs: 250, maxMs: 3000, throttledMs: 10_000 };

/** Delays between polls: each `next()` is 1.5 times the last, up to the maximum; `throttled()` slows down for good. */
export class PollBackoff {
  private delay: number;
  private throttledOnce = false;

  /** A fixed `intervalMs` (tests, or a caller that knows better) replaces the growth. */
  constructor(
    private readonly options: BackoffOptions,
    private readonly intervalMs?: number,
  ) {
    this.delay = intervalMs ?? options.firstMs;
  }

  /** The delay to wait before the next poll. */
  next(): number {
    if (this.throttledOnce) return this.options.throttledMs;
    const current = this.delay;
    if (this.intervalMs === undefined) this.delay = Math.min(this.options.maxMs, Math.round(this.delay * 1.5));
    return current;
  }

  /** AWS throttled a read: every later delay is the throttled one. */
  throttled(): void {
    this.throttledOnce = true;
  }
}
