/**
 * What `teardown --help` says of access logs is what the plan says and does:
 * kept unless --delete-data.
 */
import { describe, expect, it } from "vitest";
import { teardownCommand } from "../../src/commands/teardown.def.js";
import { accessLogsPlanLine } from "../../src/deploy/workflows/teardown.js";

const bucket = { bucket: "ep-a-prod-accesslogsbucket-1", source: "load-balancer-access-logs" as const };

describe("teardown's help and plan on access logs", () => {
  it("the help lists access logs among what is kept unless --delete-data, not among what is deleted", () => {
    const [deleted, kept] = teardownCommand.description.split(";") as [string, string];
    expect(deleted).not.toMatch(/access log/);
    expect(kept).toMatch(/access logs .* are kept unless --delete-data$/);
    const deleteData = teardownCommand.options?.find((o) => o.flags === "--delete-data")?.description ?? "";
    expect(deleteData).toMatch(/also delete .*the access-log buckets/);
    expect(deleteData).toContain("teardown <params> --delete-data");
  });

  it("the plan says the same: kept without --delete-data, deleted with it", () => {
    expect(accessLogsPlanLine([bucket], false)).toBe(
      "Access logs: S3 ep-a-prod-accesslogsbucket-1 (load balancer access logs) are kept (pass --delete-data to delete them)",
    );
    expect(accessLogsPlanLine([bucket], true)).toBe(
      "Access logs: S3 ep-a-prod-accesslogsbucket-1 (load balancer access logs) and ALL THEIR LOGS will be deleted (--delete-data)",
    );
  });
});
