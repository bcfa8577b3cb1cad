/**
 * `mlops status [NAME]`: every endpoint mlops manages in the account and
 * region (or one), and the data teardowns kept. Exits 0 whenever the account
 * can be read, even with broken endpoints: each one's problems are listed
 * under the table (and in `problems` with `--json`), so one broken endpoint
 * never hides the others.
 */
import { z } from "zod";
import { regionText, type DeployContext } from "../deploy/context.js";
import { listManagedStacks, stackParameters, type ManagedStack } from "../deploy/engine/discovery.js";
import { findKeptData, formatBytes, type KeptData } from "../deploy/steps/kept-data.js";
import { endpointStatuses, unhealthy, type EndpointStatus } from "../deploy/operations/status.js";
import { formatEndpointDetail, readEndpointDetail, type EndpointDetail, type HostResolver } from "../deploy/operations/endpoint-detail.js";
import { systemResolver } from "../deploy/operations/dns.js";
import { InputError, MlopsError } from "../errors.js";
import { formatTable } from "../io/table.js";
import { deployContext, globalOptionsSchema, parseOptions, type CommandDeps } from "./shared.js";

/** Options of status. */
export const statusOptionsSchema = globalOptionsSchema.extend({
  name: z.string().min(1).optional(),
});

/** What status shows. */
export interface StatusReport {
  region: string;
  /** Where the region came from: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile. */
  regionSource?: string;
  /** False when any endpoint shown has a problem (see each endpoint's `problems`). */
  healthy: boolean;
  endpoints: EndpointStatus[];
  kept: KeptData;
  /** Why the kept data could not be read, when it could not. */
  keptError?: string;
}

/** What `status NAME` shows when NAME is one live endpoint: `endpoint` is documented in the README ("One endpoint in detail"). */
export interface StatusDetailReport {
  region: string;
  regionSource?: string;
  /** False when the endpoint has a problem (see `endpoint.problems`). */
  healthy: boolean;
  endpoint: EndpointDetail;
}

/** Runs status; `resolver` resolves host names for the DNS state of one endpoint (default: the system's). */
export async function runStatus(raw: unknown, deps: CommandDeps & { resolver?: HostResolver }): Promise<void> {
  const options = parseOptions(statusOptionsSchema, raw);
  const ctx = await deployContext(deps, options);
  const name = options.name;
  // The stacks are read once, for the endpoints and for what teardowns kept. Without a name, what teardowns kept is
  // read while the stacks are (a name may pick one endpoint, whose detail needs no such read).
  const reading = listManagedStacks(ctx.aws.cloudFormation);
  const keptEarly = name ? undefined : keptSection(ctx, name, reading);
  // Awaited below; marked handled now so that a failed read of the stacks is reported once, as the command's.
  keptEarly?.catch(() => undefined);
  const managed = await reading;
  const named = name ? managed.filter((m): m is ManagedStack & { role: "base" | "added" } => m.role !== "pipeline" && isNamed(m, name)) : [];
  if (named.length === 1) {
    const one = named[0] as ManagedStack & { role: "base" | "added" };
    const pipeline = managed.some((m) => m.role === "pipeline" && m.endpointId === one.endpointId);
    const endpoint = await readEndpointDetail(ctx, one, { pipeline, resolver: deps.resolver ?? systemResolver });
    const report: StatusDetailReport = { region: ctx.aws.region, regionSource: ctx.aws.regionSource, healthy: endpoint.healthy, endpoint };
    deps.out.result(report, () => formatEndpointDetail(endpoint));
    return;
  }
  const [statuses, kept] = await Promise.all([endpointStatuses(ctx, name ? (m) => isNamed(m, name) : undefined, managed), keptEarly ?? keptSection(ctx, name, Promise.resolve(managed))]);
  const report: StatusReport = { region: ctx.aws.region, regionSource: ctx.aws.regionSource, healthy: unhealthy(statuses).length === 0, endpoints: statuses, ...kept };
  if (name && statuses.length === 0 && report.kept.fileSystems.length + report.kept.logGroups.length + report.kept.certificates.length === 0) {
    const known = managed.filter((m) => m.role !== "pipeline").map((m) => m.endpointId);
    throw new InputError(
      [{ path: "status", message: `no endpoint named ${name} in ${regionText(ctx.aws)}; ${known.length ? `endpoints there: ${known.join(", ")}` : "no endpoints there at all"}` }],
      "Give the project (ep-a) or project-environment (ep-a-prod) of an endpoint, or run mlops status for all of them.",
    );
  }
  deps.out.result(report, () => renderStatus(report, name));

}

