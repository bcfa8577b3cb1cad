/**
 * The build pipeline of an endpoint: a support stack (artifact bucket and
 * least-privilege roles), the CodeBuild project and the CodePipeline. The
 * project and pipeline are created through their APIs, converging on every
 * run: created when missing, updated when different, left alone when equal.
 */
import { readFileSync } from "node:fs";
import type { CodeBuildProject, PipelineDeclaration } from "../../aws/interfaces.js";
import { describeComputeType } from "../../params/compute-types.js";
import { AwsError } from "../../errors.js";
import { packageFile } from "../../package-files.js";
import { endpointId, type EndpointConfig } from "../../params/model.js";
import { baseStackName, endpointStackName, pipelineName, pipelineStackName } from "../../render/names.js";
import { buildRolloutWaitMinutes, buildTimeoutMinutes } from "../engine/build-time.js";
import { renderPipelineStack, type RenderedStack } from "../../render/render.js";
import { buildArgLines, buildSettings } from "../../render/build-settings.js";
import { stackDeps, type DeployContext } from "../context.js";
import { readDeployedPipeline, requireOutput } from "../engine/discovery.js";
import { buildLogGroupName, logGroupExists } from "./log-groups.js";
import { pollUntil, READ_BACK_DELAYS_MS, retryWhile } from "../engine/poll.js";
import { deleteStack, deployStack, findStack, readStack, stackOutputs } from "../engine/stack.js";

/** CodeBuild's current Ubuntu standard image (standard:4.0 of the tutorial is retired). */
export const codeBuildImage = "aws/codebuild/standard:7.0";

const buildspecUrl = packageFile("buildspec/endpoint.yaml");

/** What the endpoint stack tells the pipeline. */
export interface PipelineTarget {
  ecrRepositoryName: string;
  ecrRepositoryUri: string;
  /** The pipeline stack's layer cache repository; absent: the build starts cold. */
  cacheRepositoryUri?: string;
}

/** Names and state of an endpoint's pipeline after `ensurePipeline`. */
export interface PipelineState {
  pipelineName: string;
  artifactBucket: string;
}

/** Creates or updates the endpoint's pipeline and everything it needs; `approved`: the support stack as a plan rendered it, sent as it is. */
export async function ensurePipeline(config: EndpointConfig, target: PipelineTarget, ctx: DeployContext, approved?: RenderedStack): Promise<PipelineState> {
  const pipeline = config.pipeline;
  if (!pipeline) throw new Error("ensurePipeline needs a pipeline section");
  const support = await deploySupportStack(config, target, ctx, approved);
  return convergeBuild(config, pipeline, target, support, ctx);
}

/**
 * As `ensurePipeline`, for a repository that is still being created: the pipeline stack needs only
 * the repository's name (its build role's policy names the repository's ARN), so it is deployed
 * while `repository` creates the repository; the build project, which needs its URI, and the
 * pipeline, whose first execution pushes there, come once both are done.
 */
export async function ensurePipelineBeside(
  config: EndpointConfig,
  repositoryName: string,
  repository: () => Promise<Pick<PipelineTarget, "ecrRepositoryName" | "ecrRepositoryUri">>,
  ctx: DeployContext,
): Promise<PipelineState> {
  const pipeline = config.pipeline;
  if (!pipeline) throw new Error("ensurePipelineBeside needs a pipeline section");
  const supporting = deploySupportStack(config, { ecrRepositoryName: repositoryName, ecrRepositoryUri: "" }, ctx);
  // Both settle before this returns or fails, so that neither goes on unwatched.
  const [support, target] = await Promise.allSettled([supporting, repository()]);
  if (target.status === "rejected") throw target.reason;
  if (support.status === "rejected") throw support.reason;
  return convergeBuild(config, pipeline, target.value, support.value, ctx);
}

/** The build project and the pipeline, once the pipeline stack and the repository exist. */
async function convergeBuild(
  config: EndpointConfig,
  pipeline: NonNullable<EndpointConfig["pipeline"]>,
  target: PipelineTarget,
  support: SupportStack,
  ctx: DeployContext,
): Promise<PipelineState> {
  const name = pipelineName(endpointId(config));
  const project = codeBuildProject(config, { ...target, cacheRepositoryUri: support.cacheRepositoryUri }, support.buildRole, support.tags);
  await convergeProject(project, ctx);
  const declaration = pipelineDeclaration(name, pipeline, support.pipelineRole, support.artifactBucket);
  await convergePipeline(name, declaration, support.tags, `${pipeline.repository}@${pipeline.branch}`, ctx);
  return { pipelineName: name, artifactBucket: support.artifactBucket };
}

