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
  constructor(
    private readonly client: ecr.ECRClient,
    context: AdapterContext,
  ) {
    super(context, "ECR", "ecr");
  }
  describeImages(input: ecr.DescribeImagesRequest) {
    return this.call("DescribeImages", (options) => this.client.send(new ecr.DescribeImagesCommand(input), options));
  }
  describeRepositories(input: ecr.DescribeRepositoriesRequest) {
    return this.call("DescribeRepositories", (options) => this.client.send(new ecr.DescribeRepositoriesCommand(input), options));
  }
  listImages(input: ecr.ListImagesRequest) {
    return this.call("ListImages", (options) => this.client.send(new ecr.ListImagesCommand(input), options));
  }
  batchDeleteImage(input: ecr.BatchDeleteImageRequest) {
    return this.call("BatchDeleteImage", (options) => this.client.send(new ecr.BatchDeleteImageCommand(input), options));
  }
}
