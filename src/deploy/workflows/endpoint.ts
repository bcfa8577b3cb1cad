/**
 * The tutorial's sequence, scripted: plan everything and ask once (see
 * plan.ts), then create (or join) the stack with no tasks, create the
 * pipeline, patch security groups, obtain the image, update the stack with
 * it, validate. Every step converges, so a run that was interrupted finishes
 * the job when started again.
 */
import type { Stack } from "../../aws/interfaces.js";
import { AwsError, InterruptedError } from "../../errors.js";
import { runnable } from "../../io/invocation.js";
import { endpointId, type EndpointConfig } from "../../params/model.js";
import { imagesStackName, pipelineName, pipelineStackName } from "../../render/names.js";
import { fieldOfParameter, type DeployedEndpoint } from "../../render/contract.js";
import { renderEndpointStack, renderShardStack, type DeploymentFacts, type RenderedStack, type ShardFacts } from "../../render/render.js";
import { keptTrafficWeights, readTrafficWeights, sharesText } from "../steps/traffic.js";
import { rolloutEstimateLine, rolloutSettingsOf } from "../engine/rollout-time.js";
import { diffParameters } from "../engine/template-diff.js";
import { ensureCertificate } from "../steps/certificate.js";
import { stackDeps, type DeployContext } from "../context.js";
import { readDeployed, requireOutput, stackParameters } from "../engine/discovery.js";
import { ensureListenerCertificate } from "../steps/listener-certificates.js";
import { endpointLogGroupName } from "../steps/log-groups.js";
import {
  approvePlan,
  changeSummary,
  keptResources,
  pipelineChanges,
  planChanges,
  planDeploy,
  planUpdate,
  printPlan,
  type DeployPlan,
  type UpdatePlan,
} from "./plan.js";
import { PhaseTimes, type PhaseLane, type PhaseSeconds } from "../phases.js";
import { sideBySide, type SideContext, type Underway } from "../engine/side-by-side.js";
import { createComparisonLine } from "../engine/create-time.js";
import { followPipelineExecution, waitForImage } from "../steps/image.js";
import { checkConnection, ensurePipeline, ensurePipelineBeside, waitForConnection } from "../steps/pipeline.js";
import { ensureImageRepository } from "../steps/repository.js";
import { choosePriority, usedPriorities } from "../steps/priority.js";
import { alarmCause, shiftAndAlarms, trafficShiftTracker, type RolloutWatch } from "../steps/rollout-watch.js";
import { ensureNfsRule } from "../steps/security-groups.js";
import { deployStack, findStack, STACK_TIMEOUT_MS, stackOutputs, type DeployOutcome } from "../engine/stack.js";
import { serviceRolloutLine, stoppedTaskReasons, validateEndpoint, type EndpointResources, type ValidationReport } from "../steps/validate.js";
import { dnsState, ensureDnsRecords, loadBalancerNameOf, loadBalancerServing, recordDoneLine, type DnsOutcome } from "../steps/dns.js";
import { requestCheck, type RequestOutcome } from "../steps/request.js";
import type { DnsPlan } from "./plan.js";

/** Options of create-endpoint and add-endpoint. */
export interface DeployEndpointOptions {
  /** Image tag to deploy; absent: the tag already running, the file's tag, or the pipeline's first build. */
  tag?: string;
  /** `--no-pipeline`: images are built elsewhere. */
  pipeline: boolean;
  imageTimeoutMs: number;
  rolloutTimeoutMs: number;
  /** `--no-dns` (false): make no Route 53 record. Default: on. */
  dns?: boolean;
  /** `--verbose`: the plan lists every resource of a stack it creates. */
  verbose?: boolean;
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
  /** Seconds per phase (certificate, stacks, waiting for the image, rollout, validation, ...). */
  phases?: PhaseSeconds;
  /** The records made in Route 53, or why none were. */
  dns: DnsOutcome;
  /** The validate step's request. */
  request: RequestOutcome;
}

/** How many times an added endpoint retries when another endpoint took its listener priority first. */
const priorityAttempts = 5;

/** Plans, asks once, then runs the whole sequence unattended for a base or an added endpoint. */
export async function deployEndpoint(config: EndpointConfig, options: DeployEndpointOptions, ctx: DeployContext): Promise<EndpointResult> {
  const plan = await planDeploy(config, options, ctx);
  printPlan(plan, ctx.out, { verbose: options.verbose });
  await approvePlan(plan, ctx);
  const phases = new PhaseTimes(ctx.clock);
  const result = await withTimeSummary(phases, ctx, () => applyDeploy(config, options, plan, { ...ctx, assumeYes: true }, phases));
  if (plan.rollout.create)
    ctx.out.info(createComparisonLine(plan.rollout.create, phases.seconds(), { overlapped: phases.overlapped(), totalSeconds: phases.totalSeconds() }));
  return result;
}

