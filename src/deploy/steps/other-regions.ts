/**
 * Where a stack missing from this region may be instead: the mlops endpoints of
 * the account's other regions, read when a command finds no stack here, to
 * name the region the user most likely meant. It is a hint, not the command's
 * job: a few seconds at most, a few regions at a time, no retries beyond a
 * short one, and a region that cannot be read (access denied, a region not
 * opted in, no answer) is said in a clause, never a failure of the command.
 */
import { setMaxListeners } from "node:events";
import { AwsError, InputError, type InputIssue } from "../../errors.js";
import type { DeployContext } from "../context.js";
import { mapConcurrently } from "../engine/concurrency.js";
import { listMlopsStacks, readDeployed } from "../engine/discovery.js";

/** How long the whole look at other regions may take. */
export const ELSEWHERE_BUDGET_MS = 4000;

/** Regions read at once: the account has about thirty, each one short read. */
const REGIONS_AT_ONCE = 8;

/** What the account's other regions hold. */
export interface RegionsElsewhere {
  /** Regions other than the command's with mlops endpoints, with their stacks' names and projects, in region order. */
  found: { region: string; endpoints: string[]; projects: string[] }[];
  /** Regions whose stacks could not be read, and why (short: "access denied", AWS's error code). */
  unreadable: { region: string; why: string }[];
  /** Regions that had not answered when the time for the hint ran out (or were not asked by then). */
  unanswered: string[];
  /** Why the account's regions could not be listed; then no other region was read. */
  unlisted?: string;
}

/**
 * The mlops endpoints of the account's other enabled regions; undefined when the command has no
 * clients for other regions, or Ctrl-C came. Never throws: what cannot be read is part of the answer.
 */
export async function findElsewhere(ctx: DeployContext, budgetMs: number = ELSEWHERE_BUDGET_MS): Promise<RegionsElsewhere | undefined> {
  const readers = ctx.regionReaders;
  if (!readers || ctx.signal?.aborted) return undefined;
  const controller = new AbortController();
  // Every read in flight listens on this signal, as does the wait for the end: more than Node's default of 10.
  setMaxListeners(100, controller.signal);
  const stop = () => controller.abort();
  ctx.signal?.addEventListener("abort", stop, { once: true });
  const timer = setTimeout(stop, budgetMs);
  timer.unref?.();
  // Resolves when time runs out or Ctrl-C comes: a read that ignores the abort must not hold the command.
  const ended = new Promise<"ended">((resolve) => controller.signal.addEventListener("abort", () => resolve("ended"), { once: true }));
  try {
    let regions: string[];
    try {
      const home = await Promise.race([readers(ctx.aws.region, controller.signal), ended]);
      if (home === "ended") return ctx.signal?.aborted ? undefined : { found: [], unreadable: [], unanswered: [], unlisted: "no answer in time" };
      const answer = await Promise.race([home.ec2.describeRegions({}), ended]);
      if (answer === "ended") return ctx.signal?.aborted ? undefined : { found: [], unreadable: [], unanswered: [], unlisted: "no answer in time" };
      regions = enabledRegions(answer).filter((region) => region !== ctx.aws.region);
    } catch (error) {
      return ctx.signal?.aborted ? undefined : { found: [], unreadable: [], unanswered: [], unlisted: whyUnreadable(error) };
    }
    const answers = new Map<string, { endpoints: string[]; projects: string[] } | { why: string }>();
    const work = mapConcurrently(
      regions,
      async (region) => {
        if (controller.signal.aborted) return;
        try {
          const clients = await readers(region, controller.signal);
          const stacks = await listMlopsStacks(clients.cloudFormation);
          const endpoints = stacks.managed.filter((m) => m.role !== "pipeline");
          answers.set(region, { endpoints: endpoints.map((m) => m.stackName), projects: endpoints.map((m) => readDeployed(m.stack).project ?? "") });
        } catch (error) {
          if (!controller.signal.aborted) answers.set(region, { why: whyUnreadable(error) });
        }
      },
      REGIONS_AT_ONCE,
    );
    await Promise.race([work, ended]);
    if (ctx.signal?.aborted) return undefined;
    const result: RegionsElsewhere = { found: [], unreadable: [], unanswered: [] };
    for (const region of regions) {
      const answer = answers.get(region);
      if (!answer) result.unanswered.push(region);
      else if ("why" in answer) result.unreadable.push({ region, why: answer.why });
      else if (answer.endpoints.length) result.found.push({ region, ...answer });
    }
    return result;
  } finally {
    clearTimeout(timer);
    ctx.signal?.removeEventListener("abort", stop);
    controller.abort();
  }
}

