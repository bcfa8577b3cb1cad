/**
 * The command line: parses arguments with commander, builds the real AWS
 * clients and the output host, runs one command and maps its outcome to an
 * exit code. The only place that knows about the process.
 */
import { setMaxListeners } from "node:events";
import { Command, CommanderError, Option } from "commander";
import { readFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import type { ClientName } from "./aws/clients.js";
import { ChangeLog, guardClients } from "./aws/guard.js";
import { defaultRequestTimeoutSeconds, defaultRetryBudgetSeconds, parseRetrySettings } from "./aws/retry.js";
import type { CommandDeps } from "./commands/shared.js";
import { systemClock } from "./deploy/engine/clock.js";
import { ExitCode, InterruptedError, MlopsError } from "./errors.js";
import { ConsoleOutput } from "./io/output.js";
import { terminalPrompter } from "./io/prompt.js";
import { packageFile } from "./package-files.js";

// Commands and AWS clients are imported when they run (dynamic `import()`, a chunk each once bundled):
// `mlops --version` and `--help` then load no SDK code, and each command loads only what it uses.
const version = (JSON.parse(readFileSync(packageFile("package.json"), "utf8")) as { version: string }).version;

interface GlobalOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  yes?: boolean;
  json?: boolean;
  color?: boolean;
  lockTimeout?: string;
  forceUnlock?: boolean;
  retryBudget?: string;
  requestTimeout?: string;
}

/** Runs mlops with the given argv (as `process.argv`) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  // `mlops status | head` closes the pipe early: the reader has what it wanted, so drop the rest of the output
  // instead of crashing (and keep going: a command that changes AWS must not stop half-way because of its reader).
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
  const controller = new AbortController();
  // Every AWS call in flight listens on this signal, and reads run many at once (status reads 20 per service side
  // by side): Node's default of 10 listeners would print a MaxListenersExceededWarning to users.
  setMaxListeners(1000, controller.signal);
  const changes = new ChangeLog();
  const rerun = rerunCommand(argv);
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    // A second Ctrl-C does not wait for the current AWS call to return.
    if (interrupts > 1) {
      process.stderr.write(`Interrupted again: stopping now.\n${afterInterruption(changes, rerun)}\n`);
      process.exit(ExitCode.interrupted);
    }
    process.stderr.write("\nCtrl-C: stopping. No new change will be started in AWS.\n");
    controller.abort();
    // Calls in flight get the abort signal; should one not return in time, stop anyway.
    setTimeout(() => {
      process.stderr.write(`Stopped.\n${afterInterruption(changes, rerun)}\n`);
      process.exit(ExitCode.interrupted);
    }, interruptDeadlineMs).unref();
  };
  // Until the AWS clients exist nothing can have changed, and loading the SDK keeps the event loop too busy to run
  // a handler: Ctrl-C keeps its default effect (the process ends at once, status 130) until then.
  let listening = false;
  const listen = () => {
    if (!listening) process.on("SIGINT", onSigint);
    listening = true;
  };
  let output: ConsoleOutput | undefined;
  let exitCode: number = ExitCode.ok;
  // Set by a command for which Ctrl-C is the normal end (logs --follow): then it is no interruption.
  let endedByCtrlC = false;
  try {
    const program = buildProgram((globals, preload) => {
      output = new ConsoleOutput({
        json: globals.json ?? false,
        interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
        color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR && globals.color !== false,
        signal: controller.signal,
      });
      const region = regionFromFlagOrEnvironment(globals.region);
      const out = output;
      const retry = parseRetrySettings(
        { retryBudget: globals.retryBudget ?? process.env.MLOPS_RETRY_BUDGET, requestTimeout: globals.requestTimeout ?? process.env.MLOPS_REQUEST_TIMEOUT },
        (notice) => out.warn(notice),
      );
      const deps: CommandDeps = {
        out: output,
        clock: systemClock,
        signal: controller.signal,
        cwd: process.cwd(),
        region: region?.name,
        regionSource: region?.source,
        holder: holderName(),
        holderProcess: { host: hostname(), pid: process.pid, isRunning: processExists },
        retryBudgetMs: retry.budgetMs,
        aws: async (chosenRegion?: string) => {
          const clients = await (await import("./aws/clients.js")).createAwsClients({
            region: chosenRegion ?? globals.region,
            profile: globals.profile,
            endpointUrl: globals.endpointUrl ?? process.env.MLOPS_ENDPOINT_URL,
            preload,
            retry,
            signal: controller.signal,
          });
          listen();
          return guardClients(clients, controller.signal, changes);
        },
      };
      // Questions need a person at the terminal on both ends: typing on stdin, reading stderr.
      if (process.stdin.isTTY && process.stderr.isTTY && !process.env.CI) {
        deps.prompter = terminalPrompter({ stdin: process.stdin, stderr: process.stderr, color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR && globals.color !== false, signal: controller.signal });
      }
      return deps;
    }, (code) => (exitCode = code), () => (endedByCtrlC = true));
    await program.parseAsync(argv);
    if (controller.signal.aborted && !endedByCtrlC) {
      // Ctrl-C came after the last step had started: everything was done, but the user asked to stop.
      process.stderr.write(`Interrupted after the work was done: nothing is left to finish.\n`);
      return ExitCode.interrupted;
    }
    return exitCode;
  } catch (error) {
    const out = output ?? new ConsoleOutput({ json: false, interactive: false, color: false });
    if (controller.signal.aborted && !(error instanceof InterruptedError) && !(error instanceof CommanderError)) {
      // An error raised by the interruption itself (a call cut short) is the interruption.
      return report(new InterruptedError("Interrupted."), out, changes, rerun);
    }
    return report(error, out, changes, rerun);
  } finally {
    if (listening) process.off("SIGINT", onSigint);
  }
}

/** Who this process is, for the lease another mlops waits on: user@host (pid N). */
function holderName(): string {
  let user = process.env.USER ?? process.env.USERNAME ?? "unknown";
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the environment's name will do.
  }
  return `${user}@${hostname()} (pid ${process.pid})`;
}

