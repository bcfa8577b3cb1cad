/**
 * An endpoint's pipeline runs: the latest execution with its stage states,
 * its build's phases and log lines, and with `follow` the same as they come
 * until the execution ends.
 */
import { AwsError } from "../../errors.js";
import { runnable } from "../../io/invocation.js";
import type { DeployContext } from "../context.js";
import { PollBackoff } from "../engine/poll.js";
import { pipelineConsoleUrl } from "../steps/image.js";
import { FAILED_BUILD_LOG_LINES, PipelineRunView, readStageStates, type BuildRun, type StageState } from "../steps/pipeline-run.js";

/** What `mlops pipeline` reports. */
export interface PipelineReport {
  pipeline: string;
  consoleUrl: string;
  execution?: { id: string; status: string; commit?: string; summary?: string };
  stages: StageState[];
  build?: BuildRun;
}

/** How often a followed run is read (stages, build, log lines): each is one cheap read. */
export const PIPELINE_POLL = { firstMs: 1_000, maxMs: 5_000, throttledMs: 15_000 };

const ended = new Set(["Succeeded", "Failed", "Stopped", "Superseded", "Cancelled"]);

/**
 * Shows the pipeline's latest execution; with `follow`, follows it until it
 * ends. An execution that failed (or stopped) is an error naming the failed
 * build phase and the build's last log lines.
 */
export async function showPipelineRun(pipelineName: string, options: { follow: boolean }, ctx: DeployContext): Promise<PipelineReport> {
  const { codePipeline, codeBuild, logs } = ctx.aws;
  const consoleUrl = pipelineConsoleUrl(pipelineName, ctx.aws.region);
  try {
    await codePipeline.getPipeline({ name: pipelineName });
  } catch (error) {
    if (error instanceof AwsError && error.code === "PipelineNotFoundException") {
      throw new AwsError(`There is no pipeline ${pipelineName}: ${error.message}`, {
        code: error.code,
        hint: "create-endpoint/add-endpoint make it unless --no-pipeline was given (or the parameter file has no pipeline section).",
      });
    }
    throw error;
  }
  const view = new PipelineRunView(pipelineName, { codePipeline, codeBuild, logs, out: ctx.out }, options.follow ? undefined : FAILED_BUILD_LOG_LINES);
  const latest = async () => (await codePipeline.listPipelineExecutions({ pipelineName, maxResults: 1 })).pipelineExecutionSummaries?.[0];
  let execution = await latest();
  if (!execution?.pipelineExecutionId) {
    ctx.out.info(`Pipeline ${pipelineName} has not run yet. Watch it: ${consoleUrl}`);
    return { pipeline: pipelineName, consoleUrl, stages: await readStageStates(codePipeline, pipelineName) };
  }
  const id = execution.pipelineExecutionId;
  ctx.out.step(`Pipeline ${pipelineName}: execution ${id} ${execution.status ?? ""}`.trim());
  ctx.out.info(`Watch it: ${consoleUrl}`);
  await view.update(id);
  const delays = new PollBackoff(PIPELINE_POLL, ctx.pollIntervalMs);
  while (options.follow && !ended.has(execution?.status ?? "")) {
    await ctx.clock.sleep(delays.next(), ctx.signal);
    const page = await codePipeline.listPipelineExecutions({ pipelineName, maxResults: 5 });
    execution = page.pipelineExecutionSummaries?.find((e) => e.pipelineExecutionId === id) ?? execution;
    await view.update(id);
  }
  const status = execution?.status ?? "Unknown";
  const report: PipelineReport = {
    pipeline: pipelineName,
    consoleUrl,
    execution: { id, status, commit: execution?.sourceRevisions?.[0]?.revisionId, summary: execution?.statusSummary },
    stages: await readStageStates(codePipeline, pipelineName),
    build: view.latestBuild,
  };
  if (status === "Failed" || status === "Stopped" || status === "Cancelled") {
    const build = view.failureText();
    throw new AwsError(
      `Pipeline ${pipelineName} execution ${id} ${status.toLowerCase()}${execution?.statusSummary ? `: ${execution.statusSummary}` : ""}.${build ? `\n${build}` : ""}`,
      {
        hint: `Fix the build (its whole log: ${runnable("mlops logs <params> --build", ctx.invocation)}), push again; see ${consoleUrl}.`,
      },
    );
  }
  return report;
}
