import { describe, expect, it } from "vitest";
import type { AwsClients } from "../../../src/aws/interfaces.js";
import type { DeployContext } from "../../../src/deploy/context.js";
import {
  aliasRecordsFor,
  ensureDnsRecords,
  findHostedZone,
  recordsToRemove,
  validationRecordsFor,
  zoneCandidates,
  type LoadBalancerTarget,
} from "../../../src/deploy/steps/dns.js";
import { AwsError } from "../../../src/errors.js";
import { FakeClock } from "../../fakes/clock.js";
import { MemoryOutput } from "../../fakes/output.js";
import { FakeRoute53 } from "../../fakes/route53.js";

const balancer: LoadBalancerTarget = { dnsName: "ep-a-prod-123.us-east-1.elb.amazonaws.com", canonicalHostedZoneId: "Z35SXDOTRQ7X7K", dualstack: false };
const validation = { Name: "_abc.ep-a.example.com.", Type: "CNAME" as const, Value: "_def.acm-validations.aws." };

function setup(options: ConstructorParameters<typeof FakeRoute53>[0] = {}) {
  const route53 = new FakeRoute53(options);
  const acm = {
    describeCertificate: async () => ({ Certificate: { DomainValidationOptions: [{ DomainName: "ep-a.example.com", ResourceRecord: validation }] } }),
  };
  const clock = new FakeClock();
  const ctx: DeployContext = {
    aws: { region: "us-east-1", route53, acm } as unknown as AwsClients,
    out: new MemoryOutput(),
    clock,
    assumeYes: true,
    pollIntervalMs: 1000,
  };
  return { route53, ctx, clock };
}

describe("findHostedZone", () => {
  it("lists the candidate names longest first, down to two labels", () => {
    expect(zoneCandidates("API.ep-a.Example.com.")).toEqual(["api.ep-a.example.com", "ep-a.example.com", "example.com"]);
  });

  it("takes the public zone with the longest name covering the host, skipping private zones and paging", async () => {
    const { route53 } = setup({ pageSize: 1 });
    route53.addZone("example.com");
    const privateId = route53.addZone("ep-a.example.com", { private: true });
    const publicId = route53.addZone("ep-a.example.com");
    route53.addZone("other.com");
    const found = await findHostedZone(route53, "api.ep-a.example.com");
    expect(found).toEqual({ kind: "zone", zone: { id: publicId, name: "ep-a.example.com" } });
    expect(found.kind === "zone" && found.zone.id).not.toBe(privateId);
  });

  it("falls back to the parent zone, and finds none for a host no public zone covers", async () => {
    const { route53 } = setup();
    const parent = route53.addZone("example.com");
    route53.addZone("ep-a.example.com", { private: true });
    expect(await findHostedZone(route53, "ep-a.example.com")).toEqual({ kind: "zone", zone: { id: parent, name: "example.com" } });
    expect((await findHostedZone(route53, "ep-a.example.org")).kind).toBe("none");
  });

  it("makes no choice between two public zones of the same name", async () => {
    const { route53 } = setup();
    route53.addZone("example.com");
    route53.addZone("example.com");
    const found = await findHostedZone(route53, "ep-a.example.com");
    expect(found.kind).toBe("none");
    expect(found.kind === "none" && found.reason).toMatch(/2 public hosted zones are named example.com/);
  });
});

