/**
 * The endpoint's TLS certificate: the one the parameter file names, else an
 * issued ACM certificate covering the host header, else a new one requested
 * with DNS validation and waited for.
 */
import { createHash } from "node:crypto";
import type { AcmApi, CertificateDetail, CertificateSummary } from "../../aws/interfaces.js";
import { AwsError } from "../../errors.js";
import { endpointId, type EndpointConfig } from "../../params/model.js";
import { TagKeys } from "../../render/names.js";
import type { DeployContext } from "../context.js";
import { pollUntil } from "../engine/poll.js";

/** How long to wait for a requested certificate to be issued (DNS validation can take a while). */
const issueTimeoutMs = 30 * 60_000;

/**
 * Key types an ALB listener can serve. ListCertificates without a keyTypes
 * filter returns RSA_2048 certificates only, so an EC or larger-RSA certificate
 * would be missed and a duplicate requested. RSA_1024 is left out: too weak to use.
 */
export const listedKeyTypes: NonNullable<CertificateSummary["KeyAlgorithm"]>[] = ["RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"];

/** Statuses a certificate never leaves for ISSUED: waiting on them would only end at the timeout. */
const deadStatuses = new Set(["FAILED", "VALIDATION_TIMED_OUT", "REVOKED", "EXPIRED", "INACTIVE"]);

/** True when a certificate name (possibly `*.example.com`) covers the host. */
export function certificateCovers(name: string, host: string): boolean {
  const n = name.toLowerCase();
  const h = host.toLowerCase();
  if (n === h) return true;
  if (!n.startsWith("*.")) return false;
  const suffix = n.slice(1);
  return h.endsWith(suffix) && !h.slice(0, h.length - suffix.length).includes(".");
}

/** RequestCertificate's IdempotencyToken for a host: ACM allows `\w+` up to 32 characters. */
export function certificateIdempotencyToken(host: string): string {
  // A hash, not the host with punctuation stripped: `ep-a.x.com` and `epa.x.com`
  // would share a token, and ACM would hand one host the other's certificate.
  return createHash("sha256").update(host.toLowerCase()).digest("hex").slice(0, 32);
}

