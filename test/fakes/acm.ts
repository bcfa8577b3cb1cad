/**
 * A stateful fake ACM with the behaviours that matter to certificate lookup on
 * real AWS and that the emulator does not show: ListCertificates without
 * `Includes.keyTypes` returns RSA_2048 certificates only; listings are paged
 * and name a certificate's first 100 alternative names only
 * (https://docs.aws.amazon.com/acm/latest/APIReference/API_CertificateSummary.html);
 * a requested certificate's validation record appears only after a while; an
 * IdempotencyToken reused within the hour returns the earlier certificate,
 * whatever name it was for. DescribeCertificate refuses an ARN that is not ACM's
 * (e.g. an IAM server certificate) with ValidationException, as ACM's ARN pattern does.
 */
import type { AcmApi, CertificateDetail, CertificateSummary } from "../../src/aws/interfaces.js";
import { AwsError } from "../../src/errors.js";

type Api = AcmApi;
type KeyType = NonNullable<CertificateSummary["KeyAlgorithm"]>;
type Status = NonNullable<CertificateSummary["Status"]>;

/** One certificate held by the fake. */
export interface FakeCertificate {
  arn: string;
  domainName: string;
  sans: string[];
  status: Status;
  keyAlgorithm: KeyType;
  notAfter?: Date;
  failureReason?: CertificateDetail["FailureReason"];
  /** Describes answered so far. */
  describes: number;
  tags: { Key: string; Value?: string }[];
  /** ARNs of the resources using it (a listener); ACM refuses to delete it while any is left. */
  inUseBy: string[];
}

/** How requested certificates behave. */
export interface FakeAcmOptions {
  /** Certificates per ListCertificates page; default 2, so every lookup has to page. */
  pageSize?: number;
  /** Describes before the validation record appears (ACM fills it in a few seconds after the request); default 1. */
  describesBeforeRecord?: number;
  /** Describes while PENDING_VALIDATION before the request ends; default 3. */
  describesBeforeOutcome?: number;
  /** How a requested certificate ends; default ISSUED. */
  outcome?: { status: Status; failureReason?: CertificateDetail["FailureReason"] };
}

/** An ACM account in one region. */
export class FakeAcm implements Api {
  readonly certificates: FakeCertificate[] = [];
  /** Every RequestCertificate input, in order. */
  readonly requests: Parameters<Api["requestCertificate"]>[0][] = [];
  /** Every ListCertificates input, in order. */
  readonly listings: Parameters<Api["listCertificates"]>[0][] = [];
  /** IdempotencyToken to the ARN it returned. */
  readonly tokens = new Map<string, string>();
  private readonly requested = new Set<string>();
  private counter = 0;

  constructor(private readonly options: FakeAcmOptions = {}) {}

  /** Adds a certificate as if it had been issued or imported earlier; returns it. */
  add(cert: {
    domainName: string;
    sans?: string[];
    status?: Status;
    keyAlgorithm?: KeyType;
    notAfter?: Date;
    failureReason?: CertificateDetail["FailureReason"];
    tags?: { Key: string; Value?: string }[];
    inUseBy?: string[];
  }): FakeCertificate {
    const added: FakeCertificate = {
      arn: this.nextArn(),
      domainName: cert.domainName,
      sans: cert.sans ?? [cert.domainName],
      status: cert.status ?? "ISSUED",
      keyAlgorithm: cert.keyAlgorithm ?? "RSA_2048",
      notAfter: cert.notAfter,
      failureReason: cert.failureReason,
      describes: 0,
      tags: cert.tags ?? [],
      inUseBy: cert.inUseBy ?? [],
    };
    this.certificates.push(added);
    return added;
  }

  async listCertificates(input: Parameters<Api["listCertificates"]>[0]) {
    this.listings.push(input);
    // Real ACM: no keyTypes filter means RSA_2048 only.
    const keyTypes: string[] = input.Includes?.keyTypes ?? ["RSA_2048"];
    const matching = this.certificates.filter(
      (c) => (!input.CertificateStatuses || input.CertificateStatuses.includes(c.status)) && keyTypes.includes(c.keyAlgorithm),
    );
    const pageSize = this.options.pageSize ?? 2;
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const page = matching.slice(start, start + pageSize);
    const next = start + pageSize < matching.length ? String(start + pageSize) : undefined;
    return {
      CertificateSummaryList: page.map((c): CertificateSummary => ({
        CertificateArn: c.arn,
        DomainName: c.domainName,
        // ACM lists the first 100 alternative names and says when there are more (API_CertificateSummary).
        SubjectAlternativeNameSummaries: c.sans.slice(0, 100),
        HasAdditionalSubjectAlternativeNames: c.sans.length > 100,
        Status: c.status,
        KeyAlgorithm: c.keyAlgorithm,
        NotAfter: c.notAfter,
      })),
      NextToken: next,
    };
  }

