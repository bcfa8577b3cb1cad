/**
 * What a command declares about itself for the command line: its arguments,
 * options and their defaults, help, examples, the AWS clients it calls, and
 * how to run it. Each command's definition (`X.def.ts`, beside `X.ts`) is
 * light: it imports no schema, SDK or workflow, so that `mlops --help` loads
 * none; `run` imports the command's module only when the command runs.
 */
import type { ClientName } from "../aws/clients.js";
import type { CommandDeps } from "./shared.js";

/** A global option, by commander's attribute name. */
export type GlobalOptionName = "region" | "profile" | "endpointUrl" | "yes" | "json" | "color" | "lockTimeout" | "forceUnlock";

/** The global options as commander parses them (values as typed). */
export interface GlobalOptions {
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

/** `--lock-timeout`: minutes a command waits for another command's lease on the same base. */
export const LOCK_TIMEOUT_MINUTES = 10;

/** A positional argument, in commander's syntax (`<params>`, `[name]`, `[command...]`). */
export interface ArgumentDefinition {
  syntax: string;
  description: string;
  default?: string;
}

/**
 * An option, in commander's syntax. Its default is the command's one source for it: the command's option schema
 * reads the same constant, and the command line gets it as text, the way a typed value arrives.
 */
export interface OptionDefinition {
  flags: string;
  description: string;
  default?: string | number;
  choices?: readonly string[];
}

/** The command line's values for a run: the global options commands read, the command's options and its arguments by name. */
export type CommandInput = Record<string, unknown>;

/** What the process needs to know of a command's run besides its output. */
export interface CommandOutcome {
  /** A non-zero exit code that is no failure (diff's changes, the exit code of exec's command). */
  exitCode?: number;
  /** Ctrl-C was the command's normal end (logs --follow), not an interruption. */
  endedByCtrlC?: boolean;
}

/** One command, or a group of them (`weights push|schedule|ls`). */
export interface CommandDefinition {
  name: string;
  description: string;
  arguments?: readonly ArgumentDefinition[];
  /** Its own options, listed in its help before the tutorial flags. */
  options?: readonly OptionDefinition[];
  /** Whether it takes the flags that complete a parameter file in the tutorial's format. */
  tutorialFlags?: boolean;
  /** The global options it uses, the only ones its help lists; absent: all of them. */
  globals?: readonly GlobalOptionName[];
  /** Examples shown after its help. */
  examples: readonly string[];
  /** The AWS clients it calls, loaded in the background once its first call is on its way. */
  clients?: readonly ClientName[];
  /** Runs it; imports the command's module (a chunk of its own once bundled) only now. `globals`: for a command that reads one more. */
  run?: (input: CommandInput, deps: CommandDeps, globals: GlobalOptions) => Promise<CommandOutcome | void>;
  /** The commands of a group. */
  subcommands?: readonly CommandDefinition[];
}

/** The global options of a command that takes no lease and needs no confirmation. */
export const READING_GLOBALS: readonly GlobalOptionName[] = ["region", "profile", "endpointUrl", "json", "color"];

/** The flags that complete a parameter file in the tutorial's format (what our format writes in the file). */
export const TUTORIAL_FLAGS: readonly OptionDefinition[] = [
  { flags: "--base <name>", description: "base endpoint's project name (tutorial-format files of added endpoints)" },
  { flags: "--connection-arn <arn>", description: "CodeStar connection ARN (tutorial-format files)" },
  { flags: "--repository <owner/name>", description: "GitHub repository (tutorial-format files)" },
  { flags: "--branch <branch>", description: "branch to build (tutorial-format files)" },
];

/** The positional argument most commands take. */
export const PARAMS_ARGUMENT: ArgumentDefinition = { syntax: "<params>", description: "parameter file" };
