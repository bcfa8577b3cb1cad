/**
 * A lease on a base: commands that change a base or its endpoints (and the
 * pipeline's build, see buildspec/endpoint.yaml) hold it while they run, so
 * two of them never interleave on one base.
 *
 * Where it lives: SSM Parameter Store, under `/mlops/lease/<base stack>/`.
 * Why not one parameter: `PutParameter` with `Overwrite=false` is an atomic
 * create-if-absent (it fails with ParameterAlreadyExists), but SSM has no
 * conditional overwrite or delete, so taking over a dead holder's lease by
 * "delete, then create" races: two waiters both see it expired, one deletes
 * and creates its own, the other then deletes that fresh lease.
 *
 * So the lease is a sequence of generations, `<path>/0000000001`, `…02`, …,
 * and only the highest one counts. A generation is only ever created with
 * `Overwrite=false`, always as "highest seen + 1", and only by a process that
 * saw the highest one released (absent) or expired: of two waiters, exactly
 * one creates the next name; the other gets ParameterAlreadyExists and looks
 * again. Only its holder writes a generation afterwards (the heartbeat that
 * moves its expiry) or deletes it (release); the next holder deletes older
 * generations. Nobody ever changes a name someone else may hold, so no
 * compare-and-swap is needed. The one unsafe case is inherent to expiring
 * leases: a holder that stalls (not dies) past its expiry can be taken over;
 * it finds out at its next heartbeat or at release (a higher generation
 * exists), warns, and its command exits 1 instead of reporting success.
 *
 * A holder that is known to be gone is not waited for: an mlops process on
 * this host that no longer exists (killed, or its give-back after Ctrl-C did
 * not get through in time), or a CodeBuild build that has ended (a build that
 * times out is killed, so its `trap ... EXIT` never gives the lease back).
 *
 * AWS documents `Overwrite` ("By default, existing parameters aren't
 * overwritten"), ParameterAlreadyExists, and TooManyUpdates ("There are
 * concurrent updates for a resource that supports one update at a time", what
 * colliding writers get) in the PutParameter API reference
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html),
 * and a build's `buildComplete` and `buildStatus` (TIMED_OUT, STOPPED, ...) in
 * https://docs.aws.amazon.com/codebuild/latest/APIReference/API_Build.html,
 * read with https://docs.aws.amazon.com/codebuild/latest/APIReference/API_BatchGetBuilds.html.
 */
import { isThrottlingError } from "../aws/error-translator.js";
import type { CodeBuildApi, SsmApi } from "../aws/interfaces.js";
import { defaultRetryBudgetSeconds } from "../aws/retry.js";
import { AwsError, InterruptedError } from "../errors.js";
import type { Output } from "../io/output.js";
import type { Clock } from "./engine/clock.js";

/** A holder that stops renewing (killed, machine gone) loses its lease after this long. */
export const leaseTtlMs = 120_000;
/** How often a holder renews its lease. */
export const leaseHeartbeatMs = 30_000;
/** How often a waiter looks at the lease again. */
export const leasePollMs = 2_000;
/** How often a waiter asks CodeBuild whether the build holding the lease has ended. */
export const leaseBuildCheckMs = 15_000;
/**
 * How long giving the lease back may take after Ctrl-C: the process exits one
 * second after the signal (src/cli.ts), and must still print its summary.
 */
export const leaseGiveBackTimeoutMs = 600;

/** Where the lease of a base lives in Parameter Store. */
export function leasePath(scope: string): string {
  return `/mlops/lease/${scope}`;
}

/** What a generation's value says about its holder (JSON; the buildspec writes the same fields). */
export interface LeaseClaim {
  /** Who: user@host (pid N), or the CodeBuild build id. */
  holder: string;
  /** What: e.g. "add-endpoint ep-b-prod". */
  command: string;
  /** Since when, ISO 8601. */
  since: string;
  /** Until when, unless renewed: epoch seconds. */
  expiresAt: number;
  /**
   * Set while the holder waits for the pipeline build of this endpoint stack
   * and will deploy its image itself: that build must not wait for the lease
   * (it would wait for its own waiter), so it skips its stack update.
   */
  awaitsBuildOf?: string;
  /** The host of an mlops holder, and its process id: a waiter on the same host takes over once that process is gone. */
  host?: string;
  pid?: number;
  /** The CodeBuild build holding the lease (the buildspec writes CODEBUILD_BUILD_ID): taken over once that build has ended. */
  buildId?: string;
}

