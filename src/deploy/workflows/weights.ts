/**
 * Weights onto the endpoint's EFS volume without a bastion: `mlops weights push`
 * (a local folder goes up to the base's upload bucket first), `schedule` and `ls`.
 *
 * The sync task's definition, roles and schedule are resources of the endpoint's
 * stack, steered by its Weights* parameters; these commands change only those
 * parameters (every other one keeps its deployed value), then run the task.
 */
import { randomBytes } from "node:crypto";
import type { Stack } from "../../aws/interfaces.js";
import { AwsError, DeclinedError, InputError } from "../../errors.js";
import { runnable, type Invocation } from "../../io/invocation.js";
import { endpointId, type EndpointConfig } from "../../params/model.js";
import { baseExportName } from "../../render/names.js";
import { baseProjectField, fieldOfParameter, weightsChange } from "../../render/contract.js";
import { renderEndpointStack, type WeightsSyncSettings } from "../../render/render.js";
import { regionText, stackDeps, type DeployContext } from "../context.js";
import { findExport, readDeployed, stackParameters } from "../engine/discovery.js";
import { formatDuration } from "../engine/poll.js";
import { deployStack, findStack, stackOutputs } from "../engine/stack.js";
import { missingStackError } from "../steps/other-regions.js";
import { runOneOffTask, type OneOffTaskDeps, type OneOffTaskSpec } from "../steps/one-off-task.js";
import { formatBytes } from "../steps/kept-data.js";
import { listLocalFiles, uploadFiles, type LocalFile } from "../steps/upload.js";
import { CURRENT_LINK, parseSwitch, PREVIOUS_LINK, rollbackScript, versionedSyncScript, versionName } from "../steps/weights-versions.js";
import { liveStack, planStack, printStackPlan, type StackPlan } from "./plan.js";

/** Where weights come from: an S3 prefix, or a local folder uploaded first. */
export type WeightsSource = { kind: "s3"; bucket: string; prefix: string } | { kind: "local"; dir: string };

/** The sync task's container (templates: WeightsSyncTaskDefinition) and where it mounts the volumes. */
const SYNC_CONTAINER = "sync";
const WEIGHTS_MOUNT = "/mnt/weights";
const ASSETS_MOUNT = "/mnt/assets";

/** S3 bucket names ("General purpose bucket naming rules", Amazon S3 User Guide), lower-case letters, digits, dots and hyphens. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Reads the source argument: `s3://bucket[/prefix]` or a local folder. Bad input names the argument. */
export function parseWeightsSource(raw: string): WeightsSource {
  if (!/^s3:\/\//i.test(raw)) return { kind: "local", dir: raw };
  const [bucket = "", ...rest] = raw.slice(5).split("/");
  let prefix = rest.join("/");
  const problem = !BUCKET.test(bucket)
    ? `${JSON.stringify(bucket)} is not an S3 bucket name`
    : /[*?'"\\\s]/.test(prefix) || prefix.includes("//")
      ? `the prefix ${JSON.stringify(prefix)} holds a character mlops does not pass to the sync (quotes, *, ?, \\, spaces, //)`
      : undefined;
  if (problem) throw new InputError([{ path: "source", message: `${raw}: ${problem}` }], "Give s3://bucket/prefix/ or a local folder such as ./weights");
  if (prefix && !prefix.endsWith("/")) prefix += "/";
  return { kind: "s3", bucket, prefix };
}

/** Checks an EventBridge Scheduler expression; returns the problem, or undefined when it is valid. */
export function scheduleExpressionProblem(expression: string): string | undefined {
  // "Schedule types on EventBridge Scheduler" (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (value < 1) return "a rate must be at least 1";
    const singular = !rate[2]!.endsWith("s");
    if (value === 1 && !singular) return `write rate(1 ${rate[2]!.slice(0, -1)}) for a value of 1`;
    if (value > 1 && singular) return `write rate(${value} ${rate[2]}s) for a value above 1`;
    return undefined;
  }
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (cron) {
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6) return `a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), this one ${fields.length}`;
    if (fields[2] !== "?" && fields[4] !== "?") return "in cron(...), day-of-month or day-of-week must be ?";
    return undefined;
  }
  if (/^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$/.test(expression)) return undefined;
  return "expected rate(N minutes|hours|days), cron(minutes hours day-of-month month day-of-week year) or at(yyyy-mm-ddThh:mm:ss)";
}

