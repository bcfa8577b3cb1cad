/**
 * Teardown in the only safe order: pipelines and build projects, added
 * endpoints, then the base. Nothing that holds data goes without the user's
 * word: ECR images after confirmation; EFS file systems, log groups and
 * access-log buckets only with `--delete-data`. Every step skips what is already gone, so an interrupted
 * teardown finishes when run again.
 */
import { AwsError, DeclinedError, InputError } from "../../errors.js";
import { runnable, type Invocation } from "../../io/invocation.js";
import { PhaseTimes, type PhaseSeconds } from "../phases.js";
import { regionText, stackDeps, type DeployContext } from "../context.js";
import { elsewhereText, findElsewhere, regionHolding } from "../steps/other-regions.js";
import {
  findExport,
  importingStacks,
  listManagedStacks,
  listMlopsStacks,
  loadBalancerStackOf,
  readDeployed,
  type ImagesStack,
  type ManagedStack,
  type ShardStack,
} from "../engine/discovery.js";
import { releaseListenerCertificates } from "../steps/listener-certificates.js";
import { buildLogGroupName, deleteLogGroup, endpointLogGroupName, logGroupExists } from "../steps/log-groups.js";
import { deleteFileSystems, findEndpointFileSystems, type KeptFileSystem } from "../steps/file-systems.js";
import {
  deleteKeptData,
  describeKept,
  findKeptCertificates,
  findKeptData,
  isEmpty,
  keptLines,
  noKeptData,
  type KeptCertificate,
  type KeptData,
} from "../steps/kept-data.js";
import { deletePipeline, emptyBucket } from "../steps/pipeline.js";
import { bucketLabel, deleteAccessLogBucket, bucketExists, endpointAccessLogBuckets, type AccessLogBucket } from "../steps/access-log-buckets.js";
import { removeNfsRule } from "../steps/security-groups.js";
import { deleteStack, stackOutputs } from "../engine/stack.js";
import {
  aliasRecordsFor,
  applyChanges,
  zoneFor,
  loadBalancerNameOf,
  recordsToRemove,
  removalLine,
  validationRecordsFor,
  type HostedZoneRef,
  type RecordRemoval,
} from "../steps/dns.js";
import type { RecordChange, Stack } from "../../aws/interfaces.js";

/** What to tear down; `scope` is the base whose lease an endpoint's teardown takes. */
export type TeardownTarget = { kind: "endpoint"; endpointId: string; source: string; scope: string } | { kind: "all" };

/** Runs work holding the leases of the given bases (see `lease.ts`); without leases in unit tests of the steps. */
export type LeaseRunner = <T>(scopes: string[], work: () => Promise<T>) => Promise<T>;

/** How many times teardown --all takes its leases again when an endpoint on a base it did not lock appeared meanwhile. */
const scopeAttempts = 5;

/** Options of teardown. */
export interface TeardownOptions {
  deleteData: boolean;
}

/** What teardown removed and kept. */
export interface TeardownResult {
  deletedStacks: string[];
  emptiedRepositories: string[];
  keptFileSystems: KeptFileSystem[];
  deletedFileSystems: KeptFileSystem[];
  keptLogGroups: string[];
  deletedLogGroups: string[];
  keptCertificates: string[];
  deletedCertificates: string[];
  /** Access-log buckets (S3 names) kept, as log groups are, unless --delete-data. */
  keptAccessLogBuckets: string[];
  deletedAccessLogBuckets: string[];
  /** Seconds per phase (pipelines, stacks, data). */
  phases?: PhaseSeconds;
  /** Route 53 records deleted (`TYPE name -> value`). */
  deletedDnsRecords: string[];
  /** Route 53 records left because someone else changed them since mlops made them. */
  keptDnsRecords: string[];
}

/** A certificate's validation records, read before it is deleted, deleted only if it is. */
interface PendingValidation {
  zone: HostedZoneRef;
  certificateArn: string;
  records: RecordChange[];
}

interface EndpointPlan {
  endpointId: string;
  stack?: ManagedStack;
  pipeline?: ManagedStack;
  /** The stack of the endpoint's ECR repository; absent for an endpoint whose own stack holds it. */
  images?: ImagesStack;
}

/**
 * Plans, confirms and runs a teardown holding the lease of every base it
 * touches: the plan is made (and every refusal checked) only once they are
 * held, so no other mlops command can add to or change what it deletes.
 */