describe("ensureDnsRecords", () => {
  it("upserts the alias A record and the validation CNAME in one batch and waits for INSYNC", async () => {
    const { route53, ctx } = setup({ getChangesBeforeInSync: 3 });
    const zone = route53.addZone("example.com");
    const outcome = await ensureDnsRecords("ep-a.example.com", balancer, "arn:aws:acm:us-east-1:123456789012:certificate/1", "mlops ep-a-prod", ctx);
    expect(outcome.records.map((r) => `${r.action} ${r.type} ${r.name}`)).toEqual(["create A ep-a.example.com", "create CNAME _abc.ep-a.example.com"]);
    expect(route53.record(zone, "ep-a.example.com", "A")?.AliasTarget).toEqual({
      HostedZoneId: "Z35SXDOTRQ7X7K",
      DNSName: balancer.dnsName,
      EvaluateTargetHealth: false,
    });
    expect(route53.record(zone, "ep-a.example.com", "AAAA")).toBeUndefined();
    expect(route53.record(zone, "_abc.ep-a.example.com", "CNAME")?.ResourceRecords).toEqual([{ Value: "_def.acm-validations.aws." }]);
    expect(route53.batches).toHaveLength(1);
    expect(route53.calls.filter((c) => c.startsWith("getChange"))).toHaveLength(3);
  });

  it("adds an AAAA alias for a dualstack load balancer", async () => {
    const { route53, ctx } = setup();
    const zone = route53.addZone("example.com");
    await ensureDnsRecords("ep-a.example.com", { ...balancer, dualstack: true }, undefined, "c", ctx);
    expect(route53.record(zone, "ep-a.example.com", "AAAA")?.AliasTarget?.DNSName).toBe(balancer.dnsName);
  });

  it("converges: a second run changes nothing", async () => {
    const { route53, ctx } = setup();
    route53.addZone("example.com");
    await ensureDnsRecords("ep-a.example.com", balancer, "arn:cert", "c", ctx);
    const again = await ensureDnsRecords("ep-a.example.com", balancer, "arn:cert", "c", ctx);
    expect(again.records.every((r) => r.action === "unchanged")).toBe(true);
    expect(route53.batches).toHaveLength(1);
  });

  it("leaves a CNAME someone made at the host alone instead of failing the batch", async () => {
    const { route53, ctx } = setup();
    const zone = route53.addZone("example.com");
    route53.put(zone, { Name: "ep-a.example.com.", Type: "CNAME", TTL: 60, ResourceRecords: [{ Value: "elsewhere.example.net" }] });
    const outcome = await ensureDnsRecords("ep-a.example.com", balancer, undefined, "c", ctx);
    expect(outcome.records[0]).toMatchObject({ type: "A", action: "left alone", current: "CNAME elsewhere.example.net" });
    expect(route53.record(zone, "ep-a.example.com", "A")).toBeUndefined();
    expect(route53.batches).toHaveLength(0);
  });

  it("makes nothing without a zone and says why", async () => {
    const { route53, ctx } = setup();
    const outcome = await ensureDnsRecords("ep-a.example.com", balancer, undefined, "c", ctx);
    expect(outcome.manual).toMatch(/no Route 53 public hosted zone covers ep-a.example.com/);
    expect(route53.batches).toHaveLength(0);
  });

  it("treats a Route 53 it may not read as no zone", async () => {
    const { ctx } = setup();
    (ctx.aws as unknown as { route53: unknown }).route53 = {
      listHostedZonesByName: async () => {
        throw new AwsError("User is not authorized to perform: route53:ListHostedZonesByName", { code: "AccessDenied" });
      },
    };
    expect((await ensureDnsRecords("ep-a.example.com", balancer, undefined, "c", ctx)).manual).toMatch(/Route 53 cannot be read/);
  });

  it("gives up waiting for INSYNC at its deadline, naming the change", async () => {
    const { route53, ctx } = setup({ getChangesBeforeInSync: 1_000_000 });
    route53.addZone("example.com");
    await expect(ensureDnsRecords("ep-a.example.com", balancer, undefined, "c", ctx)).rejects.toThrow(/INSYNC/);
  });
});

describe("records teardown removes", () => {
  it("deletes the alias that points at this load balancer and leaves one pointed elsewhere", async () => {
    const { route53, ctx } = setup();
    const zoneId = route53.addZone("example.com");
    await ensureDnsRecords("ep-a.example.com", balancer, undefined, "c", ctx);
    route53.put(zoneId, {
      Name: "ep-b.example.com.",
      Type: "A",
      AliasTarget: { HostedZoneId: "Z1", DNSName: "someone-else.elb.amazonaws.com", EvaluateTargetHealth: false },
    });
    const zone = { id: zoneId, name: "example.com" };
    const mine = await aliasRecordsFor(route53, zone, "ep-a.example.com", `dualstack.${balancer.dnsName.toUpperCase()}.`);
    expect(mine.removals).toEqual([{ name: "ep-a.example.com", type: "A", value: `alias to ${balancer.dnsName}`, action: "delete" }]);
    const foreign = await aliasRecordsFor(route53, zone, "ep-b.example.com", balancer.dnsName);
    expect(foreign.removals[0]?.action).toBe("left alone");
    expect(foreign.deletes).toEqual([]);
    // The DELETE repeats the record as read, which Route 53 requires.
    await route53.changeResourceRecordSets({ HostedZoneId: zoneId, ChangeBatch: { Changes: mine.deletes } });
    expect(route53.record(zoneId, "ep-a.example.com", "A")).toBeUndefined();
    expect(route53.record(zoneId, "ep-b.example.com", "A")).toBeDefined();
  });

  it("deletes the validation CNAME only while it holds this certificate's value", async () => {
    const { route53, ctx } = setup();
    const zoneId = route53.addZone("example.com");
    const zone = { id: zoneId, name: "example.com" };
    await ensureDnsRecords("ep-a.example.com", undefined, "arn:cert", "c", ctx);
    expect((await validationRecordsFor(ctx, zone, "arn:cert")).deletes).toHaveLength(1);
    route53.put(zoneId, { Name: "_abc.ep-a.example.com.", Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: "_other.acm-validations.aws." }] });
    const changed = await recordsToRemove(route53, zone, [
      { Name: "_abc.ep-a.example.com.", Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: validation.Value }] },
    ]);
    expect(changed.removals[0]?.action).toBe("left alone");
    expect(changed.deletes).toEqual([]);
  });
});
