/** The parameter reference is generated from, and agrees with, the schema and the tutorial table. */
import { describe, expect, it } from "vitest";
import { renderParamReference } from "../../src/params/load.js";
import { paramDocs, schemaPaths } from "../../src/params/schema.js";
import { TUTORIAL_PARAMETERS } from "../../src/params/tutorial-keys.js";

describe("renderParamReference", () => {
  const reference = renderParamReference();

  it("lists every key of the schema with its documentation", () => {
    for (const { path, schema } of schemaPaths()) {
      expect(paramDocs.get(schema), `${path} has no documentation`).toBeDefined();
      expect(reference).toContain(`\`${path}\``);
    }
  });

  it("maps every tutorial key to keys that exist", () => {
    const paths = new Set(schemaPaths().map(({ path }) => path));
    for (const parameter of TUTORIAL_PARAMETERS) {
      for (const path of parameter.paths) expect(paths.has(path), `${parameter.key} → ${path}`).toBe(true);
      expect(reference).toContain(`\`${parameter.key}\``);
    }
  });

  it("shows defaults and checks taken from the schema", () => {
    expect(reference).toMatch(/\| `api\.port` \| `8000` \| [^|]+ \| 1-65535 \| `ApiPort` \|/);
    expect(reference).toMatch(/\| `rollout\.deregistrationDelaySeconds` \| `15` \|/);
    expect(reference).toMatch(/\| `api\.hostHeader` \| \*\*required\*\* \|/);
    expect(reference).toContain("`scaling.min` <= `scaling.desired` <= `scaling.max`");
    expect(reference).toContain('"Get from ACM"');
  });

  it("is a well-formed Markdown table", () => {
    const rows = reference.split("\n").filter((line) => line.startsWith("|"));
    const columns = (row: string): number => row.replace(/\\\|/g, "").split("|").length;
    for (const row of rows) expect(columns(row)).toBe(columns(rows[0] ?? ""));
  });
});
