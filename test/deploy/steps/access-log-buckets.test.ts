/**
 * Kept access-log buckets: found by their tags, deleted once emptied, with
 * S3's answers played by a stateful fake (test/fakes/s3.ts).
 */
import { describe, expect, it } from "vitest";
import type { AwsClients, S3Api } from "../../../src/aws/interfaces.js";
import type { DeployContext } from "../../../src/deploy/context.js";
import { bucketExists, deleteAccessLogBucket, listAccessLogBuckets } from "../../../src/deploy/steps/access-log-buckets.js";
import { AwsError } from "../../../src/errors.js";
import { FakeClock } from "../../fakes/clock.js";
import { MemoryOutput } from "../../fakes/output.js";
import { FakeS3 } from "../../fakes/s3.js";

function context(s3: FakeS3): DeployContext {
  return { aws: { region: "us-east-1", s3 } as unknown as AwsClients, out: new MemoryOutput(), clock: new FakeClock(), assumeYes: true };
}

const lbLogs = { "mlops:endpoint": "ep-a-prod", "mlops:bucket": "load-balancer-access-logs" };

describe("access-log buckets", () => {
  it("a log file delivered between the emptying and the deletion fails the deletion with the way out (run again)", async () => {
    class LateDelivery extends FakeS3 {
      delivered = false;
      override async deleteBucket(input: Parameters<FakeS3["deleteBucket"]>[0]) {
        if (!this.delivered) {
          this.delivered = true;
          this.buckets.get(input.Bucket as string)?.objects.push("AWSLogs/late.log.gz");
        }
        return super.deleteBucket(input);
      }
    }
    const s3 = new LateDelivery().add("logs-1", { tags: lbLogs, objects: ["AWSLogs/a.log.gz"] });
    const ctx = context(s3);
    const [bucket] = await listAccessLogBuckets(ctx);
    const error = await deleteAccessLogBucket(bucket!, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).message).toContain("logs-1 received new access logs while it was being emptied");
    expect((error as AwsError).hint).toMatch(/Run the same command again/);
    // The same command again empties it again and deletes it.
    expect(await deleteAccessLogBucket(bucket!, ctx)).toBe("deleted");
    expect(await bucketExists(s3 as unknown as S3Api, "logs-1")).toBe(false);
    expect(await deleteAccessLogBucket(bucket!, ctx)).toBe("gone");
  });

  it("a refused ListBuckets names the IAM action that allows it (s3:ListAllMyBuckets)", async () => {
    const s3 = new FakeS3();
    s3.listBuckets = async () => {
      throw new AwsError("S3 ListBuckets: Access Denied", { code: "AccessDenied" });
    };
    const error = (await listAccessLogBuckets(context(s3)).catch((e: unknown) => e)) as AwsError;
    expect(error.hint).toContain("s3:ListAllMyBuckets");
  });

  it("a bucket without tags still exists (S3 answers NoSuchTagSet)", async () => {
    const s3 = new FakeS3().add("untagged");
    expect(await bucketExists(s3 as unknown as S3Api, "untagged")).toBe(true);
  });
});
