/**
 * A stateful fake EFS with the deletion rules of the EFS API reference that
 * the emulator does not show: DeleteFileSystem fails with FileSystemInUse
 * while the file system has mount targets
 * (https://docs.aws.amazon.com/efs/latest/ug/API_DeleteFileSystem.html), and
 * DeleteMountTarget only starts the deletion: the target stays "deleting" for
 * a while (https://docs.aws.amazon.com/efs/latest/ug/API_DeleteMountTarget.html).
 */
import type { EfsApi, FileSystemDescription } from "../../src/aws/interfaces.js";
import { AwsError } from "../../src/errors.js";

interface FakeMountTarget {
  id: string;
  fileSystemId: string;
  state: "available" | "deleting";
  /** Describes left before a deleting target is gone. */
  describesLeft: number;
}

/** An EFS region. */
export class FakeEfs implements EfsApi {
  readonly fileSystems: FileSystemDescription[] = [];
  readonly mountTargets: FakeMountTarget[] = [];
  /** Every mutating call, in order. */
  readonly calls: string[] = [];
  private counter = 0;

  /** Describes a deleting mount target survives. */
  constructor(private readonly deletingDescribes = 2) {}

  /** Adds a file system with mlops's tags and the given number of mount targets; returns its id. */
  add(endpoint: string, volume: string, options: { mountTargets?: number; sizeBytes?: number } = {}): string {
    const id = `fs-${String(++this.counter).padStart(8, "0")}`;
    this.fileSystems.push({
      FileSystemId: id,
      LifeCycleState: "available",
      CreationTime: new Date(Date.UTC(2026, 0, 1, 0, this.counter)),
      SizeInBytes: { Value: options.sizeBytes ?? 6144 },
      Tags: [
        { Key: "mlops:endpoint", Value: endpoint },
        { Key: "mlops:volume", Value: volume },
      ],
    } as FileSystemDescription);
    for (let i = 0; i < (options.mountTargets ?? 0); i++)
      this.mountTargets.push({ id: `fsmt-${id}-${i}`, fileSystemId: id, state: "available", describesLeft: 0 });
    return id;
  }

  async describeFileSystems() {
    return { FileSystems: this.fileSystems };
  }

  async describeMountTargets(input: Parameters<EfsApi["describeMountTargets"]>[0]) {
    for (const t of [...this.mountTargets]) {
      if (t.state === "deleting" && t.describesLeft-- <= 0) this.mountTargets.splice(this.mountTargets.indexOf(t), 1);
    }
    const list = this.mountTargets.filter((t) => t.fileSystemId === input.FileSystemId);
    return { MountTargets: list.map((t) => ({ MountTargetId: t.id, FileSystemId: t.fileSystemId, SubnetId: "subnet-1", LifeCycleState: t.state })) };
  }

  async deleteMountTarget(input: Parameters<EfsApi["deleteMountTarget"]>[0]): Promise<void> {
    this.calls.push(`DeleteMountTarget ${input.MountTargetId}`);
    const target = this.mountTargets.find((t) => t.id === input.MountTargetId);
    if (!target) throw new AwsError(`Mount target ${input.MountTargetId} not found`, { code: "MountTargetNotFound" });
    target.state = "deleting";
    target.describesLeft = this.deletingDescribes;
  }

  async deleteFileSystem(input: Parameters<EfsApi["deleteFileSystem"]>[0]): Promise<void> {
    this.calls.push(`DeleteFileSystem ${input.FileSystemId}`);
    if (this.mountTargets.some((t) => t.fileSystemId === input.FileSystemId)) {
      throw new AwsError(`File system '${input.FileSystemId}' has mount targets created in it`, { code: "FileSystemInUse" });
    }
    const index = this.fileSystems.findIndex((f) => f.FileSystemId === input.FileSystemId);
    if (index < 0) throw new AwsError(`File system '${input.FileSystemId}' does not exist.`, { code: "FileSystemNotFound" });
    this.fileSystems.splice(index, 1);
  }
}
