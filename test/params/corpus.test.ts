/**
 * Every broken file in `corpus/` must fail with an InputError that names the
 * file first and the expected field path, with the expected message fragment.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatIssue, InputError } from "../../src/errors.js";
import { loadEndpointConfig } from "../../src/params/load.js";
import type { ParamOverrides } from "../../src/params/model.js";

interface Expected {
  overrides?: ParamOverrides;
  issues: { path: string; fragment: string }[];
  /** Text that must not appear: follow-on problems of values the user never wrote, doubled units. */
  absent?: string[];
}

const corpusDir = fileURLToPath(new URL("./corpus/", import.meta.url));
const expected = JSON.parse(readFileSync(join(corpusDir, "expected.json"), "utf8")) as Record<string, Expected>;

/** Loads a file and returns the InputError it must throw. */
async function failure(file: string, overrides?: ParamOverrides): Promise<InputError> {
  try {
    await loadEndpointConfig(file, overrides);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error(`${file} loaded without error`);
}

describe("broken parameter files", () => {
  it("has at least 30 cases, each listed in expected.json", () => {
    const files = readdirSync(corpusDir).filter((name) => name !== "expected.json");
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))("%s", async (name, { overrides, issues, absent }) => {
    const file = join(corpusDir, name);
    const error = await failure(file, overrides);
    expect(error.exitCode).toBe(2);
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
      expect(issue.file).toBe(file);
      expect(formatIssue(issue).startsWith(`${file}: `)).toBe(true);
    }
    for (const want of issues) {
      const match = error.issues.find((issue) => issue.path === want.path && issue.message.includes(want.fragment));
      expect(match, `no issue at "${want.path}" containing "${want.fragment}" in:\n${error.message}`).toBeDefined();
      expect(error.message).toContain(want.path === "" ? `${file}: ${want.fragment}` : `${file}: ${want.path}: `);
    }
    for (const text of absent ?? []) expect(error.message, `"${text}" must not appear in:\n${error.message}`).not.toContain(text);
  });
});
