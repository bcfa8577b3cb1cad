/**
 * AWS's best-practice rule pack (cdk-nag's AwsSolutions checks) over a plain
 * CloudFormation template, read through aws-cdk-lib's cloudformation-include
 * as cdk-nag's README ("Using on CloudFormation templates") describes. The
 * pack reads acknowledgements from each resource's own `Metadata.cdk_nag`
 * (`rules_to_suppress: [{ id, reason, applies_to }]`), so a template carries
 * its own record of what is accepted and why.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Stack } from "aws-cdk-lib";
import { CfnInclude } from "aws-cdk-lib/cloudformation-include";
import { AwsSolutionsChecks, type INagLogger, type INagSuppressionIgnore } from "cdk-nag";

/** One finding of the rule pack: the rule (with its granular part, e.g. `AwsSolutions-IAM5[Resource::*]`) on a resource. */
export interface Finding {
  rule: string;
  resource: string;
  level: string;
  /** Set when the rule could not evaluate the resource (cdk-nag's CdkNagValidationFailure). */
  error?: string;
}

/** What the pack reported: findings left unexplained and those an acknowledgement covered. */
export interface RulePackResult {
  unexplained: Finding[];
  acknowledged: Finding[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The CDK construct path of an included resource ends with its logical id. */
function logicalId(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function finding(rule: string, findingId: string, path: string, level: string, error?: string): Finding {
  return { rule: findingId ? `${rule}[${findingId}]` : rule, resource: logicalId(path), level, ...(error ? { error } : {}) };
}

/** Runs the AwsSolutions pack over a template (long form JSON); `ignore` can refuse acknowledgements. */
export function runRulePack(template: JsonObject, ignore?: INagSuppressionIgnore): RulePackResult {
  const result: RulePackResult = { unexplained: [], acknowledged: [] };
  const logger: INagLogger = {
    onCompliance: () => undefined,
    onNotApplicable: () => undefined,
    onNonCompliance: (d) => result.unexplained.push(finding(d.ruleId, d.findingId, d.resource.node.path, d.ruleLevel)),
    onSuppressed: (d) => result.acknowledged.push(finding(d.ruleId, d.findingId, d.resource.node.path, d.ruleLevel)),
    // A rule that cannot read a value (an intrinsic function) reports that, rather than passing.
    onError: (d) => result.unexplained.push(finding(d.ruleId, "", d.resource.node.path, d.ruleLevel, d.errorMessage)),
    onSuppressedError: (d) => result.acknowledged.push(finding(d.ruleId, "", d.resource.node.path, d.ruleLevel, d.errorMessage)),
  };
  const dir = mkdtempSync(join(tmpdir(), "rule-pack-"));
  try {
    const file = join(dir, "template.json");
    writeFileSync(file, JSON.stringify(template));
    const app = new App({ outdir: join(dir, "out") });
    const stack = new Stack(app, "RulePack");
    new CfnInclude(stack, "Template", { templateFile: file });
    const pack = new AwsSolutionsChecks({ reports: false, additionalLoggers: [logger], ...(ignore ? { suppressionIgnoreCondition: ignore } : {}) });
    // The pack is an aspect: visiting every construct is what synthesis would do, without writing a cloud assembly.
    for (const construct of stack.node.findAll()) pack.visit(construct);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

/** An acknowledgement as a template writes it in a resource's Metadata. */
export interface Acknowledgement {
  resource: string;
  id: string;
  reason: string;
  appliesTo?: (string | { regex: string })[];
}

/** Every `cdk_nag` acknowledgement of a template's resources. */
export function acknowledgements(template: JsonObject): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  const resources = (template["Resources"] ?? {}) as Record<string, JsonObject>;
  for (const [resource, body] of Object.entries(resources)) {
    const metadata = body["Metadata"] as JsonObject | undefined;
    const rules = ((metadata?.["cdk_nag"] as JsonObject | undefined)?.["rules_to_suppress"] ?? []) as JsonObject[];
    for (const rule of rules) {
      out.push({
        resource,
        id: String(rule["id"]),
        reason: String(rule["reason"]),
        ...(rule["applies_to"] ? { appliesTo: rule["applies_to"] as Acknowledgement["appliesTo"] } : {}),
      });
    }
  }
  return out;
}

/**
 * The template CloudFormation deploys for these parameter values: every
 * condition that the values decide is evaluated, `Fn::If` takes its branch,
 * `AWS::NoValue` drops its property and resources or outputs whose condition
 * is false are left out. Conditions on what only the deploy knows (the
 * region) stay as they are. Parameters themselves stay references, so
 * findings read the same as on the plain template.
 */
export function resolveConditions(template: JsonObject, parameters: Record<string, string>): JsonObject {
  const declared = (template["Parameters"] ?? {}) as Record<string, JsonObject>;
  const conditions = (template["Conditions"] ?? {}) as Record<string, Json>;
  const known = new Map<string, boolean | undefined>();

  const valueOf = (expr: Json): string | undefined => {
    if (typeof expr === "string" || typeof expr === "number" || typeof expr === "boolean") return String(expr);
    if (expr && typeof expr === "object" && !Array.isArray(expr) && typeof expr["Ref"] === "string") {
      const name = expr["Ref"];
      if (name in parameters) return parameters[name];
      const fallback = declared[name]?.["Default"];
      return fallback === undefined || fallback === null ? undefined : String(fallback);
    }
    return undefined;
  };

  const truth = (expr: Json): boolean | undefined => {
    if (!expr || typeof expr !== "object" || Array.isArray(expr)) return undefined;
    const [key, arg] = Object.entries(expr)[0] ?? [];
    const args = Array.isArray(arg) ? arg : [];
    switch (key) {
      case "Condition":
        return named(String(arg));
      case "Fn::Equals": {
        const [a, b] = [valueOf(args[0] ?? null), valueOf(args[1] ?? null)];
        return a === undefined || b === undefined ? undefined : a === b;
      }
      case "Fn::Not": {
        const inner = truth(args[0] ?? null);
        return inner === undefined ? undefined : !inner;
      }
      case "Fn::And": {
        const values = args.map(truth);
        return values.includes(false) ? false : values.includes(undefined) ? undefined : true;
      }
      case "Fn::Or": {
        const values = args.map(truth);
        return values.includes(true) ? true : values.includes(undefined) ? undefined : false;
      }
      default:
        return undefined;
    }
  };

  function named(name: string): boolean | undefined {
    if (!known.has(name)) {
      known.set(name, undefined);
      known.set(name, truth(conditions[name] ?? null));
    }
    return known.get(name);
  }

  const NO_VALUE = Symbol("no value");
  const walk = (node: Json): Json | typeof NO_VALUE => {
    if (Array.isArray(node)) return node.map(walk).filter((v): v is Json => v !== NO_VALUE);
    if (!node || typeof node !== "object") return node;
    if (node["Ref"] === "AWS::NoValue") return NO_VALUE;
    const branches = node["Fn::If"];
    if (Object.keys(node).length === 1 && Array.isArray(branches)) {
      const decided = named(String(branches[0]));
      if (decided !== undefined) return walk(branches[decided ? 1 : 2] ?? null);
    }
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      const resolved = walk(value);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  };

  const keep = (section: string): Record<string, Json> => {
    const entries = Object.entries((template[section] ?? {}) as Record<string, JsonObject>).filter(([, body]) => {
      const condition = body["Condition"];
      return typeof condition !== "string" || named(condition) !== false;
    });
    return walk(Object.fromEntries(entries)) as Record<string, Json>;
  };

  return { ...template, Resources: keep("Resources"), Outputs: keep("Outputs") };
}
