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
import {
  LOCK_TIMEOUT_MINUTES,
  TUTORIAL_FLAGS,
  type CommandDefinition,
  type GlobalOptionName,
  type GlobalOptions,
  type OptionDefinition,
} from "./commands/definition.js";
import { COMMANDS } from "./commands/index.js";
import { commandForWord } from "./commands/synonyms.js";
import type { CommandDeps } from "./commands/shared.js";
import { systemClock } from "./deploy/engine/clock.js";
import { ExitCode, InterruptedError, MlopsError } from "./errors.js";
import { chooseInvocation, processProbe, type Invocation } from "./io/invocation.js";
import { ConsoleOutput } from "./io/output.js";
import { terminalPrompter } from "./io/prompt.js";
import { packageFile } from "./package-files.js";

// The commands' definitions (src/commands/*.def.ts) are light and loaded at once; each command's module and the
// AWS clients are imported when it runs (dynamic `import()`, a chunk each once bundled): `mlops --version` and
// `--help` then load no SDK code, and each command loads only what it uses.
const version = (JSON.parse(readFileSync(packageFile("package.json"), "utf8")) as { version: string }).version;

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
  const invocation = chooseInvocation(processProbe());
  const rerun = rerunCommand(argv, invocation);
  const ctrlC = ctrlCHandler(controller, changes, rerun);
  let output: ConsoleOutput | undefined;
  let exitCode: number = ExitCode.ok;
  // Set by a command for which Ctrl-C is the normal end (logs --follow): then it is no interruption.
  let endedByCtrlC = false;
  try {
    const program = buildProgram(
      (globals, preload) => {
        output = consoleOutput(globals, controller.signal);
        return commandDeps(globals, preload, { out: output, signal: controller.signal, changes, onClients: ctrlC.listen, invocation });
      },
      (code) => (exitCode = code),
      () => (endedByCtrlC = true),
    );
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
    ctrlC.stop();
  }
}

/**
 * Ctrl-C during a command: the first aborts `controller` (no new change starts in AWS) and ends the process once
 * the calls in flight had time to return; a second ends it at once. Both say what may still run and how to finish.
 * `listen` turns it on, `stop` off.
 */
function ctrlCHandler(controller: AbortController, changes: ChangeLog, rerun: string): { listen: () => void; stop: () => void } {
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
  let listening = false;
  return {
    listen: () => {
      if (!listening) process.on("SIGINT", onSigint);
      listening = true;
    },
    stop: () => {
      if (listening) process.off("SIGINT", onSigint);
    },
  };
}

/** Whether output may be coloured: stderr is a terminal and neither NO_COLOR nor --no-color says otherwise. */
function colorWanted(globals: GlobalOptions): boolean {
  return Boolean(process.stderr.isTTY) && !process.env.NO_COLOR && globals.color !== false;
}

/** The output host for the global options: JSON or text, progress only for a person at a terminal. */
function consoleOutput(globals: GlobalOptions, signal: AbortSignal): ConsoleOutput {
  return new ConsoleOutput({ json: globals.json ?? false, interactive: Boolean(process.stderr.isTTY) && !process.env.CI, color: colorWanted(globals), signal });
}

/**
 * A command's dependencies on this process, its terminal and AWS. `onClients` runs once the AWS clients exist:
 * until then nothing can have changed, and loading the SDK keeps the event loop too busy to run a Ctrl-C handler,
 * so Ctrl-C keeps its default effect (the process ends at once, status 130).
 */
