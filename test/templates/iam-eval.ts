/**
 * Evaluates the identity policies of a template's role for one request, the way
 * IAM does for a single identity-based policy set
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * an explicit Deny wins, otherwise an Allow whose Action, Resource and every
 * Condition match, otherwise the implicit deny. Wildcards `*` and `?` in actions
 * (case-insensitive) and resources (case-sensitive) as in
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html.
 * The template's intrinsic functions are resolved against given parameter values.
 */
import type { CfnTemplate, CfnValue } from "./cfn-yaml.js";
import { isObject, list, obj, props, resource, type CfnObject } from "./helpers.js";

/** Values of parameters, pseudo parameters and `GetAtt:Resource.Attr`; a CommaDelimitedList is a string[]. */
export type Bindings = Readonly<Record<string, string | string[]>>;

const NO_VALUE = Symbol("AWS::NoValue");
type Value = string | boolean | Value[] | { [key: string]: Value } | typeof NO_VALUE;

function condition(t: CfnTemplate, name: string, b: Bindings): boolean {
  const c = t.Conditions?.[name];
  if (c === undefined) throw new Error(`no condition ${name}`);
  return resolve(t, c, b) === true;
}

/** Resolves intrinsic functions (Ref, Sub, If, Join, Split, Select, Equals, Not, And, Or, Condition, GetAtt). */
export function resolve(t: CfnTemplate, value: CfnValue | undefined, b: Bindings): Value {
  if (value === undefined || value === null) return NO_VALUE;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.map((v) => resolve(t, v, b)).filter((v) => v !== NO_VALUE);
  if (!isObject(value)) return String(value);
  const [key] = Object.keys(value);
  const arg = value[key as string];
  const binding = (name: string): string | string[] => {
    if (name === "AWS::NoValue") return [];
    const v = b[name] ?? (t.Parameters?.[name]?.Default as string | undefined);
    if (v === undefined) throw new Error(`no binding for ${name}`);
    if (typeof v === "string" && t.Parameters?.[name]?.Type === "CommaDelimitedList") return v.split(",");
    return v;
  };
  switch (key) {
    case "Ref":
      return arg === "AWS::NoValue" ? NO_VALUE : binding(String(arg));
    case "Fn::GetAtt": {
      const name = Array.isArray(arg) ? arg.join(".") : String(arg);
      return binding(`GetAtt:${name}`);
    }
    case "Fn::Sub": {
      const [text, locals] = Array.isArray(arg) ? [String(arg[0]), obj(arg[1])] : [String(arg), {} as CfnObject];
      return text.replace(/\$\{([^!}][^}]*)\}/g, (_, name: string) => {
        const v = name in locals ? resolve(t, locals[name], b) : name.includes(".") ? binding(`GetAtt:${name}`) : binding(name);
        if (typeof v !== "string") throw new Error(`\${${name}} is not a string`);
        return v;
      });
    }
    case "Fn::If": {
      const [c, yes, no] = list(arg);
      return resolve(t, condition(t, String(c), b) ? yes : no, b);
    }
    case "Fn::Join": {
      const [sep, parts] = list(arg);
      const resolved = resolve(t, parts, b);
      const flat = (Array.isArray(resolved) ? resolved : [resolved]).flat();
      return flat.map(String).join(String(sep));
    }
    case "Fn::Split": {
      const [sep, text] = list(arg);
      return String(resolve(t, text, b)).split(String(sep));
    }
    case "Fn::Select": {
      const [index, items] = list(arg);
      return (resolve(t, items, b) as Value[])[Number(index)] ?? NO_VALUE;
    }
    case "Fn::Equals": {
      const [x, y] = list(arg).map((v) => JSON.stringify(resolve(t, v, b)));
      return x === y;
    }
    case "Fn::Not":
      return resolve(t, list(arg)[0], b) !== true;
    case "Fn::And":
      return list(arg).every((v) => resolve(t, v, b) === true);
    case "Fn::Or":
      return list(arg).some((v) => resolve(t, v, b) === true);
    case "Condition":
      return condition(t, String(arg), b);
    default: {
      const out: { [key: string]: Value } = {};
      for (const [k, v] of Object.entries(value)) {
        const r = resolve(t, v, b);
        if (r !== NO_VALUE) out[k] = r;
      }
      return out;
    }
  }
}

/** One resolved statement of an identity policy. */
export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** The statements of a role's inline policies, resolved for the bindings. */
export function roleStatements(t: CfnTemplate, roleId: string, b: Bindings): Statement[] {
  const policies = list(props(resource(t, roleId))["Policies"] ?? []);
  const out: Statement[] = [];
  for (const policy of policies) {
    const doc = resolve(t, obj(policy)["PolicyDocument"], b) as { Statement: Value[] };
    for (const s of doc.Statement) {
      const st = s as unknown as Record<string, unknown>;
      const asArray = (v: unknown) => (Array.isArray(v) ? (v as unknown[]).flat().map(String) : [String(v)]);
      out.push({ ...(st as object), Action: asArray(st["Action"]), Resource: asArray(st["Resource"]) } as Statement);
    }
  }
  return out;
}

function wildcard(pattern: string, text: string, ignoreCase: boolean): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(text);
}

function conditionHolds(operator: string, expected: string[], actual: string | undefined): boolean {
  if (actual === undefined) return false;
  switch (operator) {
    case "StringEquals":
    case "ArnEquals":
      return expected.includes(actual);
    case "StringLike":
    case "ArnLike":
      return expected.some((e) => wildcard(e, actual, false));
    default:
      throw new Error(`condition operator ${operator} is not evaluated here`);
  }
}

/** A request: one action on one resource, with the condition keys the service sends. */
export interface Request {
  action: string;
  resource: string;
  context?: Record<string, string>;
}

/** "allow" when an Allow matches and no Deny does; otherwise "deny" (explicit or implicit). */
export function evaluate(statements: Statement[], request: Request): "allow" | "deny" {
  const matching = statements.filter(
    (s) =>
      s.Action.some((a) => wildcard(a, request.action, true)) &&
      s.Resource.some((r) => wildcard(r, request.resource, false)) &&
      Object.entries(s.Condition ?? {}).every(([operator, keys]) =>
        Object.entries(keys).every(([key, expected]) => conditionHolds(operator, Array.isArray(expected) ? expected : [expected], request.context?.[key])),
      ),
  );
  if (matching.some((s) => s.Effect === "Deny")) return "deny";
  return matching.some((s) => s.Effect === "Allow") ? "allow" : "deny";
}
