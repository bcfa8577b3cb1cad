/**
 * A proxy in front of the emulator that keeps, in the order AWS answered them, every request a
 * command sent: its API action, the request and the answer. Tests read the order of events from it
 * (e.g. a build started before a stack was created), never their times.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { actionOf } from "./slow-proxy.js";

/** One request and its answer. */
export interface LoggedRequest {
  action: string;
  request: string;
  status: number;
  response: string;
}

/** A running request-log proxy. */
export interface RequestLog {
  url: string;
  /** Every answered request so far, in the order of the answers. */
  readonly entries: LoggedRequest[];
  close(): Promise<void>;
}

/** Starts a proxy to `target` that logs every request with its answer. */
export async function startRequestLog(target: string): Promise<RequestLog> {
  const targetUrl = new URL(target);
  const entries: LoggedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const action = actionOf(req, body);
      const upstream = httpRequest({ host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        const answer: Buffer[] = [];
        up.on("data", (c: Buffer) => answer.push(c));
        up.on("end", () => {
          const response = Buffer.concat(answer);
          entries.push({ action, request: body.toString("utf8"), status: up.statusCode ?? 0, response: response.toString("utf8") });
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(response);
        });
      });
      upstream.on("error", () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    entries,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The index of the first entry matching, or -1. */
export function firstIndex(entries: readonly LoggedRequest[], match: (entry: LoggedRequest) => boolean): number {
  return entries.findIndex(match);
}

/** Whether an entry is a DescribeStacks answer about `stackName` (asked by name or by id) showing `status`. */
export function stackAnswered(entry: LoggedRequest, stackName: string, status: string): boolean {
  if (!/DescribeStacks$/.test(entry.action)) return false;
  // The query protocol's form: by name (StackName=NAME) or by id (an ARN with stack/NAME/).
  const asked = new URLSearchParams(entry.request).get("StackName") ?? "";
  if (asked !== stackName && !asked.includes(`:stack/${stackName}/`)) return false;
  return entry.response.includes(`<StackStatus>${status}</StackStatus>`);
}

/** Whether an entry started a pipeline's build: the pipeline's creation (its first execution starts by itself) or a new execution. */
export function buildStarted(entry: LoggedRequest, pipelineName: string): boolean {
  return /\.(CreatePipeline|StartPipelineExecution)$/.test(entry.action) && entry.status === 200 && entry.request.includes(`"${pipelineName}"`);
}
