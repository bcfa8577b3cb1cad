/**
 * Two phases of a workflow run side by side (the endpoint's stack with no tasks beside the first
 * build), with the guarantees the sequential path has:
 *
 * - Output stays readable: every line of a side carries its tag ("[stack] ", "[build] "), and on a
 *   terminal both sides' live blocks (a stack's resource table, a pipeline's stages) are drawn as
 *   one block, since the output host redraws one block at a time.
 * - Ctrl-C starts no new change (every step stops at the command's signal) and, with two things
 *   in flight, the interruption names both: what each side had under way in AWS, which carries on
 *   there, and what a re-run does with it.
 * - A failure of one side is reported at once with its own root cause. The other side is not
 *   cancelled in AWS: its work is what a re-run needs (a stack with no tasks, or an image that
 *   finished building), and cancelling it would only make that re-run start over. This command
 *   stops watching it (no new change starts on it) and names it as still running; the re-run
 *   waits for it and converges.
 */
import { AwsError, InterruptedError, MlopsError } from "../../errors.js";
import type { LiveRegion, Output } from "../../io/output.js";

/** What a side's work receives: its own output (lines tagged), its own stop signal, and where it says what runs in AWS. */
export interface SideContext {
  out: Output;
  /** Aborted on Ctrl-C, or when the other side failed: start no new change, stop waiting. */
  signal: AbortSignal;
  /**
   * Says what this side has under way in AWS now, as a phrase that ends a sentence ("the creation of
   * stack ep-a-prod"), with what a re-run does about it; undefined once nothing of it runs on.
   */
  underway: (what: Underway | undefined) => void;
  /** Throws InterruptedError once the side is stopped: called before each new change, so none starts after a stop. */
  proceed: () => void;
}

/** Something a side started in AWS that goes on without this command. */
export interface Underway {
  /** "the creation of stack ep-a-prod (CloudFormation carries on)". */
  what: string;
  /** "a re-run waits for it and continues from the stack". */
  rerun: string;
}

/** One of the two phases. */
export interface Side<T> {
  /** Shown before each of its lines, in brackets: "stack", "build". */
  tag: string;
  run(ctx: SideContext): Promise<T>;
}

/** Where the two sides report and what stops them. */
export interface SideBySideOptions {
  out: Output;
  /** The command's Ctrl-C signal. */
  signal?: AbortSignal;
}

/**
 * Runs both sides at once and resolves with both results once both are done. When one fails, the
 * other is stopped from watching (not cancelled in AWS) and the failure is thrown with what still
 * runs added to its hint; on Ctrl-C, one InterruptedError names what both had under way.
 */
export async function sideBySide<A, B>(a: Side<A>, b: Side<B>, options: SideBySideOptions): Promise<[A, B]> {
  const live = new SharedLive(options.out);
  const lanes = [new Lane(a.tag, options, live), new Lane(b.tag, options, live)] as const;
  const runs = [lanes[0].start(a), lanes[1].start(b)] as const;
  try {
    // The first failure wins at once: the other side is then stopped, not awaited to its end.
    const first = await Promise.race([
      Promise.all(runs).then((results) => ({ results })),
      ...runs.map((run, i) => run.then(never, (error: unknown) => ({ error, failed: lanes[i]! }))),
    ]);
    if ("results" in first) return first.results;
    const { error, failed } = first;
    const other = lanes.find((lane) => lane !== failed)!;
    if (error instanceof InterruptedError || options.signal?.aborted) {
      // Ctrl-C reaches both sides: let each stop (its poll loop ends at the signal) to know what it left under way.
      const settled = await Promise.allSettled(runs);
      // A side that knows the one next step (push an image, then resume with this command) keeps it through the interruption.
      const nextStep = settled
        .map((s) => (s.status === "rejected" && s.reason instanceof InterruptedError ? s.reason.nextStep : undefined))
        .find((step) => step !== undefined);
      throw interruption(lanes, nextStep);
    }
    other.stop();
    const left = other.underwayNow();
    if (left) options.out.warn(`[${other.tag}] still running in AWS: ${left.what}; it is left to finish (${left.rerun}).`);
    throw withRunningNamed(error, left);
  } finally {
    live.close();
  }
}

function never(): Promise<never> {
  return new Promise<never>(() => {});
}

/** One side's bookkeeping: its tagged output, its stop signal, and what it has under way. */
class Lane {
  private readonly controller = new AbortController();
  private current?: Underway;
  private stopped = false;
  readonly out: Output;

  constructor(
    readonly tag: string,
    options: SideBySideOptions,
    live: SharedLive,
  ) {
    if (options.signal) {
      if (options.signal.aborted) this.controller.abort();
      else options.signal.addEventListener("abort", () => this.controller.abort(), { once: true });
    }
    this.out = new TaggedOutput(options.out, tag, live, () => this.stopped);
  }