/** Finds an issued, unexpired certificate covering the host, preferring an exact name over a wildcard. */
export async function findIssuedCertificate(acm: AcmApi, host: string, now: number = Date.now()): Promise<string | undefined> {
  let best: { arn: string; rank: number; notAfter: number } | undefined;
  let nextToken: string | undefined;
  do {
    const page = await acm.listCertificates({ CertificateStatuses: ["ISSUED"], Includes: { keyTypes: listedKeyTypes }, NextToken: nextToken });
    for (const summary of page.CertificateSummaryList ?? []) {
      if (!summary.CertificateArn) continue;
      // Status can lag behind the expiry date; an expired certificate would break TLS.
      const notAfter = summary.NotAfter?.getTime() ?? Number.POSITIVE_INFINITY;
      if (notAfter <= now) continue;
      const names = [summary.DomainName, ...(summary.SubjectAlternativeNameSummaries ?? [])].filter((n): n is string => !!n);
      const rank = names.some((n) => n.toLowerCase() === host.toLowerCase()) ? 2 : names.some((n) => certificateCovers(n, host)) ? 1 : 0;
      if (rank === 0) continue;
      // Among equals, the one valid longest needs replacing last.
      if (!best || rank > best.rank || (rank === best.rank && notAfter > best.notAfter)) best = { arn: summary.CertificateArn, rank, notAfter };
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return best?.arn;
}

/** Finds a certificate for the host that is still waiting for validation (from an earlier, interrupted run). */
export async function findPendingCertificate(acm: AcmApi, host: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await acm.listCertificates({ CertificateStatuses: ["PENDING_VALIDATION"], NextToken: nextToken });
    const found = page.CertificateSummaryList?.find((s) => s.CertificateArn && s.DomainName?.toLowerCase() === host.toLowerCase());
    if (found?.CertificateArn) return found.CertificateArn;
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
}

/**
 * Returns the certificate ARN to use for the endpoint, requesting and awaiting one if needed.
 * `makeValidationRecord` creates ACM's validation record itself (in a Route 53 zone) and says
 * whether it did; otherwise the record is printed for the user to create.
 */
export async function ensureCertificate(config: EndpointConfig, ctx: DeployContext, makeValidationRecord?: (certificateArn: string) => Promise<boolean>): Promise<string> {
  if (config.api.certificateArn) return config.api.certificateArn;
  const host = config.api.hostHeader;
  const acm = ctx.aws.acm;
  const issued = await findIssuedCertificate(acm, host, ctx.clock.now());
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
      IdempotencyToken: certificateIdempotencyToken(host),
      // The tags let `status` and `teardown --delete-data` find the certificate once its endpoint is gone.
      Tags: [
        { Key: TagKeys.managedBy, Value: "mlops" },
        { Key: TagKeys.endpoint, Value: endpointId(config) },
      ],
    });
    arn = requested.CertificateArn;
    if (!arn) throw new AwsError("ACM RequestCertificate returned no certificate ARN.");
  }
  const certificateArn = arn;
  let recordShown = false;
  return pollUntil(
    async () => {
      const detail = (await acm.describeCertificate({ CertificateArn: certificateArn })).Certificate;
      checkUsable(detail, certificateArn, host);
      if (detail?.Status === "ISSUED") return { done: true, value: certificateArn };
      if (detail?.Status && detail.Status !== "PENDING_VALIDATION") {
        return { done: false, status: `certificate ${detail.Status}` };
      }
      if (!recordShown && detail?.DomainValidationOptions?.some((o) => o.ResourceRecord)) {
        recordShown = true;
        if (!makeValidationRecord || !(await makeValidationRecord(certificateArn))) showValidationRecord(detail, ctx);
      }
      return { done: false, status: "PENDING_VALIDATION" };
    },
    {
      clock: ctx.clock,
      signal: ctx.signal,
      intervalMs: 10_000,
      timeoutMs: issueTimeoutMs,
      what: `ACM certificate ${certificateArn} to be issued`,
      out: ctx.out,
      hint: "Create the DNS validation record shown above, then run the same command again: it waits for the same certificate.",
    },
  ).then((value) => {
    ctx.out.success(`Certificate issued: ${value}`);
    return value;
  });
}

/** Throws when the awaited certificate is for another name or can never be issued. */
function checkUsable(detail: CertificateDetail | undefined, arn: string, host: string): void {
  if (!detail) return;
  // An idempotency token reused within the hour returns the earlier request, whatever name it was for.
  if (detail.DomainName && detail.DomainName.toLowerCase() !== host.toLowerCase()) {
    throw new AwsError(`ACM returned certificate ${arn} for ${detail.DomainName}, not for ${host}.`, {
      hint: `Set api.certificateArn in the parameter file to a certificate for ${host}, or run again after an hour to get a new request.`,
    });
  }
  if (detail.Status && deadStatuses.has(detail.Status)) {
    const reason = detail.FailureReason ? ` (${detail.FailureReason})` : "";
    throw new AwsError(`ACM certificate ${arn} for ${host} is ${detail.Status}${reason}: it will not be issued.`, {
      hint: `Delete it in ACM (aws acm delete-certificate --certificate-arn ${arn}) and run the command again to request a new one, or set api.certificateArn in the parameter file to a certificate you already have.`,
    });
  }
}

/** Shows the DNS record ACM validates with; false when ACM has not produced it yet. */
function showValidationRecord(detail: CertificateDetail, ctx: DeployContext): boolean {
  const record = detail.DomainValidationOptions?.find((o) => o.ResourceRecord)?.ResourceRecord;
  if (!record) return false;
  ctx.out.warn("ACTION REQUIRED: create this DNS record so ACM can validate the certificate:");
  ctx.out.info(`${record.Type} ${record.Name} -> ${record.Value}`);
  return true;
}
