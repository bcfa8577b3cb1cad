/**
 * EFS file systems outlive their stacks (DeletionPolicy Retain). These steps
 * find them again by tag, so a re-created endpoint mounts its old data, and
 * delete them only when the user asks with `--delete-data`.
 */
import type { EfsApi, FileSystemDescription } from "../../aws/interfaces.js";
import type { VolumeRoot } from "../../render/render.js";
import type { DeployContext } from "../context.js";
import { pollUntil } from "../engine/poll.js";
import { readOnce, type RunReads } from "../engine/reads.js";

/** The endpoint's two volumes. */
export type VolumeName = "assets" | "weights";

/** A kept file system of an endpoint. */
export interface KeptFileSystem {
  volume: VolumeName;
  fileSystemId: string;
  sizeBytes?: number;
  /**
   * Where its data lies, from the `mlops:volume-root` tag the templates set; a file system
   * without it was made before the volumes had access points, with its data at its root.
   */
  root?: VolumeRoot;
}

/** A file system mlops made, with the endpoint its tag names. */
export interface TaggedFileSystem extends KeptFileSystem {
  endpointId: string;
  created: number;
}

/** Every file system in the region that carries mlops's `mlops:endpoint` and `mlops:volume` tags, oldest first; read once per run with `reads`. */
export function listTaggedFileSystems(efs: EfsApi, reads?: RunReads): Promise<TaggedFileSystem[]> {
  return readOnce(reads, "efs:file-systems", () => readTaggedFileSystems(efs));
}

async function readTaggedFileSystems(efs: EfsApi): Promise<TaggedFileSystem[]> {
  const found: TaggedFileSystem[] = [];
  let marker: string | undefined;
  do {
    // 100 a page, AWS's own default and the most it returns (DescribeFileSystems, MaxItems), also where an endpoint sets another default.
    const page = await efs.describeFileSystems({ Marker: marker, MaxItems: 100 });
    for (const fs of page.FileSystems ?? []) {
      const tagged = asTagged(fs);
      if (tagged) found.push(tagged);
    }
    marker = page.NextMarker;
  } while (marker);
  // Oldest first, so the same file system is picked on every run when several were kept.
  return found.sort((a, b) => a.created - b.created || a.fileSystemId.localeCompare(b.fileSystemId));
}

/** Lists the endpoint's file systems (found by the `mlops:endpoint` and `mlops:volume` tags). */
export async function findEndpointFileSystems(efs: EfsApi, id: string, reads?: RunReads): Promise<KeptFileSystem[]> {
  return (await listTaggedFileSystems(efs, reads))
    .filter((f) => f.endpointId === id)
    .map(({ volume, fileSystemId, sizeBytes, root }) => ({ volume, fileSystemId, sizeBytes, root }));
}

function asTagged(fs: FileSystemDescription): TaggedFileSystem | undefined {
  if (!fs.FileSystemId || fs.LifeCycleState === "deleting" || fs.LifeCycleState === "deleted") return undefined;
  const tag = (key: string) => fs.Tags?.find((t) => t.Key === key)?.Value;
  const volume = tag("mlops:volume");
  const endpointId = tag("mlops:endpoint");
  if (!endpointId || (volume !== "assets" && volume !== "weights")) return undefined;
  const root: VolumeRoot = tag("mlops:volume-root") === "/data" ? "/data" : "/";
  return { endpointId, volume, fileSystemId: fs.FileSystemId, sizeBytes: fs.SizeInBytes?.Value, created: fs.CreationTime?.getTime() ?? 0, root };
}

/** Picks the kept file system of each volume, if any, with where its data lies. */
export function keptVolumes(list: KeptFileSystem[]): { assets?: string; weights?: string; assetsRoot?: VolumeRoot; weightsRoot?: VolumeRoot } {
  const assets = list.find((f) => f.volume === "assets");
  const weights = list.find((f) => f.volume === "weights");
  return { assets: assets?.fileSystemId, weights: weights?.fileSystemId, assetsRoot: assets?.root, weightsRoot: weights?.root };
}

/**
 * Deletes file systems. EFS refuses to delete a file system that still has
 * mount targets (FileSystemInUse), and DeleteMountTarget only starts the
 * deletion: the target stays in state "deleting" for a while. So leftover
 * targets (their stack is gone, nothing else owns them) are deleted first and
 * waited for until DescribeMountTargets lists none. See the EFS API reference:
 * https://docs.aws.amazon.com/efs/latest/ug/API_DeleteFileSystem.html and
 * https://docs.aws.amazon.com/efs/latest/ug/API_DeleteMountTarget.html
 */
export async function deleteFileSystems(list: KeptFileSystem[], ctx: DeployContext): Promise<void> {
  for (const fs of list) {
    const requested = new Set<string>();
    await pollUntil(
      async () => {
        const targets = (await ctx.aws.efs.describeMountTargets({ FileSystemId: fs.fileSystemId })).MountTargets ?? [];
        for (const target of targets) {
          if (!target.MountTargetId || requested.has(target.MountTargetId) || target.LifeCycleState === "deleting" || target.LifeCycleState === "deleted")
            continue;
          await ctx.aws.efs.deleteMountTarget({ MountTargetId: target.MountTargetId });
          requested.add(target.MountTargetId);
        }
        return targets.length === 0 ? { done: true, value: undefined } : { done: false, status: `${targets.length} mount target(s) left` };
      },
      {
        clock: ctx.clock,
        signal: ctx.signal,
        intervalMs: 5_000,
        timeoutMs: 10 * 60_000,
        what: `mount targets of ${fs.fileSystemId} to be deleted`,
        out: ctx.out,
      },
    );
    await ctx.aws.efs.deleteFileSystem({ FileSystemId: fs.fileSystemId });
    ctx.out.success(`Deleted EFS file system ${fs.fileSystemId} (${fs.volume})`);
  }
}
