/**
 * What teardowns keep: EFS file systems, log groups, access-log buckets and
 * requested certificates of endpoints whose stacks are gone. They are found
 * from AWS alone (tags and mlops's log group names), so `status` can show them
 * and `teardown --all --delete-data` can remove them on any machine.
 */
import type { AcmApi, LogsApi } from "../../aws/interfaces.js";
import { AwsError } from "../../errors.js";
import { TagKeys } from "../../render/names.js";
import type { DeployContext } from "../context.js";
import { mapConcurrently } from "../engine/concurrency.js";
import { bucketLabel, deleteAccessLogBucket, listAccessLogBuckets, type AccessLogBucket } from "./access-log-buckets.js";
import { listCertificates } from "./certificate.js";
import { deleteFileSystems, listTaggedFileSystems, type VolumeName } from "./file-systems.js";
import { buildLogGroupName, deleteLogGroup, endpointLogGroupName } from "./log-groups.js";

/** A kept EFS file system. */
export interface KeptFileSystemItem {
  endpoint: string;
  volume: VolumeName;
  fileSystemId: string;
  sizeBytes?: number;
}

/** A kept log group. */
export interface KeptLogGroup {
  endpoint: string;
  name: string;
  storedBytes?: number;
}

/** A certificate mlops requested whose endpoint is gone. */
export interface KeptCertificate {
  /** From the certificate's `mlops:endpoint` tag; absent on certificates requested before mlops tagged them. */
  endpoint?: string;
  arn: string;
  domain: string;
  status?: string;
}

/** Everything teardowns kept. */
export interface KeptData {
  fileSystems: KeptFileSystemItem[];
  logGroups: KeptLogGroup[];
  certificates: KeptCertificate[];
  /** The load balancer's and the artifact bucket's access-log buckets (kept like the log groups). */
  accessLogBuckets: AccessLogBucket[];
}

/** Nothing kept: the start of a list to fill. */
export function noKeptData(): KeptData {
  return { fileSystems: [], logGroups: [], certificates: [], accessLogBuckets: [] };
}

/** The endpoints that still have a stack: their data is in use, not kept. */
export interface LiveEndpoints {
  ids: ReadonlySet<string>;
  /** Their host headers: an untagged certificate for one of them is in use. */
  hosts: ReadonlySet<string>;
}

/** What `deleteKeptData` removed and what stayed (e.g. a certificate still in use). */
export interface KeptDataDeletion {
  deleted: KeptData;
  kept: KeptData;
}

const LOG_GROUP_PREFIX = endpointLogGroupName("");
const endpointIdPattern = /^[a-z][a-z0-9-]*$/;

/** Finds the data of endpoints that have no stack anymore. */
export async function findKeptData(ctx: DeployContext, liveEndpoints: LiveEndpoints | Promise<LiveEndpoints>): Promise<KeptData> {
  // Four services, read side by side, and while the caller still reads which endpoints live; then only the build log groups of the endpoints found gone.
  const [tagged, groups, certificates, buckets, live] = await Promise.all([
    listTaggedFileSystems(ctx.aws.efs, ctx.reads),
    listLogGroups(ctx.aws.logs, LOG_GROUP_PREFIX),
    findKeptCertificates(ctx.aws.acm, liveEndpoints),
    listAccessLogBuckets(ctx),
    liveEndpoints,
  ]);
  const fileSystems = tagged
    .filter((f) => !live.ids.has(f.endpointId))
    .map((f) => ({ endpoint: f.endpointId, volume: f.volume, fileSystemId: f.fileSystemId, sizeBytes: f.sizeBytes }));
  const logGroups = groups
    .map((g) => ({ ...g, endpoint: g.name.slice(LOG_GROUP_PREFIX.length) }))
    .filter((g) => endpointIdPattern.test(g.endpoint) && !live.ids.has(g.endpoint));
  // CodeBuild creates the build log group itself, untagged: it is recognised only by the name of an endpoint known to be gone.
  const goneEndpoints = [...new Set([...fileSystems.map((f) => f.endpoint), ...logGroups.map((g) => g.endpoint)])].sort();
  const buildGroups = await mapConcurrently(goneEndpoints, async (endpoint) => {
    const name = buildLogGroupName(endpoint);
    const found = (await listLogGroups(ctx.aws.logs, name)).find((g) => g.name === name);
    return found ? [{ ...found, endpoint }] : [];
  });
  logGroups.push(...buildGroups.flat());
  const accessLogBuckets = buckets.filter((b) => !live.ids.has(b.endpoint));
  return { fileSystems, logGroups: logGroups.sort((a, b) => a.name.localeCompare(b.name)), certificates, accessLogBuckets };
}

/** True when nothing was kept. */
export function isEmpty(kept: KeptData): boolean {
  return kept.fileSystems.length + kept.logGroups.length + kept.certificates.length + kept.accessLogBuckets.length === 0;
}

/** "2 EFS file systems (1.5 GiB), 1 log group, 1 certificate, 1 access-log bucket": a count of kept items for one line. */
export function describeKept(kept: KeptData): string {
  const size = kept.fileSystems.reduce((sum, f) => sum + (f.sizeBytes ?? 0), 0);
  const parts = [
    count(kept.fileSystems.length, "EFS file system") + (kept.fileSystems.length ? ` (${formatBytes(size)})` : ""),
    count(kept.logGroups.length, "log group"),
    count(kept.certificates.length, "certificate"),
    count(kept.accessLogBuckets.length, "access-log bucket"),
  ];
  return parts.join(", ");
}

