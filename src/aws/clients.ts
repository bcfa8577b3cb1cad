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
  /**
   * Clients the command is going to call: their code loads in the background as soon as the first
   * call is on its way, while the command waits for AWS, instead of when each is first called.
   */
  preload?: ClientName[];
}

/** The name of one client of `AwsClients`. */
export type ClientName = Exclude<keyof AwsClients, "region" | "regionSource">;

/** Each client's module (a chunk of its own once bundled). */
const modules = {
  cloudFormation: () => import("./sdk/cloudformation.js"),
  ec2: () => import("./sdk/ec2.js"),
  ecs: () => import("./sdk/ecs.js"),
  elb: () => import("./sdk/elb.js"),
  ecr: () => import("./sdk/ecr.js"),
  acm: () => import("./sdk/acm.js"),
  logs: () => import("./sdk/logs.js"),
  s3: () => import("./sdk/s3.js"),
  codeBuild: () => import("./sdk/codebuild.js"),
  codePipeline: () => import("./sdk/codepipeline.js"),
  connections: () => import("./sdk/connections.js"),
  efs: () => import("./sdk/efs.js"),
  sts: () => import("./sdk/sts.js"),
  ssm: () => import("./sdk/ssm.js"),
} satisfies Record<ClientName, () => Promise<unknown>>;

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
  let preloading = false;
  const onDemand = <T extends object>(build: () => Promise<T>): T =>
    onFirstCall(async () => {
      const client = await build();
      if (!preloading) {
        preloading = true;
        // A failed preload is only a lost head start: the call that needs the client loads it again and reports the error.
        for (const name of options.preload ?? []) modules[name]().catch(() => undefined);
      }
      return client;
    });

  return {
    region,
    regionSource,
    cloudFormation: onDemand(async () => {
      const sdk = await modules.cloudFormation();
      return new sdk.SdkCloudFormation(new sdk.CloudFormationClient(config), context);
    }),
    ec2: onDemand(async () => {
      const sdk = await modules.ec2();
      return new sdk.SdkEc2(new sdk.EC2Client(config), context);
    }),
    ecs: onDemand(async () => {
      const sdk = await modules.ecs();
      return new sdk.SdkEcs(new sdk.ECSClient(config), context);
    }),
    elb: onDemand(async () => {
      const sdk = await modules.elb();
      return new sdk.SdkElb(new sdk.ElasticLoadBalancingV2Client(config), context);
    }),
    ecr: onDemand(async () => {
      const sdk = await modules.ecr();
      return new sdk.SdkEcr(new sdk.ECRClient(config), context);
    }),
    acm: onDemand(async () => {
      const sdk = await modules.acm();
      return new sdk.SdkAcm(new sdk.ACMClient(config), context);
    }),
    logs: onDemand(async () => {
      const sdk = await modules.logs();
      return new sdk.SdkLogs(new sdk.CloudWatchLogsClient(config), context);
    }),
    s3: onDemand(async () => {
      const sdk = await modules.s3();
      // Emulators serve every bucket under one host, so virtual-hosted bucket names would not resolve.
      return new sdk.SdkS3(new sdk.S3Client({ ...config, ...(endpointUrl ? { forcePathStyle: true } : {}) }), context);
    }),
    codeBuild: onDemand(async () => {
      const sdk = await modules.codeBuild();
      return new sdk.SdkCodeBuild(new sdk.CodeBuildClient(config), context);
    }),
    codePipeline: onDemand(async () => {
      const sdk = await modules.codePipeline();
      return new sdk.SdkCodePipeline(new sdk.CodePipelineClient(config), context);
    }),
    connections: onDemand(async () => {
      const sdk = await modules.connections();
      return new sdk.SdkConnections(new sdk.CodeStarConnectionsClient(config), context);
    }),
    efs: onDemand(async () => {
      const sdk = await modules.efs();
      return new sdk.SdkEfs(new sdk.EFSClient(config), context);
    }),
    sts: onDemand(async () => {
      const sdk = await modules.sts();
      return new sdk.SdkSts(new sdk.STSClient(config), context);
    }),
    ssm: onDemand(async () => {
      const sdk = await modules.ssm();
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
  const { STSClient } = await modules.sts();
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
