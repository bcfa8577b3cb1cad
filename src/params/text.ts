/**
 * Turns the text of a parameter file into a plain value, with syntax errors
 * and duplicate keys reported by line (and column, where it helps).
 */
import yaml from "js-yaml";
import { parseJson, JsonError } from "./json.js";
import type { FieldIssue } from "./checks.js";

/** Largest parameter file read; a real one is a few kilobytes. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** The syntax a file is read with. */
export type Syntax = "json" | "yaml";

/** JSON for `.json` files, YAML for `.yaml`/`.yml`; otherwise guessed from the first character. */
export function syntaxOf(file: string, text: string): Syntax {
  const lower = file.toLowerCase();
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return "yaml";
  const first = text.trimStart()[0];
  return first === "{" || first === "[" ? "json" : "yaml";
}

/** Parses the text; returns the value, or the issues that stopped parsing. */
export function parseText(text: string, syntax: Syntax): { value: unknown } | { issues: FieldIssue[] } {
  // Editors on Windows add a byte-order mark that neither parser expects.
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  if (Buffer.byteLength(body, "utf8") > MAX_FILE_BYTES) {
    return { issues: [{ path: "", message: `file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB; a parameter file is a few kilobytes` }] };
  }
  if (body.trim() === "") return { issues: [{ path: "", message: "file is empty" }] };
  return syntax === "json" ? readJson(body) : readYaml(body);
}

function readJson(text: string): { value: unknown } | { issues: FieldIssue[] } {
  try {
    return { value: parseJson(text) };
  } catch (error) {
    if (!(error instanceof JsonError)) throw error;
    if (error.duplicateKey !== undefined) return { issues: [{ path: `line ${error.line}`, message: error.message }] };
    return { issues: [{ path: `line ${error.line}, column ${error.column}`, message: `invalid JSON: ${error.message}` }] };
  }
}

function readYaml(text: string): { value: unknown } | { issues: FieldIssue[] } {
  let value: unknown;
  try {
    // The core schema keeps 2024-01-01 and similar as text: no surprise dates or binary values.
    value = yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch (error) {
    if (!(error instanceof yaml.YAMLException)) throw error;
    return { issues: [yamlIssue(error, text)] };
  }
  if (value === null || value === undefined) {
    return { issues: [{ path: "", message: "file is empty (it has only comments or blank lines)" }] };
  }
  return { value };
}

function yamlIssue(error: yaml.YAMLException, text: string): FieldIssue {
  const mark = error.mark as { line?: number; column?: number; position?: number } | undefined;
  const reason = error.reason ?? error.message;
  if (mark?.line === undefined) return { path: "", message: `invalid YAML: ${reason}` };
  const line = mark.line + 1;
  if (reason === "duplicated mapping key") {
    const key = keyAt(text, mark.position ?? 0);
    return { path: `line ${line}`, message: key === undefined ? "a key is given twice" : `key "${key}" is given twice` };
  }
  return { path: `line ${line}, column ${(mark.column ?? 0) + 1}`, message: `invalid YAML: ${reason}` };
}

/** The mapping key written at an offset (plain, single- or double-quoted). */
function keyAt(text: string, offset: number): string | undefined {
  const match = /^(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\n]|'')*)'|([^:,{}[\]#\n]+?))\s*:/.exec(text.slice(offset, offset + 300));
  if (!match) return undefined;
  return match[1] ?? match[2]?.replace(/''/g, "'") ?? match[3]?.trim();
}
