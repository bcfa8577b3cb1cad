/**
 * The endpoint's TLS certificate: the one the parameter file names, else an
 * issued ACM certificate covering the host header, else a new one requested
 * with DNS validation and waited for.
 */
import type { AcmApi, CertificateDetail } from "../aws/interfaces.js";
import type { EndpointConfig } from "../params/model.js";
import type { DeployContext } from "./context.js";
import { pollUntil } from "./poll.js";

/** How long to wait for a requested certificate to be issued (DNS validation can take a while). */
const issueTimeoutMs = 30 * 60_000;

/** True when a certificate name (possibly `*.example.com`) covers the host. */
export function certificateCovers(name: string, host: string): boolean {
  const n = name.toLowerCase();
  const h = host.toLowerCase();
  if (n === h) return true;
  if (!n.startsWith("*.")) return false;
  const suffix = n.slice(1);
  return h.endsWith(suffix) && !h.slice(0, h.length - suffix.length).includes(".");
}

/** Finds an issued certificate whose names cover the host. */
export async function findIssuedCertificate(acm: AcmApi, host: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await acm.listCertificates({ CertificateStatuses: ["ISSUED"], NextToken: nextToken });
    for (const summary of page.CertificateSummaryList ?? []) {
      const names = [summary.DomainName, ...(summary.SubjectAlternativeNameSummaries ?? [])].filter((n): n is string => !!n);
      if (summary.CertificateArn && names.some((name) => certificateCovers(name, host))) return summary.CertificateArn;
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
}

/** Finds a certificate for the host that is still waiting for validation (from an earlier, interrupted run). */
async function findPendingCertificate(acm: AcmApi, host: string): Promise<string | undefined> {
  const page = await acm.listCertificates({ CertificateStatuses: ["PENDING_VALIDATION"] });
  return page.CertificateSummaryList?.find((s) => s.DomainName?.toLowerCase() === host.toLowerCase())?.CertificateArn;
}

/** Returns the certificate ARN to use for the endpoint, requesting and awaiting one if needed. */
export async function ensureCertificate(config: EndpointConfig, ctx: DeployContext): Promise<string> {
  if (config.api.certificateArn) return config.api.certificateArn;
  const host = config.api.hostHeader;
  const acm = ctx.aws.acm;
  const issued = await findIssuedCertificate(acm, host);
  if (issued) {
    ctx.out.info(`Certificate: using issued ACM certificate ${issued} for ${host}`);
    return issued;
  }
  let arn = await findPendingCertificate(acm, host);
  if (!arn) {
    ctx.out.step(`Requesting an ACM certificate for ${host} (DNS validation)`);
    const requested = await acm.requestCertificate({
      DomainName: host,
      ValidationMethod: "DNS",
      // Same token on a re-run within the hour returns the same request instead of a duplicate.
      IdempotencyToken: host.replace(/[^A-Za-z0-9]/g, "").slice(0, 32),
      Tags: [{ Key: "mlops:managed-by", Value: "mlops" }],
    });
    arn = requested.CertificateArn;
    if (!arn) throw new Error("ACM RequestCertificate returned no ARN");
  }
  const certificateArn = arn;
  let recordShown = false;
  return pollUntil(
    async () => {
      const detail = (await acm.describeCertificate({ CertificateArn: certificateArn })).Certificate;
      if (detail?.Status === "ISSUED") return { done: true, value: certificateArn };
      if (detail?.Status && detail.Status !== "PENDING_VALIDATION") {
        return { done: false, status: `certificate ${detail.Status}` };
      }
      if (!recordShown && detail) recordShown = showValidationRecord(detail, ctx);
      return { done: false, status: "PENDING_VALIDATION" };
    },
    {
      clock: ctx.clock,
      signal: ctx.signal,
      intervalMs: 10_000,
      timeoutMs: issueTimeoutMs,
      what: `ACM certificate ${certificateArn} to be issued`,
      hint: "Create the DNS validation record shown above, then run the same command again: it waits for the same certificate.",
    },
  ).then((value) => {
    ctx.out.success(`Certificate issued: ${value}`);
    return value;
  });
}

function showValidationRecord(detail: CertificateDetail, ctx: DeployContext): boolean {
  const record = detail.DomainValidationOptions?.find((o) => o.ResourceRecord)?.ResourceRecord;
  if (!record) return false;
  ctx.out.warn("ACTION REQUIRED: create this DNS record so ACM can validate the certificate:");
  ctx.out.info(`${record.Type} ${record.Name} -> ${record.Value}`);
  return true;
}
