/**
 * The weights commands' pure parts: the source argument, the schedule expression
 * (EventBridge Scheduler's rate/cron/at forms), the sync and listing scripts.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listingScript, parseListing, parseWeightsSource, scheduleExpressionProblem, syncScript } from "../../../src/deploy/workflows/weights.js";
import { InputError } from "../../../src/errors.js";

describe("parseWeightsSource", () => {
  it("reads s3://bucket/prefix with the prefix ending in /, and anything else as a local folder", () => {
    expect(parseWeightsSource("s3://my-models/llm/v2")).toEqual({ kind: "s3", bucket: "my-models", prefix: "llm/v2/" });
    expect(parseWeightsSource("s3://my-models")).toEqual({ kind: "s3", bucket: "my-models", prefix: "" });
    expect(parseWeightsSource("./weights")).toEqual({ kind: "local", dir: "./weights" });
  });

  it("refuses bucket names and prefixes it cannot pass safely to the sync (bad input)", () => {
    for (const bad of ["s3://My_Bucket/x", "s3://b/x'; rm -rf /", "s3://bucket/a b", "s3://bucket/*"]) {
      expect(() => parseWeightsSource(bad), bad).toThrow(InputError);
    }
  });
});

describe("scheduleExpressionProblem", () => {
  it("accepts rate, cron and at expressions as EventBridge Scheduler writes them", () => {
    for (const ok of ["rate(3 minutes)", "rate(1 hour)", "rate(2 days)", "cron(0 3 * * ? *)", "cron(0/15 * ? * MON-FRI *)", "at(2030-01-01T00:00:00)"]) {
      expect(scheduleExpressionProblem(ok), ok).toBeUndefined();
    }
  });

  it("names what is wrong with the others", () => {
    expect(scheduleExpressionProblem("rate(1 minutes)")).toMatch(/rate\(1 minute\)/);
    expect(scheduleExpressionProblem("rate(3 minute)")).toMatch(/rate\(3 minutes\)/);
    expect(scheduleExpressionProblem("rate(0 minutes)")).toMatch(/at least 1/);
    expect(scheduleExpressionProblem("cron(0 3 * * *)")).toMatch(/6 fields/);
    expect(scheduleExpressionProblem("cron(0 3 1 * MON *)")).toMatch(/must be \?/);
    expect(scheduleExpressionProblem("every 3 minutes")).toMatch(/expected rate/);
  });
});

describe("the task's scripts", () => {
  it("the sync copies the source into a new version on the weights mount, deleting only with --delete (run in test/deploy/steps/weights-versions.test.ts)", () => {
    const script = syncScript("s3://b/p/", false, "20261208T001503Z-a1b2c3", "eu-west-1");
    expect(script).toMatch(/^set -e\ncd '\/mnt\/weights'\n/);
    expect(script).toContain("aws s3 sync 's3://b/p/' '/mnt/weights/versions/20261208T001503Z-a1b2c3' --region eu-west-1 --no-progress || ");
    expect(syncScript("s3://b/p/", true, "V", "eu-west-1")).toContain(
      "aws s3 sync 's3://b/p/' '/mnt/weights/versions/V' --region eu-west-1 --no-progress --delete || ",
    );
    // The switch comes after the sync, and only a successful sync reaches it (set -e; a failed sync exits).
    expect(script.indexOf("mv -Tf .current.new current")).toBeGreaterThan(script.indexOf("aws s3 sync"));
  });

  it("the listing script prints SIZE EPOCH PATH for every file below the root with sh and stat only", () => {
    const root = mkdtempSync(join(tmpdir(), "mlops-ls-"));
    try {
      mkdirSync(join(root, "sub"));
      writeFileSync(join(root, "a.bin"), "12345");
      writeFileSync(join(root, "sub", ".hidden"), "1");
      const output = execFileSync("/bin/sh", ["-c", listingScript(root)], { encoding: "utf8" });
      const files = parseListing(output.trim().split("\n"), root);
      expect(files.map((f) => [f.path, f.size])).toEqual([
        ["a.bin", 5],
        ["sub/.hidden", 1],
      ]);
      expect(Date.parse(files[0]!.modified)).toBeGreaterThan(Date.now() - 600_000);
      expect(() => execFileSync("/bin/sh", ["-c", listingScript(join(root, "missing"))], { stdio: "pipe" })).toThrow();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