/**
 * The regions DescribeRegions lists as enabled, sorted. Without `AllRegions` AWS lists only the regions enabled
 * for the account (EC2 API Reference, "DescribeRegions"); a region marked `not-opted-in` is left out all the same,
 * since the account's credentials are refused there and it can hold no stack.
 */
function enabledRegions(answer: { Regions?: { RegionName?: string; OptInStatus?: string }[] }): string[] {
  return (answer.Regions ?? [])
    .filter((r) => r.OptInStatus !== "not-opted-in")
    .map((r) => r.RegionName)
    .filter((name): name is string => !!name)
    .sort();
}

/** AWS error codes that mean the caller may not read there. */
const DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException"]);

/** A few words on why a region could not be read. */
function whyUnreadable(error: unknown): string {
  if (error instanceof AwsError && error.code) return DENIED.has(error.code) ? "access denied" : error.code;
  if (error instanceof InputError) return "region not usable here";
  return "no answer";
}

/** Up to three region names, else their count. */
function someRegions(regions: string[]): string {
  return regions.length <= 3 ? regions.join(", ") : `${regions.length} regions`;
}

/** One clause for a message: where the endpoints are, and which regions could not be read. */
export function elsewhereText(elsewhere: RegionsElsewhere): string {
  if (elsewhere.unlisted) return `the account's other regions could not be listed (${elsewhere.unlisted})`;
  const complete = elsewhere.unreadable.length === 0 && elsewhere.unanswered.length === 0;
  const parts = [
    elsewhere.found.length
      ? `mlops endpoints were found in ${elsewhere.found.map((f) => `${f.region} (${f.endpoints.join(", ")})`).join(", ")}`
      : complete
        ? "no mlops endpoints in the account's other regions either"
        : "no mlops endpoints in the other regions that could be read",
  ];
  if (elsewhere.unreadable.length) {
    const whys = [...new Set(elsewhere.unreadable.map((u) => u.why))].join(", ");
    parts.push(`${someRegions(elsewhere.unreadable.map((u) => u.region))} could not be read (${whys})`);
  }
  if (elsewhere.unanswered.length) parts.push(`not all regions answered in time (${someRegions(elsewhere.unanswered)} did not)`);
  return parts.join("; ");
}

/** The region that holds an endpoint of this stack name (or project), if the look found one. */
export function regionHolding(elsewhere: RegionsElsewhere, name: string): string | undefined {
  return elsewhere.found.find((f) => f.endpoints.includes(name) || f.projects.includes(name))?.region;
}

/**
 * The bad-input error of a stack this region does not have, told where mlops endpoints are in the
 * account's other regions (and to run again there when `wanted` is among them). Same exit code as without.
 */
export async function missingStackError(
  ctx: DeployContext,
  issue: InputIssue,
  hint: string,
  wanted: string,
  /** The hint when `wanted` was found in another region, if not `hint` after the region to run again in. */
  hintThere?: (region: string) => string,
): Promise<InputError> {
  const elsewhere = await findElsewhere(ctx);
  if (!elsewhere) return new InputError([issue], hint);
  const region = regionHolding(elsewhere, wanted);
  return new InputError(
    [{ ...issue, message: `${issue.message}; ${elsewhereText(elsewhere)}` }],
    region ? (hintThere?.(region) ?? runAgainThere(region, wanted, hint)) : hint,
  );
}

/** "Run again with --region eu-west-1, where acme-prod is; otherwise create it first: ...". */
export function runAgainThere(region: string, wanted: string, otherwise: string): string {
  return `Run again with --region ${region}, where ${wanted} is; otherwise ${otherwise.charAt(0).toLowerCase()}${otherwise.slice(1)}`;
}
