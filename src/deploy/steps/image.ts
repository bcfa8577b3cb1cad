/**
 * Obtaining the image to run: wait until a tag is in the endpoint's ECR
 * repository, or follow the pipeline's execution and take the tag it pushed.
 */
import type { EcrApi } from "../../aws/interfaces.js";
import { AwsError, InterruptedError } from "../../errors.js";
import { runnable } from "../../io/invocation.js";
import type { DeployContext } from "../context.js";
import { formatDuration, pollUntil } from "../engine/poll.js";
import { PipelineRunView } from "./pipeline-run.js";

/** The tag the buildspec gives the image built from a commit. */
export function tagForCommit(sha: string): string {
  return `tag-${sha}`;
}

/** True when the repository holds an image with this tag. A missing repository holds none. */
export async function imageExists(ecr: EcrApi, repositoryName: string, tag: string): Promise<boolean> {
  try {
    const result = await ecr.describeImages({ repositoryName, imageIds: [{ imageTag: tag }] });
    return (result.imageDetails?.length ?? 0) > 0;
  } catch (error) {
    if (error instanceof AwsError && (error.code === "ImageNotFoundException" || error.code === "RepositoryNotFoundException")) return false;
    throw error;
  }
}

/** The repository's URI (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`), or undefined when ECR does not know it. */
export async function repositoryUri(ecr: EcrApi, repositoryName: string): Promise<string | undefined> {
  try {
    return (await ecr.describeRepositories({ repositoryNames: [repositoryName] })).repositories?.[0]?.repositoryUri;
  } catch (error) {
    if (error instanceof AwsError && error.code === "RepositoryNotFoundException") return undefined;
    throw error;
  }
}

/** The tag create-endpoint and add-endpoint wait for when no pipeline builds the image and no tag is given. */
export const FIRST_PUSHED_TAG = "v1";

/** The commands that build an image and put it into the repository by hand: log in, build, tag, push. */
export function pushCommands(uri: string, tag: string, region: string): string[] {
  const registry = uri.split("/")[0];
  const local = `${uri.split("/").slice(1).join("/")}:${tag}`;
  return [
    `aws ecr get-login-password --region ${region} | docker login --username AWS --password-stdin ${registry}`,
    `docker build -t ${local} .`,
    `docker tag ${local} ${uri}:${tag}`,
    `docker push ${uri}:${tag}`,
  ];
}

/** The command that pushes an image to the local emulator (the repository's `npm run emulator:push`), which takes no docker push. */
export function emulatorPushCommand(repositoryName: string, tag: string, endpointUrl: string): string {
  return `MLOPS_ENDPOINT_URL=${endpointUrl} npm run emulator:push -- ${repositoryName} ${tag}`;
}

/** How the wait for an image ends when the user stops it: the command that finishes the job once the image is pushed. */
export interface WaitForImageOptions {
  /** Given for the first image of an endpoint without a pipeline: only a push by hand brings it. */
  resume?: string;
}

/** Waits until the tag is in the repository, pushed by the pipeline or by hand. */
export async function waitForImage(
  repositoryName: string,
  tag: string,
  timeoutMs: number,
  ctx: DeployContext,
  options: WaitForImageOptions = {},
): Promise<void> {
  if (await imageExists(ctx.aws.ecr, repositoryName, tag)) {
    ctx.out.info(`Image ${repositoryName}:${tag} is in ECR`);
    return;
  }
  const uri = await repositoryUri(ctx.aws.ecr, repositoryName);
  ctx.out.step(`Waiting for image ${uri ?? repositoryName}:${tag} in ECR (up to ${formatDuration(timeoutMs)})`);
  // A pipeline builds only `tag-<commit>` images: naming it while the user must push would send them waiting for a build that never comes.
  const unlessPipeline = options.resume ? "" : ", unless your pipeline builds this tag";
  if (uri) {
    ctx.out.info(`Push it from your image's folder (where its Dockerfile is)${unlessPipeline}; this step continues as soon as it appears:`);
    for (const command of pushCommands(uri, tag, ctx.aws.region)) ctx.out.info(`  ${command}`);
  } else {
    ctx.out.info(`Push it to the ECR repository ${repositoryName}${unlessPipeline}; this step continues as soon as it appears.`);
  }
  if (ctx.aws.endpointUrl) {
    // A local emulator holds manifests only: docker cannot log in to it or push there.
    ctx.out.info(`Against ${ctx.aws.endpointUrl} (a local emulator, which docker cannot push to), push it from the mlops checkout instead:`);
    ctx.out.info(`  ${emulatorPushCommand(repositoryName, tag, ctx.aws.endpointUrl)}`);
  }
  // The resume command comes from the workflow spelled `mlops …`: printed as the user starts mlops, so it runs as printed.
  const resume = options.resume ? runnable(options.resume, ctx.invocation) : undefined;
  // One next step, the same on Ctrl-C as announced here: push (the commands above), then the one command that resumes.
  const pushThenResume = resume
    ? `Push the image first (the commands above${uri ? `, ending with docker push ${uri}:${tag}` : ""}), then finish with: ${resume}`
    : undefined;
  if (pushThenResume) ctx.out.info(`To stop waiting: Ctrl-C (what exists stays, no task runs). ${pushThenResume}`);
  try {
    await waitUntilPushed(repositoryName, tag, timeoutMs, ctx, uri, resume);
  } catch (error) {
    // Ctrl-C: the next step is to push, then resume with this command, not to run the same command again.
    if (pushThenResume && error instanceof InterruptedError) throw new InterruptedError(error.message, error.hint, error.stillRunning, pushThenResume);
    throw error;
  }
  ctx.out.success(`Image ${repositoryName}:${tag} is in ECR`);
}

