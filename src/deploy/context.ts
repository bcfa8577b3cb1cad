/**
 * What every deployment step receives: the AWS clients, the output host, a
 * clock and the user's standing answers. Built once per command by the CLI.
 */
import type { AwsClients, RegionReaders } from "../aws/interfaces.js";
import type { Invocation } from "../io/invocation.js";
import type { Output } from "../io/output.js";
import type { Clock } from "./engine/clock.js";
import type { RunReads } from "./engine/reads.js";
import type { StackDeps } from "./engine/stack.js";

/** Dependencies of the deployment steps. */
export interface DeployContext {
  aws: AwsClients;
  out: Output;
  clock: Clock;
  /** `--yes`: answer every confirmation with yes. */
  assumeYes: boolean;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  /** Polling interval for stacks and rollouts; tests shorten it. */
  pollIntervalMs?: number;
  /**
   * Tells the pipeline's build, through the lease this command holds, that
   * the command waits for the build of this stack (undefined: no longer) and
   * deploys its image itself, so the build does not wait for the lease.
   */
  awaitingBuild?: (stackName: string | undefined) => Promise<void>;
  /** What this run has read, asked once (see engine/reads.ts); absent: every read asks AWS. */
  reads?: RunReads;
  /** Read clients of the account's other regions: where a stack missing here may be instead; absent, no other region is asked. */
  regionReaders?: RegionReaders;
  /** How the user starts mlops (`mlops` or `npx mlops`), for the commands printed for them to run; absent: `mlops`. */
  invocation?: Invocation;
}

/** "us-east-1 (from AWS_REGION)": the region as messages name it, so a user sees why mlops looked there. */
export function regionText(aws: Pick<AwsClients, "region" | "regionSource">): string {
  return aws.regionSource ? `${aws.region} (from ${aws.regionSource})` : aws.region;
}

/** The subset of the context the stack step needs, with an optional extra status line while it runs and its own deadline. */
export function stackDeps(ctx: DeployContext, sidecar?: StackDeps["sidecar"], timeoutMs?: number): StackDeps {
  return {
    sidecar,
    timeoutMs,
    cfn: ctx.aws.cloudFormation,
    out: ctx.out,
    clock: ctx.clock,
    assumeYes: ctx.assumeYes,
    signal: ctx.signal,
    pollIntervalMs: ctx.pollIntervalMs,
    reads: ctx.reads,
    invocation: ctx.invocation,
  };
}
