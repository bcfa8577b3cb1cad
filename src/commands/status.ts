/**
 * `mlops status [NAME]`: every endpoint mlops manages in the account and
 * region (or one), and the data teardowns kept. Exits 0 whenever the account
 * can be read, even with broken endpoints: each one's problems are listed
 * under the table (and in `problems` with `--json`), so one broken endpoint
 * never hides the others.
 */
import { z } from "zod";
import { regionText, type DeployContext } from "../deploy/context.js";
import { listMlopsStacks, readDeployed, type ManagedStack } from "../deploy/engine/discovery.js";
import { elsewhereText, findElsewhere, missingStackError } from "../deploy/steps/other-regions.js";
import { findKeptData, formatBytes, noKeptData, type KeptData } from "../deploy/steps/kept-data.js";
import { endpointStatuses, readEndpointStatuses, unhealthy, type EndpointStatus } from "../deploy/operations/status.js";
import { formatEndpointDetail, readEndpointDetail, type EndpointDetail, type HostResolver } from "../deploy/operations/endpoint-detail.js";
import { systemResolver } from "../deploy/operations/dns.js";
import { MlopsError } from "../errors.js";
import { runnable, type Invocation } from "../io/invocation.js";
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
  /** With no endpoint in the region: where the account's other regions have mlops endpoints, and which could not be read. */
  elsewhere?: string;
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
  if (!name) {
    // The stacks are read once, page by page: each page's endpoints are read while the next page is on its way, and
    // what teardowns kept is read meanwhile (it needs the stacks only to tell live endpoints from gone ones).
    const reading = readEndpointStatuses(ctx);
    const [statuses, kept] = await Promise.all([
      reading.statuses,
      keptSection(
        ctx,
        undefined,
        reading.stacks.then((s) => s.managed),
      ),
    ]);
    // None here: the account's other regions may hold them (a wrong --region or AWS_REGION).
    const elsewhere = statuses.length === 0 ? await findElsewhere(ctx) : undefined;
    const report: StatusReport = {
      region: ctx.aws.region,
      regionSource: ctx.aws.regionSource,
      healthy: unhealthy(statuses).length === 0,
      endpoints: statuses,
      ...kept,
      ...(elsewhere ? { elsewhere: elsewhereText(elsewhere) } : {}),
    };
    deps.out.result(report, () => renderStatus(report, name, deps.invocation));
    return;
  }
  const stacks = await listMlopsStacks(ctx.aws.cloudFormation);
  const managed = stacks.managed;
  const named = managed.filter((m): m is ManagedStack & { role: "base" | "added" } => m.role !== "pipeline" && isNamed(m, name));
  if (named.length === 1) {
    const one = named[0] as ManagedStack & { role: "base" | "added" };
    const pipeline = managed.some((m) => m.role === "pipeline" && m.endpointId === one.endpointId);
    const endpoint = await readEndpointDetail(ctx, one, { pipeline, resolver: deps.resolver ?? systemResolver });
    const report: StatusDetailReport = { region: ctx.aws.region, regionSource: ctx.aws.regionSource, healthy: endpoint.healthy, endpoint };
    deps.out.result(report, () => formatEndpointDetail(endpoint));
    return;
  }
  const [statuses, kept] = await Promise.all([endpointStatuses(ctx, (m) => isNamed(m, name), stacks), keptSection(ctx, name, Promise.resolve(managed))]);
  const report: StatusReport = {
    region: ctx.aws.region,
    regionSource: ctx.aws.regionSource,
    healthy: unhealthy(statuses).length === 0,
    endpoints: statuses,
    ...kept,
  };
  if (statuses.length === 0 && report.kept.fileSystems.length + report.kept.logGroups.length + report.kept.certificates.length === 0) {
    const known = managed.filter((m) => m.role !== "pipeline").map((m) => m.endpointId);
    throw await missingStackError(
      ctx,
      {
        path: "status",
        message: `no endpoint named ${name} in ${regionText(ctx.aws)}; ${known.length ? `endpoints there: ${known.join(", ")}` : "no endpoints there at all"}`,
      },
      `Give the project (ep-a) or project-environment (ep-a-prod) of an endpoint, or run ${runnable("mlops status", deps.invocation)} for all of them.`,
      name,
    );
  }
  deps.out.result(report, () => renderStatus(report, name, deps.invocation));
}

/** True when NAME is the endpoint's project or its `project-environment`. */
function isNamed(m: ManagedStack, name: string): boolean {
  return m.endpointId === name || readDeployed(m.stack).project === name;
}