/** What the pipeline stack gives the project and the pipeline. */
interface SupportStack {
  artifactBucket: string;
  buildRole: string;
  pipelineRole: string;
  cacheRepositoryUri: string;
  tags: { key: string; value: string }[];
}

/** Deploys the pipeline stack (artifact bucket, roles, layer cache), as `approved` when a plan rendered it, and reads what the project and pipeline need. */
async function deploySupportStack(config: EndpointConfig, target: PipelineTarget, ctx: DeployContext, approved?: RenderedStack): Promise<SupportStack> {
  const rendered =
    approved ?? renderPipelineStack(config, { ecrRepositoryName: target.ecrRepositoryName, buildLogGroupExists: await keptBuildLogGroup(config, ctx) });
  ctx.out.step(`Deploying pipeline stack ${rendered.stackName}`);
  const outcome = await deployStack(
    {
      stackName: rendered.stackName,
      templateBody: rendered.templateBody,
      parameters: rendered.parameters,
      tags: rendered.tags,
      capabilities: ["CAPABILITY_IAM"],
    },
    stackDeps(ctx),
  );
  const outputs = outcome.outputs;
  return {
    artifactBucket: requireOutput(outputs, "ArtifactBucketName", rendered.stackName),
    buildRole: requireOutput(outputs, "CodeBuildRoleArn", rendered.stackName),
    pipelineRole: requireOutput(outputs, "PipelineRoleArn", rendered.stackName),
    cacheRepositoryUri: requireOutput(outputs, "BuildCacheRepositoryUri", rendered.stackName),
    tags: Object.entries(rendered.tags).map(([key, value]) => ({ key, value })),
  };
}

/** Creates the CodeBuild project, or updates it to the wanted definition. */
async function convergeProject(project: ReturnType<typeof codeBuildProject>, ctx: DeployContext): Promise<void> {
  const name = project.name;
  const existing = await ctx.aws.codeBuild.batchGetProjects({ names: [name] });
  if (existing.projects?.some((p) => p.name === name)) {
    await whileRolesPropagate(() => ctx.aws.codeBuild.updateProject(project), ctx);
    ctx.out.success(`CodeBuild project ${name} up to date`);
    return;
  }
  const created = await adoptIfExists(() => whileRolesPropagate(() => ctx.aws.codeBuild.createProject(project), ctx));
  if (created === "exists") {
    // Another run created it between our look and our create: ours is the newer definition.
    await whileRolesPropagate(() => ctx.aws.codeBuild.updateProject(project), ctx);
    ctx.out.success(`CodeBuild project ${name} up to date (created meanwhile by another run)`);
  } else {
    ctx.out.success(`Created CodeBuild project ${name}`);
  }
}

/** The pipeline: the repository's branch through a CodeStar connection, built by the project of the same name. */
function pipelineDeclaration(name: string, pipeline: NonNullable<EndpointConfig["pipeline"]>, roleArn: string, artifactBucket: string): PipelineDeclaration {
  return {
    name,
    roleArn,
    artifactStore: { type: "S3", location: artifactBucket },
    pipelineType: "V2",
    executionMode: "QUEUED",
    stages: [
      {
        name: "Source",
        actions: [
          {
            name: "Source",
            actionTypeId: { category: "Source", owner: "AWS", provider: "CodeStarSourceConnection", version: "1" },
            configuration: {
              ConnectionArn: pipeline.connectionArn,
              FullRepositoryId: pipeline.repository,
              BranchName: pipeline.branch,
              // Full clone: the build sees the git history (the image tag is the commit).
              OutputArtifactFormat: "CODEBUILD_CLONE_REF",
              DetectChanges: "true",
            },
            outputArtifacts: [{ name: "SourceOutput" }],
          },
        ],
      },
      {
        name: "Build",
        actions: [
          {
            name: "Build",
            actionTypeId: { category: "Build", owner: "AWS", provider: "CodeBuild", version: "1" },
            configuration: { ProjectName: name },
            inputArtifacts: [{ name: "SourceOutput" }],
          },
        ],
      },
    ],
  };
}