/** Runs `work`, then prints where its time went; also after an AWS failure, not after Ctrl-C. */
async function withTimeSummary<T extends { phases?: PhaseSeconds }>(phases: PhaseTimes, ctx: DeployContext, work: () => Promise<T>): Promise<T> {
  try {
    const result = await work();
    ctx.out.info(phases.summary());
    return { ...result, phases: phases.seconds() };
  } catch (error) {
    if (!(error instanceof InterruptedError)) ctx.out.info(phases.summary());
    throw error;
  }
}

/** Runs an approved deployment plan; every step converges, so a re-run after an interruption finishes the job. */
export async function applyDeploy(
  config: EndpointConfig,
  options: DeployEndpointOptions,
  plan: DeployPlan,
  ctx: DeployContext,
  phases = new PhaseTimes(ctx.clock),
): Promise<EndpointResult> {
  const id = endpointId(config);
  const { out } = ctx;
  const { existing, deployed: before, runningTag, followsPipeline, mounted, shard } = plan.basis;

  // The endpoint's stack (certificate, stack with no tasks, security groups) on one side; what the image needs
  // (the pipeline and its first build, or the wait for a pushed image) on the other. Side by side when the
  // repository the image goes to exists apart from the endpoint's stack; else one after the other.
  const stackSide = async (lane: PhaseLane, side: SideRun) => {
    const run = side.ctx;
    run.out.step(`Certificate for ${config.api.hostHeader}`);
    const listenerName = plan.loadBalancer ? `the HTTPS listener of ${plan.loadBalancer.stackName}` : "the base's HTTPS listener";
    let listenerArn = plan.basis.listenerArn;
    const certificateArn = await lane.time("certificate", async () => {
      // A certificate the plan found still pending validation is waited for, as one to be requested is: a listener
      // refuses a certificate ACM has not issued.
      const ready = plan.certificate.action !== "await" && plan.certificate.action !== "request" ? plan.basis.facts.certificateArn : undefined;
      const arn = ready ?? (await ensureCertificate(config, run, validationRecordMaker(config, plan.dns, run)));
      if (shard) listenerArn = await createShard(shard, run);
      if (listenerArn) {
        const attached = await ensureListenerCertificate(
          run.aws.elb,
          run.aws.acm,
          listenerArn,
          config.api.hostHeader,
          arn,
          { clock: run.clock, signal: run.signal },
          run.reads,
        );
        run.out.info(attached === "attached" ? `Attached the certificate to ${listenerName}` : `${capitalized(listenerName)} serves ${config.api.hostHeader}`);
      }
      return arn;
    });

    const facts: DeploymentFacts = { ...plan.basis.facts, certificateArn, imageTag: runningTag, deployedDesiredCount: before?.desiredCount };
    if (mounted.length) run.out.info(`Mounting kept EFS file systems again: ${mounted.join(", ")}`);
    if (!existing && facts.logGroupExists) run.out.info(`Using the kept log group ${endpointLogGroupName(id)}`);

    run.out.step(existing ? `Stack ${id}` : `Creating stack ${id} with no tasks (the image does not exist yet)`);
    // What the plan says is what happens: a stack it found nothing to change on gets no change set. (Its
    // only difference may be whether the task count is sent, which the plan leaves out: see planStack.)
    const asPlanned =
      existing && plan.stack.action === "unchanged" && SETTLED_STACK.test(existing.StackStatus ?? "") ? unchangedAsPlanned(existing, id, run) : undefined;
    side.proceed();
    side.underway({
      what: `the ${existing ? "update" : "creation"} of stack ${id} (CloudFormation carries on)`,
      rerun: "a re-run waits for it to end, then goes on from the stack",
    });
    const outcome =
      asPlanned ??
      (await lane.time("stacks", () =>
        deployWithPriority(config, facts, before, listenerArn, existing ? undefined : () => keptResources(id, run).then((k) => k.facts), run),
      ));
    side.underway(undefined);

    side.proceed();
    run.out.step("Patching security groups");
    await lane.time("security groups", () => admitTasksToEfs(outcome.outputs, id, run));
    return { outcome, asPlanned, facts, certificateArn };
  };

  const imageSide = async (lane: PhaseLane, side: SideRun, repository: RepositorySource) => {
    const run = side.ctx;
    if (options.pipeline && config.pipeline) {
      const pipeline = config.pipeline;
      side.proceed();
      side.underway({
        what: `the changes of stack${repository.stackName ? `s ${repository.stackName} and` : ""} ${pipelineStackName(id)} (CloudFormation carries on)`,
        rerun: "a re-run waits for them, then brings the pipeline to its definition",
      });
      await lane.time("pipeline", async () => {
        // Checked before the pipeline exists: its first execution fails at the source while the handshake is pending.
        const connection = await checkConnection({ ...config, pipeline }, run);
        if (connection === "pending" && followsPipeline) await waitForConnection({ ...config, pipeline }, options.imageTimeoutMs, run);
        await ensurePipelineBeside(
          { ...config, pipeline },
          repository.name,
          () => repository.ready(run).then((r) => ({ ecrRepositoryName: r.name, ecrRepositoryUri: r.uri })),
          run,
        );
      });
      side.underway(undefined);
    } else {
      if (config.pipeline) run.out.info("Pipeline skipped (--no-pipeline).");
      if (repository.stackName) {
        side.underway({
          what: `the change of stack ${repository.stackName} (CloudFormation carries on)`,
          rerun: "a re-run waits for it, then goes on from there",
        });
        await lane.time("repository", () => repository.ready(run));
        side.underway(undefined);
      }
    }
    side.proceed();
    const pushedTag = plan.rollout.tagSource === "push" ? plan.rollout.tag : undefined;
    return lane.time("waiting for the image", () =>
      obtainImage(config, options, runningTag, repository.name, followsPipeline, run, pushedTag, (building) =>
        side.underway(
          building
            ? {
                what: `the build of pipeline ${pipelineName(id)} (CodePipeline and CodeBuild carry on; it pushes the image when it ends)`,
                rerun: "a re-run follows the same execution and deploys its image",
              }
            : undefined,
        ),
      ),
    );
  };

  const upFront = repositoryUpFront(config, plan);
  let stackPart: Awaited<ReturnType<typeof stackSide>>;
  let imageTag: string;
  if (upFront && plan.order.sideBySide) {
    [stackPart, imageTag] = await phases.beside(([stackLane, imageLane]) =>
      sideBySide(
        { tag: "stack", run: (side) => stackSide(stackLane, sideRun(side, ctx)) },
        { tag: followsPipeline && !plan.rollout.tag ? "build" : "image", run: (side) => imageSide(imageLane, sideRun(side, ctx), upFront) },
        { out, signal: ctx.signal },
      ),
    );
  } else {
    const alone: SideRun = { ctx, underway: () => {}, proceed: () => {} };
    stackPart = await stackSide(phases, alone);
    const outputs = stackPart.outcome.outputs;
    const inStack = { name: requireOutput(outputs, "EcrRepositoryName", id), uri: requireOutput(outputs, "EcrRepositoryUri", id) };
    imageTag = await imageSide(phases, alone, upFront ?? { name: inStack.name, ready: async () => inStack });
  }
  const { asPlanned, facts, certificateArn } = stackPart;
  let outcome = stackPart.outcome;

  out.step(`Deploying image ${imageTag} with ${config.scaling.desired} task(s)`);
  // The priority the first deployment settled on (chosen, or retried after a collision).
  const listenerPriority = readDeployed(outcome.stack).listenerPriority ?? facts.listenerPriority;
  const deployed = outcome.stack;
  if (!asPlanned || imageTag !== plan.rollout.tag)
    outcome = await phases.time("rollout", () => rollOut(config, deployed, { ...facts, imageTag, listenerPriority }, options.rolloutTimeoutMs, ctx));
  if (outcome.kind === "unchanged") out.info(`Stack ${id} already runs ${imageTag}`);
  // Against the stack as it was before this run: the first deployment may already have applied the file's changes.
  else if (existing) for (const line of changeSummary(diffParameters(stackParameters(existing), stackParameters(outcome.stack)), imageTag)) out.success(line);

  const rolledOut = outcome.outputs;
  const validation = await phases.time("validation", () => validateOwnRollout(id, imageTag, resourcesFrom(rolledOut, config), options.rolloutTimeoutMs, ctx));
  const dns = await phases.time("dns", () => makeDnsRecords(config, plan.dns, rolledOut, certificateArn, ctx));
  // The validate step ends with a request, once DNS is in place.
  const request = await phases.time("validation", async () =>
    requestCheck(config.api.hostHeader, config.api.healthCheckPath, await loadBalancerNameOf(ctx.aws.elb, rolledOut, ctx.reads), ctx),
  );
  printWhereItIs(validation, dns, request, ctx);
  return {
    endpoint: id,
    stackName: id,
    stack: outcome.kind,
    imageTag,
    listenerPriority: config.kind === "added" ? readDeployed(outcome.stack).listenerPriority : undefined,
    keptFileSystemsMounted: mounted,
    validation,
    dns,
    request,
  };
}

