/**
 * `mlops weights push|schedule|ls <params>`: model weights onto the endpoint's
 * EFS volume by a one-off Fargate task, on a schedule, and a listing of the volume.
 */
import { z } from "zod";
import {
  listWeights,
  parseWeightsSource,
  pushWeights,
  restartWeights,
  rollbackWeights,
  scheduleExpressionProblem,
  scheduleWeights,
  tookText,
  type ListResult,
  type PushResult,
  type RestartResult,
  type RollbackResult,
  type ScheduleResult,
} from "../deploy/workflows/weights.js";
import { formatBytes } from "../deploy/steps/kept-data.js";
import { listLocalFiles } from "../deploy/steps/upload.js";
import { InputError } from "../errors.js";
import { runnable } from "../io/invocation.js";
import { formatTable } from "../io/table.js";
import { endpointId } from "../params/model.js";
import { baseStackName } from "../render/names.js";
import {
  deployContext,
  globalOptionsSchema,
  loadConfig,
  minutesSchema,
  paramOverridesSchema,
  parseOptions,
  requireConsent,
  underLease,
  type CommandDeps,
} from "./shared.js";
import { WEIGHTS_DEFAULTS } from "./weights.def.js";

/** An EventBridge Scheduler expression: rate(...), cron(...) or at(...). */
const scheduleSchema = z.string().superRefine((value, context) => {
  const problem = scheduleExpressionProblem(value);
  if (problem) context.addIssue({ code: "custom", message: `${JSON.stringify(value)}: ${problem}` });
});

/** Options of `weights push`. */
export const pushOptionsSchema = globalOptionsSchema.merge(paramOverridesSchema).extend({
  params: z.string().min(1),
  source: z.string().min(1),
  delete: z.boolean().default(false),
  schedule: scheduleSchema.optional(),
  timeout: minutesSchema.default(WEIGHTS_DEFAULTS.pushTimeout),
  restart: z.boolean().default(false),
});

/** Options of `weights rollback`. */
export const rollbackOptionsSchema = globalOptionsSchema.merge(paramOverridesSchema).extend({
  params: z.string().min(1),
  restart: z.boolean().default(false),
  timeout: minutesSchema.default(WEIGHTS_DEFAULTS.rollbackTimeout),
});

/** Options of `weights restart`. */
export const restartOptionsSchema = globalOptionsSchema.merge(paramOverridesSchema).extend({
  params: z.string().min(1),
});

/** Options of `weights schedule`. */
export const scheduleOptionsSchema = globalOptionsSchema.merge(paramOverridesSchema).extend({
  params: z.string().min(1),
  expression: scheduleSchema.optional(),
  off: z.boolean().default(false),
});

/** Options of `weights ls`. */
export const lsOptionsSchema = globalOptionsSchema.merge(paramOverridesSchema).extend({
  params: z.string().min(1),
  path: z.string().default(WEIGHTS_DEFAULTS.lsPath),
  assets: z.boolean().default(false),
  timeout: minutesSchema.default(WEIGHTS_DEFAULTS.lsTimeout),
});

/** Runs `weights push`. */
export async function runWeightsPush(raw: unknown, deps: CommandDeps): Promise<PushResult> {
  const options = parseOptions(pushOptionsSchema, raw);
  const source = parseWeightsSource(options.source);
  if (options.schedule && source.kind === "local") {
    throw new InputError(
      [{ path: "--schedule", message: "a schedule repeats a sync from S3; a local folder is uploaded once" }],
      "Upload the folder to S3 yourself and push from s3://bucket/prefix/ with --schedule.",
    );
  }
  const config = await loadConfig(options.params, options, deps);
  const files = source.kind === "local" ? await listLocalFiles(source.dir) : undefined;
  requireConsent(options, deps, "weights push");
  const ctx = await deployContext(deps, options);
  const result = await underLease([baseStackName(config)], `weights push ${endpointId(config)}`, options, deps, ctx, () =>
    pushWeights(
      config,
      { source, files, deleteExtraneous: options.delete, schedule: options.schedule, timeoutMs: options.timeout * 60_000, restart: options.restart },
      ctx,
    ),
  );
  deps.out.result(result, () =>
    [
      `${result.endpoint}: ${result.copied} file(s) copied${result.deleted ? `, ${result.deleted} deleted` : ""} from ${result.source} onto ${result.fileSystemId} in ${tookText(result.durationMs)}`,
      `current -> ${result.version}${result.previousVersion ? ` (previous: ${result.previousVersion}; mlops weights rollback ${options.params} switches back)` : ""}`,
      restartText(result.restarted, options.params, deps),
      result.schedule ? `The sync repeats ${result.schedule} (mlops weights schedule ${options.params} --off stops it).` : undefined,
    ]
      .filter(Boolean)
      .join("\n"),
  );
  return result;
}

