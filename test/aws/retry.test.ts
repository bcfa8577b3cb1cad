/**
 * The retry policy: a time budget per call with capped, fully jittered
 * exponential backoff, no retry quota, one progress line per outage, and
 * non-retryable errors at once; and, through a real SDK client against a
 * local server, that it outlasts a blip, that a hung request is abandoned
 * after the request timeout, and that the abort signal ends a call at once.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createAwsClients } from "../../src/aws/clients.js";
import { BudgetRetryStrategy, parseRetrySettings } from "../../src/aws/retry.js";
import { AwsError, InputError, InterruptedError } from "../../src/errors.js";

process.env.AWS_ACCESS_KEY_ID = "test";
process.env.AWS_SECRET_ACCESS_KEY = "test";

const http503 = { errorType: "TRANSIENT" as const, error: Object.assign(new Error("Unknown"), { name: "Unknown", $metadata: { httpStatusCode: 503 } }) };

describe("BudgetRetryStrategy", () => {
  it("retries for the whole budget, however many attempts that takes: no retry quota cuts it short", async () => {
    let now = 0;
    const strategy = new BudgetRetryStrategy(
      { budgetMs: 60_000, requestTimeoutMs: 30_000 },
      () => now,
      () => 1,
    );
    // Many calls failing at once (an outage) must not drain a shared quota.
    for (let call = 0; call < 50; call++) {
      let token = await strategy.acquireInitialRetryToken("");
      for (let retry = 0; retry < 5; retry++) token = await strategy.refreshRetryTokenForRetry(token, http503);
    }
    let token = await strategy.acquireInitialRetryToken("");
    const delays: number[] = [];
    for (;;) {
      try {
        token = await strategy.refreshRetryTokenForRetry(token, http503);
      } catch {
        break;
      }
      delays.push(token.getRetryDelay());
      now += token.getRetryDelay() + 100;
    }
    // Capped exponential: 250 ms doubling to 10 s; then the budget's end.
    expect(delays.slice(0, 7)).toEqual([250, 500, 1000, 2000, 4000, 8000, 10000]);
    expect(now).toBeGreaterThanOrEqual(60_000);
    expect(delays.length).toBeGreaterThan(8);
  });

  it("uses full jitter: a random share of the backoff, never more than what is left of the budget", async () => {
    let now = 0;
    const strategy = new BudgetRetryStrategy(
      { budgetMs: 3_000, requestTimeoutMs: 30_000 },
      () => now,
      () => 0.5,
    );
    let token = await strategy.acquireInitialRetryToken("");
    token = await strategy.refreshRetryTokenForRetry(token, http503);
    expect(token.getRetryDelay()).toBe(125);
    now = 2_990;
    token = await strategy.refreshRetryTokenForRetry(token, http503);
    expect(token.getRetryDelay()).toBeLessThanOrEqual(10);
    now = 3_000;
    await expect(strategy.refreshRetryTokenForRetry(token, http503)).rejects.toThrow();
  });

  it("does not retry client errors, 501 or a quota; throttling backs off from 1 s", async () => {
    const strategy = new BudgetRetryStrategy(
      { budgetMs: 60_000, requestTimeoutMs: 30_000 },
      () => 0,
      () => 1,
    );
    const token = await strategy.acquireInitialRetryToken("");
    await expect(
      strategy.refreshRetryTokenForRetry(token, { errorType: "CLIENT_ERROR", error: Object.assign(new Error("x"), { name: "ValidationError" }) }),
    ).rejects.toThrow();
    await expect(
      strategy.refreshRetryTokenForRetry(token, { errorType: "SERVER_ERROR", error: Object.assign(new Error("x"), { $metadata: { httpStatusCode: 501 } }) }),
    ).rejects.toThrow();
    await expect(
      strategy.refreshRetryTokenForRetry(token, {
        errorType: "THROTTLING",
        error: Object.assign(new Error("x"), { name: "LimitExceededException", $metadata: { httpStatusCode: 400 } }),
      }),
    ).rejects.toThrow();
    const throttled = await strategy.refreshRetryTokenForRetry(token, {
      errorType: "THROTTLING",
      error: Object.assign(new Error("x"), { name: "Throttling", $metadata: { httpStatusCode: 400 } }),
    });
    expect(throttled.getRetryDelay()).toBe(1000);
  });

  it("says once per outage that it retries, naming the fault; a success ends the outage", async () => {
    const notices: string[] = [];
    const strategy = new BudgetRetryStrategy(
      { budgetMs: 60_000, requestTimeoutMs: 30_000, onRetry: (n) => notices.push(n) },
      () => 0,
      () => 0,
    );
    const first = await strategy.acquireInitialRetryToken("");
    await strategy.refreshRetryTokenForRetry(await strategy.refreshRetryTokenForRetry(first, http503), http503);
    await strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(""), http503);
    expect(notices).toEqual(["AWS answered 503; retrying for up to 60 s."]);
    strategy.recordSuccess(first);
    const refused = { errorType: "TRANSIENT" as const, error: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) };
    await strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(""), refused);
    expect(notices[1]).toBe("AWS refused the connection (ECONNREFUSED); retrying for up to 60 s.");
  });
});

describe("parseRetrySettings", () => {
  it("defaults to 60 s and 30 s, reads seconds, and calls anything else bad input", () => {
    expect(parseRetrySettings({})).toMatchObject({ budgetMs: 60_000, requestTimeoutMs: 30_000 });
    expect(parseRetrySettings({ retryBudget: "120", requestTimeout: "2.5" })).toMatchObject({ budgetMs: 120_000, requestTimeoutMs: 2_500 });
    expect(() => parseRetrySettings({ retryBudget: "a minute" })).toThrow(InputError);
    expect(() => parseRetrySettings({ requestTimeout: "0" })).toThrow(/--request-timeout/);
  });
});

describe("through the SDK", () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    server = undefined;
  });

  /** A CloudFormation endpoint whose answers `answer` decides, per request number. */
  async function endpoint(answer: (n: number, res: import("node:http").ServerResponse) => void): Promise<{ url: string; requests: () => number }> {
    let n = 0;
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => answer(++n, res));
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => n };
  }
  const ok = (res: import("node:http").ServerResponse) =>
    res
      .writeHead(200, { "content-type": "text/xml" })
      .end("<DescribeStacksResponse><DescribeStacksResult><Stacks/></DescribeStacksResult></DescribeStacksResponse>");

  it("outlasts a second of 503 pages, which the SDK's 5 attempts did not", async () => {
    let started = 0;
    const site = await endpoint((n, res) =>
      (n === 1 && (started = Date.now())) || Date.now() - started < 1_000
        ? res.writeHead(503, { "content-type": "text/html" }).end("<html>503</html>")
        : ok(res),
    );
    const notices: string[] = [];
    const aws = await createAwsClients({
      region: "us-east-1",
      endpointUrl: site.url,
      retry: { budgetMs: 10_000, requestTimeoutMs: 2_000, onRetry: (n) => notices.push(n) },
    });
    await expect(aws.cloudFormation.describeStacks({})).resolves.toBeDefined();
    expect(site.requests()).toBeGreaterThan(2);
    expect(notices).toEqual(["AWS answered 503; retrying for up to 10 s."]);
  });

  it("fails at once on a client error", async () => {
    const site = await endpoint((_n, res) =>
      res
        .writeHead(400, { "content-type": "text/xml" })
        .end("<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>bad</Message></Error></ErrorResponse>"),
    );
    const aws = await createAwsClients({ region: "us-east-1", endpointUrl: site.url, retry: { budgetMs: 10_000, requestTimeoutMs: 2_000 } });
    await expect(aws.cloudFormation.describeStacks({})).rejects.toThrow(AwsError);
    expect(site.requests()).toBe(1);
  });

  it("abandons a request held unanswered after the request timeout and retries it", async () => {
    const site = await endpoint((n, res) => (n === 1 ? undefined : ok(res)));
    const aws = await createAwsClients({ region: "us-east-1", endpointUrl: site.url, retry: { budgetMs: 10_000, requestTimeoutMs: 300 } });
    const started = Date.now();
    await expect(aws.cloudFormation.describeStacks({})).resolves.toBeDefined();
    expect(site.requests()).toBe(2);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("the abort signal ends a request held unanswered at once", async () => {
    const site = await endpoint(() => undefined);
    const controller = new AbortController();
    const aws = await createAwsClients({
      region: "us-east-1",
      endpointUrl: site.url,
      retry: { budgetMs: 60_000, requestTimeoutMs: 30_000 },
      signal: controller.signal,
    });
    const call = aws.cloudFormation.describeStacks({});
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await expect(call).rejects.toThrow(InterruptedError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
