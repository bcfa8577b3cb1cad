/**
 * Turns one of our real templates into a `FakeTemplate` for the fake CloudFormation: each
 * resource's properties are resolved from the stack's parameters as CloudFormation resolves
 * them (`Ref`, `Fn::If` with the template's conditions, `AWS::NoValue`, `Fn::Sub`, `Fn::Join`,
 * `Fn::Select`, `Fn::Split`), so a parameter change modifies exactly the resources that use it,
 * and a property that `AWS::NoValue` removes is absent. What only AWS knows (`Fn::GetAtt`,
 * `Fn::ImportValue`, other resources' ids) stays a stable placeholder. Every resource is kept
 * whatever its `Condition` (enough for the stacks these tests deploy).
 *
 * Create-only properties come from cfn-lint's bundled resource schemas (`createOnlyProperties`),
 * so the fake reports a replacement (RequiresRecreation Always) where AWS would.
 */
import { execFileSync } from "node:child_process";
import { parseTemplate } from "../../src/render/cfn-yaml.js";
import type { FakeResource, FakeTemplate } from "./cloudformation.js";

const NO_VALUE = Symbol("AWS::NoValue");
type Json = unknown;

interface Scope {
  parameters: Record<string, string>;
  conditions: Record<string, Json>;
  /** The physical id a `Ref`/`Fn::GetAtt` of a resource stands for. */
  physical: (logicalId: string) => string;
}

/** A FakeTemplate that resolves `body`'s resources from each stack's parameters. */
export function fakeTemplateOf(body: string, outputs: Record<string, string> = {}): FakeTemplate {
  const template = parseTemplate(body);
  const parameters = (template.Parameters ?? {}) as Record<string, { Default?: Json }>;
  const resources = (template.Resources ?? {}) as Record<string, { Type: string; Properties?: Record<string, Json> }>;
  const conditions = (template.Conditions ?? {}) as Record<string, Json>;
  const createOnly = createOnlyProperties([...new Set(Object.values(resources).map((r) => r.Type))]);
  const defaults = Object.fromEntries(Object.entries(parameters).flatMap(([k, p]) => (p.Default === undefined ? [] : [[k, String(p.Default)]])));
  const scopes = new Map<string, Scope>();
  const scopeOf = (values: Record<string, string>): Scope => {
    const key = JSON.stringify(Object.entries(values).sort());
    const known = scopes.get(key);
    if (known) return known;
    const memo = new Map<string, string>();
    const scope: Scope = {
      parameters: { ...defaults, ...values },
      conditions,
      // A resource keeps its physical id until a create-only property changes (it is replaced):
      // the id stands for those values, so what refers to it changes exactly then.
      physical: (logicalId) => {
        let id = memo.get(logicalId);
        if (id === undefined) {
          const r = resources[logicalId];
          const props = r ? resolveObject(r.Properties ?? {}, scope) : {};
          const identity = (createOnly[r?.Type ?? ""] ?? []).map((k) => props[k]);
          id = `${logicalId}#${hash(JSON.stringify(identity))}`;
          memo.set(logicalId, id);
        }
        return id;
      },
    };
    scopes.set(key, scope);
    return scope;
  };
  const fake: FakeResource[] = Object.entries(resources).map(([logicalId, r]) => ({
    logicalId,
    type: r.Type,
    createOnly: createOnly[r.Type] ?? [],
    references: Object.fromEntries(
      Object.entries(r.Properties ?? {}).map(([k, v]) => [k, referencedParameters(v, new Set(Object.keys(parameters)), conditions)]),
    ),
    resolve: (values) => resolveObject(r.Properties ?? {}, scopeOf(values)),
  }));
  return { resources: fake, outputs };
}

const schemaCache = new Map<string, Record<string, string[]>>();

/** Top-level create-only properties of each type, from cfn-lint's schemas. */
function createOnlyProperties(types: string[]): Record<string, string[]> {
  const key = JSON.stringify([...types].sort());
  const cached = schemaCache.get(key);
  if (cached) return cached;
  const found = readSchemas(types);
  schemaCache.set(key, found);
  return found;
}

function readSchemas(types: string[]): Record<string, string[]> {
  const script = [
    "import json, sys",
    "from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m",
    "out = {}",
    "for t in json.loads(sys.argv[1]):",
    "    try:",
    "        s = m.get_resource_schema('us-east-1', t).schema",
    "    except Exception:",
    "        continue",
    "    out[t] = sorted({p.split('/')[2] for p in s.get('createOnlyProperties', []) if p.startswith('/properties/')})",
    "print(json.dumps(out))",
  ].join("\n");
  return JSON.parse(execFileSync("python3", ["-c", script, JSON.stringify(types)], { encoding: "utf8" })) as Record<string, string[]>;
}