export async function teardown(
  target: TeardownTarget,
  options: TeardownOptions,
  ctx: DeployContext,
  lock: LeaseRunner = (_scopes, work) => work(),
): Promise<TeardownResult> {
  for (let attempt = 1; ; attempt++) {
    const scopes = target.kind === "endpoint" ? [target.scope] : scopesOf(await listManagedStacks(ctx.aws.cloudFormation));
    const outcome = await lock(scopes, async () => {
      const planned = await plan(target, ctx);
      const missing =
        target.kind === "all"
          ? scopesOf(planned.plans.flatMap((p) => [p.stack, p.pipeline]).filter((m): m is ManagedStack => !!m)).filter((s) => !scopes.includes(s))
          : [];
      return missing.length ? undefined : await runPlan(planned, target, options, ctx);
    });
    if (outcome) return outcome;
    // Endpoints appeared meanwhile: the next attempt reads everything again.
    ctx.reads?.forgetAll();
    if (attempt >= scopeAttempts)
      throw new AwsError("Endpoints kept appearing on new bases while teardown --all was taking their leases; nothing was deleted.", {
        hint: "Run the same command again.",
      });
  }
}

/** The bases whose leases cover these stacks: an added endpoint's base, or the endpoint itself. */
export function scopesOf(stacks: ManagedStack[]): string[] {
  const byEndpoint = new Map<string, string>();
  for (const m of stacks) {
    if (m.role === "added" && m.baseStackName) byEndpoint.set(m.endpointId, m.baseStackName);
    else if (!byEndpoint.has(m.endpointId)) byEndpoint.set(m.endpointId, m.endpointId);
  }
  return [...new Set(byEndpoint.values())].sort();
}

