/**
 * Region names checked against the AWS SDK's own partition data before any
 * call: a mistyped region (us-east-9) would otherwise look like an outage, each
 * call retrying a host name that does not resolve. The SDK exposes that data
 * through `partition(name)` of @aws-sdk/util-endpoints, which answers a region's
 * description only for the regions in its partitions.json; AWS may open a
 * region after this release, so a well-formed unknown name stays usable behind
 * an explicit opt-in.
 */
import { partition } from "@aws-sdk/util-endpoints";

/** AWS region names: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, `eusc-de-east-1`. */
export const REGION_PATTERN = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

/** The environment variable that lets a well-formed region the SDK does not know through. */
export const UNKNOWN_REGION_OPT_IN = "MLOPS_ALLOW_UNKNOWN_REGION";

/** True when the SDK's partitions list the region (global pseudo-regions such as aws-global are no region). */
export function isKnownRegion(name: string): boolean {
  // partition() spreads the region's entry of partitions.json into its answer: only a listed region has a description.
  return REGION_PATTERN.test(name) && (partition(name) as { description?: string }).description !== undefined;
}

/** The parts region names are made of (partitions.json's regions), tried to list the regions the SDK knows. */
const AREAS = ["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn", "us-gov", "us-iso", "us-isob", "us-isof", "eu-isoe", "eusc-de"];
const DIRECTIONS = ["east", "west", "north", "south", "central", "northeast", "northwest", "southeast", "southwest"];

let known: string[] | undefined;

/** The regions the SDK knows: the name space of region names, kept where `partition` has a description. */
export function knownRegions(): string[] {
  known ??= AREAS.flatMap((area) => DIRECTIONS.flatMap((direction) => Array.from({ length: 9 }, (_, i) => `${area}-${direction}-${i + 1}`))).filter(
    isKnownRegion,
  );
  return known;
}

/** The known region nearest to a name by edit distance (ties: the first in list order). */
export function closestRegion(name: string): string | undefined {
  let best: { region: string; distance: number } | undefined;
  for (const region of knownRegions()) {
    const distance = editDistance(name.toLowerCase(), region);
    if (!best || distance < best.distance) best = { region, distance };
  }
  return best?.region;
}

/** Whether the environment opts in to regions the SDK does not know. */
export function unknownRegionsAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[UNKNOWN_REGION_OPT_IN];
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

/** Why a region name cannot be used, or undefined when it can. */
export function regionProblem(name: string, allowUnknown = unknownRegionsAllowed()): string | undefined {
  const closest = closestRegion(name);
  const suggestion = closest ? `; did you mean ${closest}?` : " (e.g. us-east-1)";
  if (!REGION_PATTERN.test(name)) return `${JSON.stringify(name)} is not an AWS region name${suggestion}`;
  if (allowUnknown || isKnownRegion(name)) return undefined;
  return `${JSON.stringify(name)} is not an AWS region this version of mlops knows${suggestion} If AWS opened it after this release, set ${UNKNOWN_REGION_OPT_IN}=1 to use it anyway`;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
