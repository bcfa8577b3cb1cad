/**
 * Nearest-key suggestions for misspelt keys. Kept separate so both parameter
 * formats phrase "did you mean" the same way.
 */

/** Edit distance (insertions, deletions, substitutions) between two strings. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // One rolling row is enough: each cell only needs the row above and its left neighbour.
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The candidate closest to `word`, or undefined when none is close enough to be a plausible typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  // Case is the most common slip (HostHeader for hostHeader): prefer an exact case-insensitive match.
  const sameLetters = candidates.find((candidate) => candidate.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = levenshtein(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Beyond about a third of the word, a "suggestion" is noise rather than help.
  const limit = Math.max(2, Math.floor(word.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** Command-line options people put in a parameter file, by the key they write, with what to do instead. */
const OPTION_KEYS: Record<string, string> = {
  region: "pass --region REGION (or set AWS_REGION)",
  awsregion: "pass --region REGION (or set AWS_REGION)",
  profile: "pass --profile NAME (or set AWS_PROFILE)",
  awsprofile: "pass --profile NAME (or set AWS_PROFILE)",
  endpointurl: "pass --endpoint-url URL (or set MLOPS_ENDPOINT_URL)",
  yes: "pass --yes",
  json: "pass --json",
  tag: "pass --tag TAG",
  imagetimeout: "pass --image-timeout MINUTES",
  rollouttimeout: "pass --rollout-timeout MINUTES",
  nopipeline: "pass --no-pipeline",
  deletedata: "pass --delete-data",
};

/** What to do instead when a file's key is a command-line option (`region`, `--profile`, `endpoint_url`); undefined otherwise. */
export function optionInstead(key: string): string | undefined {
  return OPTION_KEYS[key.toLowerCase().replace(/[^a-z]/g, "")];
}
