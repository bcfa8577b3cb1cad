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
  constructor(
    private readonly client: s3.S3Client,
    context: AdapterContext,
  ) {
    super(context, "S3", "s3");
  }
  listBuckets(input: s3.ListBucketsRequest) {
    return this.call("ListBuckets", (options) => this.client.send(new s3.ListBucketsCommand(input), options));
  }
  getBucketTagging(input: s3.GetBucketTaggingRequest) {
    return this.call("GetBucketTagging", (options) => this.client.send(new s3.GetBucketTaggingCommand(input), options));
  }
  async deleteBucket(input: s3.DeleteBucketRequest): Promise<void> {
    await this.call("DeleteBucket", (options) => this.client.send(new s3.DeleteBucketCommand(input), options));
  }
  listObjectVersions(input: s3.ListObjectVersionsRequest) {
    return this.call("ListObjectVersions", (options) => this.client.send(new s3.ListObjectVersionsCommand(input), options));
  }
  deleteObjects(input: s3.DeleteObjectsRequest) {
    return this.call("DeleteObjects", (options) => this.client.send(new s3.DeleteObjectsCommand(input), options));
  }
  putObject(input: s3.PutObjectCommandInput) {
    return this.call("PutObject", (options) => this.client.send(new s3.PutObjectCommand(input), options));
  }
  createMultipartUpload(input: s3.CreateMultipartUploadRequest) {
    return this.call("CreateMultipartUpload", (options) => this.client.send(new s3.CreateMultipartUploadCommand(input), options));
  }
  uploadPart(input: s3.UploadPartCommandInput) {
    return this.call("UploadPart", (options) => this.client.send(new s3.UploadPartCommand(input), options));
  }
  completeMultipartUpload(input: s3.CompleteMultipartUploadRequest) {
    return this.call("CompleteMultipartUpload", (options) => this.client.send(new s3.CompleteMultipartUploadCommand(input), options));
  }
  abortMultipartUpload(input: s3.AbortMultipartUploadRequest) {
    return this.call("AbortMultipartUpload", (options) => this.client.send(new s3.AbortMultipartUploadCommand(input), options));
  }
}
