/**
 * ECR through the SDK, in a module of its own so that a command loads this
 * client only when it calls ECR.
 */
import * as ecr from "@aws-sdk/client-ecr";
import type { EcrApi } from "../interfaces.js";
import { Adapter, type AdapterContext } from "../sdk-adapters.js";

export { ECRClient } from "@aws-sdk/client-ecr";

/** ECR through the SDK. */
export class SdkEcr extends Adapter implements EcrApi {
  constructor(private readonly client: ecr.ECRClient, context: AdapterContext) {
    super(context, "ECR");
  }
  describeImages(input: ecr.DescribeImagesRequest) {
    return this.call("DescribeImages", () => this.client.send(new ecr.DescribeImagesCommand(input)));
  }
  describeRepositories(input: ecr.DescribeRepositoriesRequest) {
    return this.call("DescribeRepositories", () => this.client.send(new ecr.DescribeRepositoriesCommand(input)));
  }
  listImages(input: ecr.ListImagesRequest) {
    return this.call("ListImages", () => this.client.send(new ecr.ListImagesCommand(input)));
  }
  batchDeleteImage(input: ecr.BatchDeleteImageRequest) {
    return this.call("BatchDeleteImage", () => this.client.send(new ecr.BatchDeleteImageCommand(input)));
  }
}
