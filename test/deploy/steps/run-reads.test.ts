/**
 * One run asks each question once: the plan's reads of the account's certificates, of a listener's
 * certificates and of its rules answer the apply after it (placement, the certificate step, the
 * listener's certificate, the rule priority), until the run changes what they describe.
 */
import type * as elb from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import type { AwsClients, ElbApi } from "../../../src/aws/interfaces.js";
import type { DeployContext } from "../../../src/deploy/context.js";
import { RunReads } from "../../../src/deploy/engine/reads.js";
import { ensureCertificate, findIssuedCertificate, findPendingCertificate } from "../../../src/deploy/steps/certificate.js";
import {
  ensureListenerCertificate,
  listenerCertificates,
  listenerServes,
  releaseListenerCertificates,
} from "../../../src/deploy/steps/listener-certificates.js";
import { issuedCertificateNames, readPlacementBasis } from "../../../src/deploy/steps/placement.js";
import { usedPriorities } from "../../../src/deploy/steps/priority.js";
import type { EndpointConfig } from "../../../src/params/model.js";
import { FakeAcm } from "../../fakes/acm.js";
import { FakeClock } from "../../fakes/clock.js";
import { MemoryOutput } from "../../fakes/output.js";

const LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/base-env/1/2";
const exports = new Map([
  ["base-env-HttpsListenerArn", LISTENER],
  ["base-env-LoadBalancerArn", "lb/base"],
]);

/** A listener's certificates and rules, one per page, with every call counted; attachments show at once. */
function countingElb(certificates: { arn: string; isDefault: boolean }[]) {
  const calls: Record<string, number> = {};
  const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);
  const rules = [
    { Priority: "1", IsDefault: false },
    { Priority: "7", IsDefault: false },
    { Priority: "default", IsDefault: true },
  ];
  const api = {
    async describeAccountLimits() {
      count("DescribeAccountLimits");
      return { Limits: [] };
    },
    async describeTargetGroups() {
      count("DescribeTargetGroups");
      return { TargetGroups: [{ TargetGroupArn: "tg/1", LoadBalancerArns: ["lb/base"] }] };
    },
    async describeListenerCertificates(input: elb.DescribeListenerCertificatesInput) {
      count("DescribeListenerCertificates");
      const index = Number(input.Marker ?? 0);
      const page = certificates.slice(index, index + 1).map((c) => ({ CertificateArn: c.arn, IsDefault: c.isDefault }));
      return { Certificates: page, NextMarker: index + 1 < certificates.length ? String(index + 1) : undefined };
    },
    async describeRules(input: elb.DescribeRulesInput) {
      count("DescribeRules");
      const index = Number(input.Marker ?? 0);
      return { Rules: rules.slice(index, index + 1), NextMarker: index + 1 < rules.length ? String(index + 1) : undefined };
    },
    async addListenerCertificates(input: elb.AddListenerCertificatesInput) {
      count("AddListenerCertificates");
      for (const c of input.Certificates ?? []) certificates.push({ arn: c.CertificateArn ?? "", isDefault: false });
      return {};
    },
    async removeListenerCertificates(input: elb.RemoveListenerCertificatesInput) {
      count("RemoveListenerCertificates");
      const gone = new Set((input.Certificates ?? []).map((c) => c.CertificateArn));
      certificates.splice(0, certificates.length, ...certificates.filter((c) => !gone.has(c.arn)));
      return {};
    },
  };
  // Calls of a listing are counted per page: the first page's calls are the reads.
  const reads = (name: string) => calls[name] ?? 0;
  return { elb: api as unknown as ElbApi, calls, reads };
}

const config = (host: string) => ({ project: "ep-b", environment: "prod", api: { hostHeader: host, port: 443, healthCheckPath: "/" } }) as EndpointConfig;
const issuedListings = (acm: FakeAcm) => acm.listings.filter((l) => !l.NextToken && l.CertificateStatuses?.includes("ISSUED")).length;

