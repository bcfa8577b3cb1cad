/**
 * Builds the SDK clients behind every interface of `interfaces.ts`, once per
 * command, with the same region, profile, retry policy (`retry.ts`) and endpoint.
 *
 * Each client is loaded on its first call: the SDK is most of mlops's code,
 * and a command that only reads CloudFormation and ECS should not pay for
 * loading CodePipeline, EC2 or S3.
 */
import { InputError } from "../errors.js";
import type { AwsClients } from "./interfaces.js";
import { regionProblem } from "./regions.js";
import { clientRetryConfig, parseRetrySettings, type RetrySettings } from "./retry.js";
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
  /** How long calls retry and how long one attempt may take (`retry.ts`); default: 60 s and 30 s. */
  retry?: RetrySettings;
  /** Ctrl-C: reaches every request. */
  signal?: AbortSignal;
  /** `region` came from AWS's own list (EC2 DescribeRegions): no need to know its name in advance. */
  regionListedByAws?: boolean;
}

/** The name of one client of `AwsClients`. */
export type ClientName = Exclude<keyof AwsClients, "region" | "regionSource" | "profile" | "endpointUrl">;

/** Each client's module (a chunk of its own once bundled). */
const modules = {
  cloudFormation: () => import("./sdk/cloudformation.js"),
  ec2: () => import("./sdk/ec2.js"),
  ecs: () => import("./sdk/ecs.js"),
  cloudWatch: () => import("./sdk/cloudwatch.js"),
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
  route53: () => import("./sdk/route53.js"),
  iam: () => import("./sdk/iam.js"),
} satisfies Record<ClientName, () => Promise<unknown>>;

/** The configuration every SDK client is built with. */
export function clientConfig(region: string, profile: string | undefined, endpointUrl: string | undefined, retry: RetrySettings) {
  return {
    region,
    ...clientRetryConfig(retry),
    ...(profile ? { profile } : {}),
    ...(endpointUrl ? { endpoint: endpointUrl } : {}),
  };
}

/** What every client is built with. */
interface ClientSetup {
  config: ReturnType<typeof clientConfig>;
  context: AdapterContext;
  endpointUrl?: string;
}

/** How each client's adapter is built from its module. */
const builders: { [K in ClientName]: (setup: ClientSetup) => Promise<AwsClients[K]> } = {
  cloudFormation: async ({ config, context }) => {
    const sdk = await modules.cloudFormation();
    return new sdk.SdkCloudFormation(new sdk.CloudFormationClient(config), context);
  },
  ec2: async ({ config, context }) => {
    const sdk = await modules.ec2();
    return new sdk.SdkEc2(new sdk.EC2Client(config), context);
  },
  ecs: async ({ config, context }) => {
    const sdk = await modules.ecs();
    return new sdk.SdkEcs(new sdk.ECSClient(config), context);
  },
  cloudWatch: async ({ config, context }) => {
    const sdk = await modules.cloudWatch();
    return new sdk.SdkCloudWatch(new sdk.CloudWatchClient(config), context);
  },
  elb: async ({ config, context }) => {
    const sdk = await modules.elb();
    return new sdk.SdkElb(new sdk.ElasticLoadBalancingV2Client(config), context);
  },
  ecr: async ({ config, context }) => {
    const sdk = await modules.ecr();
    return new sdk.SdkEcr(new sdk.ECRClient(config), context);
  },
  acm: async ({ config, context }) => {
    const sdk = await modules.acm();
    return new sdk.SdkAcm(new sdk.ACMClient(config), context);
  },
  logs: async ({ config, context }) => {
    const sdk = await modules.logs();
    return new sdk.SdkLogs(new sdk.CloudWatchLogsClient(config), context);
  },
  s3: async ({ config, context, endpointUrl }) => {
    const sdk = await modules.s3();
    // Emulators serve every bucket under one host, so virtual-hosted bucket names would not resolve.
    return new sdk.SdkS3(new sdk.S3Client({ ...config, ...(endpointUrl ? { forcePathStyle: true } : {}) }), context);
  },
  codeBuild: async ({ config, context }) => {
    const sdk = await modules.codeBuild();
    return new sdk.SdkCodeBuild(new sdk.CodeBuildClient(config), context);
  },
  codePipeline: async ({ config, context }) => {
    const sdk = await modules.codePipeline();
    return new sdk.SdkCodePipeline(new sdk.CodePipelineClient(config), context);
  },
  connections: async ({ config, context }) => {
    const sdk = await modules.connections();
    return new sdk.SdkConnections(new sdk.CodeStarConnectionsClient(config), context);
  },
  efs: async ({ config, context }) => {
    const sdk = await modules.efs();
    return new sdk.SdkEfs(new sdk.EFSClient(config), context);
  },
  sts: async ({ config, context }) => {
    const sdk = await modules.sts();
    return new sdk.SdkSts(new sdk.STSClient(config), context);
  },
  ssm: async ({ config, context }) => {
    const sdk = await modules.ssm();
    // Leases are given back after Ctrl-C: their calls do not carry the abort signal (each is one short request).
    return new sdk.SdkSsm(new sdk.SSMClient(config), { ...context, signal: undefined });
  },
  route53: async ({ config, context }) => {
    const sdk = await modules.route53();
    return new sdk.SdkRoute53(new sdk.Route53Client(config), context);
  },
  iam: async ({ config, context }) => {
    const sdk = await modules.iam();
    return new sdk.SdkIam(new sdk.IAMClient(config), context);
  },
};

