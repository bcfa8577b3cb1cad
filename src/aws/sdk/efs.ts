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
  constructor(private readonly client: efs.EFSClient, context: AdapterContext) {
    super(context, "EFS");
  }
  describeFileSystems(input: efs.DescribeFileSystemsRequest) {
    return this.call("DescribeFileSystems", () => this.client.send(new efs.DescribeFileSystemsCommand(input)));
  }
  describeMountTargets(input: efs.DescribeMountTargetsRequest) {
    return this.call("DescribeMountTargets", () => this.client.send(new efs.DescribeMountTargetsCommand(input)));
  }
  async deleteFileSystem(input: efs.DeleteFileSystemRequest): Promise<void> {
    await this.call("DeleteFileSystem", () => this.client.send(new efs.DeleteFileSystemCommand(input)));
  }
  async deleteMountTarget(input: efs.DeleteMountTargetRequest): Promise<void> {
    await this.call("DeleteMountTarget", () => this.client.send(new efs.DeleteMountTargetCommand(input)));
  }
}
