/**
 * A stateful fake of the Parameter Store calls the lease makes, behaving as
 * the SSM API reference describes: PutParameter without Overwrite fails with
 * ParameterAlreadyExists on an existing name, DeleteParameter of a missing
 * name fails with ParameterNotFound, GetParametersByPath returns one level
 * below the path, a page at a time (10 by default).
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParametersByPath.html
 * PutParameter can also answer TooManyUpdates ("There are concurrent updates
 * for a resource that supports one update at a time", HTTP 400) when writers
 * collide: `putFailures` injects it.
 */
import type { SsmApi } from "../../src/aws/interfaces.js";
import { AwsError } from "../../src/errors.js";

type Api = SsmApi;

/** Parameter Store in memory. */
export class FakeSsm implements Api {
  readonly parameters = new Map<string, { value: string; version: number }>();
  /** Every call, as "Operation name". */
  readonly calls: string[] = [];
  /** Runs before each PutParameter: tests let another process act in between a read and a write here. */
  beforePut?: (name: string) => Promise<void> | void;
  /** Error codes the next PutParameter calls fail with, one per call (e.g. "TooManyUpdates"), before anything is written. */
  readonly putFailures: string[] = [];
  /** How long every answer takes (real time), as from a distant or loaded region; a call's abortSignal ends the wait. */
  answerDelayMs = 0;

  private async answerLater(signal?: AbortSignal): Promise<void> {
    if (this.answerDelayMs <= 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, this.answerDelayMs);
      signal?.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          reject(new AwsError("SSM: the request was aborted before an answer came.", { code: "AbortError" }));
        },
        { once: true },
      );
    });
  }

  async putParameter(input: Parameters<Api["putParameter"]>[0]) {
    const name = input.Name ?? "";
    await this.beforePut?.(name);
    this.calls.push(`PutParameter ${name}`);
    await this.answerLater();
    const failure = this.putFailures.shift();
    if (failure)
      throw new AwsError(
        `SSM PutParameter: ${failure === "TooManyUpdates" ? "There are concurrent updates for a resource that supports one update at a time." : "Rate exceeded"}`,
        { code: failure },
      );
    const existing = this.parameters.get(name);
    if (existing && !input.Overwrite) {
      throw new AwsError(`SSM PutParameter: The parameter already exists. To overwrite this value, set the overwrite option in the request to true.`, {
        code: "ParameterAlreadyExists",
      });
    }
    const version = (existing?.version ?? 0) + 1;
    this.parameters.set(name, { value: input.Value ?? "", version });
    return { Version: version, Tier: "Standard" as const };
  }

  async getParametersByPath(input: Parameters<Api["getParametersByPath"]>[0]) {
    const path = (input.Path ?? "/").replace(/\/$/, "");
    this.calls.push(`GetParametersByPath ${path}`);
    await this.answerLater();
    const below = [...this.parameters.entries()]
      .filter(([name]) => name.startsWith(`${path}/`) && (input.Recursive || !name.slice(path.length + 1).includes("/")))
      .sort(([a], [b]) => a.localeCompare(b));
    const start = Number(input.NextToken ?? 0);
    const size = input.MaxResults ?? 10;
    const page = below.slice(start, start + size);
    return {
      Parameters: page.map(([name, p]) => ({ Name: name, Value: p.value, Version: p.version, Type: "String" as const })),
      NextToken: start + size < below.length ? String(start + size) : undefined,
    };
  }

  async deleteParameter(input: Parameters<Api["deleteParameter"]>[0], options?: Parameters<Api["deleteParameter"]>[1]) {
    const name = input.Name ?? "";
    this.calls.push(`DeleteParameter ${name}`);
    await this.answerLater(options?.abortSignal);
    if (!this.parameters.delete(name)) throw new AwsError(`SSM DeleteParameter: Parameter ${name} not found.`, { code: "ParameterNotFound" });
    return {};
  }
}
