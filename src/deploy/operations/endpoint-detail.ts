/**
 * `status NAME`: one endpoint in detail, read from AWS: its stack and last
 * operation, image, tasks, stopped tasks, target health, rollout, pipeline
 * run, certificate, EFS file systems, and whether its host name points at the
 * load balancer.
 *
 * Every section is read concurrently once the stack is known, and each one
 * that cannot be read says why in its own `error` instead of hiding the
 * others: a pipeline API that fails leaves the pipeline "unknown", not the
 * command failed. This file reads; endpoint-detail-format.ts formats.
 */
import { capacityDetail, placementOf, withInstanceTypes } from "./capacity.js";
import type { EcsDeployment, EcsService, EcsTask, StackEvent, TargetHealthDescription } from "../../aws/interfaces.js";
import { CredentialsError, InterruptedError } from "../../errors.js";
import { pipelineName } from "../../render/names.js";
import { placeholderImageTag } from "../../render/render.js";
import type { DeployContext } from "../context.js";
import { findExport, readDeployed, type ManagedStack } from "../engine/discovery.js";
import { findRootCause, formatRootCause, isStackEvent } from "../engine/root-cause.js";
import { stackOutputs } from "../engine/stack.js";
import { dnsState } from "../steps/dns.js";
import { placementAdvice } from "../steps/gpu-capacity.js";
import { SPOT_INTERRUPTION_TEXT, spotInterruption } from "../steps/managed-instances.js";
import { listenerCertificateFor } from "../steps/listener-certificates.js";

/** Resolves host names as the endpoint's clients would; `undefined` when the name does not exist (NXDOMAIN, no address). */
export interface HostResolver {
  addresses(host: string): Promise<string[] | undefined>;
}

/** The stack and its last operation. */
export interface StackSection {
  name: string;
  status: string;
  /** The last operation: `CREATE`, `UPDATE`, `UPDATE_ROLLBACK`, `ROLLBACK`, `DELETE`, `IMPORT`… */
  lastOperation: string;
  /** How it ended so far: `COMPLETE`, `FAILED`, `IN_PROGRESS`. */
  result: string;
  /** When it started (the stack's last update, or its creation), ISO 8601. */
  time?: string;
  /** Why it failed or rolled back: the root cause from the stack's events. */
  reason?: string;
}

/** The image the stack runs. */
export interface ImageSection {
  tag?: string;
  repository?: string;
  uri?: string;
  /** Whether the tag is in the ECR repository (new tasks cannot start without it); undefined when unknown. */
  inRepository?: boolean;
  pushedAt?: string;
  error?: string;
}

/** One task of the service. */
export interface TaskItem {
  id: string;
  lastStatus?: string;
  desiredStatus?: string;
  /** The container health check's verdict: HEALTHY, UNHEALTHY, UNKNOWN. */
  health?: string;
  startedAt?: string;
  /** The task definition's `family:revision`. */
  taskDefinition?: string;
  availabilityZone?: string;
  /** ECS Managed Instances: the capacity provider that placed it, the GPUs pinned to its containers, its instance. */
  capacityProvider?: string;
  gpus?: number;
  containerInstanceArn?: string;
  /** The EC2 instance type under it (DescribeContainerInstances); absent when not readable. */
  instanceType?: string;
}

/** One recently stopped task and why it stopped. */
export interface StoppedTaskItem {
  id: string;
  stoppedAt?: string;
  stopCode?: string;
  reason?: string;
  /** Each container that stopped with a reason or an exit code: `name: exit 1 (reason)`. */
  containers: string[];
  taskDefinition?: string;
  /** What the stop means when it is not the application's doing: a Spot interruption, or no capacity to place it (and what to change). */
  explanation?: string;
}

/** One deployment of the service (PRIMARY is the newest, ACTIVE ones drain). */
export interface DeploymentItem {
  id?: string;
  status?: string;
  rolloutState?: string;
  rolloutStateReason?: string;
  taskDefinition?: string;
  desired?: number;
  running?: number;
  pending?: number;
  failed?: number;
  createdAt?: string;
  updatedAt?: string;
}