/**
 * Stack states whose parameters and template are the ones in force: no operation under way (its
 * parameters may still roll back) and none that failed half-way (the stack step repairs those).
 */
const SETTLED_STACK = /^(CREATE|UPDATE|UPDATE_ROLLBACK|IMPORT|IMPORT_ROLLBACK)_COMPLETE$/;

/** One side of the deployment as the steps see it: its context (output, stop signal) and what it says is under way. */
interface SideRun {
  ctx: DeployContext;
  underway(what: Underway | undefined): void;
  proceed(): void;
}

/** The steps' context for one side of a side-by-side block: its tagged output and its own stop signal. */
function sideRun(side: SideContext, ctx: DeployContext): SideRun {
  return { ctx: { ...ctx, out: side.out, signal: side.signal }, underway: (what) => side.underway(what), proceed: () => side.proceed() };
}

/** The repository the image goes to: its name, known from the plan, and the step that makes sure it exists. */
interface RepositorySource {
  name: string;
  /** The stack that holds it, when it is not the endpoint's own. */
  stackName?: string;
  ready(ctx: DeployContext): Promise<{ name: string; uri: string }>;
}

/**
 * The repository the image goes to, when it exists apart from the endpoint's stack: then the image's
 * side need not wait for that stack. Undefined when the endpoint's own stack holds the repository.
 */
