/**
 * AWS's APIs are eventually consistent: a security-group rule just authorized, or a
 * certificate just attached to a listener, may be missing from the next reads
 * (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html). The fakes
 * here show the new state only after a few reads; the fake clock makes the backoff instant.
 * Also: a listener may carry IAM server certificates, which ACM cannot describe.
 */
import type * as ec2 from "@aws-sdk/client-ec2";
import type * as elb from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import type { Ec2Api, ElbApi } from "../../../src/aws/interfaces.js";
import { ensureListenerCertificate, releaseListenerCertificates } from "../../../src/deploy/steps/listener-certificates.js";
import { readBack, READ_BACK_MS } from "../../../src/deploy/engine/poll.js";
import { ensureNfsRule } from "../../../src/deploy/steps/security-groups.js";
import { AwsError } from "../../../src/errors.js";
import { FakeAcm } from "../../fakes/acm.js";
import { FakeClock } from "../../fakes/clock.js";

const rule = { efsSecurityGroupId: "sg-efs", taskSecurityGroupId: "sg-task", description: "mlops ep-b-prod: tasks mount EFS" };

/** EC2 whose authorized rules show in DescribeSecurityGroups only after `lag` reads. */
class LaggingEc2 implements Partial<Ec2Api> {
  reads = 0;
  private visibleAfter = Number.POSITIVE_INFINITY;
  constructor(private readonly lag: number) {}
  async describeSecurityGroups(): Promise<ec2.DescribeSecurityGroupsResult> {
    this.reads++;
    const pairs = this.reads > this.visibleAfter ? [{ GroupId: rule.taskSecurityGroupId }] : [];
    return {
      SecurityGroups: [
        { GroupId: rule.efsSecurityGroupId, IpPermissions: pairs.length ? [{ IpProtocol: "tcp", FromPort: 2049, ToPort: 2049, UserIdGroupPairs: pairs }] : [] },
      ],
    };
  }
  async authorizeSecurityGroupIngress(): Promise<ec2.AuthorizeSecurityGroupIngressResult> {
    this.visibleAfter = this.reads + this.lag;
    return {};
  }
}

/** ELB whose listener lists an added certificate only after `lag` reads, one certificate per page. */
class LaggingElb implements Partial<ElbApi> {
  reads = 0;
  readonly added: string[] = [];
  readonly removed: string[] = [];
  private pending: { arn: string; after: number }[] = [];
  constructor(
    private certificates: { arn: string; isDefault: boolean }[],
    private readonly lag: number,
  ) {}
  async describeListenerCertificates(input: elb.DescribeListenerCertificatesInput): Promise<elb.DescribeListenerCertificatesOutput> {
    if (!input.Marker) this.reads++;
    for (const p of this.pending.filter((p) => this.reads > p.after)) this.certificates.push({ arn: p.arn, isDefault: false });
    this.pending = this.pending.filter((p) => this.reads <= p.after);
    const index = Number(input.Marker ?? 0);
    const page = this.certificates.slice(index, index + 1).map((c) => ({ CertificateArn: c.arn, IsDefault: c.isDefault }));
    return { Certificates: page, NextMarker: index + 1 < this.certificates.length ? String(index + 1) : undefined };
  }
  async addListenerCertificates(input: elb.AddListenerCertificatesInput): Promise<elb.AddListenerCertificatesOutput> {
    for (const c of input.Certificates ?? []) {
      this.added.push(c.CertificateArn ?? "");
      this.pending.push({ arn: c.CertificateArn ?? "", after: this.reads + this.lag });
    }
    return {};
  }
  async removeListenerCertificates(input: elb.RemoveListenerCertificatesInput): Promise<elb.RemoveListenerCertificatesOutput> {
    for (const c of input.Certificates ?? []) this.removed.push(c.CertificateArn ?? "");
    this.certificates = this.certificates.filter((c) => !this.removed.includes(c.arn));
    return {};
  }
}

const LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/ep-a-prod/1/2";
const IAM_CERTIFICATE = "arn:aws:iam::123456789012:server-certificate/legacy-wildcard";

describe("read back with backoff", () => {
  it("readBack backs off 1, 2, 4, 8, then 15 s, and gives up after about 60 s", async () => {
    const clock = new FakeClock();
    expect(await readBack(async () => false, { clock })).toBe(false);
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(READ_BACK_MS);
  });

  it("a security-group rule that shows only on the fourth read after authorizing is reported added", async () => {
    const ec2 = new LaggingEc2(3);
    const clock = new FakeClock();
    expect(await ensureNfsRule(ec2 as unknown as Ec2Api, rule, { clock })).toBe("added");
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000]);
  });

  it("a rule that never shows is reported missing after about 60 s, not at once", async () => {
    const ec2 = new LaggingEc2(Number.POSITIVE_INFINITY);
    const clock = new FakeClock();
    const started = clock.now();
    const error = await ensureNfsRule(ec2 as unknown as Ec2Api, rule, { clock }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).message).toContain("still not visible after 60s");
    expect(clock.now() - started).toBe(READ_BACK_MS);
  });

  it("a certificate just attached to the listener is read back until it is listed", async () => {
    const acm = new FakeAcm();
    const base = acm.add({ domainName: "ep-a.example.com" });
    const added = acm.add({ domainName: "ep-b.example.com" });
    const elb = new LaggingElb([{ arn: base.arn, isDefault: true }], 3);
    const clock = new FakeClock();
    expect(await ensureListenerCertificate(elb as unknown as ElbApi, acm, LISTENER, "ep-b.example.com", added.arn, { clock })).toBe("attached");
    expect(elb.added).toEqual([added.arn]);
    expect(clock.sleeps.length).toBeGreaterThan(0);
  });

  it("a certificate that never shows on the listener is reported after about 60 s", async () => {
    const acm = new FakeAcm();
    const added = acm.add({ domainName: "ep-b.example.com" });
    const elb = new LaggingElb([], Number.POSITIVE_INFINITY);
    const clock = new FakeClock();
    await expect(ensureListenerCertificate(elb as unknown as ElbApi, acm, LISTENER, "ep-b.example.com", added.arn, { clock })).rejects.toThrow(
      /still not listed on it after 60s/,
    );
  });
});

describe("IAM server certificates on the base's listener", () => {
  it("add-endpoint skips them and attaches the endpoint's ACM certificate", async () => {
    const acm = new FakeAcm();
    const base = acm.add({ domainName: "ep-a.example.com" });
    const added = acm.add({ domainName: "ep-b.example.com" });
    // The fake ACM refuses the IAM ARN as ACM does: looking it up would fail the command.
    await expect(acm.describeCertificate({ CertificateArn: IAM_CERTIFICATE })).rejects.toThrow(/validation error/);
    const elb = new LaggingElb(
      [
        { arn: base.arn, isDefault: true },
        { arn: IAM_CERTIFICATE, isDefault: false },
      ],
      0,
    );
    const result = await ensureListenerCertificate(elb as unknown as ElbApi, acm, LISTENER, "ep-b.example.com", added.arn, { clock: new FakeClock() });
    expect(result).toBe("attached");
  });

  it("teardown skips them and detaches only the departing endpoint's certificate", async () => {
    const acm = new FakeAcm();
    const base = acm.add({ domainName: "ep-a.example.com" });
    const leaving = acm.add({ domainName: "ep-b.example.com" });
    const elb = new LaggingElb(
      [
        { arn: base.arn, isDefault: true },
        { arn: IAM_CERTIFICATE, isDefault: false },
        { arn: leaving.arn, isDefault: false },
      ],
      0,
    );
    const released = await releaseListenerCertificates(elb as unknown as ElbApi, acm, LISTENER, "ep-b.example.com", ["ep-a.example.com"]);
    expect(released).toEqual([leaving.arn]);
    expect(elb.removed).toEqual([leaving.arn]);
  });
});