/** The ECS service and its rollout. */
export interface ServiceSection {
  name?: string;
  cluster?: string;
  status?: string;
  desired?: number;
  running?: number;
  pending?: number;
  deployments: DeploymentItem[];
  /** The newest service event's message. */
  lastEvent?: string;
  error?: string;
}

/** The tasks running and the last stopped ones. */
export interface TasksSection {
  running: TaskItem[];
  stopped: StoppedTaskItem[];
  error?: string;
  /** Why the running tasks' instance types could not be read, when they could not. */
  instanceTypeError?: string;
}

/** One target of the target group. */
export interface TargetItem {
  id?: string;
  port?: number;
  availabilityZone?: string;
  state?: string;
  reason?: string;
  description?: string;
}

/** The target group's targets. */
export interface TargetsSection {
  targetGroupArn?: string;
  healthy: number;
  total: number;
  targets: TargetItem[];
  error?: string;
}

/** The pipeline and its last run. */
export interface PipelineSection {
  name: string;
  /** `ok`: the last run was read; `none`: no run yet; `unknown`: the pipeline API failed (see `error`). */
  state: "ok" | "none" | "unknown";
  lastRun?: { id?: string; status?: string; startedAt?: string; updatedAt?: string; trigger?: string };
  error?: string;
}

/** The certificate of the HTTPS listener for this host. */
export interface CertificateSection {
  arn?: string;
  domain?: string;
  status?: string;
  notAfter?: string;
  daysLeft?: number;
  /** Set when the certificate needs attention: not issued, or expiring within 30 days. */
  warning?: string;
  error?: string;
}

/** One of the endpoint's EFS file systems. */
export interface FileSystemItem {
  volume: "weights" | "assets";
  id?: string;
  sizeBytes?: number;
  lifeCycleState?: string;
  error?: string;
}

/** The URL and whether DNS sends its host to the load balancer. */
export interface DnsSection {
  url?: string;
  host?: string;
  loadBalancer?: string;
  /** `pointed`: the host resolves to the load balancer's addresses; `not pointed`: it does not (see `record`); `unknown`: see `error`. */
  state: "pointed" | "not pointed" | "unknown";
  hostAddresses?: string[];
  /** The record to create when not pointed and Route 53 has no alias to the load balancer for the host. */
  record?: string;
  error?: string;
  /** The host's record in the Route 53 public hosted zone that covers it, as mlops makes it (see steps/dns.ts). */
  route53?: string;
}

/** One endpoint in detail: the shape of `mlops status NAME --json` under `endpoint`. */
export interface EndpointDetail {
  endpoint: string;
  role: "base" | "added";
  healthy: boolean;
  /** What needs attention, one sentence each; empty when nothing does. */
  problems: string[];
  stack: StackSection;
  image: ImageSection;
  service: ServiceSection;
  tasks: TasksSection;
  targets: TargetsSection;
  /** Absent when the endpoint has no pipeline. */
  pipeline?: PipelineSection;
  certificate: CertificateSection;
  fileSystems: FileSystemItem[];
  dns: DnsSection;
  /** GPU and Neuron endpoints: their ECS Managed Instances capacity (see capacity.ts). */
  capacity?: string;
}

/** The detail formatted for a terminal or a log (endpoint-detail-format.ts). */
export { formatEndpointDetail } from "./endpoint-detail-format.js";

/** A certificate this close to its end needs attention (ACM renews DNS-validated ones from 60 days before when the record is in place). */
export const CERTIFICATE_WARNING_DAYS = 30;
/** Stopped tasks shown: enough to see a pattern of crashes. */
const STOPPED_TASKS = 3;
/** DescribeTasks takes at most 100 tasks (ECS API reference, DescribeTasks, `tasks`). */
const TASKS_PER_CALL = 100;
const DAY_MS = 86_400_000;

