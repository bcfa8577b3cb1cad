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
import { parseCfnYaml } from "../../src/render/cfn-yaml.js";

/** A parsed template value: JSON plus whatever js-yaml makes of timestamps. */
export type CfnValue = null | boolean | number | string | Date | CfnValue[] | { [key: string]: CfnValue };

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

/** Parses YAML (or JSON) template text into its long (JSON) form, with the product's own reader. */
export function loadCfnYaml(text: string): CfnValue {
  return parseCfnYaml(text) as CfnValue;
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
