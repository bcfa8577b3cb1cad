/**
 * `mlops exec <params> [--task ID] [-- CMD...]`: a shell (default /bin/sh) or
 * a command in one of the endpoint's running containers, through ECS Exec.
 * Every prerequisite is checked first; each one missing is named with its fix
 * (exit 1) before anything starts.
 */
import { z } from "zod";
import { checkExec, ecsEndpoint, pluginArguments, problemsText, type ExecTarget, type FindExecutable } from "../deploy/operations/exec.js";
import { findStack, stackOutputs } from "../deploy/engine/stack.js";
import { elsewhereText, findElsewhere, regionHolding, runAgainThere } from "../deploy/steps/other-regions.js";
import { AwsError } from "../errors.js";
import { runnable } from "../io/invocation.js";
import { findExecutable, runSessionPlugin } from "../io/session-plugin.js";
import { endpointId } from "../params/model.js";
import { endpointStackName } from "../render/names.js";
import { deployContext, globalOptionsSchema, loadConfig, paramOverridesSchema, parseOptions, type CommandDeps } from "./shared.js";

/** Options of exec. */
export const execOptionsSchema = globalOptionsSchema.merge(paramOverridesSchema).extend({
  params: z.string().min(1),
  task: z.string().min(1).optional(),
  /** The command and its arguments; empty: an interactive shell. */
  command: z.array(z.string()).default([]),
});

/** The Session Manager plugin: where it is, and how it is run (tests record instead). */
export interface SessionPlugin {
  find: FindExecutable;
  run(executable: string, args: string[]): Promise<number>;
  platform: string;
}

const realPlugin: SessionPlugin = { find: (name) => findExecutable(name), run: runSessionPlugin, platform: process.platform };

/** What exec did: the container it opened and the plugin's exit code. */
export interface ExecResult {
  target: ExecTarget;
  exitCode: number;
}

/** Runs exec. */
export async function runExec(raw: unknown, deps: CommandDeps, plugin: SessionPlugin = realPlugin): Promise<ExecResult> {
  const options = parseOptions(execOptionsSchema, raw);
  const config = await loadConfig(options.params, options, deps);
  const id = endpointId(config);
  const ctx = await deployContext(deps, options);
  const stackName = endpointStackName(id);
  const stack = await findStack(ctx.aws.cloudFormation, stackName);
  if (!stack) {
    const elsewhere = await findElsewhere(ctx);
    const region = elsewhere && regionHolding(elsewhere, stackName);
    const hint = `Create it first: ${runnable("mlops create-endpoint", deps.invocation)} (or add-endpoint) with this parameter file.`;
    throw new AwsError(`Endpoint ${id} has no stack ${stackName} in ${ctx.aws.region}${elsewhere ? `; ${elsewhereText(elsewhere)}` : ""}.`, {
      hint: region ? runAgainThere(region, stackName, hint) : hint,
    });
  }
  const outputs = stackOutputs(stack);
  const cluster = outputs.ClusterName;
  const service = outputs.ServiceName;
  if (!cluster || !service)
    throw new AwsError(`Stack ${stackName} has no ClusterName/ServiceName outputs.`, {
      hint: `Update the endpoint with this version of mlops (${runnable("mlops update", deps.invocation)}), then run exec again.`,
    });
  deps.out.step(`Checking ECS Exec prerequisites for ${service}`);
  const { problems, target } = await checkExec(
    { cluster, service, container: config.container.name, task: options.task },
    { ecs: ctx.aws.ecs, iam: ctx.aws.iam, findExecutable: plugin.find, platform: plugin.platform, invocation: deps.invocation },
  );
  if (!target || problems.length > 0) {
    throw new AwsError(`ECS Exec cannot start: ${problems.length} prerequisite(s) missing:\n${problemsText(problems)}`, {
      hint: "Fix them and run the same command again (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec-troubleshooting.html).",
    });
  }
  deps.out.success(
    `Prerequisites met: execute-command on, task role allows ssmmessages, task ${target.taskId.slice(0, 8)}'s ExecuteCommandAgent RUNNING, session-manager-plugin on PATH`,
  );
  const command = options.command.length > 0 ? options.command.join(" ") : "/bin/sh";
  const interactive = true;
  const answer = await ctx.aws.ecs.executeCommand({ cluster, task: target.taskArn, container: target.container, command, interactive });
  if (!answer.session) throw new AwsError("ECS ExecuteCommand answered without a session.", { hint: "Run the same command again." });
  const executable = plugin.find("session-manager-plugin");
  if (!executable) throw new AwsError("session-manager-plugin disappeared from PATH.");
  deps.out.info(`Session in task ${target.taskId.slice(0, 8)}, container ${target.container}: ${command}`);
  const args = pluginArguments(answer.session, target, ctx.aws.region, ctx.aws.profile, ecsEndpoint(ctx.aws.region, ctx.aws.endpointUrl));
  const exitCode = await plugin.run(executable, args);
  return { target, exitCode };
}