/** Builds SDK v3 clients for every AWS interface mlops uses. Throws `InputError` when no region can be found. */
export async function createAwsClients(options: AwsClientOptions): Promise<AwsClients> {
  // The SDK warns on every run about Node versions it will drop later; users can do nothing about it mid-command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

  const profile = options.profile || undefined;
  const endpointUrl = checkEndpointUrl(options.endpointUrl || undefined);
  const { region, source: regionSource } =
    options.region && options.regionListedByAws ? { region: options.region, source: undefined } : await resolveRegion(options.region, profile);
  const retry = options.retry ?? parseRetrySettings({});
  const setup: ClientSetup = {
    config: clientConfig(region, profile, endpointUrl, retry),
    context: { region, profile, endpointUrl, signal: options.signal, retryBudgetMs: retry.budgetMs, requestTimeoutMs: retry.requestTimeoutMs },
    endpointUrl,
  };
  let preloading = false;
  const onDemand = <K extends ClientName>(name: K): AwsClients[K] =>
    onFirstCall(async () => {
      const client = await builders[name](setup);
      if (!preloading) {
        preloading = true;
        // A failed preload is only a lost head start: the call that needs the client loads it again and reports the error.
        for (const other of options.preload ?? []) modules[other]().catch(() => undefined);
      }
      return client;
    });
  const clients = Object.fromEntries((Object.keys(builders) as ClientName[]).map((name) => [name, onDemand(name)])) as Pick<AwsClients, ClientName>;
  return { region, regionSource, profile, endpointUrl, ...clients };
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

/** An endpoint URL the SDK can call: http(s), with a host. Anything else is bad input, found before any call. */
export function checkEndpointUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const bad = (message: string) =>
    new InputError(
      [{ path: "--endpoint-url", message: `${JSON.stringify(raw)} ${message}` }],
      "Give the whole URL with its scheme, e.g. --endpoint-url http://127.0.0.1:4566 (also MLOPS_ENDPOINT_URL).",
    );
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

/** A region named where it came from; a malformed or unknown one is bad input (exit 2), before any call. */
function checkRegion(region: string, source: string): string {
  const problem = regionProblem(region);
  if (!problem) return region;
  throw new InputError(
    [{ path: source, message: problem }],
    "Use a region such as us-east-1 or eu-west-1 (aws ec2 describe-regions lists those open to the account).",
  );
}

/** The flag, then the environment, then the profile's `region` in ~/.aws/config; with where it came from. A malformed name is bad input. */
async function resolveRegion(flag: string | undefined, profile: string | undefined): Promise<{ region: string; source: string }> {
  if (flag) return { region: checkRegion(flag, "--region"), source: "--region" };
  // The JS SDK ignores AWS_DEFAULT_REGION, which the AWS CLI (and so many users' shells) rely on.
  for (const variable of ["AWS_REGION", "AWS_DEFAULT_REGION"]) {
    const value = process.env[variable];
    if (value) return { region: checkRegion(value, variable), source: variable };
  }

  // A throwaway client resolves the region the way every SDK client would, config files included.
  const { STSClient } = await modules.sts();
  const probe = new STSClient(profile ? { profile } : {});
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
