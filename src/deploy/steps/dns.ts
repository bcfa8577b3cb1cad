/**
 * The endpoint's DNS records, when a Route 53 public hosted zone covers its
 * host: an alias record (A, and AAAA for a dualstack load balancer) to the
 * load balancer, and the certificate's DNS validation CNAME. Records are
 * UPSERTed, so a re-run converges; teardown deletes only what still carries
 * the values mlops gave it (the alias to this load balancer, the CNAME of this
 * certificate) and names what someone else changed.
 *
 * Route 53 applies a change batch atomically and answers PENDING; the change
 * is INSYNC once every Route 53 authoritative server has it, "generally
 * within 60 seconds" (https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html,
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-changing.html),
 * so mlops waits for INSYNC (GetChange, with a deadline) before it reports a record made.
 */
import type { AcmApi, ElbApi, RecordChange, ResourceRecordSet, Route53Api } from "../../aws/interfaces.js";
import { AwsError } from "../../errors.js";
import type { DeployContext } from "../context.js";
import { pollUntil } from "../engine/poll.js";
import { readOnce, type RunReads } from "../engine/reads.js";

/** A public hosted zone: its id (without `/hostedzone/`) and name (no trailing dot). */
export interface HostedZoneRef {
  id: string;
  name: string;
}

/** The zone that will hold the endpoint's records, or why there is none. */
export type ZoneLookup = { kind: "zone"; zone: HostedZoneRef } | { kind: "none"; reason: string };

/** What an alias record points at: the load balancer serving the endpoint. */
export interface LoadBalancerTarget {
  arn?: string;
  dnsName: string;
  canonicalHostedZoneId: string;
  /** `dualstack` (or dualstack without public IPv4): it also answers on IPv6, so an AAAA alias makes sense. */
  dualstack: boolean;
}

/** A DNS validation record ACM asks for. */
export interface ValidationRecord {
  name: string;
  value: string;
}

/** One record in a DNS plan and what will happen to it. */
export interface RecordPlan {
  name: string;
  type: "A" | "AAAA" | "CNAME";
  /** The value as users read it: `alias to NAME` or the CNAME's target. */
  value: string;
  action: "create" | "change" | "unchanged" | "left alone";
  /** change / left alone: what the record holds now. */
  current?: string;
}

/** How long to wait for a change to reach every Route 53 name server (INSYNC) before reporting it. */
export const DNS_SYNC_TIMEOUT_MS = 5 * 60_000;

/** A DNS name as Route 53 compares it: lowercase, no trailing dot. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/** A load balancer's DNS name as an alias target names it: ALB aliases may carry a `dualstack.` prefix. */
function aliasName(name: string): string {
  return normalizeName(name).replace(/^dualstack\./, "");
}

/** The names a zone for `host` could have, longest first (at least two labels: no public zone is a bare TLD). */
export function zoneCandidates(host: string): string[] {
  const labels = normalizeName(host).split(".");
  const names: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) names.push(labels.slice(i).join("."));
  return names;
}

/**
 * The public hosted zone with the longest name that covers `host`. ListHostedZonesByName lists
 * zones in name order starting at `DNSName`, so each candidate name is asked for and its pages
 * read while they hold zones of exactly that name (several zones may share a name: private ones
 * are skipped, and two public ones make the choice ambiguous, so mlops makes no record).
 */
