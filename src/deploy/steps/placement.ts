/**
 * Which load balancer of a base serves a new added endpoint. An Application
 * Load Balancer holds a limited number of certificates besides its default
 * one, of listener rules and of target groups ("Quotas for your Application
 * Load Balancers",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html);
 * the account's values come from DescribeAccountLimits. The endpoint goes on
 * the first load balancer of the base (its own, then its shards in order)
 * with room for what the endpoint's stack adds; when none has room, on a new
 * shard (templates/shard.yaml). A certificate already on a listener that
 * covers the host is reused: no slot is taken for it.
 *
 * Reads only, each kind once per run: the exports, the account's limits, all
 * target groups of the region (one paged call gives both the per-balancer
 * counts and the region's total), the issued certificates' names, and per
 * load balancer its listener certificates and rules, concurrently.
 */
import type { AcmApi, CloudFormationApi, Ec2Api, ElbApi } from "../../aws/interfaces.js";
import { AwsError } from "../../errors.js";
import { shardNumber, shardStackName } from "../../render/names.js";
import { mapConcurrently } from "../engine/concurrency.js";
import { certificateCovers, issuedCertificates, summaryNames } from "./certificate.js";
import { listenerCertificates } from "./listener-certificates.js";
import { listenerRules } from "./priority.js";
import type { RunReads } from "../engine/reads.js";

/** The quotas placement respects. */
export interface LoadBalancerQuotas {
  /** Certificates per load balancer, besides the listener's default one. */
  certificates: number;
  /** Listener rules per load balancer, besides the default rules. */
  rules: number;
  /** Target groups per load balancer. */
  targetGroups: number;
  /** Target groups in the region. */
  targetGroupsInRegion: number;
  /** Application Load Balancers in the region. */
  loadBalancers: number;
}

/**
 * AWS's defaults ("Quotas for your Application Load Balancers"), used for a limit
 * DescribeAccountLimits does not report.
 */
export const DEFAULT_QUOTAS: LoadBalancerQuotas = { certificates: 25, rules: 100, targetGroups: 100, targetGroupsInRegion: 3000, loadBalancers: 50 };

/** DescribeAccountLimits names (Elastic Load Balancing API reference, Limit). */
const LIMIT_NAMES: Record<keyof LoadBalancerQuotas, string> = {
  certificates: "certificates-per-application-load-balancer",
  rules: "rules-per-application-load-balancer",
  targetGroups: "target-groups-per-application-load-balancer",
  targetGroupsInRegion: "target-groups",
  loadBalancers: "application-load-balancers",
};

/** What one of a base's load balancers holds now. */
export interface LoadBalancerUse {
  /** The stack that owns it: the base's or a shard's. */
  stackName: string;
  shard: boolean;
  listenerArn: string;
  loadBalancerArn?: string;
  dnsName?: string;
  /** The HTTPS listener's certificates besides its default one. */
  certificates: string[];
  defaultCertificate?: string;
  /** Its HTTPS listener's rules besides the default one. */
  rules: number;
  /** The priorities those rules take (a new endpoint's rule needs a free one). */
  priorities: number[];
  targetGroups: number;
}

/** What the new endpoint's stack adds to its load balancer, counted in its template. */
export interface LoadBalancerNeed {
  rules: number;
  targetGroups: number;
}

/** Where the endpoint goes. */
export type Placement =
  | {
      kind: "existing";
      loadBalancer: LoadBalancerUse;
      /** `present`: its certificate is on the listener; `covered`: another one there covers the host; `attach`: one slot is taken. */
      certificate: "present" | "covered" | "attach";
      /** `covered`: the certificate that covers the host. */
      coveringArn?: string;
      /** Why the load balancers before it were passed over. */
      passedOver: string[];
    }
  | { kind: "shard"; stackName: string; passedOver: string[] };

/** What placement read, for the plan and the bench. */
export interface PlacementBasis {
  quotas: LoadBalancerQuotas;
  loadBalancers: LoadBalancerUse[];
  targetGroupsInRegion: number;
}