/** True when NAME is the endpoint's project or its `project-environment`. */
function isNamed(m: ManagedStack, name: string): boolean {
  return m.endpointId === name || stackParameters(m.stack).ProjectName === name;
}

/** Reads what teardowns kept; a failure to read it does not hide the endpoints. */
async function keptSection(ctx: DeployContext, name: string | undefined, stacks: Promise<ManagedStack[]>): Promise<{ kept: KeptData; keptError?: string }> {
  // A failure to read the stacks is the command's, reported by the caller; this section waits for them without failing.
  const live = stacks.then(
    (all) => {
      const managed = all.filter((m) => m.role !== "pipeline");
      const hosts = managed.map((m) => stackParameters(m.stack).HostHeaderApi?.toLowerCase()).filter((h): h is string => !!h);
      return { ids: new Set(managed.map((m) => m.endpointId)), hosts: new Set(hosts) };
    },
    () => ({ ids: new Set<string>(), hosts: new Set<string>() }),
  );
  try {
    const kept = await findKeptData(ctx, live);
    if (!name) return { kept };
    // A gone endpoint is known only by its id (`project-environment`), so a project name matches its prefix.
    const matches = (endpoint?: string) => endpoint !== undefined && (endpoint === name || endpoint.startsWith(`${name}-`));
    return {
      kept: {
        fileSystems: kept.fileSystems.filter((f) => matches(f.endpoint)),
        logGroups: kept.logGroups.filter((g) => matches(g.endpoint)),
        certificates: kept.certificates.filter((c) => matches(c.endpoint)),
      },
    };
  } catch (error) {
    if (!(error instanceof MlopsError)) throw error;
    return { kept: { fileSystems: [], logGroups: [], certificates: [] }, keptError: error.message };
  }
}

function renderStatus(report: StatusReport, name: string | undefined): string {
  const sections: string[] = [];
  if (report.endpoints.length === 0) {
    const where = regionText(report);
    sections.push(name ? `No running endpoint ${name} in ${where}.` : `No endpoints managed by mlops in ${where}.`);
  } else {
    const count = (a?: number, b?: number) => (a === undefined ? "-" : `${a}/${b ?? "-"}`);
    sections.push(
      formatTable(
        ["ENDPOINT", "ROLE", "STACK", "IMAGE", "TASKS", "HEALTHY", "PIPELINE", "URL"],
        report.endpoints.map((s) => [
          s.problems.length > 0 ? `${s.endpoint} (!)` : s.endpoint,
          s.role,
          s.stackStatus,
          s.imageTag ?? "-",
          count(s.running, s.desired),
          count(s.healthyTargets, s.totalTargets),
          s.pipeline ? "yes" : "no",
          s.url ?? "-",
        ]),
      ),
    );
    const broken = unhealthy(report.endpoints);
    if (broken.length > 0) {
      sections.push([`Problems (${broken.length} of ${report.endpoints.length} endpoint(s)):`, ...broken.flatMap((s) => s.problems.map((p) => `  ${s.endpoint}: ${p}`))].join("\n"));
    }
  }
  const kept = keptRows(report.kept);
  if (kept.length) {
    sections.push(
      `Kept by teardowns (endpoint gone; \`mlops teardown --all --delete-data\` deletes them):\n${formatTable(["ENDPOINT", "KIND", "ID", "SIZE"], kept)}`,
    );
  }
  if (report.keptError) sections.push(`Could not read the data teardowns kept: ${report.keptError}`);
  return sections.join("\n\n");
}

function keptRows(kept: KeptData): string[][] {
  return [
    ...kept.fileSystems.map((f) => [f.endpoint, `EFS file system (${f.volume})`, f.fileSystemId, f.sizeBytes === undefined ? "-" : formatBytes(f.sizeBytes)]),
    ...kept.logGroups.map((g) => [g.endpoint, "log group", g.name, g.storedBytes === undefined ? "-" : formatBytes(g.storedBytes)]),
    ...kept.certificates.map((c) => [c.endpoint ?? "-", `ACM certificate (${c.domain})`, c.arn, "-"]),
  ];
}