export async function findHostedZone(r53: Route53Api, host: string): Promise<ZoneLookup> {
  for (const candidate of zoneCandidates(host)) {
    const publicZones: HostedZoneRef[] = [];
    let dnsName: string | undefined = candidate;
    let zoneId: string | undefined;
    pages: while (dnsName) {
      const page = await r53.listHostedZonesByName({ DNSName: dnsName, HostedZoneId: zoneId, MaxItems: 100 });
      for (const zone of page.HostedZones ?? []) {
        if (normalizeName(zone.Name ?? "") !== candidate) break pages;
        if (!zone.Config?.PrivateZone && zone.Id) publicZones.push({ id: zone.Id.replace(/^\/hostedzone\//, ""), name: candidate });
      }
      if (!page.IsTruncated) break;
      dnsName = page.NextDNSName;
      zoneId = page.NextHostedZoneId;
    }
    if (publicZones.length === 1) return { kind: "zone", zone: publicZones[0]! };
    if (publicZones.length > 1)
      return {
        kind: "none",
        reason: `${publicZones.length} public hosted zones are named ${candidate} (${publicZones.map((z) => z.id).join(", ")}); mlops cannot tell which one the domain uses`,
      };
  }
  return { kind: "none", reason: `no Route 53 public hosted zone covers ${host}` };
}

/** `findHostedZone`, with a Route 53 that the caller may not read counted as no zone (and said why): DNS is then the user's, as without a zone. */
export async function zoneFor(r53: Route53Api, host: string): Promise<ZoneLookup> {
  try {
    return await findHostedZone(r53, host);
  } catch (error) {
    if (error instanceof AwsError && /AccessDenied|NotAuthorized|Unauthorized/i.test(`${error.code ?? ""} ${error.message}`))
      return { kind: "none", reason: `Route 53 cannot be read: ${error.message}` };
    throw error;
  }
}

/**
 * The load balancer that serves a target group, found from the target group itself (not from
 * the base's exports), so an endpoint placed on another load balancer is found on that one.
 */
export function loadBalancerServing(elb: ElbApi, targetGroupArn: string, reads?: RunReads): Promise<LoadBalancerTarget | undefined> {
  // The DNS step and the validate step's request both ask, after the run's last stack change.
  return readOnce(reads, `elb:serving:${targetGroupArn}`, () => readLoadBalancerServing(elb, targetGroupArn));
}

async function readLoadBalancerServing(elb: ElbApi, targetGroupArn: string): Promise<LoadBalancerTarget | undefined> {
  const group = (await elb.describeTargetGroups({ TargetGroupArns: [targetGroupArn] })).TargetGroups?.[0];
  const arn = group?.LoadBalancerArns?.[0];
  if (!arn) return undefined;
  const balancer = (await elb.describeLoadBalancers({ LoadBalancerArns: [arn] })).LoadBalancers?.[0];
  if (!balancer?.DNSName || !balancer.CanonicalHostedZoneId) return undefined;
  return {
    arn,
    dnsName: balancer.DNSName,
    canonicalHostedZoneId: balancer.CanonicalHostedZoneId,
    dualstack: (balancer.IpAddressType ?? "ipv4").startsWith("dualstack"),
  };
}

/**
 * The DNS name of the load balancer serving a deployed endpoint, from its stack's outputs: the
 * one its target group is attached to, else the `LoadBalancerDnsName` output.
 */
export async function loadBalancerNameOf(elb: ElbApi, outputs: Record<string, string>, reads?: RunReads): Promise<string | undefined> {
  if (outputs.TargetGroupArn) {
    try {
      const balancer = await loadBalancerServing(elb, outputs.TargetGroupArn, reads);
      if (balancer) return balancer.dnsName;
    } catch (error) {
      // Only a lookup: the output still names the load balancer the stack was deployed with.
      if (!(error instanceof AwsError)) throw error;
    }
  }
  return outputs.LoadBalancerDnsName;
}

/** The certificate's DNS validation records (one per name it covers, duplicates folded). */
export async function validationRecords(acm: AcmApi, certificateArn: string): Promise<ValidationRecord[]> {
  const detail = (await acm.describeCertificate({ CertificateArn: certificateArn })).Certificate;
  const records = new Map<string, ValidationRecord>();
  for (const option of detail?.DomainValidationOptions ?? []) {
    const record = option.ResourceRecord;
    if (record?.Name && record.Value && record.Type === "CNAME") records.set(normalizeName(record.Name), { name: record.Name, value: record.Value });
  }
  return [...records.values()];
}

/** True when a record name lies in the zone. */
export function inZone(name: string, zone: HostedZoneRef): boolean {
  const n = normalizeName(name);
  return n === zone.name || n.endsWith(`.${zone.name}`);
}

/** The records mlops wants in the zone: the alias (A, AAAA when dualstack) and the validation CNAMEs that lie in it. */
export function desiredRecords(
  host: string,
  zone: HostedZoneRef,
  balancer: LoadBalancerTarget | undefined,
  validation: ValidationRecord[],
): ResourceRecordSet[] {
  const records: ResourceRecordSet[] = [];
  if (balancer) {
    for (const type of balancer.dualstack ? (["A", "AAAA"] as const) : (["A"] as const)) {
      // EvaluateTargetHealth off: with one record for the name there is nothing to fail over to.
      records.push({
        Name: `${normalizeName(host)}.`,
        Type: type,
        AliasTarget: { HostedZoneId: balancer.canonicalHostedZoneId, DNSName: balancer.dnsName, EvaluateTargetHealth: false },
      });
    }
  }
  for (const record of validation) {
    if (inZone(record.name, zone))
      records.push({ Name: `${normalizeName(record.name)}.`, Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: record.value }] });
  }
  return records;
}

/** The record set of exactly this name and type in the zone, if any. */
export async function readRecord(r53: Route53Api, zoneId: string, name: string, type: string): Promise<ResourceRecordSet | undefined> {
  const page = await r53.listResourceRecordSets({
    HostedZoneId: zoneId,
    StartRecordName: name,
    StartRecordType: type as ResourceRecordSet["Type"],
    MaxItems: 1,
  });
  const found = page.ResourceRecordSets?.[0];
  return found && normalizeName(found.Name ?? "") === normalizeName(name) && found.Type === type && !found.SetIdentifier ? found : undefined;
}

/** A record's value as users read it. */
export function describeValue(record: ResourceRecordSet): string {
  if (record.AliasTarget) return `alias to ${normalizeName(record.AliasTarget.DNSName ?? "")}`;
  return (record.ResourceRecords ?? []).map((r) => r.Value ?? "").join(", ");
}

/** True when two record sets say the same thing (alias target, or CNAME value). */
export function sameValue(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  if (a.AliasTarget || b.AliasTarget) {
    return (
      !!a.AliasTarget &&
      !!b.AliasTarget &&
      aliasName(a.AliasTarget.DNSName ?? "") === aliasName(b.AliasTarget.DNSName ?? "") &&
      a.AliasTarget.HostedZoneId === b.AliasTarget.HostedZoneId
    );
  }
  const values = (r: ResourceRecordSet) =>
    (r.ResourceRecords ?? [])
      .map((v) => normalizeName(v.Value ?? ""))
      .sort()
      .join(" ");
  return values(a) === values(b);
}

/** What the zone needs so that it holds `desired`, and the records it will not touch. */
export async function compareRecords(
  r53: Route53Api,
  zone: HostedZoneRef,
  desired: ResourceRecordSet[],
): Promise<{ plans: RecordPlan[]; changes: RecordChange[] }> {
  const plans: RecordPlan[] = [];
  const changes: RecordChange[] = [];
  for (const record of desired) {
    const name = record.Name!;
    const type = record.Type as RecordPlan["type"];
    const current = await readRecord(r53, zone.id, name, type);
    const value = describeValue(record);
    if (current && sameValue(current, record)) {
      plans.push({ name: normalizeName(name), type, value, action: "unchanged" });
      continue;
    }
    if (type !== "CNAME") {
      // A CNAME cannot share its name with an A record: one someone made for the host is theirs to replace.
      const cname = await readRecord(r53, zone.id, name, "CNAME");
      if (cname) {
        plans.push({ name: normalizeName(name), type, value, action: "left alone", current: `CNAME ${describeValue(cname)}` });
        continue;
      }
    }
    plans.push({ name: normalizeName(name), type, value, action: current ? "change" : "create", current: current ? describeValue(current) : undefined });
    changes.push({ Action: "UPSERT", ResourceRecordSet: record });
  }
  return { plans, changes };
}

/** Applies a change batch and waits until Route 53 reports it INSYNC on all its name servers. */
export async function applyChanges(r53: Route53Api, zone: HostedZoneRef, changes: RecordChange[], comment: string, ctx: DeployContext): Promise<void> {
  if (changes.length === 0) return;
  const answer = await r53.changeResourceRecordSets({ HostedZoneId: zone.id, ChangeBatch: { Comment: comment, Changes: changes } });
  const changeId = answer.ChangeInfo?.Id;
  if (!changeId || answer.ChangeInfo?.Status === "INSYNC") return;
  await pollUntil(
    async () => {
      const status = (await r53.getChange({ Id: changeId })).ChangeInfo?.Status;
      return status === "INSYNC" ? { done: true, value: undefined } : { done: false, status: status ?? "PENDING" };
    },
    {
      clock: ctx.clock,
      signal: ctx.signal,
      intervalMs: Math.min(ctx.pollIntervalMs ?? 5_000, 5_000),
      timeoutMs: DNS_SYNC_TIMEOUT_MS,
      what: `Route 53 change ${changeId} in zone ${zone.name} to reach every name server (INSYNC)`,
      out: ctx.out,
      hint: `The change is accepted and Route 53 finishes it: check it with aws route53 get-change --id ${changeId}, then run the same command again.`,
    },
  );
}

/** The line a plan or a run prints for one record. */
export function recordLine(plan: RecordPlan): string {
  const what = `${plan.type} ${plan.name} -> ${plan.value}`;
  switch (plan.action) {
    case "create":
      return `create ${what}`;
    case "change":
      return `change ${what} (now ${plan.current})`;
    case "unchanged":
      return `keep ${what} (already there)`;
    case "left alone":
      return `left alone: no ${plan.type} ${plan.name}: the name has ${plan.current}, which mlops did not make (replace it yourself)`;
  }
}

/** The line a run prints for one record it handled. */
export function recordDoneLine(plan: RecordPlan): string {
  const what = `${plan.type} ${plan.name} -> ${plan.value}`;
  switch (plan.action) {
    case "create":
      return `Created ${what}`;
    case "change":
      return `Changed ${what} (was ${plan.current})`;
    case "unchanged":
      return `${what} (already there)`;
    case "left alone":
      return recordLine(plan);
  }
}

/** What `ensureDnsRecords` did. */
export interface DnsOutcome {
  zone?: HostedZoneRef;
  records: RecordPlan[];
  /** Why no record was made (no zone, `--no-dns`). */
  manual?: string;
}

/**
 * Makes the endpoint's records in the zone that covers its host (alias to the load balancer,
 * certificate validation CNAMEs) and waits for them to be INSYNC. Without a zone it makes none.
 */
export async function ensureDnsRecords(
  host: string,
  balancer: LoadBalancerTarget | undefined,
  certificateArn: string | undefined,
  comment: string,
  ctx: DeployContext,
): Promise<DnsOutcome> {
  const lookup = await zoneFor(ctx.aws.route53, host);
  if (lookup.kind === "none") return { records: [], manual: lookup.reason };
  const validation = certificateArn ? await validationRecords(ctx.aws.acm, certificateArn) : [];
  const { plans, changes } = await compareRecords(ctx.aws.route53, lookup.zone, desiredRecords(host, lookup.zone, balancer, validation));
  await applyChanges(ctx.aws.route53, lookup.zone, changes, comment, ctx);
  return { zone: lookup.zone, records: plans };
}

/** A record teardown found: deleted (its value is still mlops's) or left alone (someone changed it). */
export interface RecordRemoval {
  name: string;
  type: string;
  value: string;
  action: "delete" | "left alone";
}

/**
 * The records of `wanted` that still hold mlops's values (deleted by `deleteRecords`) and those
 * someone changed since (left alone). A record that is gone is neither.
 */
export async function recordsToRemove(
  r53: Route53Api,
  zone: HostedZoneRef,
  wanted: ResourceRecordSet[],
): Promise<{ removals: RecordRemoval[]; deletes: RecordChange[] }> {
  const removals: RecordRemoval[] = [];
  const deletes: RecordChange[] = [];
  for (const record of wanted) {
    const current = await readRecord(r53, zone.id, record.Name!, record.Type!);
    if (!current) continue;
    const mine = sameValue(current, record);
    removals.push({ name: normalizeName(current.Name ?? ""), type: current.Type ?? "", value: describeValue(current), action: mine ? "delete" : "left alone" });
    // A DELETE must repeat the record exactly as it is: the copy just read.
    if (mine) deletes.push({ Action: "DELETE", ResourceRecordSet: current });
  }
  return { removals, deletes };
}

/**
 * The alias records (A and AAAA) at `host` that point at `loadBalancerDnsName`: teardown
 * deletes these before the load balancer goes. Matched by target name (the zone id is that of
 * the load balancer's region, the same for every record mlops made).
 */
export async function aliasRecordsFor(
  r53: Route53Api,
  zone: HostedZoneRef,
  host: string,
  loadBalancerDnsName: string,
): Promise<{ removals: RecordRemoval[]; deletes: RecordChange[] }> {
  const removals: RecordRemoval[] = [];
  const deletes: RecordChange[] = [];
  for (const type of ["A", "AAAA"]) {
    const current = await readRecord(r53, zone.id, `${normalizeName(host)}.`, type);
    if (!current) continue;
    const mine = !!current.AliasTarget && aliasName(current.AliasTarget.DNSName ?? "") === aliasName(loadBalancerDnsName);
    removals.push({ name: normalizeName(host), type, value: describeValue(current), action: mine ? "delete" : "left alone" });
    if (mine) deletes.push({ Action: "DELETE", ResourceRecordSet: current });
  }
  return { removals, deletes };
}

/** The validation CNAMEs of a certificate that still hold its values, and those someone changed. */
export async function validationRecordsFor(
  ctx: DeployContext,
  zone: HostedZoneRef,
  certificateArn: string,
): Promise<{ removals: RecordRemoval[]; deletes: RecordChange[] }> {
  let validation: ValidationRecord[];
  try {
    validation = await validationRecords(ctx.aws.acm, certificateArn);
  } catch (error) {
    if (error instanceof AwsError && error.code === "ResourceNotFoundException") return { removals: [], deletes: [] };
    throw error;
  }
  return recordsToRemove(ctx.aws.route53, zone, desiredRecords("", zone, undefined, validation));
}

/** The line teardown prints for one record it found. */
export function removalLine(removal: RecordRemoval): string {
  return removal.action === "delete"
    ? `${removal.type} ${removal.name} -> ${removal.value}`
    : `${removal.type} ${removal.name} -> ${removal.value} (not the value mlops gave it: made or changed by someone else, left alone)`;
}

/** Where the host's DNS stands, read only: the zone that covers it and its alias record, if any. */
export interface DnsState {
  zone?: HostedZoneRef;
  /** The host's A record, as users read it (`alias to NAME`, or addresses). */
  record?: string;
  /** True when that record is an alias to the endpoint's load balancer. */
  pointsAtLoadBalancer: boolean;
  /** Why there is no zone. */
  reason?: string;
}

/** Reads the host's DNS state: the covering public zone and whether its A record points at the load balancer. */
export async function dnsState(r53: Route53Api, host: string, loadBalancerDnsName: string | undefined): Promise<DnsState> {
  const lookup = await zoneFor(r53, host);
  if (lookup.kind === "none") return { pointsAtLoadBalancer: false, reason: lookup.reason };
  const current = await readRecord(r53, lookup.zone.id, `${normalizeName(host)}.`, "A");
  const pointsAtLoadBalancer =
    !!current?.AliasTarget && !!loadBalancerDnsName && aliasName(current.AliasTarget.DNSName ?? "") === aliasName(loadBalancerDnsName);
  return { zone: lookup.zone, record: current ? describeValue(current) : undefined, pointsAtLoadBalancer };
}
