/**
 * One real HTTPS request to the endpoint, as a client would send it: TLS with
 * the endpoint's host as server name (SNI) and certificate name, `Host` set
 * to it, timed phase by phase. While DNS does not yet point the host at the
 * load balancer, the request goes to the load balancer's own address with the
 * same SNI and Host header, which is what the load balancer routes on.
 */
import { lookup } from "node:dns/promises";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { rootCertificates } from "node:tls";
import { AwsError } from "../../errors.js";
import { runnable, type Invocation } from "../../io/invocation.js";
import type { DeployContext } from "../context.js";

/** Where and how to send the request. */
export interface RequestSpec {
  /** The endpoint's host: SNI, certificate name and Host header. */
  host: string;
  path: string;
  /** Where to connect; default: the host itself, port 443. */
  connectHost?: string;
  connectPort?: number;
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots. */
  extraCa?: string;
  timeoutMs: number;
}

/** How long each phase took, in milliseconds from the start. */
export interface RequestTimings {
  dnsMs: number;
  connectMs?: number;
  tlsMs?: number;
  firstByteMs?: number;
  totalMs: number;
}

/** What the request found. */
export type RequestOutcome =
  | { kind: "response"; status: number; address: string; timings: RequestTimings; server?: string; body: string }
  | { kind: "unresolved"; name: string; code: string; timings: RequestTimings }
  | { kind: "tls"; code: string; message: string; address: string; timings: RequestTimings }
  | { kind: "connection"; code: string; message: string; address: string; timings: RequestTimings };

/** Node's codes for a certificate that does not match, has expired or is not trusted. */
const tlsCodes = new Set([
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_REVOKED",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "EPROTO",
]);

/** The bytes of the body kept for the report. */
const BODY_LIMIT = 300;

