/**
 * S3 through the SDK, in a module of its own so that a command loads this
 * client only when it calls S3.
 */
import * as s3 from "@aws-sdk/client-s3";
import type { S3Api } from "../interfaces.js";
import { Adapter, type AdapterContext } from "../sdk-adapters.js";

export { S3Client } from "@aws-sdk/client-s3";

/** S3 through the SDK. */
export class SdkS3 extends Adapter implements S3Api {
  constructor(private readonly client: s3.S3Client, context: AdapterContext) {
    super(context, "S3");
  }
  listObjectVersions(input: s3.ListObjectVersionsRequest) {
    return this.call("ListObjectVersions", (options) => this.client.send(new s3.ListObjectVersionsCommand(input), options));
  }
  deleteObjects(input: s3.DeleteObjectsRequest) {
    return this.call("DeleteObjects", (options) => this.client.send(new s3.DeleteObjectsCommand(input), options));
  }
}
