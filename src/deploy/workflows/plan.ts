/**
 * Plan first, then apply: before changing anything, a command works out
 * everything it will do (certificate, stacks and what changes inside them,
 * pipeline, security-group rule, rollout) using only calls that read. The
 * plan is printed once and approved once; the apply then runs unattended.
 * `mlops diff` prints the same plan and stops.
 *
 * Stack changes are computed from the deployed template and parameters
 * (GetTemplate, DescribeStacks) against the new ones, not from a change set:
 * creating a change set is itself a change (a new stack in REVIEW_IN_PROGRESS
 * for a stack that does not exist yet), and declining must leave nothing
 * behind.
 */
import { runnable, type Invocation } from "../../io/invocation.js";
import type { Stack } from "../../aws/interfaces.js";
import { AwsError, InputError } from "../../errors.js";
import { describeComputeType } from "../../params/compute-types.js";
import { endpointId, type EndpointConfig } from "../../params/model.js";
import { baseProjectField, fieldOfParameter, type DeployedEndpoint } from "../../render/contract.js";
import { baseExportName, baseStackName, imagesStackName, pipelineName, pipelineStackName } from "../../render/names.js";
import {
  renderEndpointStack,
  renderImagesStack,
  renderPipelineStack,
  type DeploymentFacts,
  type RenderedStack,
  type ShardFacts,
  type TrafficWeights,
} from "../../render/render.js";
import { diffParameters, diffTemplates, templateResources, type ParameterChange, type ResourceDiff } from "../engine/template-diff.js";
import { createEstimateOf, type CreateEstimate } from "../engine/create-time.js";
import { capacityLines } from "../engine/gpu-plan.js";
import { regionText, type DeployContext } from "../context.js";
import { exportMap, readDeployed, readDeployedPipeline, repositoryLayout, stackParameters } from "../engine/discovery.js";
import { findStack, readStack, stackOutputs } from "../engine/stack.js";
import { missingStackError } from "../steps/other-regions.js";
import { findIssuedCertificate, findPendingCertificate } from "../steps/certificate.js";
import { compareRecords, desiredRecords, loadBalancerServing, validationRecords, zoneFor, type HostedZoneRef, type RecordPlan } from "../steps/dns.js";
import { findEndpointFileSystems, keptVolumes } from "../steps/file-systems.js";
import { FIRST_PUSHED_TAG, imageExists } from "../steps/image.js";
import { listenerServes } from "../steps/listener-certificates.js";
import { endpointLogGroupName, logGroupExists } from "../steps/log-groups.js";
import { codeBuildProject, projectChanges as changesOfProject, readProject } from "../steps/pipeline.js";
import {
  choosePlacement,
  issuedCertificateNames,
  readPlacementBasis,
  requireRegionRoom,
  requireSubnetRoom,
  stackResourceIds,
  type LoadBalancerNeed,
  type Placement,
  type PlacementBasis,
} from "../steps/placement.js";
import { choosePriority, usedPriorities } from "../steps/priority.js";
import { nfsRuleExists } from "../steps/security-groups.js";
import { idleTimeoutWarning, servingIdleTimeout } from "../steps/idle-timeout.js";
import { keptTrafficWeights, readTrafficWeights } from "../steps/traffic.js";
import {
  changeSummary,
  deployedFacts,
  isMechanismOnly,
  refuseReplacements,
  rolloutEstimate,
  rolloutStrategy,
  withoutCountHandover,
} from "./plan-parameters.js";
import { costInputOf, estimateMonthlyCost, type CostEstimate } from "../../render/prices.js";

/** What will happen to one stack. */
export interface StackPlan {
  stackName: string;
  action: "create" | "update" | "unchanged";
  /** A repair that comes first (a failed first creation deleted, a rollback continued). */
  repair?: string;
  /** create: the resources the stack will have. */
  resources: { logicalId: string; type: string }[];
  /** update: what changes, resource by resource and property by property. */
  changes: ResourceDiff[];
  /** update: parameters whose value changes. */
  parameters: ParameterChange[];
}

/** Where the certificate comes from. */
export type CertificatePlan = { action: "given" | "deployed" | "found"; arn: string } | { action: "await"; arn: string } | { action: "request" };

/** The rollout the plan ends with. */
export interface RolloutPlan {
  /** The image tag; undefined when the pipeline's first build decides it. */
  tag?: string;
  /** push: no pipeline builds it and none was given: the first image, pushed by hand, under `FIRST_PUSHED_TAG`. */
  tagSource: "given" | "running" | "pipeline" | "push";
  /** Whether the tag is in ECR already (false: the command waits for it). */
  imageInEcr?: boolean;
  /** update without a tag: why this image (the running one kept, or git HEAD's build found in ECR). */
  why?: string;
  desired: number;
  min: number;
  max: number;
  strategy: string;
  /** How long the rollout takes on AWS with these settings (the rollout-time model). */
  estimate?: string;
  /** How long the whole create takes on AWS (the create-time model); only when the stack is created. */
  create?: CreateEstimate;
  /** GPU and Neuron endpoints: capacity, price and the extra instances of a rollout. */
  capacity?: string[];
}

/** The order of the apply: the endpoint's stack beside the image's side, or one after the other. */
export interface DeployOrder {
  sideBySide: boolean;
  text: string;
}

