/**
 * Builds the SDK clients behind every interface of `interfaces.ts`, once per
 * command, with the same region, profile, retry policy and endpoint.
 */
import { ACMClient } from "@aws-sdk/client-acm";
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import { CodePipelineClient } from "@aws-sdk/client-codepipeline";
import { CodeStarConnectionsClient } from "@aws-sdk/client-codestar-connections";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient } from "@aws-sdk/client-ecs";
import { EFSClient } from "@aws-sdk/client-efs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import { InputError } from "../errors.js";
import type { AwsClients } from "./interfaces.js";
import {
  type AdapterContext,
  SdkAcm,
  SdkCloudFormation,
  SdkCodeBuild,
  SdkCodePipeline,
  SdkConnections,
  SdkEc2,
  SdkEcr,
  SdkEcs,
  SdkEfs,
  SdkElb,
  SdkLogs,
  SdkS3,
  SdkSts,
} from "./sdk-adapters.js";

/** Where and as whom to call AWS. */
export interface AwsClientOptions {
  region?: string;
  profile?: string;
  /** One endpoint for every service, e.g. an emulator's `http://127.0.0.1:5000`. */
  endpointUrl?: string;
}

/** Attempts per call, including the first; the SDK's standard mode backs off between them. */
const MAX_ATTEMPTS = 5;

/** Builds SDK v3 clients for every AWS interface mlops uses. Throws `InputError` when no region can be found. */
export async function createAwsClients(options: AwsClientOptions): Promise<AwsClients> {
  // The SDK warns on every run about Node versions it will drop later; users can do nothing about it mid-command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

  const profile = options.profile || undefined;
  const endpointUrl = options.endpointUrl || undefined;
  const region = await resolveRegion(options.region, profile);
  const config = {
    region,
    maxAttempts: MAX_ATTEMPTS,
    retryMode: "standard",
    ...(profile ? { profile } : {}),
    ...(endpointUrl ? { endpoint: endpointUrl } : {}),
  };
  const context: AdapterContext = { region, profile, endpointUrl };

  return {
    region,
    cloudFormation: new SdkCloudFormation(new CloudFormationClient(config), context),
    ec2: new SdkEc2(new EC2Client(config), context),
    ecs: new SdkEcs(new ECSClient(config), context),
    elb: new SdkElb(new ElasticLoadBalancingV2Client(config), context),
    ecr: new SdkEcr(new ECRClient(config), context),
    acm: new SdkAcm(new ACMClient(config), context),
    logs: new SdkLogs(new CloudWatchLogsClient(config), context),
    // Emulators serve every bucket under one host, so virtual-hosted bucket names would not resolve.
    s3: new SdkS3(new S3Client({ ...config, ...(endpointUrl ? { forcePathStyle: true } : {}) }), context),
    codeBuild: new SdkCodeBuild(new CodeBuildClient(config), context),
    codePipeline: new SdkCodePipeline(new CodePipelineClient(config), context),
    connections: new SdkConnections(new CodeStarConnectionsClient(config), context),
    efs: new SdkEfs(new EFSClient(config), context),
    sts: new SdkSts(new STSClient(config), context),
  };
}

/** The flag, then the environment, then the profile's `region` in ~/.aws/config. */
async function resolveRegion(flag: string | undefined, profile: string | undefined): Promise<string> {
  // The JS SDK ignores AWS_DEFAULT_REGION, which the AWS CLI (and so many users' shells) rely on.
  const fromFlagOrEnv = flag || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (fromFlagOrEnv) return fromFlagOrEnv;

  // A throwaway client resolves the region the way every SDK client would, config files included.
  const probe = new STSClient(profile ? { profile } : {});
  try {
    const region = await probe.config.region();
    if (region) return region;
  } catch {
    // "Region is missing": reported below in mlops's own words.
  } finally {
    probe.destroy();
  }
  throw new InputError(
    [{ path: "--region", message: `No AWS region is set${profile ? ` (profile ${profile} has none)` : ""}.` }],
    "Pass --region (e.g. --region eu-west-1), set AWS_REGION, or add `region = ...` to the profile in ~/.aws/config.",
  );
}
