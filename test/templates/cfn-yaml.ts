/**
 * A js-yaml schema that reads CloudFormation's short-form intrinsic tags
 * (`!Ref`, `!Sub`, `!GetAtt`, ...) into their long JSON form
 * (`{ "Ref": ... }`, `{ "Fn::Sub": ... }`, ...), so that a YAML template can
 * be inspected like the JSON CloudFormation itself works on.
 *
 * Everything else is js-yaml's default schema. Like CloudFormation's own YAML
 * reader it turns an unquoted `2012-10-17` into a date, which is why policy
 * versions must be quoted (and why a test can catch one that is not).
 */
import yaml from "js-yaml";

/** A parsed template value: JSON plus whatever js-yaml makes of timestamps. */
export type CfnValue =
  | null
  | boolean
  | number
  | string
  | Date
  | CfnValue[]
  | { [key: string]: CfnValue };

export interface CfnParameter {
  Type: string;
  Description?: string;
  Default?: CfnValue;
  AllowedValues?: CfnValue[];
  AllowedPattern?: string;
  [key: string]: CfnValue | undefined;
}

export interface CfnResource {
  Type: string;
  Properties?: { [key: string]: CfnValue };
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: { [key: string]: CfnValue };
}

export interface CfnOutput {
  Description?: string;
  Value: CfnValue;
  Export?: { Name: CfnValue };
  Condition?: string;
}

export interface CfnTemplate {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Metadata?: { [key: string]: CfnValue };
  Parameters?: { [name: string]: CfnParameter };
  Mappings?: { [name: string]: CfnValue };
  Conditions?: { [name: string]: CfnValue };
  Resources: { [logicalId: string]: CfnResource };
  Outputs?: { [name: string]: CfnOutput };
}

/** Short tag (without `!`) and the long key it stands for. */
const INTRINSICS: ReadonlyArray<readonly [string, string]> = [
  ["Ref", "Ref"],
  ["Condition", "Condition"],
  ["Sub", "Fn::Sub"],
  ["GetAtt", "Fn::GetAtt"],
  ["ImportValue", "Fn::ImportValue"],
  ["Join", "Fn::Join"],
  ["Select", "Fn::Select"],
  ["Split", "Fn::Split"],
  ["If", "Fn::If"],
  ["Equals", "Fn::Equals"],
  ["Not", "Fn::Not"],
  ["And", "Fn::And"],
  ["Or", "Fn::Or"],
  ["FindInMap", "Fn::FindInMap"],
  ["GetAZs", "Fn::GetAZs"],
  ["Base64", "Fn::Base64"],
  ["Cidr", "Fn::Cidr"],
];

const KINDS = ["scalar", "sequence", "mapping"] as const;

function construct(key: string, kind: (typeof KINDS)[number], data: unknown): CfnValue {
  // `!GetAtt Resource.Attribute` is shorthand for `[Resource, Attribute]`;
  // only the first dot separates them (attributes may contain dots).
  if (key === "Fn::GetAtt" && kind === "scalar" && typeof data === "string") {
    const dot = data.indexOf(".");
    if (dot > 0) return { [key]: [data.slice(0, dot), data.slice(dot + 1)] };
  }
  // An empty scalar (`!GetAZs ""` written as `!GetAZs`) reads as "".
  const value = data === null && kind === "scalar" ? "" : (data as CfnValue);
  return { [key]: value };
}

const types = INTRINSICS.flatMap(([tag, key]) =>
  KINDS.map(
    (kind) =>
      new yaml.Type(`!${tag}`, {
        kind,
        construct: (data: unknown) => construct(key, kind, data),
      }),
  ),
);

/** js-yaml's default schema plus every CloudFormation short-form tag. */
export const CFN_SCHEMA = yaml.DEFAULT_SCHEMA.extend(types);

/** Parses YAML (or JSON) template text into its long (JSON) form. */
export function loadCfnYaml(text: string): CfnValue {
  return yaml.load(text, { schema: CFN_SCHEMA }) as CfnValue;
}

/** Parses a template and checks that it has the shape of one. */
export function loadTemplate(text: string): CfnTemplate {
  const doc = loadCfnYaml(text);
  if (doc === null || typeof doc !== "object" || Array.isArray(doc) || doc instanceof Date) {
    throw new Error("a template must be a mapping");
  }
  const resources = doc["Resources"];
  if (resources === null || typeof resources !== "object" || Array.isArray(resources)) {
    throw new Error("a template must have a Resources mapping");
  }
  return doc as unknown as CfnTemplate;
}