/** Reads the account's Application Load Balancer quotas (all pages); a limit not reported keeps AWS's default. */
export async function readQuotas(elb: ElbApi): Promise<LoadBalancerQuotas> {
  const found = new Map<string, number>();
  let marker: string | undefined;
  do {
    const page = await elb.describeAccountLimits({ Marker: marker });
    for (const limit of page.Limits ?? [])
      if (limit.Name && limit.Max !== undefined && Number.isFinite(Number(limit.Max))) found.set(limit.Name, Number(limit.Max));
    marker = page.NextMarker;
  } while (marker);
  const quotas = { ...DEFAULT_QUOTAS };
  for (const key of Object.keys(LIMIT_NAMES) as (keyof LoadBalancerQuotas)[]) quotas[key] = found.get(LIMIT_NAMES[key]) ?? quotas[key];
  return quotas;
}

/** The load balancers of a base, from the region's exports: the base's own first, then its shards by number. */
export function baseLoadBalancers(
  exports: Map<string, string>,
  baseStack: string,
): { stackName: string; shard: boolean; listenerArn: string; loadBalancerArn?: string; dnsName?: string }[] {
  const stacks = [baseStack];
  const shards: { n: number; name: string }[] = [];
  for (const name of exports.keys()) {
    if (!name.endsWith("-HttpsListenerArn")) continue;
    const stack = name.slice(0, -"-HttpsListenerArn".length);
    const n = shardNumber(baseStack, stack);
    if (n !== undefined) shards.push({ n, name: stack });
  }
  stacks.push(...shards.sort((a, b) => a.n - b.n).map((s) => s.name));
  return stacks.flatMap((stackName) => {
    const listenerArn = exports.get(`${stackName}-HttpsListenerArn`);
    if (!listenerArn) return [];
    return [
      {
        stackName,
        shard: stackName !== baseStack,
        listenerArn,
        loadBalancerArn: exports.get(`${stackName}-LoadBalancerArn`),
        dnsName: exports.get(`${stackName}-LoadBalancerDnsName`),
      },
    ];
  });
}

/** The next shard stack name of a base: the lowest number from 2 that no load balancer of the base uses. */
export function nextShardName(baseStack: string, existing: string[]): string {
  const taken = new Set(existing.map((s) => shardNumber(baseStack, s)).filter((n): n is number => n !== undefined));
  let n = 2;
  while (taken.has(n)) n++;
  return shardStackName(baseStack, n);
}

/** Reads what each of the base's load balancers holds, and the quotas; reads only, independent reads concurrently; the listeners' through the run's `reads`. */
export async function readPlacementBasis(elb: ElbApi, exports: Map<string, string>, baseStack: string, reads?: RunReads): Promise<PlacementBasis> {
  const balancers = baseLoadBalancers(exports, baseStack);
  const [quotas, groups, details] = await Promise.all([
    readQuotas(elb),
    targetGroupsByLoadBalancer(elb),
    mapConcurrently(balancers, async (lb) => {
      const [certificates, rules] = await Promise.all([listenerCertificates(elb, lb.listenerArn, reads), nonDefaultRules(elb, lb.listenerArn, reads)]);
      return { certificates, rules };
    }),
  ]);
  const loadBalancers = balancers.map((lb, i) => {
    const certs = details[i]!.certificates;
    return {
      ...lb,
      certificates: certs.filter((c) => !c.isDefault).map((c) => c.arn),
      defaultCertificate: certs.find((c) => c.isDefault)?.arn,
      rules: details[i]!.rules.length,
      priorities: details[i]!.rules,
      targetGroups: lb.loadBalancerArn ? (groups.perLoadBalancer.get(lb.loadBalancerArn) ?? 0) : 0,
    };
  });
  return { quotas, loadBalancers, targetGroupsInRegion: groups.total };
}

