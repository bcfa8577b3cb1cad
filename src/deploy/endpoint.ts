/**
 * The tutorial's sequence, scripted: create (or join) the stack with no
 * tasks, create the pipeline, patch security groups, obtain the image, update
 * the stack with it, validate. Every step converges, so a run that was
 * interrupted finishes the job when started again.
 */
import type { Stack } from "../aws/interfaces.js";
import { AwsError, InputError, InterruptedError } from "../errors.js";
import { endpointId, type EndpointConfig } from "../params/model.js";
import { TUTORIAL_PARAMETERS } from "../params/tutorial-keys.js";
import { baseExportName, pipelineName } from "../render/names.js";
import { placeholderImageTag, renderEndpointStack, type DeploymentFacts } from "../render/render.js";
import { rolloutEstimateLine, rolloutSettingsOf } from "../render/rollout-time.js";
import { ensureCertificate } from "./certificate.js";
import { regionText, stackDeps, type DeployContext } from "./context.js";
import { findExport, requireOutput, stackParameters } from "./discovery.js";
import { findEndpointFileSystems, keptVolumes } from "./file-systems.js";
import { ensureListenerCertificate } from "./listener-certificates.js";
import { endpointLogGroupName, logGroupExists } from "./log-groups.js";
import { followPipelineExecution, imageExists, waitForImage } from "./image.js";
import { checkConnection, ensurePipeline, waitForConnection } from "./pipeline.js";
import { choosePriority, usedPriorities } from "./priority.js";
import { ensureNfsRule } from "./security-groups.js";
import { deployStack, findStack, STACK_TIMEOUT_MS, stackOutputs, type DeployOutcome } from "./stack.js";
import { serviceRolloutLine, validateEndpoint, type EndpointResources, type ValidationReport } from "./validate.js";

/** Options of create-endpoint and add-endpoint. */
export interface DeployEndpointOptions {
  /** Image tag to deploy; absent: the tag already running, the file's tag, or the pipeline's first build. */
  tag?: string;
  /** `--no-pipeline`: images are built elsewhere. */
  pipeline: boolean;
  imageTimeoutMs: number;
  rolloutTimeoutMs: number;
}

/** What a deployment did and where the endpoint is. */
export interface EndpointResult {
  endpoint: string;
  stackName: string;
  stack: DeployOutcome["kind"];
  imageTag: string;
  listenerPriority?: number;
  keptFileSystemsMounted: string[];
  validation: ValidationReport;
}

/** How many times an added endpoint retries when another endpoint took its listener priority first. */
const priorityAttempts = 5;

