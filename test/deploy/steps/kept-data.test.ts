/**
 * Kept data: found by tags and mlops's log group names, deleted only when
 * asked, with EFS's and ACM's deletion rules played by stateful fakes.
 */
import { describe, expect, it } from "vitest";
import type { AwsClients, LogsApi } from "../../../src/aws/interfaces.js";
import type { DeployContext } from "../../../src/deploy/context.js";
import { deleteKeptData, describeKept, findKeptData, formatBytes, keptLines } from "../../../src/deploy/steps/kept-data.js";
import { FakeAcm } from "../../fakes/acm.js";
import { FakeClock } from "../../fakes/clock.js";
import { FakeEfs } from "../../fakes/efs.js";
import { MemoryOutput } from "../../fakes/output.js";
import { FakeS3 } from "../../fakes/s3.js";

class FakeLogs implements LogsApi {
  constructor(readonly groups: { name: string; storedBytes?: number }[]) {}
  async filterLogEvents() {
    return { events: [] };
  }
  async describeLogStreams() {
    return { logStreams: [] };
  }
  async getLogEvents() {
    return { events: [] };
  }
  async describeLogGroups(input: Parameters<LogsApi["describeLogGroups"]>[0]) {
    return {
      logGroups: this.groups
        .filter((g) => g.name.startsWith(input.logGroupNamePrefix ?? ""))
        .map((g) => ({ logGroupName: g.name, storedBytes: g.storedBytes })),
    };
  }
  async deleteLogGroup(input: Parameters<LogsApi["deleteLogGroup"]>[0]) {
    this.groups.splice(
      this.groups.findIndex((g) => g.name === input.logGroupName),
      1,
    );
    return {};
  }
}

function setup() {
  const efs = new FakeEfs();
  const acm = new FakeAcm();
  const logs = new FakeLogs([
    { name: "/mlops/ep-a-prod", storedBytes: 2048 },
    { name: "/mlops/ep-gone-prod", storedBytes: 1_610_612_736 },
    { name: "/aws/codebuild/ep-gone-prod" },
    { name: "/aws/codebuild/someone-elses-project" },
  ]);
  const s3 = new FakeS3();
  const out = new MemoryOutput();
  const ctx: DeployContext = {
    aws: { region: "us-east-1", efs, acm, logs, s3 } as unknown as AwsClients,
    out,
    clock: new FakeClock(),
    assumeYes: true,
  };
  return { efs, acm, logs, s3, out, ctx };
}

const live = { ids: new Set(["ep-a-prod"]), hosts: new Set(["ep-a.example.com"]) };

describe("findKeptData", () => {
  it("finds the file systems, log groups and requested certificates of endpoints without a stack, and nothing of live ones or of others", async () => {
    const { efs, acm, ctx } = setup();
    efs.add("ep-a-prod", "assets");
    const goneAssets = efs.add("ep-gone-prod", "assets", { sizeBytes: 3 * 1024 ** 3 });
    acm.add({
      domainName: "ep-a.example.com",
      tags: [
        { Key: "mlops:managed-by", Value: "mlops" },
        { Key: "mlops:endpoint", Value: "ep-a-prod" },
      ],
    });
    const gone = acm.add({
      domainName: "gone.example.com",
      tags: [
        { Key: "mlops:managed-by", Value: "mlops" },
        { Key: "mlops:endpoint", Value: "ep-gone-prod" },
      ],
    });
    // Requested before certificates carried the endpoint tag: recognised by the live endpoints' host names.
    acm.add({ domainName: "ep-a.example.com", tags: [{ Key: "mlops:managed-by", Value: "mlops" }] });
    acm.add({ domainName: "mine.example.com" });
    const kept = await findKeptData(ctx, live);
    expect(kept.fileSystems).toEqual([{ endpoint: "ep-gone-prod", volume: "assets", fileSystemId: goneAssets, sizeBytes: 3 * 1024 ** 3 }]);
    expect(kept.logGroups.map((g) => [g.endpoint, g.name])).toEqual([
      ["ep-gone-prod", "/aws/codebuild/ep-gone-prod"],
      ["ep-gone-prod", "/mlops/ep-gone-prod"],
    ]);
    expect(kept.certificates).toEqual([{ endpoint: "ep-gone-prod", arn: gone.arn, domain: "gone.example.com", status: "ISSUED" }]);
    expect(describeKept(kept)).toBe("1 EFS file system (3 GiB), 2 log groups, 1 certificate, 0 access-log buckets");
  });

  it("finds the access-log buckets of endpoints without a stack by their tags, in this region only", async () => {
    const { s3, ctx } = setup();
    const logs = (endpoint: string, bucket = "load-balancer-access-logs") => ({ "mlops:endpoint": endpoint, "mlops:bucket": bucket });
    s3.add("ep-gone-prod-accesslogsbucket-1", { tags: logs("ep-gone-prod") })
      .add("ep-gone-prod-pipeline-accesslogsbucket-2", { tags: logs("ep-gone-prod", "artifact-access-logs") })
      // A live endpoint's bucket is in use; an upload bucket carries the endpoint tag but is no access-log bucket.
      .add("ep-a-prod-accesslogsbucket-3", { tags: logs("ep-a-prod") })
      .add("ep-gone-prod-weightsuploadbucket-4", { tags: { "mlops:endpoint": "ep-gone-prod" } })
      .add("someone-elses", {})
      .add("ep-far-prod-accesslogsbucket-5", { region: "eu-west-1", tags: logs("ep-far-prod") });
    const kept = await findKeptData(ctx, live);
    expect(kept.accessLogBuckets).toEqual([
      { endpoint: "ep-gone-prod", bucket: "ep-gone-prod-accesslogsbucket-1", source: "load-balancer-access-logs" },
      { endpoint: "ep-gone-prod", bucket: "ep-gone-prod-pipeline-accesslogsbucket-2", source: "artifact-access-logs" },
    ]);
    expect(describeKept(kept)).toMatch(/, 2 access-log buckets$/);
    expect(keptLines(kept)).toEqual([
      "ep-gone-prod: log group /aws/codebuild/ep-gone-prod, /mlops/ep-gone-prod; S3 ep-gone-prod-accesslogsbucket-1 (load balancer access logs), S3 ep-gone-prod-pipeline-accesslogsbucket-2 (artifact bucket access logs)",
    ]);
  });
});

