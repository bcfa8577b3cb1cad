/**
 * Kept data: found by tags and mlops's log group names, deleted only when
 * asked, with EFS's and ACM's deletion rules played by stateful fakes.
 */
import { describe, expect, it } from "vitest";
import type { AwsClients, LogsApi } from "../../../src/aws/interfaces.js";
import type { DeployContext } from "../../../src/deploy/context.js";
import { deleteKeptData, describeKept, findKeptData, formatBytes } from "../../../src/deploy/steps/kept-data.js";
import { FakeAcm } from "../../fakes/acm.js";
import { FakeClock } from "../../fakes/clock.js";
import { FakeEfs } from "../../fakes/efs.js";
import { MemoryOutput } from "../../fakes/output.js";

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
  const out = new MemoryOutput();
  const ctx: DeployContext = {
    aws: { region: "us-east-1", efs, acm, logs } as Partial<AwsClients> as AwsClients,
    out,
    clock: new FakeClock(),
    assumeYes: true,
  };
  return { efs, acm, logs, out, ctx };
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
    expect(describeKept(kept)).toBe("1 EFS file system (3 GiB), 2 log groups, 1 certificate");
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

describe("formatBytes", () => {
  it("reads as people say sizes", () => {
    expect([0, 6144, 1_610_612_736, 12 * 1024 ** 2].map(formatBytes)).toEqual(["0 B", "6 KiB", "1.5 GiB", "12 MiB"]);
  });
});