/** Runs the whole sequence for a base or an added endpoint. */
export async function deployEndpoint(config: EndpointConfig, options: DeployEndpointOptions, ctx: DeployContext): Promise<EndpointResult> {
  const id = endpointId(config);
  const { out } = ctx;
  const listenerArn = config.kind === "added" ? await baseListener(config, ctx) : undefined;

  const existing = liveStack(await findStack(ctx.aws.cloudFormation, id));
  const previous = existing ? stackParameters(existing) : {};
  if (existing) refuseReplacements(config, previous);
  const runningTag = previous.APITag && previous.APITag !== placeholderImageTag ? previous.APITag : undefined;
  const followsPipeline = options.pipeline && !!config.pipeline && !options.tag && !config.container.tag && !runningTag;
  if (!followsPipeline && !options.tag && !config.container.tag && !runningTag) {
    throw new InputError(
      [{ path: "--tag", message: config.pipeline ? "no image to deploy: the pipeline is skipped (--no-pipeline) and no tag was given" : "no image to deploy: the endpoint has no pipeline section and no tag was given" }],
      "Push an image to the endpoint's ECR repository and pass --tag TAG, or add a pipeline section.",
    );
  }

  out.step(`Certificate for ${config.api.hostHeader}`);
  const certificateArn = config.api.certificateArn ?? previous.DNSCertArn ?? (await ensureCertificate(config, ctx));
  if (listenerArn) {
    const attached = await ensureListenerCertificate(ctx.aws.elb, ctx.aws.acm, listenerArn, config.api.hostHeader, certificateArn, { clock: ctx.clock, signal: ctx.signal });
    out.info(attached === "attached" ? `Attached the certificate to the base's HTTPS listener` : `The base's HTTPS listener serves ${config.api.hostHeader}`);
  }

  const facts: DeploymentFacts = { certificateArn, imageTag: runningTag, deployedDesiredCount: existing ? deployedDesiredCount(previous) : undefined };
  let mounted: string[] = [];
  if (existing) {
    facts.assetsFileSystemId = previous.AssetsFileSystemId || undefined;
    facts.weightsFileSystemId = previous.WeightsFileSystemId || undefined;
    facts.logGroupExists = previous.LogGroupExists === "true";
  } else {
    const kept = await keptResources(id, ctx);
    Object.assign(facts, kept.facts);
    mounted = kept.mounted;
    if (mounted.length) out.info(`Mounting kept EFS file systems again: ${mounted.join(", ")}`);
    if (facts.logGroupExists) out.info(`Using the kept log group ${endpointLogGroupName(id)}`);
  }

  out.step(existing ? `Stack ${id}` : `Creating stack ${id} with no tasks (the image does not exist yet)`);
  let outcome = await deployWithPriority(config, facts, previous, listenerArn, existing ? undefined : () => keptResources(id, ctx).then((k) => k.facts), ctx);

  const outputs = outcome.outputs;
  if (options.pipeline && config.pipeline) {
    // Checked before the pipeline exists: its first execution fails at the source while the handshake is pending.
    const connection = await checkConnection(config, ctx);
    if (connection === "pending" && followsPipeline) await waitForConnection(config, options.imageTimeoutMs, ctx);
    await ensurePipeline(config, { ecrRepositoryName: requireOutput(outputs, "EcrRepositoryName", id), ecrRepositoryUri: requireOutput(outputs, "EcrRepositoryUri", id) }, ctx);
  } else if (config.pipeline) {
    out.info("Pipeline skipped (--no-pipeline).");
  }

  out.step("Patching security groups");
  await admitTasksToEfs(outputs, id, ctx);

  const repository = requireOutput(outputs, "EcrRepositoryName", id);
  const imageTag = await obtainImage(config, options, runningTag, repository, followsPipeline, ctx);

  out.step(`Deploying image ${imageTag} with ${config.scaling.desired} task(s)`);
  // The priority the first deployment settled on (chosen, or retried after a collision).
  const listenerPriority = Number(stackParameters(outcome.stack).ListenerRulePriority) || facts.listenerPriority;
  outcome = await rollOut(config, outcome.stack, { ...facts, imageTag, listenerPriority }, options.rolloutTimeoutMs, ctx);
  if (outcome.kind === "unchanged") out.info(`Stack ${id} already runs ${imageTag}`);

  const validation = await validateOwnRollout(id, imageTag, resourcesFrom(outcome.outputs, config), options.rolloutTimeoutMs, ctx);
  printWhereItIs(validation, ctx);
  return {
    endpoint: id,
    stackName: id,
    stack: outcome.kind,
    imageTag,
    listenerPriority: config.kind === "added" ? Number(stackParameters(outcome.stack).ListenerRulePriority) : undefined,
    keptFileSystemsMounted: mounted,
    validation,
  };
}

/** Options of `update --tag`. */
export interface UpdateOptions {
  tag: string;
  rolloutTimeoutMs: number;
}

/** Result of `update`. */
export interface UpdateResult {
  endpoint: string;
  imageTag: string;
  previousTag?: string;
  stack: DeployOutcome["kind"];
  validation?: ValidationReport;
}

/** Rolls out a new image: refuses a tag missing from ECR before any change; a tag already deployed is a no-op. */
export async function updateEndpoint(config: EndpointConfig, options: UpdateOptions, ctx: DeployContext): Promise<UpdateResult> {
  const id = endpointId(config);
  const stack = liveStack(await findStack(ctx.aws.cloudFormation, id));
  if (!stack) {
    throw new InputError([{ file: config.source, path: "project", message: `no stack ${id} in region ${regionText(ctx.aws)}` }], `Create it first: mlops ${config.kind === "base" ? "create-endpoint" : "add-endpoint"} ${config.source}`);
  }
  const previous = stackParameters(stack);
  refuseReplacements(config, previous);
  const outputs = stackOutputs(stack);
  const repository = requireOutput(outputs, "EcrRepositoryName", id);
  if (!(await imageExists(ctx.aws.ecr, repository, options.tag))) {
    throw new InputError([{ path: "--tag", message: `image ${repository}:${options.tag} is not in ECR; nothing was changed` }], "Push the image (or let the pipeline build it) and run the same command again.");
  }
  ctx.out.step(`Updating ${id}: ${previous.APITag ?? "?"} -> ${options.tag}`);
  const facts: DeploymentFacts = {
    certificateArn: config.api.certificateArn ?? previous.DNSCertArn,
    imageTag: options.tag,
    assetsFileSystemId: previous.AssetsFileSystemId || undefined,
    weightsFileSystemId: previous.WeightsFileSystemId || undefined,
    logGroupExists: previous.LogGroupExists === "true",
    listenerPriority: config.api.listenerPriority ?? (Number(previous.ListenerRulePriority) || undefined),
  };
  const outcome = await rollOut(config, stack, facts, options.rolloutTimeoutMs, ctx);
  // A failed update of the base can take the rule with it; every run puts it back.
  await admitTasksToEfs(outcome.outputs, id, ctx);
  if (outcome.kind === "unchanged") {
    ctx.out.success(`${id} already runs ${options.tag}: nothing to change`);
    return { endpoint: id, imageTag: options.tag, previousTag: previous.APITag, stack: "unchanged" };
  }
  const validation = await validateOwnRollout(id, options.tag, resourcesFrom(outcome.outputs, config), options.rolloutTimeoutMs, ctx);
  printWhereItIs(validation, ctx);
  return { endpoint: id, imageTag: options.tag, previousTag: previous.APITag, stack: outcome.kind, validation };
}

