/**
 * The parameter-file reference for the README, generated from the schema,
 * its documentation registry and the tutorial key table, so that the
 * documentation is the validation.
 */
import { z } from "zod";
import { CROSS_CHECKS } from "./checks.js";
import { paramDocs, schemaPaths } from "./schema.js";
import { KEY, PIPELINE_FLAGS, TUTORIAL_PARAMETERS } from "./tutorial-keys.js";

/** Markdown table cells must not contain raw pipes or line breaks. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function code(value: unknown): string {
  return `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;
}

/** The default shown for a key: its documented text, the schema's default, or whether it is required. */
function defaultOf(schema: z.ZodType, defaultText: string | undefined): string {
  if (defaultText !== undefined) return defaultText;
  if (schema instanceof z.ZodDefault) return code(schema.def.defaultValue);
  if (schema instanceof z.ZodPrefault) return "(all defaults)";
  if (schema instanceof z.ZodOptional) return "absent";
  return "**required**";
}

/** The CloudFormation-format ParameterKey (or flag) that fills a key. */
function tutorialNameOf(path: string): string {
  for (const parameter of TUTORIAL_PARAMETERS) {
    const index = parameter.paths.indexOf(path);
    if (index === -1) continue;
    if (parameter.paths.length === 1) return code(parameter.key);
    const share = (parameter.items?.count ?? 0) / parameter.paths.length;
    return `${code(parameter.key)} items ${index * share + 1}-${(index + 1) * share}`;
  }
  if (path === "network") return `a file with ${code(KEY.network)}`;
  if (path === "pipeline") return Object.values(PIPELINE_FLAGS).map(code).join(", ");
  const flag = Object.entries(PIPELINE_FLAGS).find(([field]) => path === `pipeline.${field}`);
  return flag === undefined ? "" : code(flag[1]);
}

/** Renders the parameter-file reference (Markdown): every key, its default, its check, its CloudFormation-format name. */
export function renderParamReference(): string {
  const lines = ["| Key | Default | Meaning | Check | CloudFormation format |", "| --- | --- | --- | --- | --- |"];
  for (const { path, schema } of schemaPaths()) {
    const doc = paramDocs.get(schema);
    const key = path.includes(".") ? code(path) : `**${code(path)}**`;
    lines.push(`| ${[key, defaultOf(schema, doc?.defaultText), doc?.description ?? "", doc?.rule ?? "", tutorialNameOf(path)].map(cell).join(" | ")} |`);
  }
  const placeholders = TUTORIAL_PARAMETERS.filter((parameter) => parameter.placeholders?.some((value) => value !== ""))
    .map(
      (parameter) =>
        `${code(parameter.key)} ${(parameter.placeholders ?? [])
          .filter((value) => value !== "")
          .map((value) => `"${value}"`)
          .join(" or ")}`,
    )
    .join("; ");
  return [
    ...lines,
    "",
    "Checks across keys:",
    "",
    ...CROSS_CHECKS.map((check) => `- ${check}`),
    "",
    `In the CloudFormation format, a file with \`${KEY.network}\` is a base endpoint and one without is an added endpoint, whose base comes from \`${KEY.base}\` or \`--base\`; ` +
      `the pipeline comes from ${Object.values(PIPELINE_FLAGS).map(code).join(", ")} (all three or none). ` +
      `The tutorial's placeholder values mean "not given": ${placeholders}.`,
    "",
  ].join("\n");
}
