/**
 * Reading CloudFormation YAML: its short-form intrinsic tags (`!Ref`,
 * `!Sub`, `!GetAtt`, ...) become the long form (`{ "Ref": ... }`), so a
 * template can be inspected or written as JSON.
 */
import yaml from "js-yaml";

const functions = [
  "Base64",
  "Cidr",
  "FindInMap",
  "GetAZs",
  "ImportValue",
  "Join",
  "Select",
  "Split",
  "Sub",
  "If",
  "Equals",
  "Not",
  "And",
  "Or",
  "Transform",
  "ToJsonString",
  "Length",
];

function intrinsicTypes(): yaml.Type[] {
  const types: yaml.Type[] = [];
  const kinds = ["scalar", "sequence", "mapping"] as const;
  for (const kind of kinds) {
    types.push(new yaml.Type("!Ref", { kind, construct: (data: unknown) => ({ Ref: data }) }));
    types.push(new yaml.Type("!Condition", { kind, construct: (data: unknown) => ({ Condition: data }) }));
    types.push(
      new yaml.Type("!GetAtt", {
        kind,
        // `!GetAtt Resource.Attribute` is the same as the list form.
        construct: (data: unknown) => ({ "Fn::GetAtt": typeof data === "string" ? splitOnce(data) : data }),
        // Only the first dot separates resource and attribute: attributes may contain dots.
      }),
    );
    // An empty scalar (`!GetAZs` alone) means "".
    for (const name of functions)
      types.push(new yaml.Type(`!${name}`, { kind, construct: (data: unknown) => ({ [`Fn::${name}`]: data === null && kind === "scalar" ? "" : data }) }));
  }
  return types;
}

function splitOnce(value: string): string[] {
  const dot = value.indexOf(".");
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
}

/** js-yaml schema that understands CloudFormation's short-form tags. */
export const cfnSchema = yaml.DEFAULT_SCHEMA.extend(intrinsicTypes());

/** Parses CloudFormation YAML (or JSON) into its long (JSON) form, whatever its top level. */
export function parseCfnYaml(text: string): unknown {
  return yaml.load(text, { schema: cfnSchema });
}

/** Parses a CloudFormation template written in YAML (or JSON). */
export function parseTemplate(text: string): Record<string, unknown> {
  const parsed = parseCfnYaml(text);
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("template is not a mapping");
  return parsed as Record<string, unknown>;
}
