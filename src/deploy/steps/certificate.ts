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
import { readOnce, type RunReads } from "../engine/reads.js";

/** How long to wait for a requested certificate to be issued (DNS validation can take a while). */
const issueTimeoutMs = 30 * 60_000;

/**
 * Key types an ALB listener can serve. ListCertificates without a keyTypes
 * filter returns RSA_2048 certificates only, so an EC or larger-RSA certificate
 * would be missed and a duplicate requested. RSA_1024 is left out: too weak to use.
 */
export const listedKeyTypes: NonNullable<CertificateSummary["KeyAlgorithm"]>[] = [
  "RSA_2048",
  "RSA_3072",
  "RSA_4096",
  "EC_prime256v1",
  "EC_secp384r1",
  "EC_secp521r1",
];

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

/** The prefix of the run's keys for the account's certificate listings. */
const certificatesReadKey = "acm:certificates:";

/** The account's issued certificates of the key types a listener serves (all pages), read once per run with `reads`. */
export function issuedCertificates(acm: AcmApi, reads?: RunReads): Promise<CertificateSummary[]> {
  return readOnce(reads, `${certificatesReadKey}issued`, () =>
    listCertificates(acm, { CertificateStatuses: ["ISSUED"], Includes: { keyTypes: listedKeyTypes } }),
  );
}

/** The account's certificates waiting for validation (all pages), read once per run with `reads`. */
function pendingCertificates(acm: AcmApi, reads?: RunReads): Promise<CertificateSummary[]> {
  return readOnce(reads, `${certificatesReadKey}pending`, () => listCertificates(acm, { CertificateStatuses: ["PENDING_VALIDATION"] }));
}

/** The account's certificates that `filter` picks (all pages; none given: ACM's default listing). */
export async function listCertificates(
  acm: AcmApi,
  filter: Pick<Parameters<AcmApi["listCertificates"]>[0], "CertificateStatuses" | "Includes"> = {},
): Promise<CertificateSummary[]> {
  const found: CertificateSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await acm.listCertificates({ ...filter, NextToken: nextToken });
    found.push(...(page.CertificateSummaryList ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return found;
}

/** The names a certificate summary covers (domain and alternative names). */
export function summaryNames(summary: CertificateSummary): string[] {
  return [summary.DomainName, ...(summary.SubjectAlternativeNameSummaries ?? [])].filter((n): n is string => !!n);
}

/** Finds an issued, unexpired certificate covering the host, preferring an exact name over a wildcard. */
export async function findIssuedCertificate(acm: AcmApi, host: string, now: number = Date.now(), reads?: RunReads): Promise<string | undefined> {
  let best: { arn: string; rank: number; notAfter: number } | undefined;
  for (const summary of await issuedCertificates(acm, reads)) {
    if (!summary.CertificateArn) continue;
    // Status can lag behind the expiry date; an expired certificate would break TLS.
    const notAfter = summary.NotAfter?.getTime() ?? Number.POSITIVE_INFINITY;
    if (notAfter <= now) continue;
    const names = summaryNames(summary);
    const rank = names.some((n) => n.toLowerCase() === host.toLowerCase()) ? 2 : names.some((n) => certificateCovers(n, host)) ? 1 : 0;
    if (rank === 0) continue;
    // Among equals, the one valid longest needs replacing last.
    if (!best || rank > best.rank || (rank === best.rank && notAfter > best.notAfter)) best = { arn: summary.CertificateArn, rank, notAfter };
  }
  return best?.arn;
}

/** Finds a certificate for the host that is still waiting for validation (from an earlier, interrupted run). */
export async function findPendingCertificate(acm: AcmApi, host: string, reads?: RunReads): Promise<string | undefined> {
  return (await pendingCertificates(acm, reads)).find((s) => s.CertificateArn && s.DomainName?.toLowerCase() === host.toLowerCase())?.CertificateArn;
}

/**
 * Returns the certificate ARN to use for the endpoint, requesting and awaiting one if needed.
 * `makeValidationRecord` creates ACM's validation record itself (in a Route 53 zone) and says
 * whether it did; otherwise the record is printed for the user to create.
 */
export async function ensureCertificate(
  config: EndpointConfig,
  ctx: DeployContext,
  makeValidationRecord?: (certificateArn: string) => Promise<boolean>,
): Promise<string> {
  if (config.api.certificateArn) return config.api.certificateArn;
  const host = config.api.hostHeader;
  const acm = ctx.aws.acm;
  // The plan's reads answer these, unless something was waited for since.
  const issued = await findIssuedCertificate(acm, host, ctx.clock.now(), ctx.reads);
  if (issued) {
    ctx.out.info(`Certificate: using issued ACM certificate ${issued} for ${host}`);
    return issued;
  }
  let arn = await findPendingCertificate(acm, host, ctx.reads);
  // From here the run waits on ACM (and on whoever creates the validation record): what it read before may have changed.
  ctx.reads?.forgetAll();
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
