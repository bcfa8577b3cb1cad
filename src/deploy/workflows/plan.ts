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
import { capacityLines, GPU_ASSUMPTIONS } from "../../render/gpu-plan.js";
import type { Stack } from "../../aws/interfaces.js";
import { AwsError, DeclinedError, InputError } from "../../errors.js";
import type { Output } from "../../io/output.js";
import { formatTable } from "../../io/table.js";
import { endpointId, type EndpointConfig } from "../../params/model.js";
import { TUTORIAL_PARAMETERS } from "../../params/tutorial-keys.js";
import { baseExportName, baseStackName, pipelineName } from "../../render/names.js";
import { placeholderImageTag, renderEndpointStack, renderPipelineStack, volumeRootsOf, weightsSettingsOf, type DeploymentFacts, type RenderedStack, type ShardFacts, type TrafficWeights } from "../../render/render.js";
import { estimateRollout, rolloutEstimateLine, rolloutSettingsOf } from "../../render/rollout-time.js";
import { diffParameters, diffTemplates, formatValue, templateResources, type ParameterChange, type ResourceDiff } from "../../render/template-diff.js";
import { isRoutineReplacement } from "../engine/replacements.js";
import { findIssuedCertificate, findPendingCertificate } from "../steps/certificate.js";
import { regionText, type DeployContext } from "../context.js";
import { exportMap, stackParameters } from "../engine/discovery.js";
import { findEndpointFileSystems, keptVolumes } from "../steps/file-systems.js";
import { imageExists } from "../steps/image.js";
import { listenerServes } from "../steps/listener-certificates.js";
import { endpointLogGroupName, logGroupExists } from "../steps/log-groups.js";
import { choosePlacement, issuedCertificateNames, readPlacementBasis, requireRegionRoom, requireSubnetRoom, stackResourceIds, type LoadBalancerNeed, type Placement, type PlacementBasis } from "../steps/placement.js";
import { choosePriority, usedPriorities } from "../steps/priority.js";
import { nfsRuleExists } from "../steps/security-groups.js";
import { keptTrafficWeights, readTrafficWeights, sharesText } from "../steps/traffic.js";
import { findStack, readStack, stackOutputs } from "../engine/stack.js";
import { compareRecords, desiredRecords, zoneFor, loadBalancerServing, recordLine, validationRecords, type HostedZoneRef, type RecordPlan } from "../steps/dns.js";
import { codeBuildProject, projectChanges as changesOfProject, readProject } from "../steps/pipeline.js";
import { describeComputeType } from "../../params/compute-types.js";

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
export type CertificatePlan =
  | { action: "given" | "deployed" | "found"; arn: string }
  | { action: "await"; arn: string }
  | { action: "request" };

/** The rollout the plan ends with. */
export interface RolloutPlan {
  /** The image tag; undefined when the pipeline's first build decides it. */
  tag?: string;
  tagSource: "given" | "running" | "pipeline";
  /** Whether the tag is in ECR already (false: the command waits for it). */
  imageInEcr?: boolean;
  desired: number;
  min: number;
  max: number;
  strategy: string;
  /** How long the rollout takes on AWS with these settings (the rollout-time model). */
  estimate?: string;
  /** GPU and Neuron endpoints: capacity, price and the extra instances of a rollout. */
  capacity?: string[];
}