/**
 * The order of the apply. The image's side (the pipeline and its first build, or the wait for an image
 * pushed by hand) needs only the ECR repository: where that exists apart from the endpoint's stack, it
 * runs beside that stack and the rollout starts once both are done. Where the endpoint's own stack
 * holds the repository (an endpoint created by an earlier release), the image waits for that stack.
 */
export function deployOrder(separateRepository: boolean, stackExists: boolean, tagSource: RolloutPlan["tagSource"], tag?: string): DeployOrder {
  const image =
    tagSource === "pipeline"
      ? "the pipeline and its first build"
      : tagSource === "running"
        ? "keeping the running image"
        : `the wait for image ${tag ?? ""} in ECR`.replace(/ {2}/, " ");
  const stack = stackExists ? "the endpoint's stack" : "the endpoint's stack with no tasks";
  if (separateRepository)
    return { sideBySide: true, text: `side by side: [stack] ${stack}, [${tagSource === "pipeline" ? "build" : "image"}] ${image}; then the rollout` };
  const why = stackExists ? " (this endpoint's ECR repository is in its own stack, from an earlier release)" : "";
  return { sideBySide: false, text: `one after the other${why}: ${stack}, then ${image}, then the rollout` };
}

/** Everything create-endpoint / add-endpoint will do. */
export interface DeployPlan {
  kind: "deploy";
  endpoint: string;
  /** Whether the endpoint's stack and what the image needs run side by side, and the plan's line saying so. */
  order: DeployOrder;
  region: string;
  hostHeader: string;
  certificate: CertificatePlan;
  /** Added endpoints: whether the serving HTTPS listener needs the certificate attached ("covered": another one there covers the host). */
  listenerCertificate?: "attach" | "present" | "covered";
  /** Added endpoints: the load balancer that serves the endpoint, and why. */
  loadBalancer?: LoadBalancerPlan;
  /** Added endpoints: the listener rule priority, and whether it was chosen now (free at planning time). */
  listenerPriority?: { value: number; chosen: boolean };
  keptFileSystems: string[];
  keptLogGroup: boolean;
  /** The images stack (the endpoint's ECR repository), made before the endpoint's stack; absent when the endpoint's own stack holds the repository. */
  images?: StackPlan;
  stack: StackPlan;
  pipeline?: PipelinePlan;
  nfsRule: "add" | "present";
  dns: DnsPlan;
  /** The production listener rule's live weights, which the stack keeps; absent for a rolling or new endpoint. */
  traffic?: TrafficWeights;
  rollout: RolloutPlan;
  /** Plain-language summary of configuration and image changes. */
  summary: string[];
  /** What the stacks it creates cost (create only), from the dated price table. */
  cost?: CostEstimate;
  /** What the plan warns of before the question (an alarm threshold beyond the load balancer's idle timeout). */
  warnings?: string[];
  /** What the plan found, for the apply. */
  basis: DeployBasis;
}

/** Which load balancer serves an added endpoint. */
export interface LoadBalancerPlan {
  /** Its stack: the base's or a shard's. */
  stackName: string;
  action: "keep" | "use" | "create";
  /** Known unless the shard is yet to be created. */
  dnsName?: string;
  /** `use`: what it holds now against the quotas, e.g. "certificates 3/25, rules 4/100, target groups 4/100". */
  usage?: string;
  /** Load balancers passed over, and why (full). */
  passedOver: string[];
  /** `covered`: the certificate already on the listener that covers the host. */
  coveringArn?: string;
}

/** What planning found in AWS, which the apply builds on. */
export interface DeployBasis {
  /** Added endpoints: the serving HTTPS listener; absent when its shard is yet to be created. */
  listenerArn?: string;
  /** Added endpoints: the shard stack to create first. */
  shard?: ShardFacts;
  /** The endpoint's stack, when one can be updated. */
  existing?: Stack;
  /** What it runs, read back from its parameters. */
  deployed?: DeployedEndpoint;
  /** The images stack, when it exists. */
  imagesStack?: Stack;
  facts: DeploymentFacts;
  /** Kept file systems mounted again. */
  mounted: string[];
  runningTag?: string;
  /** No tag is given or running: the image is the pipeline's first build. */
  followsPipeline: boolean;
}

/** Options that shape a deployment plan. */
export interface DeployPlanOptions {
  tag?: string;
  pipeline: boolean;
  /** `--no-dns` (false): make no Route 53 record. Default: on. */
  dns?: boolean;
}

/**
 * The endpoint's DNS records: made in the Route 53 public hosted zone that covers the host,
 * or printed for the user to create (no zone, Route 53 not readable, `--no-dns`).
 */
export type DnsPlan =
  | { mode: "zone"; zone: HostedZoneRef; records: RecordPlan[]; /** What is known only once the stack or certificate exists. */ later: string[] }
  | { mode: "manual"; reason: string };

/** The pipeline's part of a plan: its support stack, and what changes in its build project. */
export type PipelinePlan =
  | {
      name: string;
      repository: string;
      branch: string;
      stack: StackPlan;
      action: "create" | "update if changed";
      build: string;
      projectChanges: string[];
      /** The support stack as the plan rendered and showed it, for the apply to send; absent when the apply must still find out whether the build log group was kept. */
      rendered?: RenderedStack;
    }
  | { name: string; action: "skipped" };

