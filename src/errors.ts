/**
 * Typed errors. Commands and steps throw these; only `src/cli.ts` prints them
 * and maps them to exit codes.
 */

/** Exit codes shared by every command. */
export const ExitCode = {
  ok: 0,
  awsFailure: 1,
  badInput: 2,
  /** `mlops diff` found changes to apply (for CI). */
  changes: 3,
  interrupted: 130,
} as const;

/** Base class of every error mlops reports to the user. */
export class MlopsError extends Error {
  /** What the user can do next, printed after the message. */
  readonly hint?: string;
  readonly exitCode: number;

  constructor(message: string, options: { hint?: string; exitCode: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.exitCode = options.exitCode;
  }
}

/** One problem found in user input, located by file and field path. */
export interface InputIssue {
  file?: string;
  path: string;
  message: string;
}

/** Bad input: a parameter file, a flag or an argument. Exit code 2, and no AWS call was made. */
export class InputError extends MlopsError {
  readonly issues: InputIssue[];

  constructor(issues: InputIssue[], hint?: string) {
    super(issues.map(formatIssue).join("\n"), { hint, exitCode: ExitCode.badInput });
    this.issues = issues;
  }
}

/** Formats an input issue as `file: path.to.field: message`. */
export function formatIssue(issue: InputIssue): string {
  return [issue.file, issue.path || undefined, issue.message].filter((part) => part !== undefined && part !== "").join(": ");
}

/** A failure on the AWS side: a call that failed or a stack that did not reach its goal. Exit code 1. */
export class AwsError extends MlopsError {
  /** The AWS service's own error code, when there is one (e.g. `ValidationError`). */
  readonly code?: string;

  constructor(message: string, options: { hint?: string; code?: string; cause?: unknown } = {}) {
    super(message, { hint: options.hint, exitCode: ExitCode.awsFailure, cause: options.cause });
    this.code = options.code;
  }
}

/** Credentials are missing or expired. Reported in one line, exit code 1. */
export class CredentialsError extends AwsError {}

/** The user interrupted the command (Ctrl-C). Exit code 130. */
export class InterruptedError extends MlopsError {
  /** What the interrupted step knows still runs in AWS beyond the changes the CLI saw start (e.g. a pipeline's build). */
  readonly stillRunning: string[];
  /** The one next step that finishes the job, when it is not to run the same command again (e.g. push an image, then resume with another command). */
  readonly nextStep?: string;

  constructor(message = "Interrupted.", hint?: string, stillRunning: string[] = [], nextStep?: string) {
    super(message, { hint, exitCode: ExitCode.interrupted });
    this.stillRunning = stillRunning;
    this.nextStep = nextStep;
  }
}

/** The user declined a confirmation. Not a failure of AWS; exit code 1 so scripts notice nothing was done. */
export class DeclinedError extends MlopsError {
  constructor(message = "Cancelled: nothing was changed.") {
    super(message, { exitCode: ExitCode.awsFailure });
  }
}