  start<T>(side: Side<T>): Promise<T> {
    // Started in the next turn, so a side that throws at once still fails as a rejected promise.
    const signal = this.controller.signal;
    const proceed = () => {
      if (signal.aborted) throw new InterruptedError(`Stopped before the next step of ${this.tag}.`);
    };
    return Promise.resolve().then(() => side.run({ out: this.out, signal, underway: (what) => (this.current = what), proceed }));
  }

  /** Stops watching: the side's loops end at its signal, and whatever it prints from now on is left out. */
  stop(): void {
    this.stopped = true;
    this.controller.abort();
  }

  underwayNow(): Underway | undefined {
    return this.current;
  }
}

/** The interruption with two things in flight: what each side left running in AWS and what a re-run does. */
function interruption(lanes: readonly Lane[], nextStep?: string): InterruptedError {
  const left = lanes.flatMap((lane) => {
    const u = lane.underwayNow();
    return u ? [{ line: `[${lane.tag}] ${u.what}: ${u.rerun}`, what: u.what }] : [];
  });
  if (left.length === 0) return new InterruptedError("Interrupted: nothing this step started is still running in AWS.", undefined, [], nextStep);
  const count = left.length === 1 ? "one thing under way in AWS, which goes" : "two things under way in AWS, which go";
  return new InterruptedError(
    `Interrupted with ${count} on without this command:\n${left.map((l) => l.line).join("\n")}`,
    undefined,
    left.map((l) => l.what),
    nextStep,
  );
}

/** The failing side's error, its root cause kept as it is, with the other side's work named in the hint. */
function withRunningNamed(error: unknown, left: Underway | undefined): unknown {
  if (!left || !(error instanceof MlopsError)) return error;
  const running = `Still running in AWS: ${left.what} (${left.rerun}).`;
  const hint = error.hint ? `${error.hint}\n${running}` : `${running} Fix the cause, then run the same command again.`;
  if (error instanceof AwsError) return new AwsError(error.message, { hint, ...(error.code ? { code: error.code } : {}), cause: error });
  return error;
}

/** A side's output: every line tagged; silent once the side was stopped because the other failed. */
class TaggedOutput implements Output {
  readonly interactive: boolean;
  constructor(
    private readonly parent: Output,
    private readonly tag: string,
    private readonly live_: SharedLive,
    private readonly muted: () => boolean,
  ) {
    this.interactive = parent.interactive;
  }

  private tagged(message: string): string {
    return `[${this.tag}] ${message}`;
  }
  step(message: string): void {
    if (!this.muted()) this.parent.step(this.tagged(message));
  }
  info(message: string): void {
    if (!this.muted()) this.parent.info(this.tagged(message));
  }
  success(message: string): void {
    if (!this.muted()) this.parent.success(this.tagged(message));
  }
  warn(message: string): void {
    if (!this.muted()) this.parent.warn(this.tagged(message));
  }
  result(data: unknown, render: () => string): void {
    this.parent.result(data, render);
  }
  record(data: unknown, text: string): void {
    this.parent.record(data, this.tagged(text));
  }
  live(): LiveRegion {
    return this.live_.open(this.tag, this.muted);
  }
  confirm(question: string, typed?: string[]): Promise<boolean> {
    return this.parent.confirm(this.tagged(question), typed);
  }
}

/**
 * Both sides' live blocks as one: on a terminal the output host redraws a single block, so the
 * sides' blocks are drawn one under the other, each line tagged. A side's block that closes leaves
 * its last frame above the block. In logs (not interactive) each side prints its own new lines.
 */
class SharedLive {
  private region?: LiveRegion;
  private readonly blocks = new Map<number, { tag: string; lines: string[] }>();
  private next = 0;

  constructor(private readonly out: Output) {}

  /** A side's live block. */
  open(tag: string, muted: () => boolean): LiveRegion {
    if (!this.out.interactive) {
      const own = this.out.live();
      return {
        update: (lines) => {
          if (!muted()) own.update(lines.map((l) => `[${tag}] ${l}`));
        },
        close: () => own.close(),
      };
    }
    const key = this.next++;
    this.blocks.set(key, { tag, lines: [] });
    return {
      update: (lines) => {
        if (muted()) return;
        this.blocks.set(key, { tag, lines });
        this.draw();
      },
      close: () => {
        const block = this.blocks.get(key);
        this.blocks.delete(key);
        this.draw();
        if (block && !muted()) for (const line of block.lines) this.out.info(`[${tag}] ${line.trimStart()}`);
        if (this.blocks.size === 0) this.close();
      },
    };
  }

  private draw(): void {
    const lines = [...this.blocks.values()].flatMap((b) => b.lines.map((l) => `[${b.tag}] ${l}`));
    if (lines.length === 0 && !this.region) return;
    this.region ??= this.out.live();
    this.region.update(lines);
  }

  close(): void {
    this.region?.close();
    this.region = undefined;
  }
}