/** Everything `update` will do. */
export interface UpdatePlan {
  kind: "update";
  endpoint: string;
  region: string;
  /** The endpoint's images stack, whose settings (`images.keep`) the update applies too; absent when the endpoint's own stack holds the repository. */
  images?: StackPlan;
  stack: StackPlan;
  /** The production listener rule's live weights, which the stack keeps; absent for a rolling endpoint. */
  traffic?: TrafficWeights;
  /** The pipeline, whose build settings the update applies too. */
  pipeline?: PipelinePlan;
  rollout: RolloutPlan;
  previousTag?: string;
  summary: string[];
  /** What the plan warns of before the question (an alarm threshold beyond the load balancer's idle timeout). */
  warnings?: string[];
  /** What the apply needs: the stack as planned. */
  basis: {
    existing: Stack;
    deployed: DeployedEndpoint;
    /** The images stack, when the endpoint has one. */
    imagesStack?: Stack;
    facts: DeploymentFacts;
    /** The stack as the plan rendered and showed it: what the apply sends, unchanged. */
    rendered: RenderedStack;
  };
}

/** Plans the stack step for a rendered stack: create, or the update's changes against what is deployed. */
export async function planStack(
  rendered: Pick<RenderedStack, "stackName" | "templateBody" | "parameters">,
  existing: Stack | undefined,
  ctx: DeployContext,
): Promise<StackPlan> {
  const base = { stackName: rendered.stackName, resources: [], changes: [], parameters: [] };
  const status = existing?.StackStatus ?? "";
  const repair =
    status === "ROLLBACK_COMPLETE" || status === "ROLLBACK_FAILED" || status === "CREATE_FAILED"
      ? `delete the failed first creation (${status}), then create it again`
      : status === "UPDATE_ROLLBACK_FAILED"
        ? "continue the failed rollback (back to the last working version) first"
        : undefined;
  if (!existing || repair?.startsWith("delete") || status === "REVIEW_IN_PROGRESS") {
    return { ...base, action: "create", repair, resources: templateResources({ templateBody: rendered.templateBody, parameters: rendered.parameters }) };
  }
  const deployed = await ctx.aws.cloudFormation.getTemplate({ StackName: existing.StackId ?? rendered.stackName, TemplateStage: "Original" });
  const before = { templateBody: deployed.TemplateBody ?? "{}", parameters: stackParameters(existing) };
  const allChanges = diffTemplates(before, { templateBody: rendered.templateBody, parameters: rendered.parameters });
  const allParameters = diffParameters(before.parameters, rendered.parameters);
  const mechanismOnly = isMechanismOnly(allParameters, allChanges);
  const changes = mechanismOnly ? [] : allChanges.flatMap(withoutCountHandover);
  const parameters = mechanismOnly ? [] : allParameters;
  const action = changes.length > 0 || parameters.length > 0 || repair ? "update" : "unchanged";
  return { ...base, action, repair, changes, parameters };
}

/** Where an endpoint's certificate will come from; reads only. */
export async function planCertificate(config: EndpointConfig, deployed: DeployedEndpoint | undefined, ctx: DeployContext): Promise<CertificatePlan> {
  if (config.api.certificateArn) return { action: "given", arn: config.api.certificateArn };
  if (deployed?.certificateArn) return { action: "deployed", arn: deployed.certificateArn };
  const issued = await findIssuedCertificate(ctx.aws.acm, config.api.hostHeader, ctx.clock.now(), ctx.reads);
  if (issued) return { action: "found", arn: issued };
  const pending = await findPendingCertificate(ctx.aws.acm, config.api.hostHeader, ctx.reads);
  return pending ? { action: "await", arn: pending } : { action: "request" };
}

/** Plans the pipeline stack and pipeline of an endpoint. */
export async function planPipeline(config: EndpointConfig, ecrRepositoryName: string, ctx: DeployContext): Promise<NonNullable<DeployPlan["pipeline"]>> {
  const name = pipelineName(endpointId(config));
  if (!config.pipeline) return { name, action: "skipped" };
  const stackName = pipelineStackName(endpointId(config));
  const deployed = await findStack(ctx.aws.cloudFormation, stackName);
  // A deployed pipeline stack says whether its build log group was kept; otherwise the apply finds out (keptBuildLogGroup).
  const buildLogGroupExists = deployed ? readDeployedPipeline(deployed).buildLogGroupExists : undefined;
  const rendered = renderPipelineStack(config, { ecrRepositoryName, buildLogGroupExists });
  const stack = await planStack(rendered, deployed, ctx);
  // The repository URI is not a build setting: projectChanges leaves it out.
  const wanted = codeBuildProject(config, { ecrRepositoryName, ecrRepositoryUri: "" }, "", []);
  const projectChanges = stack.action === "create" ? [] : changesOfProject(await readProject(config, ctx), wanted);
  const build = `${config.pipeline.computeType} (${describeComputeType(config.pipeline.computeType)})`;
  return {
    name,
    repository: config.pipeline.repository,
    branch: config.pipeline.branch,
    stack,
    action: stack.action === "create" ? "create" : "update if changed",
    build,
    projectChanges,
    ...(buildLogGroupExists !== undefined ? { rendered } : {}),
  };
}

