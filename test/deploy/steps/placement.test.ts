/**
 * Placement by quota: which of a base's load balancers takes a new endpoint, read with each kind
 * of call once. AWS's rules, from "Quotas for your Application Load Balancers"
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html):
 * the default certificate does not count against the certificates quota; the default rule not
 * against the rules quota.
 */
import { describe, expect, it } from "vitest";
import type { Ec2Api, ElbApi } from "../../../src/aws/interfaces.js";
import { loadEndpointConfig } from "../../../src/params/load.js";
import { endpointNeed } from "../../../src/deploy/workflows/plan.js";
import {
  DEFAULT_QUOTAS,
  baseLoadBalancers,
  choosePlacement,
  nextShardName,
  readPlacementBasis,
  readQuotas,
  requireRegionRoom,
  requireSubnetRoom,
  type LoadBalancerUse,
  type PlacementBasis,
} from "../../../src/deploy/steps/placement.js";

const quotas = { ...DEFAULT_QUOTAS, certificates: 3, rules: 6, targetGroups: 6 };
const need = { rules: 1, targetGroups: 1 };
const lb = (stackName: string, use: Partial<LoadBalancerUse> = {}): LoadBalancerUse => ({
  stackName,
  shard: stackName !== "base-env",
  listenerArn: `listener/${stackName}`,
  loadBalancerArn: `lb/${stackName}`,
  dnsName: `${stackName}.elb`,
  certificates: [],
  defaultCertificate: "cert/default",
  rules: 1,
  priorities: [1],
  targetGroups: 1,
  ...use,
});
const basis = (...loadBalancers: LoadBalancerUse[]): PlacementBasis => ({ quotas, loadBalancers, targetGroupsInRegion: 10 });
const noNames = () => [];

describe("choosePlacement", () => {
  it("takes the base's own load balancer first while it has room, attaching the certificate", () => {
    const placed = choosePlacement(basis(lb("base-env"), lb("base-env-lb-2")), need, "b.example.com", "cert/b", noNames, "base-env");
    expect(placed).toMatchObject({ kind: "existing", loadBalancer: { stackName: "base-env" }, certificate: "attach" });
  });

  it("passes over a load balancer whose rules or target groups are at the quota, and says why", () => {
    const placed = choosePlacement(
      basis(lb("base-env", { rules: 6 }), lb("base-env-lb-2", { targetGroups: 6 }), lb("base-env-lb-3")),
      need,
      "b.example.com",
      "cert/b",
      noNames,
      "base-env",
    );
    expect(placed).toMatchObject({ kind: "existing", loadBalancer: { stackName: "base-env-lb-3" } });
    expect(placed.passedOver).toEqual(["base-env: rules 6/6", "base-env-lb-2: target groups 6/6"]);
  });

  it("a certificate slot is needed only when no certificate on the listener covers the host", () => {
    const full = { certificates: ["cert/1", "cert/2", "cert/wild"] };
    const names = (arn: string) => (arn === "cert/wild" ? ["*.team.example.com"] : []);
    const covered = choosePlacement(basis(lb("base-env", full)), need, "s1.team.example.com", "cert/s1", names, "base-env");
    expect(covered).toMatchObject({ kind: "existing", certificate: "covered", coveringArn: "cert/wild" });
    const present = choosePlacement(basis(lb("base-env", full)), need, "x.example.com", "cert/2", names, "base-env");
    expect(present).toMatchObject({ kind: "existing", certificate: "present" });
    const attach = choosePlacement(basis(lb("base-env", full), lb("base-env-lb-2")), need, "x.example.com", "cert/x", names, "base-env");
    expect(attach).toMatchObject({ kind: "existing", loadBalancer: { stackName: "base-env-lb-2" }, certificate: "attach" });
    expect(attach.passedOver).toEqual(["base-env: certificates 3/3"]);
  });

  it("prefers a later load balancer that already covers the host over taking a certificate slot on an earlier one", () => {
    const names = (arn: string) => (arn === "cert/wild" ? ["*.team.example.com"] : []);
    const placed = choosePlacement(
      basis(lb("base-env"), lb("base-env-lb-2", { certificates: ["cert/wild"] })),
      need,
      "s2.team.example.com",
      undefined,
      names,
      "base-env",
    );
    expect(placed).toMatchObject({ kind: "existing", loadBalancer: { stackName: "base-env-lb-2" }, certificate: "covered" });
  });

  it("plans a new shard, with the lowest free number, when every load balancer is full", () => {
    const placed = choosePlacement(
      basis(lb("base-env", { rules: 6 }), lb("base-env-lb-3", { certificates: ["a", "b", "c"] })),
      need,
      "x.example.com",
      "cert/x",
      noNames,
      "base-env",
    );
    expect(placed).toEqual({ kind: "shard", stackName: "base-env-lb-2", passedOver: ["base-env: rules 6/6", "base-env-lb-3: certificates 3/3"] });
  });

  it("counts the endpoint's own need: two target groups do not fit where one slot is left", () => {
    const placed = choosePlacement(basis(lb("base-env", { targetGroups: 5 })), { rules: 1, targetGroups: 2 }, "x.example.com", "cert/x", noNames, "base-env");
    expect(placed.kind).toBe("shard");
  });
});