/** Reads one endpoint's detail; `pipeline`: whether it has a pipeline stack. */
export async function readEndpointDetail(
  ctx: DeployContext,
  managed: ManagedStack & { role: "base" | "added" },
  options: { pipeline: boolean; resolver: HostResolver },
): Promise<EndpointDetail> {
  const stack = managed.stack;
  const deployed = readDeployed(stack);
  const outputs = stackOutputs(stack);
  const cluster = outputs.ClusterName;
  const serviceName = outputs.ServiceName;

  const [stackSection, image, service, tasks, targets, pipeline, certificate, fileSystems, dns, route53] = await Promise.all([
    readStack(ctx, managed),
    readImage(ctx, deployed.imageTag, outputs.EcrRepositoryName, outputs.EcrRepositoryUri),
    readService(ctx, cluster, serviceName),
    readTasks(ctx, cluster, serviceName),
    readTargets(ctx, outputs.TargetGroupArn),
    options.pipeline ? readPipeline(ctx, pipelineName(managed.endpointId)) : Promise.resolve(undefined),
    // The listener of the load balancer that serves it: the base's, or a shard's.
    readCertificate(
      ctx,
      deployed.certificateArn,
      deployed.host,
      deployed.baseProject ? `${deployed.loadBalancerStack || `${deployed.baseProject}-${deployed.environment}`}-HttpsListenerArn` : undefined,
    ),
    readFileSystems(ctx, { weights: outputs.WeightsFileSystemId, assets: outputs.AssetsFileSystemId }),
    readDns(options.resolver, deployed.host, outputs.LoadBalancerDnsName),
    readRoute53(ctx, deployed.host, outputs.LoadBalancerDnsName),
  ]);
  if (route53) dns.route53 = route53.text;
  if (route53?.pointsAtLoadBalancer) reconcileWithRoute53(dns);
  const detail: EndpointDetail = {
    endpoint: managed.endpointId,
    role: managed.role,
    healthy: true,
    problems: [],
    stack: stackSection,
    image,
    service,
    tasks,
    targets,
    ...(pipeline ? { pipeline } : {}),
    certificate,
    fileSystems,
    dns,
  };
  const capacity = capacityDetail(deployed.compute, tasks.running, tasks.instanceTypeError);
  if (capacity !== undefined) detail.capacity = capacity;
  detail.problems = problemsOf(detail);
  detail.healthy = detail.problems.length === 0;
  return detail;
}

/** Stack states whose reason is worth reading from the events: a failure, or a rollback that followed one. */
const FAILED_OPERATION = /(_FAILED|ROLLBACK_COMPLETE|ROLLBACK_IN_PROGRESS)$/;

/** Splits `UPDATE_ROLLBACK_COMPLETE` into its operation (`UPDATE_ROLLBACK`) and result (`COMPLETE`). */
export function splitStackStatus(status: string): { operation: string; result: string } {
  const match = /^(.*?)_(COMPLETE_CLEANUP_IN_PROGRESS|IN_PROGRESS|COMPLETE|FAILED)$/.exec(status);
  return match ? { operation: match[1] as string, result: match[2] as string } : { operation: status, result: "" };
}

async function readStack(ctx: DeployContext, managed: ManagedStack): Promise<StackSection> {
  const status = managed.stack.StackStatus ?? "UNKNOWN";
  const { operation, result } = splitStackStatus(status);
  const time = managed.stack.LastUpdatedTime ?? managed.stack.CreationTime;
  const section: StackSection = { name: managed.stackName, status, lastOperation: operation, result, time: iso(time) };
  if (!FAILED_OPERATION.test(status)) return section;
  try {
    const events = (await ctx.aws.cloudFormation.describeStackEvents({ StackName: managed.stackName })).StackEvents ?? [];
    const cause = findRootCause(lastOperationEvents(events), { stackStatusReason: managed.stack.StackStatusReason });
    section.reason = formatRootCause(managed.stackName, status, cause).replace(/^Stack \S+ failed \([A-Z_]+\)(: |; )/, "");
  } catch (error) {
    section.reason = managed.stack.StackStatusReason ?? `stack events unreadable: ${problemOf(error)}`;
  }
  return section;
}

/** Stack-level states that start an operation (a rollback belongs to the operation it undoes). */
const OPERATION_START = new Set(["CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS", "IMPORT_IN_PROGRESS"]);

