/**
 * add-endpoint whose plan finds the host's certificate still pending validation (a run interrupted while it waited
 * for ACM): the apply waits until ACM has issued it before attaching it to the listener, which refuses a certificate
 * that is not issued (ELB API reference, AddListenerCertificates: CertificateNotFound / UnsupportedCertificate).
 * The emulator's ACM issues at once, so ACM here is the emulator's behind a layer that keeps one certificate
 * PENDING_VALIDATION for its first describes, in listings too, as ACM does until the validation record is seen.
 */
import { RequestCertificateCommand } from "@aws-sdk/client-acm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAwsClients } from "../../../src/aws/clients.js";
import type { AcmApi, AwsClients } from "../../../src/aws/interfaces.js";
import { deployEndpoint } from "../../../src/deploy/workflows/endpoint.js";
import { loadEndpointConfig } from "../../../src/params/load.js";
import { FakeClock } from "../../fakes/clock.js";
import { MemoryOutput } from "../../fakes/output.js";
import { sdkClients, withPushes } from "../../helpers/aws.js";
import { startEmulator } from "../../setup/emulator-process.js";

let emulator: { url: string; stop(): Promise<void> };

beforeAll(async () => {
  emulator = await startEmulator();
  process.env.AWS_ACCESS_KEY_ID = "test";
  process.env.AWS_SECRET_ACCESS_KEY = "test";
});
afterAll(async () => {
  await emulator?.stop();
});

/** `real` with some of its methods replaced (the adapters are class instances: a spread would lose their methods). */
function overriding<T extends object>(real: T, replaced: Partial<T>): T {
  return new Proxy(real, { get: (target, key) => (key in replaced ? (replaced as Record<PropertyKey, unknown>)[key] : (Reflect.get(target, key) as unknown)) });
}

/** The emulator's ACM, with `arn` pending validation for its first `describes` describes. */
function pendingFor(real: AcmApi, arn: string, describes: number): { acm: AcmApi; issuedAt: number; describes: () => number } {
  let seen = 0;
  const pending = () => seen <= describes;
  const acm = overriding(real, {
    describeCertificate: async (input) => {
      const answer = await real.describeCertificate(input);
      if (input.CertificateArn !== arn) return answer;
      seen++;
      return pending() && answer.Certificate ? { Certificate: { ...answer.Certificate, Status: "PENDING_VALIDATION" } } : answer;
    },
    listCertificates: async (input) => {
      // The status filter applies to the status this layer reports, not the emulator's.
      const answer = await real.listCertificates({ ...input, CertificateStatuses: undefined });
      const list = (answer.CertificateSummaryList ?? []).map((c) =>
        c.CertificateArn === arn && pending() ? { ...c, Status: "PENDING_VALIDATION" as const } : c,
      );
      return { ...answer, CertificateSummaryList: list.filter((c) => !input.CertificateStatuses || !c.Status || input.CertificateStatuses.includes(c.Status)) };
    },
  });
  return { acm, issuedAt: describes + 1, describes: () => seen };
}

describe("a certificate the plan finds pending", () => {
  it("is waited for until issued before the listener gets it", async () => {
    const real = await createAwsClients({ region: "us-east-1", endpointUrl: emulator.url });
    const sdk = sdkClients(emulator.url);
    const base = await loadEndpointConfig("params/ep-a.yaml");
    const options = { pipeline: false, tag: "v1", imageTimeoutMs: 60_000, rolloutTimeoutMs: 60_000 };
    await withPushes(sdk.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () =>
      deployEndpoint(base, options, { aws: real, out: new MemoryOutput(), clock: new FakeClock(), assumeYes: true, pollIntervalMs: 10 }),
    );

    const added = await loadEndpointConfig("params/ep-b.yaml");
    // An earlier run requested the certificate and was interrupted while ACM validated it.
    const arn = (await sdk.acm.send(new RequestCertificateCommand({ DomainName: added.api.hostHeader, ValidationMethod: "DNS" }))).CertificateArn as string;
    const pending = pendingFor(real.acm, arn, 3);
    const attachedWhile: { arn?: string; described: number }[] = [];
    const elb = overriding(real.elb, {
      addListenerCertificates: async (input) => {
        attachedWhile.push({ arn: input.Certificates?.[0]?.CertificateArn, described: pending.describes() });
        return real.elb.addListenerCertificates(input);
      },
    });
    const aws: AwsClients = { ...real, acm: pending.acm, elb };
    const out = new MemoryOutput();
    await withPushes(sdk.ecr, [{ repository: "ep-b-prod", tag: "v1" }], () =>
      deployEndpoint(added, { ...options, dns: false }, { aws, out, clock: new FakeClock(), assumeYes: true, pollIntervalMs: 10 }),
    );

    expect(attachedWhile.map((a) => a.arn)).toEqual([arn]);
    // Attached only once a describe had answered ISSUED.
    expect(attachedWhile[0]?.described).toBeGreaterThanOrEqual(pending.issuedAt);
  });
});
