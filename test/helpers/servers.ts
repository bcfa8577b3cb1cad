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
      const upstream = httpRequest({ host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on("error", () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  return { url: await listen(server), close: closer(server), stats };
}

/** Faults the window proxy injects for a stretch of time. */
export type WindowFault = "server-unavailable" | "throttle" | "refuse" | "hold";

/** What the window proxy did, per fault. */
export interface WindowProxyStats {
  forwarded: number;
  injected: Record<WindowFault, number>;
  /** Connections refused while the port was closed, seen as failed attempts by the client (approximate: counted on reopening). */
  windows: { fault: WindowFault; startedAtRequest: number; ms: number }[];
}

/** A proxy that forwards to the emulator, and injects a fault for a window of time once armed. */
export interface WindowProxy extends TestServer {
  stats: WindowProxyStats;
  /**
   * After `afterRequests` more requests, injects `fault` for `ms`:
   * `server-unavailable` answers HTML 503 pages (an outage behind a load balancer),
   * `throttle` answers throttling alternately as HTTP 400 ThrottlingException (in the request's protocol) and HTTP 429,
   * `refuse` closes the port (connections are refused) and drops open connections,
   * `hold` accepts the next request and never answers it (`ms` is ignored; it stays held until close).
   */
  arm(fault: WindowFault, afterRequests: number, ms: number): void;
  /** Resolves once the armed window has ended (or at once when none is armed or open). */
  windowDone(): Promise<void>;
}

function throttlingAnswer(req: IncomingMessage, res: ServerResponse, status: 400 | 429): void {
  const json = (req.headers["content-type"] ?? "").includes("json");
  const body = json
    ? JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded (injected)" })
    : `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded (injected)</Message></Error><RequestId>injected</RequestId></ErrorResponse>`;
  res.writeHead(status, { "content-type": json ? "application/x-amz-json-1.1" : "text/xml", "x-amzn-errortype": "ThrottlingException" }).end(body);
}

/** Starts a window proxy in front of `target` (the emulator). */
export async function startWindowProxy(target: string): Promise<WindowProxy> {
  const stats: WindowProxyStats = { forwarded: 0, injected: { "server-unavailable": 0, throttle: 0, refuse: 0, hold: 0 }, windows: [] };
  const targetUrl = new URL(target);
  let seen = 0;
  let armed: { fault: WindowFault; at: number; ms: number } | undefined;
  let open: { fault: WindowFault; until: number } | undefined;
  let done: Promise<void> = Promise.resolve();
  let finish: () => void = () => {};
  const held: ServerResponse[] = [];
  let port = 0;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen++;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (armed && seen >= armed.at) {
        const window = armed;
        armed = undefined;
        stats.windows.push({ fault: window.fault, startedAtRequest: seen, ms: window.ms });
        if (window.fault === "hold") {
          stats.injected.hold++;
          held.push(res);
          finish();
          return;
        }
        open = { fault: window.fault, until: Date.now() + window.ms };
        if (window.fault === "refuse") {
          stats.injected.refuse++;
          res.socket?.destroy();
          server.close();
          server.closeAllConnections();
          setTimeout(() => {
            open = undefined;
            server.listen(port, "127.0.0.1", () => finish());
          }, window.ms);
          return;
        }
        setTimeout(() => {
          open = undefined;
          finish();
        }, window.ms);
      }
      if (open && Date.now() < open.until) {
        if (open.fault === "server-unavailable") {
          stats.injected["server-unavailable"]++;
          res.writeHead(503, { "content-type": "text/html" }).end("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>");
          return;
        }
        if (open.fault === "throttle") {
          stats.injected.throttle++;
          throttlingAnswer(req, res, stats.injected.throttle % 2 === 0 ? 429 : 400);
          return;
        }
      }
      stats.forwarded++;
      const upstream = httpRequest({ host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on("error", () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  const url = await listen(server);
  port = Number(new URL(url).port);
  return {
    url,
    stats,
    arm(fault, afterRequests, ms) {
      armed = { fault, at: seen + afterRequests, ms };
      done = new Promise((resolve) => (finish = resolve));
    },
    windowDone: () => done,
    close: async () => {
      for (const res of held) res.socket?.destroy();
      await closer(server)().catch(() => undefined);
    },
  };
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
const MUTATING_ACTION =
  /^(Create|Update|Delete|Put|Authorize|Revoke|Execute|Start|Stop|Register|Deregister|Request|Add|Remove|Modify|Set|BatchDelete|Continue|Cancel|Tag|Untag|Attach|Detach|Associate|Disassociate|Release|Allocate|Run|Import|Enable|Disable|Invoke|Send)/;

/**
 * The AWS action of a request, by protocol: JSON protocols name it in
 * X-Amz-Target, query protocols (CloudFormation, EC2, ELB) in the form body's
 * `Action`; REST protocols (S3, EFS) by method: anything but GET/HEAD changes.
 */
export function classifyRequest(
  method: string,
  path: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
): { action: string; mutating: boolean } {
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
export async function startSlowProxy(
  target: string,
  options: { minDelayMs: number; maxDelayMs: number; random: () => number },
): Promise<TestServer & { requests: SeenRequest[] }> {
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