async function runPlan(
  { plans, others, shards }: { plans: EndpointPlan[]; others: ManagedStack[]; shards: ShardStack[] },
  target: TeardownTarget,
  options: TeardownOptions,
  ctx: DeployContext,
): Promise<TeardownResult> {
  const result: TeardownResult = {
    deletedStacks: [],
    emptiedRepositories: [],
    keptFileSystems: [],
    deletedFileSystems: [],
    keptLogGroups: [],
    deletedLogGroups: [],
    keptCertificates: [],
    deletedCertificates: [],
    keptAccessLogBuckets: [],
    deletedAccessLogBuckets: [],
    deletedDnsRecords: [],
    keptDnsRecords: [],
  };
  const fileSystems = new Map<string, KeptFileSystem[]>();
  // The region's file systems are read once: each endpoint's, and (with --all) those kept by earlier teardowns, come from one listing.
  for (const p of plans) fileSystems.set(p.endpointId, await findEndpointFileSystems(ctx.aws.efs, p.endpointId, ctx.reads));
  const buckets = new Map<string, AccessLogBucket[]>();
  for (const p of plans) buckets.set(p.endpointId, await accessLogBucketsOf(p, ctx));
  // With --all, the data earlier teardowns kept (endpoints with no stack left) is shown, and deleted with --delete-data.
  const earlier = target.kind === "all" ? await findKeptData(ctx, planned(plans)) : undefined;
  const earlierToDelete = options.deleteData && earlier && !isEmpty(earlier) ? earlier : undefined;
  // One endpoint whose stack is gone may have left only its log groups: --delete-data deletes them too.
  const keptLogs = options.deleteData && target.kind === "endpoint" ? await existingLogGroups(target.endpointId, ctx) : [];
  // And the certificates an earlier teardown kept for it, which --delete-data deletes below: the plan names both.
  const gone = target.kind === "endpoint" && plans.every((p) => !p.stack);
  const keptCertificates =
    options.deleteData && gone
      ? (await findKeptCertificates(ctx.aws.acm, { ids: new Set(), hosts: new Set() })).filter((c) => c.endpoint === target.endpointId)
      : [];
  if (
    !earlierToDelete &&
    keptLogs.length === 0 &&
    keptCertificates.length === 0 &&
    (plans.length === 0 ||
      plans.every(
        (p) => !p.stack && !p.pipeline && !p.images && !((fileSystems.get(p.endpointId)?.length || buckets.get(p.endpointId)?.length) && options.deleteData),
      ))
  ) {
    ctx.out.success("Nothing to tear down.");
    // Nothing here may mean the wrong region: say where the account's other regions have mlops endpoints.
    if (plans.every((p) => !p.stack && !p.pipeline)) {
      const elsewhere = await findElsewhere(ctx);
      const region = target.kind === "endpoint" && elsewhere ? regionHolding(elsewhere, target.endpointId) : undefined;
      if (elsewhere)
        ctx.out.info(
          `No stack in ${regionText(ctx.aws)}; ${elsewhereText(elsewhere)}.${region ? ` To tear it down there: run again with --region ${region}.` : ""}`,
        );
    }
    for (const list of fileSystems.values()) result.keptFileSystems.push(...list);
    for (const list of buckets.values()) result.keptAccessLogBuckets.push(...list.map((b) => b.bucket));
    reportKept(result.keptFileSystems, ctx, target);
    reportKeptBuckets([...buckets.values()].flat(), ctx, target);
    if (earlier) addKept(result, earlier);
    if (earlier && !isEmpty(earlier))
      ctx.out.info(
        `Kept from earlier teardowns: ${describeKept(earlier)}; \`${runnable("mlops status", ctx.invocation)}\` lists them, \`${runnable("mlops teardown --all --delete-data", ctx.invocation)}\` deletes them.`,
      );
    return result;
  }

  ctx.out.step(`Teardown in ${regionText(ctx.aws)}:`);
  for (const p of plans) ctx.out.info(`${p.endpointId}: ${(await planLine(p, ctx)) || goneLine(keptLogs, keptCertificates)}`);
  const efsCount = [...fileSystems.values()].reduce((n, l) => n + l.length, 0);
  if (efsCount)
    ctx.out.info(
      options.deleteData
        ? `EFS: ${efsCount} file system(s) and ALL THEIR DATA will be deleted (--delete-data)`
        : `EFS: ${efsCount} file system(s) are kept (pass --delete-data to delete them)`,
    );
  const logBuckets = [...buckets.values()].flat();
  if (logBuckets.length) for (const line of accessLogsPlanLines(logBuckets, options.deleteData, ctx.invocation)) ctx.out.info(line);
  if (earlier && !isEmpty(earlier)) {
    ctx.out.info(
      earlierToDelete
        ? `Kept by earlier teardowns, deleted now with ALL THEIR DATA (--delete-data): ${describeKept(earlier)}`
        : `Kept by earlier teardowns, kept again: ${describeKept(earlier)} (pass --delete-data to delete them)`,
    );
    if (earlierToDelete) for (const line of keptLines(earlier)) ctx.out.info(`  ${line}`);
  }
  if (options.deleteData && plans.some((p) => p.stack))
    ctx.out.info("ACM certificates mlops requested for these endpoints are deleted once no listener uses them (--delete-data).");
  if (!ctx.assumeYes) {
    if (!ctx.out.interactive) throw new DeclinedError("Teardown deletes resources and images: confirm by re-running with --yes.");
    if (target.kind === "all") await confirmAll(plans.filter((p) => p.stack || p.pipeline || p.images).length, ctx);
    else if (!(await ctx.out.confirm("Delete all of the above?"))) throw new DeclinedError();
    ctx.reads?.forgetAll();
  }

  const phases = new PhaseTimes(ctx.clock);
  const keptBuckets: AccessLogBucket[] = [];
  // With --delete-data the access logs go: emptied now, so that a stack deployed before the buckets were kept
  // (DeletionPolicy Delete) can delete its bucket (as it does without --delete-data, the plan said so); a kept
  // bucket is deleted once its stack is gone.
  for (const b of logBuckets) if (options.deleteData || b.withStack) await emptyBucket(b.bucket, ctx);
  // Pipelines first: a running build would otherwise update a stack being deleted.
  for (const p of plans) {
    if (p.pipeline || p.stack || p.images) {
      const deleted = await phases.time("pipelines", () => deletePipeline(p.endpointId, ctx));
      if (p.pipeline && deleted.stack) result.deletedStacks.push(p.pipeline.stackName);
    }
  }
  const ordered = [...plans].sort((a, b) => rank(a) - rank(b));
  for (const p of ordered) {
    // A base goes last, after the load balancer shards no endpoint is left on.
    if (p.stack?.role === "base") await deleteEmptyShards(p.stack.stackName, shards, [...plans.map((q) => q.stack), ...others], result, ctx);
    if (p.stack) {
      ctx.out.step(`Tearing down ${p.endpointId}`);
      const outputs = stackOutputs(p.stack.stack);
      if (p.stack.role === "added" && outputs.EfsSecurityGroupId && outputs.TaskSecurityGroupId) {
        const removed = await removeNfsRule(ctx.aws.ec2, {
          efsSecurityGroupId: outputs.EfsSecurityGroupId,
          taskSecurityGroupId: outputs.TaskSecurityGroupId,
          description: "",
        });
        if (removed === "removed") ctx.out.success(`Removed the EFS rule for ${p.endpointId}'s tasks`);
      }
      if (p.stack.role === "added") await releaseCertificates(p.stack, others, [...plans.map((q) => q.stack), ...others, ...shards], ctx);
      await removeAliasRecords(p.stack, result, ctx);
      // A repository of the stack's own (an endpoint created before images stacks existed) goes with it; an images stack's, after it.
      if (!p.images && outputs.EcrRepositoryName && (await emptyRepository(outputs.EcrRepositoryName, ctx)) > 0)
        result.emptiedRepositories.push(outputs.EcrRepositoryName);
      // Added endpoints name the base's upload bucket too; only the base's teardown empties it.
      if (p.stack.role === "base" && outputs.WeightsUploadBucketName) await emptyBucket(outputs.WeightsUploadBucketName, ctx);
      const stackName = p.stack.stackName;
      if ((await phases.time("stacks", () => deleteStack(stackName, stackDeps(ctx)))).kind === "deleted") result.deletedStacks.push(stackName);
      // The last endpoint on a load balancer shard takes the shard with it.
      if (p.stack.role === "added" && p.stack.baseStackName)
        await deleteEmptyShards(p.stack.baseStackName, shards, [...plans.map((q) => q.stack), ...others], result, ctx);
    }
    // The repository goes after the stack that pulls from it, emptied only now (after the confirmation): its stack deletes it only when empty.
    if (p.images) {
      const images = p.images;
      const repository = stackOutputs(images.stack).RepositoryName;
      if (repository && (await emptyRepository(repository, ctx)) > 0) result.emptiedRepositories.push(repository);
      if ((await phases.time("stacks", () => deleteStack(images.stackName, stackDeps(ctx)))).kind === "deleted") result.deletedStacks.push(images.stackName);
    }
    for (const logGroup of [endpointLogGroupName(p.endpointId), buildLogGroupName(p.endpointId)]) {
      if (options.deleteData) {
        if ((await deleteLogGroup(ctx.aws.logs, logGroup)) === "deleted") {
          result.deletedLogGroups.push(logGroup);
          ctx.out.success(`Deleted log group ${logGroup}`);
        }
      } else if (await logGroupExists(ctx.aws.logs, logGroup)) {
        result.keptLogGroups.push(logGroup);
      }
    }
    keptBuckets.push(...(await settleAccessLogBuckets(buckets.get(p.endpointId) ?? [], options, result, ctx)));
    const volumes = fileSystems.get(p.endpointId) ?? [];
    if (options.deleteData && volumes.length) {
      await phases.time("data", () => deleteFileSystems(volumes, ctx));
      result.deletedFileSystems.push(...volumes);
    } else {
      result.keptFileSystems.push(...volumes);
    }
  }
  if (earlierToDelete) {
    const validations = await validationRecordsOf(earlierToDelete.certificates, ctx);
    const leftover = await deleteKeptData(earlierToDelete, ctx);
    await removeValidationRecords(validations, leftover.deleted.certificates, result, ctx);
    addDeleted(result, leftover.deleted);
    addKept(result, leftover.kept);
  } else if (earlier) {
    addKept(result, earlier);
  }
  {
    // The certificates of the endpoints just torn down are unused only now that their stacks are gone.
    const ours = (endpoint?: string) => target.kind === "all" || endpoint === target.endpointId;
    const certificates = (await findKeptCertificates(ctx.aws.acm, { ids: new Set(), hosts: new Set() })).filter(
      (c) => ours(c.endpoint) && !result.keptCertificates.includes(c.arn),
    );
    if (options.deleteData) {
      const validations = await validationRecordsOf(certificates, ctx);
      const leftover = await deleteKeptData({ ...noKeptData(), certificates }, ctx);
      await removeValidationRecords(validations, leftover.deleted.certificates, result, ctx);
      addDeleted(result, leftover.deleted);
      addKept(result, leftover.kept);
    } else {
      addKept(result, { ...noKeptData(), certificates });
    }
  }
  reportKept(result.keptFileSystems, ctx, target);
  if (result.keptLogGroups.length) ctx.out.info(`Kept log group(s) ${result.keptLogGroups.join(", ")} (deleted with --delete-data).`);
  if (result.keptCertificates.length) ctx.out.info(`Kept ACM certificate(s) ${result.keptCertificates.join(", ")} (deleted with --delete-data once unused).`);
  reportKeptBuckets([...keptBuckets, ...(earlierToDelete ? [] : (earlier?.accessLogBuckets ?? []))], ctx, target);
  ctx.out.info(phases.summary());
  ctx.out.success(`Teardown complete: ${result.deletedStacks.length} stack(s) deleted.`);
  return { ...result, phases: phases.seconds() };
}