/** The events of the stack's last operation, oldest first, from DescribeStackEvents' newest-first list. */
export function lastOperationEvents(newestFirst: readonly StackEvent[]): StackEvent[] {
  const start = newestFirst.findIndex((e) => isStackEvent(e) && OPERATION_START.has(e.ResourceStatus ?? ""));
  return (start === -1 ? [...newestFirst] : newestFirst.slice(0, start + 1)).reverse();
}

async function readImage(ctx: DeployContext, tag: string | undefined, repository: string | undefined, uri: string | undefined): Promise<ImageSection> {
  const section: ImageSection = { tag: tag && tag !== placeholderImageTag ? tag : undefined, repository, uri };
  if (!section.tag || !repository) return section;
  try {
    const found = await ctx.aws.ecr.describeImages({ repositoryName: repository, imageIds: [{ imageTag: section.tag }] });
    const detail = found.imageDetails?.[0];
    section.inRepository = detail !== undefined;
    section.pushedAt = iso(detail?.imagePushedAt);
  } catch (error) {
    if (errorCode(error) === "ImageNotFoundException") section.inRepository = false;
    else section.error = problemOf(error);
  }
  return section;
}

async function readService(ctx: DeployContext, cluster: string | undefined, name: string | undefined): Promise<ServiceSection> {
  const section: ServiceSection = { name, cluster, deployments: [] };
  if (!cluster || !name) return { ...section, error: "the stack has no ClusterName or ServiceName output" };
  try {
    const answer = await ctx.aws.ecs.describeServices({ cluster, services: [name] });
    const service = answer.services?.find((s) => s.status !== "INACTIVE");
    if (!service)
      return {
        ...section,
        error: `ECS service ${name} not found in cluster ${cluster}${answer.failures?.[0]?.reason ? ` (${answer.failures[0].reason})` : ""}`,
      };
    return serviceSection(section, service);
  } catch (error) {
    return { ...section, error: problemOf(error) };
  }
}

function serviceSection(section: ServiceSection, service: EcsService): ServiceSection {
  return {
    name: section.name,
    cluster: section.cluster,
    status: service.status,
    desired: service.desiredCount,
    running: service.runningCount,
    pending: service.pendingCount,
    deployments: (service.deployments ?? []).map(deploymentItem),
    lastEvent: service.events?.[0]?.message,
  };
}

function deploymentItem(d: EcsDeployment): DeploymentItem {
  return {
    id: d.id,
    status: d.status,
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
    taskDefinition: d.taskDefinition ? revision(d.taskDefinition) : undefined,
    desired: d.desiredCount,
    running: d.runningCount,
    pending: d.pendingCount,
    failed: d.failedTasks,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
  };
}

async function readTasks(ctx: DeployContext, cluster: string | undefined, serviceName: string | undefined): Promise<TasksSection> {
  if (!cluster || !serviceName) return { running: [], stopped: [] };
  try {
    // Running and stopped tasks are listed side by side; ECS keeps stopped tasks for at least an hour (ECS developer guide, "Amazon ECS task lifecycle").
    const [running, stopped] = await Promise.all([
      describeAll(ctx, cluster, { cluster, serviceName, desiredStatus: "RUNNING" }),
      describeAll(ctx, cluster, { cluster, serviceName, desiredStatus: "STOPPED" }),
    ]);
    const newestFirst = stopped.sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0)).slice(0, STOPPED_TASKS);
    const items = running.sort((a, b) => (a.startedAt?.getTime() ?? 0) - (b.startedAt?.getTime() ?? 0)).map(taskItem);
    // Tasks on ECS Managed Instances: the instance type under each (capacity.ts); Fargate tasks name no container instance.
    const typed = await withInstanceTypes(ctx.aws.ecs, cluster, items);
    return {
      running: typed.placements,
      stopped: newestFirst.map(stoppedTaskItem),
      ...(typed.error ? { instanceTypeError: typed.error } : {}),
    };
  } catch (error) {
    return { running: [], stopped: [], error: problemOf(error) };
  }
}

/** The tasks ListTasks names (one page of up to 100), described. */
async function describeAll(
  ctx: DeployContext,
  cluster: string,
  input: { cluster: string; serviceName: string; desiredStatus: "RUNNING" | "STOPPED" },
): Promise<EcsTask[]> {
  const arns = (await ctx.aws.ecs.listTasks({ ...input, maxResults: TASKS_PER_CALL })).taskArns ?? [];
  if (arns.length === 0) return [];
  return (await ctx.aws.ecs.describeTasks({ cluster, tasks: arns })).tasks ?? [];
}