  async describeCertificate(input: Parameters<Api["describeCertificate"]>[0]) {
    // ACM validates the ARN's form first: an IAM server certificate ARN is refused.
    if (!/^arn:[\w+=/,.@-]+:acm:[\w+=/,.@-]*:[0-9]+:[\w+=,.@-]+(\/[\w+=,.@-]+)*$/.test(input.CertificateArn ?? "")) {
      throw new AwsError(
        `1 validation error detected: Value '${input.CertificateArn ?? ""}' at 'certificateArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:[\\w+=/,.@-]+:acm:[\\w+=/,.@-]*:[0-9]+:[\\w+=,.@-]+(/[\\w+=,.@-]+)*`,
        { code: "ValidationException" },
      );
    }
    const cert = this.certificates.find((c) => c.arn === input.CertificateArn);
    if (!cert) throw new AwsError(`Could not find certificate ${input.CertificateArn}.`, { code: "ResourceNotFoundException" });
    cert.describes++;
    if (this.requested.has(cert.arn) && cert.status === "PENDING_VALIDATION" && cert.describes > (this.options.describesBeforeOutcome ?? 3)) {
      const outcome = this.options.outcome ?? { status: "ISSUED" };
      cert.status = outcome.status;
      cert.failureReason = outcome.failureReason;
    }
    const recordReady = cert.describes > (this.options.describesBeforeRecord ?? 1);
    const detail: CertificateDetail = {
      CertificateArn: cert.arn,
      DomainName: cert.domainName,
      SubjectAlternativeNames: cert.sans,
      Status: cert.status,
      KeyAlgorithm: cert.keyAlgorithm,
      NotAfter: cert.notAfter,
      FailureReason: cert.failureReason,
      InUseBy: cert.inUseBy,
      DomainValidationOptions: [
        {
          DomainName: cert.domainName,
          ValidationMethod: "DNS",
          ResourceRecord: recordReady ? { Name: `_x1.${cert.domainName}.`, Type: "CNAME", Value: `_x2.acm-validations.aws.` } : undefined,
        },
      ],
    };
    return { Certificate: detail };
  }

  async requestCertificate(input: Parameters<Api["requestCertificate"]>[0]) {
    this.requests.push(input);
    const token = input.IdempotencyToken;
    if (token !== undefined && !/^\w{1,32}$/.test(token)) {
      throw new AwsError("1 validation error detected: Value at 'idempotencyToken' failed to satisfy constraint", { code: "ValidationException" });
    }
    const earlier = token === undefined ? undefined : this.tokens.get(token);
    if (earlier) return { CertificateArn: earlier };
    const cert = this.add({
      domainName: input.DomainName ?? "",
      sans: [input.DomainName ?? "", ...(input.SubjectAlternativeNames ?? [])],
      status: "PENDING_VALIDATION",
      tags: (input.Tags ?? []).map((t) => ({ Key: t.Key ?? "", Value: t.Value })),
    });
    this.requested.add(cert.arn);
    if (token !== undefined) this.tokens.set(token, cert.arn);
    return { CertificateArn: cert.arn };
  }

  async listTagsForCertificate(input: Parameters<Api["listTagsForCertificate"]>[0]) {
    return { Tags: this.find(input.CertificateArn).tags };
  }

  /** As ACM: a certificate in use by a load balancer cannot be deleted (ResourceInUseException). */
  async deleteCertificate(input: Parameters<Api["deleteCertificate"]>[0]): Promise<void> {
    const cert = this.find(input.CertificateArn);
    if (cert.inUseBy.length) throw new AwsError(`Certificate ${cert.arn} in use by ${cert.inUseBy.join(", ")}`, { code: "ResourceInUseException" });
    this.certificates.splice(this.certificates.indexOf(cert), 1);
  }

  private find(arn: string | undefined): FakeCertificate {
    const cert = this.certificates.find((c) => c.arn === arn);
    if (!cert) throw new AwsError(`Certificate ${arn} not found`, { code: "ResourceNotFoundException" });
    return cert;
  }

  private nextArn(): string {
    this.counter++;
    return `arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-${String(this.counter).padStart(12, "0")}`;
  }
}