/**
 * `teardown --all` at a terminal: a "y" typed out of habit must not delete a region, so the user types
 * the region or the number of endpoints (as `terraform destroy` asks for "yes" and Copilot for the name).
 */
async function confirmAll(endpoints: number, ctx: DeployContext): Promise<void> {
  const region = ctx.aws.region;
  const accepted = endpoints > 0 ? [region, String(endpoints)] : [region];
  const what = endpoints > 0 ? `the ${endpoints === 1 ? "endpoint" : `${endpoints} endpoints`} above` : "the data above";
  const question = `This deletes ${what} in ${region}. To confirm, type the region (${region})${endpoints > 0 ? ` or the number of endpoints (${endpoints})` : ""}`;
  if (!(await ctx.out.confirm(question, accepted))) throw new DeclinedError(`Cancelled: the answer was not ${accepted.join(" or ")}; nothing was changed.`);
}

/** The plan's line of an endpoint whose stack is gone: the data an earlier teardown kept that --delete-data deletes now. */
function goneLine(logGroups: string[], certificates: KeptCertificate[]): string {
  const parts = [
    logGroups.length ? `log group(s) ${logGroups.join(", ")}` : undefined,
    certificates.length ? `ACM certificate(s) ${certificates.map((c) => `${c.domain} (${c.arn})`).join(", ")}` : undefined,
  ].filter(Boolean);
  return `no stack left; kept by an earlier teardown and deleted now (--delete-data): ${parts.length ? parts.join("; ") : "the data listed below"}`;
}