/** Renders the endpoint's stack as the plan shows it: an image the pipeline will build is named as such. */
export function renderForPlan(config: EndpointConfig, facts: DeploymentFacts, tag: string | undefined): RenderedStack {
  return renderEndpointStack(config, { ...facts, imageTag: tag ?? "(built by the pipeline)" });
}

/** Where the endpoint's DNS records go and what changes there; reads only. */
export async function planDns(
  config: EndpointConfig,
  enabled: boolean,
  existing: Stack | undefined,
  certificateArn: string | undefined,
  ctx: DeployContext,
): Promise<DnsPlan> {
  if (!enabled) return { mode: "manual", reason: "--no-dns" };
  const host = config.api.hostHeader;
  const lookup = await zoneFor(ctx.aws.route53, host);
  if (lookup.kind === "none") return { mode: "manual", reason: lookup.reason };
  const targetGroupArn = existing ? stackOutputs(existing).TargetGroupArn : undefined;
  const balancer = targetGroupArn ? await loadBalancerServing(ctx.aws.elb, targetGroupArn) : undefined;
  const validation = certificateArn ? await validationRecords(ctx.aws.acm, certificateArn) : [];
  const { plans } = await compareRecords(ctx.aws.route53, lookup.zone, desiredRecords(host, lookup.zone, balancer, validation));
  const later: string[] = [];
  if (!balancer) later.push(`create A ${host} -> alias to the endpoint's load balancer (once the stack has it)`);
  if (!certificateArn) later.push(`create the certificate's DNS validation CNAME (once ACM has issued the request)`);
  return { mode: "zone", zone: lookup.zone, records: plans, later };
}

/** Outputs of a stack, when it exists. */
export function outputsOf(stack: Stack | undefined): Record<string, string> {
  return stack ? stackOutputs(stack) : {};
}

/** Works out what create-endpoint / add-endpoint will do; reads only. Refuses (exit 2) what cannot work before anything is asked. */
export async function planDeploy(config: EndpointConfig, options: DeployPlanOptions, ctx: DeployContext): Promise<DeployPlan> {
  const id = endpointId(config);
  // The stack's answer is the run's: the apply's first change set starts from it (see readStack).
  const [exports, found] = await Promise.all([
    config.kind === "added" ? exportMap(ctx.aws.cloudFormation) : undefined,
    readStack(ctx.aws.cloudFormation, id, ctx.reads),
  ]);
  if (exports) await requireBase(config, exports, ctx);
  const existing = liveStack(found);
  if (existing) refuseReplacements(config, existing, ctx.invocation);
  const deployed = existing ? readDeployed(existing) : undefined;
  const { runningTag, explicitTag, followsPipeline, pushedTag } = imageSource(config, options, deployed);

  // Independent reads side by side: the certificate, what placement weighs (it shares the certificate listing), what a new stack adopts.
  const [certificate, placementInputs, kept] = await Promise.all([
    planCertificate(config, deployed, ctx),
    exports && !existing ? readPlacementInputs(config, exports, ctx) : undefined,
    existing ? undefined : keptResources(id, ctx),
  ]);
  const certificateArn = "arn" in certificate ? certificate.arn : undefined;
  const serving = exports ? await planLoadBalancer(config, exports, deployed, certificateArn, placementInputs, ctx) : undefined;
  const listenerArn = serving?.listenerArn;
  const listenerCertificate = serving?.certificate;
  const { facts, mounted, priority, fixedPriority } = await desiredFacts(config, { existing, deployed, kept }, serving, certificateArn, ctx);
  // A new endpoint's repository is its images stack's (named as the endpoint); one created before images stacks existed keeps its own.
  const ownRepository = repositoryLayout(existing) === "own";
  facts.imageRepository = ownRepository ? undefined : (deployed?.imageRepository ?? id);
  const imagesStack = ownRepository ? undefined : await readStack(ctx.aws.cloudFormation, imagesStackName(id), ctx.reads);
  const images = ownRepository ? undefined : await planStack(renderImagesStack(config), imagesStack, ctx);

  const tag = explicitTag ?? runningTag ?? pushedTag;
  // The one rendering of the endpoint's stack the plan shows.
  const rendered = renderForPlan(config, { ...facts, listenerPriority: priority }, tag);
  const stack = await planStack(rendered, found, ctx);
  const outputs = outputsOf(existing);
  const repository = outputs.EcrRepositoryName ?? id;
  const pipeline = config.pipeline
    ? options.pipeline
      ? await planPipeline(config, repository, ctx)
      : { name: pipelineName(id), action: "skipped" as const }
    : undefined;
  const nfsRule =
    outputs.EfsSecurityGroupId &&
    outputs.TaskSecurityGroupId &&
    (await nfsRuleExists(ctx.aws.ec2, { efsSecurityGroupId: outputs.EfsSecurityGroupId, taskSecurityGroupId: outputs.TaskSecurityGroupId, description: "" }))
      ? "present"
      : "add";
  const awaited = explicitTag ?? pushedTag;
  // The repository exists once either stack that holds it does (an images stack left by an interrupted first run included).
  const imageInEcr = awaited && (existing || imagesStack) ? await imageExists(ctx.aws.ecr, repository, awaited) : awaited ? false : undefined;
  const dns = await planDns(config, options.dns !== false, existing, certificateArn, ctx);
  const tagSource: RolloutPlan["tagSource"] = explicitTag ? "given" : runningTag ? "running" : pushedTag ? "push" : "pipeline";
  const order = deployOrder(images !== undefined, existing !== undefined, tagSource, tag);
  return {
    kind: "deploy",
    endpoint: id,
    order,
    region: ctx.aws.region,
    hostHeader: config.api.hostHeader,
    certificate,
    listenerCertificate,
    loadBalancer: serving?.plan,
    listenerPriority: serving && priority !== undefined ? { value: priority, chosen: fixedPriority === undefined } : undefined,
    keptFileSystems: mounted,
    keptLogGroup: !existing && !!facts.logGroupExists,
    ...(images ? { images } : {}),
    stack,
    pipeline,
    nfsRule,
    dns,
    ...(facts.trafficWeights ? { traffic: facts.trafficWeights } : {}),
    rollout: {
      tag,
      tagSource,
      imageInEcr,
      desired: config.scaling.desired,
      min: config.scaling.min,
      max: config.scaling.max,
      strategy: rolloutStrategy(config),
      ...(tag !== runningTag || !existing ? { estimate: rolloutEstimate(config) } : {}),
      ...(config.compute ? { capacity: capacityLines(config, ctx.aws.region) } : {}),
      ...createEstimateOf(config, {
        overlapped: order.sideBySide,
        stackExists: existing !== undefined,
        certificateAction: certificate.action,
        tagSource: explicitTag || pushedTag ? "given" : runningTag ? "running" : "pipeline",
      }),
    },
    summary: stack.action === "update" ? changeSummary(stack.parameters, tag) : [],
    ...(stack.action === "create"
      ? {
          cost: estimateMonthlyCost(
            costInputOf(config, stack.resources, { newLoadBalancer: serving?.plan.action === "create", pipeline: pipeline?.action === "create" }),
            ctx.aws.region,
          ),
        }
      : {}),
    warnings: listed(idleTimeoutWarning(config, await servingIdleTimeout(config, serving?.plan.stackName, ctx))),
    basis: { listenerArn, shard: serving?.shard, existing, deployed, imagesStack, facts: { ...facts, certificateArn }, mounted, runningTag, followsPipeline },
  };
}

