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

/** Follows the pipeline's newest execution to its end and returns the image tag it built. */
export async function followPipelineExecution(pipelineName: string, region: string, timeoutMs: number, ctx: DeployContext): Promise<string> {
  const consoleUrl = `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${pipelineName}/view?region=${region}`;
  ctx.out.step(`Following pipeline ${pipelineName}'s execution`);
  let announced: string | undefined;
  let lastStatus: string | undefined;
  const started = ctx.clock.now();
  return pollUntil(
    async () => {
      const list = await ctx.aws.codePipeline.listPipelineExecutions({ pipelineName, maxResults: 5 });
      const newest = list.pipelineExecutionSummaries?.[0];
      if (!newest?.pipelineExecutionId) return { done: false, status: "no execution yet" };
      if (announced !== newest.pipelineExecutionId) {
        announced = newest.pipelineExecutionId;
        ctx.out.info(`Execution ${announced}`);
      }
      const status = newest.status ?? "Unknown";
      if (status !== lastStatus) {
        lastStatus = status;
        ctx.out.info(`${status} (${Math.round((ctx.clock.now() - started) / 1000)}s)`);
      }
      if (status === "Succeeded") {
        const sha = newest.sourceRevisions?.[0]?.revisionId;
        if (!sha) throw new AwsError(`Pipeline ${pipelineName} succeeded but reports no source revision.`, { hint: "Run the command again with --tag TAG." });
        return { done: true, value: tagForCommit(sha) };
      }
      if (status === "Failed" || status === "Stopped" || status === "Stopping" || status === "Superseded" || status === "Cancelled") {
        const reason = newest.statusSummary ? `: ${newest.statusSummary}` : "";
        throw new AwsError(`Pipeline ${pipelineName} execution ${newest.pipelineExecutionId} ${status.toLowerCase()}${reason}.`, {
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