/** Options of `weights push`. */
export interface PushOptions {
  source: WeightsSource;
  /** A local folder's files, listed before any AWS call (a missing folder is bad input). */
  files?: LocalFile[];
  /** `--delete`: also remove files on the volume that are not in the source. */
  deleteExtraneous: boolean;
  /** `--schedule`: repeat the sync on this schedule (S3 sources only). */
  schedule?: string;
  /** Longest wait for the task. */
  timeoutMs: number;
  /** `--restart`: a forced new deployment starts the running tasks again, so they load the new version now. */
  restart?: boolean;
}

/** What `weights push` did. */
export interface PushResult {
  endpoint: string;
  source: string;
  fileSystemId: string;
  taskArn: string;
  /** Files the sync copied and deleted (from its log lines). */
  copied: number;
  deleted: number;
  uploaded?: { files: number; bytes: number };
  schedule?: string;
  stack: "updated" | "unchanged";
  durationMs: number;
  /** The version directory `current` names now (`versions/...`), and the one `previous` names (undefined: none). */
  version: string;
  previousVersion?: string;
  /** A new deployment was started (--restart); otherwise running tasks load the version at their next start. */
  restarted: boolean;
}

/** The endpoint's stack, which must exist; bad input otherwise. */
async function endpointStack(config: EndpointConfig, ctx: DeployContext): Promise<Stack> {
  const id = endpointId(config);
  const existing = liveStack(await findStack(ctx.aws.cloudFormation, id));
  if (existing) return existing;
  throw await missingStackError(
    ctx,
    { file: config.source, path: "project", message: `no stack ${id} in region ${regionText(ctx.aws)}` },
    `Create the endpoint first: mlops ${config.kind === "base" ? "create-endpoint" : "add-endpoint"} ${config.source}`,
    id,
  );
}

/**
 * The endpoint's stack with the given weights settings: the template of this mlops, every
 * other parameter at its deployed value (so nothing else changes), and the plan of that change.
 */
async function weightsStack(config: EndpointConfig, existing: Stack, wanted: WeightsSyncSettings, ctx: DeployContext) {
  if (config.kind === "added") {
    // The added endpoint's sync task reads uploads from the base's bucket, which a base deployed by an older mlops lacks.
    const exportName = baseExportName(config, "WeightsUploadBucket");
    if (!(await findExport(ctx.aws.cloudFormation, exportName))) {
      throw new InputError(
        [
          {
            file: config.source,
            path: baseProjectField(config),
            message: `the base ${config.baseProject}-${config.environment} has no weights upload bucket yet (export ${exportName} not found)`,
          },
        ],
        `Update the base endpoint with this version of mlops first: ${runnable("mlops update <base params>", ctx.invocation)}`,
      );
    }
  }
  const deployed = readDeployed(existing);
  // The volumes stay where their data lies (a stack of an earlier version has it at the file systems' root).
  const rendered = renderEndpointStack(config, {
    imageTag: deployed.runningTag,
    imageRepository: deployed.imageRepository,
    weights: wanted,
    assetsVolumeRoot: deployed.volumeRoots.assets,
    weightsVolumeRoot: deployed.volumeRoots.weights,
  });
  const parameters = weightsChange(config, rendered.parameters, stackParameters(existing), wanted);
  const plan = await planStack({ stackName: rendered.stackName, templateBody: rendered.templateBody, parameters }, existing, ctx);
  const spec = {
    stackName: rendered.stackName,
    templateBody: rendered.templateBody,
    parameters,
    tags: rendered.tags,
    capabilities: ["CAPABILITY_IAM" as const],
    fieldOfParameter: (parameter: string) => fieldOfParameter(config, parameter),
  };
  return { plan, spec };
}

/** Applies the stack change of a plan (already approved); returns the stack's outputs afterwards. */
async function applyStack(
  existing: Stack,
  plan: StackPlan,
  spec: Awaited<ReturnType<typeof weightsStack>>["spec"],
  ctx: DeployContext,
): Promise<Record<string, string>> {
  if (plan.action === "unchanged") return stackOutputs(existing);
  const outcome = await deployStack(spec, stackDeps({ ...ctx, assumeYes: true }));
  return outcome.outputs;
}