/** Creates pipeline `name`, or updates it when its declaration differs; `source` (repository@branch) is for the message. */
async function convergePipeline(
  name: string,
  declaration: PipelineDeclaration,
  tags: { key: string; value: string }[],
  source: string,
  ctx: DeployContext,
): Promise<void> {
  let current = await getPipelineOrUndefined(ctx, name);
  let adopted = "";
  if (!current) {
    const created = await adoptIfExists(() => whileRolesPropagate(() => ctx.aws.codePipeline.createPipeline({ pipeline: declaration, tags }), ctx));
    if (created === "created") {
      ctx.out.success(`Created pipeline ${name} (${source})`);
      return;
    }
    // Another run created it between our look and our create: converge on it like on any existing pipeline.
    adopted = " (created meanwhile by another run)";
    current = await getPipelineOrUndefined(ctx, name);
    if (!current)
      throw new AwsError(`CodePipeline says pipeline ${name} exists, but it cannot be read.`, {
        hint: "Another mlops run may be deleting it; run the same command again.",
      });
  }
  if (samePipeline(current, declaration)) {
    ctx.out.info(`Pipeline ${name} unchanged${adopted}`);
  } else {
    const version = current.version;
    await whileRolesPropagate(() => ctx.aws.codePipeline.updatePipeline({ pipeline: { ...declaration, version } }), ctx);
    ctx.out.success(`Updated pipeline ${name}${adopted}`);
  }
}

/**
 * True when a create failed because the resource exists: CodePipeline's
 * PipelineNameInUseException (some endpoints answer InvalidStructureException
 * "A pipeline with the name 'x' already exists"), CodeBuild's
 * ResourceAlreadyExistsException. Another run, or our own retried request
 * whose first attempt got through, created it meanwhile.
 */
export function isAlreadyExists(error: unknown): boolean {
  if (!(error instanceof AwsError)) return false;
  if (
    error.code === "PipelineNameInUseException" ||
    error.code === "ResourceAlreadyExistsException" ||
    error.code === "AlreadyExistsException" ||
    error.code === "EntityAlreadyExists"
  )
    return true;
  return error.code === "InvalidStructureException" && /already exists/i.test(error.message);
}

/** Runs a create; "exists" when the resource was there already, for the caller to adopt. */
async function adoptIfExists(create: () => Promise<unknown>): Promise<"created" | "exists"> {
  try {
    await create();
    return "created";
  } catch (error) {
    if (isAlreadyExists(error)) return "exists";
    throw error;
  }
}

/** The CodeBuild project of an endpoint's pipeline. */
export function codeBuildProject(config: EndpointConfig, target: PipelineTarget, serviceRole: string, tags: { key: string; value: string }[]) {
  const pipeline = config.pipeline;
  if (!pipeline) throw new Error("codeBuildProject needs a pipeline section");
  const name = pipelineName(endpointId(config));
  return {
    name,
    description: `Builds the image of endpoint ${endpointId(config)} (managed by mlops)`,
    // CodeBuild ignores `location` for CODEPIPELINE sources and artifacts; the pipeline's name documents where they come from.
    source: { type: "CODEPIPELINE" as const, location: name, buildspec: readFileSync(buildspecUrl, "utf8") },
    artifacts: { type: "CODEPIPELINE" as const, location: name },
    environment: {
      type: "LINUX_CONTAINER" as const,
      image: codeBuildImage,
      computeType: pipeline.computeType,
      // Docker needs it (https://docs.aws.amazon.com/codebuild/latest/userguide/sample-docker.html).
      privilegedMode: true,
      environmentVariables: buildEnvironment(config, target),
    },
    serviceRole,
    timeoutInMinutes: buildTimeoutMinutes(config),
    logsConfig: { cloudWatchLogs: { status: "ENABLED" as const, groupName: buildLogGroupName(endpointId(config)) } },
    tags,
  };
}

type EnvironmentVariable = { name: string; value: string; type: "PLAINTEXT" | "SECRETS_MANAGER" };

/**
 * The build's environment variables (buildspec/endpoint.yaml reads them). The
 * Docker Hub credential is a SECRETS_MANAGER variable: CodeBuild resolves
 * `secret-id:json-key` when the build starts, so the project holds only the
 * secret's name (https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html#build-spec.env.secrets-manager).
 */
