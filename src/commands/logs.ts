/**
 * `mlops logs <params> [--follow] [--since 10m] [--build]`: the container
 * logs of all the endpoint's tasks, interleaved by time, each line with its
 * task; or the latest CodeBuild run's log. `--follow` keeps reading until
 * Ctrl-C, which ends it with exit 0: following has no other end.
 */
import { runnable } from "../io/invocation.js";
import { z } from "zod";
import { showLogs, parseSince, type ShowLogsResult } from "../deploy/operations/logs.js";
import { endpointLogGroupName } from "../deploy/steps/log-groups.js";
import { latestBuild, readBuild } from "../deploy/steps/pipeline-run.js";
import { elsewhereText, findElsewhere, regionHolding, runAgainThere } from "../deploy/steps/other-regions.js";
import { AwsError, InputError } from "../errors.js";
import { endpointId } from "../params/model.js";
import { pipelineName } from "../render/names.js";
import { deployContext, globalOptionsSchema, loadConfig, paramOverridesSchema, parseOptions, type CommandDeps } from "./shared.js";

/** Options of logs. */
export const logsOptionsSchema = globalOptionsSchema.merge(paramOverridesSchema).extend({
  params: z.string().min(1),
  follow: z.boolean().default(false),
  /** A duration back from now (30s, 10m, 2h, 7d) or an ISO 8601 time; default 10m, or the whole build log with --build. */
  since: z.string().min(1).optional(),
  build: z.boolean().default(false),
});

/** Runs logs. */
export async function runLogs(raw: unknown, deps: CommandDeps): Promise<ShowLogsResult> {
  const options = parseOptions(logsOptionsSchema, raw);
  const now = deps.clock.now();
  const since = options.since === undefined ? undefined : parseSince(options.since, now);
  if (typeof since === "string") throw new InputError([{ path: "--since", message: since }]);
  const config = await loadConfig(options.params, options, deps);
  const id = endpointId(config);
  const verb = config.kind === "base" ? "create-endpoint" : "add-endpoint";
  const run = (command: string) => runnable(command, deps.invocation);
  if (options.build && !config.pipeline) {
    throw new InputError(
      [
        {
          file: config.source,
          path: config.format === "mlops" ? "pipeline" : "ConnectionArn",
          message: `absent: ${id} has no pipeline, so no build and no build log (its images are pushed by hand)`,
        },
      ],
      // `update` plans the pipeline stack of a file that has a pipeline, and creates it when it is missing (planPipeline).
      config.format === "mlops"
        ? `Its container logs: ${run(`mlops logs ${config.source}`)}. To have images built in AWS, add a pipeline: section to ${config.source} (README: "Building ML images in the pipeline"), then ${run(`mlops update ${config.source}`)} creates the pipeline; its builds have logs here.`
        : `Its container logs: ${run(`mlops logs ${config.source}`)}. To have images built in AWS, ${run(`mlops update ${config.source} --connection-arn ARN --repository OWNER/NAME`)} creates a pipeline; its builds have logs here.`,
    );
  }
  const ctx = await deployContext(deps, options);
  const { logs, codeBuild } = ctx.aws;
  if (!options.build) {
    const logGroupName = endpointLogGroupName(id);
    try {
      return await showLogs(
        { logGroupName, startTime: since ?? now - 10 * 60_000, follow: options.follow },
        { logs, out: deps.out, clock: deps.clock, signal: deps.signal, invocation: deps.invocation },
      );
    } catch (error) {
      // No log group here: the endpoint may live in another region (a wrong --region or AWS_REGION).
      if (!(error instanceof AwsError) || error.code !== "ResourceNotFoundException") throw error;
      const elsewhere = await findElsewhere(ctx);
      if (!elsewhere) throw error;
      const region = regionHolding(elsewhere, id);
      throw new AwsError(`${error.message.replace(/\.$/, "")}; ${elsewhereText(elsewhere)}`, {
        code: error.code,
        hint: region ? runAgainThere(region, id, error.hint ?? "") : error.hint,
      });
    }
  }
  const project = pipelineName(id);
  let build;
  try {
    build = await latestBuild(codeBuild, project);
  } catch (error) {
    if (error instanceof AwsError && error.code === "ResourceNotFoundException") {
      throw new AwsError(`Endpoint ${id} has no CodeBuild project ${project}: ${error.message}`, {
        code: error.code,
        hint: `The file has a pipeline section, but none was made (deployed with --no-pipeline, or not yet): mlops ${verb} ${config.source} makes it.`,
      });
    }
    throw error;
  }
  if (!build)
    throw new AwsError(`CodeBuild project ${project} has not run a build yet.`, {
      hint: `Start one: aws codepipeline start-pipeline-execution --name ${project}`,
    });
  deps.out.info(`Build ${build.id}: ${build.status}${build.currentPhase && build.status === "IN_PROGRESS" ? ` (phase ${build.currentPhase})` : ""}`);
  if (!build.logGroupName || !build.logStreamName)
    throw new AwsError(`Build ${build.id} has no CloudWatch Logs stream yet.`, {
      hint: "Its log appears once the build's container starts; run the same command again in a moment.",
    });
  const buildId = build.id;
  const result = await showLogs(
    {
      logGroupName: build.logGroupName,
      logStreamNames: [build.logStreamName],
      startTime: since ?? 0,
      follow: options.follow && build.status === "IN_PROGRESS",
      keepFollowing: async () => (await readBuild(codeBuild, buildId))?.status === "IN_PROGRESS",
    },
    { logs, out: deps.out, clock: deps.clock, signal: deps.signal, invocation: deps.invocation },
  );
  if (options.follow && !result.interrupted) {
    const ended = await readBuild(codeBuild, buildId);
    deps.out.info(`Build ${buildId}: ${ended?.status ?? "UNKNOWN"}`);
  }
  return result;
}