/** A line as a list of none or one. */
function listed(line: string | undefined): string[] {
  return line === undefined ? [] : [line];
}

/** Where the image comes from: the given tag, the running one, the pipeline's first build, or the first image pushed by hand. */
function imageSource(
  config: EndpointConfig,
  options: DeployPlanOptions,
  deployed: DeployedEndpoint | undefined,
): { runningTag?: string; explicitTag?: string; followsPipeline: boolean; pushedTag?: string } {
  const runningTag = deployed?.runningTag;
  const explicitTag = options.tag ?? config.container.tag;
  const followsPipeline = options.pipeline && !!config.pipeline && !explicitTag && !runningTag;
  // No pipeline builds the first image and none is named: the stack and its repository are created with no
  // tasks, and the apply waits for an image pushed by hand under a known tag (its commands are printed then).
  const pushedTag = !followsPipeline && !explicitTag && !runningTag ? FIRST_PUSHED_TAG : undefined;
  return { runningTag, explicitTag, followsPipeline, pushedTag };
}

/**
 * The facts the endpoint's stack is rendered from, gathered in one place: what the deployed stack
 * carries over (or what a new one adopts from an earlier one), then what this run found or chose
 * (certificate, load balancer, traffic weights, listener priority).
 */
async function desiredFacts(
  config: EndpointConfig,
  found: { existing?: Stack; deployed?: DeployedEndpoint; kept?: { facts: DeploymentFacts; mounted: string[] } },
  serving: Awaited<ReturnType<typeof planLoadBalancer>> | undefined,
  certificateArn: string | undefined,
  ctx: DeployContext,
): Promise<{ facts: DeploymentFacts; mounted: string[]; priority?: number; fixedPriority?: number }> {
  const id = endpointId(config);
  const { existing, deployed, kept } = found;
  const facts: DeploymentFacts = {
    certificateArn: certificateArn ?? "(certificate to be requested)",
    imageTag: deployed?.runningTag,
    loadBalancerStack: serving?.plan.stackName,
  };
  let mounted: string[] = [];
  if (existing && deployed) {
    Object.assign(facts, deployedFacts(deployed));
    facts.trafficWeights = keptTrafficWeights(config, id, await readTrafficWeights(ctx.aws, existing), ctx.invocation);
  } else if (kept) {
    Object.assign(facts, kept.facts);
    mounted = kept.mounted;
  }
  const fixedPriority = config.api.listenerPriority ?? deployed?.listenerPriority;
  // Placement has read the chosen listener's rules already; a shard yet to be created has none: the endpoint's preferred slot is free there.
  const listenerArn = serving?.listenerArn;
  const taken = serving?.usedPriorities ?? (listenerArn ? await usedPriorities(ctx.aws.elb, listenerArn, ctx.reads) : serving ? new Set<number>() : undefined);
  const priority = fixedPriority ?? (taken ? choosePriority(id, taken) : undefined);
  return { facts, mounted, priority, fixedPriority };
}

