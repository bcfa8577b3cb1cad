/**
 * `mlops rollback <params> [--to TAG]`: rolls the endpoint back to the image of
 * its last successful deployment before the running one (ECS's record of the
 * service's deployments), or to TAG, after checking that the image is still in
 * ECR; then the same plan, question and progress as `update`.
 */
import { z } from "zod";
import { regionText } from "../deploy/context.js";
import { readDeployed } from "../deploy/engine/discovery.js";
import { findStack, stackOutputs } from "../deploy/engine/stack.js";
import { missingStackError } from "../deploy/steps/other-regions.js";
import { previousGoodTag, serviceHistory } from "../deploy/operations/history.js";
import { imageExists } from "../deploy/steps/image.js";
import { updateEndpoint, type UpdateResult } from "../deploy/workflows/endpoint.js";
import { InputError } from "../errors.js";
import { endpointId } from "../params/model.js";
import { ROLLOUT_STRATEGIES } from "../params/schema.js";
import { baseStackName } from "../render/names.js";
import { ROLLBACK_DEFAULTS } from "./rollback.def.js";
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
import { withStrategy } from "./update.js";

/** Options of rollback. */
export const rollbackOptionsSchema = globalOptionsSchema.merge(paramOverridesSchema).extend({
  params: z.string().min(1),
  to: dockerTagSchema.optional(),
  strategy: z.enum(ROLLOUT_STRATEGIES).optional(),
  rolloutTimeout: minutesSchema.default(ROLLBACK_DEFAULTS.rolloutTimeout),
});

/** Runs rollback. */
export async function runRollback(raw: unknown, deps: CommandDeps): Promise<UpdateResult> {
  const options = parseOptions(rollbackOptionsSchema, raw);
  const config = withStrategy(await loadConfig(options.params, options, deps), options.strategy);
  requireConsent(options, deps, "rollback");
  const ctx = await deployContext(deps, options);
  const id = endpointId(config);
  const stack = await findStack(ctx.aws.cloudFormation, id);
  const outputs = stack ? stackOutputs(stack) : {};
  if (!stack || !outputs.ClusterName || !outputs.ServiceName || !outputs.EcrRepositoryName) {
    throw await missingStackError(
      ctx,
      { file: config.source, path: "project", message: `no deployed endpoint ${id} in ${regionText(ctx.aws)}` },
      `Create it first: mlops ${config.kind === "base" ? "create-endpoint" : "add-endpoint"} ${config.source}`,
      id,
    );
  }
  const runningTag = readDeployed(stack).imageTag;
  let tag = options.to;
  if (tag === undefined) {
    const history = await serviceHistory(ctx.aws.ecs, outputs.ClusterName, outputs.ServiceName, config.container.name);
    tag = previousGoodTag(history, runningTag);
    if (tag === undefined) {
      throw new InputError(
        [{ path: "--to", message: `ECS records no successful deployment of ${id} with another image than the running ${runningTag ?? "one"}` }],
        `Name the image: mlops rollback ${config.source} --to TAG (mlops history ${config.source} lists the deployments).`,
      );
    }
  }
  if (!(await imageExists(ctx.aws.ecr, outputs.EcrRepositoryName, tag))) {
    throw new InputError(
      [
        {
          path: "--to",
          message: `image ${outputs.EcrRepositoryName}:${tag} is no longer in ECR (the repository keeps the newest images.keep images); nothing was changed`,
        },
      ],
      `Pick another tag: mlops history ${config.source} lists the deployments.`,
    );
  }
  deps.out.info(`Rolling ${id} back${runningTag ? ` from ${runningTag}` : ""} to ${tag}${options.to ? "" : " (its last successful deployment before)"}`);
  const target = tag;
  const result = await underLease([baseStackName(config)], `rollback ${id} --to ${target}`, options, deps, ctx, () =>
    updateEndpoint(config, { tag: target, rolloutTimeoutMs: options.rolloutTimeout * 60_000 }, ctx),
  );
  deps.out.result(result, () => `${result.endpoint}: ${result.summary.join("; ")}`);
  return result;
}
