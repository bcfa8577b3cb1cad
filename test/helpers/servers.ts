/**
 * Small HTTP servers for tests: one that counts the requests it gets (to
 * prove bad input makes no AWS call), and a fault-injecting proxy in front of
 * the emulator.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A running test server. */
export interface TestServer {
  url: string;
  close(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

/** A server that answers every request with HTTP 500 and counts them. */
export async function startCountingServer(): Promise<TestServer & { count(): number }> {
  let count = 0;
  const server = createServer((_req, res) => {
    count++;
    res.writeHead(500).end("counting server: no AWS call was expected");
  });
  return { url: await listen(server), close: closer(server), count: () => count };
}

/** The kinds of fault the proxy injects, in turn. */
export type Fault = "throttle" | "server-error" | "drop";

/** Counts of what the proxy did. */
export interface ProxyStats {
  forwarded: number;
  faults: Record<Fault, number>;
}

/**
 * A proxy that forwards to `target` but fails every `every`-th request
 * before it reaches the emulator, cycling through throttling (HTTP 429
 * Throttling), HTTP 500 and a dropped connection. Faults happen before
 * forwarding, as when AWS rejects or loses a request, so a retry is the
 * only way to get the work done.
 */
export async function startFaultProxy(target: string, every = 4): Promise<TestServer & { stats: ProxyStats }> {
  const stats: ProxyStats = { forwarded: 0, faults: { throttle: 0, "server-error": 0, drop: 0 } };
  const kinds: Fault[] = ["throttle", "server-error", "drop"];
  let seen = 0;
  let nextKind = 0;
  const targetUrl = new URL(target);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen++;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (seen % every === 0) {
        const kind = kinds[nextKind++ % kinds.length]!;
        stats.faults[kind]++;
        if (kind === "drop") {
          req.socket.destroy();
          return;
        }
        if (kind === "throttle") {
          const json = (req.headers["content-type"] ?? "").includes("json");
          const body = json
            ? JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded (injected)" })
            : `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded (injected)</Message></Error><RequestId>x</RequestId></ErrorResponse>`;
          // 429 is throttling to every AWS protocol, whatever the body says.
          res.writeHead(429, { "content-type": json ? "application/x-amz-json-1.1" : "text/xml", "x-amzn-errortype": "ThrottlingException" }).end(body);
          return;
        }
        res.writeHead(500, { "content-type": "text/plain" }).end("injected internal error");
        return;
      }
      stats.forwarded++;
      const upstream = httpRequest(
        { host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  return { url: await listen(server), close: closer(server), stats };
}

/** One request the slow proxy saw. */
export interface SeenRequest {
  /** Epoch ms when the request reached the proxy. */
  at: number;
  /** The AWS action (`CreateChangeSet`, `PutImage`) or, for REST services, `METHOD /path`. */
  action: string;
  mutating: boolean;
  /** A Parameter Store call on an mlops lease (`/mlops/lease/...`): bookkeeping between mlops commands, not a deployed resource. */
  lease?: boolean;
}

/** Verbs of the AWS actions that change something. */
const MUTATING_ACTION = /^(Create|Update|Delete|Put|Authorize|Revoke|Execute|Start|Stop|Register|Deregister|Request|Add|Remove|Modify|Set|BatchDelete|Continue|Cancel|Tag|Untag|Attach|Detach|Associate|Disassociate|Release|Allocate|Run|Import|Enable|Disable|Invoke|Send)/;

/**
 * The AWS action of a request, by protocol: JSON protocols name it in
 * X-Amz-Target, query protocols (CloudFormation, EC2, ELB) in the form body's
 * `Action`; REST protocols (S3, EFS) by method: anything but GET/HEAD changes.
 */
export function classifyRequest(method: string, path: string, headers: Record<string, string | string[] | undefined>, body: string): { action: string; mutating: boolean } {
  const target = headers["x-amz-target"];
  if (typeof target === "string") {
    const action = target.slice(target.lastIndexOf(".") + 1);
    return { action, mutating: MUTATING_ACTION.test(action) };
  }
  const form = new URLSearchParams(body).get("Action");
  if (form && (headers["content-type"] ?? "").toString().includes("x-www-form-urlencoded")) return { action: form, mutating: MUTATING_ACTION.test(form) };
  return { action: `${method} ${path.split("?")[0]}`, mutating: method !== "GET" && method !== "HEAD" };
}

/**
 * A proxy in front of the emulator that makes each call slow, as AWS is
 * (a delay drawn from `random` between `minDelayMs` and `maxDelayMs`, before
 * forwarding), and records every request with its action.
 */
export async function startSlowProxy(target: string, options: { minDelayMs: number; maxDelayMs: number; random: () => number }): Promise<TestServer & { requests: SeenRequest[] }> {
  const requests: SeenRequest[] = [];
  const targetUrl = new URL(target);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const text = body.toString("utf8");
      const lease = String(req.headers["x-amz-target"] ?? "").startsWith("AmazonSSM.") && text.includes('"/mlops/lease/');
      requests.push({ at, ...classifyRequest(req.method ?? "GET", req.url ?? "/", req.headers, text), ...(lease ? { lease } : {}) });
      const delay = options.minDelayMs + options.random() * (options.maxDelayMs - options.minDelayMs);
      setTimeout(() => {
        const upstream = httpRequest({ host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        upstream.on("error", () => res.destroy());
        upstream.end(body);
      }, delay);
    });
  });
  return { url: await listen(server), close: closer(server), requests };
}

/** A seeded pseudo-random generator (mulberry32): the same seed gives the same moments. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