function resolveObject(value: Record<string, Json>, scope: Scope): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const resolved = resolve(v, scope);
    if (resolved !== NO_VALUE) out[k] = resolved;
  }
  return out;
}

function resolve(value: Json, scope: Scope): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, scope)).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const entries = Object.entries(value as Record<string, Json>);
  const [key, arg] = entries[0] ?? [];
  if (entries.length === 1 && key !== undefined) {
    switch (key) {
      case "Ref":
        return ref(String(arg), scope);
      case "Fn::If": {
        const [condition, yes, no] = arg as [string, Json, Json];
        return resolve(isTrue(condition, scope) ? yes : no, scope);
      }
      case "Fn::Sub":
        return sub(arg, scope);
      case "Fn::Join": {
        const [separator, items] = arg as [string, Json];
        return (resolve(items, scope) as unknown[]).map(String).join(separator);
      }
      case "Fn::Select": {
        const [index, items] = arg as [Json, Json];
        return (resolve(items, scope) as unknown[])[Number(resolve(index, scope))];
      }
      case "Fn::Split": {
        const [separator, text] = arg as [string, Json];
        return String(resolve(text, scope)).split(separator);
      }
      case "Fn::GetAtt": {
        const [logicalId, attribute] = arg as [string, string];
        return `{${scope.physical(logicalId)}.${attribute}}`;
      }
      default:
        if (key.startsWith("Fn::")) return `{${key} ${JSON.stringify(arg)}}`;
    }
  }
  return resolveObject(value as Record<string, Json>, scope);
}

function ref(name: string, scope: Scope): unknown {
  if (name === "AWS::NoValue") return NO_VALUE;
  if (name in scope.parameters) return scope.parameters[name];
  if (name.startsWith("AWS::")) return `{${name}}`;
  return `{Ref ${scope.physical(name)}}`;
}

function sub(arg: Json, scope: Scope): string {
  const [text, variables] = Array.isArray(arg) ? (arg as [string, Record<string, Json>]) : [String(arg), {}];
  return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
    if (name in variables) return String(resolve(variables[name], scope));
    if (name in scope.parameters) return scope.parameters[name] ?? "";
    if (name.startsWith("AWS::")) return `{${name}}`;
    const [logicalId = "", attribute] = name.split(".");
    return attribute ? `{${scope.physical(logicalId)}.${attribute}}` : `{Ref ${scope.physical(logicalId)}}`;
  });
}

function isTrue(condition: string, scope: Scope): boolean {
  return Boolean(evaluateCondition(scope.conditions[condition], scope));
}

function evaluateCondition(value: Json, scope: Scope): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const [[key, arg] = []] = Object.entries(value as Record<string, Json>);
  switch (key) {
    case "Fn::Equals": {
      const [a, b] = arg as [Json, Json];
      return String(evaluateCondition(a, scope)) === String(evaluateCondition(b, scope));
    }
    case "Fn::Not":
      return !evaluateCondition((arg as Json[])[0], scope);
    case "Fn::And":
      return (arg as Json[]).every((c) => evaluateCondition(c, scope));
    case "Fn::Or":
      return (arg as Json[]).some((c) => evaluateCondition(c, scope));
    case "Condition":
      return isTrue(String(arg), scope);
    default:
      return resolve(value, scope);
  }
}

/** The parameters a property uses, directly or through the conditions of its `Fn::If`s. */
function referencedParameters(value: Json, parameters: Set<string>, conditions: Record<string, Json>): string[] {
  const found = new Set<string>();
  const walk = (v: Json): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (typeof v === "string") return;
    if (v === null || typeof v !== "object" || v instanceof Date) return;
    for (const [k, arg] of Object.entries(v as Record<string, Json>)) {
      if (k === "Ref" && typeof arg === "string" && parameters.has(arg)) found.add(arg);
      else if (k === "Fn::Sub") {
        const text = Array.isArray(arg) ? String(arg[0]) : String(arg);
        for (const m of text.matchAll(/\$\{([^}!.]+)\}/g)) if (m[1] && parameters.has(m[1])) found.add(m[1]);
        if (Array.isArray(arg)) walk(arg[1] as Json);
      } else if (k === "Fn::If" && Array.isArray(arg)) {
        walk(conditions[String(arg[0])]);
        walk(arg.slice(1) as Json);
      } else walk(arg);
    }
  };
  walk(value);
  return [...found];
}

/** A short stable digest of a string (FNV-1a). */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16);
}