/** Polls ECR until the tag is there, or the wait times out (saying how to push and resume). */
async function waitUntilPushed(
  repositoryName: string,
  tag: string,
  timeoutMs: number,
  ctx: DeployContext,
  uri: string | undefined,
  resume: string | undefined,
): Promise<void> {
  await pollUntil(
    async () => ((await imageExists(ctx.aws.ecr, repositoryName, tag)) ? { done: true, value: undefined } : { done: false, status: "not in ECR yet" }),
    {
      clock: ctx.clock,
      signal: ctx.signal,
      intervalMs: 5_000,
      timeoutMs,
      what: `image ${repositoryName}:${tag}`,
      hint: resume
        ? `Push the image${uri ? ` (docker push ${uri}:${tag})` : ""}, then run: ${resume} (--image-timeout waits longer).`
        : `Push the image${uri ? ` (docker push ${uri}:${tag})` : ""} or check the pipeline, then run the same command again; use --image-timeout to wait longer.`,
      out: ctx.out,
    },
  );
}

/** The pipeline's page in the CodePipeline console. */
export function pipelineConsoleUrl(pipelineName: string, region: string): string {
  return `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${pipelineName}/view?region=${region}`;
}

/** Execution states after which nothing more happens. */
const endedStates = new Set(["Succeeded", "Failed", "Stopped", "Superseded", "Cancelled"]);

/**
 * Follows the pipeline to a build and returns the image tag it pushed. An
 * execution running now is followed; one that ended before this run (e.g. the
 * first execution, which fails while the connection waits for its handshake)
 * is replaced by a new execution; one that fails while followed is an error.
 */
export async function followPipelineExecution(pipelineName: string, region: string, timeoutMs: number, ctx: DeployContext): Promise<string> {
  const consoleUrl = pipelineConsoleUrl(pipelineName, region);
  const pipelines = ctx.aws.codePipeline;
  ctx.out.step(`Following pipeline ${pipelineName} (up to ${formatDuration(timeoutMs)})`);
  ctx.out.info(`Watch it: ${consoleUrl}`);
  const started = ctx.clock.now();
  // A pipeline starts its first execution by itself shortly after it is created.
  const firstExecutionGraceMs = 60_000;
  let followed: string | undefined;
  const view = new PipelineRunView(pipelineName, { codePipeline: pipelines, codeBuild: ctx.aws.codeBuild, logs: ctx.aws.logs, out: ctx.out });
  let viewBroken = false;
  const show = async (executionId: string | undefined) => {
    if (viewBroken) return;
    try {
      await view.update(executionId);
    } catch (error) {
      // The stages, phases and log lines are a view: a permission missing to read them must not stop the deployment.
      if (!(error instanceof AwsError)) throw error;
      viewBroken = true;
      ctx.out.warn(`Cannot show the pipeline's stages and build log (${error.message}); following its status only.`);
    }
  };
  return pollUntil(
    async () => {
      const list = await pipelines.listPipelineExecutions({ pipelineName, maxResults: 5 });
      const newest = list.pipelineExecutionSummaries?.[0];
      const current = followed ? (list.pipelineExecutionSummaries?.find((e) => e.pipelineExecutionId === followed) ?? newest) : newest;
      if (!current?.pipelineExecutionId) {
        if (ctx.clock.now() - started < firstExecutionGraceMs) return { done: false, status: "no execution yet" };
        followed = (await pipelines.startPipelineExecution({ name: pipelineName })).pipelineExecutionId;
        ctx.out.info(`Started execution ${followed}`);
        return { done: false, status: "started" };
      }
      const status = current.status ?? "Unknown";
      if (!followed) {
        if (status === "Succeeded" || !endedStates.has(status)) {
          followed = current.pipelineExecutionId;
          ctx.out.info(`Execution ${followed}`);
        } else {
          ctx.out.info(`The latest execution ${current.pipelineExecutionId} ended ${status.toLowerCase()} before this run; starting a new one.`);
          followed = (await pipelines.startPipelineExecution({ name: pipelineName })).pipelineExecutionId;
          ctx.out.info(`Execution ${followed}`);
          return { done: false, status: "started" };
        }
      }
      await show(followed);
      if (status === "Succeeded") {
        const sha = current.sourceRevisions?.[0]?.revisionId;
        if (!sha) throw new AwsError(`Pipeline ${pipelineName} succeeded but reports no source revision.`, { hint: "Run the command again with --tag TAG." });
        return { done: true, value: tagForCommit(sha) };
      }
      if (endedStates.has(status)) {
        const reason = current.statusSummary ? `: ${current.statusSummary}` : "";
        const build = view.failureText();
        throw new AwsError(`Pipeline ${pipelineName} execution ${current.pipelineExecutionId} ${status.toLowerCase()}${reason}.${build ? `\n${build}` : ""}`, {
          hint: `See the build log: ${consoleUrl}. Fix the build, push again, then run the same command (or pass --tag TAG).`,
        });
      }
      return { done: false, status };
    },
    {
      clock: ctx.clock,
      signal: ctx.signal,
      // Stages, phases and log lines show as they come: read every 5 s (GetPipelineState and BatchGetBuilds are cheap reads).
      intervalMs: 5_000,
      timeoutMs,
      what: `pipeline ${pipelineName} to finish`,
      out: ctx.out,
      hint: `Watch it at ${consoleUrl}, then run the same command again (or pass --tag TAG).`,
    },
  );
}
