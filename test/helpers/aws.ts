/**
 * SDK clients for checking the emulator's state from tests, and the push that
 * plays the pipeline's build.
 */
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import { CodePipelineClient } from "@aws-sdk/client-codepipeline";
import { EC2Client } from "@aws-sdk/client-ec2";
import { DescribeRepositoriesCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import { EFSClient } from "@aws-sdk/client-efs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ACMClient } from "@aws-sdk/client-acm";
import { S3Client } from "@aws-sdk/client-s3";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { Route53Client } from "@aws-sdk/client-route-53";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** SDK clients pointed at an emulator. */
export function sdkClients(endpoint: string) {
  const config = { region: "us-east-1", endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  return {
    cfn: new CloudFormationClient(config),
    codeBuild: new CodeBuildClient(config),
    codePipeline: new CodePipelineClient(config),
    ec2: new EC2Client(config),
    ecr: new ECRClient(config),
    efs: new EFSClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    ecs: new ECSClient(config),
    acm: new ACMClient(config),
    logs: new CloudWatchLogsClient(config),
    cloudWatch: new CloudWatchClient(config),
    route53: new Route53Client(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
  };
}

const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.docker.distribution.manifest.v2+json",
  config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 2, digest: `sha256:${"1".repeat(64)}` },
  layers: [],
});

/** Pushes an image manifest as soon as the repository exists, as the pipeline's build would. */
export async function pushWhenRepositoryExists(ecr: ECRClient, repositoryName: string, tag: string, signal: AbortSignal): Promise<boolean> {
  while (!signal.aborted) {
    try {
      await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }));
      await ecr.send(new PutImageCommand({ repositoryName, imageTag: tag, imageManifest: manifest }));
      return true;
    } catch (error) {
      if ((error as Error).name !== "RepositoryNotFoundException") throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return false;
}

/** Pushes an image manifest to an existing repository. */
export async function pushImage(ecr: ECRClient, repositoryName: string, tag: string): Promise<void> {
  await ecr.send(new PutImageCommand({ repositoryName, imageTag: tag, imageManifest: manifest }));
}

/** Runs `work` while playing the pipeline's part: each image is pushed as soon as its repository exists. */
export async function withPushes<T>(ecr: ECRClient, pushes: { repository: string; tag: string }[], work: () => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const pushing = Promise.all(pushes.map((p) => pushWhenRepositoryExists(ecr, p.repository, p.tag, controller.signal)));
  try {
    return await work();
  } finally {
    controller.abort();
    await pushing;
  }
}
