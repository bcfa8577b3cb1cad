/**
 * Access logs are kept by teardown unless --delete-data, as the help says:
 * the real `mlops` binary against the emulator, the buckets checked through
 * the SDK. A kept bucket is listed by `status`, stays out of the way of a
 * re-created endpoint and is deleted by a later teardown with --delete-data.
 */
import { DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { GetBucketTaggingCommand, ListBucketsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEmulator, startEmulator } from "../setup/emulator-process.js";
import { pushWhenRepositoryExists, sdkClients } from "../helpers/aws.js";
import { failure, runMlops, type MlopsRun } from "../helpers/mlops.js";

let emulator: { url: string; stop(): Promise<void> };
let aws: ReturnType<typeof sdkClients>;

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
});
afterAll(async () => {
  await emulator?.stop();
});

async function createA(): Promise<string> {
  const controller = new AbortController();
  const pushing = pushWhenRepositoryExists(aws.ecr, "ep-a-prod", "v1", controller.signal);
  const run: MlopsRun = await runMlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes"], { endpointUrl: emulator.url });
  controller.abort();
  await pushing;
  expect(run.code, failure(run)).toBe(0);
  const stack = (await aws.cfn.send(new DescribeStacksCommand({ StackName: "ep-a-prod" }))).Stacks?.[0];
  const bucket = stack?.Outputs?.find((o) => o.OutputKey === "LoadBalancerAccessLogsBucket")?.OutputValue;
  expect(bucket).toBeTruthy();
  // A log file, as the load balancer delivers them.
  await aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: "AWSLogs/123456789012/elasticloadbalancing/log.gz", Body: "entry" }));
  return bucket as string;
}

/** The buckets tagged as ep-a-prod's access logs, by the kind their tag names. */
async function accessLogBuckets(): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const b of (await aws.s3.send(new ListBucketsCommand({}))).Buckets ?? []) {
    const tags = (await aws.s3.send(new GetBucketTaggingCommand({ Bucket: b.Name })).catch(() => ({ TagSet: [] }))).TagSet ?? [];
    const kind = tags.find((t) => t.Key === "mlops:bucket")?.Value;
    if (kind && tags.some((t) => t.Key === "mlops:endpoint" && t.Value === "ep-a-prod")) (found[kind] ??= []).push(b.Name as string);
  }
  return found;
}

const oneLine = (text: string) => text.replace(/\s+/g, " ");

describe("access logs across teardowns", () => {
  it("teardown keeps the access-log buckets without --delete-data, says so in the plan and the summary, and status lists them", async () => {
    const bucket = await createA();
    const run = await runMlops(["teardown", "params/ep-a.yaml", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    expect(oneLine(run.stderr)).toContain(`Access logs: S3 ${bucket} (load balancer access logs), S3 `);
    expect(oneLine(run.stderr)).toMatch(/\(artifact bucket access logs\) are kept \(pass --delete-data to delete them\)/);
    expect(oneLine(run.stderr)).toContain(`Kept access logs: S3 ${bucket} (load balancer access logs), S3 `);
    expect(oneLine(run.stderr)).toMatch(/Kept access logs: .*; `npx mlops teardown params\/ep-a.yaml --delete-data` deletes them/);
    expect(run.stdout).toMatch(/kept .*, 2 access-log buckets\.$/m);
    const kept = await accessLogBuckets();
    expect(kept["load-balancer-access-logs"]).toEqual([bucket]);
    expect(kept["artifact-access-logs"]).toHaveLength(1);
    const status = JSON.parse((await runMlops(["status", "--json"], { endpointUrl: emulator.url })).stdout) as {
      kept: { accessLogBuckets: { endpoint: string; bucket: string; source: string }[] };
    };
    expect(status.kept.accessLogBuckets).toContainEqual({ endpoint: "ep-a-prod", bucket, source: "load-balancer-access-logs" });
  }, 180_000);

  it("a re-created endpoint gets a bucket of its own, and teardown <params> --delete-data deletes the kept one with it", async () => {
    const [old] = (await accessLogBuckets())["load-balancer-access-logs"] ?? [];
    const bucket = await createA();
    expect(bucket).not.toBe(old);
    const run = await runMlops(["teardown", "params/ep-a.yaml", "--delete-data", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    expect(oneLine(run.stderr)).toMatch(/Access logs: .*ALL THEIR LOGS will be deleted \(--delete-data\)/);
    expect(run.stderr).toContain(`Deleted S3 ${old} (load balancer access logs)`);
    expect(run.stderr).toContain(`Deleted S3 ${bucket} (load balancer access logs)`);
    expect(run.stdout).toMatch(/^Deleted 3 stacks, .*, 4 access-log buckets; kept .*, 0 access-log buckets\.$/m);
    expect(await accessLogBuckets()).toEqual({});
  }, 180_000);

  it("teardown --all --delete-data deletes access logs kept by an earlier teardown, whose stacks are gone", async () => {
    // A fresh account: the emulator answered the next certificate request for this domain with HTTP 500 once --delete-data had deleted its certificate.
    await resetEmulator(emulator.url);
    const bucket = await createA();
    expect((await runMlops(["teardown", "params/ep-a.yaml", "--yes"], { endpointUrl: emulator.url })).code).toBe(0);
    const run = await runMlops(["teardown", "--all", "--delete-data", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    expect(oneLine(run.stderr)).toMatch(/Kept by earlier teardowns, deleted now with ALL THEIR DATA \(--delete-data\): .*2 access-log buckets/);
    expect(run.stderr).toContain(`Deleted S3 ${bucket} (load balancer access logs)`);
    expect(await accessLogBuckets()).toEqual({});
  }, 180_000);
});
