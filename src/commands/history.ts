/**
 * `mlops history <params> [--json]`: the endpoint's deployments, newest
 * first, with tag, start, duration, strategy and outcome (ECS's record of its
 * service's deployments; see deploy/operations/history.ts).
 */
import { z } from "zod";
import { regionText } from "../deploy/context.js";
import { readDeployed } from "../deploy/engine/discovery.js";
import { findStack, stackOutputs } from "../deploy/engine/stack.js";
import { missingStackError } from "../deploy/steps/other-regions.js";
import { serviceHistory, type DeploymentRecord } from "../deploy/operations/history.js";
import { formatTable } from "../io/table.js";
import { endpointId } from "../params/model.js";
import { formatDuration } from "../deploy/engine/rollout-time.js";
import { deployContext, globalOptionsSchema, loadConfig, paramOverridesSchema, parseOptions, type CommandDeps } from "./shared.js";

/** Options of history. */
export const historyOptionsSchema = globalOptionsSchema.merge(paramOverridesSchema).extend({
  params: z.string().min(1),
});

/** What history shows. */
export interface HistoryReport {
  endpoint: string;
  /** The tag the endpoint's stack names now. */
  runningTag?: string;
  deployments: DeploymentRecord[];
}

/** Runs history. */
export async function runHistory(raw: unknown, deps: CommandDeps): Promise<HistoryReport> {
  const options = parseOptions(historyOptionsSchema, raw);
  const config = await loadConfig(options.params, options, deps);
  const ctx = await deployContext(deps, options);
  const id = endpointId(config);
  const stack = await findStack(ctx.aws.cloudFormation, id);
  const outputs = stack ? stackOutputs(stack) : {};
  if (!stack || !outputs.ClusterName || !outputs.ServiceName) {
    throw await missingStackError(
      ctx,
      { file: config.source, path: "project", message: `no deployed endpoint ${id} in ${regionText(ctx.aws)}` },
      `Create it first: mlops ${config.kind === "base" ? "create-endpoint" : "add-endpoint"} ${config.source}`,
      id,
    );
  }
  const deployments = await serviceHistory(ctx.aws.ecs, outputs.ClusterName, outputs.ServiceName, config.container.name);
  const runningTag = readDeployed(stack).imageTag;
  const report: HistoryReport = { endpoint: id, ...(runningTag ? { runningTag } : {}), deployments };
  deps.out.result(report, () => renderHistory(report));
  return report;
}

/** The table `mlops history` prints. */
export function renderHistory(report: HistoryReport): string {
  if (report.deployments.length === 0) return `${report.endpoint}: no deployments recorded by ECS.`;
  const rows = report.deployments.map((d) => [
    d.tag ?? "?",
    d.startedAt ? d.startedAt.replace("T", " ").replace(/\.\d+Z$/, "Z") : "?",
    d.durationSeconds === undefined ? "-" : formatDuration(d.durationSeconds),
    d.strategy,
    d.triggeredAlarms.length ? `${d.outcome} (alarm ${d.triggeredAlarms.join(", ")})` : d.outcome,
  ]);
  return `${report.endpoint}${report.runningTag ? ` (stack runs ${report.runningTag})` : ""}, newest first:\n${formatTable(["TAG", "STARTED", "DURATION", "STRATEGY", "OUTCOME"], rows)}`;
}