/** Resolves a name to its addresses (empty when it does not resolve), within `timeoutMs`. */
export async function resolveAddresses(name: string, timeoutMs: number): Promise<{ addresses: string[]; code?: string }> {
  if (isIP(name)) return { addresses: [name] };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<{ addresses: string[]; code: string }>((resolve) => {
    timer = setTimeout(() => resolve({ addresses: [], code: "ETIMEOUT" }), timeoutMs);
  });
  try {
    return await Promise.race([
      lookup(name, { all: true }).then(
        (found) => ({ addresses: found.map((a) => a.address) }),
        (error: NodeJS.ErrnoException) => ({ addresses: [], code: error.code ?? "ENOTFOUND" }),
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends one GET and times it; never throws for what the network or the server answered. */
export async function sendRequest(spec: RequestSpec, now: () => number = () => performance.now()): Promise<RequestOutcome> {
  const started = now();
  const since = () => Math.round(now() - started);
  const target = spec.connectHost ?? spec.host;
  const resolved = await resolveAddresses(target, Math.min(spec.timeoutMs, 10_000));
  const dnsMs = since();
  const address = resolved.addresses[0];
  if (!address) return { kind: "unresolved", name: target, code: resolved.code ?? "ENOTFOUND", timings: { dnsMs, totalMs: dnsMs } };
  const port = spec.connectPort ?? 443;
  const timings: RequestTimings = { dnsMs, totalMs: 0 };
  return new Promise<RequestOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: RequestOutcome) => {
      if (settled) return;
      settled = true;
      timings.totalMs = since();
      resolve(outcome);
    };
    const req = httpsRequest({
      host: address,
      port,
      path: spec.path,
      method: "GET",
      // The certificate is checked against the endpoint's host, not the address connected to.
      servername: spec.host,
      headers: { Host: spec.host, "User-Agent": "mlops-test", Accept: "*/*" },
      ...(spec.extraCa ? { ca: [...rootCertificates, spec.extraCa] } : {}),
      agent: false,
      timeout: spec.timeoutMs,
    });
    req.on("socket", (socket) => {
      socket.once("connect", () => (timings.connectMs = since()));
      socket.once("secureConnect", () => (timings.tlsMs = since()));
    });
    req.on("response", (res) => {
      timings.firstByteMs = since();
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (body.length < BODY_LIMIT) body += chunk;
      });
      const done = () =>
        finish({
          kind: "response",
          status: res.statusCode ?? 0,
          address: `${address}:${port}`,
          timings,
          server: header(res.headers.server),
          body: body.slice(0, BODY_LIMIT),
        });
      res.on("end", done);
      res.on("error", done);
      res.on("close", done);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer within ${Math.round(spec.timeoutMs / 1000)} s`), { code: "ETIMEDOUT" })));
    req.on("error", (error: NodeJS.ErrnoException) => {
      const code = error.code ?? "ERROR";
      // A handshake that ends in an alert or an unparseable answer is TLS's failure too.
      const tls = tlsCodes.has(code) || (timings.connectMs !== undefined && timings.tlsMs === undefined && /ssl|tls|alert|certificate/i.test(error.message));
      finish({ kind: tls ? "tls" : "connection", code, message: error.message, address: `${address}:${port}`, timings });
    });
    req.end();
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/** The phases of a request on one line: `DNS 3 ms, connect 20 ms, TLS 45 ms, first byte 80 ms`. */
export function timingLine(t: RequestTimings): string {
  const parts = [`DNS ${t.dnsMs} ms`];
  if (t.connectMs !== undefined) parts.push(`connect ${t.connectMs} ms`);
  if (t.tlsMs !== undefined) parts.push(`TLS ${t.tlsMs} ms`);
  if (t.firstByteMs !== undefined) parts.push(`first byte ${t.firstByteMs} ms`);
  parts.push(`total ${t.totalMs} ms`);
  return parts.join(", ");
}

/** What went wrong with a failed request and what to check, in the user's words; undefined when it answered below 400. */
export function diagnose(
  outcome: RequestOutcome,
  spec: Pick<RequestSpec, "host" | "path">,
  invocation?: Invocation,
): { problem: string; hint: string } | undefined {
  switch (outcome.kind) {
    case "response": {
      if (outcome.status < 400) return undefined;
      if (outcome.status >= 500) {
        return {
          problem: `https://${spec.host}${spec.path} answered ${outcome.status}${outcome.status === 503 ? " (the load balancer has no healthy target to send it to)" : outcome.status === 502 ? " (a target closed the connection or answered garbage)" : outcome.status === 504 ? " (a target did not answer in time)" : ""}.`,
          hint: `Check the target health (${runnable("mlops status NAME", invocation)}, or aws elbv2 describe-target-health), the tasks' logs and api.port / api.healthCheckPath in the parameter file.`,
        };
      }
      return {
        problem: `https://${spec.host}${spec.path} answered ${outcome.status}.`,
        hint:
          outcome.status === 404
            ? "A 404 comes from the container (wrong --path) or from the load balancer's default rule when no listener rule matched the Host header: check api.hostHeader."
            : "The endpoint answered but refused the request: check --path and what the API expects.",
      };
    }
    case "unresolved":
      return {
        problem: `${outcome.name} does not resolve (${outcome.code}).`,
        hint: "Check the name, your DNS resolver and network; a load balancer's name resolves a few minutes after it is created.",
      };
    case "tls":
      return {
        problem: `TLS with ${spec.host} at ${outcome.address} failed: ${tlsReason(outcome.code, outcome.message, spec.host)}`,
        hint: tlsHint(outcome.code, spec.host, invocation),
      };
    case "connection":
      return {
        problem: `Could not connect to ${outcome.address} for ${spec.host}: ${outcome.code === "ECONNREFUSED" ? "connection refused" : outcome.code === "ETIMEDOUT" ? "no answer" : outcome.code} (${outcome.message}).`,
        hint: `Check network.allowedCidr (the load balancer's security group admits only that range on 443), that the load balancer exists (${runnable("mlops status", invocation)}), and your network or proxy.`,
      };
  }
}

function tlsReason(code: string, message: string, host: string): string {
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return `the certificate is not for ${host} (${message}).`;
  if (code === "CERT_HAS_EXPIRED") return "the certificate has expired.";
  if (code === "CERT_NOT_YET_VALID") return "the certificate is not valid yet.";
  if (/SELF_SIGNED|UNABLE_TO|UNTRUSTED/.test(code)) return `the certificate is not trusted (${code}).`;
  return `${message} (${code}).`;
}

function tlsHint(code: string, host: string, invocation?: Invocation): string {
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID")
    return `The listener served a certificate for another name: api.certificateArn must cover ${host} (${runnable("mlops status", invocation)} shows the certificate; run the same create-endpoint/add-endpoint to attach the right one).`;
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID")
    return "Renew or replace the certificate in ACM (an ACM certificate renews itself while its DNS validation record exists).";
  return "Use a certificate from a public CA (ACM's are), or trust your CA with --ca-bundle FILE (or NODE_EXTRA_CA_CERTS).";
}

/** How the request reached the endpoint. */
export type RequestRoute =
  /** DNS points the host at the load balancer: the request went to the host, as any client's would. */
  | { kind: "host"; addresses: string[] }
  /** DNS does not (yet) point the host there: the request went to the load balancer's name with the host's SNI and Host header. */
  | { kind: "load balancer"; loadBalancerDnsName: string; hostAddresses: string[] }
  /** `--connect-to HOST:PORT`: the request went there, with the host's SNI and Host header. */
  | { kind: "connect-to"; target: string };