/** One endpoint's part of the teardown plan, named resource by resource (reads only). */
async function planLine(p: EndpointPlan, ctx: DeployContext): Promise<string> {
  const outputs = p.stack ? stackOutputs(p.stack.stack) : {};
  const bucket = p.pipeline ? stackOutputs(p.pipeline.stack).ArtifactBucketName : undefined;
  const repo = outputs.EcrRepositoryName ?? (p.images ? stackOutputs(p.images.stack).RepositoryName : undefined);
  const images = repo ? await imageCount(repo, ctx) : 0;
  const parts = [
    p.pipeline || p.stack ? `pipeline and build project ${p.endpointId} (if present)` : undefined,
    p.pipeline ? `stack ${p.pipeline.stackName}${bucket ? ` with artifact bucket ${bucket} and its objects` : ""}${buildCache(p.pipeline.stack)}` : undefined,
    p.stack?.role === "added" ? "the base's EFS rule and listener certificate for it" : undefined,
    repo ? `${images === 0 ? "no images" : images >= 100 ? "100+ images" : `${images} image(s)`} in ECR ${repo}` : undefined,
    p.stack?.role === "base" && outputs.WeightsUploadBucketName ? `all weights uploads in S3 ${outputs.WeightsUploadBucketName}` : undefined,
    p.stack ? `the Route 53 records mlops made for ${readDeployed(p.stack.stack).host ?? p.endpointId} that still point at its load balancer` : undefined,
    p.stack ? `stack ${p.stack.stackName} (${p.stack.role})` : undefined,
    p.images ? `stack ${p.images.stackName} (its ECR repository, once empty)` : undefined,
  ];
  return parts.filter(Boolean).join("; ");
}

/** The pipeline stack's layer cache repository, as the plan names it; its stack empties it (EmptyOnDelete). */
function buildCache(stack: Parameters<typeof stackOutputs>[0]): string {
  const uri = stackOutputs(stack).BuildCacheRepositoryUri;
  return uri ? ` and the build's layer cache in ECR ${uri.slice(uri.indexOf("/") + 1)}, with its images` : "";
}

/** How many images a repository holds (up to one page). */
async function imageCount(repositoryName: string, ctx: DeployContext): Promise<number> {
  try {
    return (await ctx.aws.ecr.listImages({ repositoryName, maxResults: 100 })).imageIds?.length ?? 0;
  } catch (error) {
    if (error instanceof AwsError && error.code === "RepositoryNotFoundException") return 0;
    throw error;
  }
}

/** The endpoint's container and build log groups that exist. */
async function existingLogGroups(id: string, ctx: DeployContext): Promise<string[]> {
  const names = [endpointLogGroupName(id), buildLogGroupName(id)];
  const found: string[] = [];
  for (const name of names) if (await logGroupExists(ctx.aws.logs, name)) found.push(name);
  return found;
}

/** The endpoints this teardown handles itself: their data is not "kept by an earlier teardown". */
function planned(plans: EndpointPlan[]): { ids: Set<string>; hosts: Set<string> } {
  const hosts = plans.map((p) => (p.stack ? readDeployed(p.stack.stack).host?.toLowerCase() : undefined)).filter((h): h is string => !!h);
  return { ids: new Set(plans.map((p) => p.endpointId)), hosts: new Set(hosts) };
}

function addKept(result: TeardownResult, kept: KeptData): void {
  result.keptFileSystems.push(...kept.fileSystems);
  result.keptLogGroups.push(...kept.logGroups.map((g) => g.name));
  result.keptCertificates.push(...kept.certificates.map((c) => c.arn));
  result.keptAccessLogBuckets.push(...kept.accessLogBuckets.map((b) => b.bucket));
}

function addDeleted(result: TeardownResult, deleted: KeptData): void {
  result.deletedFileSystems.push(...deleted.fileSystems);
  result.deletedLogGroups.push(...deleted.logGroups.map((g) => g.name));
  result.deletedCertificates.push(...deleted.certificates.map((c) => c.arn));
  result.deletedAccessLogBuckets.push(...deleted.accessLogBuckets.map((b) => b.bucket));
}

