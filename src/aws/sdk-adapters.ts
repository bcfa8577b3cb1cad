/**
 * The interfaces of `interfaces.ts` implemented with the AWS SDK v3: one class
 * per interface (in `sdk/`, one module per service, loaded on first use), one
 * `client.send` per method, every failure through `translateAwsError` so
 * callers only ever see typed mlops errors.
 */
import { translateAwsError } from "./error-translator.js";

/** Settings every adapter knows, so errors can name the endpoint and the profile. */
export interface AdapterContext {
  region: string;
  profile?: string;
  endpointUrl?: string;
}

/** Runs one SDK call and translates its failure. */
export abstract class Adapter {
  constructor(
    private readonly context: AdapterContext,
    private readonly service: string,
  ) {}

  protected async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw translateAwsError(error, { ...this.context, service: this.service, operation });
    }
  }
}