/** Asks once (unless --yes); declining or no terminal changes nothing. */
async function approve(ctx: DeployContext, question: string): Promise<void> {
  if (ctx.assumeYes) return;
  if (!ctx.out.interactive) throw new DeclinedError("No one is at a terminal to approve the plan above: nothing was changed. Re-run with --yes to apply it.");
  if (!(await ctx.out.confirm(question))) throw new DeclinedError();
}

/** The outputs the sync task needs; an endpoint deployed before the weights task existed lacks them. */
function taskOutputs(outputs: Record<string, string>, config: EndpointConfig, invocation?: Invocation) {
  const needed = [
    "ClusterName",
    "WeightsSyncTaskDefinitionArn",
    "WeightsSyncSubnets",
    "TaskSecurityGroupId",
    "LogGroupName",
    "WeightsFileSystemId",
    "AssetsFileSystemId",
  ] as const;
  const missing = needed.filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw new AwsError(`Stack ${endpointId(config)} has no weights sync task (outputs ${missing.join(", ")} are missing).`, {
      hint: `Deploy the endpoint with this version of mlops first: ${runnable(`mlops update ${config.source}`, invocation)}`,
    });
  }
  return outputs as Record<(typeof needed)[number], string> & Record<string, string>;
}

/** What a one-off task needs from the command's context: the same for the sync and the listing. */
function taskDeps(ctx: DeployContext): OneOffTaskDeps {
  return { ecs: ctx.aws.ecs, logs: ctx.aws.logs, out: ctx.out, clock: ctx.clock, signal: ctx.signal, pollIntervalMs: ctx.pollIntervalMs };
}

/** The one-off task's spec for a shell script. */
function taskSpec(outputs: ReturnType<typeof taskOutputs>, script: string, purpose: string, timeoutMs: number): OneOffTaskSpec {
  return {
    cluster: outputs.ClusterName,
    taskDefinitionArn: outputs.WeightsSyncTaskDefinitionArn,
    containerName: SYNC_CONTAINER,
    command: [script],
    subnets: outputs.WeightsSyncSubnets.split(","),
    securityGroups: [outputs.TaskSecurityGroupId],
    logGroup: outputs.LogGroupName,
    logStreamPrefix: "weights",
    purpose,
    timeoutMs,
  };
}

/** The sync's shell script, into a new version (steps/weights-versions.ts); the URI was checked by `parseWeightsSource` (no quotes in it). */
export function syncScript(sourceUri: string, deleteExtraneous: boolean, version: string, region: string): string {
  return versionedSyncScript(sourceUri, deleteExtraneous, version, WEIGHTS_MOUNT, region);
}

/** What the output says about running tasks after the weights switched. */
function restartLine(id: string, restart: boolean): string {
  return restart
    ? `Restart: a new deployment of ${id} starts its tasks again, which load the new version (--restart)`
    : `Running tasks keep the weights they loaded and load the new version at their next start (--restart starts them again now)`;
}

/** Starts a new deployment of the endpoint's service, so that every task starts again and loads `current` (ECS UpdateService, forceNewDeployment). */
async function restartService(outputs: Record<string, string>, id: string, ctx: DeployContext): Promise<void> {
  const cluster = outputs.ClusterName;
  const service = outputs.ServiceName;
  if (!cluster || !service)
    throw new AwsError(`Stack ${id} names no service (outputs ClusterName, ServiceName): no new deployment was started.`, {
      hint: "Start one in the ECS console (Update service, Force new deployment).",
    });
  await ctx.aws.ecs.updateService({ cluster, service, forceNewDeployment: true });
  ctx.out.success(
    `Started a new deployment of ${service}: its tasks start again with the new weights (${runnable(`mlops status ${id}`, ctx.invocation)} follows it).`,
  );
}

/** A per-run prefix under the endpoint's own prefix of the upload bucket (the only one its sync role may read). */
function runPrefix(id: string, now: number): string {
  return `${id}/${new Date(now).toISOString().replace(/[-:.]/g, "")}-${randomBytes(3).toString("hex")}/`;
}

