/**
 * The emulator correction s3-bucket-update-tags (a CloudFormation update of the Tags of a bucket whose name was
 * generated), shown through the AWS SDK for JavaScript v3: the corrected behaviour on the shared emulator (all
 * corrections), and the wrong behaviour on an emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { GetBucketTaggingCommand } from "@aws-sdk/client-s3";
import { type Aws, createStack, describeStack, emulatorWithout, main, stackResources, throughChangeSet, uniqueName } from "./helpers.js";

let without: Aws;
emulatorWithout(["s3-bucket-update-tags"], (a) => (without = a));

// AWS::S3::Bucket (CloudFormation reference), Tags: "Update requires: No interruption", with or without BucketName.
const template = (tags: Record<string, string>) =>
  JSON.stringify({
    Resources: { Logs: { Type: "AWS::S3::Bucket", Properties: { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } } },
  });

/** Creates a stack with an unnamed bucket, updates its tags through a change set; the stack's status and the bucket's tags after. */
async function retag(a: Aws) {
  const name = uniqueName("t");
  await createStack(a, name, template({ a: "1" }));
  const bucket = (await stackResources(a, name)).Logs!;
  await throughChangeSet(a, name, "UPDATE", { body: template({ a: "1", kind: "logs" }) });
  const status = (await describeStack(a, name)).StackStatus;
  const tags = (await a.s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet ?? [];
  return { status, bucket, after: (await stackResources(a, name)).Logs, tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])) };
}

describe("s3-bucket-update-tags (a CloudFormation update of an unnamed bucket's tags)", () => {
  it("tags the bucket the stack has, keeping it", async () => {
    const { status, bucket, after, tags } = await retag(main);
    expect(status).toBe("UPDATE_COMPLETE");
    expect(after).toBe(bucket);
    expect(tags).toEqual({ a: "1", kind: "logs" });
  });

  it("without it, the update fails and the stack rolls back", async () => {
    const { status } = await retag(without);
    expect(status).toMatch(/ROLLBACK/);
  });
});