describe("the account's certificates, once per run", () => {
  it("the plan's certificate lookup, placement's names and the apply's certificate step list the issued certificates once", async () => {
    const acm = new FakeAcm({ pageSize: 2 });
    for (const name of ["a.example.com", "*.team.example.com", "c.example.com"]) acm.add({ domainName: name });
    const wanted = acm.add({ domainName: "ep-b.example.com" });
    const reads = new RunReads();
    const ctx: DeployContext = {
      aws: { region: "us-east-1", acm } as Partial<AwsClients> as AwsClients,
      out: new MemoryOutput(),
      clock: new FakeClock(),
      assumeYes: true,
      reads,
    };
    expect(await findIssuedCertificate(acm, "ep-b.example.com", ctx.clock.now(), reads)).toBe(wanted.arn);
    expect((await issuedCertificateNames(acm, reads)).get(wanted.arn)).toContain("ep-b.example.com");
    expect(await ensureCertificate(config("ep-b.example.com"), ctx)).toBe(wanted.arn);
    expect(issuedListings(acm)).toBe(1);
    // Without a run's reads, each asks again.
    await findIssuedCertificate(acm, "ep-b.example.com");
    await issuedCertificateNames(acm);
    expect(issuedListings(acm)).toBe(3);
  });

  it("after requesting a certificate and waiting for it, the run lists the certificates again and finds it", async () => {
    const acm = new FakeAcm();
    acm.add({ domainName: "a.example.com" });
    const reads = new RunReads();
    const ctx: DeployContext = {
      aws: { region: "us-east-1", acm } as Partial<AwsClients> as AwsClients,
      out: new MemoryOutput(),
      clock: new FakeClock(),
      assumeYes: true,
      reads,
    };
    // The plan: nothing issued or pending for the host.
    expect(await findIssuedCertificate(acm, "new.example.com", 0, reads)).toBeUndefined();
    expect(await findPendingCertificate(acm, "new.example.com", reads)).toBeUndefined();
    const arn = await ensureCertificate(config("new.example.com"), ctx);
    // The apply's certificate step asked neither question again before requesting.
    expect(acm.listings.filter((l) => !l.NextToken)).toHaveLength(2);
    expect(acm.requests).toHaveLength(1);
    expect(await findIssuedCertificate(acm, "new.example.com", 0, reads)).toBe(arn);
    expect(issuedListings(acm)).toBe(2);
  });
});

describe("a listener's certificates and rules, once per run", () => {
  it("placement's reads answer the listener certificate step and the rule priority; the attachment is read back fresh", async () => {
    const acm = new FakeAcm();
    const base = acm.add({ domainName: "base.example.com" });
    const other = acm.add({ domainName: "x1.example.com" });
    const endpoint = acm.add({ domainName: "ep-b.example.com" });
    const fake = countingElb([
      { arn: base.arn, isDefault: true },
      { arn: other.arn, isDefault: false },
    ]);
    const reads = new RunReads();
    const basis = await readPlacementBasis(fake.elb, exports, "base-env", reads);
    expect(basis.loadBalancers[0]).toMatchObject({ certificates: [other.arn], defaultCertificate: base.arn, priorities: [1, 7] });
    const pages = { certificates: fake.reads("DescribeListenerCertificates"), rules: fake.reads("DescribeRules") };
    expect(pages).toEqual({ certificates: 2, rules: 3 });

    expect(await ensureListenerCertificate(fake.elb, acm, LISTENER, "ep-b.example.com", endpoint.arn, { clock: new FakeClock() }, reads)).toBe("attached");
    // No second listing before attaching (the read back after it is one page more than before: three certificates now).
    expect(fake.reads("DescribeListenerCertificates") - pages.certificates).toBe(3);
    // The listener's certificates were named from the issued list: not one DescribeCertificate.
    expect(acm.certificates.map((c) => c.describes)).toEqual([0, 0, 0]);
    expect(await usedPriorities(fake.elb, LISTENER, reads)).toEqual(new Set([1, 7]));
    expect(fake.reads("DescribeRules")).toBe(pages.rules);
    // The attachment made the run forget the listener's certificates: the next question is asked again and sees it.
    expect((await listenerCertificates(fake.elb, LISTENER, reads)).map((c) => c.arn)).toContain(endpoint.arn);
  });

  it("a certificate whose alternative names the list does not all name is described", async () => {
    const acm = new FakeAcm();
    const names = Array.from({ length: 101 }, (_, i) => `h${i}.example.com`);
    const many = acm.add({ domainName: names[0]!, sans: names });
    const fake = countingElb([{ arn: many.arn, isDefault: true }]);
    const reads = new RunReads();
    expect(await listenerServes(fake.elb, acm, LISTENER, "h100.example.com", undefined, reads)).toBe(true);
    expect(many.describes).toBe(1);
  });

  it("teardown names the listener's certificates from one listing, and forgets them once it detaches one", async () => {
    const acm = new FakeAcm();
    const base = acm.add({ domainName: "base.example.com" });
    const leaving = acm.add({ domainName: "ep-b.example.com" });
    const staying = Array.from({ length: 4 }, (_, i) => acm.add({ domainName: `x${i}.example.com` }));
    const fake = countingElb([
      { arn: base.arn, isDefault: true },
      { arn: leaving.arn, isDefault: false },
      ...staying.map((c) => ({ arn: c.arn, isDefault: false })),
    ]);
    const reads = new RunReads();
    const remaining = staying.map((_, i) => `x${i}.example.com`);
    expect(await releaseListenerCertificates(fake.elb, acm, LISTENER, "ep-b.example.com", remaining, reads)).toEqual([leaving.arn]);
    expect(acm.certificates.map((c) => c.describes)).toEqual([0, 0, 0, 0, 0, 0]);
    expect((await listenerCertificates(fake.elb, LISTENER, reads)).map((c) => c.arn)).not.toContain(leaving.arn);
  });
});
