/**
 * Builds the SDK clients behind every interface of `interfaces.ts`, once per
 * command, with the same region, profile, retry policy and endpoint.
 *
 * Each client is loaded on its first call: the SDK is most of mlops's code,
 * and a command that only reads CloudFormation and ECS should not pay for
 * loading CodePipeline, EC2 or S3.
 */
import { InputError } from "../errors.js";
import type { AwsClients } from "./interfaces.js";
import type { AdapterContext } from "./sdk-adapters.js";

/** Where and as whom to call AWS. */
export interface AwsClientOptions {
  region?: string;
  profile?: string;
  /** One endpoint for every service, e.g. an emulator's `http://127.0.0.1:5000`. */
  endpointUrl?: string;
}

/** Attempts per call, including the first; the SDK's standard mode backs off between them. */
const MAX_ATTEMPTS = 5;

/** The configuration every SDK client is built with. */
export function clientConfig(region: string, profile: string | undefined, endpointUrl: string | undefined) {
  return {
    region,
    maxAttempts: MAX_ATTEMPTS,
    retryMode: "standard",
    ...(profile ? { profile } : {}),
    ...(endpointUrl ? { endpoint: endpointUrl } : {}),
  };
}

/** Builds SDK v3 clients for every AWS interface mlops uses. Throws `InputError` when no region can be found. */
export async function createAwsClients(options: AwsClientOptions): Promise<AwsClients> {
  // The SDK warns on every run about Node versions it will drop later; users can do nothing about it mid-command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

  const profile = options.profile || undefined;
  const endpointUrl = options.endpointUrl || undefined;
  const { region, source: regionSource } = await resolveRegion(options.region, profile);
  const config = clientConfig(region, profile, endpointUrl);
  const context: AdapterContext = { region, profile, endpointUrl };

  return {
    region,
    regionSource,
    cloudFormation: onFirstCall(async () => {
      const sdk = await import("./sdk/cloudformation.js");
      return new sdk.SdkCloudFormation(new sdk.CloudFormationClient(config), context);
    }),
    ec2: onFirstCall(async () => {
      const sdk = await import("./sdk/ec2.js");
      return new sdk.SdkEc2(new sdk.EC2Client(config), context);
    }),
    ecs: onFirstCall(async () => {
      const sdk = await import("./sdk/ecs.js");
      return new sdk.SdkEcs(new sdk.ECSClient(config), context);
    }),
    elb: onFirstCall(async () => {
      const sdk = await import("./sdk/elb.js");
      return new sdk.SdkElb(new sdk.ElasticLoadBalancingV2Client(config), context);
    }),
    ecr: onFirstCall(async () => {
      const sdk = await import("./sdk/ecr.js");
      return new sdk.SdkEcr(new sdk.ECRClient(config), context);
    }),
    acm: onFirstCall(async () => {
      const sdk = await import("./sdk/acm.js");
      return new sdk.SdkAcm(new sdk.ACMClient(config), context);
    }),
    logs: onFirstCall(async () => {
      const sdk = await import("./sdk/logs.js");
      return new sdk.SdkLogs(new sdk.CloudWatchLogsClient(config), context);
    }),
    s3: onFirstCall(async () => {
      const sdk = await import("./sdk/s3.js");
      // Emulators serve every bucket under one host, so virtual-hosted bucket names would not resolve.
      return new sdk.SdkS3(new sdk.S3Client({ ...config, ...(endpointUrl ? { forcePathStyle: true } : {}) }), context);
    }),
    codeBuild: onFirstCall(async () => {
      const sdk = await import("./sdk/codebuild.js");
      return new sdk.SdkCodeBuild(new sdk.CodeBuildClient(config), context);
    }),
    codePipeline: onFirstCall(async () => {
      const sdk = await import("./sdk/codepipeline.js");
      return new sdk.SdkCodePipeline(new sdk.CodePipelineClient(config), context);
    }),
    connections: onFirstCall(async () => {
      const sdk = await import("./sdk/connections.js");
      return new sdk.SdkConnections(new sdk.CodeStarConnectionsClient(config), context);
    }),
    efs: onFirstCall(async () => {
      const sdk = await import("./sdk/efs.js");
      return new sdk.SdkEfs(new sdk.EFSClient(config), context);
    }),
    sts: onFirstCall(async () => {
      const sdk = await import("./sdk/sts.js");
      return new sdk.SdkSts(new sdk.STSClient(config), context);
    }),
    ssm: onFirstCall(async () => {
      const sdk = await import("./sdk/ssm.js");
      return new sdk.SdkSsm(new sdk.SSMClient(config), context);
    }),
  };
}

/**
 * An object with the interface `T` whose every method first builds the real
 * one with `build` (once, shared by concurrent first calls), then calls it.
 * Every interface method returns a promise, so waiting for the load is invisible to callers.
 */
export function onFirstCall<T extends object>(build: () => Promise<T>): T {
  let built: Promise<T> | undefined;
  const real = () => (built ??= build());
  return new Proxy({} as T, {
    get(_target, property) {
      // Not a thenable: `await clients.ecs` must give the object itself.
      if (property === "then" || typeof property === "symbol") return undefined;
      return async (...args: unknown[]) => {
        const client = (await real()) as Record<string, (...a: unknown[]) => unknown>;
        const method = client[property];
        if (typeof method !== "function") throw new TypeError(`${property} is not an AWS call mlops makes`);
        return method.apply(client, args);
      };
    },
  });
}

/** The flag, then the environment, then the profile's `region` in ~/.aws/config; with where it came from. */
async function resolveRegion(flag: string | undefined, profile: string | undefined): Promise<{ region: string; source: string }> {
  if (flag) return { region: flag, source: "--region" };
  // The JS SDK ignores AWS_DEFAULT_REGION, which the AWS CLI (and so many users' shells) rely on.
  for (const variable of ["AWS_REGION", "AWS_DEFAULT_REGION"]) {
    const value = process.env[variable];
    if (value) return { region: value, source: variable };
  }

  // A throwaway client resolves the region the way every SDK client would, config files included.
  const { STSClient } = await import("./sdk/sts.js");
  const probe = new STSClient(profile ? { profile } : {});
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
