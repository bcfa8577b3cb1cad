import { describe, expect, it } from "vitest";
import type { AwsClients } from "../../../src/aws/interfaces.js";
import { certificateCovers, certificateIdempotencyToken, ensureCertificate } from "../../../src/deploy/steps/certificate.js";
import type { DeployContext } from "../../../src/deploy/context.js";
import { AwsError } from "../../../src/errors.js";
import type { EndpointConfig } from "../../../src/params/model.js";
import { FakeAcm, type FakeAcmOptions } from "../../fakes/acm.js";
import { FakeClock } from "../../fakes/clock.js";
import { MemoryOutput } from "../../fakes/output.js";
import { FakeRoute53 } from "../../fakes/route53.js";
import { ensureDnsRecords } from "../../../src/deploy/steps/dns.js";

describe("certificateCovers", () => {
  it("matches exact names case-insensitively", () => {
    expect(certificateCovers("ep-a.example.com", "EP-A.example.com")).toBe(true);
    expect(certificateCovers("ep-a.example.com", "ep-b.example.com")).toBe(false);
  });

  it("matches a wildcard one level deep only", () => {
    expect(certificateCovers("*.example.com", "ep-a.example.com")).toBe(true);
    expect(certificateCovers("*.example.com", "a.b.example.com")).toBe(false);
    expect(certificateCovers("*.example.com", "example.com")).toBe(false);
  });
});

function setup(options: FakeAcmOptions = {}) {
  const acm = new FakeAcm(options);
  const out = new MemoryOutput();
  const clock = new FakeClock();
  // The certificate step only talks to ACM; any other client used would be a bug and fail loudly.
  const ctx: DeployContext = { aws: { region: "us-east-1", acm } as Partial<AwsClients> as AwsClients, out, clock, assumeYes: true };
  const run = (host: string) =>
    ensureCertificate({ project: "ep-a", environment: "prod", api: { hostHeader: host, port: 443, healthCheckPath: "/" } } as EndpointConfig, ctx);
  return { acm, out, clock, run };
}

const day = 24 * 3600_000;

