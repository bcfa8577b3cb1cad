/**
 * How every AWS call survives a blip: a retry strategy for the SDK that keeps
 * retrying throttling, 5xx answers, resets, refused connections and timeouts
 * for a time budget (not a number of attempts), with capped exponential backoff
 * and full jitter, and the per-request timeouts after which an attempt counts
 * as failed. One place, so every client gets the same policy.
 *
 * Why not the SDK's own strategies: `StandardRetryStrategy` counts attempts
 * (its 3 to 5 are spent in well under a second on a 503) and draws on a retry
 * quota of 500 tokens per client (5 per retry, 10 per timeout) that stops all
 * retries once a long outage has emptied it, so a budget in seconds cannot be
 * built from it. This strategy has no quota: the budget is per call.
 * See https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
import { InputError } from "../errors.js";

/** Retries keep going this long per call unless configured otherwise (`--retry-budget`, `MLOPS_RETRY_BUDGET`). */
export const defaultRetryBudgetSeconds = 60;
/** One attempt may take this long before it is abandoned and retried (`--request-timeout`, `MLOPS_REQUEST_TIMEOUT`). */
export const defaultRequestTimeoutSeconds = 30;

/** The first backoff's ceiling; it doubles per retry up to `maxDelayMs`. */
const baseDelayMs = 250;
/** Throttling starts slower: AWS asked us to send less. */
const throttlingBaseDelayMs = 1_000;
const maxDelayMs = 10_000;
/** TCP connect longer than this means the host is not answering; never longer than the request timeout. */
const maxConnectionTimeoutMs = 10_000;

/** The retry and timeout policy of every client. */
export interface RetrySettings {
  /** Total time a call keeps retrying, from its first attempt. */
  budgetMs: number;
  /** Time one attempt may take, from sending to the whole answer. */
  requestTimeoutMs: number;
  /** Told once per outage, when a call starts retrying, in words a user reads. */
  onRetry?: (notice: string) => void;
}

/** The retry settings from the flags or their environment variables; bad values are bad input (exit 2). */
export function parseRetrySettings(values: { retryBudget?: string; requestTimeout?: string }, onRetry?: (notice: string) => void): RetrySettings {
  const seconds = (raw: string | undefined, flag: string, fallback: number, min: number): number => {
    if (raw === undefined || raw.trim() === "") return fallback;
    const value = Number(raw.trim());
    if (!Number.isFinite(value) || value < min || value > 3600) {
      throw new InputError([{ path: flag, message: `${JSON.stringify(raw)} is not a number of seconds between ${min} and 3600` }], `E.g. ${flag} ${fallback}.`);
    }
    return value;
  };
  return {
    budgetMs: seconds(values.retryBudget, "--retry-budget", defaultRetryBudgetSeconds, 0) * 1000,
    requestTimeoutMs: seconds(values.requestTimeout, "--request-timeout", defaultRequestTimeoutSeconds, 0.1) * 1000,
    onRetry,
  };
}

/** The SDK client options that carry the policy: the retry strategy and the HTTP handler's timeouts. */
export function clientRetryConfig(settings: RetrySettings) {
  return {
    retryStrategy: new BudgetRetryStrategy(settings),
    requestHandler: {
      connectionTimeout: Math.min(maxConnectionTimeoutMs, settings.requestTimeoutMs),
      requestTimeout: settings.requestTimeoutMs,
      // Without it the SDK only logs a warning when the request timeout passes, and keeps waiting.
      throwOnRequestTimeout: true,
    },
  };
}

/** What the SDK's retry middleware tells a strategy about a failed attempt (the `@smithy/types` shape). */
interface RetryErrorInfo {
  error?: unknown;
  errorType: "TRANSIENT" | "THROTTLING" | "SERVER_ERROR" | "CLIENT_ERROR";
  retryAfterHint?: Date;
}

/** A call's retry state: when it started, how often it retried, and how long to wait before the next attempt. */
class BudgetRetryToken {
  constructor(
    readonly startedAt: number,
    private readonly count: number,
    private readonly delayMs: number,
  ) {}
  getRetryCount(): number {
    return this.count;
  }
  getRetryDelay(): number {
    return this.delayMs;
  }
}

