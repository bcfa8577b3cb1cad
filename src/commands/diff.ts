/**
 * `mlops diff <params> [--tag TAG]`: the plan create-endpoint, add-endpoint
 * or update would carry out, property by property, without changing
 * anything. Its exit code tells CI whether anything would change.
 */
import { z } from "zod";
import { planChanges, planDeploy, printPlan, type DeployPlan } from "../deploy/workflows/plan.js";
import { ExitCode } from "../errors.js";
import { deployContext, dockerTagSchema, globalOptionsSchema, loadConfig, paramOverridesSchema, parseOptions, type CommandDeps } from "./shared.js";

/** Options of diff. */
export const diffOptionsSchema = globalOptionsSchema.merge(paramOverridesSchema).extend({
  params: z.string().min(1),
  tag: dockerTagSchema.optional(),
  pipeline: z.boolean().default(true),
  dns: z.boolean().default(true),
});

/** What diff found; `exitCode` is 0 with no changes and `ExitCode.changes` with some. */
export interface DiffResult {
  endpoint: string;
  changes: boolean;
  exitCode: number;
  plan: Omit<DeployPlan, "basis">;
}

/** Runs diff: plans and prints; makes only calls that read. */
export async function runDiff(raw: unknown, deps: CommandDeps): Promise<DiffResult> {
  const options = parseOptions(diffOptionsSchema, raw);
  const config = await loadConfig(options.params, options, deps);
  const ctx = await deployContext(deps, options);
  const plan = await planDeploy(config, { tag: options.tag, pipeline: options.pipeline, dns: options.dns }, ctx);
  // diff is where a user reads a plan in full: every resource of a new stack too.
  printPlan(plan, deps.out, { verbose: true });
  const changes = planChanges(plan);
  // The basis holds raw AWS records the apply needs; the printed plan is the result.
  const { basis: _apply, ...shown } = plan;
  const result: DiffResult = { endpoint: plan.endpoint, changes, exitCode: changes ? ExitCode.changes : ExitCode.ok, plan: shown };
  deps.out.result(result, () => (changes ? `${plan.endpoint}: changes to apply (exit code ${ExitCode.changes})` : `${plan.endpoint}: no changes`));
  return result;
}