/**
 * The endpoint's access-log buckets: those its stacks name (the load balancer's, the pipeline's artifact
 * bucket's) and those found by their tags, which outlive the stacks (DeletionPolicy Retain).
 */
async function accessLogBucketsOf(p: EndpointPlan, ctx: DeployContext): Promise<AccessLogBucket[]> {
  const tagged = await endpointAccessLogBuckets(ctx, p.endpointId);
  const named: AccessLogBucket[] = [];
  const lb = p.stack?.role === "base" ? stackOutputs(p.stack.stack).LoadBalancerAccessLogsBucket : undefined;
  const artifacts = p.pipeline ? stackOutputs(p.pipeline.stack).AccessLogsBucketName : undefined;
  for (const [bucket, source] of [
    [lb, "load-balancer-access-logs"],
    [artifacts, "artifact-access-logs"],
  ] as const) {
    // The tag and DeletionPolicy Retain came together: an untagged bucket's stack still deletes it.
    if (bucket && !tagged.some((t) => t.bucket === bucket)) named.push({ endpoint: p.endpointId, bucket, source, withStack: true });
  }
  return [...tagged, ...named];
}

/** The plan's lines on access logs: kept unless --delete-data, as `teardown --help` says. */
export function accessLogsPlanLines(
  buckets: Pick<AccessLogBucket, "bucket" | "source" | "withStack">[],
  deleteData: boolean,
  invocation?: Invocation,
): string[] {
  const names = (list: typeof buckets) => list.map(bucketLabel).join(", ");
  if (deleteData) return [`Access logs: ${names(buckets)} and ALL THEIR LOGS will be deleted (--delete-data)`];
  const kept = buckets.filter((b) => !b.withStack);
  const old = buckets.filter((b) => b.withStack);
  return [
    kept.length ? `Access logs: ${names(kept)} are kept (pass --delete-data to delete them)` : "",
    old.length
      ? `Access logs: ${names(old)} and ALL THEIR LOGS will be deleted with the stack, deployed before access logs were kept (\`${runnable("mlops update", invocation)}\` first keeps them)`
      : "",
  ].filter(Boolean);
}

/**
 * After the endpoint's stacks are gone: deletes its access-log buckets with --delete-data, else records
 * those still there as kept (and returns them).
 */
async function settleAccessLogBuckets(
  planned: AccessLogBucket[],
  options: TeardownOptions,
  result: TeardownResult,
  ctx: DeployContext,
): Promise<AccessLogBucket[]> {
  if (options.deleteData) {
    for (const b of planned) if ((await deleteAccessLogBucket(b, ctx)) === "deleted") result.deletedAccessLogBuckets.push(b.bucket);
    return [];
  }
  // A stack deployed before the buckets were kept (DeletionPolicy Delete) deleted its bucket: only those still there are kept.
  const kept: AccessLogBucket[] = [];
  for (const b of planned) if (!b.withStack || (await bucketExists(ctx.aws.s3, b.bucket))) kept.push(b);
  result.keptAccessLogBuckets.push(...kept.map((b) => b.bucket));
  return kept;
}

/** Names the kept access-log buckets and the command that deletes exactly them. */
function reportKeptBuckets(kept: AccessLogBucket[], ctx: DeployContext, target: TeardownTarget): void {
  if (kept.length === 0) return;
  const deleting = runnable(
    target.kind === "endpoint" ? `mlops teardown ${target.source} --delete-data` : "mlops teardown --all --delete-data",
    ctx.invocation,
  );
  ctx.out.info(
    `Kept access logs: ${kept.map(bucketLabel).join(", ")}; \`${deleting}\` deletes them (\`${runnable("mlops status", ctx.invocation)}\` lists them).`,
  );
}

function rank(p: EndpointPlan): number {
  return p.stack?.role === "base" ? 1 : 0;
}