/** `mlops weights push`: plan, one prompt, the stack's weights settings, the upload, then the sync task. */
export async function pushWeights(config: EndpointConfig, options: PushOptions, ctx: DeployContext): Promise<PushResult> {
  const id = endpointId(config);
  const { source } = options;
  const files: LocalFile[] | undefined = source.kind === "local" ? (options.files ?? (await listLocalFiles(source.dir))) : undefined;
  const existing = await endpointStack(config, ctx);
  const current = readDeployed(existing).weights;
  // A local folder is a one-off upload: the stack's source (and any schedule from it) stays as it is.
  const wanted: WeightsSyncSettings =
    source.kind === "s3"
      ? { sourceBucket: source.bucket, sourcePrefix: source.prefix, deleteExtraneous: options.deleteExtraneous, schedule: options.schedule ?? current.schedule }
      : current;
  const { plan, spec } = await weightsStack(config, existing, wanted, ctx);
  const bytes = files?.reduce((sum, f) => sum + f.size, 0) ?? 0;

  ctx.out.step(`Plan for the weights of ${id} in ${ctx.aws.region}`);
  printStackPlan(plan, ctx.out);
  if (files)
    ctx.out.info(
      `Upload: ${files.length} file(s), ${formatBytes(bytes)}, from ${source.kind === "local" ? source.dir : ""} to the base's upload bucket (one prefix for this run; uploads expire after 7 days)`,
    );
  const from = source.kind === "s3" ? `s3://${source.bucket}/${source.prefix}` : "the upload";
  const version = versionName(ctx.clock.now(), randomBytes(3).toString("hex"));
  ctx.out.info(
    `Sync: a one-off Fargate task copies ${from} into a new version of the weights (versions/${version}, starting from the current one's files)${options.deleteExtraneous ? ", deleting files that are not in the source (--delete)" : ""}; ` +
      `${CURRENT_LINK} switches to it only once the sync succeeded, and the version before stays as ${PREVIOUS_LINK} (mlops weights rollback)`,
  );
  ctx.out.info(restartLine(id, options.restart === true));
  if (wanted.schedule !== current.schedule || (wanted.schedule && plan.action === "update"))
    ctx.out.info(`Schedule: repeat the sync ${wanted.schedule} (EventBridge Scheduler)`);
  else if (wanted.schedule) ctx.out.info(`Schedule: the sync keeps repeating ${wanted.schedule}`);
  await approve(ctx, "Push the weights?");

  const outputs = taskOutputs(await applyStack(existing, plan, spec, ctx), config, ctx.invocation);
  let sourceUri = `s3://${wanted.sourceBucket}/${wanted.sourcePrefix}`;
  let uploaded: PushResult["uploaded"];
  if (files) {
    const bucket = outputs.WeightsUploadBucketName;
    if (!bucket)
      throw new AwsError(`Stack ${id} names no upload bucket (output WeightsUploadBucketName).`, {
        hint: `Update the base endpoint with this version of mlops first (${runnable("mlops update <base params>", ctx.invocation)}).`,
      });
    const prefix = runPrefix(id, ctx.clock.now());
    ctx.out.step(`Uploading ${files.length} file(s) (${formatBytes(bytes)}) to s3://${bucket}/${prefix}`);
    let done = 0;
    await uploadFiles(ctx.aws.s3, bucket, prefix, files, (file) => {
      done++;
      if (files.length <= 20 || done % 10 === 0 || done === files.length) ctx.out.info(`  ${done}/${files.length} ${file.relativePath}`);
    });
    sourceUri = `s3://${bucket}/${prefix}`;
    uploaded = { files: files.length, bytes };
  }

  ctx.out.step(`Syncing ${sourceUri} onto the weights volume ${outputs.WeightsFileSystemId}`);
  const result = await runOneOffTask(
    taskSpec(outputs, syncScript(sourceUri, options.deleteExtraneous, version, ctx.aws.region), "weights sync", options.timeoutMs),
    taskDeps(ctx),
  );
  const copied = result.lines.filter((l) => /^(download|copy): /.test(l)).length;
  const deleted = result.lines.filter((l) => /^delete: /.test(l)).length;
  const switched = parseSwitch(result.lines);
  if (options.restart) await restartService(outputs, id, ctx);
  return {
    version: switched?.current ?? `versions/${version}`,
    previousVersion: switched?.previous,
    restarted: options.restart === true,
    endpoint: id,
    source: sourceUri,
    fileSystemId: outputs.WeightsFileSystemId,
    taskArn: result.taskArn,
    copied,
    deleted,
    uploaded,
    schedule: wanted.schedule || undefined,
    stack: plan.action === "unchanged" ? "unchanged" : "updated",
    durationMs: result.durationMs,
  };
}