/**
 * The image of an update given no tag: git HEAD's build (`headTag`) when it is in ECR, else the running one,
 * so that a configuration-only change needs no new image. Says which and why.
 */
export async function chooseUpdateImage(
  config: EndpointConfig,
  repository: string,
  running: string | undefined,
  headTag: string | undefined,
  ctx: DeployContext,
): Promise<{ tag: string; why: string }> {
  // Without a pipeline nothing builds git HEAD's tag: images are pushed by hand, and only --tag names a new one.
  if (!config.pipeline) return keepRunningOf(config, repository, running, ctx.invocation);
  const head = headTag ? ` (${headTag}, built from git HEAD)` : "";
  if (headTag && (await imageExists(ctx.aws.ecr, repository, headTag))) {
    return { tag: headTag, why: `the pipeline's image of git HEAD, in ECR${running === headTag ? "; running now" : `; running now: ${running ?? "none"}`}` };
  }
  if (running)
    return {
      tag: running,
      why: `running now, kept: ${headTag ? `the image of git HEAD${head} is not in ECR` : "no --tag, and no git checkout here to take HEAD's image from"}; --tag picks another`,
    };
  throw new InputError(
    [
      {
        path: "--tag",
        message: `no image runs on ${endpointId(config)} yet, and ${headTag ? `the image of git HEAD${head} is not in ECR` : "no tag was given"}; nothing was changed`,
      },
    ],
    `Push an image to the repository ${repository}, then: ${runnable(`mlops update ${config.source} --tag TAG`, ctx.invocation)}`,
  );
}

/** An update without a tag of an endpoint without a pipeline: the running image stays, a configuration-only change. */
function keepRunningOf(config: EndpointConfig, repository: string, running: string | undefined, invocation?: Invocation): { tag: string; why: string } {
  const update = runnable(`mlops update ${config.source} --tag TAG`, invocation);
  const deployNew = `to deploy a new image, push it to the repository ${repository}, then: ${update}`;
  if (running)
    return {
      tag: running,
      why: `running now, kept (a configuration-only change): no --tag given, and no pipeline builds this endpoint's images; ${deployNew}`,
    };
  throw new InputError(
    [{ path: "--tag", message: `no image runs on ${endpointId(config)} yet, and no tag was given (no pipeline builds its images); nothing was changed` }],
    `Push an image to the repository ${repository}, then: ${update}`,
  );
}

/** Works out what `update` will do; refuses (exit 2) a missing stack or a tag missing from ECR. Reads only. */
export async function planUpdate(config: EndpointConfig, given: string | undefined, ctx: DeployContext, headTag?: string): Promise<UpdatePlan> {
  const id = endpointId(config);
  const existing = liveStack(await findStack(ctx.aws.cloudFormation, id));
  if (!existing) {
    throw await missingStackError(
      ctx,
      { file: config.source, path: "project", message: `no stack ${id} in region ${regionText(ctx.aws)}` },
      `Create it first: mlops ${config.kind === "base" ? "create-endpoint" : "add-endpoint"} ${config.source}`,
      id,
    );
  }
  refuseReplacements(config, existing, ctx.invocation);
  const deployed = readDeployed(existing);
  const repository = stackOutputs(existing).EcrRepositoryName ?? id;
  // The file's container.tag is create's first image; an update without --tag keeps what runs unless HEAD was built.
  const { tag, why } = given ? { tag: given, why: undefined } : await chooseUpdateImage(config, repository, deployed.runningTag, headTag, ctx);
  if (given && !(await imageExists(ctx.aws.ecr, repository, tag))) {
    throw new InputError(
      [{ path: "--tag", message: `image ${repository}:${tag} is not in ECR; nothing was changed` }],
      "Push the image (or let the pipeline build it) and run the same command again.",
    );
  }
  const facts: DeploymentFacts = {
    ...deployedFacts(deployed),
    certificateArn: config.api.certificateArn ?? deployed.certificateArn,
    imageTag: tag,
    listenerPriority: config.api.listenerPriority ?? deployed.listenerPriority,
    // An update keeps the endpoint on the load balancer it was placed on.
    loadBalancerStack: deployed.loadBalancerStack,
    trafficWeights: keptTrafficWeights(config, id, await readTrafficWeights(ctx.aws, existing), ctx.invocation),
  };
  // The one rendering of this update: the plan shows it and the apply sends it as it is.
  const rendered = renderEndpointStack(config, facts);
  const stack = await planStack(rendered, existing, ctx);
  // An update changes an images stack that exists (create-endpoint and add-endpoint create one).
  const imagesStack = repositoryLayout(existing) === "images" ? await readStack(ctx.aws.cloudFormation, imagesStackName(id), ctx.reads) : undefined;
  const images = imagesStack ? await planStack(renderImagesStack(config), imagesStack, ctx) : undefined;
  const pipeline = config.pipeline ? await planPipeline(config, repository, ctx) : undefined;
  return {
    kind: "update",
    endpoint: id,
    region: ctx.aws.region,
    ...(images ? { images } : {}),
    stack,
    ...(facts.trafficWeights ? { traffic: facts.trafficWeights } : {}),
    rollout: {
      tag,
      tagSource: given || tag !== deployed.runningTag ? "given" : "running",
      imageInEcr: true,
      ...(why ? { why } : {}),
      desired: config.scaling.desired,
      min: config.scaling.min,
      max: config.scaling.max,
      strategy: rolloutStrategy(config),
      ...(tag !== deployed.imageTag ? { estimate: rolloutEstimate(config) } : {}),
      ...(config.compute ? { capacity: capacityLines(config, ctx.aws.region) } : {}),
    },
    previousTag: deployed.runningTag,
    summary: changeSummary(stack.parameters, tag),
    warnings: listed(idleTimeoutWarning(config, await servingIdleTimeout(config, facts.loadBalancerStack, ctx))),
    basis: { existing, deployed, imagesStack, facts, rendered },
    // An update changes a pipeline that exists; create-endpoint and add-endpoint create one.
    ...(pipeline && pipeline.action !== "create" ? { pipeline } : {}),
  };
}