/** The endpoints to tear down, and the managed stacks that stay. */
async function plan(target: TeardownTarget, ctx: DeployContext): Promise<{ plans: EndpointPlan[]; others: ManagedStack[]; shards: ShardStack[] }> {
  const { managed, shards, images = [] } = await listMlopsStacks(ctx.aws.cloudFormation);
  const byEndpoint = new Map<string, EndpointPlan>();
  for (const m of managed) {
    const entry = byEndpoint.get(m.endpointId) ?? { endpointId: m.endpointId };
    if (m.role === "pipeline") entry.pipeline = m;
    else entry.stack = m;
    byEndpoint.set(m.endpointId, entry);
  }
  for (const m of images) byEndpoint.set(m.endpointId, { ...(byEndpoint.get(m.endpointId) ?? { endpointId: m.endpointId }), images: m });
  const plans = target.kind === "all" ? [...byEndpoint.values()] : [byEndpoint.get(target.endpointId) ?? { endpointId: target.endpointId }];
  // Everything that can refuse the teardown is checked here, before anything is deleted.
  const deleting = new Set(plans.flatMap((p) => (p.stack ? [p.stack.stackName] : [])));
  // A base's load balancer shards go before it, once no endpoint is left on them.
  for (const shard of shards) if (deleting.has(shard.baseStackName)) deleting.add(shard.stackName);
  for (const p of plans) {
    if (p.stack?.role !== "base") continue;
    const importers = (await importingStacks(ctx.aws.cloudFormation, p.stack.stack, ctx.reads)).filter((name) => !deleting.has(name));
    if (importers.length === 0) continue;
    if (target.kind === "endpoint") {
      throw new InputError(
        [{ file: target.source, path: "project", message: `base endpoint ${p.endpointId} is still used by ${importers.join(", ")}; nothing was deleted` }],
        `Tear down those endpoints first (${runnable("mlops teardown <their params>", ctx.invocation)}), or everything at once with ${runnable("mlops teardown --all", ctx.invocation)}.`,
      );
    }
    throw new AwsError(`Base endpoint ${p.endpointId} is used by ${importers.join(", ")}, which mlops does not manage; nothing was deleted.`, {
      hint: "Delete or change those stacks so they no longer import the base's exports, then run the same command again.",
    });
  }
  if (target.kind === "all") return { plans, others: [], shards };
  return { plans, others: managed.filter((m) => m.endpointId !== target.endpointId), shards };
}

/**
 * Deletes the base's load balancer shards that no remaining endpoint stack is placed on (never the
 * base's own load balancer, which belongs to the base stack). `endpoints`: every endpoint stack of
 * this teardown's view, deleted ones included (they are skipped).
 */
async function deleteEmptyShards(
  base: string,
  shards: ShardStack[],
  endpoints: (ManagedStack | undefined)[],
  result: TeardownResult,
  ctx: DeployContext,
): Promise<void> {
  const used = new Set(
    endpoints.filter((m): m is ManagedStack => !!m && m.role !== "pipeline" && !result.deletedStacks.includes(m.stackName)).map(loadBalancerStackOf),
  );
  for (const shard of shards) {
    if (shard.baseStackName !== base || used.has(shard.stackName) || result.deletedStacks.includes(shard.stackName)) continue;
    ctx.out.step(`Removing load balancer ${shard.stackName}: no endpoint is left on it`);
    if ((await deleteStack(shard.stackName, stackDeps(ctx))).kind === "deleted") result.deletedStacks.push(shard.stackName);
  }
}

/**
 * Deletes the endpoint's alias records that still point at its load balancer (checked by value)
 * and names those someone pointed elsewhere. Runs before the stack deletes the load balancer.
 */
async function removeAliasRecords(stack: ManagedStack, result: TeardownResult, ctx: DeployContext): Promise<void> {
  const host = readDeployed(stack.stack).host;
  if (!host) return;
  const lookup = await zoneFor(ctx.aws.route53, host);
  if (lookup.kind === "none") {
    if (lookup.reason.startsWith("Route 53 cannot be read")) ctx.out.warn(`DNS records of ${host} not checked: ${lookup.reason}`);
    return;
  }
  const zone = lookup.zone;
  const loadBalancer = await loadBalancerNameOf(ctx.aws.elb, stackOutputs(stack.stack));
  if (loadBalancer) {
    const alias = await aliasRecordsFor(ctx.aws.route53, zone, host, loadBalancer);
    await applyRemovals(zone, alias, `mlops teardown ${stack.endpointId}`, result, ctx);
  }
}

/**
 * The validation records of the certificates about to be deleted, read while ACM still has them.
 * Only a deleted certificate's records go: a kept one renews with them
 * (https://docs.aws.amazon.com/acm/latest/userguide/dns-renewal-validation.html).
 */
async function validationRecordsOf(certificates: KeptCertificate[], ctx: DeployContext): Promise<PendingValidation[]> {
  const pending: PendingValidation[] = [];
  for (const certificate of certificates) {
    const lookup = await zoneFor(ctx.aws.route53, certificate.domain);
    if (lookup.kind === "none") continue;
    const found = await validationRecordsFor(ctx, lookup.zone, certificate.arn);
    if (found.deletes.length) pending.push({ zone: lookup.zone, certificateArn: certificate.arn, records: found.deletes });
  }
  return pending;
}