function taskItem(task: EcsTask): TaskItem {
  return {
    id: taskId(task.taskArn),
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    health: task.healthStatus,
    startedAt: iso(task.startedAt),
    taskDefinition: task.taskDefinitionArn ? revision(task.taskDefinitionArn) : undefined,
    availabilityZone: task.availabilityZone,
    ...placementOf(task),
  };
}

/** A Spot interruption, or a task ECS could not place (RESOURCE:GPU…) with what to change: the stop explained in the endpoint's terms. */
function stopExplanation(task: EcsTask): { explanation?: string } {
  if (spotInterruption(task)) return { explanation: SPOT_INTERRUPTION_TEXT };
  const advice = task.stoppedReason ? placementAdvice(task.stoppedReason) : undefined;
  return advice ? { explanation: advice } : {};
}

function stoppedTaskItem(task: EcsTask): StoppedTaskItem {
  const containers = (task.containers ?? []).flatMap((c) => {
    const exit = c.exitCode === undefined || c.exitCode === null ? "" : `exit ${c.exitCode}`;
    const text = [exit, c.reason ? `(${c.reason})` : ""].filter(Boolean).join(" ");
    return text ? [`${c.name ?? "container"}: ${text}`] : [];
  });
  return {
    id: taskId(task.taskArn),
    stoppedAt: iso(task.stoppedAt),
    stopCode: task.stopCode,
    reason: task.stoppedReason,
    containers,
    taskDefinition: task.taskDefinitionArn ? revision(task.taskDefinitionArn) : undefined,
    ...stopExplanation(task),
  };
}

async function readTargets(ctx: DeployContext, targetGroupArn: string | undefined): Promise<TargetsSection> {
  const section: TargetsSection = { targetGroupArn, healthy: 0, total: 0, targets: [] };
  if (!targetGroupArn) return { ...section, error: "the stack has no TargetGroupArn output" };
  try {
    const list = (await ctx.aws.elb.describeTargetHealth({ TargetGroupArn: targetGroupArn })).TargetHealthDescriptions ?? [];
    const targets = list.map(targetItem);
    return { ...section, targets, total: targets.length, healthy: targets.filter((t) => t.state === "healthy").length };
  } catch (error) {
    return { ...section, error: problemOf(error) };
  }
}

function targetItem(t: TargetHealthDescription): TargetItem {
  return {
    id: t.Target?.Id,
    port: t.Target?.Port,
    availabilityZone: t.Target?.AvailabilityZone,
    state: t.TargetHealth?.State,
    reason: t.TargetHealth?.Reason,
    description: t.TargetHealth?.Description,
  };
}

async function readPipeline(ctx: DeployContext, name: string): Promise<PipelineSection> {
  try {
    const runs = (await ctx.aws.codePipeline.listPipelineExecutions({ pipelineName: name, maxResults: 1 })).pipelineExecutionSummaries ?? [];
    const last = runs[0];
    if (!last) return { name, state: "none" };
    return {
      name,
      state: "ok",
      lastRun: {
        id: last.pipelineExecutionId,
        status: last.status,
        startedAt: iso(last.startTime),
        updatedAt: iso(last.lastUpdateTime),
        trigger: last.trigger?.triggerType,
      },
    };
  } catch (error) {
    return { name, state: "unknown", error: problemOf(error) };
  }
}

/**
 * The certificate: a base stack names it (its listener's certificate parameter); an added endpoint's is on the base's shared HTTPS
 * listener, found by the host it covers (`listenerExport`: the export of that listener's ARN, by the base's stack or a shard's).
 */