/** What `weights rollback` did. */
export interface RollbackResult {
  endpoint: string;
  fileSystemId: string;
  taskArn: string;
  /** The version `current` names now, and the one `previous` names (the one rolled back from). */
  version?: string;
  previousVersion?: string;
  restarted: boolean;
  durationMs: number;
}

/** `mlops weights rollback`: `current` switches back to `previous` by the same one-off task (a second rollback goes forward again). */
export async function rollbackWeights(config: EndpointConfig, options: { restart: boolean; timeoutMs: number }, ctx: DeployContext): Promise<RollbackResult> {
  const id = endpointId(config);
  const existing = await endpointStack(config, ctx);
  const outputs = taskOutputs(stackOutputs(existing), config, ctx.invocation);
  ctx.out.step(`Plan for the weights of ${id} in ${ctx.aws.region}`);
  ctx.out.info(
    `Rollback: a one-off Fargate task switches ${CURRENT_LINK} on the weights volume ${outputs.WeightsFileSystemId} back to ${PREVIOUS_LINK}, the version before the last push (rolling back again goes forward)`,
  );
  ctx.out.info(restartLine(id, options.restart));
  await approve(ctx, "Roll the weights back?");
  ctx.out.step(`Switching the weights of ${id} back to the previous version`);
  const result = await runOneOffTask(taskSpec(outputs, rollbackScript(WEIGHTS_MOUNT), "weights rollback", options.timeoutMs), taskDeps(ctx));
  const switched = parseSwitch(result.lines);
  if (options.restart) await restartService(outputs, id, ctx);
  return {
    endpoint: id,
    fileSystemId: outputs.WeightsFileSystemId,
    taskArn: result.taskArn,
    version: switched?.current,
    previousVersion: switched?.previous,
    restarted: options.restart,
    durationMs: result.durationMs,
  };
}

/** What `weights restart` did. */
export interface RestartResult {
  endpoint: string;
  restarted: true;
}

/**
 * `mlops weights restart`: a new deployment of the endpoint's service (ECS UpdateService, forceNewDeployment), so that
 * running tasks start again and load the weights `current` names now; no upload, no sync, no new version.
 */
export async function restartWeights(config: EndpointConfig, ctx: DeployContext): Promise<RestartResult> {
  const id = endpointId(config);
  const existing = await endpointStack(config, ctx);
  ctx.out.step(`Plan for the tasks of ${id} in ${ctx.aws.region}`);
  ctx.out.info(
    `Restart: a new deployment of ${id} (ECS forced new deployment) starts its tasks again; they load the weights ${CURRENT_LINK} names. Nothing is uploaded or synced`,
  );
  await approve(ctx, "Start a new deployment?");
  await restartService(stackOutputs(existing), id, ctx);
  return { endpoint: id, restarted: true };
}

/** What `weights schedule` did. */
export interface ScheduleResult {
  endpoint: string;
  /** The schedule now in place; undefined: none. */
  schedule?: string;
  source?: string;
  stack: "updated" | "unchanged";
}

/** `mlops weights schedule`: sets (or with `undefined` removes) the schedule repeating the sync from the stack's S3 source. */
export async function scheduleWeights(config: EndpointConfig, schedule: string | undefined, ctx: DeployContext): Promise<ScheduleResult> {
  const id = endpointId(config);
  const existing = await endpointStack(config, ctx);
  const current = readDeployed(existing).weights;
  if (schedule && !current.sourceBucket) {
    throw new InputError(
      [{ path: "schedule", message: `${id} has no S3 source to sync from yet` }],
      `Push from S3 once with the schedule: mlops weights push ${config.source} s3://bucket/prefix/ --schedule "${schedule}"`,
    );
  }
  const wanted = { ...current, schedule: schedule ?? "" };
  const { plan, spec } = await weightsStack(config, existing, wanted, ctx);
  ctx.out.step(`Plan for the weights schedule of ${id} in ${ctx.aws.region}`);
  printStackPlan(plan, ctx.out);
  ctx.out.info(
    schedule
      ? `Schedule: sync s3://${current.sourceBucket}/${current.sourcePrefix} ${schedule}`
      : current.schedule
        ? `Schedule: remove (was ${current.schedule})`
        : "Schedule: none, nothing to remove",
  );
  if (plan.action !== "unchanged") await approve(ctx, schedule ? "Schedule the sync?" : "Remove the schedule?");
  await applyStack(existing, plan, spec, ctx);
  return {
    endpoint: id,
    schedule: schedule || undefined,
    source: schedule ? `s3://${current.sourceBucket}/${current.sourcePrefix}` : undefined,
    stack: plan.action === "unchanged" ? "unchanged" : "updated",
  };
}