describe("the base's load balancers and shard names", () => {
  it("finds the base's own load balancer and its shards in number order from the exports", () => {
    const exports = new Map([
      ["base-env-HttpsListenerArn", "l1"],
      ["base-env-lb-10-HttpsListenerArn", "l10"],
      ["base-env-lb-2-HttpsListenerArn", "l2"],
      ["base-env-lb-2-LoadBalancerDnsName", "lb2.elb"],
      ["other-env-lb-2-HttpsListenerArn", "x"],
      ["base-env-lbx-HttpsListenerArn", "y"],
    ]);
    expect(baseLoadBalancers(exports, "base-env").map((b) => [b.stackName, b.listenerArn, b.shard])).toEqual([
      ["base-env", "l1", false],
      ["base-env-lb-2", "l2", true],
      ["base-env-lb-10", "l10", true],
    ]);
  });

  it("reuses the lowest number a removed shard freed", () => {
    expect(nextShardName("base-env", ["base-env", "base-env-lb-3"])).toBe("base-env-lb-2");
    expect(nextShardName("base-env", ["base-env", "base-env-lb-2", "base-env-lb-3"])).toBe("base-env-lb-4");
  });
});

/** An ELB fake holding load balancers with certificates, rules and target groups, counting calls and pages. */
function fakeElb(options: { limits?: { Name: string; Max: string }[]; pageSize?: number } = {}) {
  const calls: Record<string, number> = {};
  let inFlight = 0;
  let maxInFlight = 0;
  const count = async <T>(name: string, answer: () => T): Promise<T> => {
    calls[name] = (calls[name] ?? 0) + 1;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    return answer();
  };
  const page = <T>(items: T[], marker: string | undefined, size: number) => {
    const start = Number(marker ?? 0);
    const next = start + size < items.length ? String(start + size) : undefined;
    return { items: items.slice(start, start + size), next };
  };
  const size = options.pageSize ?? 2;
  const groups = [
    ...Array.from({ length: 3 }, (_, i) => ({ TargetGroupArn: `tg/base/${i}`, LoadBalancerArns: ["lb/base"] })),
    { TargetGroupArn: "tg/shard/0", LoadBalancerArns: ["lb/shard"] },
    { TargetGroupArn: "tg/none", LoadBalancerArns: [] },
  ];
  const certificates: Record<string, { CertificateArn: string; IsDefault: boolean }[]> = {
    "listener/base": [
      { CertificateArn: "c/default", IsDefault: true },
      { CertificateArn: "c/1", IsDefault: false },
      { CertificateArn: "c/2", IsDefault: false },
    ],
    "listener/shard": [{ CertificateArn: "c/default", IsDefault: true }],
  };
  const rules: Record<string, { Priority: string; IsDefault: boolean }[]> = {
    "listener/base": [
      { Priority: "1", IsDefault: false },
      { Priority: "7", IsDefault: false },
      { Priority: "9", IsDefault: false },
      { Priority: "default", IsDefault: true },
    ],
    "listener/shard": [
      { Priority: "3", IsDefault: false },
      { Priority: "default", IsDefault: true },
    ],
  };
  const elb = {
    describeAccountLimits: (input: { Marker?: string }) =>
      count("DescribeAccountLimits", () => {
        const p = page(
          options.limits ?? [
            { Name: "certificates-per-application-load-balancer", Max: "3" },
            { Name: "rules-per-application-load-balancer", Max: "6" },
          ],
          input.Marker,
          size,
        );
        return { Limits: p.items, NextMarker: p.next };
      }),
    describeTargetGroups: (input: { Marker?: string }) =>
      count("DescribeTargetGroups", () => {
        const p = page(groups, input.Marker, size);
        return { TargetGroups: p.items, NextMarker: p.next };
      }),
    describeListenerCertificates: (input: { ListenerArn?: string; Marker?: string }) =>
      count("DescribeListenerCertificates", () => {
        const p = page(certificates[input.ListenerArn!] ?? [], input.Marker, size);
        return { Certificates: p.items, NextMarker: p.next };
      }),
    describeRules: (input: { ListenerArn?: string; Marker?: string }) =>
      count("DescribeRules", () => {
        const p = page(rules[input.ListenerArn!] ?? [], input.Marker, size);
        return { Rules: p.items, NextMarker: p.next };
      }),
    describeLoadBalancers: () => count("DescribeLoadBalancers", () => ({ LoadBalancers: Array.from({ length: 5 }, () => ({ Type: "application" as const })) })),
  } as unknown as ElbApi;
  return { elb, calls, maxInFlight: () => maxInFlight };
}