/** Whether a process of this host exists; one that is not ours (EPERM) exists too. */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The region known before any client exists, and where it came from; the SDK's adapters resolve a profile's region later. */
function regionFromFlagOrEnvironment(flag: string | undefined): { name: string; source: string } | undefined {
  if (flag) return { name: flag, source: "--region" };
  for (const variable of ["AWS_REGION", "AWS_DEFAULT_REGION"]) {
    const value = process.env[variable];
    if (value) return { name: value, source: variable };
  }
  return undefined;
}

/** How long the first Ctrl-C waits for the command to wind down before exiting anyway. */
const interruptDeadlineMs = 1000;

/** The command line to run again, as the user typed it. */
function rerunCommand(argv: string[]): string {
  const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`);
  return ["mlops", ...argv.slice(2).map(quote)].join(" ");
}

/** What may still be running in AWS after an interruption, and the command that finishes the job. */
function afterInterruption(changes: ChangeLog, rerun: string): string {
  const running = changes.mayStillRun();
  const state = running.length > 0 ? `May still be running in AWS: ${running.join("; ")}.` : "Nothing this command started is still running in AWS.";
  const leases = changes.leasesLeft().map(
    (lease) =>
      `The lease on ${lease.scope} may not have been given back (no answer from AWS in time). The next mlops command on this host takes it over at once, since this process has ended; ` +
      `one on another host waits until it expires${lease.expiresAt ? ` (${new Date(lease.expiresAt * 1000).toISOString()})` : ""}, or breaks it with --force-unlock.`,
  );
  return [state, ...leases, `To finish the job, run the same command again: ${rerun}`].join("\n");
}

function report(error: unknown, out: ConsoleOutput, changes?: ChangeLog, rerun?: string): number {
  if (error instanceof CommanderError) {
    // Help and version are successes; commander has printed the message already.
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return ExitCode.ok;
    return ExitCode.badInput;
  }
  if (error instanceof InterruptedError) {
    out.error(error.message, changes && rerun ? afterInterruption(changes, rerun) : (error.hint ?? "Run the same command again to finish the job."));
    return ExitCode.interrupted;
  }
  if (error instanceof MlopsError) {
    out.error(error.message, error.hint);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  out.error(`Unexpected error: ${message}`, "This is a bug in mlops; please report it with the command you ran (MLOPS_DEBUG=1 adds the stack trace).");
  if (process.env.MLOPS_DEBUG && error instanceof Error) out.error(error.stack ?? "");
  return ExitCode.awsFailure;
}

/** The global options (by attribute name) each command uses; its help lists only these (render and status take no lease). */
const globalsUsedBy: Record<string, readonly string[]> = {
  render: ["region", "json", "color"],
  status: ["region", "profile", "endpointUrl", "json", "color"],
  diff: ["region", "profile", "endpointUrl", "json", "color"],
  schema: ["color"],
  init: ["region", "profile", "endpointUrl", "json", "color"],
  history: ["region", "profile", "endpointUrl", "json", "color"],
  ls: ["region", "profile", "endpointUrl", "json", "color"],
  test: ["region", "profile", "endpointUrl", "json", "color"],
  logs: ["region", "profile", "endpointUrl", "json", "color"],
  pipeline: ["region", "profile", "endpointUrl", "json", "color"],
  exec: ["region", "profile", "endpointUrl", "color"],
};
const allGlobals = ["region", "profile", "endpointUrl", "yes", "json", "color", "lockTimeout", "forceUnlock"] as const;

/** Two examples per command, shown after its help. */
const examples: Record<string, readonly string[]> = {
  mlops: ["mlops create-endpoint params/ep-a.yaml --tag v1", "mlops status --json"],
  render: ["mlops render params/ep-a.yaml --out out/ep-a", "mlops render params/add-ep-b.json --base ep-a --format json"],
  "create-endpoint": ["mlops create-endpoint params/ep-a.yaml --tag v1", "mlops create-endpoint params/ep-a.yaml --no-pipeline --tag v1 --region eu-west-1 --yes"],
  "add-endpoint": ["mlops add-endpoint params/ep-b.yaml --tag v1", "mlops add-endpoint params/add-ep-b.json --base ep-a --no-pipeline --tag v1"],
  update: ["mlops update params/ep-a.yaml --tag v2 --strategy canary", "mlops update params/ep-a.yaml          # image tag-<git HEAD sha>, built by the pipeline"],
  diff: ["mlops diff params/ep-a.yaml --tag v2", "mlops diff params/ep-a.yaml || [ $? -eq 3 ] && echo 'changes to apply'"],
  rollback: ["mlops rollback params/ep-a.yaml", "mlops rollback params/ep-a.yaml --to v1 --strategy blue-green --yes"],
  history: ["mlops history params/ep-a.yaml", "mlops history params/ep-a.yaml --json"],
  status: ["mlops status", "mlops status ep-a --json"],
  init: ["mlops init                      # asks for the name, host and region", "mlops init params/ep-c.yaml --name ep-c --host ep-c.example.com --region eu-west-1"],
  schema: ["mlops schema --out schema/params.schema.json", "mlops schema > params.schema.json"],
  test: ["mlops test params/ep-a.yaml --path /predict", "mlops test params/ep-a.yaml --connect-to 127.0.0.1:8443 --ca-bundle ca.pem"],
  teardown: ["mlops teardown params/ep-b.yaml", "mlops teardown --all --delete-data --yes   # also EFS data, log groups, certificates"],
  weights: ["mlops weights push params/ep-a.yaml ./weights", "mlops weights push params/ep-a.yaml s3://my-models/llm/ --schedule \"rate(3 minutes)\""],
  push: ["mlops weights push params/ep-a.yaml ./weights --delete", "mlops weights push params/ep-a.yaml s3://my-models/llm/ --schedule \"rate(3 minutes)\""],
  schedule: ["mlops weights schedule params/ep-a.yaml \"cron(0 3 * * ? *)\"", "mlops weights schedule params/ep-a.yaml --off"],
  ls: ["mlops weights ls params/ep-a.yaml", "mlops weights ls params/ep-a.yaml models/ --assets --json"],
  logs: ["mlops logs params/ep-a.yaml --since 1h", "mlops logs params/ep-a.yaml --follow     # until Ctrl-C (exit 0)", "mlops logs params/ep-a.yaml --build"],
  pipeline: ["mlops pipeline params/ep-a.yaml", "mlops pipeline params/ep-a.yaml --follow"],
  exec: ["mlops exec params/ep-a.yaml", "mlops exec params/ep-a.yaml --task 0123abcd -- ls -la /app/weights"],
};

function examplesText(name: string): string {
  return `\nExamples:\n${(examples[name] ?? []).map((line) => `  $ ${line}`).join("\n")}\n`;
}

/** The AWS clients each command calls, loaded in the background once its first call is on its way. */
const CLIENTS_USED: Record<"deploy" | "diff" | "update" | "history" | "status" | "teardown" | "weights" | "test" | "logs" | "pipeline" | "exec", ClientName[]> = {
  deploy: ["ssm", "cloudFormation", "acm", "elb", "efs", "logs", "connections", "codeBuild", "codePipeline", "ec2", "ecr", "ecs", "cloudWatch", "route53"],
  diff: ["cloudFormation", "acm", "elb", "efs", "logs", "ec2", "ecr", "route53"],
  update: ["ssm", "cloudFormation", "ecr", "ecs", "elb", "logs", "cloudWatch", "route53"],
  history: ["cloudFormation", "ecs"],
  status: ["cloudFormation", "ecs", "elb", "ecr", "codePipeline", "efs", "logs", "acm", "route53", "cloudWatch"],
  teardown: ["ssm", "cloudFormation", "codePipeline", "codeBuild", "s3", "ec2", "elb", "acm", "ecr", "logs", "efs", "route53"],
  weights: ["ssm", "cloudFormation", "s3", "ecs", "logs"],
  test: ["cloudFormation", "elb"],
  logs: ["logs", "codeBuild"],
  pipeline: ["codePipeline", "codeBuild", "logs"],
  exec: ["cloudFormation", "ecs", "iam"],
};

/**
 * Builds the commander program; `makeDeps` turns the global options (and the clients the command calls) into the
 * command dependencies; `setExitCode` receives a command's non-zero result code (diff).
 */
export function buildProgram(
  makeDeps: (globals: GlobalOptions, preload: ClientName[]) => CommandDeps,
  setExitCode: (code: number) => void = () => {},
  endedByCtrlC: () => void = () => {},
): Command {
  const program = new Command("mlops")
    .description("From a parameter file to a running, validated ML endpoint on AWS ECS Fargate.")
    .version(version)
    .showHelpAfterError("(run mlops --help for usage)")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureHelp({
      showGlobalOptions: true,
      // A command's help lists the global options it uses (render makes no AWS call, status asks nothing).
      visibleGlobalOptions(cmd) {
        const used = globalsUsedBy[cmd.name()] ?? allGlobals;
        // Global options live on the program, also for the commands of a group (weights push).
        let root = cmd.parent;
        while (root?.parent) root = root.parent;
        return (root?.options ?? []).filter((o) => used.includes(o.attributeName()) && !o.hidden);
      },
    })
    .addOption(new Option("--region <region>", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, or the profile's region)"))
    .addOption(new Option("--profile <name>", "AWS named profile (default: AWS_PROFILE or the standard credential chain)"))
    .addOption(new Option("--endpoint-url <url>", "send every AWS call to this endpoint, e.g. the local emulator (env: MLOPS_ENDPOINT_URL)"))
    .addOption(new Option("--retry-budget <seconds>", `how long each AWS call retries throttling, 5xx answers and dropped connections (default ${defaultRetryBudgetSeconds}; env: MLOPS_RETRY_BUDGET)`))
    .addOption(new Option("--request-timeout <seconds>", `how long one AWS request may take before it is retried (default ${defaultRequestTimeoutSeconds}; env: MLOPS_REQUEST_TIMEOUT)`))
    .option("-y, --yes", "answer yes to every confirmation")
    .option("--json", "print the result as JSON on stdout")
    .option("--no-color", "no colours (also: NO_COLOR)")
    .option("--lock-timeout <minutes>", "how long a command waits for another one changing the same base (its lease)", "10")
    .option("--force-unlock", "break the lease another command holds on the base instead of waiting (when that command is known to be gone)")
    .addHelpText("after", examplesText("mlops"));

  const deps = (preload: ClientName[] = []) => makeDeps(program.opts<GlobalOptions>(), preload);
  const withGlobals = (options: Record<string, unknown>) => {
    const g = program.opts<GlobalOptions>();
    return { ...options, yes: g.yes ?? false, json: g.json ?? false, lockTimeout: g.lockTimeout, forceUnlock: g.forceUnlock ?? false };
  };
  const tutorialFlags = (command: Command) =>
    command
      .option("--base <name>", "base endpoint's project name (tutorial-format files of added endpoints)")
      .option("--connection-arn <arn>", "CodeStar connection ARN (tutorial-format files)")
      .option("--repository <owner/name>", "GitHub repository (tutorial-format files)")
      .option("--branch <branch>", "branch to build (tutorial-format files)");

  tutorialFlags(
    program
      .command("render")
      .description("write the stack's template and parameters (also in `aws cloudformation --parameters` format); no AWS call")
      .argument("<params>", "parameter file (YAML/JSON, ours or the tutorial's format)")
      .option("-o, --out <dir>", "output directory", "out")
      .addOption(new Option("--format <format>", "template format").choices(["yaml", "json"]).default("yaml")),
  ).action(async (params: string, options: Record<string, unknown>) => {
    const { runRender } = await import("./commands/render.js");
    await runRender({ ...withGlobals(options), params }, deps());
  });

  for (const verb of ["create-endpoint", "add-endpoint"] as const) {
    tutorialFlags(
      program
        .command(verb)
        .description(verb === "create-endpoint" ? "create a base endpoint: network, load balancer, cluster, pipeline, and its service" : "add an endpoint to an existing base")
        .argument("<params>", "parameter file")
        .option("--tag <tag>", "image tag to deploy (waits until it is in ECR); default: follow the pipeline's first build")
        .option("--no-pipeline", "do not create a pipeline (images are built elsewhere)")
        .option("--no-dns", "make no Route 53 record even when a public hosted zone covers the host (print the record to create instead)")
        .option("--image-timeout <minutes>", "how long to wait for the image", "30")
        .option("--rollout-timeout <minutes>", "how long to wait for tasks to run and become healthy", "15"),
    ).action(async (params: string, options: Record<string, unknown>) => {
      const { runDeployEndpoint } = await import("./commands/deploy-endpoint.js");
      await runDeployEndpoint(verb, { ...withGlobals(options), params }, deps(CLIENTS_USED.deploy));
    });
  }

  tutorialFlags(
    program
      .command("diff")
      .description("show what create-endpoint, add-endpoint or update would change, property by property; changes nothing (exit 0: no changes, 3: changes)")
      .argument("<params>", "parameter file")
      .option("--tag <tag>", "image tag to compare with (default: the running one, or the file's container.tag)")
      .option("--no-pipeline", "leave the pipeline out of the comparison")
      .option("--no-dns", "leave the Route 53 records out of the comparison"),
  ).action(async (params: string, options: Record<string, unknown>) => {
    const { runDiff } = await import("./commands/diff.js");
    setExitCode((await runDiff({ ...withGlobals(options), params }, deps(CLIENTS_USED.diff))).exitCode);
  });

  tutorialFlags(
    program
      .command("update")
      .description("apply the parameter file's changes and roll out an image, after showing the plan; nothing to change is a no-op")
      .argument("<params>", "parameter file")
      .option("--tag [tag]", "image tag (default: tag-<git HEAD sha>, the tag the pipeline gives the checked-out commit)")
      .option("--strategy <strategy>", "rolling, blue-green, canary or linear, for this rollout (default: the file's rollout.strategy)")
      .option("--rollout-timeout <minutes>", "how long to wait for the rollout", "15"),
  ).action(async (params: string, options: Record<string, unknown>) => {
    const { runUpdate } = await import("./commands/update.js");
    await runUpdate({ ...withGlobals(options), params }, deps(CLIENTS_USED.update));
  });

  tutorialFlags(
    program
      .command("rollback")
      .description("roll the endpoint back to the image of its last successful deployment (or --to TAG), after showing the plan")
      .argument("<params>", "parameter file")
      .option("--to <tag>", "image tag to go back to (default: the last successful deployment's before the running one)")
      .option("--strategy <strategy>", "rolling, blue-green, canary or linear, for this rollout (default: the file's rollout.strategy)")
      .option("--rollout-timeout <minutes>", "how long to wait for the rollout", "15"),
  ).action(async (params: string, options: Record<string, unknown>) => {
    const { runRollback } = await import("./commands/rollback.js");
    await runRollback({ ...withGlobals(options), params }, deps(CLIENTS_USED.update));
  });

  tutorialFlags(
    program
      .command("history")
      .description("the endpoint's deployments, newest first: tag, start, duration, strategy and outcome (ECS's record)")
      .argument("<params>", "parameter file"),
  ).action(async (params: string, options: Record<string, unknown>) => {
    const { runHistory } = await import("./commands/history.js");
    await runHistory({ ...withGlobals(options), params }, deps(CLIENTS_USED.history));
  });

  program
    .command("status")
    .description(
      "every endpoint mlops manages in the account and region (or one), and the data teardowns kept; exits 0 whenever the account can be read, listing each broken endpoint's problems under the table (`problems` and `healthy` with --json)",
    )
    .argument("[name]", "one endpoint: its project (ep-a) or project-environment (ep-a-prod)")
    .action(async (name: string | undefined, options: Record<string, unknown>) => {
      const { runStatus } = await import("./commands/status.js");
      await runStatus({ ...withGlobals(options), name }, deps(CLIENTS_USED.status));
    });

  program
    .command("init")
    .description("write a commented parameter file for a new endpoint; asks at a terminal (zones and a free VPC block proposed from the account), takes flags elsewhere")
    .argument("[file]", "file to write (default: params/NAME.yaml)")
    .option("--name <name>", "endpoint name (the file's project)")
    .option("--host <host>", "host name the endpoint answers on")
    .option("--base <name>", "write an added endpoint joining this base endpoint (no network of its own)")
    .option("--azs <zones>", "two availability zones, e.g. us-east-1a,us-east-1b (default: the first two open to the account)")
    .option("--vpc-cidr <cidr>", "the VPC's address block (default: the first private /16 no VPC in the region overlaps)")
    .option("--environment <name>", "environment name", "prod")
    .option("--force", "replace an existing file")
    .option("--gpu", "write a GPU endpoint (ECS Managed Instances with an NVIDIA GPU) instead of a Fargate one")
    .action(async (file: string | undefined, options: Record<string, unknown>) => {
      const { runInit } = await import("./commands/init.js");
      const g = program.opts<GlobalOptions>();
      await runInit({ ...withGlobals(options), file, region: g.region }, deps(["ec2"]));
    });

  program
    .command("schema")
    .description("print the JSON Schema (draft 2020-12) of the parameter file, for editors; no AWS call")
    .option("-o, --out <file>", "write it to this file instead")
    .action(async (options: Record<string, unknown>) => {
      const { runSchema } = await import("./commands/schema.js");
      await runSchema(withGlobals(options), deps());
    });

  tutorialFlags(
    program
      .command("test")
      .description("send a real HTTPS request to the endpoint and show the status code and latency; exit 1 with what to check when it fails")
      .argument("<params>", "parameter file")
      .option("--path <path>", "path to request (default: the health check path, api.healthCheckPath)")
      .option("--connect-to <host:port>", "connect there instead of the endpoint's address, keeping its host as TLS name and Host header (as curl's --connect-to)")
      .option("--ca-bundle <file>", "also trust the CA certificates in this PEM file (also: NODE_EXTRA_CA_CERTS)")
      .option("--timeout <seconds>", "how long the request may take", "10"),
  ).action(async (params: string, options: Record<string, unknown>) => {
    const { runTest } = await import("./commands/test.js");
    await runTest({ ...withGlobals(options), params }, deps(CLIENTS_USED.test));
  });

  tutorialFlags(
    program
      .command("teardown")
      .description("delete an endpoint (or --all), keeping EFS data and logs unless --delete-data")
      .argument("[params]", "parameter file of the endpoint to delete")
      .option("--all", "every endpoint mlops manages in the region: pipelines, added endpoints, then bases")
      .option("--delete-data", "also delete the EFS file systems and the data on them, the log groups and the certificates mlops requested; with --all also what earlier teardowns kept"),
  ).action(async (params: string | undefined, options: Record<string, unknown>) => {
    const { runTeardown } = await import("./commands/teardown.js");
    await runTeardown({ ...withGlobals(options), params }, deps(CLIENTS_USED.teardown));
  });

  const weights = program.command("weights").description("model weights onto the endpoint's EFS volume by a one-off Fargate task (no bastion), on a schedule, and a listing of the volume");
  tutorialFlags(
    weights
      .command("push")
      .description("sync s3://bucket/prefix/ (or a local folder, uploaded first) onto the weights volume; streams the task's log lines")
      .argument("<params>", "parameter file")
      .argument("<source>", "s3://bucket/prefix/ or a local folder")
      .option("--delete", "also delete files on the volume that are not in the source")
      .option("--schedule <expression>", 'repeat the sync from S3: rate(3 minutes), cron(0 3 * * ? *) or at(2030-01-01T00:00:00)')
      .option("--timeout <minutes>", "how long to wait for the sync task", "60"),
  ).action(async (params: string, source: string, options: Record<string, unknown>) => {
    const { runWeightsPush } = await import("./commands/weights.js");
    await runWeightsPush({ ...withGlobals(options), params, source }, deps(CLIENTS_USED.weights));
  });
  tutorialFlags(
    weights
      .command("schedule")
      .description("set the schedule that repeats the sync from the endpoint's S3 source, or remove it (--off)")
      .argument("<params>", "parameter file")
      .argument("[expression]", "rate(...), cron(...) or at(...)")
      .option("--off", "remove the schedule"),
  ).action(async (params: string, expression: string | undefined, options: Record<string, unknown>) => {
    const { runWeightsSchedule } = await import("./commands/weights.js");
    await runWeightsSchedule({ ...withGlobals(options), params, expression }, deps(CLIENTS_USED.weights));
  });
  tutorialFlags(
    weights
      .command("ls")
      .description("list the files on the weights volume (or --assets), with sizes and dates, by the same one-off task")
      .argument("<params>", "parameter file")
      .argument("[path]", "a folder or file on the volume", "")
      .option("--assets", "list the assets volume instead (read only)")
      .option("--timeout <minutes>", "how long to wait for the listing task", "15"),
  ).action(async (params: string, path: string, options: Record<string, unknown>) => {
    const { runWeightsLs } = await import("./commands/weights.js");
    await runWeightsLs({ ...withGlobals(options), params, path }, deps(CLIENTS_USED.weights));
  });
  for (const command of weights.commands) command.addHelpText("after", examplesText(command.name()));

  tutorialFlags(
    program
      .command("logs")
      .description("the container logs of the endpoint's tasks, interleaved by time, each line with its task id; or the latest build's log")
      .argument("<params>", "parameter file")
      .option("-f, --follow", "keep printing new lines until Ctrl-C (which ends it with exit 0)")
      .option("--since <when>", "from a duration ago (30s, 10m, 2h, 7d) or an ISO 8601 time (default: 10m; with --build the whole build)")
      .option("--build", "the log of the pipeline's latest CodeBuild run instead (--follow: until the build ends)"),
  ).action(async (params: string, options: Record<string, unknown>) => {
    const { runLogs } = await import("./commands/logs.js");
    const result = await runLogs({ ...withGlobals(options), params }, deps(CLIENTS_USED.logs));
    if (result.interrupted) endedByCtrlC();
  });

  tutorialFlags(
    program
      .command("pipeline")
      .description("the endpoint's latest pipeline run: stage states, the build's phases and log lines (exit 1 when the run failed)")
      .argument("<params>", "parameter file")
      .option("-f, --follow", "show the run as it goes until it ends"),
  ).action(async (params: string, options: Record<string, unknown>) => {
    const { runPipeline } = await import("./commands/pipeline.js");
    await runPipeline({ ...withGlobals(options), params }, deps(CLIENTS_USED.pipeline));
  });

  tutorialFlags(
    program
      .command("exec")
      .description("a shell (or -- CMD) in a running container of the endpoint through ECS Exec, after checking every prerequisite")
      .argument("<params>", "parameter file")
      .argument("[command...]", "command to run after -- (default: /bin/sh)")
      .option("--task <id>", "the task (its id or first characters, as mlops logs shows them); default: a running one"),
  ).action(async (params: string, command: string[], options: Record<string, unknown>) => {
    const { runExec } = await import("./commands/exec.js");
    const result = await runExec({ ...withGlobals(options), params, command }, deps(CLIENTS_USED.exec));
    if (result.exitCode !== 0) setExitCode(result.exitCode);
  });

  for (const command of program.commands) command.addHelpText("after", examplesText(command.name()));
  return program;
}