/** Deletes the validation records of the certificates that were deleted, if they still hold those certificates' values. */
async function removeValidationRecords(pending: PendingValidation[], deleted: KeptCertificate[], result: TeardownResult, ctx: DeployContext): Promise<void> {
  for (const p of pending) {
    if (!deleted.some((c) => c.arn === p.certificateArn)) continue;
    // Read again: someone may have changed them meanwhile.
    const found = await recordsToRemove(
      ctx.aws.route53,
      p.zone,
      p.records.map((c) => c.ResourceRecordSet!),
    );
    await applyRemovals(p.zone, found, `mlops teardown: certificate ${p.certificateArn} deleted`, result, ctx);
  }
}

async function applyRemovals(
  zone: HostedZoneRef,
  found: { removals: RecordRemoval[]; deletes: RecordChange[] },
  comment: string,
  result: TeardownResult,
  ctx: DeployContext,
): Promise<void> {
  for (const left of found.removals.filter((r) => r.action === "left alone")) keepRecord(left, result, ctx);
  if (found.deletes.length === 0) return;
  await applyChanges(ctx.aws.route53, zone, found.deletes, comment, ctx);
  for (const removal of found.removals.filter((r) => r.action === "delete")) {
    result.deletedDnsRecords.push(removalLine(removal));
    ctx.out.success(`Deleted DNS record ${removalLine(removal)} (Route 53 zone ${zone.name})`);
  }
}

function keepRecord(removal: RecordRemoval, result: TeardownResult, ctx: DeployContext): void {
  result.keptDnsRecords.push(removalLine(removal));
  ctx.out.warn(`Left DNS record ${removalLine(removal)}`);
}

/**
 * Detaches an added endpoint's certificate from the base listener unless a staying endpoint needs it. The
 * listener is the serving stack's `HttpsListenerArn` output, the value of its export, from the stacks
 * teardown has read (`known`); the exports are read only for a serving stack not among them.
 */
async function releaseCertificates(
  stack: ManagedStack,
  others: ManagedStack[],
  known: ({ stackName: string; stack: Stack } | undefined)[],
  ctx: DeployContext,
): Promise<void> {
  const host = readDeployed(stack.stack).host;
  if (!host || !stack.baseStackName) return;
  const serving = loadBalancerStackOf(stack);
  const servingStack = known.find((k) => k?.stackName === serving)?.stack;
  const listenerArn =
    (servingStack && stackOutputs(servingStack).HttpsListenerArn) || (await findExport(ctx.aws.cloudFormation, `${serving}-HttpsListenerArn`));
  if (!listenerArn) return;
  const remaining = others
    .filter((o) => o.role !== "pipeline" && loadBalancerStackOf(o) === serving)
    .map((o) => readDeployed(o.stack).host)
    .filter((h): h is string => !!h);
  const released = await releaseListenerCertificates(ctx.aws.elb, ctx.aws.acm, listenerArn, host, remaining, ctx.reads);
  for (const arn of released) ctx.out.success(`Detached certificate ${arn} from the HTTPS listener of ${serving}`);
}

/** Deletes every image of a repository so that its stack can delete it. */
async function emptyRepository(repositoryName: string, ctx: DeployContext): Promise<number> {
  let deleted = 0;
  for (;;) {
    let ids;
    try {
      ids = (await ctx.aws.ecr.listImages({ repositoryName, maxResults: 100 })).imageIds ?? [];
    } catch (error) {
      if (error instanceof AwsError && error.code === "RepositoryNotFoundException") return deleted;
      throw error;
    }
    if (ids.length === 0) break;
    const response = await ctx.aws.ecr.batchDeleteImage({ repositoryName, imageIds: ids });
    const removed = response.imageIds?.length ?? 0;
    if (removed === 0) throw new AwsError(`Could not delete images of ${repositoryName}: ${response.failures?.[0]?.failureReason ?? "unknown reason"}.`);
    deleted += removed;
  }
  if (deleted) ctx.out.success(`Deleted ${deleted} image(s) from ECR ${repositoryName}`);
  return deleted;
}

/** Names what was kept, and the command that deletes exactly that: the endpoint's own teardown, or --all's. */
function reportKept(kept: KeptFileSystem[], ctx: DeployContext, target: TeardownTarget): void {
  if (kept.length === 0) return;
  ctx.out.warn(`Kept ${kept.length} EFS file system(s) with your data: ${kept.map((k) => `${k.fileSystemId} (${k.volume})`).join(", ")}`);
  const deleting = runnable(
    target.kind === "endpoint" ? `mlops teardown ${target.source} --delete-data` : "mlops teardown --all --delete-data",
    ctx.invocation,
  );
  ctx.out.info(`Re-creating the endpoint mounts them again; \`${deleting}\` deletes them (\`${runnable("mlops status", ctx.invocation)}\` lists them).`);
}
