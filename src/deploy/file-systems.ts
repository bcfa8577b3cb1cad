/**
 * EFS file systems outlive their stacks (DeletionPolicy Retain). These steps
 * find them again by tag, so a re-created endpoint mounts its old data, and
 * delete them only when the user asks with `--delete-data`.
 */
import type { EfsApi, FileSystemDescription } from "../aws/interfaces.js";
import type { DeployContext } from "./context.js";
import { pollUntil } from "./poll.js";

/** The endpoint's two volumes. */
export type VolumeName = "assets" | "weights";

/** A kept file system of an endpoint. */
export interface KeptFileSystem {
  volume: VolumeName;
  fileSystemId: string;
  sizeBytes?: number;
}

/** Lists the endpoint's file systems (found by the `mlops:endpoint` and `mlops:volume` tags). */
export async function findEndpointFileSystems(efs: EfsApi, id: string): Promise<KeptFileSystem[]> {
  const found: (KeptFileSystem & { created: number })[] = [];
  let marker: string | undefined;
  do {
    const page = await efs.describeFileSystems({ Marker: marker });
    for (const fs of page.FileSystems ?? []) {
      const kept = asKept(fs, id);
      if (kept) found.push({ ...kept, created: fs.CreationTime?.getTime() ?? 0 });
    }
    marker = page.NextMarker;
  } while (marker);
  // Oldest first, so the same file system is picked on every run when several were kept.
  return found.sort((a, b) => a.created - b.created || a.fileSystemId.localeCompare(b.fileSystemId)).map(({ created: _created, ...kept }) => kept);
}

function asKept(fs: FileSystemDescription, id: string): KeptFileSystem | undefined {
  if (!fs.FileSystemId || fs.LifeCycleState === "deleting" || fs.LifeCycleState === "deleted") return undefined;
  const tag = (key: string) => fs.Tags?.find((t) => t.Key === key)?.Value;
  const volume = tag("mlops:volume");
  if (tag("mlops:endpoint") !== id || (volume !== "assets" && volume !== "weights")) return undefined;
  return { volume, fileSystemId: fs.FileSystemId, sizeBytes: fs.SizeInBytes?.Value };
}

/** Picks the kept file system of each volume, if any. */
export function keptVolumes(list: KeptFileSystem[]): { assets?: string; weights?: string } {
  return {
    assets: list.find((f) => f.volume === "assets")?.fileSystemId,
    weights: list.find((f) => f.volume === "weights")?.fileSystemId,
  };
}

/** Deletes file systems once their mount targets are gone. */
export async function deleteFileSystems(list: KeptFileSystem[], ctx: DeployContext): Promise<void> {
  for (const fs of list) {
    await pollUntil(
      async () => {
        const targets = await ctx.aws.efs.describeMountTargets({ FileSystemId: fs.fileSystemId });
        const left = targets.MountTargets?.length ?? 0;
        return left === 0 ? { done: true, value: undefined } : { done: false, status: `${left} mount target(s) left` };
      },
      { clock: ctx.clock, signal: ctx.signal, intervalMs: 5_000, timeoutMs: 10 * 60_000, what: `mount targets of ${fs.fileSystemId} to be deleted` },
    );
    await ctx.aws.efs.deleteFileSystem({ FileSystemId: fs.fileSystemId });
    ctx.out.success(`Deleted EFS file system ${fs.fileSystemId} (${fs.volume})`);
  }
}
