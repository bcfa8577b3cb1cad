/**
 * Added endpoints share the base's HTTPS listener, which picks a certificate
 * by SNI. Each added host needs a certificate on that listener; it is
 * attached here rather than in the added stack, because a stack that owned
 * the attachment would detach a certificate other endpoints still use.
 */
import type { AcmApi, ElbApi } from "../../aws/interfaces.js";
import { AwsError } from "../../errors.js";
import { certificateCovers, issuedCertificates, summaryNames } from "./certificate.js";
import { readBack, READ_BACK_MS, type ReadBackOptions } from "../engine/poll.js";
import { readOnce, type RunReads } from "../engine/reads.js";

/** The run's key for a listener's certificates. */
function listenerCertificatesReadKey(listenerArn: string): string {
  return `elb:listener-certificates:${listenerArn}`;
}

/** Certificates on the listener (all pages), with whether each is the default; read once per run with `reads`. */
export function listenerCertificates(elb: ElbApi, listenerArn: string, reads?: RunReads): Promise<{ arn: string; isDefault: boolean }[]> {
  return readOnce(reads, listenerCertificatesReadKey(listenerArn), async () => {
    const found: { arn: string; isDefault: boolean }[] = [];
    let marker: string | undefined;
    do {
      const page = await elb.describeListenerCertificates({ ListenerArn: listenerArn, Marker: marker });
      for (const c of page.Certificates ?? []) if (c.CertificateArn) found.push({ arn: c.CertificateArn, isDefault: c.IsDefault ?? false });
      marker = page.NextMarker;
    } while (marker);
    return found;
  });
}

/**
 * The names a listener certificate covers; none for a certificate ACM does not hold. A
 * listener may also serve IAM server certificates (`arn:aws:iam::ACCOUNT:server-certificate/NAME`,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/https-listener-certificates.html),
 * which ACM cannot describe: mlops neither attached nor may detach them, so they are skipped.
 */
async function certificateNames(acm: AcmApi, arn: string, reads?: RunReads): Promise<string[]> {
  if (!isAcmCertificate(arn)) return [];
  // With the run's reads, the issued certificates' list answers for every listed certificate in one read. It lists
  // at most the first 100 alternative names of each (HasAdditionalSubjectAlternativeNames,
  // https://docs.aws.amazon.com/acm/latest/APIReference/API_CertificateSummary.html): those are described.
  const listed = reads ? (await issuedCertificates(acm, reads)).find((s) => s.CertificateArn === arn) : undefined;
  if (listed && !listed.HasAdditionalSubjectAlternativeNames) return summaryNames(listed);
  const detail = (await acm.describeCertificate({ CertificateArn: arn })).Certificate;
  return [detail?.DomainName, ...(detail?.SubjectAlternativeNames ?? [])].filter((n): n is string => !!n);
}

/** True for an ACM certificate ARN (`arn:PARTITION:acm:REGION:ACCOUNT:certificate/ID`). */
export function isAcmCertificate(arn: string): boolean {
  return /^arn:[^:]+:acm:/.test(arn);
}

/** True when the listener serves this certificate, or another one covering the host. Reads only. */
export async function listenerServes(elb: ElbApi, acm: AcmApi, listenerArn: string, host: string, certificateArn?: string, reads?: RunReads): Promise<boolean> {
  for (const cert of await listenerCertificates(elb, listenerArn, reads)) {
    if (cert.arn === certificateArn) return true;
    if ((await certificateNames(acm, cert.arn, reads)).some((name) => certificateCovers(name, host))) return true;
  }
  return false;
}

/** The listener's ACM certificate that serves the host (an exact name before a wildcard); undefined when none does. Reads only. */
export async function listenerCertificateFor(elb: ElbApi, acm: AcmApi, listenerArn: string, host: string): Promise<string | undefined> {
  let wildcard: string | undefined;
  for (const cert of await listenerCertificates(elb, listenerArn)) {
    const names = await certificateNames(acm, cert.arn);
    if (names.some((name) => name.toLowerCase() === host.toLowerCase())) return cert.arn;
    if (!wildcard && names.some((name) => certificateCovers(name, host))) wildcard = cert.arn;
  }
  return wildcard;
}

/** Makes the listener serve a certificate covering the host, read back once attached; returns whether one had to be attached. */
export async function ensureListenerCertificate(
  elb: ElbApi,
  acm: AcmApi,
  listenerArn: string,
  host: string,
  certificateArn: string,
  wait: ReadBackOptions,
  reads?: RunReads,
): Promise<"attached" | "present"> {
  if (await listenerServes(elb, acm, listenerArn, host, certificateArn, reads)) return "present";
  reads?.forget(listenerCertificatesReadKey(listenerArn));
  await elb.addListenerCertificates({ ListenerArn: listenerArn, Certificates: [{ CertificateArn: certificateArn }] });
  // The attachment may take a moment to show in DescribeListenerCertificates.
  const attached = async () => (await listenerCertificates(elb, listenerArn)).some((c) => c.arn === certificateArn);
  if (!(await readBack(attached, wait))) {
    const seconds = Math.round((wait.timeoutMs ?? READ_BACK_MS) / 1000);
    throw new AwsError(`The certificate ${certificateArn} was attached to listener ${listenerArn} but is still not listed on it after ${seconds}s.`, {
      hint: "Run the same command again; if it persists, check the listener's certificates in the EC2 console.",
    });
  }
  return "attached";
}

/** Detaches the certificates that covered `host` and no remaining host; the listener's default stays. */
export async function releaseListenerCertificates(
  elb: ElbApi,
  acm: AcmApi,
  listenerArn: string,
  host: string,
  remainingHosts: string[],
  reads?: RunReads,
): Promise<string[]> {
  const released: string[] = [];
  const certificates = await listenerCertificates(elb, listenerArn, reads);
  reads?.forget(listenerCertificatesReadKey(listenerArn));
  for (const cert of certificates) {
    if (cert.isDefault) continue;
    const names = await certificateNames(acm, cert.arn, reads);
    const coversHost = names.some((n) => certificateCovers(n, host));
    const stillNeeded = remainingHosts.some((h) => names.some((n) => certificateCovers(n, h)));
    if (coversHost && !stillNeeded) {
      await elb.removeListenerCertificates({ ListenerArn: listenerArn, Certificates: [{ CertificateArn: cert.arn }] });
      released.push(cert.arn);
    }
  }
  return released;
}