/** One file on a volume. */
export interface VolumeFile {
  path: string;
  size: number;
  modified: string;
}

/** What `weights ls` found. */
export interface ListResult {
  endpoint: string;
  volume: "weights" | "assets";
  fileSystemId: string;
  path: string;
  files: VolumeFile[];
  totalBytes: number;
}

/**
 * The listing script: POSIX sh and coreutils `stat` only (the AWS CLI image has no `find`
 * guarantee), one `SIZE EPOCH PATH` line per regular file below the root.
 */
export function listingScript(root: string): string {
  const quoted = `'${root}'`;
  return [
    `walk() { for f in "$1"/* "$1"/.[!.]*; do if [ -L "$f" ]; then continue; elif [ -d "$f" ]; then walk "$f"; elif [ -f "$f" ]; then stat -c '%s %Y %n' "$f"; fi; done; }`,
    `[ -e ${quoted} ] || { echo "no such path: ${root}" >&2; exit 3; }`,
    `if [ -f ${quoted} ]; then stat -c '%s %Y %n' ${quoted}; else walk ${quoted}; fi`,
  ].join("; ");
}

/** Reads the listing's `SIZE EPOCH PATH` lines; other lines are skipped. */
export function parseListing(lines: string[], mount: string): VolumeFile[] {
  const files: VolumeFile[] = [];
  for (const line of lines) {
    const match = /^(\d+) (\d+) (.+)$/.exec(line);
    if (!match) continue;
    const full = match[3]!;
    files.push({
      path: full.startsWith(`${mount}/`) ? full.slice(mount.length + 1) : full,
      size: Number(match[1]),
      modified: new Date(Number(match[2]) * 1000).toISOString(),
    });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** `mlops weights ls`: lists the weights (or assets) volume, or a path on it, with the same one-off task. */
export async function listWeights(
  config: EndpointConfig,
  options: { path: string; assets: boolean; timeoutMs: number },
  ctx: DeployContext,
): Promise<ListResult> {
  const id = endpointId(config);
  const relative = options.path.replace(/^\/+|\/+$/g, "");
  if (/['\\]/.test(relative) || relative.split("/").includes(".."))
    throw new InputError([{ path: "path", message: `${options.path}: quotes, backslashes and .. are not allowed` }]);
  const existing = await endpointStack(config, ctx);
  const outputs = taskOutputs(stackOutputs(existing), config, ctx.invocation);
  const mount = options.assets ? ASSETS_MOUNT : WEIGHTS_MOUNT;
  const root = relative ? `${mount}/${relative}` : mount;
  const fileSystemId = options.assets ? outputs.AssetsFileSystemId : outputs.WeightsFileSystemId;
  ctx.out.step(`Listing ${options.assets ? "assets" : "weights"} volume ${fileSystemId}${relative ? ` at ${relative}` : ""} with a one-off Fargate task`);
  // Fargate provisions the task, pulls the AWS CLI image and mounts EFS before the listing runs.
  ctx.out.info(`Starting a task to read the volume: on AWS that takes about a minute (usually 30-90 s), the listing itself seconds.`);
  const result = await runOneOffTask(taskSpec(outputs, listingScript(root), "listing", options.timeoutMs), { ...taskDeps(ctx), onLine: () => undefined });
  const files = parseListing(result.lines, mount);
  return {
    endpoint: id,
    volume: options.assets ? "assets" : "weights",
    fileSystemId,
    path: relative || "/",
    files,
    totalBytes: files.reduce((sum, f) => sum + f.size, 0),
  };
}

/** How long a task took, for the summary line. */
export function tookText(ms: number): string {
  return formatDuration(ms);
}
