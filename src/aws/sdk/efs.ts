/**
 * EFS through the SDK, in a module of its own so that a command loads this
 * client only when it calls EFS.
 */
import * as efs from "@aws-sdk/client-efs";
import type { EfsApi } from "../interfaces.js";
import { Adapter, type AdapterContext } from "../sdk-adapters.js";

export { EFSClient } from "@aws-sdk/client-efs";

/** EFS through the SDK. */
export class SdkEfs extends Adapter implements EfsApi {
  constructor(
    private readonly client: efs.EFSClient,
    context: AdapterContext,
  ) {
    super(context, "EFS", "elasticfilesystem");
  }
  describeFileSystems(input: efs.DescribeFileSystemsRequest) {
    return this.call("DescribeFileSystems", (options) => this.client.send(new efs.DescribeFileSystemsCommand(input), options));
  }
  describeMountTargets(input: efs.DescribeMountTargetsRequest) {
    return this.call("DescribeMountTargets", (options) => this.client.send(new efs.DescribeMountTargetsCommand(input), options));
  }
  async deleteFileSystem(input: efs.DeleteFileSystemRequest): Promise<void> {
    await this.call("DeleteFileSystem", (options) => this.client.send(new efs.DeleteFileSystemCommand(input), options));
  }
  async deleteMountTarget(input: efs.DeleteMountTargetRequest): Promise<void> {
    await this.call("DeleteMountTarget", (options) => this.client.send(new efs.DeleteMountTargetCommand(input), options));
  }
}