/** Who asks for a lease, how long it waits, and whether it breaks a held one. */
export interface LeaseRequest {
  holder: string;
  command: string;
  /** How long to wait for another holder before failing. */
  waitTimeoutMs: number;
  /** `--force-unlock`: take the lease even if someone holds it. */
  forceUnlock: boolean;
  ttlMs?: number;
  /** 0: no heartbeat (tests renew by hand). */
  heartbeatMs?: number;
  pollMs?: number;
  /** This process's host and id, written in its claim. */
  host?: string;
  pid?: number;
  /** How long colliding writes (TooManyUpdates, throttling) are retried; the AWS calls' own budget by default. */
  retryBudgetMs?: number;
}

/** What taking a lease needs. */
export interface LeaseDeps {
  ssm: SsmApi;
  out: Output;
  clock: Clock;
  signal?: AbortSignal;
  /** Reads the build that holds a lease, to take over a lease whose build has ended. */
  codeBuild?: Pick<CodeBuildApi, "batchGetBuilds">;
  /** Whether a process of this host still exists, to take over a lease whose holder here is gone. */
  processes?: { isRunning(pid: number): boolean };
}

interface Generation {
  name: string;
  number: number;
  claim: LeaseClaim;
}

const generationDigits = 10;

function generationName(scope: string, n: number): string {
  return `${leasePath(scope)}/${String(n).padStart(generationDigits, "0")}`;
}

function parseClaim(value: string | undefined): LeaseClaim {
  try {
    const parsed = JSON.parse(value ?? "") as Partial<LeaseClaim>;
    return {
      holder: String(parsed.holder ?? "unknown"),
      command: String(parsed.command ?? "unknown command"),
      since: String(parsed.since ?? "an unknown time"),
      expiresAt: Number(parsed.expiresAt) || 0,
      ...(typeof parsed.awaitsBuildOf === "string" ? { awaitsBuildOf: parsed.awaitsBuildOf } : {}),
      ...(typeof parsed.host === "string" && Number.isInteger(parsed.pid) ? { host: parsed.host, pid: parsed.pid } : {}),
      ...(typeof parsed.buildId === "string" && parsed.buildId ? { buildId: parsed.buildId } : {}),
    };
  } catch {
    // Not ours to read: treated as expired, so a bad value cannot lock a base for good.
    return { holder: "unknown", command: "unknown command", since: "an unknown time", expiresAt: 0 };
  }
}

