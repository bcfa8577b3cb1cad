/**
 * `mlops test`: one real HTTPS request to a deployed endpoint, routed the way
 * that reaches it now (see steps/request.ts), with its status code and the
 * time each phase took. A failure names what to check.
 */
import { endpointId, type EndpointConfig } from "../../params/model.js";
import { regionText, type DeployContext } from "../context.js";
import { findStack, stackOutputs } from "../engine/stack.js";
import { missingStackError } from "../steps/other-regions.js";
import { loadBalancerNameOf } from "../steps/dns.js";
import { diagnose, probeEndpoint, routeLine, timingLine, type RequestOutcome, type RequestRoute } from "../steps/request.js";

/** Options of `mlops test`. */
export interface EndpointTestOptions {
  /** Path to request; default: the health check path. */
  path?: string;
  /** Connect there instead (curl's `--connect-to`), keeping the host's SNI and Host header. */
  connectTo?: { host: string; port: number };
  /** Extra trusted CA certificates (PEM). */
  extraCa?: string;
  timeoutMs: number;
}

/** What `mlops test` found. */
export interface EndpointTestResult {
  endpoint: string;
  url: string;
  route: RequestRoute;
  outcome: RequestOutcome;
  ok: boolean;
  problem?: string;
  hint?: string;
}

/** Sends the request and reports it; a failed request is a result (`ok` false, with the problem and what to check). */
export async function testEndpoint(config: EndpointConfig, options: EndpointTestOptions, ctx: DeployContext): Promise<EndpointTestResult> {
  const id = endpointId(config);
  const host = config.api.hostHeader;
  const path = options.path ?? config.api.healthCheckPath;
  const stack = await findStack(ctx.aws.cloudFormation, id);
  const live = stack && stack.StackStatus !== "DELETE_COMPLETE" ? stack : undefined;
  if (!live && !options.connectTo) {
    throw await missingStackError(
      ctx,
      { file: config.source, path: "project", message: `no stack ${id} in region ${regionText(ctx.aws)}: nothing to send a request to` },
      `Deploy it first (mlops ${config.kind === "base" ? "create-endpoint" : "add-endpoint"} ${config.source}), or send the request elsewhere with --connect-to HOST:PORT.`,
      id,
    );
  }
  const loadBalancerDnsName = live ? await loadBalancerNameOf(ctx.aws.elb, stackOutputs(live)) : undefined;
  ctx.out.step(`GET https://${host}${path}`);
  const { route, outcome } = await probeEndpoint({
    host,
    path,
    loadBalancerDnsName,
    connectTo: options.connectTo,
    extraCa: options.extraCa,
    timeoutMs: options.timeoutMs,
  });
  ctx.out.info(routeLine(route, host));
  if (outcome.kind === "response") ctx.out.info(`${outcome.status} from ${outcome.address}${outcome.server ? ` (server: ${outcome.server})` : ""}`);
  ctx.out.info(timingLine(outcome.timings));
  const diagnosis = diagnose(outcome, { host, path }, ctx.invocation);
  const result: EndpointTestResult = {
    endpoint: id,
    url: `https://${host}${path}`,
    route,
    outcome,
    ok: !diagnosis,
    problem: diagnosis?.problem,
    hint: diagnosis?.hint,
  };
  if (diagnosis) return result;
  ctx.out.success(`${result.url}: ${outcome.kind === "response" ? outcome.status : ""} in ${outcome.timings.totalMs} ms`);
  return result;
}