/** Everything create-endpoint / add-endpoint will do. */
export interface DeployPlan {
  kind: "deploy";
  endpoint: string;
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
  stack: StackPlan;
  pipeline?: PipelinePlan;
  nfsRule: "add" | "present";
  dns: DnsPlan;
  /** The production listener rule's live weights, which the stack keeps; absent for a rolling or new endpoint. */
  traffic?: TrafficWeights;
  rollout: RolloutPlan;
  /** Plain-language summary of configuration and image changes. */
  summary: string[];
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
  /** Its deployed parameter values. */
  previous: Record<string, string>;
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

/** Everything `update` will do. */
/** The pipeline's part of a plan: its support stack, and what changes in its build project. */
export type PipelinePlan =
  | { name: string; repository: string; branch: string; stack: StackPlan; action: "create" | "update if changed"; build: string; projectChanges: string[] }
  | { name: string; action: "skipped" };

export interface UpdatePlan {
  kind: "update";
  endpoint: string;
  region: string;
  stack: StackPlan;
  /** The production listener rule's live weights, which the stack keeps; absent for a rolling endpoint. */
  traffic?: TrafficWeights;
  /** The pipeline, whose build settings the update applies too. */
  pipeline?: PipelinePlan;
  rollout: RolloutPlan;
  previousTag?: string;
  summary: string[];
  /** What the apply needs: the stack as planned. */
  basis: { existing: Stack; previous: Record<string, string>; facts: DeploymentFacts };
}

/** Labels users know, for the parameters a summary names. */
const parameterLabels: Record<string, string> = {
  APITag: "image",
  TaskCPU: "cpu",
  TaskRAM: "memory",
  DesiredCount: "tasks",
  MinContainers: "min tasks",
  MaxContainers: "max tasks",
  AutoScalingTargetValueCPU: "cpu target %",
  AutoScalingTargetValueRAM: "memory target %",
  ApiPort: "port",
  ApiHealthCheckPath: "health check path",
  HostHeaderApi: "host",
  DNSCertArn: "certificate",
  ListenerRulePriority: "listener priority",
  LoadBalancerStackName: "load balancer",
  LogRetentionDays: "log retention days",
  AllowedCidrIp: "allowed CIDR",
};

/** Parameters that steer how mlops deploys, not what the user configured: left out of summaries. */
const mechanismParameters = new Set(["SendDesiredCount", "PrimaryTargetGroupWeight", "AlternateTargetGroupWeight"]);

/** Plans the stack step for a rendered stack: create, or the update's changes against what is deployed. */
export async function planStack(rendered: Pick<RenderedStack, "stackName" | "templateBody" | "parameters">, existing: Stack | undefined, ctx: DeployContext): Promise<StackPlan> {
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
  const mechanismOnly = allParameters.every((p) => mechanismParameters.has(p.key)) && allChanges.every((c) => isCountHandedToAutoscaling(c) || isLiveWeightsOnly(c));
  const changes = mechanismOnly ? [] : allChanges;
  const parameters = mechanismOnly ? [] : allParameters;
  const action = changes.length > 0 || parameters.length > 0 || repair ? "update" : "unchanged";
  return { ...base, action, repair, changes, parameters };
}

/**
 * After the rollout that sent the task count, the next render stops sending it (SendDesiredCount), which drops
 * DesiredCount from the Service. That is no change: "for existing services, if a desired count is not specified,
 * it is omitted from the operation" (AWS::ECS::Service DesiredCount, CloudFormation User Guide), so the service
 * keeps its count. Alone, it is not worth an update; it goes out with the next real one.
 */
function isCountHandedToAutoscaling(change: ResourceDiff): boolean {
  return change.type === "AWS::ECS::Service" && change.action === "Modify" && change.properties.every((p) => p.path === "DesiredCount" && p.after === undefined);
}

/**
 * The listener rule's weights rendered from the live rule (see steps/traffic.ts) differ from the
 * stack's when ECS moved them since: writing them back changes nothing on the load balancer, so
 * alone it is not worth an update; they go out with the next real one.
 */
function isLiveWeightsOnly(change: ResourceDiff): boolean {
  return change.type === "AWS::ElasticLoadBalancingV2::ListenerRule" && change.action === "Modify" && change.properties.every((p) => /\.Weight$/.test(p.path));
}

/** A summary of configuration and image changes, in the words of the parameter file ("memory 2048 -> 4096"). */
export function changeSummary(parameters: ParameterChange[], tag: string | undefined): string[] {
  const config = parameters.filter((p) => p.key !== "APITag" && !mechanismParameters.has(p.key)).map((p) => `${parameterLabels[p.key] ?? p.key} ${p.before ?? "(none)"} -> ${p.after ?? "(none)"}`);
  const image = parameters.find((p) => p.key === "APITag");
  const lines: string[] = [];
  if (config.length > 0) lines.push(`configuration changed: ${config.join(", ")}`);
  if (image) lines.push(`image changed: ${image.before ?? "(none)"} -> ${image.after ?? "(none)"}`);
  else if (tag) lines.push(`image unchanged: ${tag}`);
  return lines;
}

/** The rollout the configuration asks for, in one line. */
export function rolloutStrategy(config: EndpointConfig): string {
  const r = config.rollout;
  // ECS's circuit breaker judges rolling and blue/green deployments only (see the templates' Service).
  const breaker = r.circuitBreakerRollback && (r.strategy === "rolling" || r.strategy === "blue-green");
  const judges = `${breaker ? "failing tasks (circuit breaker) or" : ""} an alarm in ALARM roll${breaker ? "" : "s"} it back`.trim();
  switch (r.strategy) {
    case "blue-green":
      return `blue/green: the new revision starts beside the old one and takes all traffic at once; both run ${r.bakeMinutes} min more (bake time); ${judges}`;
    case "canary":
      return `canary: ${r.canaryPercent}% of traffic to the new revision for ${r.canaryBakeMinutes} min, then all of it; ${r.bakeMinutes} min bake time; ${judges}`;
    case "linear":
      return `linear: ${r.linearStepPercent}% of traffic more every ${r.linearStepBakeMinutes} min; ${r.bakeMinutes} min bake time; ${judges}`;
    default:
      return `rolling update keeping ${r.minimumHealthyPercent}% of tasks serving, up to ${r.maximumPercent}%; ${judges}`;
  }
}

/** The plan's line on how long the rollout takes on AWS, from the rendered stack's settings. */
export function rolloutEstimate(config: EndpointConfig, parameters: Record<string, string>): string {
  if (config.compute === undefined) return rolloutEstimateLine(rolloutSettingsOf(parameters, config.scaling.desired));
  // A GPU task may wait for a new instance and a large image: see GPU_ASSUMPTIONS for what is assumed.
  const a = GPU_ASSUMPTIONS;
  const settings = rolloutSettingsOf(parameters, config.scaling.desired);
  const line = `${rolloutEstimateLine(settings, a)} Assumed for a GPU task: a new instance ready in ~${a.instanceLaunchSeconds / 60} min, a ${a.imageGB} GB CUDA image pulled in ~${a.imagePullSeconds / 60} min, the model loaded in ~${a.modelLoadSeconds / 60} min (not AWS figures: measure yours).`;
  // The commands wait 15 minutes for a rollout unless told otherwise (--rollout-timeout); a GPU rollout may need longer.
  const minutes = Math.ceil(estimateRollout(settings, a).totalSeconds / 60);
  return minutes + 5 > 15 ? `${line} Give --rollout-timeout ${minutes + 5} or more: the default of 15 minutes may end the wait before the rollout does.` : line;
}

/** Where an endpoint's certificate will come from; reads only. */
export async function planCertificate(config: EndpointConfig, previous: Record<string, string>, ctx: DeployContext): Promise<CertificatePlan> {
  if (config.api.certificateArn) return { action: "given", arn: config.api.certificateArn };
  if (previous.DNSCertArn) return { action: "deployed", arn: previous.DNSCertArn };
  const issued = await findIssuedCertificate(ctx.aws.acm, config.api.hostHeader, ctx.clock.now(), ctx.reads);
  if (issued) return { action: "found", arn: issued };
  const pending = await findPendingCertificate(ctx.aws.acm, config.api.hostHeader, ctx.reads);
  return pending ? { action: "await", arn: pending } : { action: "request" };
}

/** Plans the pipeline stack and pipeline of an endpoint. */
export async function planPipeline(config: EndpointConfig, ecrRepositoryName: string, ctx: DeployContext): Promise<NonNullable<DeployPlan["pipeline"]>> {
  const name = pipelineName(endpointId(config));
  if (!config.pipeline) return { name, action: "skipped" };
  const rendered = renderPipelineStack(config, { ecrRepositoryName });
  const stack = await planStack(rendered, await findStack(ctx.aws.cloudFormation, rendered.stackName), ctx);
  // The repository URI is not a build setting: projectChanges leaves it out.
  const wanted = codeBuildProject(config, { ecrRepositoryName, ecrRepositoryUri: "" }, "", []);
  const projectChanges = stack.action === "create" ? [] : changesOfProject(await readProject(config, ctx), wanted);
  const build = `${config.pipeline.computeType} (${describeComputeType(config.pipeline.computeType)})`;
  return { name, repository: config.pipeline.repository, branch: config.pipeline.branch, stack, action: stack.action === "create" ? "create" : "update if changed", build, projectChanges };
}

/** True when the pipeline's stack or build project would change. */
export function pipelineChanges(p: PipelinePlan | undefined): boolean {
  return !!p && p.action !== "skipped" && (p.action === "create" || p.stack.action !== "unchanged" || p.projectChanges.length > 0);
}

/** Renders the endpoint's stack as the plan shows it: an image the pipeline will build is named as such. */
export function renderForPlan(config: EndpointConfig, facts: DeploymentFacts, tag: string | undefined): RenderedStack {
  return renderEndpointStack(config, { ...facts, imageTag: tag ?? "(built by the pipeline)" });
}

/** True when applying the plan would change something. */
export function planChanges(plan: DeployPlan | UpdatePlan): boolean {
  if (plan.stack.action !== "unchanged") return true;
  if (plan.kind === "update") return pipelineChanges(plan.pipeline);
  const dnsChanges = plan.dns.mode === "zone" && (plan.dns.later.length > 0 || plan.dns.records.some((r) => r.action === "create" || r.action === "change"));
  return plan.certificate.action === "request" || plan.listenerCertificate === "attach" || plan.loadBalancer?.action === "create" || plan.nfsRule === "add" || pipelineChanges(plan.pipeline) || dnsChanges;
}

/** Prints the plan: one block the user reads before the one question. */
export function printPlan(plan: DeployPlan | UpdatePlan, out: Output): void {
  out.step(`Plan for ${plan.endpoint} in ${plan.region}`);
  if (plan.kind === "deploy") {
    const cert = plan.certificate;
    out.info(
      cert.action === "request"
        ? `Certificate: request an ACM certificate for ${plan.hostHeader} (DNS validation; ${plan.dns.mode === "zone" ? `mlops creates its record in Route 53 zone ${plan.dns.zone.name}` : "you create one DNS record"})`
        : cert.action === "await"
          ? `Certificate: wait for the pending ACM certificate ${cert.arn} to be issued`
          : `Certificate: ${cert.action === "found" ? "use the issued" : cert.action === "given" ? "use the given" : "keep the deployed"} certificate ${cert.arn}`,
    );
    const lb = plan.loadBalancer;
    if (lb) {
      const passed = lb.passedOver.length ? ` (full: ${lb.passedOver.join("; ")})` : "";
      out.info(
        lb.action === "create"
          ? `Load balancer: create ${lb.stackName}, a new load balancer of the base in its VPC with its security settings${passed}; it serves ${plan.hostHeader} (DNS name known once created)`
          : `Load balancer: ${lb.stackName}${lb.dnsName ? ` (${lb.dnsName})` : ""} serves ${plan.hostHeader}${lb.action === "keep" ? " (where it is deployed)" : `; it holds ${lb.usage}${passed}`}`,
      );
    }
    const listener = lb ? `HTTPS listener of ${lb.stackName}` : "Base's HTTPS listener";
    if (plan.listenerCertificate === "attach") out.info(`${listener}: attach the certificate for ${plan.hostHeader}`);
    else if (plan.listenerCertificate === "covered") out.info(`${listener}: reuse the certificate ${lb?.coveringArn ?? ""} already there, which covers ${plan.hostHeader} (no certificate attached)`);
    else if (plan.listenerCertificate) out.info(`${listener}: already serves ${plan.hostHeader}`);
    if (plan.listenerPriority) out.info(`Listener rule priority: ${plan.listenerPriority.value}${plan.listenerPriority.chosen ? " (free now; the next free one if another endpoint takes it first)" : ""}`);
    if (plan.keptFileSystems.length) out.info(`EFS: mount the kept file systems ${plan.keptFileSystems.join(", ")} again`);
    if (plan.keptLogGroup) out.info("Logs: use the kept log group again");
  }
  printStackPlan(plan.stack, out);
  if (plan.traffic) out.info(`Traffic: listener rule keeps ${sharesText(plan.traffic)} (where the last deployment left it)`);
  const p = plan.pipeline;
  if (p && p.action === "skipped") out.info(`Pipeline ${p.name}: skipped (--no-pipeline)`);
  else if (p) {
    printStackPlan(p.stack, out);
    out.info(`Pipeline ${p.name} (${p.repository}@${p.branch}) and its CodeBuild project: ${p.action === "create" ? "create" : "update if their definition changed"}`);
    out.info(`Build: ${p.build}`);
    for (const change of p.projectChanges) out.info(`CodeBuild project ${p.name}: ${change}`);
  }
  if (plan.kind === "deploy") {
    out.info(plan.nfsRule === "add" ? "Security group: let the endpoint's tasks reach EFS (NFS, port 2049)" : "Security group: tasks already reach EFS (NFS, port 2049)");
    printDnsPlan(plan.dns, out);
  }
  const r = plan.rollout;
  const tag =
    r.tagSource === "pipeline"
      ? "the tag the pipeline's first build pushes (not known until the build runs)"
      : `${r.tag}${r.tagSource === "running" ? " (running now)" : r.imageInEcr === false ? " (waits until it is in ECR)" : ""}`;
  out.info(`Rollout: image ${tag}; ${r.desired} task(s) (autoscaling ${r.min}-${r.max}); ${r.strategy}`);
  if (r.estimate) out.info(`Rollout time: ${r.estimate}`);
  for (const line of r.capacity ?? []) out.info(line);
  for (const line of plan.summary) out.info(`Summary: ${line}`);
}

function printDnsPlan(dns: DnsPlan, out: Output): void {
  if (dns.mode === "manual") {
    out.info(`DNS: no record made (${dns.reason}); the record to create is printed at the end`);
    return;
  }
  out.info(`DNS: Route 53 public hosted zone ${dns.zone.name} (${dns.zone.id}):`);
  for (const record of dns.records) (record.action === "left alone" || record.action === "change" ? out.warn : out.info).call(out, `  ${recordLine(record)}`);
  for (const line of dns.later) out.info(`  ${line}`);
}

/** Where the endpoint's DNS records go and what changes there; reads only. */
export async function planDns(config: EndpointConfig, enabled: boolean, existing: Stack | undefined, certificateArn: string | undefined, ctx: DeployContext): Promise<DnsPlan> {
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

/** Prints what will happen to one stack, down to its changed properties. */
export function printStackPlan(stack: StackPlan, out: Output): void {
  if (stack.repair) out.warn(`Stack ${stack.stackName}: ${stack.repair}`);
  if (stack.action === "create") {
    out.info(`Stack ${stack.stackName}: create ${stack.resources.length} resources:`);
    const rows = stack.resources.map((r) => [r.logicalId, r.type]);
    for (const line of formatTable(["Logical ID", "Type"], rows).split("\n")) out.info(`  ${line}`);
    return;
  }
  if (stack.action === "unchanged") {
    out.info(`Stack ${stack.stackName}: no changes`);
    return;
  }
  out.info(`Stack ${stack.stackName}: update`);
  if (stack.changes.length === 0) out.info("  no resource changes (only parameters or outputs)");
  for (const change of stack.changes) {
    const marks = [change.replacedBecauseOf.length ? `REPLACED because of ${change.replacedBecauseOf.join(", ")}` : "", change.access === "iam" ? "IAM" : change.access === "security-group" ? "SECURITY GROUP" : ""].filter(Boolean);
    const line = `  ${change.action === "Add" ? "+" : change.action === "Remove" ? "-" : "~"} ${change.logicalId} (${change.type})${marks.length ? `  <-- ${marks.join("; ")}` : ""}`;
    const routine = !change.access && change.action === "Modify" && isRoutineReplacement(change.type);
    if ((marks.length && !routine) || change.action === "Remove") out.warn(line.trimStart());
    else out.info(line);
    for (const p of change.properties) {
      const after = isCountHandedToAutoscaling({ ...change, properties: [p] }) ? "(not sent: the service keeps its count, autoscaling adjusts it)" : formatValue(p.after);
      out.info(`      ${p.path}: ${formatValue(p.before)} -> ${after}`);
    }
  }
  const access = stack.changes.filter((c) => c.access);
  if (access.length) out.warn(`ACCESS CHANGES in ${stack.stackName}: ${access.map((c) => `${c.action} ${c.logicalId}`).join(", ")}: review who can reach or do what.`);
}

/** Asks once whether to apply the plan; throws `DeclinedError` when the answer is no (nothing was changed). */
export async function approvePlan(plan: DeployPlan | UpdatePlan, ctx: DeployContext): Promise<void> {
  if (ctx.assumeYes || !planChanges(plan)) return;
  if (!ctx.out.interactive) throw new DeclinedError("No one is at a terminal to approve the plan above: nothing was changed. Re-run with --yes to apply it.");
  if (!(await ctx.out.confirm("Apply this plan?"))) throw new DeclinedError();
  // The answer may have taken minutes: the apply reads again what the plan read.
  ctx.reads?.forgetAll();
}

/** The running tag of a deployed stack, if an image runs. */
export function runningTagOf(previous: Record<string, string>): string | undefined {
  return previous.APITag && previous.APITag !== placeholderImageTag ? previous.APITag : undefined;
}

/** Outputs of a stack, when it exists. */
export function outputsOf(stack: Stack | undefined): Record<string, string> {
  return stack ? stackOutputs(stack) : {};
}

/** Works out what create-endpoint / add-endpoint will do; reads only. Refuses (exit 2) what cannot work before anything is asked. */
export async function planDeploy(config: EndpointConfig, options: DeployPlanOptions, ctx: DeployContext): Promise<DeployPlan> {
  const id = endpointId(config);
  // The stack's answer is the run's: the apply's first change set starts from it (see readStack).
  const [exports, found] = await Promise.all([config.kind === "added" ? exportMap(ctx.aws.cloudFormation) : undefined, readStack(ctx.aws.cloudFormation, id, ctx.reads)]);
  if (exports) requireBase(config, exports, ctx);
  const existing = liveStack(found);
  const previous = existing ? stackParameters(existing) : {};
  if (existing) refuseReplacements(config, previous);
  const runningTag = runningTagOf(previous);
  const explicitTag = options.tag ?? config.container.tag;
  const followsPipeline = options.pipeline && !!config.pipeline && !explicitTag && !runningTag;
  if (!followsPipeline && !explicitTag && !runningTag) {
    throw new InputError(
      [{ path: "--tag", message: config.pipeline ? "no image to deploy: the pipeline is skipped (--no-pipeline) and no tag was given" : "no image to deploy: the endpoint has no pipeline section and no tag was given" }],
      "Push an image to the endpoint's ECR repository and pass --tag TAG, or add a pipeline section.",
    );
  }

  // Independent reads side by side: the certificate, what placement weighs (it shares the certificate listing), what a new stack adopts.
  const [certificate, placementInputs, kept] = await Promise.all([
    planCertificate(config, previous, ctx),
    exports && !existing ? readPlacementInputs(config, exports, ctx) : undefined,
    existing ? undefined : keptResources(id, ctx),
  ]);
  const certificateArn = "arn" in certificate ? certificate.arn : undefined;
  const serving = exports ? await planLoadBalancer(config, exports, previous, existing !== undefined, certificateArn, placementInputs, ctx) : undefined;
  const listenerArn = serving?.listenerArn;
  const listenerCertificate = serving?.certificate;

  const facts: DeploymentFacts = { certificateArn: certificateArn ?? "(certificate to be requested)", imageTag: runningTag, loadBalancerStack: serving?.plan.stackName };
  let mounted: string[] = [];
  if (existing) {
    facts.deployedDesiredCount = deployedDesiredCount(previous);
    facts.assetsFileSystemId = previous.AssetsFileSystemId || undefined;
    facts.weightsFileSystemId = previous.WeightsFileSystemId || undefined;
    Object.assign(facts, volumeRootsOf(previous));
    facts.logGroupExists = previous.LogGroupExists === "true";
    facts.weights = weightsSettingsOf(previous);
    facts.trafficWeights = keptTrafficWeights(config, id, await readTrafficWeights(ctx.aws, existing));
  } else if (kept) {
    Object.assign(facts, kept.facts);
    mounted = kept.mounted;
  }
  const fixedPriority = config.api.listenerPriority ?? (Number(previous.ListenerRulePriority) || undefined);
  // A shard yet to be created has no rules: the endpoint's preferred slot is free there.
  // Placement has read the chosen listener's rules already; a shard yet to be created has none.
  const taken = serving?.usedPriorities ?? (listenerArn ? await usedPriorities(ctx.aws.elb, listenerArn, ctx.reads) : serving ? new Set<number>() : undefined);
  const priority = fixedPriority ?? (taken ? choosePriority(id, taken) : undefined);

  const tag = explicitTag ?? runningTag;
  const rendered = renderForPlan(config, { ...facts, listenerPriority: priority }, tag);
  const stack = await planStack(rendered, found, ctx);
  const outputs = outputsOf(existing);
  const repository = outputs.EcrRepositoryName ?? id;
  const pipeline = config.pipeline ? (options.pipeline ? await planPipeline(config, repository, ctx) : { name: pipelineName(id), action: "skipped" as const }) : undefined;
  const nfsRule =
    outputs.EfsSecurityGroupId && outputs.TaskSecurityGroupId && (await nfsRuleExists(ctx.aws.ec2, { efsSecurityGroupId: outputs.EfsSecurityGroupId, taskSecurityGroupId: outputs.TaskSecurityGroupId, description: "" }))
      ? "present"
      : "add";
  const imageInEcr = explicitTag && existing ? await imageExists(ctx.aws.ecr, repository, explicitTag) : explicitTag ? false : undefined;
  const dns = await planDns(config, options.dns !== false, existing, certificateArn, ctx);
  return {
    kind: "deploy",
    endpoint: id,
    region: ctx.aws.region,
    hostHeader: config.api.hostHeader,
    certificate,
    listenerCertificate,
    loadBalancer: serving?.plan,
    listenerPriority: serving && priority !== undefined ? { value: priority, chosen: fixedPriority === undefined } : undefined,
    keptFileSystems: mounted,
    keptLogGroup: !existing && !!facts.logGroupExists,
    stack,
    pipeline,
    nfsRule,
    dns,
    ...(facts.trafficWeights ? { traffic: facts.trafficWeights } : {}),
    rollout: {
      tag,
      tagSource: explicitTag ? "given" : runningTag ? "running" : "pipeline",
      imageInEcr,
      desired: config.scaling.desired,
      min: config.scaling.min,
      max: config.scaling.max,
      strategy: rolloutStrategy(config),
      ...(tag !== runningTag || !existing ? { estimate: rolloutEstimate(config, rendered.parameters) } : {}),
      ...(config.compute ? { capacity: capacityLines(config) } : {}),
    },
    summary: stack.action === "update" ? changeSummary(stack.parameters, tag) : [],
    basis: { listenerArn, shard: serving?.shard, existing, previous, facts: { ...facts, certificateArn }, mounted, runningTag, followsPipeline },
  };
}

/** Works out what `update` will do; refuses (exit 2) a missing stack or a tag missing from ECR. Reads only. */
export async function planUpdate(config: EndpointConfig, tag: string, ctx: DeployContext): Promise<UpdatePlan> {
  const id = endpointId(config);
  const existing = liveStack(await findStack(ctx.aws.cloudFormation, id));
  if (!existing) {
    throw new InputError([{ file: config.source, path: "project", message: `no stack ${id} in region ${regionText(ctx.aws)}` }], `Create it first: mlops ${config.kind === "base" ? "create-endpoint" : "add-endpoint"} ${config.source}`);
  }
  const previous = stackParameters(existing);
  refuseReplacements(config, previous);
  const repository = stackOutputs(existing).EcrRepositoryName ?? id;
  if (!(await imageExists(ctx.aws.ecr, repository, tag))) {
    throw new InputError([{ path: "--tag", message: `image ${repository}:${tag} is not in ECR; nothing was changed` }], "Push the image (or let the pipeline build it) and run the same command again.");
  }
  const facts: DeploymentFacts = {
    certificateArn: config.api.certificateArn ?? previous.DNSCertArn,
    imageTag: tag,
    assetsFileSystemId: previous.AssetsFileSystemId || undefined,
    weightsFileSystemId: previous.WeightsFileSystemId || undefined,
    ...volumeRootsOf(previous),
    logGroupExists: previous.LogGroupExists === "true",
    listenerPriority: config.api.listenerPriority ?? (Number(previous.ListenerRulePriority) || undefined),
    // An update keeps the endpoint on the load balancer it was placed on.
    loadBalancerStack: previous.LoadBalancerStackName || undefined,
    deployedDesiredCount: deployedDesiredCount(previous),
    weights: weightsSettingsOf(previous),
    trafficWeights: keptTrafficWeights(config, id, await readTrafficWeights(ctx.aws, existing)),
  };
  const stack = await planStack(renderEndpointStack(config, facts), existing, ctx);
  const pipeline = config.pipeline ? await planPipeline(config, repository, ctx) : undefined;
  return {
    kind: "update",
    endpoint: id,
    region: ctx.aws.region,
    stack,
    ...(facts.trafficWeights ? { traffic: facts.trafficWeights } : {}),
    rollout: {
      tag,
      tagSource: "given",
      imageInEcr: true,
      desired: config.scaling.desired,
      min: config.scaling.min,
      max: config.scaling.max,
      strategy: rolloutStrategy(config),
      ...(tag !== previous.APITag ? { estimate: rolloutEstimate(config, renderEndpointStack(config, facts).parameters) } : {}),
      ...(config.compute ? { capacity: capacityLines(config) } : {}),
    },
    previousTag: runningTagOf(previous),
    summary: changeSummary(stack.parameters, tag),
    basis: { existing, previous, facts },
    // An update changes a pipeline that exists; create-endpoint and add-endpoint create one.
    ...(pipeline && pipeline.action !== "create" ? { pipeline } : {}),
  };
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
export function refuseReplacements(config: EndpointConfig, previous: Record<string, string>): void {
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
export function fieldOfParameter(config: EndpointConfig, parameter: string): string | undefined {
  const entry = TUTORIAL_PARAMETERS.find((p) => p.key === parameter);
  if (!entry) return undefined;
  return config.format === "mlops" ? entry.paths.join(" / ") : entry.key;
}

/** The DesiredCount a stack was deployed with; undefined when it has none (then the count is sent). */
export function deployedDesiredCount(parameters: Record<string, string>): number | undefined {
  const value = parameters.DesiredCount;
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** A stack that can be updated; a failed first create is treated as absent (the stack step deletes it). */
export function liveStack(stack: Stack | undefined): Stack | undefined {
  if (!stack) return undefined;
  return stack.StackStatus === "ROLLBACK_COMPLETE" || stack.StackStatus === "REVIEW_IN_PROGRESS" ? undefined : stack;
}

/** What a new stack adopts from an earlier one: kept file systems and log group, found by name and tag. */
export async function keptResources(id: string, ctx: DeployContext): Promise<{ facts: DeploymentFacts; mounted: string[] }> {
  const [fileSystems, logGroup] = await Promise.all([findEndpointFileSystems(ctx.aws.efs, id, ctx.reads), logGroupExists(ctx.aws.logs, endpointLogGroupName(id))]);
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

/** The base's HTTPS listener; refuses early, with exit code 2, when the base an added endpoint names does not exist. */
export function requireBase(config: EndpointConfig, exports: Map<string, string>, ctx: DeployContext): string {
  const name = baseExportName(config, "HttpsListenerArn");
  const listenerArn = exports.get(name);
  if (listenerArn) return listenerArn;
  throw new InputError(
    [{ file: config.source, path: config.format === "mlops" ? "base" : "BaseProjectName", message: `no base endpoint ${config.baseProject}-${config.environment} in region ${regionText(ctx.aws)} (export ${name} not found)` }],
    `Create the base first: mlops create-endpoint <base params>, or fix the base name.`,
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
 * (its stack's LoadBalancerStackName; the base's for a stack from before shards). A new one is
 * placed by the quotas (see placement.ts); when every load balancer of the base is full, a new
 * shard is planned, rendered from the base stack's own settings.
 */
async function planLoadBalancer(
  config: EndpointConfig,
  exports: Map<string, string>,
  previous: Record<string, string>,
  deployed: boolean,
  certificateArn: string | undefined,
  inputs: PlacementInputs | undefined,
  ctx: DeployContext,
): Promise<{ plan: LoadBalancerPlan; listenerArn?: string; certificate: "attach" | "present" | "covered"; shard?: ShardFacts; usedPriorities?: Set<number> }> {
  const base = baseStackName(config);
  const host = config.api.hostHeader;
  if (deployed) {
    const stackName = previous.LoadBalancerStackName || base;
    const listenerArn = exports.get(`${stackName}-HttpsListenerArn`);
    if (!listenerArn) throw new AwsError(`The load balancer stack ${stackName} that serves ${endpointId(config)} has no export ${stackName}-HttpsListenerArn.`, { hint: "It was changed or deleted outside mlops; check it with aws cloudformation describe-stacks, then run the same command again." });
    const present = await listenerServes(ctx.aws.elb, ctx.aws.acm, listenerArn, host, certificateArn, ctx.reads);
    return { plan: { stackName, action: "keep", dnsName: exports.get(`${stackName}-LoadBalancerDnsName`), passedOver: [] }, listenerArn, certificate: present ? "present" : "attach" };
  }
  const need = endpointNeed(config);
  const { basis, names } = inputs ?? (await readPlacementInputs(config, exports, ctx));
  const placement: Placement = choosePlacement(basis, need, host, certificateArn, (arn) => names.get(arn) ?? [], base);
  await requireRegionRoom(ctx.aws.elb, basis, need, placement);
  if (placement.kind === "existing") {
    const lb = placement.loadBalancer;
    return {
      plan: { stackName: lb.stackName, action: "use", dnsName: lb.dnsName, usage: usageText(lb, basis.quotas), passedOver: placement.passedOver, coveringArn: placement.coveringArn },
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
    requireSubnetRoom(ctx.aws.ec2, subnets, { mountTargets: need.mountTargets, peakTasks: Math.ceil((config.scaling.max * config.rollout.maximumPercent) / 100) }),
  ]);
  return { basis, names };
}

/** The settings a new shard takes over from its base stack: VPC range, public subnets, allowed CIDR, default certificate, access-log bucket. */
async function shardFacts(base: string, shardStackName: string, ctx: DeployContext): Promise<ShardFacts> {
  const [stack, resources] = await Promise.all([findStack(ctx.aws.cloudFormation, base), stackResourceIds(ctx.aws.cloudFormation, base)]);
  const params = stack ? stackParameters(stack) : {};
  const subnets = [resources.get("PublicSubnet1"), resources.get("PublicSubnet2")];
  if (!stack || !params.VpcCidr || !params.DNSCertArn || !subnets[0] || !subnets[1]) {
    throw new AwsError(`The base stack ${base} lacks what a new load balancer needs (its VPC range, public subnets and certificate).`, { hint: "Run mlops create-endpoint with the base's parameter file to repair it, then run the same command again." });
  }
  return {
    baseStackName: base,
    shardStackName,
    vpcCidr: params.VpcCidr,
    publicSubnets: [subnets[0], subnets[1]],
    allowedCidr: params.AllowedCidrIp || "0.0.0.0/0",
    defaultCertificateArn: params.DNSCertArn,
    accessLogsBucket: stackOutputs(stack).LoadBalancerAccessLogsBucket || undefined,
  };
}
