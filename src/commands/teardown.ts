/**
 * `mlops teardown <params>` or `mlops teardown --all`: deletes what mlops
 * made, safely and in order, keeping EFS data, log groups and access logs
 * unless `--delete-data`.
 */
import { z } from "zod";
import { count } from "../deploy/steps/kept-data.js";
import { teardown, type TeardownResult, type TeardownTarget } from "../deploy/workflows/teardown.js";
import { InputError } from "../errors.js";
import { endpointId } from "../params/model.js";
import { baseStackName } from "../render/names.js";
import { deployContext, globalOptionsSchema, loadConfig, paramOverridesSchema, parseOptions, requireConsent, underLease, type CommandDeps } from "./shared.js";

/** Options of teardown. */
export const teardownOptionsSchema = globalOptionsSchema.merge(paramOverridesSchema).extend({
  params: z.string().min(1).optional(),
  all: z.boolean().default(false),
  deleteData: z.boolean().default(false),
});

/** Runs teardown. */
export async function runTeardown(raw: unknown, deps: CommandDeps): Promise<TeardownResult> {
  const options = parseOptions(teardownOptionsSchema, raw);
  if (options.all === (options.params !== undefined)) {
    throw new InputError([
      { path: "teardown", message: options.all ? "give either a parameter file or --all, not both" : "give a parameter file, or --all for every endpoint" },
    ]);
  }
  const config = options.params ? await loadConfig(options.params, options, deps) : undefined;
  const target: TeardownTarget =
    config && options.params ? { kind: "endpoint", endpointId: endpointId(config), source: options.params, scope: baseStackName(config) } : { kind: "all" };
  const command = target.kind === "all" ? "teardown --all" : `teardown ${target.endpointId}`;
  requireConsent(options, deps, "teardown");
  const ctx = await deployContext(deps, options);
  const result = await teardown(target, { deleteData: options.deleteData }, ctx, (scopes, work) => underLease(scopes, command, options, deps, ctx, work));
  deps.out.result(result, () => teardownSummary(result));
  return result;
}

/** The last line: what was really deleted and what was kept, counted. */
export function teardownSummary(r: TeardownResult): string {
  const data = (fs: number, logs: number, certs: number, buckets: number) =>
    `${count(fs, "EFS file system")}, ${count(logs, "log group")}, ${count(certs, "certificate")}, ${count(buckets, "access-log bucket")}`;
  return (
    `Deleted ${count(r.deletedStacks.length, "stack")}, ${data(r.deletedFileSystems.length, r.deletedLogGroups.length, r.deletedCertificates.length, r.deletedAccessLogBuckets.length)}; ` +
    `kept ${data(r.keptFileSystems.length, r.keptLogGroups.length, r.keptCertificates.length, r.keptAccessLogBuckets.length)}.`
  );
}
