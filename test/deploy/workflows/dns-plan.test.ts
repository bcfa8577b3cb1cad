import { describe, expect, it } from "vitest";
import type { AwsClients, Stack } from "../../../src/aws/interfaces.js";
import type { DeployContext } from "../../../src/deploy/context.js";
import { planDns } from "../../../src/deploy/workflows/plan.js";
import type { EndpointConfig } from "../../../src/params/model.js";
import { FakeClock } from "../../fakes/clock.js";
import { MemoryOutput } from "../../fakes/output.js";
import { FakeRoute53 } from "../../fakes/route53.js";

const config = {
  project: "ep-a",
  environment: "prod",
  kind: "base",
  api: { hostHeader: "ep-a.example.com", port: 8000, healthCheckPath: "/ping" },
} as EndpointConfig;
const targetGroupArn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ep-a-prod/1";
const stack = { StackName: "ep-a-prod", Outputs: [{ OutputKey: "TargetGroupArn", OutputValue: targetGroupArn }] } as Stack;

function context(route53: FakeRoute53): DeployContext {
  // The serving load balancer is found from the endpoint's own target group, not from the base's exports.
  const elb = {
    describeTargetGroups: async (input: { TargetGroupArns?: string[] }) => ({
      TargetGroups: input.TargetGroupArns?.[0] === targetGroupArn ? [{ LoadBalancerArns: ["arn:lb/shard-2"] }] : [],
    }),
    describeLoadBalancers: async (input: { LoadBalancerArns?: string[] }) => ({
      LoadBalancers:
        input.LoadBalancerArns?.[0] === "arn:lb/shard-2"
          ? [{ DNSName: "shard-2-99.us-east-1.elb.amazonaws.com", CanonicalHostedZoneId: "Z35SXDOTRQ7X7K", IpAddressType: "dualstack" }]
          : [],
    }),
  };
  const acm = {
    describeCertificate: async () => ({
      Certificate: { DomainValidationOptions: [{ ResourceRecord: { Name: "_v.ep-a.example.com.", Type: "CNAME", Value: "_w.acm-validations.aws." } }] },
    }),
  };
  return { aws: { region: "us-east-1", route53, elb, acm } as unknown as AwsClients, out: new MemoryOutput(), clock: new FakeClock(), assumeYes: true };
}

describe("planDns", () => {
  it("lists the records to create for a deployed endpoint: A and AAAA to its dualstack load balancer, and the validation CNAME", async () => {
    const route53 = new FakeRoute53();
    route53.addZone("example.com");
    const plan = await planDns(config, true, stack, "arn:cert", context(route53));
    expect(plan.mode).toBe("zone");
    if (plan.mode !== "zone") return;
    expect(plan.records.map((r) => `${r.action} ${r.type} ${r.name} -> ${r.value}`)).toEqual([
      "create A ep-a.example.com -> alias to shard-2-99.us-east-1.elb.amazonaws.com",
      "create AAAA ep-a.example.com -> alias to shard-2-99.us-east-1.elb.amazonaws.com",
      "create CNAME _v.ep-a.example.com -> _w.acm-validations.aws.",
    ]);
    expect(plan.later).toEqual([]);
    // Planning reads only.
    expect(route53.batches).toEqual([]);
  });

  it("names a record it would change and what is known only later (a new stack, a certificate to request)", async () => {
    const route53 = new FakeRoute53();
    const zone = route53.addZone("example.com");
    route53.put(zone, { Name: "ep-a.example.com.", Type: "A", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }] });
    const deployed = await planDns(config, true, stack, undefined, context(route53));
    expect(deployed.mode === "zone" && deployed.records[0]).toMatchObject({ type: "A", action: "change", current: "192.0.2.1" });
    const fresh = await planDns(config, true, undefined, undefined, context(route53));
    expect(fresh.mode === "zone" && fresh.later).toHaveLength(2);
  });

  it("makes no record with --no-dns or without a zone, and says why", async () => {
    const route53 = new FakeRoute53();
    expect(await planDns(config, false, stack, "arn:cert", context(route53))).toEqual({ mode: "manual", reason: "--no-dns" });
    expect(await planDns(config, true, stack, "arn:cert", context(route53))).toEqual({
      mode: "manual",
      reason: "no Route 53 public hosted zone covers ep-a.example.com",
    });
    expect(route53.calls.filter((c) => c.startsWith("listHostedZonesByName"))).toHaveLength(2);
  });
});
