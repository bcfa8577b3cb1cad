/**
 * A proxy in front of the emulator that answers every request late (as a
 * distant region would), counts requests by API action, and lets a test act
 * at a chosen request (e.g. change the stack behind a command's back).
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A running slow proxy. */
export interface SlowProxy {
  url: string;
  /** Requests forwarded so far. */
  count(): number;
  /** Requests per action, e.g. "CloudFormation:DescribeStacks" -> 12 (query protocol) or "AmazonSSM.PutParameter" (JSON protocol). */
  readonly actions: Map<string, number>;
  close(): Promise<void>;
}

/** Options of the slow proxy. */
export interface SlowProxyOptions {
  /** Delay added before forwarding each request. */
  latencyMs: number;
  /** Awaited before a request is forwarded, with its action name. */
  onRequest?: (action: string) => Promise<void> | void;
}

/** The API action of a request: the JSON protocol's X-Amz-Target, or the query protocol's Action. */
export function actionOf(req: IncomingMessage, body: Buffer): string {
  const target = req.headers["x-amz-target"];
  if (typeof target === "string") return target;
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString("utf8"))?.[1] ?? /[?&]Action=([A-Za-z]+)/.exec(req.url ?? "")?.[1];
  return action ?? `${req.method} ${(req.url ?? "").split("?")[0]}`;
}

/** Starts a proxy to `target` that adds `latencyMs` to every request. */
export async function startSlowProxy(target: string, options: SlowProxyOptions): Promise<SlowProxy> {
  const targetUrl = new URL(target);
  const actions = new Map<string, number>();
  let count = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const action = actionOf(req, body);
      void (async () => {
        await new Promise((r) => setTimeout(r, options.latencyMs));
        await options.onRequest?.(action);
        count++;
        actions.set(action, (actions.get(action) ?? 0) + 1);
        const upstream = httpRequest({ host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        upstream.on("error", () => res.destroy());
        upstream.end(body);
      })().catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => count,
    actions,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