function repositoryUpFront(config: EndpointConfig, plan: DeployPlan): RepositorySource | undefined {
  const images = plan.images;
  if (!images) return undefined;
  let made: Promise<{ name: string; uri: string }> | undefined;
  return {
    name: plan.basis.facts.imageRepository ?? endpointId(config),
    stackName: imagesStackName(endpointId(config)),
    // Made once, whoever asks first.
    ready: (ctx) => (made ??= ensureImageRepository(config, { ...plan.basis, images }, ctx)),
  };
}

/** The outcome of a stack step the plan found nothing to do for: the stack as the plan read it, no request sent. */
function unchangedAsPlanned(stack: Stack, id: string, ctx: DeployContext): DeployOutcome {
  ctx.out.success(`Stack ${id} is up to date: no changes`);
  return { kind: "unchanged", stack, outputs: stackOutputs(stack) };
}

/** Creates ACM's validation record in the endpoint's hosted zone while a requested certificate waits for it (none without a zone). */
function validationRecordMaker(config: EndpointConfig, dns: DnsPlan, ctx: DeployContext): ((certificateArn: string) => Promise<boolean>) | undefined {
  if (dns.mode !== "zone") return undefined;
  return async (certificateArn) => {
    const made = await ensureDnsRecords(config.api.hostHeader, undefined, certificateArn, `mlops ${endpointId(config)}: certificate validation`, ctx);
    for (const record of made.records) ctx.out.success(`Route 53 zone ${made.zone?.name}: ${recordDoneLine(record)}`);
    return !!made.zone && made.records.some((r) => r.type === "CNAME" && r.action !== "left alone");
  };
}

/** The DNS step: the alias to the load balancer and the certificate's validation record in the zone that covers the host. */
async function makeDnsRecords(
  config: EndpointConfig,
  dns: DnsPlan,
  outputs: Record<string, string>,
  certificateArn: string,
  ctx: DeployContext,
): Promise<DnsOutcome> {
  if (dns.mode === "manual") return { records: [], manual: dns.reason };
  ctx.out.step(`DNS records in Route 53 zone ${dns.zone.name}`);
  const balancer = await loadBalancerServing(ctx.aws.elb, requireOutput(outputs, "TargetGroupArn", endpointId(config)), ctx.reads);
  if (!balancer) ctx.out.warn(`The load balancer serving ${endpointId(config)} could not be found from its target group: no alias record made.`);
  const made = await ensureDnsRecords(config.api.hostHeader, balancer, certificateArn, `mlops ${endpointId(config)}`, ctx);
  for (const record of made.records) {
    if (record.action === "left alone") ctx.out.warn(recordDoneLine(record));
    else ctx.out.success(recordDoneLine(record));
  }
  return made;
}

/**
 * Creates (or finishes) a load balancer shard of the base and returns its HTTPS listener. It is
 * created with the endpoint that needs it: the base's lease, which this command holds, keeps any
 * other run from placing an endpoint on the base meanwhile.
 */