export function buildEnvironment(config: EndpointConfig, target: PipelineTarget): EnvironmentVariable[] {
  const pipeline = config.pipeline;
  if (!pipeline) throw new Error("buildEnvironment needs a pipeline section");
  const plain = (name: string, value: string): EnvironmentVariable => ({ name, value, type: "PLAINTEXT" });
  const { hosts } = buildSettings(pipeline);
  const args = buildArgLines(pipeline.buildArgs);
  return [
    plain("ECR_REPOSITORY_URI", target.ecrRepositoryUri),
    plain("STACK_NAME", endpointStackName(endpointId(config))),
    plain("LEASE_SCOPE", baseStackName(config)),
    plain("DOCKER_CONTEXT", pipeline.dockerContext),
    plain("DOCKERFILE", pipeline.dockerfile),
    // How long the build waits for its stack update: the endpoint's slowest rollout (engine/build-time.ts).
    plain("ROLLOUT_WAIT_MINUTES", String(buildRolloutWaitMinutes(config))),
    ...(target.cacheRepositoryUri ? [plain("CACHE_REPOSITORY_URI", target.cacheRepositoryUri)] : []),
    ...(hosts.length ? [plain("BASE_IMAGE_REGISTRIES", hosts.join(" "))] : []),
    ...(args ? [plain("BUILD_ARGS", args)] : []),
    ...(pipeline.dockerHubSecret
      ? [
          { name: "DOCKERHUB_USERNAME", value: `${pipeline.dockerHubSecret}:username`, type: "SECRETS_MANAGER" as const },
          { name: "DOCKERHUB_TOKEN", value: `${pipeline.dockerHubSecret}:token`, type: "SECRETS_MANAGER" as const },
        ]
      : []),
  ];
}

/** The build settings of a project that a parameter file decides: compute type and environment variables. */
interface BuildSettingsView {
  computeType?: string;
  variables: Record<string, string>;
}

function settingsOf(
  environment:
    | {
        computeType?: string | undefined;
        environmentVariables?: { name?: string | undefined; value?: string | undefined; type?: string | undefined }[] | undefined;
      }
    | undefined,
): BuildSettingsView {
  const variables: Record<string, string> = {};
  for (const v of environment?.environmentVariables ?? []) {
    // The repository URIs follow from the stacks, not from the build settings.
    if (v.name && v.name !== "ECR_REPOSITORY_URI" && v.name !== "CACHE_REPOSITORY_URI") variables[v.name] = `${v.type ?? "PLAINTEXT"}:${v.value ?? ""}`;
  }
  return { ...(environment?.computeType ? { computeType: environment.computeType } : {}), variables };
}

/**
 * What an update of the CodeBuild project would change in its build settings,
 * one line each; empty when none. Values of SECRETS_MANAGER variables are
 * secret references, shown as such; no value is a secret.
 */
export function projectChanges(current: CodeBuildProject | undefined, wanted: ReturnType<typeof codeBuildProject>): string[] {
  if (!current) return [];
  const before = settingsOf(current.environment);
  const after = settingsOf(wanted.environment);
  const lines: string[] = [];
  if (before.computeType !== after.computeType) {
    lines.push(`compute type ${before.computeType ?? "(none)"} -> ${after.computeType} (${describeComputeType(wanted.environment.computeType)})`);
  }
  for (const name of [...new Set([...Object.keys(before.variables), ...Object.keys(after.variables)])].sort()) {
    const [was, will] = [before.variables[name], after.variables[name]];
    if (was === will) continue;
    lines.push(was === undefined ? `set ${name}` : will === undefined ? `remove ${name}` : `change ${name}`);
  }
  return lines;
}

/** Reads the endpoint's CodeBuild project; undefined when there is none. */
export async function readProject(config: EndpointConfig, ctx: DeployContext): Promise<CodeBuildProject | undefined> {
  const name = pipelineName(endpointId(config));
  return (await ctx.aws.codeBuild.batchGetProjects({ names: [name] })).projects?.find((p) => p.name === name);
}

/**
 * IAM roles made a moment ago by the support stack take a few seconds to be
 * usable everywhere; until then CodeBuild and CodePipeline reject them. IAM is
 * eventually consistent ("changes ... are not always immediately visible",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency),
 * and roles are its slowest: backing off, for two minutes.
 */
export function whileRolesPropagate<T>(call: () => Promise<T>, ctx: Pick<DeployContext, "clock" | "signal" | "out">): Promise<T> {
  let told = false;
  return retryWhile(call, isRoleNotYetUsable, {
    clock: ctx.clock,
    signal: ctx.signal,
    timeoutMs: 2 * 60_000,
    delayMs: READ_BACK_DELAYS_MS,
    onRetry: () => {
      if (!told) ctx.out.info("The new IAM roles are not usable yet (IAM propagates changes in seconds); retrying.");
      told = true;
    },
  });
}

