/** Shared helpers of the template tests: loading and walking parsed templates. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadTemplate, type CfnResource, type CfnTemplate, type CfnValue } from "./cfn-yaml.js";

export type CfnObject = { [key: string]: CfnValue };

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export function readRepoFile(relativePath: string): string {
  return readFileSync(new URL(relativePath, `file://${ROOT}`), "utf8");
}

export const TEMPLATE_NAMES = ["create-ep-a", "add-ep-b", "pipeline", "shard", "images"] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

const cache = new Map<TemplateName, CfnTemplate>();

/** A template of `templates/`, parsed (a fresh parse once per name). */
export function template(name: TemplateName): CfnTemplate {
  let parsed = cache.get(name);
  if (!parsed) {
    parsed = loadTemplate(readRepoFile(`templates/${name}.yaml`));
    cache.set(name, parsed);
  }
  return parsed;
}

/** The three templates, parsed once per test file. */
export const A = template("create-ep-a");
export const B = template("add-ep-b");
export const P = template("pipeline");
export const S = template("shard");
/** The two endpoint templates with their names. */
export const ENDPOINTS = [
  ["create-ep-a", A],
  ["add-ep-b", B],
] as const;

export function isObject(value: CfnValue | undefined): value is CfnObject {
  return value !== null && value !== undefined && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date);
}

/** The value of a property that must be a mapping. */
export function obj(value: CfnValue | undefined, what = "value"): CfnObject {
  if (!isObject(value)) throw new Error(`${what} is not a mapping: ${JSON.stringify(value)}`);
  return value;
}

/** The value of a property that must be a list. */
export function list(value: CfnValue | undefined, what = "value"): CfnValue[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list: ${JSON.stringify(value)}`);
  return value;
}

export function props(resource: CfnResource): CfnObject {
  return resource.Properties ?? {};
}

/** `[logicalId, resource]` of every resource of a type. */
export function resourcesOfType(t: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(t.Resources).filter(([, r]) => r.Type === type);
}

/** The only resource of a type (fails when there is not exactly one). */
export function onlyResource(t: CfnTemplate, type: string): [string, CfnResource] {
  const found = resourcesOfType(t, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as [string, CfnResource];
}

export function resource(t: CfnTemplate, logicalId: string): CfnResource {
  const r = t.Resources[logicalId];
  if (!r) throw new Error(`no resource ${logicalId}`);
  return r;
}

/** The target of `{ Ref: X }`, else undefined. */
export function refTarget(value: CfnValue | undefined): string | undefined {
  if (isObject(value) && Object.keys(value).length === 1 && typeof value["Ref"] === "string") {
    return value["Ref"];
  }
  return undefined;
}

/** `[resource, attribute]` of `{ "Fn::GetAtt": [...] }`, else undefined. */
export function getAttTarget(value: CfnValue | undefined): [string, string] | undefined {
  if (!isObject(value) || Object.keys(value).length !== 1) return undefined;
  const args = value["Fn::GetAtt"];
  if (Array.isArray(args) && args.length === 2 && typeof args[0] === "string" && typeof args[1] === "string") {
    return [args[0], args[1]];
  }
  return undefined;
}

/** The argument of `{ "Fn::ImportValue": X }`, else undefined. */
export function importArg(value: CfnValue | undefined): CfnValue | undefined {
  if (isObject(value) && Object.keys(value).length === 1 && "Fn::ImportValue" in value) {
    return value["Fn::ImportValue"];
  }
  return undefined;
}

/** Visits every node of a value, depth first, with the path of keys that leads to it. */
export function walk(value: CfnValue | undefined, visit: (node: CfnValue, path: readonly string[]) => void, path: readonly string[] = []): void {
  if (value === undefined) return;
  visit(value, path);
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, visit, [...path, String(i)]));
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) walk(child, visit, [...path, key]);
  }
}

/** Variables named in a `Fn::Sub` template string (`${!Literal}` excluded). */
export function subVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([^!}][^}]*)\}/g)].map((m) => (m[1] ?? "").trim());
}

/**
 * Evaluates a string built from literals, `Ref`s to the given variables and
 * `Fn::Sub` over them (the shape export and import names have). Fails on
 * anything else, so that a test notices a name it cannot compute.
 */
export function evaluateName(value: CfnValue | undefined, vars: Readonly<Record<string, string>>): string {
  if (typeof value === "string") return value;
  const ref = refTarget(value);
  if (ref !== undefined) {
    const v = vars[ref];
    if (v === undefined) throw new Error(`cannot evaluate Ref ${ref}`);
    return v;
  }
  if (isObject(value) && "Fn::If" in value) {
    // A condition's value is given as the variable `Condition:NAME` ("true" or "false").
    const [condition, whenTrue, whenFalse] = value["Fn::If"] as CfnValue[];
    const chosen = vars[`Condition:${String(condition)}`];
    if (chosen === undefined) throw new Error(`cannot evaluate condition ${String(condition)}`);
    return evaluateName(chosen === "true" ? whenTrue : whenFalse, vars);
  }
  if (isObject(value) && "Fn::Sub" in value) {
    const arg = value["Fn::Sub"];
    let text: CfnValue | undefined = arg;
    let local: Record<string, string> = {};
    if (Array.isArray(arg)) {
      text = arg[0];
      local = Object.fromEntries(Object.entries(obj(arg[1], "Fn::Sub variables")).map(([k, v]) => [k, evaluateName(v, vars)]));
    }
    if (typeof text !== "string") throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
    return text.replace(/\$\{([^!}][^}]*)\}/g, (_, name: string) => {
      const v = local[name] ?? vars[name];
      if (v === undefined) throw new Error(`cannot evaluate \${${name}}`);
      return v;
    });
  }
  if (isObject(value) && "Fn::Join" in value) {
    const [sep, parts] = list(value["Fn::Join"], "Fn::Join");
    if (typeof sep !== "string") throw new Error("Fn::Join separator");
    return list(parts, "Fn::Join parts")
      .map((p) => evaluateName(p, vars))
      .join(sep);
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell; resolves with its exit code and output. */
export function run(file: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 127) : 0;
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