async function readCertificate(
  ctx: DeployContext,
  stackArn: string | undefined,
  host: string | undefined,
  listenerExport: string | undefined,
): Promise<CertificateSection> {
  let arn = stackArn?.startsWith("arn:") ? stackArn : undefined;
  try {
    if (!arn && listenerExport && host) {
      const listenerArn = await findExport(ctx.aws.cloudFormation, listenerExport);
      if (!listenerArn) return { error: `the export ${listenerExport} of its load balancer's stack is gone` };
      arn = await listenerCertificateFor(ctx.aws.elb, ctx.aws.acm, listenerArn, host);
      if (!arn)
        return { warning: `no certificate on its load balancer's HTTPS listener covers ${host}: HTTPS to it fails; run add-endpoint again to attach one` };
    }
    if (!arn) return { error: "the stack names no certificate" };
    const certificate = (await ctx.aws.acm.describeCertificate({ CertificateArn: arn })).Certificate;
    const section: CertificateSection = { arn, domain: certificate?.DomainName, status: certificate?.Status, notAfter: iso(certificate?.NotAfter) };
    if (certificate?.NotAfter) section.daysLeft = Math.floor((certificate.NotAfter.getTime() - ctx.clock.now()) / DAY_MS);
    if (section.status && section.status !== "ISSUED") section.warning = `certificate is ${section.status}: HTTPS fails for new connections`;
    else if (section.daysLeft !== undefined && section.daysLeft < 0) section.warning = `certificate expired ${-section.daysLeft} day(s) ago`;
    else if (section.daysLeft !== undefined && section.daysLeft < CERTIFICATE_WARNING_DAYS) {
      section.warning = `certificate expires in ${section.daysLeft} day(s): check that its DNS validation record is still in place so that ACM renews it`;
    }
    return section;
  } catch (error) {
    return { arn, error: problemOf(error) };
  }
}

async function readFileSystems(ctx: DeployContext, ids: { weights?: string; assets?: string }): Promise<FileSystemItem[]> {
  const volumes = ["weights", "assets"] as const;
  return Promise.all(
    volumes.map(async (volume): Promise<FileSystemItem> => {
      const id = ids[volume];
      if (!id) return { volume, error: "the stack names no file system" };
      try {
        const fs = (await ctx.aws.efs.describeFileSystems({ FileSystemId: id })).FileSystems?.[0];
        if (!fs) return { volume, id, error: "file system not found" };
        // SizeInBytes.Value is metered, not live: it lags writes by up to hours (EFS API reference, FileSystemSize).
        return { volume, id, sizeBytes: fs.SizeInBytes?.Value, lifeCycleState: fs.LifeCycleState };
      } catch (error) {
        return { volume, id, error: problemOf(error) };
      }
    }),
  );
}

/** How long a name lookup may take before DNS counts as unknown. */
export const DNS_TIMEOUT_MS = 3_000;

