/**
 * `mlops create-endpoint <params>` and `mlops add-endpoint <params>`: the
 * whole documented sequence for a base endpoint or one that joins a base.
 */
import { z } from "zod";
import { deployEndpoint, type EndpointResult } from "../deploy/workflows/endpoint.js";
import { InputError } from "../errors.js";
import { endpointId } from "../params/model.js";
import { baseProjectField } from "../render/contract.js";
import { baseStackName } from "../render/names.js";
import { DEPLOY_ENDPOINT_DEFAULTS } from "./deploy-endpoint.def.js";
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

/** Options of create-endpoint and add-endpoint. */
export const deployEndpointOptionsSchema = globalOptionsSchema.merge(paramOverridesSchema).extend({
  params: z.string().min(1),
  tag: dockerTagSchema.optional(),
  pipeline: z.boolean().default(true),
  dns: z.boolean().default(true),
  imageTimeout: minutesSchema.default(DEPLOY_ENDPOINT_DEFAULTS.imageTimeout),
  rolloutTimeout: minutesSchema.default(DEPLOY_ENDPOINT_DEFAULTS.rolloutTimeout),
  verbose: z.boolean().default(false),
});

/** Which verb was used: each accepts only its kind of endpoint. */
export type DeployVerb = "create-endpoint" | "add-endpoint";

/** Runs create-endpoint or add-endpoint. */
export async function runDeployEndpoint(verb: DeployVerb, raw: unknown, deps: CommandDeps): Promise<EndpointResult> {
  const options = parseOptions(deployEndpointOptionsSchema, raw);
  const config = await loadConfig(options.params, options, deps);
  const wanted = verb === "create-endpoint" ? "base" : "added";
  if (config.kind !== wanted) {
    const other = verb === "create-endpoint" ? "add-endpoint" : "create-endpoint";
    throw new InputError(
      [
        {
          file: config.source,
          path: baseProjectField(config),
          message:
            wanted === "base"
              ? "this file describes an endpoint that joins a base; use add-endpoint"
              : "this file describes a base endpoint (it has a network); use create-endpoint",
        },
      ],
      `Run: mlops ${other} ${config.source}`,
    );
  }
  requireConsent(options, deps, verb);
  const ctx = await deployContext(deps, options);
  const result = await underLease([baseStackName(config)], `${verb} ${endpointId(config)}`, options, deps, ctx, () =>
    deployEndpoint(
      config,
      {
        tag: options.tag,
        pipeline: options.pipeline,
        dns: options.dns,
        imageTimeoutMs: options.imageTimeout * 60_000,
        rolloutTimeoutMs: options.rolloutTimeout * 60_000,
        verbose: options.verbose,
      },
      ctx,
    ),
  );
  deps.out.result(result, () => `${result.endpoint}: ${result.validation.url} (image ${result.imageTag})`);
  return result;
}