/** What to probe: the endpoint's host and path, and where its load balancer is. */
export interface ProbeSpec {
  host: string;
  path: string;
  /** The load balancer serving the endpoint, when known. */
  loadBalancerDnsName?: string;
  connectTo?: { host: string; port: number };
  extraCa?: string;
  timeoutMs: number;
}

/**
 * Sends the request the way that reaches the endpoint now: to the host when DNS resolves it to
 * the load balancer's addresses, else to the load balancer's name (same SNI and Host header), or
 * wherever `--connect-to` says.
 */
export async function probeEndpoint(spec: ProbeSpec): Promise<{ route: RequestRoute; outcome: RequestOutcome }> {
  const base = { host: spec.host, path: spec.path, extraCa: spec.extraCa, timeoutMs: spec.timeoutMs };
  if (spec.connectTo) {
    const outcome = await sendRequest({ ...base, connectHost: spec.connectTo.host, connectPort: spec.connectTo.port });
    return { route: { kind: "connect-to", target: `${spec.connectTo.host}:${spec.connectTo.port}` }, outcome };
  }
  const resolveLimit = Math.min(spec.timeoutMs, 10_000);
  const [host, balancer] = await Promise.all([
    resolveAddresses(spec.host, resolveLimit),
    spec.loadBalancerDnsName ? resolveAddresses(spec.loadBalancerDnsName, resolveLimit) : undefined,
  ]);
  const pointed = !balancer || host.addresses.some((a) => balancer.addresses.includes(a));
  if (pointed && host.addresses.length > 0) return { route: { kind: "host", addresses: host.addresses }, outcome: await sendRequest(base) };
  if (!spec.loadBalancerDnsName) return { route: { kind: "host", addresses: host.addresses }, outcome: await sendRequest(base) };
  const outcome = await sendRequest({ ...base, connectHost: spec.loadBalancerDnsName });
  return { route: { kind: "load balancer", loadBalancerDnsName: spec.loadBalancerDnsName, hostAddresses: host.addresses }, outcome };
}

/** One line on how the request was routed. */
export function routeLine(route: RequestRoute, host: string): string {
  switch (route.kind) {
    case "host":
      return `${host} resolves to ${route.addresses.join(", ") || "nothing"}: sent to the host`;
    case "load balancer":
      return `${host} ${route.hostAddresses.length ? `resolves to ${route.hostAddresses.join(", ")}, not to the load balancer` : "does not resolve"}: sent to the load balancer ${route.loadBalancerDnsName} with SNI and Host ${host}`;
    case "connect-to":
      return `sent to ${route.target} (--connect-to) with SNI and Host ${host}`;
  }
}

/** How long the validate step's request may take. */
const VALIDATE_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The validate step's last check: one request to the endpoint. A request that cannot be made
 * from here (a name that does not resolve, a network that does not reach AWS) is a warning,
 * not a failed deployment; one that reaches the load balancer and fails (TLS, 4xx/5xx) is.
 */
export async function requestCheck(host: string, path: string, loadBalancerDnsName: string | undefined, ctx: DeployContext): Promise<RequestOutcome> {
  ctx.out.step(`Sending a request: GET https://${host}${path}`);
  const { route, outcome } = await probeEndpoint({ host, path, loadBalancerDnsName, timeoutMs: VALIDATE_REQUEST_TIMEOUT_MS });
  const diagnosis = diagnose(outcome, { host, path }, ctx.invocation);
  if (!diagnosis) {
    ctx.out.success(
      `${outcome.kind === "response" ? outcome.status : ""} from https://${host}${path} (${timingLine(outcome.timings)}); ${routeLine(route, host)}`,
    );
    return outcome;
  }
  // A new load balancer's name can take minutes to resolve everywhere, and some networks resolve no AWS name at
  // all: that says nothing about the endpoint, so it is said, not warned. A name that resolves but does not answer
  // (a security group, the allowed CIDR, a firewall on this side) is worth a warning.
  if (outcome.kind === "unresolved") {
    ctx.out.info(
      `The request could not be made from here: ${diagnosis.problem} The deployment itself is done; \`${runnable("mlops test", ctx.invocation)}\` sends the request again.`,
    );
    return outcome;
  }
  if (outcome.kind === "connection") {
    ctx.out.warn(
      `The request could not be made from here: ${diagnosis.problem} The deployment itself is done; \`${runnable("mlops test", ctx.invocation)}\` sends the request again.`,
    );
    return outcome;
  }
  throw new AwsError(diagnosis.problem, { hint: `${diagnosis.hint} \`${runnable("mlops test", ctx.invocation)}\` sends the request again.` });
}