/** One line per endpoint naming each kept item: "ep-a-prod: EFS fs-1 (assets, 2 GiB), fs-2 (weights, 0 B); log group /mlops/ep-a-prod". */
export function keptLines(kept: KeptData): string[] {
  const endpoints = [
    ...new Set([
      ...kept.fileSystems.map((f) => f.endpoint),
      ...kept.logGroups.map((g) => g.endpoint),
      ...kept.certificates.map((c) => c.endpoint ?? "(untagged)"),
      ...kept.accessLogBuckets.map((b) => b.endpoint),
    ]),
  ].sort();
  return endpoints.map((endpoint) => {
    const fs = kept.fileSystems
      .filter((f) => f.endpoint === endpoint)
      .map((f) => `${f.fileSystemId} (${f.volume}, ${f.sizeBytes === undefined ? "size unknown" : formatBytes(f.sizeBytes)})`);
    const logs = kept.logGroups.filter((g) => g.endpoint === endpoint).map((g) => g.name);
    const certs = kept.certificates.filter((c) => (c.endpoint ?? "(untagged)") === endpoint).map((c) => c.domain);
    const buckets = kept.accessLogBuckets.filter((b) => b.endpoint === endpoint).map(bucketLabel);
    const parts = [
      fs.length ? `EFS ${fs.join(", ")}` : "",
      logs.length ? `log group ${logs.join(", ")}` : "",
      certs.length ? `certificate ${certs.join(", ")}` : "",
      buckets.join(", "),
    ];
    return `${endpoint}: ${parts.filter(Boolean).join("; ")}`;
  });
}

/** `1 thing`, `2 things`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** Bytes as people read them: `0 B`, `12 KiB`, `1.5 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 || value >= 10 ? Math.round(value).toString() : value.toFixed(1).replace(/\.0$/, "");
  return `${shown} ${units[unit]}`;
}

/**
 * Deletes kept data. File systems go once their mount targets are gone,
 * buckets once emptied; a certificate that is still in use (ACM answers
 * ResourceInUseException) is kept and reported, not an error.
 */
export async function deleteKeptData(kept: KeptData, ctx: DeployContext): Promise<KeptDataDeletion> {
  const result: KeptDataDeletion = { deleted: noKeptData(), kept: noKeptData() };
  for (const fs of kept.fileSystems) {
    await deleteFileSystems([fs], ctx);
    result.deleted.fileSystems.push(fs);
  }
  for (const group of kept.logGroups) {
    if ((await deleteLogGroup(ctx.aws.logs, group.name)) === "deleted") {
      result.deleted.logGroups.push(group);
      ctx.out.success(`Deleted log group ${group.name}`);
    }
  }
  for (const bucket of kept.accessLogBuckets) {
    if ((await deleteAccessLogBucket(bucket, ctx)) === "deleted") result.deleted.accessLogBuckets.push(bucket);
  }
  for (const cert of kept.certificates) {
    try {
      await ctx.aws.acm.deleteCertificate({ CertificateArn: cert.arn });
      result.deleted.certificates.push(cert);
      ctx.out.success(`Deleted ACM certificate ${cert.arn} (${cert.domain})`);
    } catch (error) {
      if (error instanceof AwsError && error.code === "ResourceNotFoundException") continue;
      if (!(error instanceof AwsError && error.code === "ResourceInUseException")) throw error;
      result.kept.certificates.push(cert);
      ctx.out.warn(`Kept ACM certificate ${cert.arn} (${cert.domain}): it is still in use.`);
    }
  }
  return result;
}

async function listLogGroups(logs: LogsApi, prefix: string): Promise<{ name: string; storedBytes?: number }[]> {
  const found: { name: string; storedBytes?: number }[] = [];
  let nextToken: string | undefined;
  do {
    // 50 a page: the most DescribeLogGroups returns (its `limit`).
    const page = await logs.describeLogGroups({ logGroupNamePrefix: prefix, nextToken, limit: 50 });
    for (const g of page.logGroups ?? []) if (g.logGroupName) found.push({ name: g.logGroupName, storedBytes: g.storedBytes });
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

/** How many tag lookups run at once (a sliding window): enough to be quick, few enough not to be throttled. */
const TAG_LOOKUPS_AT_ONCE = 10;

/** Certificates mlops requested (tagged `mlops:managed-by`) whose endpoint has no stack. */
export async function findKeptCertificates(acm: AcmApi, liveEndpoints: LiveEndpoints | Promise<LiveEndpoints>): Promise<KeptCertificate[]> {
  const summaries = (await listCertificates(acm)).flatMap((s) =>
    s.CertificateArn ? [{ arn: s.CertificateArn, domain: s.DomainName ?? "", status: s.Status }] : [],
  );
  const live = await liveEndpoints;
  // A certificate for a host a live endpoint serves is in use, not kept: its tags need no lookup (one call per certificate).
  const candidates = summaries.filter((s) => !live.hosts.has(s.domain.toLowerCase()));
  const tagged = await mapConcurrently(
    candidates,
    async (s) => ({ ...s, tags: (await acm.listTagsForCertificate({ CertificateArn: s.arn })).Tags ?? [] }),
    TAG_LOOKUPS_AT_ONCE,
  );
  const found: KeptCertificate[] = [];
  for (const cert of tagged) {
    const tag = (key: string) => cert.tags.find((t) => t.Key === key)?.Value;
    if (tag(TagKeys.managedBy) !== "mlops") continue;
    const endpoint = tag(TagKeys.endpoint);
    if (endpoint && live.ids.has(endpoint)) continue;
    found.push({ endpoint, arn: cert.arn, domain: cert.domain, status: cert.status });
  }
  return found.sort((a, b) => (a.endpoint ?? "").localeCompare(b.endpoint ?? "") || a.domain.localeCompare(b.domain));
}
