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