/** True for the answers CodeBuild and CodePipeline give while a new role has not propagated. */
export function isRoleNotYetUsable(error: unknown): boolean {
  if (!(error instanceof AwsError)) return false;
  const roleProblem = /role|sts:AssumeRole|not authorized|assume/i.test(error.message);
  return roleProblem && (error.code === "InvalidInputException" || error.code === "InvalidStructureException" || error.code === "AccessDeniedException");
}

async function getPipelineOrUndefined(ctx: DeployContext, name: string): Promise<PipelineDeclaration | undefined> {
  try {
    return (await ctx.aws.codePipeline.getPipeline({ name })).pipeline;
  } catch (error) {
    if (error instanceof AwsError && error.code === "PipelineNotFoundException") return undefined;
    throw error;
  }
}

function samePipeline(current: PipelineDeclaration, wanted: PipelineDeclaration): boolean {
  const essence = (p: PipelineDeclaration) =>
    JSON.stringify({
      role: p.roleArn,
      store: p.artifactStore?.location,
      stages: p.stages?.map((s) => ({
        name: s.name,
        actions: s.actions?.map((a) => ({ name: a.name, type: a.actionTypeId, configuration: a.configuration })),
      })),
    });
  return essence(current) === essence(wanted);
}

async function connectionStatus(arn: string, ctx: DeployContext): Promise<string | undefined> {
  return (await ctx.aws.connections.getConnection({ ConnectionArn: arn })).Connection?.ConnectionStatus;
}

/** Connection states that let the pipeline read the repository. */
export type ConnectionCheck = "available" | "pending" | "unknown";

/** Checks the CodeStar connection; while it waits for its handshake, says where to complete it. */
export async function checkConnection(config: EndpointConfig, ctx: DeployContext): Promise<ConnectionCheck> {
  const arn = config.pipeline?.connectionArn;
  if (!arn) return "unknown";
  try {
    const status = await connectionStatus(arn, ctx);
    if (status === "AVAILABLE") return "available";
    if (status === "PENDING") {
      ctx.out.warn(`ACTION REQUIRED: the connection ${arn} waits for its GitHub handshake.`);
      ctx.out.info(`Complete it at https://${ctx.aws.region}.console.aws.amazon.com/codesuite/settings/connections?region=${ctx.aws.region}`);
      return "pending";
    }
    ctx.out.warn(`Connection ${arn} is ${status ?? "in an unknown state"}: the pipeline cannot read the repository until it is AVAILABLE.`);
    return "unknown";
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    ctx.out.warn(`Could not read the state of connection ${arn}: ${error.message}`);
    return "unknown";
  }
}

/** Waits until the connection is AVAILABLE (the user completes the handshake in the console). */
export async function waitForConnection(config: EndpointConfig, timeoutMs: number, ctx: DeployContext): Promise<void> {
  const arn = config.pipeline?.connectionArn;
  if (!arn) return;
  await pollUntil(
    async () => {
      const status = await connectionStatus(arn, ctx);
      return status === "AVAILABLE" ? { done: true, value: undefined } : { done: false, status };
    },
    {
      clock: ctx.clock,
      signal: ctx.signal,
      intervalMs: 5_000,
      timeoutMs,
      what: `connection ${arn} to become AVAILABLE`,
      out: ctx.out,
      hint: "Complete the handshake in the console, then run the same command again.",
    },
  );
}

/** What `deletePipeline` found and deleted. */
export interface DeletedPipeline {
  pipeline: boolean;
  project: boolean;
  stack: boolean;
}

