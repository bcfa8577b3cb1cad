/**
 * `mlops render <params>`: writes the stack's template and its parameters,
 * also as the CloudFormation parameter list the AWS CLI reads. No AWS call.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";
import { InputError } from "../errors.js";
import { endpointId } from "../params/model.js";
import { parseTemplate } from "../render/cfn-yaml.js";
import { decodeEndpoint } from "../render/contract.js";
import { renderEndpointStack, toParameterList, toTagList } from "../render/render.js";
import { RENDER_DEFAULTS, RENDER_FORMATS } from "./render.def.js";
import { loadConfig, paramOverridesSchema, parseOptions, type CommandDeps } from "./shared.js";

/** Options of `render`. */
export const renderOptionsSchema = paramOverridesSchema.extend({
  params: z.string().min(1),
  out: z.string().min(1).default(RENDER_DEFAULTS.out),
  format: z.enum(RENDER_FORMATS).default(RENDER_DEFAULTS.format),
  json: z.boolean().default(false),
});

/** What `render` wrote. */
export interface RenderResult {
  endpoint: string;
  stackName: string;
  files: { template: string; parameters: string; tags: string };
  awsCli: string;
}

/** Why a folder or file could not be written, in words. */
function writeFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EROFS") return "the file system is read-only";
  if (code === "ENOTDIR" || code === "EEXIST") return "a file is in the way where a folder should be";
  if (code === "EISDIR") return "a folder is in the way where a file should be";
  if (code === "ENOSPC") return "the disk is full";
  return error instanceof Error ? error.message : String(error);
}

/** Renders one endpoint's stack input into files. */
export async function runRender(raw: unknown, deps: CommandDeps): Promise<RenderResult> {
  const options = parseOptions(renderOptionsSchema, raw);
  const config = await loadConfig(options.params, options, deps);
  // For the AWS CLI, a tag in the file is taken as pushed already: the user runs the stack with it.
  const rendered = renderEndpointStack(config, { imageTag: config.container.tag });
  const dir = resolve(deps.cwd, options.out, endpointId(config));
  const template = join(dir, `template.${options.format}`);
  const parameters = join(dir, "parameters.json");
  const tags = join(dir, "tags.json");
  const body = options.format === "yaml" ? rendered.templateBody : `${JSON.stringify(parseTemplate(rendered.templateBody), null, 2)}\n`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(template, body);
    await writeFile(parameters, `${JSON.stringify(toParameterList(rendered.parameters), null, 2)}\n`);
    await writeFile(tags, `${JSON.stringify(toTagList(rendered.tags), null, 2)}\n`);
  } catch (error) {
    throw new InputError(
      [{ path: "--out", message: `cannot write into ${dir}: ${writeFailure(error)}` }],
      "Pass --out with a folder you can write to (it is created if missing).",
    );
  }
  if (config.kind === "base" && !decodeEndpoint(rendered.parameters).certificateArn) {
    deps.out.warn("No certificate in the parameter file: DNSCertArn is empty. create-endpoint finds or requests one; for the AWS CLI, set api.certificateArn.");
  }
  if (config.kind === "added") {
    deps.out.info(
      `The base's HTTPS listener needs a certificate for ${config.api.hostHeader}: add-endpoint attaches it; with the AWS CLI, run aws elbv2 add-listener-certificates.`,
    );
  }
  if (decodeEndpoint(rendered.parameters).desiredCount === 0)
    deps.out.info("No image tag given: DesiredCount is 0, as the first create of the documented sequence.");
  const awsCli = `aws cloudformation create-stack --stack-name ${rendered.stackName} --template-body file://${template} --parameters file://${parameters} --tags file://${tags} --capabilities CAPABILITY_IAM`;
  const result: RenderResult = { endpoint: endpointId(config), stackName: rendered.stackName, files: { template, parameters, tags }, awsCli };
  deps.out.result(result, () =>
    [`Wrote ${template}`, `Wrote ${parameters}`, `Wrote ${tags}`, "", "To create the stack with the AWS CLI:", `  ${awsCli}`].join("\n"),
  );
  return result;
}