/** Reads what teardowns kept; a failure to read it does not hide the endpoints. */
async function keptSection(ctx: DeployContext, name: string | undefined, stacks: Promise<ManagedStack[]>): Promise<{ kept: KeptData; keptError?: string }> {
  // A failure to read the stacks is the command's, reported by the caller; this section waits for them without failing.
  const live = stacks.then(
    (all) => {
      const managed = all.filter((m) => m.role !== "pipeline");
      const hosts = managed.map((m) => readDeployed(m.stack).host?.toLowerCase()).filter((h): h is string => !!h);
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
        accessLogBuckets: kept.accessLogBuckets.filter((b) => matches(b.endpoint)),
      },
    };
  } catch (error) {
    if (!(error instanceof MlopsError)) throw error;
    return { kept: noKeptData(), keptError: error.message };
  }
}

function renderStatus(report: StatusReport, name: string | undefined, invocation?: Invocation): string {
  const sections: string[] = [];
  if (report.endpoints.length === 0) {
    const where = regionText(report);
    sections.push(
      name ? `No running endpoint ${name} in ${where}.` : `No endpoints managed by mlops in ${where}${report.elsewhere ? `; ${report.elsewhere}` : ""}.`,
    );
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
          targetsCell(s),
          s.pipeline ? "yes" : "no",
          s.url ?? "-",
        ]),
      ),
    );
    const gpu = report.endpoints.filter((s) => s.capacity !== undefined);
    if (gpu.length > 0) sections.push(gpu.map((s) => `Capacity of ${s.endpoint}: ${s.capacity}`).join("\n"));
    const notes = targetNotes(report.endpoints, invocation);
    if (notes.length > 0) sections.push(notes.join("\n"));
    const broken = unhealthy(report.endpoints);
    if (broken.length > 0) {
      sections.push(
        [
          `Problems (${broken.length} of ${report.endpoints.length} endpoint(s)):`,
          ...broken.flatMap((s) => s.problems.map((p) => `  ${s.endpoint}: ${p}`)),
        ].join("\n"),
      );
    }
  }
  const kept = keptRows(report.kept);
  if (kept.length) {
    // `--all` tears down every endpoint in the region too: it is the fix only when none runs.
    const how =
      report.endpoints.length === 0 && !name
        ? `\`${runnable("mlops teardown --all --delete-data", invocation)}\` deletes them`
        : `\`${runnable("mlops teardown FILE --delete-data", invocation)}\` with a gone endpoint's parameter file deletes its data; \`--all\` would also tear down any endpoint still running`;
    sections.push(`Kept by teardowns (endpoint gone; ${how}):\n${formatTable(["ENDPOINT", "KIND", "ID", "SIZE"], kept)}`);
  }
  if (report.keptError) sections.push(`Could not read the data teardowns kept: ${report.keptError}`);
  return sections.join("\n\n");
}

/** Healthy/total targets; `*` when CloudWatch's latest minute gave them, `?` when they were not read. */
function targetsCell(s: EndpointStatus): string {
  if (s.targetHealthNotRead) return "?";
  if (s.healthyTargets === undefined) return "-";
  return `${s.healthyTargets}/${s.totalTargets ?? "-"}${s.targetHealthSource === "cloudwatch" ? "*" : ""}`;
}

/** What the marks of the HEALTHY column mean, for the marks the table shows. */
function targetNotes(endpoints: EndpointStatus[], invocation?: Invocation): string[] {
  const notes: string[] = [];
  const minutes = endpoints.flatMap((s) => (s.targetHealthSource === "cloudwatch" && s.targetHealthAt ? [s.targetHealthAt] : [])).sort();
  if (minutes.length > 0) {
    const at = `${(minutes[0] as string).slice(11, 16)} UTC`;
    notes.push(
      `* as the load balancer last reported to CloudWatch (minute of ${at} or later): too many target groups to read each live; \`${runnable("mlops status NAME", invocation)}\` reads one live.`,
    );
  }
  const unread = endpoints.filter((s) => s.targetHealthNotRead);
  if (unread.length > 0)
    notes.push(
      `? not read for ${unread.length} endpoint(s): ${unread[0]?.targetHealthNotRead}; \`${runnable("mlops status NAME", invocation)}\` reads one live.`,
    );
  return notes;
}

function keptRows(kept: KeptData): string[][] {
  return [
    ...kept.fileSystems.map((f) => [f.endpoint, `EFS file system (${f.volume})`, f.fileSystemId, f.sizeBytes === undefined ? "-" : formatBytes(f.sizeBytes)]),
    ...kept.logGroups.map((g) => [g.endpoint, "log group", g.name, g.storedBytes === undefined ? "-" : formatBytes(g.storedBytes)]),
    ...kept.certificates.map((c) => [c.endpoint ?? "-", `ACM certificate (${c.domain})`, c.arn, "-"]),
    ...kept.accessLogBuckets.map((b) => [
      b.endpoint,
      `S3 bucket (${b.source === "load-balancer-access-logs" ? "load balancer" : "artifact bucket"} access logs)`,
      b.bucket,
      "-",
    ]),
  ];
}
