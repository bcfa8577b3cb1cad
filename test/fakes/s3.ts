/**
 * S3's bucket calls as the S3 API reference describes them: ListBuckets
 * filtered by BucketRegion, GetBucketTagging answering NoSuchTagSet for a
 * bucket without tags (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketTagging.html),
 * DeleteBucket refusing a bucket that still holds objects with BucketNotEmpty
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html),
 * and NoSuchBucket for a bucket that is gone.
 */
import type { S3Api } from "../../src/aws/interfaces.js";
import { AwsError } from "../../src/errors.js";

/** A bucket of the fake. */
export interface FakeBucket {
  region: string;
  tags?: Record<string, string>;
  objects: string[];
}

/** A stateful S3 of buckets, their tags and their objects' keys. */
export class FakeS3 implements Pick<S3Api, "listBuckets" | "getBucketTagging" | "deleteBucket" | "listObjectVersions" | "deleteObjects"> {
  readonly buckets = new Map<string, FakeBucket>();
  readonly calls: string[] = [];

  /** Adds a bucket. */
  add(name: string, bucket: Partial<FakeBucket> = {}): this {
    this.buckets.set(name, { region: "us-east-1", objects: [], ...bucket });
    return this;
  }

  async listBuckets(input: Parameters<S3Api["listBuckets"]>[0]) {
    this.calls.push("ListBuckets");
    const names = [...this.buckets].filter(([, b]) => !input.BucketRegion || b.region === input.BucketRegion).map(([name]) => name);
    return { Buckets: names.map((Name) => ({ Name })) };
  }

  async getBucketTagging(input: Parameters<S3Api["getBucketTagging"]>[0]) {
    this.calls.push(`GetBucketTagging ${input.Bucket}`);
    const tags = this.bucket(input.Bucket, "GetBucketTagging").tags;
    if (!tags) throw new AwsError("S3 GetBucketTagging: The TagSet does not exist", { code: "NoSuchTagSet" });
    return { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
  }

  async deleteBucket(input: Parameters<S3Api["deleteBucket"]>[0]) {
    this.calls.push(`DeleteBucket ${input.Bucket}`);
    const bucket = this.bucket(input.Bucket, "DeleteBucket");
    if (bucket.objects.length) throw new AwsError("S3 DeleteBucket: The bucket you tried to delete is not empty", { code: "BucketNotEmpty" });
    this.buckets.delete(input.Bucket as string);
  }

  async listObjectVersions(input: Parameters<S3Api["listObjectVersions"]>[0]) {
    const bucket = this.bucket(input.Bucket, "ListObjectVersions");
    return { Versions: bucket.objects.map((Key) => ({ Key, VersionId: "null" })) };
  }

  async deleteObjects(input: Parameters<S3Api["deleteObjects"]>[0]) {
    const bucket = this.bucket(input.Bucket, "DeleteObjects");
    const keys = new Set((input.Delete?.Objects ?? []).map((o) => o.Key));
    bucket.objects = bucket.objects.filter((k) => !keys.has(k));
    return {};
  }

  private bucket(name: string | undefined, operation: string): FakeBucket {
    const bucket = this.buckets.get(name ?? "");
    if (!bucket) throw new AwsError(`S3 ${operation}: The specified bucket does not exist`, { code: "NoSuchBucket" });
    return bucket;
  }
}
