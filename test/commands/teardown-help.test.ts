/**
 * What `teardown --help` says of access logs is what the plan says and does:
 * kept unless --delete-data.
 */
import { describe, expect, it } from "vitest";
import { teardownCommand } from "../../src/commands/teardown.def.js";
import { accessLogsPlanLines } from "../../src/deploy/workflows/teardown.js";

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
    expect(accessLogsPlanLines([bucket], false)).toEqual([
      "Access logs: S3 ep-a-prod-accesslogsbucket-1 (load balancer access logs) are kept (pass --delete-data to delete them)",
    ]);
    expect(accessLogsPlanLines([bucket], true)).toEqual([
      "Access logs: S3 ep-a-prod-accesslogsbucket-1 (load balancer access logs) and ALL THEIR LOGS will be deleted (--delete-data)",
    ]);
  });

  it("a bucket of a stack deployed before access logs were kept is named as going with its stack, not as kept", () => {
    const old = { bucket: "ep-a-prod-pipeline-accesslogsbucket-2", source: "artifact-access-logs" as const, withStack: true };
    expect(accessLogsPlanLines([bucket, old], false)).toEqual([
      "Access logs: S3 ep-a-prod-accesslogsbucket-1 (load balancer access logs) are kept (pass --delete-data to delete them)",
      "Access logs: S3 ep-a-prod-pipeline-accesslogsbucket-2 (artifact bucket access logs) and ALL THEIR LOGS will be deleted with the stack, deployed before access logs were kept (`mlops update` first keeps them)",
    ]);
    // Started through npx, the command the line names is the one the user can run.
    const [, npx] = accessLogsPlanLines([bucket, old], false, "npx mlops");
    expect(npx).toContain("(`npx mlops update` first keeps them)");
    expect(npx).not.toMatch(/(?<!npx )`?\bmlops update/);
  });
});