/**
 * Chooses the load balancer for a new endpoint: first one whose listener already serves (or covers)
 * the host and has room for the rules and target groups, else the first with room for those and one
 * more certificate, else a new shard. `namesOf` gives the names an ACM certificate covers.
 */
export function choosePlacement(
  basis: PlacementBasis,
  need: LoadBalancerNeed,
  host: string,
  certificateArn: string | undefined,
  namesOf: (arn: string) => string[],
  baseStack: string,
): Placement {
  const { quotas } = basis;
  const passedOver: string[] = [];
  const withRoom = basis.loadBalancers.filter((lb) => {
    const full = [
      lb.rules + need.rules > quotas.rules ? `rules ${lb.rules}/${quotas.rules}` : "",
      lb.targetGroups + need.targetGroups > quotas.targetGroups ? `target groups ${lb.targetGroups}/${quotas.targetGroups}` : "",
    ].filter(Boolean);
    if (full.length) passedOver.push(`${lb.stackName}: ${full.join(", ")}`);
    return full.length === 0;
  });
  for (const lb of withRoom) {
    const all = [...(lb.defaultCertificate ? [lb.defaultCertificate] : []), ...lb.certificates];
    if (certificateArn && all.includes(certificateArn)) return { kind: "existing", loadBalancer: lb, certificate: "present", passedOver };
    const covering = all.find((arn) => namesOf(arn).some((name) => certificateCovers(name, host)));
    if (covering) return { kind: "existing", loadBalancer: lb, certificate: "covered", coveringArn: covering, passedOver };
  }
  for (const lb of withRoom) {
    if (lb.certificates.length + 1 <= quotas.certificates) return { kind: "existing", loadBalancer: lb, certificate: "attach", passedOver };
    passedOver.push(`${lb.stackName}: certificates ${lb.certificates.length}/${quotas.certificates}`);
  }
  return {
    kind: "shard",
    stackName: nextShardName(
      baseStack,
      basis.loadBalancers.map((lb) => lb.stackName),
    ),
    passedOver,
  };
}

/**
 * Refuses, before any change, what no placement can fix: the region's target group quota, or (for a
 * new shard) its load balancer quota. Both are adjustable in Service Quotas; beyond them lie more regions.
 */
export async function requireRegionRoom(elb: ElbApi, basis: PlacementBasis, need: LoadBalancerNeed, placement: Placement): Promise<void> {
  const { quotas } = basis;
  if (basis.targetGroupsInRegion + need.targetGroups > quotas.targetGroupsInRegion) {
    throw new AwsError(
      `The region holds ${basis.targetGroupsInRegion} target groups, its quota is ${quotas.targetGroupsInRegion}: this endpoint's ${need.targetGroups} would exceed it. Nothing was changed.`,
      {
        hint: 'Request a higher "Target groups per Region" quota in Service Quotas, tear down unused endpoints, or put new endpoints in another region (see docs/SCALE.md).',
      },
    );
  }
  if (placement.kind !== "shard") return;
  const count = await countApplicationLoadBalancers(elb);
  if (count + 1 > quotas.loadBalancers) {
    throw new AwsError(
      `Every load balancer of the base is full, and the region already holds ${count} Application Load Balancers, its quota is ${quotas.loadBalancers}. Nothing was changed.`,
      {
        hint: 'Request a higher "Application Load Balancers per Region" quota in Service Quotas, or put new endpoints on a base in another region (see docs/SCALE.md).',
      },
    );
  }
}

/** The names of the issued ACM certificates (domain and alternative names), from one paged read (once per run with `reads`). */
export async function issuedCertificateNames(acm: AcmApi, reads?: RunReads): Promise<Map<string, string[]>> {
  const names = new Map<string, string[]>();
  for (const s of await issuedCertificates(acm, reads)) if (s.CertificateArn) names.set(s.CertificateArn, summaryNames(s));
  return names;
}