function commandDeps(
  globals: GlobalOptions,
  preload: ClientName[],
  run: { out: ConsoleOutput; signal: AbortSignal; changes: ChangeLog; onClients: () => void; invocation: Invocation },
): CommandDeps {
  const { out, signal } = run;
  const region = regionFromFlagOrEnvironment(globals.region);
  const retry = parseRetrySettings(
    { retryBudget: globals.retryBudget ?? process.env.MLOPS_RETRY_BUDGET, requestTimeout: globals.requestTimeout ?? process.env.MLOPS_REQUEST_TIMEOUT },
    (notice) => out.warn(notice),
  );
  const deps: CommandDeps = {
    out,
    clock: systemClock,
    signal,
    cwd: process.cwd(),
    region: region?.name,
    regionSource: region?.source,
    holder: holderName(),
    holderProcess: { host: hostname(), pid: process.pid, isRunning: processExists },
    retryBudgetMs: retry.budgetMs,
    endpointUrl: globals.endpointUrl ?? process.env.MLOPS_ENDPOINT_URL,
    invocation: run.invocation,
    aws: async (chosenRegion?: string) => {
      const clients = await (
        await import("./aws/clients.js")
      ).createAwsClients({
        region: chosenRegion ?? globals.region,
        profile: globals.profile,
        endpointUrl: globals.endpointUrl ?? process.env.MLOPS_ENDPOINT_URL,
        preload,
        retry,
        signal,
      });
      run.onClients();
      return guardClients(clients, signal, run.changes);
    },
    regionReaders: async (otherRegion, hintSignal) => {
      const clients = await (
        await import("./aws/clients.js")
      ).createAwsClients({
        region: otherRegion,
        regionListedByAws: true,
        profile: globals.profile,
        endpointUrl: globals.endpointUrl ?? process.env.MLOPS_ENDPOINT_URL,
        // A hint about other regions: one quick attempt and one retry at most, never the command's retry budget.
        retry: { budgetMs: REGION_HINT_RETRY_MS, requestTimeoutMs: REGION_HINT_RETRY_MS },
        signal: hintSignal,
      });
      return guardClients(clients, hintSignal, run.changes);
    },
  };
  // Questions need a person at the terminal on both ends: typing on stdin, reading stderr.
  if (process.stdin.isTTY && process.stderr.isTTY && !process.env.CI) {
    deps.prompter = terminalPrompter({ stdin: process.stdin, stderr: process.stderr, color: colorWanted(globals), signal });
  }
  return deps;
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

/** How long a read of another region (for the hint on where a missing stack is) may retry, and one attempt may take. */
const REGION_HINT_RETRY_MS = 2000;

/** How long the first Ctrl-C waits for the command to wind down before exiting anyway. */
const interruptDeadlineMs = 1000;

/** The command line to run again, as the user typed it (started as the user starts mlops). */
function rerunCommand(argv: string[], invocation: Invocation): string {
  const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`);
  return [invocation, ...argv.slice(2).map(quote)].join(" ");
}

/** What may still be running in AWS after an interruption, and the command that finishes the job. */
function afterInterruption(changes: ChangeLog, rerun: string, known: string[] = [], nextStep?: string): string {
  // A stack the workflow names in its own words ("the creation of stack ep-a-prod") is left out of the log of calls,
  // which only has the API call (ExecuteChangeSet on the stack's ARN): each stack is named once, as what happens to it.
  const seen = changes.mayStillRun(known);
  const running = [...seen, ...known.filter((what) => !seen.includes(what))];
  const state = running.length > 0 ? `May still be running in AWS: ${running.join("; ")}.` : "Nothing this command started is still running in AWS.";
  const leases = changes
    .leasesLeft()
    .map(
      (lease) =>
        `The lease on ${lease.scope} may not have been given back (no answer from AWS in time). The next mlops command on this host takes it over at once, since this process has ended; ` +
        `one on another host waits until it expires${lease.expiresAt ? ` (${new Date(lease.expiresAt * 1000).toISOString()})` : ""}, or breaks it with --force-unlock.`,
    );
  return [state, ...leases, nextStep ?? `To finish the job, run the same command again: ${rerun}`].join("\n");
}

function report(error: unknown, out: ConsoleOutput, changes?: ChangeLog, rerun?: string): number {
  if (error instanceof CommanderError) {
    // Help and version are successes; commander has printed the message already.
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return ExitCode.ok;
    const unknown = error.code === "commander.unknownCommand" ? /unknown command '([^']+)'/.exec(error.message)?.[1] : undefined;
    const meant = unknown ? commandForWord(unknown) : undefined;
    if (meant) process.stderr.write(`${meant}\n`);
    return ExitCode.badInput;
  }
  if (error instanceof InterruptedError) {
    out.error(
      error.message,
      changes && rerun
        ? afterInterruption(changes, rerun, error.stillRunning, error.nextStep)
        : (error.hint ?? "Run the same command again to finish the job."),
    );
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

/** Every global option a command's help may list. */
const allGlobals: readonly GlobalOptionName[] = ["region", "profile", "endpointUrl", "yes", "json", "color", "lockTimeout", "forceUnlock"];

/** The program's own examples, shown after `mlops --help`. */
const programExamples = ["mlops create-endpoint params/ep-a.yaml --tag v1", "mlops status --json"];

function examplesText(examples: readonly string[]): string {
  return `\nExamples:\n${examples.map((line) => `  $ ${line}`).join("\n")}\n`;
}

/**
 * Builds the commander program; `makeDeps` turns the global options (and the clients the command calls) into the
 * command dependencies; `setExitCode` receives a command's non-zero result code (diff, exec), `endedByCtrlC` that Ctrl-C was its normal end (logs).
 */
export function buildProgram(
  makeDeps: (globals: GlobalOptions, preload: ClientName[]) => CommandDeps,
  setExitCode: (code: number) => void = () => {},
  endedByCtrlC: () => void = () => {},
): Command {
  // A command's help lists the global options it uses (render makes no AWS call, status asks nothing).
  const globalsOf = new Map<Command, readonly GlobalOptionName[]>();
  const program = new Command("mlops")
    .description("From a parameter file to a running, validated ML endpoint on AWS ECS Fargate.")
    .version(version)
    .showHelpAfterError("(run mlops --help for usage)")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureHelp({
      showGlobalOptions: true,
      visibleGlobalOptions(cmd) {
        const used = globalsOf.get(cmd) ?? allGlobals;
        // Global options live on the program, also for the commands of a group (weights push).
        let root = cmd.parent;
        while (root?.parent) root = root.parent;
        return (root?.options ?? []).filter((o) => (used as readonly string[]).includes(o.attributeName()) && !o.hidden);
      },
    })
    .addOption(new Option("--region <region>", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, or the profile's region)"))
    .addOption(new Option("--profile <name>", "AWS named profile (default: AWS_PROFILE or the standard credential chain)"))
    .addOption(new Option("--endpoint-url <url>", "send every AWS call to this endpoint, e.g. the local emulator (env: MLOPS_ENDPOINT_URL)"))
    .addOption(
      new Option(
        "--retry-budget <seconds>",
        `how long each AWS call retries throttling, 5xx answers and dropped connections (default ${defaultRetryBudgetSeconds}; env: MLOPS_RETRY_BUDGET)`,
      ),
    )
    .addOption(
      new Option(
        "--request-timeout <seconds>",
        `how long one AWS request may take before it is retried (default ${defaultRequestTimeoutSeconds}; env: MLOPS_REQUEST_TIMEOUT)`,
      ),
    )
    .option("-y, --yes", "answer yes to every confirmation")
    .option("--json", "print the result as JSON on stdout")
    .option("--no-color", "no colours (also: NO_COLOR)")
    .option("--lock-timeout <minutes>", "how long a command waits for another one changing the same base (its lease)", String(LOCK_TIMEOUT_MINUTES))
    .option("--force-unlock", "break the lease another command holds on the base instead of waiting (when that command is known to be gone)")
    .addHelpText("after", examplesText(programExamples));

  const deps = (preload: ClientName[] = []) => makeDeps(program.opts<GlobalOptions>(), preload);
  const withGlobals = (options: Record<string, unknown>) => {
    const g = program.opts<GlobalOptions>();
    return { ...options, yes: g.yes ?? false, json: g.json ?? false, lockTimeout: g.lockTimeout, forceUnlock: g.forceUnlock ?? false };
  };
  const register = (parent: Command, definition: CommandDefinition): void => {
    const command = parent.command(definition.name).description(definition.description);
    for (const argument of definition.arguments ?? []) command.argument(argument.syntax, argument.description, argument.default);
    for (const option of [...(definition.options ?? []), ...(definition.tutorialFlags ? TUTORIAL_FLAGS : [])]) command.addOption(commanderOption(option));
    if (definition.globals) globalsOf.set(command, definition.globals);
    for (const subcommand of definition.subcommands ?? []) register(command, subcommand);
    const run = definition.run;
    if (run) {
      command.action(async (...values: unknown[]) => {
        // Commander passes the arguments in order, then the options.
        const names = command.registeredArguments.map((argument) => argument.name());
        const options = values[names.length] as Record<string, unknown>;
        const input = { ...withGlobals(options), ...Object.fromEntries(names.map((name, i) => [name, values[i]])) };
        const outcome = await run(input, deps([...(definition.clients ?? [])]), program.opts<GlobalOptions>());
        if (outcome?.exitCode) setExitCode(outcome.exitCode);
        if (outcome?.endedByCtrlC) endedByCtrlC();
      });
    }
    command.addHelpText("after", examplesText(definition.examples));
  };
  for (const definition of COMMANDS) register(program, definition);
  return program;
}

/** A commander option from its definition; a default goes in as text, as the value typed would. */
function commanderOption(definition: OptionDefinition): Option {
  const option = new Option(definition.flags, definition.description);
  if (definition.choices) option.choices(definition.choices);
  if (definition.default !== undefined) option.default(String(definition.default));
  return option;
}
