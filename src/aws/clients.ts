/**
 * Builds the SDK clients behind every interface of `interfaces.ts`, once per
 * command, with the same region, profile, retry policy (`retry.ts`) and endpoint.
 */
import { InputError } from "../errors.js";
import type { STSClient } from "@aws-sdk/client-sts";
import type { AwsClients } from "./interfaces.js";
import { clientRetryConfig, parseRetrySettings, type RetrySettings } from "./retry.js";
import type { AdapterContext } from "./sdk-adapters.js";

/** Where and as whom to call AWS. */
export interface AwsClientOptions {
  region?: string;
  profile?: string;
  /** One endpoint for every service, e.g. an emulator's `http://127.0.0.1:5000`. */
  endpointUrl?: string;
  /** How long calls retry and how long one attempt may take (`retry.ts`); default: 60 s and 30 s. */
  retry?: RetrySettings;
  /** Ctrl-C: reaches every request. */
  signal?: AbortSignal;
}

/** Builds SDK v3 clients for every AWS interface mlops uses. Throws `InputError` when no region can be found. */
export async function createAwsClients(options: AwsClientOptions): Promise<AwsClients> {
  // The SDK warns on every run about Node versions it will drop later; users can do nothing about it mid-command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

  const profile = options.profile || undefined;
  const endpointUrl = options.endpointUrl || undefined;
  // Loaded here rather than at start-up: the SDK takes about a second to load, which commands that never call AWS skip.
  const [sdk, adapters] = await Promise.all([loadSdk(), import("./sdk-adapters.js")]);
  const { region, source: regionSource } = await resolveRegion(options.region, profile, sdk.STSClient);
  const retry = options.retry ?? parseRetrySettings({});
  const config = {
    region,
    ...clientRetryConfig(retry),
    ...(profile ? { profile } : {}),
    ...(endpointUrl ? { endpoint: endpointUrl } : {}),
  };
  const context: AdapterContext = { region, profile, endpointUrl, signal: options.signal, retryBudgetMs: retry.budgetMs, requestTimeoutMs: retry.requestTimeoutMs };

  return {
    region,
    regionSource,
    cloudFormation: new adapters.SdkCloudFormation(new sdk.CloudFormationClient(config), context),
    ec2: new adapters.SdkEc2(new sdk.EC2Client(config), context),
    ecs: new adapters.SdkEcs(new sdk.ECSClient(config), context),
    elb: new adapters.SdkElb(new sdk.ElasticLoadBalancingV2Client(config), context),
    ecr: new adapters.SdkEcr(new sdk.ECRClient(config), context),
    acm: new adapters.SdkAcm(new sdk.ACMClient(config), context),
    logs: new adapters.SdkLogs(new sdk.CloudWatchLogsClient(config), context),
    // Emulators serve every bucket under one host, so virtual-hosted bucket names would not resolve.
    s3: new adapters.SdkS3(new sdk.S3Client({ ...config, ...(endpointUrl ? { forcePathStyle: true } : {}) }), context),
    codeBuild: new adapters.SdkCodeBuild(new sdk.CodeBuildClient(config), context),
    codePipeline: new adapters.SdkCodePipeline(new sdk.CodePipelineClient(config), context),
    connections: new adapters.SdkConnections(new sdk.CodeStarConnectionsClient(config), context),
    efs: new adapters.SdkEfs(new sdk.EFSClient(config), context),
    sts: new adapters.SdkSts(new sdk.STSClient(config), context),
    ssm: new adapters.SdkSsm(new sdk.SSMClient(config), context),
  };
}

/** The SDK's client classes, loaded in parallel. */
async function loadSdk() {
  const [acm, cfn, logs, cb, cp, csc, ec2, ecr, ecs, efs, elb, s3, sts, ssm] = await Promise.all([
    import("@aws-sdk/client-acm"),
    import("@aws-sdk/client-cloudformation"),
    import("@aws-sdk/client-cloudwatch-logs"),
    import("@aws-sdk/client-codebuild"),
    import("@aws-sdk/client-codepipeline"),
    import("@aws-sdk/client-codestar-connections"),
    import("@aws-sdk/client-ec2"),
    import("@aws-sdk/client-ecr"),
    import("@aws-sdk/client-ecs"),
    import("@aws-sdk/client-efs"),
    import("@aws-sdk/client-elastic-load-balancing-v2"),
    import("@aws-sdk/client-s3"),
    import("@aws-sdk/client-sts"),
    import("@aws-sdk/client-ssm"),
  ]);
  return {
    ACMClient: acm.ACMClient,
    CloudFormationClient: cfn.CloudFormationClient,
    CloudWatchLogsClient: logs.CloudWatchLogsClient,
    CodeBuildClient: cb.CodeBuildClient,
    CodePipelineClient: cp.CodePipelineClient,
    CodeStarConnectionsClient: csc.CodeStarConnectionsClient,
    EC2Client: ec2.EC2Client,
    ECRClient: ecr.ECRClient,
    ECSClient: ecs.ECSClient,
    EFSClient: efs.EFSClient,
    ElasticLoadBalancingV2Client: elb.ElasticLoadBalancingV2Client,
    S3Client: s3.S3Client,
    STSClient: sts.STSClient,
    SSMClient: ssm.SSMClient,
  };
}

/** The flag, then the environment, then the profile's `region` in ~/.aws/config; with where it came from. */
async function resolveRegion(flag: string | undefined, profile: string | undefined, Sts: typeof STSClient): Promise<{ region: string; source: string }> {
  if (flag) return { region: flag, source: "--region" };
  // The JS SDK ignores AWS_DEFAULT_REGION, which the AWS CLI (and so many users' shells) rely on.
  for (const variable of ["AWS_REGION", "AWS_DEFAULT_REGION"]) {
    const value = process.env[variable];
    if (value) return { region: value, source: variable };
  }

  // A throwaway client resolves the region the way every SDK client would, config files included.
  const probe = new Sts(profile ? { profile } : {});
  try {
    const region = await probe.config.region();
    const name = profile ?? process.env.AWS_PROFILE ?? "default";
    if (region) return { region, source: `profile ${name} in the AWS config file` };
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