/** How many Application Load Balancers the region holds (all pages). */
async function countApplicationLoadBalancers(elb: ElbApi): Promise<number> {
  let count = 0;
  let marker: string | undefined;
  do {
    const page = await elb.describeLoadBalancers({ Marker: marker, PageSize: 400 });
    count += (page.LoadBalancers ?? []).filter((lb) => (lb.Type ?? "application") === "application").length;
    marker = page.NextMarker;
  } while (marker);
  return count;
}

/** Every target group of the region (all pages, 400 a page), counted per load balancer it is attached to. */
async function targetGroupsByLoadBalancer(elb: ElbApi): Promise<{ total: number; perLoadBalancer: Map<string, number> }> {
  const perLoadBalancer = new Map<string, number>();
  let total = 0;
  let marker: string | undefined;
  do {
    const page = await elb.describeTargetGroups({ Marker: marker, PageSize: 400 });
    for (const group of page.TargetGroups ?? []) {
      total++;
      for (const arn of new Set(group.LoadBalancerArns ?? [])) perLoadBalancer.set(arn, (perLoadBalancer.get(arn) ?? 0) + 1);
    }
    marker = page.NextMarker;
  } while (marker);
  return { total, perLoadBalancer };
}

/** The priorities of the listener's rules besides its default one. */
async function nonDefaultRules(elb: ElbApi, listenerArn: string, reads?: RunReads): Promise<number[]> {
  return (await listenerRules(elb, listenerArn, reads)).filter((rule) => !rule.IsDefault && rule.Priority !== "default").map((rule) => Number(rule.Priority));
}

/** A stack's physical resource ids by logical id (all pages). */
export async function stackResourceIds(cfn: CloudFormationApi, stackName: string): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const page = await cfn.listStackResources({ StackName: stackName, NextToken: nextToken });
    for (const r of page.StackResourceSummaries ?? []) if (r.LogicalResourceId && r.PhysicalResourceId) ids.set(r.LogicalResourceId, r.PhysicalResourceId);
    nextToken = page.NextToken;
  } while (nextToken);
  return ids;
}

/** What a new endpoint takes from each private subnet of its base at most. */
export interface SubnetNeed {
  /** EFS mount targets it creates in each subnet (one per file system). */
  mountTargets: number;
  /** Tasks at most, during a rollout at its maximum percent; spread over the subnets. */
  peakTasks: number;
}

/**
 * Refuses, before any change, an endpoint the base's private subnets have no addresses for: each EFS
 * mount target and each Fargate task (awsvpc: one network interface) takes an address in a private
 * subnet, and AWS keeps 5 of every subnet's addresses ("Subnet CIDR blocks",
 * https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html). DescribeSubnets answers each
 * subnet's AvailableIpAddressCount. One read.
 */
export async function requireSubnetRoom(ec2: Ec2Api, subnetIds: string[], need: SubnetNeed): Promise<void> {
  if (subnetIds.length === 0) return;
  const subnets = (await ec2.describeSubnets({ SubnetIds: subnetIds })).Subnets ?? [];
  const perSubnet = need.mountTargets + Math.ceil(need.peakTasks / subnetIds.length);
  const short = subnets.filter((s) => (s.AvailableIpAddressCount ?? Number.POSITIVE_INFINITY) < perSubnet);
  if (short.length === 0) return;
  const list = short.map((s) => `${s.SubnetId} (${s.CidrBlock ?? "?"}) has ${s.AvailableIpAddressCount} free`).join(", ");
  throw new AwsError(
    `The base's private subnets are nearly full: ${list}; this endpoint needs ${perSubnet} addresses in each (${need.mountTargets} EFS mount targets and up to ${need.peakTasks} tasks during a rollout, spread over ${subnetIds.length} subnets). Nothing was changed.`,
    {
      hint: "Lower scaling.max or rollout.maximumPercent, tear down unused endpoints, or put the endpoint on a base with larger private subnets (see docs/SCALE.md).",
    },
  );
}