/** Removes the pipeline, the build project, the artifacts and the support stack. Absent parts are skipped, and not reported. */
export async function deletePipeline(id: string, ctx: DeployContext): Promise<DeletedPipeline> {
  const name = pipelineName(id);
  const deleted: DeletedPipeline = { pipeline: false, project: false, stack: false };
  // DeletePipeline succeeds for a pipeline that does not exist: only a pipeline seen first is reported deleted.
  if (await getPipelineOrUndefined(ctx, name)) {
    await ctx.aws.codePipeline.deletePipeline({ name });
    deleted.pipeline = true;
    ctx.out.success(`Deleted pipeline ${name}`);
  }
  const projects = await ctx.aws.codeBuild.batchGetProjects({ names: [name] });
  if (projects.projects?.some((p) => p.name === name)) {
    await stopRunningBuilds(name, ctx);
    await ctx.aws.codeBuild.deleteProject({ name });
    deleted.project = true;
    ctx.out.success(`Deleted CodeBuild project ${name}`);
  }
  const stackName = pipelineStackName(id);
  const stack = await findStack(ctx.aws.cloudFormation, stackName);
  if (!stack) return deleted;
  // The stack deletes its artifact bucket only when it is empty. Its access-log bucket is kept (DeletionPolicy
  // Retain): teardown empties and deletes it only with --delete-data.
  const artifacts = stackOutputs(stack).ArtifactBucketName;
  if (artifacts) await emptyBucket(artifacts, ctx);
  deleted.stack = (await deleteStack(stackName, stackDeps(ctx))).kind === "deleted";
  return deleted;
}

/**
 * Whether the pipeline stack must use an existing build log group instead of
 * creating it: the stack's own earlier answer, or, for a new stack (or one
 * from before the stack owned the group), whether the group exists.
 */
export async function keptBuildLogGroup(config: EndpointConfig, ctx: DeployContext): Promise<boolean> {
  const id = endpointId(config);
  // The run's answer: the pipeline stack's deployment, right after, starts from it.
  const stack = await readStack(ctx.aws.cloudFormation, pipelineStackName(id), ctx.reads);
  const previous = stack ? readDeployedPipeline(stack).buildLogGroupExists : undefined;
  if (previous !== undefined) return previous;
  return logGroupExists(ctx.aws.logs, buildLogGroupName(id));
}

/** Stops the project's running builds and waits for them: a build left running would push images and update a stack being deleted. */
async function stopRunningBuilds(projectName: string, ctx: DeployContext): Promise<void> {
  const codeBuild = ctx.aws.codeBuild;
  // Newest first; builds older than the last hundred have long ended.
  const ids = (await codeBuild.listBuildsForProject({ projectName, sortOrder: "DESCENDING" })).ids?.slice(0, 100) ?? [];
  if (ids.length === 0) return;
  const running = ((await codeBuild.batchGetBuilds({ ids })).builds ?? []).filter((b) => b.buildStatus === "IN_PROGRESS" && b.id).map((b) => b.id as string);
  if (running.length === 0) return;
  for (const id of running) {
    await codeBuild.stopBuild({ id });
    ctx.out.info(`Stopping build ${id}`);
  }
  await pollUntil(
    async () => {
      const builds = (await codeBuild.batchGetBuilds({ ids: running })).builds ?? [];
      const left = builds.filter((b) => b.buildStatus === "IN_PROGRESS").length;
      return left === 0 ? { done: true, value: undefined } : { done: false, status: `${left} build(s) still stopping` };
    },
    {
      clock: ctx.clock,
      signal: ctx.signal,
      intervalMs: 5_000,
      timeoutMs: 5 * 60_000,
      what: `the builds of ${projectName} to stop`,
      out: ctx.out,
      hint: "Run the same command again once the builds have stopped.",
    },
  );
  ctx.out.success(`Stopped ${running.length} running build(s) of ${projectName}`);
}

/** Deletes every object version in a bucket so that its stack can delete it. */
export async function emptyBucket(bucket: string, ctx: DeployContext): Promise<number> {
  let deleted = 0;
  for (;;) {
    let page;
    try {
      page = await ctx.aws.s3.listObjectVersions({ Bucket: bucket, MaxKeys: 1000 });
    } catch (error) {
      if (error instanceof AwsError && error.code === "NoSuchBucket") return deleted;
      throw error;
    }
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
      .filter((o) => o.Key)
      .map((o) => ({ Key: o.Key as string, VersionId: o.VersionId }));
    if (objects.length === 0) break;
    const result = await ctx.aws.s3.deleteObjects({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } });
    // Listing again would return the same keys forever: stop at the first object S3 refuses to delete.
    const refused = result.Errors?.[0];
    if (refused)
      throw new AwsError(`S3 DeleteObjects: could not delete ${refused.Key} from ${bucket}: ${refused.Code ?? ""} ${refused.Message ?? ""}`.trim(), {
        code: refused.Code,
        hint: "Check the bucket's policy and your permissions, then run the same command again.",
      });
    deleted += objects.length;
  }
  if (deleted > 0) ctx.out.info(`Emptied bucket ${bucket} (${deleted} object versions)`);
  return deleted;
}