describe("ensureCertificate: issued certificates", () => {
  it("uses an issued certificate named exactly for the host, over a wildcard listed first", async () => {
    const { acm, run } = setup();
    acm.add({ domainName: "*.x.com" });
    acm.add({ domainName: "other.x.com" });
    const exact = acm.add({ domainName: "www.y.com", sans: ["www.y.com", "ep-a.x.com"] });
    await expect(run("EP-A.x.com")).resolves.toBe(exact.arn);
    expect(acm.requests).toHaveLength(0);
  });

  it("uses a wildcard certificate when no exact one exists", async () => {
    const { acm, run } = setup();
    acm.add({ domainName: "ep-a.y.com" });
    const wildcard = acm.add({ domainName: "*.x.com" });
    await expect(run("ep-a.x.com")).resolves.toBe(wildcard.arn);
    expect(acm.requests).toHaveLength(0);
  });

  it("finds EC and larger RSA certificates, which ListCertificates hides unless keyTypes asks for them", async () => {
    const { acm, run } = setup();
    const ec = acm.add({ domainName: "ep-a.x.com", keyAlgorithm: "EC_prime256v1" });
    await expect(run("ep-a.x.com")).resolves.toBe(ec.arn);
    expect(acm.requests).toHaveLength(0);
    expect(acm.listings[0]?.Includes?.keyTypes).toEqual(
      expect.arrayContaining(["RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]),
    );
  });

  it("skips an expired certificate and prefers the one valid longest", async () => {
    const { acm, clock, run } = setup();
    acm.add({ domainName: "ep-a.x.com", notAfter: new Date(clock.now() - day) });
    acm.add({ domainName: "ep-a.x.com", notAfter: new Date(clock.now() + 10 * day) });
    const longest = acm.add({ domainName: "ep-a.x.com", notAfter: new Date(clock.now() + 300 * day) });
    await expect(run("ep-a.x.com")).resolves.toBe(longest.arn);
  });

  it("requests a new certificate when the only one covering the host has expired", async () => {
    const { acm, clock, run } = setup();
    const expired = acm.add({ domainName: "ep-a.x.com", notAfter: new Date(clock.now() - day) });
    const arn = await run("ep-a.x.com");
    expect(arn).not.toBe(expired.arn);
    expect(acm.requests).toHaveLength(1);
  });
});

describe("ensureCertificate: requesting", () => {
  it("requests, shows the validation record once while pending, and returns once issued", async () => {
    const { acm, out, clock, run } = setup({ describesBeforeRecord: 1, describesBeforeOutcome: 4 });
    const arn = await run("ep-a.x.com");
    expect(acm.requests).toHaveLength(1);
    expect(acm.certificates.find((c) => c.arn === arn)).toMatchObject({ domainName: "ep-a.x.com", status: "ISSUED" });
    expect(clock.sleeps.length).toBe(4);
    expect(out.lines.filter((l) => l.includes("ACTION REQUIRED"))).toHaveLength(1);
    expect(out.lines.filter((l) => l === "info: CNAME _x1.ep-a.x.com. -> _x2.acm-validations.aws.")).toHaveLength(1);
    expect(out.lines.at(-1)).toBe(`success: Certificate issued: ${arn}`);
  });

  it("creates the validation record in the Route 53 zone covering the host instead of asking for it", async () => {
    const acm = new FakeAcm({ describesBeforeRecord: 1, describesBeforeOutcome: 4 });
    const route53 = new FakeRoute53();
    const zone = route53.addZone("x.com");
    const out = new MemoryOutput();
    const ctx: DeployContext = {
      aws: { region: "us-east-1", acm, route53 } as Partial<AwsClients> as AwsClients,
      out,
      clock: new FakeClock(),
      assumeYes: true,
    };
    const config = { project: "ep-a", environment: "prod", api: { hostHeader: "ep-a.x.com", port: 443, healthCheckPath: "/" } } as EndpointConfig;
    let calls = 0;
    const arn = await ensureCertificate(config, ctx, async (certificateArn) => {
      calls++;
      return (await ensureDnsRecords("ep-a.x.com", undefined, certificateArn, "validation", ctx)).records.length > 0;
    });
    expect(calls).toBe(1);
    expect(route53.record(zone, "_x1.ep-a.x.com", "CNAME")?.ResourceRecords).toEqual([{ Value: "_x2.acm-validations.aws." }]);
    expect(out.lines.filter((l) => l.includes("ACTION REQUIRED"))).toEqual([]);
    expect(out.lines.at(-1)).toBe(`success: Certificate issued: ${arn}`);
  });

  it("tags the certificate it requests with mlops and the endpoint, so status and teardown find it once the endpoint is gone", async () => {
    const { acm, run } = setup();
    await run("ep-a.x.com");
    expect(acm.requests[0]?.Tags).toEqual([
      { Key: "mlops:managed-by", Value: "mlops" },
      { Key: "mlops:endpoint", Value: "ep-a-prod" },
    ]);
  });

  it("waits for a certificate still pending from an interrupted run, found on a later page", async () => {
    const { acm, run } = setup({ pageSize: 1 });
    acm.add({ domainName: "a.x.com", status: "PENDING_VALIDATION" });
    acm.add({ domainName: "b.x.com", status: "PENDING_VALIDATION" });
    const pending = acm.add({ domainName: "ep-a.x.com", status: "PENDING_VALIDATION" });
    // Issue it after a few describes, as DNS validation would.
    let describes = 0;
    const describe = acm.describeCertificate.bind(acm);
    acm.describeCertificate = async (input) => {
      if (++describes === 3) pending.status = "ISSUED";
      return describe(input);
    };
    await expect(run("ep-a.x.com")).resolves.toBe(pending.arn);
    expect(acm.requests).toHaveLength(0);
  });

  it("uses different idempotency tokens for hosts that differ only in punctuation", async () => {
    const { acm, run } = setup();
    const first = await run("ep-a.x.com");
    const second = await run("epa.x.com");
    expect(second).not.toBe(first);
    expect(acm.certificates.find((c) => c.arn === second)?.domainName).toBe("epa.x.com");
    const tokens = acm.requests.map((r) => r.IdempotencyToken);
    expect(new Set(tokens).size).toBe(2);
    for (const token of tokens) expect(token).toMatch(/^\w{1,32}$/);
    expect(certificateIdempotencyToken("EP-A.x.com")).toBe(certificateIdempotencyToken("ep-a.x.com"));
  });

  it("rejects a certificate ACM returned for another name", async () => {
    const { acm, run } = setup();
    const other = acm.add({ domainName: "someone-else.x.com", status: "PENDING_VALIDATION" });
    acm.tokens.set(certificateIdempotencyToken("ep-a.x.com"), other.arn);
    const error = await run("ep-a.x.com").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).message).toContain("someone-else.x.com");
    expect((error as AwsError).message).toContain("not for ep-a.x.com");
  });

  it("fails at once when the requested certificate fails, with ACM's reason and what to do", async () => {
    const { acm, clock, run } = setup({ describesBeforeOutcome: 1, outcome: { status: "FAILED", failureReason: "CAA_ERROR" } });
    const error = await run("ep-a.x.com").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).message).toMatch(/is FAILED \(CAA_ERROR\)/);
    expect((error as AwsError).hint).toMatch(/delete-certificate .*api\.certificateArn/s);
    expect(clock.sleeps.length).toBe(1);
    expect(acm.certificates[0]?.describes).toBe(2);
  });

  it.each(["VALIDATION_TIMED_OUT", "REVOKED", "EXPIRED", "INACTIVE"] as const)(
    "fails at once on a %s certificate returned for the same token",
    async (status) => {
      const { acm, clock, run } = setup();
      const dead = acm.add({ domainName: "ep-a.x.com", status });
      acm.tokens.set(certificateIdempotencyToken("ep-a.x.com"), dead.arn);
      await expect(run("ep-a.x.com")).rejects.toThrow(new RegExp(`${dead.arn} for ep-a.x.com is ${status}`));
      expect(clock.sleeps).toHaveLength(0);
    },
  );
});
