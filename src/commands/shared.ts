/**
 * What every command shares: its dependencies, the global options and the
 * options that complete a parameter file in the tutorial's format.
 */
import { z } from "zod";
import type { AwsClients, RegionReaders } from "../aws/interfaces.js";
import type { Clock } from "../deploy/engine/clock.js";
import type { DeployContext } from "../deploy/context.js";
import { RunReads } from "../deploy/engine/reads.js";
import { withLeases } from "../deploy/lease.js";
import { InputError } from "../errors.js";
import type { Invocation } from "../io/invocation.js";
import type { Output } from "../io/output.js";
import type { Prompter } from "../io/prompt.js";
import { loadEndpointConfig } from "../params/load.js";
import { checkDockerTag } from "../params/rules.js";
import type { EndpointConfig, ParamOverrides } from "../params/model.js";
import { LOCK_TIMEOUT_MINUTES } from "./definition.js";

/** Everything a command needs from the outside world; the CLI builds the real ones, tests pass fakes. */
export interface CommandDeps {
  out: Output;
  clock: Clock;
  signal?: AbortSignal;
  /**
   * Builds the AWS clients; called only after the input is validated, so bad input makes no AWS call.
   * `region`: a region chosen during the command (`init`'s question) instead of the global one.
   */
  aws: (region?: string) => Promise<AwsClients>;
  /** Read clients of the account's other regions, for where a missing stack may be instead (see steps/other-regions.ts). */
  regionReaders?: RegionReaders;
  cwd: string;
  /** Region from `--region` or the environment, known before any client exists (for the AZ check). */
  region?: string;
  /** Who holds the leases this process takes, e.g. "alice@build-host (pid 4242)". */
  holder?: string;
  /** This process, for its leases: its host and id, and whether another process of this host still runs. */
  holderProcess?: { host: string; pid: number; isRunning(pid: number): boolean };
  /** How long AWS calls retry (`--retry-budget`); the lease's colliding writes retry as long. */
  retryBudgetMs?: number;
  /** Where `region` came from: `--region`, `AWS_REGION` or `AWS_DEFAULT_REGION`. */
  regionSource?: string;
  /** Asks questions; present only when a person is at the terminal. */
  prompter?: Prompter;
  /** `--endpoint-url` (or MLOPS_ENDPOINT_URL): one endpoint for every service, e.g. the local emulator. */
  endpointUrl?: string;
  /** How the user starts mlops (`mlops` or `npx mlops`), for the commands printed for them to run; absent: `mlops`. */
  invocation?: Invocation;
}

/** Global options every AWS command accepts. */
export const globalOptionsSchema = z.object({
  yes: z.boolean().default(false),
  json: z.boolean().default(false),
  /** `--lock-timeout`: minutes to wait for another command's lease on the same base. */
  lockTimeout: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(LOCK_TIMEOUT_MINUTES),
  /** `--force-unlock`: break another command's lease instead of waiting. */
  forceUnlock: z.boolean().default(false),
});

/** Options that complete a tutorial-format parameter file. */
export const paramOverridesSchema = z.object({
  base: z.string().min(1).optional(),
  connectionArn: z.string().min(1).optional(),
  repository: z.string().min(1).optional(),
  branch: z.string().min(1).optional(),
});

/** An image tag given on the command line, checked like the parameter file's `container.tag`. */
export const dockerTagSchema = z.string().superRefine((value, context) => {
  const problem = checkDockerTag(value);
  if (problem) context.addIssue({ code: "custom", message: problem });
});

/** A duration in minutes given on the command line. */
export const minutesSchema = z.coerce
  .number()
  .positive()
  .max(24 * 60);

/** Parses command options with a schema; problems become an InputError naming the flag. */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new InputError(
    parsed.error.issues.map((issue) => ({
      path: `--${issue.path.map((p) => String(p).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)).join(".")}`,
      message: issue.message,
    })),
  );
}

/** Loads and validates a parameter file with the command line's overrides. */
export async function loadConfig(
  file: string,
  overrides: z.infer<typeof paramOverridesSchema> & Pick<ParamOverrides, "strategy">,
  deps: CommandDeps,
): Promise<EndpointConfig> {
  const all: ParamOverrides = { ...overrides, region: deps.region, regionSource: deps.regionSource };
  return loadEndpointConfig(file, all);
}

/** Refuses, before any AWS call, a command that will need a confirmation no one can give. */
export function requireConsent(options: { yes: boolean }, deps: CommandDeps, what: string): void {
  if (options.yes || deps.out.interactive) return;
  throw new InputError(
    [{ path: "--yes", message: `${what} asks for confirmation, and there is no terminal to answer it` }],
    "Re-run with --yes to confirm in advance.",
  );
}

/** Builds the deployment context once input is valid. */
export async function deployContext(deps: CommandDeps, options: { yes: boolean }): Promise<DeployContext> {
  return {
    aws: await deps.aws(),
    out: deps.out,
    clock: deps.clock,
    assumeYes: options.yes,
    signal: deps.signal,
    reads: new RunReads(),
    regionReaders: deps.regionReaders,
    invocation: deps.invocation,
  };
}

/** Runs `work` holding the lease of every base in `scopes`, named after the command for whoever waits on it. */
export function underLease<T>(
  scopes: string[],
  command: string,
  options: { lockTimeout: number; forceUnlock: boolean },
  deps: CommandDeps,
  ctx: DeployContext,
  work: () => Promise<T>,
): Promise<T> {
  return withLeases(
    scopes,
    {
      holder: deps.holder ?? "mlops",
      command,
      waitTimeoutMs: options.lockTimeout * 60_000,
      forceUnlock: options.forceUnlock,
      host: deps.holderProcess?.host,
      pid: deps.holderProcess?.pid,
      retryBudgetMs: deps.retryBudgetMs,
    },
    { ssm: ctx.aws.ssm, codeBuild: ctx.aws.codeBuild, processes: deps.holderProcess, out: deps.out, clock: deps.clock, signal: deps.signal },
    async (held) => {
      // An endpoint's build takes its base's lease: the one lease of a single-base command.
      ctx.awaitingBuild = async (stackName) => {
        for (const lease of held) await lease.awaitBuildOf(stackName);
      };
      try {
        return await work();
      } finally {
        ctx.awaitingBuild = undefined;
      }
    },
  );
}
