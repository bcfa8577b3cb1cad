/**
 * Obtaining the image to run: wait until a tag is in the endpoint's ECR
 * repository, or follow the pipeline's execution and take the tag it pushed.
 */
import type { EcrApi } from "../aws/interfaces.js";
import { AwsError } from "../errors.js";
import type { DeployContext } from "./context.js";
import { pollUntil } from "./poll.js";

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

/** Waits until the tag is in the repository, pushed by the pipeline or by hand. */
export async function waitForImage(repositoryName: string, tag: string, timeoutMs: number, ctx: DeployContext): Promise<void> {
  if (await imageExists(ctx.aws.ecr, repositoryName, tag)) {
    ctx.out.info(`Image ${repositoryName}:${tag} is in ECR`);
    return;
  }
  ctx.out.step(`Waiting for image ${repositoryName}:${tag} in ECR (up to ${Math.round(timeoutMs / 60_000)} min)`);
  ctx.out.info("Push it from your machine or let the pipeline build it; this step continues as soon as it appears.");
  await pollUntil(
    async () => ((await imageExists(ctx.aws.ecr, repositoryName, tag)) ? { done: true, value: undefined } : { done: false }),
    {
      clock: ctx.clock,
      signal: ctx.signal,
      intervalMs: 5_000,
      timeoutMs,
      what: `image ${repositoryName}:${tag}`,
      hint: "Push the image (or check the pipeline), then run the same command again; use --image-timeout to wait longer.",
    },
  );
  ctx.out.success(`Image ${repositoryName}:${tag} is in ECR`);
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
  const consoleUrl = `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${pipelineName}/view?region=${region}`;
  const pipelines = ctx.aws.codePipeline;
  ctx.out.step(`Following pipeline ${pipelineName}`);
  const started = ctx.clock.now();
  // A pipeline starts its first execution by itself shortly after it is created.
  const firstExecutionGraceMs = 60_000;
  let followed: string | undefined;
  let lastStatus: string | undefined;
  return pollUntil(
    async () => {
      const list = await pipelines.listPipelineExecutions({ pipelineName, maxResults: 5 });
      const newest = list.pipelineExecutionSummaries?.[0];
      const current = followed ? list.pipelineExecutionSummaries?.find((e) => e.pipelineExecutionId === followed) ?? newest : newest;
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
      if (status !== lastStatus) {
        lastStatus = status;
        ctx.out.info(`${status} (${Math.round((ctx.clock.now() - started) / 1000)}s)`);
      }
      if (status === "Succeeded") {
        const sha = current.sourceRevisions?.[0]?.revisionId;
        if (!sha) throw new AwsError(`Pipeline ${pipelineName} succeeded but reports no source revision.`, { hint: "Run the command again with --tag TAG." });
        return { done: true, value: tagForCommit(sha) };
      }
      if (endedStates.has(status)) {
        const reason = current.statusSummary ? `: ${current.statusSummary}` : "";
        throw new AwsError(`Pipeline ${pipelineName} execution ${current.pipelineExecutionId} ${status.toLowerCase()}${reason}.`, {
          hint: `See the build log: ${consoleUrl}. Fix the build, push again, then run the same command (or pass --tag TAG).`,
        });
      }
      return { done: false, status };
    },
    {
      clock: ctx.clock,
      signal: ctx.signal,
      intervalMs: 10_000,
      timeoutMs,
      what: `pipeline ${pipelineName} to finish`,
      hint: `Watch it at ${consoleUrl}, then run the same command again (or pass --tag TAG).`,
    },
  );
}