const exports = new Map([
  ["base-env-HttpsListenerArn", "listener/base"],
  ["base-env-LoadBalancerArn", "lb/base"],
  ["base-env-lb-2-HttpsListenerArn", "listener/shard"],
  ["base-env-lb-2-LoadBalancerArn", "lb/shard"],
]);

describe("readPlacementBasis", () => {
  it("reads what each load balancer holds across pages, not counting defaults, with the reads side by side", async () => {
    const fake = fakeElb();
    const read = await readPlacementBasis(fake.elb, exports, "base-env");
    expect(read.quotas).toEqual({ ...DEFAULT_QUOTAS, certificates: 3, rules: 6 });
    expect(read.targetGroupsInRegion).toBe(5);
    expect(read.loadBalancers.map((b) => [b.stackName, b.certificates, b.defaultCertificate, b.rules, b.priorities, b.targetGroups])).toEqual([
      ["base-env", ["c/1", "c/2"], "c/default", 3, [1, 7, 9], 3],
      ["base-env-lb-2", [], "c/default", 1, [3], 1],
    ]);
    // The region's target groups are read once (3 pages of 2), not once per load balancer.
    expect(fake.calls.DescribeTargetGroups).toBe(3);
    expect(fake.maxInFlight()).toBeGreaterThan(1);
  });

  it("keeps AWS's default for a limit the account does not report", async () => {
    expect(await readQuotas(fakeElb({ limits: [] }).elb)).toEqual(DEFAULT_QUOTAS);
  });
});

describe("requireRegionRoom", () => {
  it("refuses a new shard when the region's load balancer quota is reached, and the region's target group quota for any placement", async () => {
    const fake = fakeElb();
    const full = { quotas: { ...quotas, loadBalancers: 5 }, loadBalancers: [], targetGroupsInRegion: 10 };
    await expect(requireRegionRoom(fake.elb, full, need, { kind: "shard", stackName: "base-env-lb-2", passedOver: [] })).rejects.toThrow(
      /5 Application Load Balancers, its quota is 5/,
    );
    await expect(
      requireRegionRoom(fake.elb, full, need, { kind: "existing", loadBalancer: lb("base-env"), certificate: "attach", passedOver: [] }),
    ).resolves.toBeUndefined();
    await expect(
      requireRegionRoom(fake.elb, { ...full, targetGroupsInRegion: 3000 }, need, {
        kind: "existing",
        loadBalancer: lb("base-env"),
        certificate: "attach",
        passedOver: [],
      }),
    ).rejects.toThrow(/3000 target groups, its quota is 3000/);
  });
});

describe("requireSubnetRoom", () => {
  const ec2 = (free: number[]) =>
    ({
      describeSubnets: async () => ({ Subnets: free.map((n, i) => ({ SubnetId: `subnet-${i}`, CidrBlock: `10.0.${i}.0/24`, AvailableIpAddressCount: n })) }),
    }) as unknown as Ec2Api;

  it("passes when each private subnet has room for the mount targets and half the peak tasks", async () => {
    await expect(requireSubnetRoom(ec2([6, 6]), ["subnet-0", "subnet-1"], { mountTargets: 2, peakTasks: 8 })).resolves.toBeUndefined();
  });

  it("refuses, naming the subnet and what the endpoint needs, when one is short", async () => {
    await expect(requireSubnetRoom(ec2([6, 5]), ["subnet-0", "subnet-1"], { mountTargets: 2, peakTasks: 8 })).rejects.toThrow(
      /subnet-1 \(10\.0\.1\.0\/24\) has 5 free; this endpoint needs 6 addresses in each \(2 EFS mount targets and up to 8 tasks/,
    );
  });
});

describe("endpointNeed", () => {
  it("counts what the added endpoint's template adds: one rule, one target group, two mount targets per private subnet", async () => {
    const config = await loadEndpointConfig("params/ep-b.yaml");
    expect(endpointNeed(config)).toEqual({ rules: 1, targetGroups: 1, mountTargets: 2 });
  });
});