/** The parameter file's field that sets a stack parameter, in the file's own format (see render/contract.ts). */
export { fieldOfParameter };
/** The plan's printing and approval (plan-print.ts), and its parameter helpers (plan-parameters.ts), for the commands that print a plan. */
export { approvePlan, pipelineChanges, planChanges, printPlan, printStackPlan } from "./plan-print.js";
export { changeSummary, refuseReplacements } from "./plan-parameters.js";

/** A stack that can be updated; a failed first create is treated as absent (the stack step deletes it). */
export function liveStack(stack: Stack | undefined): Stack | undefined {
  if (!stack) return undefined;
  return stack.StackStatus === "ROLLBACK_COMPLETE" || stack.StackStatus === "REVIEW_IN_PROGRESS" ? undefined : stack;
}

/** What a new stack adopts from an earlier one: kept file systems and log group, found by name and tag. */
export async function keptResources(id: string, ctx: DeployContext): Promise<{ facts: DeploymentFacts; mounted: string[] }> {
  const [fileSystems, logGroup] = await Promise.all([
    findEndpointFileSystems(ctx.aws.efs, id, ctx.reads),
    logGroupExists(ctx.aws.logs, endpointLogGroupName(id)),
  ]);
  const kept = keptVolumes(fileSystems);
  const facts: DeploymentFacts = {
    assetsFileSystemId: kept.assets,
    weightsFileSystemId: kept.weights,
    assetsVolumeRoot: kept.assetsRoot,
    weightsVolumeRoot: kept.weightsRoot,
    logGroupExists: logGroup,
  };
  return { facts, mounted: [kept.assets, kept.weights].filter((fs): fs is string => !!fs) };
}

/** The base's HTTPS listener; refuses early, with exit code 2, when the base an added endpoint names does not exist (saying where mlops endpoints are instead). */
export async function requireBase(config: EndpointConfig, exports: Map<string, string>, ctx: DeployContext): Promise<string> {
  const name = baseExportName(config, "HttpsListenerArn");
  const listenerArn = exports.get(name);
  if (listenerArn) return listenerArn;
  // Only a base exports its cluster: the bases of this region, to tell a wrong region or name from a missing base.
  const bases = [...exports.keys()]
    .filter((key) => key.endsWith("-ClusterArn"))
    .map((key) => key.slice(0, -"-ClusterArn".length))
    .sort();
  const here = bases.length ? `base endpoints in ${ctx.aws.region}: ${bases.join(", ")}` : `no base endpoint at all in ${ctx.aws.region}`;
  throw await missingStackError(
    ctx,
    {
      file: config.source,
      path: baseProjectField(config),
      message: `no base endpoint ${config.baseProject}-${config.environment} in region ${regionText(ctx.aws)} (export ${name} not found); ${here}`,
    },
    `If the base is in another region, pass that region (--region; ${runnable("mlops status --region REGION", ctx.invocation)} lists the endpoints there); if the name is wrong, fix it; otherwise create the base first: ${runnable("mlops create-endpoint <base params>", ctx.invocation)}.`,
    baseStackName(config),
    (region) =>
      `Run again with --region ${region}, where ${baseStackName(config)} is; if the name is wrong, fix it; otherwise create the base first: ${runnable("mlops create-endpoint <base params>", ctx.invocation)}.`,
  );
}

/** What the template of an added endpoint adds: listener rules and target groups to its load balancer, file systems (each with a mount target per private subnet), counted in the template itself. */
export function endpointNeed(config: EndpointConfig): LoadBalancerNeed & { mountTargets: number } {
  const rendered = renderEndpointStack(config);
  const types = templateResources({ templateBody: rendered.templateBody, parameters: rendered.parameters }).map((r) => r.type);
  const count = (type: string) => types.filter((t) => t === type).length;
  return {
    rules: count("AWS::ElasticLoadBalancingV2::ListenerRule"),
    targetGroups: count("AWS::ElasticLoadBalancingV2::TargetGroup"),
    // Per private subnet: the template puts each file system's mount targets in both of the base's private subnets.
    mountTargets: Math.ceil(count("AWS::EFS::MountTarget") / 2),
  };
}

/** "certificates 3/25, rules 4/100, target groups 4/100": a load balancer's use against the quotas. */
function usageText(lb: PlacementBasis["loadBalancers"][number], quotas: PlacementBasis["quotas"]): string {
  return `certificates ${lb.certificates.length}/${quotas.certificates}, rules ${lb.rules}/${quotas.rules}, target groups ${lb.targetGroups}/${quotas.targetGroups}`;
}