describe("deleteKeptData", () => {
  it("deletes a file system's leftover mount targets first and waits until EFS lists none, then the file system", async () => {
    const { efs, ctx } = setup();
    const id = efs.add("ep-gone-prod", "weights", { mountTargets: 2 });
    const kept = await findKeptData(ctx, live);
    const result = await deleteKeptData(kept, ctx);
    expect(efs.fileSystems).toEqual([]);
    expect(efs.calls).toEqual([`DeleteMountTarget fsmt-${id}-0`, `DeleteMountTarget fsmt-${id}-1`, `DeleteFileSystem ${id}`]);
    expect(result.deleted.fileSystems.map((f) => f.fileSystemId)).toEqual([id]);
    expect(result.deleted.logGroups.map((g) => g.name)).toEqual(["/aws/codebuild/ep-gone-prod", "/mlops/ep-gone-prod"]);
  });

  it("keeps a certificate ACM says is still in use, and says so", async () => {
    const { acm, out, ctx } = setup();
    const used = acm.add({
      domainName: "gone.example.com",
      tags: [
        { Key: "mlops:managed-by", Value: "mlops" },
        { Key: "mlops:endpoint", Value: "ep-gone-prod" },
      ],
      inUseBy: ["arn:aws:elasticloadbalancing:listener/x"],
    });
    const free = acm.add({
      domainName: "old.example.com",
      tags: [
        { Key: "mlops:managed-by", Value: "mlops" },
        { Key: "mlops:endpoint", Value: "ep-old-prod" },
      ],
    });
    const result = await deleteKeptData(await findKeptData(ctx, live), ctx);
    expect(result.deleted.certificates.map((c) => c.arn)).toEqual([free.arn]);
    expect(result.kept.certificates.map((c) => c.arn)).toEqual([used.arn]);
    expect(acm.certificates.map((c) => c.arn)).toEqual([used.arn]);
    expect(out.lines).toContain(`warn: Kept ACM certificate ${used.arn} (gone.example.com): it is still in use.`);
  });
});

describe("deleteKeptData of access-log buckets", () => {
  it("empties a kept bucket, then deletes it (S3 refuses to delete a bucket that holds objects)", async () => {
    const { s3, out, ctx } = setup();
    s3.add("ep-gone-prod-accesslogsbucket-1", {
      tags: { "mlops:endpoint": "ep-gone-prod", "mlops:bucket": "load-balancer-access-logs" },
      objects: ["AWSLogs/1/elb.log.gz", "AWSLogs/1/elb2.log.gz"],
    });
    const result = await deleteKeptData(await findKeptData(ctx, live), ctx);
    expect(s3.buckets.size).toBe(0);
    expect(result.deleted.accessLogBuckets.map((b) => b.bucket)).toEqual(["ep-gone-prod-accesslogsbucket-1"]);
    expect(out.lines).toContain("success: Deleted S3 ep-gone-prod-accesslogsbucket-1 (load balancer access logs)");
  });
});

describe("formatBytes", () => {
  it("reads as people say sizes", () => {
    expect([0, 6144, 1_610_612_736, 12 * 1024 ** 2].map(formatBytes)).toEqual(["0 B", "6 KiB", "1.5 GiB", "12 MiB"]);
  });
});