/**
 * Rolls an image out on a deployed stack. The image and a changed task count go out
 * in one update: a new task definition with the count is one ECS deployment, which the
 * circuit breaker judges; a count raised on its own starts no deployment (UpdateService
 * starts one for a new task definition or forceNewDeployment:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html). The count is
 * sent only when it differs from the one the stack was deployed with, so a rollout keeps
 * what autoscaling set.
 */
export async function rollOut(config: EndpointConfig, stack: Stack, facts: DeploymentFacts, rolloutTimeoutMs: number, ctx: DeployContext): Promise<DeployOutcome> {
  const spec = stackSpec(config, { ...facts, deployedDesiredCount: deployedDesiredCount(stackParameters(stack)) });
  // Printed before the change set: the plan of this rollout, as AWS will run it.
  if (facts.imageTag !== stackParameters(stack).APITag) ctx.out.info(rolloutEstimateLine(rolloutSettingsOf(spec.parameters, config.scaling.desired)));
  return deployStack(spec, stackDeps(ctx, rolloutOf(stackOutputs(stack), endpointId(config), ctx), rolloutStackTimeout(rolloutTimeoutMs)));
}

/**
 * The deadline of the stack update that carries a rollout: CloudFormation waits inside it for
 * the ECS service to stabilize, so a longer `--rollout-timeout` (a slow model load) lengthens it;
 * a shorter one does not cut below what a stack update may take (`STACK_TIMEOUT_MS`).
 */
export function rolloutStackTimeout(rolloutTimeoutMs: number): number {
  return Math.max(STACK_TIMEOUT_MS, rolloutTimeoutMs);
}