/** Every generation of a lease, lowest first. */
async function generations(ssm: SsmApi, scope: string): Promise<Generation[]> {
  const found: Generation[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ssm.getParametersByPath({ Path: leasePath(scope), Recursive: false, NextToken: nextToken });
    for (const p of page.Parameters ?? []) {
      const number = Number(p.Name?.slice(p.Name.lastIndexOf("/") + 1));
      if (p.Name && Number.isInteger(number) && number > 0) found.push({ name: p.Name, number, claim: parseClaim(p.Value) });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return found.sort((a, b) => a.number - b.number);
}

/** This process's lease was taken over while it ran: its command must not report success. */
export class LeaseLostError extends AwsError {}

function isLive(claim: LeaseClaim, now: number): boolean {
  return claim.expiresAt * 1000 > now;
}

/** "add-endpoint ep-b-prod by alice@host (pid 42) since 2026-01-15T12:00:00Z". */
export function describeClaim(claim: LeaseClaim): string {
  return `${claim.command} by ${claim.holder} since ${claim.since}`;
}

/** Whether a claim is a pipeline build's (buildspec/endpoint.yaml writes "CodeBuild build <id>" and "build deploying ..."). */
export function claimedByBuild(claim: LeaseClaim): boolean {
  return claim.buildId !== undefined || claim.holder.startsWith("CodeBuild build") || claim.command.startsWith("build deploying ");
}

/**
 * What a command says when it takes over a lease that expired instead of being
 * given back: when, and, for a build, that the stack update the build started
 * may still be rolling out (a build killed by its timeout stops renewing, but
 * CloudFormation goes on).
 */
export function expiredLeaseWarning(claim: LeaseClaim, scope: string): string {
  const when = claim.expiresAt > 0 ? new Date(claim.expiresAt * 1000).toISOString() : "an unknown time";
  const build = claimedByBuild(claim)
    ? " Its holder was a pipeline build: the stack update it started may still be rolling out (check with mlops status; the build's log tells why it stopped)."
    : " Its holder stopped renewing it (killed, or stalled).";
  return `Took over the expired lease of ${describeClaim(claim)} on ${scope}: it expired at ${when} without being given back.${build}`;
}

async function deleteQuietly(ssm: SsmApi, name: string, abortSignal?: AbortSignal): Promise<void> {
  try {
    await ssm.deleteParameter({ Name: name }, abortSignal ? { abortSignal } : undefined);
  } catch (error) {
    if (!(error instanceof AwsError && error.code === "ParameterNotFound")) throw error;
  }
}

/** A lease this process holds. */
export class HeldLease {
  /** Set once another process took this lease over (found at a heartbeat or at release). */
  lostTo?: LeaseClaim;
  private timer?: ReturnType<typeof setInterval>;
  private released = false;

  constructor(
    readonly scope: string,
    readonly name: string,
    private readonly number: number,
    private claim: LeaseClaim,
    private readonly request: LeaseRequest,
    private readonly deps: LeaseDeps,
  ) {
    const every = request.heartbeatMs ?? leaseHeartbeatMs;
    if (every > 0) {
      this.timer = setInterval(() => {
        // A failed renewal is retried at the next beat; the expiry leaves room for a few.
        this.renew().catch(() => undefined);
      }, every);
      this.timer.unref();
    }
  }

  /** Moves the expiry forward, unless the lease was taken over meanwhile. */
  async renew(): Promise<void> {
    if (this.released || this.lostTo) return;
    if (await this.checkTakenOver()) return;
    this.claim = { ...this.claim, expiresAt: expiry(this.deps.clock, this.request) };
    await this.deps.ssm.putParameter({ Name: this.name, Value: JSON.stringify(this.claim), Type: "String", Overwrite: true });
  }

  /** Says (or stops saying, with undefined) that this holder waits for the build of `stackName` and deploys its image itself. */
  async awaitBuildOf(stackName: string | undefined): Promise<void> {
    const { awaitsBuildOf: _previous, ...rest } = this.claim;
    this.claim = stackName ? { ...rest, awaitsBuildOf: stackName } : rest;
    await this.renew();
  }

  /** Gives the lease back. Throws when it had been taken over: what the command did may have been undone meanwhile. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearInterval(this.timer);
    if (this.deps.signal?.aborted) {
      // Ctrl-C: the process exits within a second, so one call with a deadline of its own and no look for a takeover
      // (deleting its own generation never touches another holder's). Not answered in time, the lease stays, and the
      // next command on this host takes it over at once, since this process is gone.
      await deleteQuietly(this.deps.ssm, this.name, AbortSignal.timeout(leaseGiveBackTimeoutMs));
      return;
    }
    const lost = this.lostTo ?? ((await this.checkTakenOver()) ? this.lostTo : undefined);
    if (!lost) await deleteQuietly(this.deps.ssm, this.name);
    if (lost) {
      throw new LeaseLostError(`While this command ran, ${describeClaim(lost)} took over its lease on ${this.scope}: the two may have interleaved.`, {
        hint: "Check the result with mlops status, then run the command again if needed.",
      });
    }
  }

  private async checkTakenOver(): Promise<boolean> {
    const newer = (await generations(this.deps.ssm, this.scope)).filter((g) => g.number > this.number);
    const winner = newer.at(-1);
    if (!winner) return false;
    this.lostTo = winner.claim;
    this.deps.out.warn(
      `The lease on ${this.scope} was taken over by ${describeClaim(winner.claim)} (this command was stalled past its expiry, or --force-unlock was used).`,
    );
    return true;
  }
}

function expiry(clock: Clock, request: LeaseRequest): number {
  return Math.ceil((clock.now() + (request.ttlMs ?? leaseTtlMs)) / 1000);
}

/**
 * Takes the lease on `scope`, waiting (with one line per holder) while
 * another process holds it, at most `waitTimeoutMs`.
 */
export async function acquireLease(scope: string, request: LeaseRequest, deps: LeaseDeps): Promise<HeldLease> {
  const { ssm, out, clock } = deps;
  const started = clock.now();
  let announced: string | undefined;
  let force = request.forceUnlock;
  const holders = new HolderCheck(deps);
  let collisions = 0;
  let collidingSince: number | undefined;
  for (;;) {
    const all = await generations(ssm, scope);
    const top = all.at(-1);
    const now = clock.now();
    const live = top !== undefined && isLive(top.claim, now);
    const gone = top && live && !force ? await holders.goneReason(top, request) : undefined;
    if (!top || force || !live || gone) {
      const number = (top?.number ?? 0) + 1;
      const claim: LeaseClaim = {
        holder: request.holder,
        command: request.command,
        since: new Date(now).toISOString(),
        expiresAt: expiry(clock, request),
        ...(request.host !== undefined && request.pid !== undefined ? { host: request.host, pid: request.pid } : {}),
      };
      const name = generationName(scope, number);
      try {
        await ssm.putParameter({
          Name: name,
          Value: JSON.stringify(claim),
          Type: "String",
          Overwrite: false,
          Description: "mlops: lease on a base while a command changes it",
        });
      } catch (error) {
        // Another process created this generation first: look again.
        if (error instanceof AwsError && error.code === "ParameterAlreadyExists") continue;
        // Writers collided (TooManyUpdates), or Parameter Store asks for fewer calls: look again after a backoff, within the budget.
        if (!isCollision(error)) throw error;
        collidingSince ??= now;
        const left = (request.retryBudgetMs ?? defaultRetryBudgetSeconds * 1000) - (clock.now() - collidingSince);
        if (left <= 0) throw error;
        await clock.sleep(Math.min(left, Math.random() * Math.min(collisionMaxDelayMs, collisionBaseDelayMs * 2 ** collisions++)), deps.signal);
        continue;
      }
      if (gone && top) out.warn(`Took over the lease of ${describeClaim(top.claim)} on ${scope}: ${gone}.`);
      else if (top && live) out.warn(`Broke the lease of ${describeClaim(top.claim)} on ${scope} (--force-unlock).`);
      else if (top) out.warn(expiredLeaseWarning(top.claim, scope));
      // Only the highest generation counts: one left behind (a failed delete) is harmless, and the next holder deletes it.
      for (const old of all) await deleteQuietly(ssm, old.name).catch(rethrowInterruption);
      return new HeldLease(scope, name, number, claim, request, deps);
    }
    force = false;
    const waited = now - started;
    if (waited >= request.waitTimeoutMs) {
      throw new AwsError(`Gave up after ${formatMinutes(request.waitTimeoutMs)} waiting for ${describeClaim(top.claim)} (lease on ${scope}).`, {
        hint: `Run the command again once that one has finished. If it was killed, its lease expires at ${new Date(top.claim.expiresAt * 1000).toISOString()}; to break it now: mlops --force-unlock <command>.`,
      });
    }
    const who = `${top.name} ${top.claim.holder} ${top.claim.since}`;
    if (announced !== who) {
      announced = who;
      out.info(`Waiting for ${describeClaim(top.claim)} (lease on ${scope}; up to ${formatMinutes(request.waitTimeoutMs)})`);
    }
    await clock.sleep(Math.min(request.pollMs ?? leasePollMs, request.waitTimeoutMs - waited), deps.signal);
  }
}

function rethrowInterruption(error: unknown): void {
  if (error instanceof InterruptedError) throw error;
}

const collisionBaseDelayMs = 250;
const collisionMaxDelayMs = 5_000;

/** TooManyUpdates (two writers at once) or throttling that outlasted the SDK's retries: worth another look. */
function isCollision(error: unknown): boolean {
  return error instanceof AwsError && (error.code === "TooManyUpdates" || isThrottlingError(error));
}

/** Finds out whether a live claim's holder is in fact gone: a process of this host, or a CodeBuild build. */
class HolderCheck {
  private lastBuildCheck?: { generation: string; at: number };
  private unreadable = new Set<string>();

  constructor(private readonly deps: LeaseDeps) {}

  /** Why the holder of `top` no longer holds it, or undefined while it may still run. */
  async goneReason(top: Generation, request: LeaseRequest): Promise<string | undefined> {
    const { claim } = top;
    const { processes, codeBuild, clock } = this.deps;
    if (claim.host !== undefined && claim.pid !== undefined && processes && claim.host === request.host && !processes.isRunning(claim.pid)) {
      return `its process (pid ${claim.pid}) no longer runs on this host`;
    }
    if (!claim.buildId || !codeBuild || this.unreadable.has(claim.buildId)) return undefined;
    const now = clock.now();
    if (this.lastBuildCheck?.generation === top.name && now - this.lastBuildCheck.at < leaseBuildCheckMs) return undefined;
    this.lastBuildCheck = { generation: top.name, at: now };
    try {
      const answer = await codeBuild.batchGetBuilds({ ids: [claim.buildId] });
      const build = answer.builds?.find((b) => b.id === claim.buildId);
      // A build CodeBuild does not know (buildsNotFound) proves nothing about the holder: waited for as any other.
      const ended = build && (build.buildComplete || (build.buildStatus !== undefined && build.buildStatus !== "IN_PROGRESS"));
      return ended ? `that build has ended (${build.buildStatus ?? "complete"})` : undefined;
    } catch (error) {
      if (error instanceof InterruptedError) throw error;
      // Without codebuild:BatchGetBuilds the lease is waited for as any other; said once.
      this.unreadable.add(claim.buildId);
      this.deps.out.warn(
        `Could not read the state of build ${claim.buildId}, which holds the lease (${error instanceof Error ? error.message : String(error)}): waiting for it as usual.`,
      );
      return undefined;
    }
  }
}

function formatMinutes(ms: number): string {
  const minutes = ms / 60_000;
  return minutes >= 1 && Number.isInteger(minutes) ? `${minutes} min` : `${Math.round(ms / 1000)} s`;
}

/**
 * Runs `work` holding the leases of every scope, taken in name order (so two
 * commands needing several never deadlock) and released in reverse on every
 * way out, errors and Ctrl-C included.
 */
export async function withLeases<T>(scopes: string[], request: LeaseRequest, deps: LeaseDeps, work: (held: HeldLease[]) => Promise<T>): Promise<T> {
  const held: HeldLease[] = [];
  let result: T;
  try {
    for (const scope of [...new Set(scopes)].sort()) held.push(await acquireLease(scope, request, deps));
    result = await work(held);
  } catch (error) {
    // After Ctrl-C, a lease not given back in time is told by the interruption's summary (src/cli.ts).
    await releaseAll(held, deps.out, false, deps.signal?.aborted);
    throw error;
  }
  await releaseAll(held, deps.out, true);
  return result;
}

async function releaseAll(held: HeldLease[], out: Output, strict = false, quiet = false): Promise<void> {
  let failure: LeaseLostError | undefined;
  for (const lease of [...held].reverse()) {
    try {
      await lease.release();
    } catch (error) {
      if (strict && error instanceof LeaseLostError) failure ??= error;
      else if (!quiet)
        out.warn(`Could not release the lease on ${lease.scope}: ${error instanceof Error ? error.message : String(error)}. It expires by itself.`);
    }
  }
  if (failure) throw failure;
}