async function readDns(resolver: HostResolver, host: string | undefined, loadBalancer: string | undefined): Promise<DnsSection> {
  const section: DnsSection = { url: host ? `https://${host}` : undefined, host, loadBalancer, state: "unknown" };
  if (!host || !loadBalancer) return { ...section, error: "the stack names no host or load balancer" };
  const record = `${host}. CNAME ${loadBalancer}. (or a Route 53 alias A/AAAA record to the load balancer)`;
  try {
    const [hostAddresses, balancerAddresses] = await Promise.all([withTimeout(resolver.addresses(host)), withTimeout(resolver.addresses(loadBalancer))]);
    if (!hostAddresses || hostAddresses.length === 0) return { ...section, state: "not pointed", record, error: `${host} does not resolve` };
    if (!balancerAddresses || balancerAddresses.length === 0) {
      return { ...section, hostAddresses, error: `the load balancer's name ${loadBalancer} does not resolve, so where ${host} points cannot be compared` };
    }
    // A load balancer's addresses change over time; any shared one means the record is in place.
    const pointed = hostAddresses.some((a) => balancerAddresses.includes(a));
    return pointed
      ? { ...section, state: "pointed", hostAddresses }
      : { ...section, state: "not pointed", hostAddresses, record, error: `${host} resolves to ${hostAddresses.join(", ")}, not to the load balancer` };
  } catch (error) {
    return { ...section, error: `DNS lookup failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * The alias in Route 53 already points the host at the load balancer, so there is no record to create: what resolves from here
 * lags behind it (resolvers cache the previous answer, a new name takes time to be served everywhere).
 */
function reconcileWithRoute53(dns: DnsSection): void {
  if (dns.state !== "not pointed" || !dns.host) return;
  delete dns.record;
  dns.error =
    dns.hostAddresses && dns.hostAddresses.length > 0
      ? `record made in Route 53, but from here ${dns.host} still resolves to ${dns.hostAddresses.join(", ")}, not to the load balancer`
      : "record made in Route 53, not yet resolving from here";
}

/** The host's record in the Route 53 zone that covers it (as said, and whether it is the alias to this load balancer); not fatal when unreadable. */
async function readRoute53(
  ctx: DeployContext,
  host: string | undefined,
  loadBalancer: string | undefined,
): Promise<{ text: string; pointsAtLoadBalancer: boolean } | undefined> {
  if (!host) return undefined;
  try {
    const state = await dnsState(ctx.aws.route53, host, loadBalancer);
    // Without a zone the DNS line says all there is; one that Route 53 refused to show is said.
    if (!state.zone) return state.reason?.startsWith("Route 53 cannot be read") ? { text: state.reason, pointsAtLoadBalancer: false } : undefined;
    if (!state.record) return { text: `zone ${state.zone.name}: no A record for ${host} (create-endpoint/add-endpoint make it)`, pointsAtLoadBalancer: false };
    return {
      text: `zone ${state.zone.name}: A ${host} -> ${state.record}${state.pointsAtLoadBalancer ? " (this load balancer)" : " (not this load balancer)"}`,
      pointsAtLoadBalancer: state.pointsAtLoadBalancer,
    };
  } catch (error) {
    if (error instanceof CredentialsError || error instanceof InterruptedError) throw error;
    return { text: `Route 53 not read: ${error instanceof Error ? error.message : String(error)}`, pointsAtLoadBalancer: false };
  }
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${DNS_TIMEOUT_MS / 1000} s`)), DNS_TIMEOUT_MS);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What needs attention, in the order the sections are shown. */
function problemsOf(d: EndpointDetail): string[] {
  const problems: string[] = [];
  if (/_FAILED$|ROLLBACK_COMPLETE$/.test(d.stack.status))
    problems.push(`stack ${d.stack.name} is ${d.stack.status}${d.stack.reason ? `: ${d.stack.reason}` : ""}`);
  if (d.image.inRepository === false) problems.push(`image ${d.image.tag} is not in ECR repository ${d.image.repository}: new tasks cannot start`);
  // A stack still being created or updated has no outputs yet: their absence is not a problem then.
  const settled = !d.stack.result.includes("IN_PROGRESS");
  if (d.service.error && settled) problems.push(`service: ${d.service.error}`);
  const primary = d.service.deployments.find((x) => x.status === "PRIMARY");
  if (primary?.rolloutState === "FAILED") problems.push(`rollout failed${primary.rolloutStateReason ? `: ${primary.rolloutStateReason}` : ""}`);
  if (d.service.desired !== undefined && d.service.running !== undefined && d.service.running < d.service.desired && primary?.rolloutState !== "IN_PROGRESS") {
    problems.push(`${d.service.running} of ${d.service.desired} task(s) running`);
  }
  if (d.targets.error && settled) problems.push(`targets: ${d.targets.error}`);
  else if (d.targets.total > d.targets.healthy && d.targets.targets.some((t) => t.state === "unhealthy")) {
    problems.push(`${d.targets.total - d.targets.healthy} of ${d.targets.total} target(s) not healthy`);
  }
  if (d.certificate.warning) problems.push(d.certificate.warning);
  return problems;
}

function iso(date: Date | undefined): string | undefined {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, "Z") : undefined;
}

function revision(taskDefinitionArn: string): string {
  return taskDefinitionArn.split("/").pop() ?? taskDefinitionArn;
}

function taskId(arn: string | undefined): string {
  return arn?.split("/").pop() ?? "-";
}

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}

/** AWS's own message; what concerns the whole command (credentials, Ctrl-C) still ends it. */
function problemOf(error: unknown): string {
  if (error instanceof CredentialsError || error instanceof InterruptedError) throw error;
  return error instanceof Error ? error.message : String(error);
}
