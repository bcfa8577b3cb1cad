/**
 * Weights that switch atomically. The weights volume holds one directory per
 * push and two symbolic links, which are the contract a container reads:
 *
 *   versions/<version>/   one push's files (a version is never written again once `current` names it)
 *   current -> versions/<version>    what the API loads: read `<storage.weightsMountPath>/current/`
 *   previous -> versions/<version>   what `mlops weights rollback` switches back to
 *
 * A push fills a new version directory, starting as hard links to the current
 * version's files (no copy; the AWS CLI writes each downloaded file to a
 * temporary name and renames it over the old one, so the current version's
 * files are never written through a link), then syncs the source into it.
 * Only when the sync succeeded is `current` replaced, by renaming a new link
 * over it: rename(2) is atomic, so a task that starts meanwhile sees the old
 * version or the new one, never half of one. A failed sync removes its
 * directory and leaves `current` as it was. Versions other than the current
 * and previous one are deleted after the switch.
 *
 * Running tasks keep the files they loaded at their start: they load the new
 * version at their next start (a forced new deployment starts them all again).
 */

/** The link the container reads, relative to the weights volume. */
export const CURRENT_LINK = "current";
/** The link `weights rollback` switches `current` back to. */
export const PREVIOUS_LINK = "previous";
/** Where the versions lie on the volume. */
export const VERSIONS_DIR = "versions";

/** A version name: UTC time of the push and a random suffix, so that two pushes never share one and names sort by time. */
export function versionName(now: number, random: string): string {
  return `${new Date(now)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${random}`;
}

/** Replaces a link by renaming a new one over it (atomic); GNU `mv -T` treats the old link as the file to replace, not as a directory to move into. */
function switchLink(link: string, target: string): string {
  return `ln -sfn "${target}" .${link}.new && mv -Tf .${link}.new ${link}`;
}

/** The version the scheduled sync (templates: WeightsSyncTaskDefinition's command) names itself by, worked out when it runs. */
export const SCHEDULED_VERSION = "$(date -u +%Y%m%dT%H%M%SZ)-scheduled";

/**
 * The sync task's script: source into a new version directory on the volume mounted at `mount`, then
 * `current` switched to it. `sourceUri` and `mount` were checked (no quotes in them); `version` is
 * `versionName`'s, or `SCHEDULED_VERSION` (a shell expression, evaluated once). The script has no
 * "${" but the region's, so that the template can hold it in an Fn::Sub (region `${AWS::Region}`).
 */
export function versionedSyncScript(sourceUri: string, deleteExtraneous: boolean, version: string, mount: string, region: string): string {
  const literal = /^[A-Za-z0-9_-]+$/.test(version);
  // A literal version is written out in the sync's destination, where the emulator reads it (emulator/corrections/one_off_task.py).
  const destination = literal ? `'${mount}/${VERSIONS_DIR}/${version}'` : `"${mount}/$v"`;
  return [
    "set -e",
    `cd '${mount}'`,
    `v="${VERSIONS_DIR}/${version}"`,
    `mkdir -p ${VERSIONS_DIR}`,
    `rm -rf "$v"`,
    `if [ -d ${CURRENT_LINK}/ ]; then cp -al ${CURRENT_LINK}/. "$v"; else mkdir "$v"; fi`,
    // The region is an argument, so that the task definition carries no plain environment variable for it.
    `aws s3 sync '${sourceUri}' ${destination} --region ${region} --no-progress${deleteExtraneous ? " --delete" : ""} || { code=$?; rm -rf "$v"; echo "The sync failed: ${CURRENT_LINK} still names the version it named before." >&2; exit $code; }`,
    // Another sync that ended meanwhile deletes the versions it does not keep: never switch to one it took.
    `[ -d "$v" ] || { echo "Another sync of this volume removed $v meanwhile: ${CURRENT_LINK} still names the version it named before." >&2; exit 1; }`,
    `old=$(readlink ${CURRENT_LINK} || true)`,
    switchLink(CURRENT_LINK, "$v"),
    `if [ -n "$old" ] && [ "$old" != "$v" ]; then ${switchLink(PREVIOUS_LINK, "$old")}; fi`,
    `for d in ${VERSIONS_DIR}/*; do if [ "$d" != "$v" ] && [ "$d" != "$old" ]; then rm -rf "$d"; fi; done`,
    `[ -n "$old" ] || old=none`,
    `echo "${CURRENT_LINK}: $v (${PREVIOUS_LINK}: $old)"`,
  ].join("\n");
}

/** The rollback task's script: `current` and `previous` swap (a second rollback goes forward again). Exit 3: nothing to roll back to. */
export function rollbackScript(mount: string): string {
  return [
    "set -e",
    `cd '${mount}'`,
    `[ -L ${PREVIOUS_LINK} ] || { echo "No previous version of the weights to roll back to." >&2; exit 3; }`,
    `cur=$(readlink ${CURRENT_LINK}); prev=$(readlink ${PREVIOUS_LINK})`,
    `[ -d "$prev" ] || { echo "The previous version $prev is no longer on the volume." >&2; exit 3; }`,
    switchLink(CURRENT_LINK, "$prev"),
    switchLink(PREVIOUS_LINK, "$cur"),
    `echo "${CURRENT_LINK}: $prev (${PREVIOUS_LINK}: $cur)"`,
  ].join("\n");
}

/** Reads the scripts' last line ("current: versions/X (previous: versions/Y)"); undefined when the task printed none. */
export function parseSwitch(lines: string[]): { current: string; previous?: string } | undefined {
  for (const line of [...lines].reverse()) {
    const match = new RegExp(`^${CURRENT_LINK}: (\\S+) \\(${PREVIOUS_LINK}: (\\S+)\\)$`).exec(line);
    if (match) return { current: match[1]!, previous: match[2] === "none" ? undefined : match[2] };
  }
  return undefined;
}