/**
 * Which load balancer serves an added endpoint; reads only. A deployed endpoint stays where it is
 * (the load balancer its deployed stack names; the base's for a stack from before shards). A new one is
 * placed by the quotas (see placement.ts); when every load balancer of the base is full, a new
 * shard is planned, rendered from the base stack's own settings.
 */
async function planLoadBalancer(
  config: EndpointConfig,
  exports: Map<string, string>,
  deployed: DeployedEndpoint | undefined,
  certificateArn: string | undefined,
  inputs: PlacementInputs | undefined,
  ctx: DeployContext,
): Promise<{ plan: LoadBalancerPlan; listenerArn?: string; certificate: "attach" | "present" | "covered"; shard?: ShardFacts; usedPriorities?: Set<number> }> {
  const base = baseStackName(config);
  const host = config.api.hostHeader;
  if (deployed) {
    const stackName = deployed.loadBalancerStack || base;
    const listenerArn = exports.get(`${stackName}-HttpsListenerArn`);
    if (!listenerArn)
      throw new AwsError(`The load balancer stack ${stackName} that serves ${endpointId(config)} has no export ${stackName}-HttpsListenerArn.`, {
        hint: "It was changed or deleted outside mlops; check it with aws cloudformation describe-stacks, then run the same command again.",
      });
    const present = await listenerServes(ctx.aws.elb, ctx.aws.acm, listenerArn, host, certificateArn, ctx.reads);
    return {
      plan: { stackName, action: "keep", dnsName: exports.get(`${stackName}-LoadBalancerDnsName`), passedOver: [] },
      listenerArn,
      certificate: present ? "present" : "attach",
    };
  }
  const need = endpointNeed(config);
  const { basis, names } = inputs ?? (await readPlacementInputs(config, exports, ctx));
  const placement: Placement = choosePlacement(basis, need, host, certificateArn, (arn) => names.get(arn) ?? [], base);
  await requireRegionRoom(ctx.aws.elb, basis, need, placement);
  if (placement.kind === "existing") {
    const lb = placement.loadBalancer;
    return {
      plan: {
        stackName: lb.stackName,
        action: "use",
        dnsName: lb.dnsName,
        usage: usageText(lb, basis.quotas),
        passedOver: placement.passedOver,
        coveringArn: placement.coveringArn,
      },
      listenerArn: lb.listenerArn,
      certificate: placement.certificate,
      usedPriorities: new Set(lb.priorities),
    };
  }
  return {
    plan: { stackName: placement.stackName, action: "create", passedOver: placement.passedOver },
    certificate: "attach",
    shard: await shardFacts(base, placement.stackName, ctx),
  };
}

/** What placement weighs for a new endpoint. */
interface PlacementInputs {
  basis: PlacementBasis;
  /** The issued certificates' names, by ARN. */
  names: Map<string, string[]>;
}

/** Reads what placement weighs, side by side; refuses (before any change) a base whose private subnets have no room for the endpoint. */
async function readPlacementInputs(config: EndpointConfig, exports: Map<string, string>, ctx: DeployContext): Promise<PlacementInputs> {
  const base = baseStackName(config);
  const need = endpointNeed(config);
  const subnets = [exports.get(`${base}-PrivateSubnet1`), exports.get(`${base}-PrivateSubnet2`)].filter((id): id is string => !!id);
  const [basis, names] = await Promise.all([
    readPlacementBasis(ctx.aws.elb, exports, base, ctx.reads),
    issuedCertificateNames(ctx.aws.acm, ctx.reads),
    requireSubnetRoom(ctx.aws.ec2, subnets, {
      mountTargets: need.mountTargets,
      peakTasks: Math.ceil((config.scaling.max * config.rollout.maximumPercent) / 100),
    }),
  ]);
  return { basis, names };
}

/** The settings a new shard takes over from its base stack: VPC range, public subnets, allowed CIDR, default certificate, access-log bucket. */
async function shardFacts(base: string, shardStackName: string, ctx: DeployContext): Promise<ShardFacts> {
  const [stack, resources] = await Promise.all([findStack(ctx.aws.cloudFormation, base), stackResourceIds(ctx.aws.cloudFormation, base)]);
  const params = stack ? readDeployed(stack) : undefined;
  const subnets = [resources.get("PublicSubnet1"), resources.get("PublicSubnet2")];
  if (!stack || !params?.network.vpcCidr || !params.certificateArn || !subnets[0] || !subnets[1]) {
    throw new AwsError(`The base stack ${base} lacks what a new load balancer needs (its VPC range, public subnets and certificate).`, {
      hint: `Run ${runnable("mlops create-endpoint", ctx.invocation)} with the base's parameter file to repair it, then run the same command again.`,
    });
  }
  return {
    baseStackName: base,
    shardStackName,
    vpcCidr: params.network.vpcCidr,
    publicSubnets: [subnets[0], subnets[1]],
    allowedCidr: params.network.allowedCidr || "0.0.0.0/0",
    defaultCertificateArn: params.certificateArn,
    accessLogsBucket: stackOutputs(stack).LoadBalancerAccessLogsBucket || undefined,
    idleTimeoutSeconds: params.network.idleTimeoutSeconds,
  };
}