/**
 * The SDK's `RetryStrategyV2` with a time budget per call. The middleware
 * sleeps the token's delay itself, racing the call's abort signal, so Ctrl-C
 * ends a backoff at once.
 */
export class BudgetRetryStrategy {
  /** Set while an outage has been announced; a success ends it, so the next outage is announced again. */
  private announced = false;

  constructor(
    private readonly settings: RetrySettings,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** Starts a call's budget. */
  async acquireInitialRetryToken(_scope: string): Promise<BudgetRetryToken> {
    return new BudgetRetryToken(this.now(), 0, 0);
  }

  /** A token for the next attempt, or a rejection when the error is not worth retrying or the budget is spent. */
  async refreshRetryTokenForRetry(token: BudgetRetryToken, info: RetryErrorInfo): Promise<BudgetRetryToken> {
    if (!isRetryable(info)) throw new Error("not retryable");
    const elapsed = this.now() - token.startedAt;
    const left = this.settings.budgetMs - elapsed;
    if (left <= 0) throw new Error("retry budget spent");
    const retry = token.getRetryCount();
    const base = info.errorType === "THROTTLING" ? throttlingBaseDelayMs : baseDelayMs;
    // Full jitter: many clients hit by one outage do not come back in step.
    let delay = this.random() * Math.min(maxDelayMs, base * 2 ** retry);
    const hinted = info.retryAfterHint ? info.retryAfterHint.getTime() - this.now() : 0;
    if (hinted > delay) delay = Math.min(hinted, maxDelayMs);
    delay = Math.min(delay, left);
    if (!this.announced) {
      this.announced = true;
      this.settings.onRetry?.(`${describeFault(info, this.settings)}; retrying for up to ${formatSeconds(this.settings.budgetMs)}.`);
    }
    return new BudgetRetryToken(token.startedAt, retry + 1, Math.round(delay));
  }

  /** A call succeeded: the outage, if any, is over. */
  recordSuccess(_token: BudgetRetryToken): void {
    this.announced = false;
  }
}

/** The SDK's classification, narrowed: 501 means the endpoint lacks the call, and a quota is not a passing state. */
function isRetryable(info: RetryErrorInfo): boolean {
  if (info.errorType === "CLIENT_ERROR") return false;
  const error = info.error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = error?.$metadata?.httpStatusCode;
  if (status === 501) return false;
  if (error?.name === "LimitExceededException" && status !== 429) return false;
  return true;
}

/** One line naming the fault: the HTTP status, the throttling code, or what happened to the connection. */
export function describeFault(info: RetryErrorInfo, settings: Pick<RetrySettings, "requestTimeoutMs">): string {
  const error = info.error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = error?.$metadata?.httpStatusCode;
  // The SDK's request timeout carries ETIMEDOUT too; its connection timeout carries no code.
  if (error?.name === "TimeoutError") {
    return /establish a connection/.test(error.message ?? "")
      ? "AWS did not accept the connection in time"
      : `AWS did not answer within ${formatSeconds(settings.requestTimeoutMs)}`;
  }
  if (info.errorType === "THROTTLING")
    return `AWS is throttling requests (${status === 429 || !error?.name || error.name === "Error" ? `HTTP ${status ?? 429}` : error.name})`;
  switch (error?.code) {
    case "ECONNREFUSED":
      return "AWS refused the connection (ECONNREFUSED)";
    case "ECONNRESET":
    case "EPIPE":
      return `AWS dropped the connection (${error.code})`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `The AWS endpoint's name does not resolve (${error.code})`;
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `AWS cannot be reached (${error.code})`;
  }
  if (status !== undefined) return `AWS answered ${status}`;
  return `AWS call failed (${error?.name ?? "unknown error"})`;
}

function formatSeconds(ms: number): string {
  return `${Math.round((ms / 1000) * 10) / 10} s`;
}