/** The DesiredCount a stack was deployed with; undefined when it has none (then the count is sent). */
function deployedDesiredCount(parameters: Record<string, string>): number | undefined {
  const value = parameters.DesiredCount;
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * Fields whose change makes CloudFormation replace a resource that has a fixed name,
 * which it cannot do ("If you specify a name, you cannot perform updates that require
 * replacement of this resource": the Name property of AWS::ElasticLoadBalancingV2::TargetGroup,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-targetgroup.html).
 *
 * Decided per resource: every named resource keeps its name (`project-environment`, which
 * users see and search for), because no field of the parameter file reaches its create-only
 * properties except the target group's: the load balancer's (Name, Scheme, Type), the cluster's
 * and service's (ClusterName, ServiceName, Cluster, Role, SchedulingStrategy), the repository's
 * (RepositoryName) and the log group's (LogGroupName) are fixed by mlops. The target group's
 * Port (api.port) and VpcId (network.vpcCidr replaces the VPC) are create-only: those changes are
 * refused here before anything changes, and the stack step refuses any other replacement of a
 * named resource from the change set itself.
 */
const REPLACING_PARAMETERS: { parameter: string; what: string }[] = [
  { parameter: "ApiPort", what: "the target group's port" },
  { parameter: "VpcCidr", what: "the VPC (and with it the target group)" },
];

/** Refuses, before any change, a parameter change that would need a custom-named resource replaced. */
function refuseReplacements(config: EndpointConfig, previous: Record<string, string>): void {
  const wanted = renderEndpointStack(config).parameters;
  const issues = REPLACING_PARAMETERS.filter(({ parameter }) => previous[parameter] !== undefined && wanted[parameter] !== undefined && previous[parameter] !== wanted[parameter]).map(
    ({ parameter, what }) => ({
      file: config.source,
      path: fieldOfParameter(config, parameter) ?? parameter,
      message: `is ${previous[parameter]} on the deployed endpoint ${endpointId(config)}; changing it to ${wanted[parameter]} would replace ${what}, which CloudFormation cannot do for a resource with a fixed name. Nothing was changed`,
    }),
  );
  if (issues.length > 0) {
    throw new InputError(issues, `Keep the deployed value. To change it, tear the endpoint down (mlops teardown ${config.source}; its EFS data is kept) and create it again with the new value.`);
  }
}

/** The parameter file's field that sets a stack parameter, in the file's own format. */
function fieldOfParameter(config: EndpointConfig, parameter: string): string | undefined {
  const entry = TUTORIAL_PARAMETERS.find((p) => p.key === parameter);
  if (!entry) return undefined;
  return config.format === "mlops" ? entry.paths.join(" / ") : entry.key;
}

/**
 * Validates the rollout of `tag`, then checks that it is still what the
 * stack runs. A validation that fails because another update replaced the
 * task definition meanwhile is reported as that update, not as a rollback.
 */
async function validateOwnRollout(id: string, tag: string, resources: EndpointResources, rolloutTimeoutMs: number, ctx: DeployContext): Promise<ValidationReport> {
  let validation: ValidationReport;
  try {
    validation = await validateEndpoint(resources, { rolloutTimeoutMs }, ctx);
  } catch (error) {
    if (!(error instanceof InterruptedError)) await requireStillRunning(id, tag, ctx);
    throw error;
  }
  await requireStillRunning(id, tag, ctx);
  return validation;
}

/**
 * Fails when, at the end, the stack names another tag than the one this
 * command deployed: another update came after it (a build, or someone
 * without mlops, who takes no lease), so "ready" would describe an image
 * that no longer runs.
 */
async function requireStillRunning(id: string, tag: string, ctx: DeployContext): Promise<void> {
  const stack = await findStack(ctx.aws.cloudFormation, id);
  const running = stack ? stackParameters(stack).APITag : undefined;
  if (running === tag) return;
  throw new AwsError(
    running ? `${id} was superseded by tag ${running} from another update while this one ran: ${tag} is not what runs.` : `Stack ${id} disappeared while this command deployed ${tag}.`,
    { hint: running ? `If ${tag} should run, run mlops update with --tag ${tag} again.` : "Check with mlops status, then run the same command again." },
  );
}

/** Makes the EFS security group admit the endpoint's tasks on 2049 (the rule lives outside the stack: see security-groups.ts). */
async function admitTasksToEfs(outputs: Record<string, string>, id: string, ctx: DeployContext): Promise<void> {
  const nfs = await ensureNfsRule(ctx.aws.ec2, {
    efsSecurityGroupId: requireOutput(outputs, "EfsSecurityGroupId", id),
    taskSecurityGroupId: requireOutput(outputs, "TaskSecurityGroupId", id),
    description: `mlops ${id}: tasks mount EFS`,
  }, { clock: ctx.clock, signal: ctx.signal });
  ctx.out.success(nfs === "added" ? `EFS security group now admits ${id}'s tasks on 2049` : `EFS security group admits ${id}'s tasks on 2049`);
}

function stackSpec(config: EndpointConfig, facts: DeploymentFacts) {
  const rendered = renderEndpointStack(config, facts);
  return {
    stackName: rendered.stackName,
    templateBody: rendered.templateBody,
    parameters: rendered.parameters,
    tags: rendered.tags,
    capabilities: ["CAPABILITY_IAM" as const],
    fieldOfParameter: (parameter: string) => fieldOfParameter(config, parameter),
  };
}

/** A stack that can be updated; a failed first create is treated as absent (the stack step deletes it). */
function liveStack(stack: Stack | undefined): Stack | undefined {
  if (!stack) return undefined;
  return stack.StackStatus === "ROLLBACK_COMPLETE" || stack.StackStatus === "REVIEW_IN_PROGRESS" ? undefined : stack;
}

/** What a new stack adopts from an earlier one: kept file systems and log group, found by name and tag. */
async function keptResources(id: string, ctx: DeployContext): Promise<{ facts: DeploymentFacts; mounted: string[] }> {
  const kept = keptVolumes(await findEndpointFileSystems(ctx.aws.efs, id));
  const facts: DeploymentFacts = {
    assetsFileSystemId: kept.assets,
    weightsFileSystemId: kept.weights,
    logGroupExists: await logGroupExists(ctx.aws.logs, endpointLogGroupName(id)),
  };
  return { facts, mounted: [kept.assets, kept.weights].filter((fs): fs is string => !!fs) };
}

/**
 * Deploys the stack, choosing a free listener priority for an added endpoint
 * and retrying when another endpoint took it first. A failed first create
 * keeps its retained file systems and log group, so a retry adopts them
 * (`adoptKept`) instead of colliding with them.
 */
async function deployWithPriority(
  config: EndpointConfig,
  facts: DeploymentFacts,
  previous: Record<string, string>,
  listenerArn: string | undefined,
  adoptKept: (() => Promise<DeploymentFacts>) | undefined,
  ctx: DeployContext,
): Promise<DeployOutcome> {
  if (config.kind === "base" || !listenerArn) return deployStack(stackSpec(config, facts), stackDeps(ctx));
  const fixed = config.api.listenerPriority ?? (Number(previous.ListenerRulePriority) || undefined);
  if (fixed !== undefined) return deployStack(stackSpec(config, { ...facts, listenerPriority: fixed }), stackDeps(ctx));
  const tried = new Set<number>();
  for (let attempt = 1; ; attempt++) {
    const priority = choosePriority(endpointId(config), await usedPriorities(ctx.aws.elb, listenerArn), tried);
    if (priority === undefined) throw new AwsError("Every listener rule priority (1-50000) of the base's HTTPS listener is taken.");
    ctx.out.info(`Listener rule priority ${priority}`);
    try {
      return await deployStack(stackSpec(config, { ...facts, listenerPriority: priority }), stackDeps(ctx));
    } catch (error) {
      const collided = error instanceof AwsError && /priority/i.test(error.message) && /in use|PriorityInUse/i.test(error.message);
      if (!collided || attempt >= priorityAttempts) throw error;
      tried.add(priority);
      ctx.out.warn(`Priority ${priority} was taken by another endpoint at the same moment; choosing another.`);
      if (adoptKept) Object.assign(facts, await adoptKept());
    }
  }
}

/** The base's HTTPS listener; refuses early, with exit code 2, when the base an added endpoint names does not exist. */
async function baseListener(config: EndpointConfig, ctx: DeployContext): Promise<string> {
  const name = baseExportName(config, "HttpsListenerArn");
  const listenerArn = await findExport(ctx.aws.cloudFormation, name);
  if (listenerArn) return listenerArn;
  throw new InputError(
    [{ file: config.source, path: config.format === "mlops" ? "base" : "BaseProjectName", message: `no base endpoint ${config.baseProject}-${config.environment} in region ${regionText(ctx.aws)} (export ${name} not found)` }],
    `Create the base first: mlops create-endpoint <base params>, or fix the base name.`,
  );
}

async function obtainImage(
  config: EndpointConfig,
  options: DeployEndpointOptions,
  runningTag: string | undefined,
  repository: string,
  followsPipeline: boolean,
  ctx: DeployContext,
): Promise<string> {
  const explicit = options.tag ?? config.container.tag;
  if (explicit) {
    await waitForImage(repository, explicit, options.imageTimeoutMs, ctx);
    return explicit;
  }
  if (runningTag) {
    ctx.out.info(`Keeping the running image ${runningTag} (pass --tag to deploy another).`);
    return runningTag;
  }
  if (!followsPipeline) throw new Error("obtainImage: no source of an image (checked before any change)");
  await ctx.awaitingBuild?.(endpointId(config));
  try {
    return await followPipelineExecution(pipelineName(endpointId(config)), ctx.aws.region, options.imageTimeoutMs, ctx);
  } finally {
    await ctx.awaitingBuild?.(undefined).catch(() => undefined);
  }
}


/** The ECS rollout line of the endpoint's service, for the stack step to show while it waits. */
function rolloutOf(outputs: Record<string, string>, id: string, ctx: DeployContext): () => Promise<string | undefined> {
  return () => serviceRolloutLine(requireOutput(outputs, "ClusterName", id), requireOutput(outputs, "ServiceName", id), ctx);
}

/** Where validation looks, from the stack's outputs. */
export function resourcesFrom(outputs: Record<string, string>, config: EndpointConfig): EndpointResources {
  const id = endpointId(config);
  return {
    stackName: id,
    clusterName: requireOutput(outputs, "ClusterName", id),
    serviceName: requireOutput(outputs, "ServiceName", id),
    targetGroupArn: requireOutput(outputs, "TargetGroupArn", id),
    logGroupName: requireOutput(outputs, "LogGroupName", id),
    loadBalancerDnsName: requireOutput(outputs, "LoadBalancerDnsName", id),
    hostHeader: config.api.hostHeader,
  };
}

function printWhereItIs(report: ValidationReport, ctx: DeployContext): void {
  ctx.out.success(`Endpoint ready: ${report.url}`);
  ctx.out.info(`Load balancer: ${report.loadBalancerDnsName}`);
  ctx.out.info(`Create this DNS record at your DNS provider: ${report.dnsRecord}`);
}
