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
  const endpointUrl = checkEndpointUrl(options.endpointUrl || undefined);
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
    // Leases are given back after Ctrl-C: their calls do not carry the abort signal (each is one short request).
    ssm: new adapters.SdkSsm(new sdk.SSMClient(config), { ...context, signal: undefined }),
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

/** An endpoint URL the SDK can call: http(s), with a host. Anything else is bad input, found before any call. */
export function checkEndpointUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const bad = (message: string) =>
    new InputError([{ path: "--endpoint-url", message: `${JSON.stringify(raw)} ${message}` }], "Give the whole URL with its scheme, e.g. --endpoint-url http://127.0.0.1:4566 (also MLOPS_ENDPOINT_URL).");
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) throw bad("has no scheme (http:// or https://)");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad("is not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw bad(`uses ${url.protocol.slice(0, -1)}, not http or https`);
  if (!url.hostname) throw bad("has no host");
  return raw;
}

/** AWS region names: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`. */
const regionPattern = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

/** A region named where it came from; a malformed one is bad input (exit 2). */
function checkRegion(region: string, source: string): string {
  if (regionPattern.test(region)) return region;
  throw new InputError([{ path: source, message: `${JSON.stringify(region)} is not an AWS region name` }], "Use a region such as us-east-1 or eu-west-1 (aws ec2 describe-regions lists them).");
}

/** The flag, then the environment, then the profile's `region` in ~/.aws/config; with where it came from. A malformed name is bad input. */
async function resolveRegion(flag: string | undefined, profile: string | undefined, Sts: typeof STSClient): Promise<{ region: string; source: string }> {
  if (flag) return { region: checkRegion(flag, "--region"), source: "--region" };
  // The JS SDK ignores AWS_DEFAULT_REGION, which the AWS CLI (and so many users' shells) rely on.
  for (const variable of ["AWS_REGION", "AWS_DEFAULT_REGION"]) {
    const value = process.env[variable];
    if (value) return { region: checkRegion(value, variable), source: variable };
  }

  // A throwaway client resolves the region the way every SDK client would, config files included.
  const probe = new Sts(profile ? { profile } : {});
  let fromConfig: string | undefined;
  try {
    fromConfig = await probe.config.region();
  } catch {
    // "Region is missing": reported below in mlops's own words.
  } finally {
    probe.destroy();
  }
  const name = profile ?? process.env.AWS_PROFILE ?? "default";
  if (fromConfig) return { region: checkRegion(fromConfig, `region of profile ${name}`), source: `profile ${name} in the AWS config file` };
  throw new InputError(
    [{ path: "--region", message: `No AWS region is set${profile ? ` (profile ${profile} has none)` : ""}.` }],
    "Pass --region (e.g. --region eu-west-1), set AWS_REGION, or add `region = ...` to the profile in ~/.aws/config.",
  );
}
