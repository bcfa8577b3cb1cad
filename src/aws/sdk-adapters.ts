/**
 * The interfaces of `interfaces.ts` implemented with the AWS SDK v3: one class
 * per interface (in `sdk/`, one module per service, loaded on first use), one
 * `client.send` per method, every failure through `translateAwsError` so
 * callers only ever see typed mlops errors.
 */
import { InterruptedError } from "../errors.js";
import { translateAwsError } from "./error-translator.js";

/** Settings every adapter knows, so errors can name the endpoint and the profile. */
export interface AdapterContext {
  region: string;
  profile?: string;
  endpointUrl?: string;
  /** Ctrl-C: ends the request in flight and any backoff at once. */
  signal?: AbortSignal;
  /** The retry policy's limits, for the messages of errors that outlasted them. */
  retryBudgetMs?: number;
  requestTimeoutMs?: number;
}

/** Runs one SDK call and translates its failure. */
export abstract class Adapter {
  constructor(
    private readonly context: AdapterContext,
    private readonly service: string,
    /** The service's prefix in IAM actions, so a permission hint names the action to allow. */
    private readonly iamPrefix: string,
  ) {}

  protected async call<T>(operation: string, send: (options: { abortSignal?: AbortSignal }) => Promise<T>): Promise<T> {
    const signal = this.context.signal;
    if (signal?.aborted) throw new InterruptedError(`Interrupted before ${this.service} ${operation}.`);
    try {
      return await send({ abortSignal: signal });
    } catch (error) {
      if (signal?.aborted) throw new InterruptedError(`Interrupted during ${this.service} ${operation}.`);
      throw translateAwsError(error, { ...this.context, service: this.service, iamPrefix: this.iamPrefix, operation });
    }
  }
}