async function createShard(shard: ShardFacts, ctx: DeployContext): Promise<string> {
  ctx.out.step(`Load balancer ${shard.shardStackName} (the base's others are full)`);
  const rendered = renderShardStack(shard);
  const outcome = await deployStack(
    {
      stackName: rendered.stackName,
      templateBody: rendered.templateBody,
      parameters: rendered.parameters,
      tags: rendered.tags,
      capabilities: [],
      fieldOfParameter: () => undefined,
    },
    stackDeps(ctx),
  );
  const outputs = outcome.outputs;
  ctx.out.success(`Load balancer ${shard.shardStackName} ready: ${outputs.LoadBalancerDnsName ?? "(no DNS name yet)"}`);
  return requireOutput(outputs, "HttpsListenerArn", shard.shardStackName);
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Options of `update`. */
export interface UpdateOptions {
  /** The image to roll out; absent: git HEAD's build when it is in ECR, else the running image. */
  tag?: string;
  /** The tag the pipeline gives git HEAD, when the command runs in a git checkout. */
  headTag?: string;
  rolloutTimeoutMs: number;
  /** `--verbose`: the plan lists every resource of a stack it creates. */
  verbose?: boolean;
}

/** Result of `update`. */
export interface UpdateResult {
  endpoint: string;
  imageTag: string;
  previousTag?: string;
  stack: DeployOutcome["kind"];
  /** What really changed: configuration, image. */
  summary: string[];
  validation?: ValidationReport;
  /** Seconds per phase (rollout, validation, ...). */
  phases?: PhaseSeconds;
}

/**
 * Applies the parameter file and rolls out an image: refuses a tag missing
 * from ECR before any change, shows the plan and asks once; nothing to change
 * is a no-op.
 */
export async function updateEndpoint(config: EndpointConfig, options: UpdateOptions, ctx: DeployContext): Promise<UpdateResult> {
  const plan = await planUpdate(config, options.tag, ctx, options.headTag);
  const id = plan.endpoint;
  const tag = plan.rollout.tag as string;
  if (!planChanges(plan)) {
    ctx.out.success(`${id} already runs ${tag} with this configuration: nothing to change${plan.rollout.why ? ` (image: ${plan.rollout.why})` : ""}`);
    return { endpoint: id, imageTag: tag, previousTag: plan.previousTag, stack: "unchanged", summary: [`nothing changed; image unchanged: ${tag}`] };
  }
  printPlan(plan, ctx.out, { verbose: options.verbose });
  await approvePlan(plan, ctx);
  const run: DeployContext = { ...ctx, assumeYes: true };
  const phases = new PhaseTimes(ctx.clock);
  return withTimeSummary(phases, run, () => applyUpdate(config, { ...options, tag }, plan, run, phases));
}

async function applyUpdate(
  config: EndpointConfig,
  options: UpdateOptions & { tag: string },
  plan: UpdatePlan,
  run: DeployContext,
  phases: PhaseTimes,
): Promise<UpdateResult> {
  const id = plan.endpoint;
  // Changed repository settings (images.keep) reach the images stack first, as create-endpoint applies them.
  if (plan.images && plan.images.action !== "unchanged") {
    const basis = { existing: plan.basis.existing, imagesStack: plan.basis.imagesStack, images: plan.images };
    await phases.time("stacks", () => ensureImageRepository(config, basis, run));
  }
  run.out.step(`Updating ${id}: ${plan.basis.deployed.imageTag ?? "?"} -> ${options.tag}`);
  const outcome = await phases.time("rollout", () => sendApproved(config, plan, options.rolloutTimeoutMs, run));
  // A failed update of the base can take the rule with it; every run puts it back.
  await phases.time("security groups", () => admitTasksToEfs(outcome.outputs, id, run));
  if (config.pipeline && pipelineChanges(plan.pipeline)) {
    // Changed build settings reach the build project and its role, as create-endpoint applies them.
    const pipeline = config.pipeline;
    const outputs = outcome.outputs;
    const approved = plan.pipeline && plan.pipeline.action !== "skipped" ? plan.pipeline.rendered : undefined;
    await phases.time("pipeline", () =>
      ensurePipeline(
        { ...config, pipeline },
        { ecrRepositoryName: requireOutput(outputs, "EcrRepositoryName", id), ecrRepositoryUri: requireOutput(outputs, "EcrRepositoryUri", id) },
        run,
        approved,
      ),
    );
  }
  if (outcome.kind === "unchanged") {
    run.out.success(`${id} already runs ${options.tag}: nothing to change`);
    return {
      endpoint: id,
      imageTag: options.tag,
      previousTag: plan.previousTag,
      stack: "unchanged",
      summary: [`nothing changed; image unchanged: ${options.tag}`],
    };
  }
  const summary = changeSummary(diffParameters(stackParameters(plan.basis.existing), stackParameters(outcome.stack)), options.tag);
  for (const line of summary) run.out.success(line);
  const validation = await phases.time("validation", () =>
    validateOwnRollout(id, options.tag, resourcesFrom(outcome.outputs, config), options.rolloutTimeoutMs, run),
  );
  const loadBalancer = await loadBalancerNameOf(run.aws.elb, outcome.outputs);
  const request = await phases.time("validation", () => requestCheck(config.api.hostHeader, config.api.healthCheckPath, loadBalancer, run));
  const state = await dnsState(run.aws.route53, config.api.hostHeader, loadBalancer);
  printWhereItIs(
    validation,
    state.pointsAtLoadBalancer && state.zone
      ? { zone: state.zone, records: [{ name: config.api.hostHeader, type: "A", value: state.record ?? "", action: "unchanged" }] }
      : { records: [], manual: state.reason ?? "the host's record is not an alias to the load balancer" },
    request,
    run,
  );
  return { endpoint: id, imageTag: options.tag, previousTag: plan.previousTag, stack: outcome.kind, summary, validation };
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
export async function rollOut(
  config: EndpointConfig,
  stack: Stack,
  facts: DeploymentFacts,
  rolloutTimeoutMs: number,
  ctx: DeployContext,
): Promise<DeployOutcome> {
  const id = endpointId(config);
  // Read again just before the change set: a deployment may have moved the weights since the stack was read.
  const trafficWeights = keptTrafficWeights(config, id, await readTrafficWeights(ctx.aws, stack), ctx.invocation);
  const rendered = renderEndpointStack(config, { ...facts, trafficWeights, deployedDesiredCount: readDeployed(stack).desiredCount });
  return sendRollout(config, stack, rendered, facts.imageTag, rolloutTimeoutMs, ctx);
}

/**
 * Sends the stack `update` planned, the one rendering the user approved, as it is. Under the
 * endpoint's lease nothing mlops runs changes the stack or moves its traffic between the plan and
 * now (the pipeline's build takes the lease too), so the rendering still describes the change from
 * what is deployed. Someone without mlops takes no lease: when the stack's parameters or its
 * listener rule's live weights are no longer what the plan read, the rendering is not sent,
 * nothing is changed, and the command says to run again, which plans against the stack as it is
 * (the stack step checks the parameters once more right before its change set: `plannedAgainst`).
 */
export async function sendApproved(config: EndpointConfig, plan: UpdatePlan, rolloutTimeoutMs: number, ctx: DeployContext): Promise<DeployOutcome> {
  const { existing, facts, rendered } = plan.basis;
  const weights = keptTrafficWeights(config, plan.endpoint, await readTrafficWeights(ctx.aws, existing), ctx.invocation);
  if (JSON.stringify(weights) !== JSON.stringify(facts.trafficWeights)) {
    throw new AwsError(
      `The listener rule of ${plan.endpoint} moved its traffic after the plan was made (${weights ? sharesText(weights) : "no shares"}): nothing was changed.`,
      {
        hint: "Something other than mlops deployed meanwhile. Run the same command again: it plans against the endpoint as it is now.",
      },
    );
  }
  return sendRollout(config, existing, rendered, facts.imageTag, rolloutTimeoutMs, ctx, stackParameters(existing));
}

/** Sends a rendered endpoint stack that rolls an image out, and says why when the rollout fails. */
async function sendRollout(
  config: EndpointConfig,
  stack: Stack,
  rendered: RenderedStack,
  imageTag: string | undefined,
  rolloutTimeoutMs: number,
  ctx: DeployContext,
  plannedAgainst?: Record<string, string>,
): Promise<DeployOutcome> {
  const id = endpointId(config);
  const previousTag = readDeployed(stack).imageTag;
  // Printed before the change set: the plan of this rollout, as AWS will run it.
  if (imageTag !== previousTag) ctx.out.info(rolloutEstimateLine(rolloutSettingsOf(config)));
  const outputs = stackOutputs(stack);
  try {
    return await deployStack(
      { ...stackSpec(config, rendered), ...(plannedAgainst ? { plannedAgainst } : {}) },
      stackDeps(ctx, rolloutOf(outputs, config, ctx), rolloutStackTimeout(rolloutTimeoutMs)),
    );
  } catch (error) {
    if (!(error instanceof AwsError) || !outputs.ClusterName || !outputs.ServiceName) throw error;
    const cause = await alarmCause(ctx.aws, id, outputs.ClusterName, outputs.ServiceName);
    if (!cause) {
      // No alarm fired: the circuit breaker did (its stopped tasks say why), or something else failed.
      const stopped = await stoppedTaskReasons({ clusterName: outputs.ClusterName, serviceName: outputs.ServiceName }, ctx).catch(() => "");
      if (!stopped) throw error;
      throw new AwsError(`${error.message}\n${stopped.trim()}`, { ...(error.hint ? { hint: error.hint } : {}), cause: error });
    }
    throw new AwsError(
      `The rollout of ${imageTag ?? "the image"} on ${id} was ${cause}; the stack was rolled back${previousTag ? ` and runs ${previousTag} again` : ""}.\n${error.message}`,
      {
        hint: `Look at the alarm's metric (a bad image answers 5xx or slowly), fix the image and run the same command with a new tag; mlops history ${config.source} lists the deployments.`,
        cause: error,
      },
    );
  }
}

/**
 * The deadline of the stack update that carries a rollout: CloudFormation waits inside it for
 * the ECS service to stabilize, so a longer `--rollout-timeout` (a slow model load) lengthens it;
 * a shorter one does not cut below what a stack update may take (`STACK_TIMEOUT_MS`).
 */
export function rolloutStackTimeout(rolloutTimeoutMs: number): number {
  return Math.max(STACK_TIMEOUT_MS, rolloutTimeoutMs);
}

/**
 * Validates the rollout of `tag`, then checks that it is still what the
 * stack runs. A validation that fails because another update replaced the
 * task definition meanwhile is reported as that update, not as a rollback.
 */
async function validateOwnRollout(
  id: string,
  tag: string,
  resources: EndpointResources,
  rolloutTimeoutMs: number,
  ctx: DeployContext,
): Promise<ValidationReport> {
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
  const running = stack ? readDeployed(stack).imageTag : undefined;
  if (running === tag) return;
  throw new AwsError(
    running
      ? `${id} was superseded by tag ${running} from another update while this one ran: ${tag} is not what runs.`
      : `Stack ${id} disappeared while this command deployed ${tag}.`,
    {
      hint: running
        ? `If ${tag} should run, run ${runnable("mlops update", ctx.invocation)} with --tag ${tag} again.`
        : `Check with ${runnable("mlops status", ctx.invocation)}, then run the same command again.`,
    },
  );
}

/** Makes the EFS security group admit the endpoint's tasks on 2049 (the rule lives outside the stack: see security-groups.ts). */
async function admitTasksToEfs(outputs: Record<string, string>, id: string, ctx: DeployContext): Promise<void> {
  const nfs = await ensureNfsRule(
    ctx.aws.ec2,
    {
      efsSecurityGroupId: requireOutput(outputs, "EfsSecurityGroupId", id),
      taskSecurityGroupId: requireOutput(outputs, "TaskSecurityGroupId", id),
      description: `mlops ${id}: tasks mount EFS`,
    },
    { clock: ctx.clock, signal: ctx.signal },
  );
  ctx.out.success(nfs === "added" ? `EFS security group now admits ${id}'s tasks on 2049` : `EFS security group admits ${id}'s tasks on 2049`);
}

/** The stack step's input for a rendered endpoint stack. */
function stackSpec(config: EndpointConfig, rendered: RenderedStack) {
  return {
    stackName: rendered.stackName,
    templateBody: rendered.templateBody,
    parameters: rendered.parameters,
    tags: rendered.tags,
    capabilities: ["CAPABILITY_IAM" as const],
    fieldOfParameter: (parameter: string) => fieldOfParameter(config, parameter),
  };
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
  deployed: DeployedEndpoint | undefined,
  listenerArn: string | undefined,
  adoptKept: (() => Promise<DeploymentFacts>) | undefined,
  ctx: DeployContext,
): Promise<DeployOutcome> {
  const render = (f: DeploymentFacts) => stackSpec(config, renderEndpointStack(config, f));
  if (config.kind === "base" || !listenerArn) return deployStack(render(facts), stackDeps(ctx));
  const fixed = config.api.listenerPriority ?? deployed?.listenerPriority;
  if (fixed !== undefined) return deployStack(render({ ...facts, listenerPriority: fixed }), stackDeps(ctx));
  const tried = new Set<number>();
  for (let attempt = 1; ; attempt++) {
    // The first time, the rules placement read (a collision makes the stack step forget them: then read afresh).
    const priority = choosePriority(endpointId(config), await usedPriorities(ctx.aws.elb, listenerArn, ctx.reads), tried);
    if (priority === undefined) throw new AwsError("Every listener rule priority (1-50000) of the HTTPS listener is taken.");
    ctx.out.info(`Listener rule priority ${priority}`);
    try {
      return await deployStack(render({ ...facts, listenerPriority: priority }), stackDeps(ctx));
    } catch (error) {
      const collided = error instanceof AwsError && /priority/i.test(error.message) && /in use|PriorityInUse/i.test(error.message);
      if (!collided || attempt >= priorityAttempts) throw error;
      tried.add(priority);
      ctx.out.warn(`Priority ${priority} was taken by another endpoint at the same moment; choosing another.`);
      if (adoptKept) Object.assign(facts, await adoptKept());
    }
  }
}

async function obtainImage(
  config: EndpointConfig,
  options: DeployEndpointOptions,
  runningTag: string | undefined,
  repository: string,
  followsPipeline: boolean,
  ctx: DeployContext,
  pushedTag?: string,
  building: (running: boolean) => void = () => {},
): Promise<string> {
  const explicit = options.tag ?? config.container.tag;
  if (explicit) {
    await waitForImage(repository, explicit, options.imageTimeoutMs, ctx);
    return explicit;
  }
  if (pushedTag) {
    await waitForImage(repository, pushedTag, options.imageTimeoutMs, ctx, { resume: resumeCommand(config, pushedTag, ctx) });
    return pushedTag;
  }
  if (runningTag) {
    ctx.out.info(`Keeping the running image ${runningTag} (pass --tag to deploy another).`);
    return runningTag;
  }
  if (!followsPipeline) throw new Error("obtainImage: no source of an image (checked before any change)");
  await ctx.awaitingBuild?.(endpointId(config));
  try {
    building(true);
    const tag = await followPipelineExecution(pipelineName(endpointId(config)), ctx.aws.region, options.imageTimeoutMs, ctx);
    building(false);
    return tag;
  } finally {
    await ctx.awaitingBuild?.(undefined).catch(() => undefined);
  }
}

/** The command that finishes a create or add once the image it waited for is pushed. */
function resumeCommand(config: EndpointConfig, tag: string, ctx: DeployContext): string {
  const verb = config.kind === "base" ? "create-endpoint" : "add-endpoint";
  return `mlops ${verb} ${config.source} --tag ${tag}${ctx.aws.regionSource === "--region" ? ` --region ${ctx.aws.region}` : ""}`;
}

/** The ECS rollout line of the endpoint's service, with the traffic shift and the alarms, for the stack step to show while it waits. */
function rolloutOf(outputs: Record<string, string>, config: EndpointConfig, ctx: DeployContext): () => Promise<string | undefined> {
  const id = endpointId(config);
  const watch: RolloutWatch = {
    id,
    strategy: config.rollout.strategy,
    listenerRuleArn: outputs.ListenerRuleArn,
    cloudWatch: ctx.aws.cloudWatch,
    elb: ctx.aws.elb,
    track: trafficShiftTracker(config.rollout.bakeMinutes, ctx.clock),
  };
  return async () => {
    const [line, more] = await Promise.all([
      serviceRolloutLine(requireOutput(outputs, "ClusterName", id), requireOutput(outputs, "ServiceName", id), ctx),
      shiftAndAlarms(watch),
    ]);
    return line === undefined ? undefined : more ? `${line} | ${more}` : line;
  };
}

/** Where validation looks, from the stack's outputs. */
export function resourcesFrom(outputs: Record<string, string>, config: EndpointConfig): EndpointResources {
  const id = endpointId(config);
  return {
    stackName: id,
    clusterName: requireOutput(outputs, "ClusterName", id),
    serviceName: requireOutput(outputs, "ServiceName", id),
    targetGroupArn: requireOutput(outputs, "TargetGroupArn", id),
    ...(outputs.AlternateTargetGroupArn ? { alternateTargetGroupArn: outputs.AlternateTargetGroupArn } : {}),
    logGroupName: requireOutput(outputs, "LogGroupName", id),
    loadBalancerDnsName: requireOutput(outputs, "LoadBalancerDnsName", id),
    hostHeader: config.api.hostHeader,
  };
}

/** Where the endpoint is; "ready" only once a request reached it, else deployed (its tasks are healthy) but unproven from here. */
function printWhereItIs(report: ValidationReport, dns: DnsOutcome, request: RequestOutcome, ctx: DeployContext): void {
  if (request.kind === "response") ctx.out.success(`Endpoint ready: ${report.url}`);
  else ctx.out.success(`Endpoint deployed: ${report.url} (its tasks are healthy behind the load balancer; the request could not be made from here, see above)`);
  ctx.out.info(`Load balancer: ${report.loadBalancerDnsName}`);
  const alias = dns.records.find((r) => r.type === "A" && r.action !== "left alone");
  if (alias && dns.zone) ctx.out.info(`DNS: ${alias.type} ${alias.name} -> ${alias.value} in Route 53 zone ${dns.zone.name}`);
  else if (dns.manual) ctx.out.info(`Create this DNS record at your DNS provider: ${report.dnsRecord}`);
  else ctx.out.info(`Create this DNS record yourself (the name is taken by a record mlops did not make): ${report.dnsRecord}`);
}
