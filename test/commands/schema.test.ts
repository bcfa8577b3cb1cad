/**
 * `mlops schema` as a user runs it: prints the schema, or writes it with --out; no AWS call (no endpoint is given).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parameterJsonSchemaText } from "../../src/params/json-schema.js";
import { failure, runMlops } from "../helpers/mlops.js";

describe("mlops schema", () => {
  it("prints the JSON Schema on stdout", async () => {
    const run = await runMlops(["schema"]);
    expect(run.code, failure(run)).toBe(0);
    expect(run.stdout).toBe(parameterJsonSchemaText());
    expect(run.stderr).toBe("");
  });

  it("--out writes it, creating folders", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlops-schema-"));
    const file = join(dir, "editor", "params.schema.json");
    const run = await runMlops(["schema", "--out", file]);
    expect(run.code, failure(run)).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(parameterJsonSchemaText());
    expect(run.stderr).toContain(`Wrote the parameter file's JSON Schema to ${file}`);
  });

  it("--out into a place that cannot be written is bad input (exit 2)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlops-schema-"));
    writeFileSync(join(dir, "file"), "");
    const run = await runMlops(["schema", "--out", join(dir, "file", "params.schema.json")]);
    expect(run.code, failure(run)).toBe(2);
    expect(run.stderr).toContain(`--out: cannot write ${join(dir, "file", "params.schema.json")}`);
  });
});
