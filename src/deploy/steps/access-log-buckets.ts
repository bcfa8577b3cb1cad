/**
 * Access-log buckets outlive their stacks (DeletionPolicy Retain), like the
 * container logs: the load balancer's (base stack) and the artifact bucket's
 * (pipeline stack). They are found again by the tags the templates give them
 * (`mlops:endpoint` and `mlops:bucket`), so teardown can delete them with
 * `--delete-data` on any machine, also once their stacks are gone.
 */
import type { S3Api } from "../../aws/interfaces.js";
import { AwsError } from "../../errors.js";
import { TagKeys } from "../../render/names.js";
import type { DeployContext } from "../context.js";
import { mapConcurrently } from "../engine/concurrency.js";
import { readOnce, type RunReads } from "../engine/reads.js";
import { emptyBucket } from "./pipeline.js";

/** Whose access logs a bucket holds: the `mlops:bucket` tag the templates set. */
export type AccessLogSource = "load-balancer-access-logs" | "artifact-access-logs";

/** An access-log bucket mlops made, with the endpoint its tag names. */
export interface AccessLogBucket {
  endpoint: string;
  bucket: string;
  source: AccessLogSource;
  /**
   * Named by a stack deployed before the buckets were kept: it has no `mlops:bucket` tag and its
   * stack still deletes it (DeletionPolicy Delete) until the next `update` deploys the current template.
   */
  withStack?: boolean;
}

const sources: readonly string[] = ["load-balancer-access-logs", "artifact-access-logs"] satisfies AccessLogSource[];

/** How one kept bucket is named in plans and reports: "S3 ep-a-prod-accesslogsbucket-1x2y (load balancer access logs)". */
export function bucketLabel(b: Pick<AccessLogBucket, "bucket" | "source">): string {
  return `S3 ${b.bucket} (${b.source === "load-balancer-access-logs" ? "load balancer" : "artifact bucket"} access logs)`;
}

/** Every access-log bucket in the region that carries mlops's tags, by name; read once per run with `reads`. */
export function listAccessLogBuckets(ctx: Pick<DeployContext, "aws" | "reads">): Promise<AccessLogBucket[]> {
  return readOnce(ctx.reads, "s3:access-log-buckets", () => readAccessLogBuckets(ctx.aws.s3, ctx.aws.region));
}

/** The access-log buckets of one endpoint (read once per run, see `listAccessLogBuckets`). */
export async function endpointAccessLogBuckets(ctx: Pick<DeployContext, "aws" | "reads">, endpoint: string): Promise<AccessLogBucket[]> {
  return (await listAccessLogBuckets(ctx)).filter((b) => b.endpoint === endpoint);
}

/** Forgets the run's listing: after a stack deletion or a bucket deletion it may have changed. */
export function forgetAccessLogBuckets(reads: RunReads | undefined): void {
  reads?.forget("s3:access-log-buckets");
}

async function readAccessLogBuckets(s3: S3Api, region: string): Promise<AccessLogBucket[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    // ListBuckets lists the account's buckets in every region; BucketRegion keeps this region's, whose tags this client can read.
    // Paginated (MaxBuckets), as the ListBuckets reference recommends for every account.
    const page = await s3.listBuckets({ BucketRegion: region, MaxBuckets: 1000, ContinuationToken: token }).catch((error: unknown) => {
      // ListBuckets is allowed by the IAM action s3:ListAllMyBuckets, not one named after the call.
      if (error instanceof AwsError && error.code === "AccessDenied")
        throw new AwsError(`${error.message} (listing the buckets to find kept access logs)`, {
          code: error.code,
          hint: "Allow s3:ListAllMyBuckets and s3:GetBucketTagging to the identity in use, or use another --profile.",
        });
      throw error;
    });
    for (const b of page.Buckets ?? []) if (b.Name) names.push(b.Name);
    token = page.ContinuationToken;
  } while (token);
  const tagged = await mapConcurrently(names, async (bucket) => ({ bucket, tags: await bucketTags(s3, bucket) }));
  const found: AccessLogBucket[] = [];
  for (const { bucket, tags } of tagged) {
    const tag = (key: string) => tags.find((t) => t.Key === key)?.Value;
    const source = tag(TagKeys.bucket);
    const endpoint = tag(TagKeys.endpoint);
    if (endpoint && source && sources.includes(source)) found.push({ endpoint, bucket, source: source as AccessLogSource });
  }
  return found.sort((a, b) => a.endpoint.localeCompare(b.endpoint) || a.bucket.localeCompare(b.bucket));
}

/** A bucket's tags; none for a bucket without tags (NoSuchTagSet), one deleted meanwhile, or one this caller may not read. */
async function bucketTags(s3: S3Api, bucket: string): Promise<{ Key?: string; Value?: string }[]> {
  try {
    return (await s3.getBucketTagging({ Bucket: bucket })).TagSet ?? [];
  } catch (error) {
    // Someone else's bucket may refuse us (AccessDenied): it is not one mlops made for this caller's endpoints.
    if (error instanceof AwsError && ["NoSuchTagSet", "NoSuchBucket", "AccessDenied"].includes(error.code ?? "")) return [];
    throw error;
  }
}

/** Whether the bucket still exists (its tags are read: no tags is an answer too). */
export async function bucketExists(s3: S3Api, bucket: string): Promise<boolean> {
  try {
    await s3.getBucketTagging({ Bucket: bucket });
    return true;
  } catch (error) {
    if (error instanceof AwsError && error.code === "NoSuchTagSet") return true;
    if (error instanceof AwsError && error.code === "NoSuchBucket") return false;
    throw error;
  }
}

/** Empties a kept access-log bucket and deletes it; "gone" when it no longer existed. */
export async function deleteAccessLogBucket(b: Pick<AccessLogBucket, "bucket" | "source">, ctx: DeployContext): Promise<"deleted" | "gone"> {
  await emptyBucket(b.bucket, ctx);
  try {
    await ctx.aws.s3.deleteBucket({ Bucket: b.bucket });
  } catch (error) {
    if (error instanceof AwsError && error.code === "NoSuchBucket") return "gone";
    // A log file delivered between the emptying and the deletion: S3 answers BucketNotEmpty.
    if (error instanceof AwsError && error.code === "BucketNotEmpty")
      throw new AwsError(`S3 DeleteBucket: ${b.bucket} received new access logs while it was being emptied: ${error.message}`, {
        code: error.code,
        hint: "Run the same command again: it empties the bucket again and deletes it.",
      });
    throw error;
  } finally {
    forgetAccessLogBuckets(ctx.reads);
  }
  ctx.out.success(`Deleted ${bucketLabel(b)}`);
  return "deleted";
}
