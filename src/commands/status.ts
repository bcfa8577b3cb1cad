/**
 * `mlops status`: every endpoint mlops manages in the account and region.
 */
import { endpointStatuses, type EndpointStatus } from "../deploy/status.js";
import { formatTable } from "../io/table.js";
import { deployContext, globalOptionsSchema, parseOptions, type CommandDeps } from "./shared.js";

/** Options of status. */
export const statusOptionsSchema = globalOptionsSchema;

/** Runs status. */
export async function runStatus(raw: unknown, deps: CommandDeps): Promise<EndpointStatus[]> {
  const options = parseOptions(statusOptionsSchema, raw);
  const ctx = await deployContext(deps, options);
  const statuses = await endpointStatuses(ctx);
  deps.out.result({ region: ctx.aws.region, endpoints: statuses }, () => {
    if (statuses.length === 0) return `No endpoints managed by mlops in ${ctx.aws.region}.`;
    const count = (a?: number, b?: number) => (a === undefined ? "-" : `${a}/${b ?? "-"}`);
    return formatTable(
      ["ENDPOINT", "ROLE", "STACK", "IMAGE", "TASKS", "HEALTHY", "PIPELINE", "URL"],
      statuses.map((s) => [s.endpoint, s.role, s.stackStatus, s.imageTag ?? "-", count(s.running, s.desired), count(s.healthyTargets, s.totalTargets), s.pipeline ? "yes" : "no", s.url ?? "-"]),
    );
  });
  return statuses;
}
