/**
 * Loading a parameter file: read, parse, detect the format, validate and
 * normalize. Every problem is collected and thrown as one `InputError`, before
 * anything touches AWS.
 */
import { open, stat } from "node:fs/promises";
import { InputError, type InputIssue } from "../errors.js";
import type { FieldIssue, FieldNamer } from "./checks.js";
import type { EndpointConfig, ParamOverrides } from "./model.js";
import { optionInstead } from "./suggest.js";
import { MAX_FILE_BYTES, parseText, syntaxOf } from "./text.js";
import { convertTutorial } from "./tutorial.js";
import { PIPELINE_FLAGS } from "./tutorial-keys.js";
import { describeValue, isPlainObject, toEndpointConfig, validateEndpointObject } from "./validate.js";

export { renderParamReference } from "./reference.js";

/** Reads, validates and normalizes one parameter file; throws one `InputError` listing every problem. */
export async function loadEndpointConfig(file: string, overrides?: ParamOverrides): Promise<EndpointConfig> {
  let text: string;
  try {
    // Refuse oversized files before reading them into memory.
    const info = await stat(file);
    if (info.isDirectory()) throw new InputError([{ file, path: "", message: "is a directory, not a parameter file" }]);
    if (info.size > MAX_FILE_BYTES) {
      throw new InputError([{ file, path: "", message: tooLarge }]);
    }
    // The size of a device or pipe (/dev/zero, <(cmd)) is 0 whatever it holds: read at most one byte past the limit.
    text = await readLimited(file, MAX_FILE_BYTES);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError([{ file, path: "", message: readFailure(error) }]);
  }
  return parseEndpointConfig(text, file, overrides);
}

const tooLarge = `file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB; a parameter file is a few kilobytes`;

/** Reads a file as UTF-8, refusing it once it passes `limit` bytes. */
async function readLimited(file: string, limit: number): Promise<string> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(limit + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > limit) throw new InputError([{ file, path: "", message: tooLarge }]);
    return buffer.subarray(0, filled).toString("utf8");
  } finally {
    await handle.close();
  }
}

function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "file not found";
  if (code === "EACCES" || code === "EPERM") return "cannot read the file: permission denied";
  if (code === "EISDIR") return "is a directory, not a parameter file";
  return `cannot read the file: ${error instanceof Error ? error.message : String(error)}`;
}

/** Validates and normalizes the text of a parameter file; `file` names it in messages. Pure: no file access. */
export function parseEndpointConfig(text: string, file: string, overrides: ParamOverrides = {}): EndpointConfig {
  const fail = (issues: FieldIssue[]): never => {
    throw new InputError(dedupe(issues).map((issue): InputIssue => ({ file, path: issue.path, message: issue.message })));
  };

  const parsed = parseText(text, syntaxOf(file, text));
  if ("issues" in parsed) return fail(parsed.issues);
  const value = parsed.value;

  if (Array.isArray(value)) {
    const converted = convertTutorial(value, overrides);
    // Every key of this format is a sibling of the others: after a misspelt one, any default may stand for the value meant.
    const unknownKey = converted.issues.some((issue) => issue.message.startsWith("unknown") && optionInstead(issue.path) === undefined);
    const doubtful = (path: string) => unknownKey || converted.reported.has(converted.name(path));
    const result = validateEndpointObject(converted.raw, converted.name, overrides, doubtful);
    if (result.file !== undefined && converted.issues.length === 0) return toEndpointConfig(result.file, file, "cloudformation");
    const renamed = result.issues
      .map((issue) => ({ path: converted.name(issue.path), message: issue.message }))
      // A name already reported by the conversion would only be reported again, less precisely.
      .filter((issue) => !converted.reported.has(issue.path));
    return fail([...converted.issues, ...renamed]);
  }

  if (isPlainObject(value)) {
    const { raw, issues: overrideIssues } = applyOverrides(value, overrides);
    const result = validateEndpointObject(raw, identity, overrides);
    if (result.file !== undefined && overrideIssues.length === 0) return toEndpointConfig(result.file, file, "mlops");
    return fail([...overrideIssues, ...result.issues]);
  }

  return fail([
    {
      path: "",
      message: `expected a mapping of parameters (mlops format) or a list of {"ParameterKey", "ParameterValue"} items (CloudFormation format), got ${describeValue(value)}`,
    },
  ]);
}

const identity: FieldNamer = (path) => path;

/** Sections YAML users leave empty (`rollout:` with every line commented out) read as null: treat them as absent. */
const SECTIONS = ["network", "api", "container", "scaling", "rollout", "alarms", "storage", "logs", "pipeline"];

/** Applies `--base` and the pipeline flags to a file of our format. */
function applyOverrides(value: Record<string, unknown>, overrides: ParamOverrides): { raw: Record<string, unknown>; issues: FieldIssue[] } {
  const raw: Record<string, unknown> = { ...value };
  for (const section of SECTIONS) if (raw[section] === null) delete raw[section];
  const issues: FieldIssue[] = [];
  // Editors find the JSON Schema through a `$schema` key (`mlops schema`); it says nothing about the endpoint.
  if ("$schema" in raw) {
    if (typeof raw.$schema !== "string")
      issues.push({ path: "$schema", message: `expected the address of a JSON Schema (text), got ${describeValue(raw.$schema)}` });
    delete raw.$schema;
  }

  if (overrides.base !== undefined) {
    if (raw.base === undefined && raw.network === undefined) raw.base = overrides.base;
    else if (raw.base === undefined)
      issues.push({ path: "base", message: `--base ${overrides.base} given, but this file describes a base endpoint (it has network)` });
    else if (raw.base !== overrides.base) {
      issues.push({ path: "base", message: `is ${describeValue(raw.base)} but --base gives "${overrides.base}"; they must agree` });
    }
  }

  const flags = Object.entries(PIPELINE_FLAGS).filter(([field]) => overrides[field as keyof typeof PIPELINE_FLAGS] !== undefined);
  if (flags.length > 0) {
    const values = Object.fromEntries(flags.map(([field]) => [field, overrides[field as keyof typeof PIPELINE_FLAGS]]));
    // A pipeline section that is not a mapping is left to the schema to report.
    if (isPlainObject(raw.pipeline)) raw.pipeline = { ...raw.pipeline, ...values };
    else if (raw.pipeline !== undefined) return { raw, issues };
    else if (flags.length === 3) raw.pipeline = values;
    else {
      const missing = Object.entries(PIPELINE_FLAGS)
        .filter(([field]) => values[field] === undefined)
        .map(([, flag]) => flag);
      issues.push({
        path: "pipeline",
        message: `${Object.values(PIPELINE_FLAGS).join(", ")} go together when the file has no pipeline section; missing ${missing.join(", ")}`,
      });
    }
  }
  return { raw, issues };
}

/** Drops repeated issues (e.g. both subnet lists of a broken subnet key of the tutorial's format). */
function dedupe(issues: FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