/** The output's line on running tasks, which load weights only when they start. */
function restartText(restarted: boolean, params: string, deps: CommandDeps): string {
  return restarted
    ? "A new deployment is starting the endpoint's tasks again: they load the new weights as they start."
    : `Running tasks keep the weights they loaded; they load the new ones at their next start. To roll them now: ${runnable(`mlops weights restart ${params}`, deps.invocation)} (a forced new deployment; nothing is uploaded again).`;
}

/** Runs `weights restart`. */
export async function runWeightsRestart(raw: unknown, deps: CommandDeps): Promise<RestartResult> {
  const options = parseOptions(restartOptionsSchema, raw);
  const config = await loadConfig(options.params, options, deps);
  requireConsent(options, deps, "weights restart");
  const ctx = await deployContext(deps, options);
  const result = await underLease([baseStackName(config)], `weights restart ${endpointId(config)}`, options, deps, ctx, () => restartWeights(config, ctx));
  deps.out.result(result, () => `${result.endpoint}: a new deployment is starting its tasks again; they load the weights current names as they start.`);
  return result;
}

/** Runs `weights rollback`. */
export async function runWeightsRollback(raw: unknown, deps: CommandDeps): Promise<RollbackResult> {
  const options = parseOptions(rollbackOptionsSchema, raw);
  const config = await loadConfig(options.params, options, deps);
  requireConsent(options, deps, "weights rollback");
  const ctx = await deployContext(deps, options);
  const result = await underLease([baseStackName(config)], `weights rollback ${endpointId(config)}`, options, deps, ctx, () =>
    rollbackWeights(config, { restart: options.restart, timeoutMs: options.timeout * 60_000 }, ctx),
  );
  deps.out.result(result, () =>
    [
      `${result.endpoint}: current -> ${result.version ?? "the previous version"}${result.previousVersion ? ` (previous: ${result.previousVersion}; rolling back again goes forward)` : ""} on ${result.fileSystemId} in ${tookText(result.durationMs)}`,
      restartText(result.restarted, options.params, deps),
    ].join("\n"),
  );
  return result;
}

/** Runs `weights schedule`. */
export async function runWeightsSchedule(raw: unknown, deps: CommandDeps): Promise<ScheduleResult> {
  const options = parseOptions(scheduleOptionsSchema, raw);
  if (options.off === Boolean(options.expression)) {
    throw new InputError([
      {
        path: "schedule",
        message: options.off ? "give either an expression or --off, not both" : 'give a schedule expression, e.g. "rate(3 minutes)", or --off',
      },
    ]);
  }
  const config = await loadConfig(options.params, options, deps);
  requireConsent(options, deps, "weights schedule");
  const ctx = await deployContext(deps, options);
  const result = await underLease([baseStackName(config)], `weights schedule ${endpointId(config)}`, options, deps, ctx, () =>
    scheduleWeights(config, options.expression, ctx),
  );
  deps.out.result(result, () =>
    result.schedule ? `${result.endpoint}: the weights sync from ${result.source} runs ${result.schedule}` : `${result.endpoint}: no weights schedule`,
  );
  return result;
}

/** Runs `weights ls`. */
export async function runWeightsLs(raw: unknown, deps: CommandDeps): Promise<ListResult> {
  const options = parseOptions(lsOptionsSchema, raw);
  const config = await loadConfig(options.params, options, deps);
  const ctx = await deployContext(deps, options);
  const result = await listWeights(config, { path: options.path, assets: options.assets, timeoutMs: options.timeout * 60_000 }, ctx);
  deps.out.result(result, () => {
    if (result.files.length === 0) return `${result.endpoint}: no files on the ${result.volume} volume ${result.fileSystemId} at ${result.path}`;
    const rows = result.files.map((f) => [f.path, formatBytes(f.size), f.modified.replace(/\.\d{3}Z$/, "Z")]);
    return `${formatTable(["Path", "Size", "Modified"], rows)}\n${result.files.length} file(s), ${formatBytes(result.totalBytes)} on the ${result.volume} volume ${result.fileSystemId}`;
  });
  return result;
}
