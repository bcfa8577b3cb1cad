/**
 * `mlops pipeline <params> [--follow]`: the endpoint's latest pipeline run,
 * its stage states, its build's phases and log lines; `--follow` shows them as
 * they come until the run ends. Exit 1 when the run failed.
 */
import { z } from "zod";
import { showPipelineRun, type PipelineReport } from "../deploy/operations/pipeline.js";
import { endpointId } from "../params/model.js";
import { pipelineName } from "../render/names.js";
import { deployContext, globalOptionsSchema, loadConfig, paramOverridesSchema, parseOptions, type CommandDeps } from "./shared.js";

/** Options of pipeline. */
export const pipelineOptionsSchema = globalOptionsSchema.merge(paramOverridesSchema).extend({
  params: z.string().min(1),
  follow: z.boolean().default(false),
});

/** Runs pipeline. */
export async function runPipeline(raw: unknown, deps: CommandDeps): Promise<PipelineReport> {
  const options = parseOptions(pipelineOptionsSchema, raw);
  const config = await loadConfig(options.params, options, deps);
  const ctx = await deployContext(deps, options);
  const report = await showPipelineRun(pipelineName(endpointId(config)), { follow: options.follow }, ctx);
  deps.out.result(report, () => {
    const run = report.execution;
    if (!run) return `${report.pipeline}: no run yet`;
    const stages = report.stages.map((s) => `${s.stage} ${s.status}`).join(", ");
    return `${report.pipeline}: ${run.status}${run.commit ? ` at commit ${run.commit.slice(0, 12)}` : ""} (${stages})`;
  });
  return report;
}
