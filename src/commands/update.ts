/**
 * `mlops update <params> [--tag TAG]`: applies the parameter file's changes
 * and rolls out an image. TAG defaults to the image the pipeline builds from
 * the checked-out commit.
 */
import { z } from "zod";
import { updateEndpoint, type UpdateResult } from "../deploy/workflows/endpoint.js";
import { headCommit } from "../deploy/git.js";
import { tagForCommit } from "../deploy/steps/image.js";
import { InputError } from "../errors.js";
import { runnable } from "../io/invocation.js";
import { endpointId, type EndpointConfig, type RolloutStrategy } from "../params/model.js";
import { ROLLOUT_STRATEGIES } from "../params/schema.js";
import { baseStackName } from "../render/names.js";
import {
  deployContext,
  dockerTagSchema,
  globalOptionsSchema,
  loadConfig,
  minutesSchema,
  paramOverridesSchema,
  parseOptions,
  requireConsent,
  underLease,
  type CommandDeps,
} from "./shared.js";
import { UPDATE_DEFAULTS } from "./update.def.js";

/** Options of update; `tag` `true` ("--tag" without a value) means the tag of the git HEAD commit, absent: see runUpdate. */
export const updateOptionsSchema = globalOptionsSchema.merge(paramOverridesSchema).extend({
  params: z.string().min(1),
  tag: z.union([z.literal(true), dockerTagSchema]).optional(),
  rolloutTimeout: minutesSchema.default(UPDATE_DEFAULTS.rolloutTimeout),
  /** Overrides the file's `rollout.strategy` for this rollout. */
  strategy: z.enum(ROLLOUT_STRATEGIES).optional(),
  verbose: z.boolean().default(false),
});

/** Runs update. Without --tag the image is git HEAD's build when it is in ECR, else the running one (a configuration-only change). */
export async function runUpdate(raw: unknown, deps: CommandDeps): Promise<UpdateResult> {
  const options = parseOptions(updateOptionsSchema, raw);
  const config = withStrategy(await loadConfig(options.params, options, deps), options.strategy);
  let tag: string | undefined;
  let headTag: string | undefined;
  if (options.tag === true) {
    const sha = await headCommit(deps.cwd);
    if (!sha)
      throw new InputError(
        [{ path: "--tag", message: "--tag without a value means git HEAD's image, and the current directory is not a git checkout" }],
        `Pass the tag: ${runnable("mlops update <params> --tag TAG", deps.invocation)}`,
      );
    tag = tagForCommit(sha);
  } else if (options.tag !== undefined) {
    tag = options.tag;
  } else {
    const sha = await headCommit(deps.cwd);
    headTag = sha ? tagForCommit(sha) : undefined;
  }
  requireConsent(options, deps, "update");
  const ctx = await deployContext(deps, options);
  const result = await underLease([baseStackName(config)], `update ${endpointId(config)}${tag ? ` --tag ${tag}` : ""}`, options, deps, ctx, () =>
    updateEndpoint(config, { tag, headTag, rolloutTimeoutMs: options.rolloutTimeout * 60_000, verbose: options.verbose }, ctx),
  );
  deps.out.result(result, () => `${result.endpoint}: ${result.summary.join("; ")}`);
  return result;
}

/** The configuration with `--strategy` in place of the file's `rollout.strategy`. */
export function withStrategy(config: EndpointConfig, strategy: RolloutStrategy | undefined): EndpointConfig {
  return strategy ? { ...config, rollout: { ...config.rollout, strategy } } : config;
}
