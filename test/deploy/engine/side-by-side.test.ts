/**
 * Two phases side by side: results of both, tagged output, the failure of one side reported at once
 * with the other named as still running (not cancelled), Ctrl-C naming what both left under way, and
 * the phase times of the block counted once, by wall time.
 */
import { describe, expect, it } from "vitest";
import { sideBySide, type SideContext } from "../../../src/deploy/engine/side-by-side.js";
import { PhaseTimes } from "../../../src/deploy/phases.js";
import { createComparisonLine, estimateCreate } from "../../../src/deploy/engine/create-time.js";
import { rolloutSettingsOf } from "../../../src/deploy/engine/rollout-time.js";
import { loadEndpointConfig } from "../../../src/params/load.js";
import { AwsError, InterruptedError } from "../../../src/errors.js";
import type { Clock } from "../../../src/deploy/engine/clock.js";
import { InteractiveMemoryOutput, MemoryOutput } from "../../fakes/output.js";

/** A promise and its resolver. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves when `signal` aborts, rejecting as the poll loops do: with an InterruptedError. */
function untilStopped(side: SideContext): Promise<never> {
  return new Promise<never>((_, reject) => {
    const stop = () => reject(new InterruptedError("Stopped watching."));
    if (side.signal.aborted) stop();
    else side.signal.addEventListener("abort", stop, { once: true });
  });
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

const stackUnderway = { what: "the creation of stack ep-a-prod (CloudFormation carries on)", rerun: "a re-run waits for it, then goes on from the stack" };
const buildUnderway = { what: "execution e-1 of pipeline ep-a-prod (CodeBuild builds and pushes the image)", rerun: "a re-run follows it and takes its image" };

describe("side by side", () => {
  it("runs both at once and returns both results, every line tagged with its side", async () => {
    const out = new MemoryOutput();
    const both = { stack: deferred(), build: deferred() };
    const started: string[] = [];
    const running = sideBySide(
      {
        tag: "stack",
        run: async (side) => {
          started.push("stack");
          side.out.step("Creating stack ep-a-prod");
          side.out.live().update(["VPC  CREATE_IN_PROGRESS"]);
          await both.stack.promise;
          return "stack done";
        },
      },
      {
        tag: "build",
        run: async (side) => {
          started.push("build");
          side.out.info("Execution e-1");
          await both.build.promise;
          return 7;
        },
      },
      { out },
    );
    await settle();
    // Both started before either finished.
    expect(started).toEqual(["stack", "build"]);
    both.build.resolve();
    both.stack.resolve();
    expect(await running).toEqual(["stack done", 7]);
    expect(out.lines).toEqual(["step: [stack] Creating stack ep-a-prod", "live: [stack] VPC  CREATE_IN_PROGRESS", "info: [build] Execution e-1"]);
  });

  it("draws both sides' live blocks as one block on a terminal and leaves a closed side's last frame above it", async () => {
    const out = new InteractiveMemoryOutput();
    const go = deferred();
    await sideBySide(
      {
        tag: "stack",
        run: async (side) => {
          const live = side.out.live();
          live.update(["VPC  CREATE_IN_PROGRESS"]);
          await go.promise;
          live.update(["VPC  CREATE_COMPLETE"]);
          live.close();
        },
      },
      {
        tag: "build",
        run: async (side) => {
          const live = side.out.live();
          live.update(["Source  Succeeded", "Build  InProgress"]);
          go.resolve();
          await settle();
          live.close();
        },
      },
      { out },
    );
    expect(out.lines).toContain("live: [stack] VPC  CREATE_IN_PROGRESS");
    // One block holding both sides at once.
    const frame = out.lines.findIndex((l) => l === "live: [build] Source  Succeeded");
    expect(out.lines[frame - 1]).toBe("live: [stack] VPC  CREATE_IN_PROGRESS");
    expect(out.lines).toContain("info: [stack] VPC  CREATE_COMPLETE");
    expect(out.lines).toContain("info: [build] Build  InProgress");
  });

  it("reports a failing side's root cause at once and names the other as still running, without cancelling it", async () => {
    const out = new MemoryOutput();
    let stackSignal: AbortSignal | undefined;
    const failure = deferred();
    const running = sideBySide(
      {
        tag: "stack",
        run: async (side) => {
          stackSignal = side.signal;
          side.underway(stackUnderway);
          // Waits for the stack until stopped; it never finishes in this test.
          try {
            return await untilStopped(side);
          } finally {
            side.out.info("this line comes after the stop and is left out");
          }
        },
      },
      {
        tag: "build",
        run: async (side) => {
          side.underway(buildUnderway);
          await failure.promise;
          throw new AwsError("Pipeline ep-a-prod execution e-1 failed: docker build exited 1.", { hint: "See the build log." });
        },
      },
      { out },
    );
    const caught = running.catch((e: unknown) => e);
    failure.resolve();
    const error = (await caught) as AwsError;
    expect(error).toBeInstanceOf(AwsError);
    expect(error.message).toBe("Pipeline ep-a-prod execution e-1 failed: docker build exited 1.");
    expect(error.hint).toBe(
      "See the build log.\nStill running in AWS: the creation of stack ep-a-prod (CloudFormation carries on) (a re-run waits for it, then goes on from the stack).",
    );
    // This command stops watching the stack (its side's signal), which is no change in AWS: nothing cancels it.
    expect(stackSignal?.aborted).toBe(true);
    await settle();
    expect(out.lines).toEqual([
      "warn: [stack] still running in AWS: the creation of stack ep-a-prod (CloudFormation carries on); it is left to finish (a re-run waits for it, then goes on from the stack).",
    ]);
  });

  it("starts no new change on a side stopped because the other failed", async () => {
    const changes: string[] = [];
    const stackDone = deferred();
    const running = sideBySide(
      {
        tag: "stack",
        run: async (side) => {
          await stackDone.promise;
          side.proceed();
          changes.push("authorize security group ingress");
        },
      },
      {
        tag: "build",
        run: async () => {
          throw new AwsError("CreateProject failed: AccessDenied.");
        },
      },
      { out: new MemoryOutput() },
    );
    await expect(running).rejects.toThrow("CreateProject failed: AccessDenied.");
    stackDone.resolve();
    await settle();
    expect(changes).toEqual([]);
  });

  it("on Ctrl-C with both in flight, names what each left under way in AWS and what a re-run does", async () => {
    const controller = new AbortController();
    const running = sideBySide(
      {
        tag: "stack",
        run: async (side) => {
          side.underway(stackUnderway);
          return untilStopped(side);
        },
      },
      {
        tag: "build",
        run: async (side) => {
          side.underway(buildUnderway);
          return untilStopped(side);
        },
      },
      { out: new MemoryOutput(), signal: controller.signal },
    );
    await settle();
    controller.abort();
    const error = (await running.catch((e: unknown) => e)) as InterruptedError;
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.exitCode).toBe(130);
    // The CLI's closing lines list them too (beside the changes it saw start).
    expect(error.stillRunning).toEqual([stackUnderway.what, buildUnderway.what]);
    expect(error.message).toBe(
      "Interrupted with two things under way in AWS, which go on without this command:\n" +
        "[stack] the creation of stack ep-a-prod (CloudFormation carries on): a re-run waits for it, then goes on from the stack\n" +
        "[build] execution e-1 of pipeline ep-a-prod (CodeBuild builds and pushes the image): a re-run follows it and takes its image",
    );
  });

  it("on Ctrl-C after one side finished, names only the other", async () => {
    const controller = new AbortController();
    const running = sideBySide(
      {
        tag: "stack",
        run: async (side) => {
          side.underway(stackUnderway);
          side.underway(undefined);
          return "created";
        },
      },
      {
        tag: "build",
        run: async (side) => {
          side.underway(buildUnderway);
          return untilStopped(side);
        },
      },
      { out: new MemoryOutput(), signal: controller.signal },
    );
    await settle();
    controller.abort();
    const error = (await running.catch((e: unknown) => e)) as InterruptedError;
    expect(error.message).toMatch(/^Interrupted with one thing under way in AWS, which goes on without this command:\n\[build\] execution e-1/);
    expect(error.message).not.toContain("[stack]");
  });
});

/** A clock the test moves by hand. */
class HandClock implements Clock {
  current = 0;
  now(): number {
    return this.current;
  }
  async sleep(): Promise<void> {}
}

describe("phase times side by side", () => {
  it("shows the two lanes beside each other and counts their block once, by wall time", async () => {
    const clock = new HandClock();
    const phases = new PhaseTimes(clock);
    await phases.time("certificate", async () => void (clock.current += 2_000));
    const stackDone = deferred();
    const buildDone = deferred();
    const block = phases.beside(([stackLane, buildLane]) =>
      sideBySide(
        { tag: "stack", run: () => stackLane.time("stacks", () => stackDone.promise) },
        {
          tag: "build",
          run: async () => {
            await buildLane.time("pipeline", async () => void (clock.current += 0));
            return buildLane.time("waiting for the image", () => buildDone.promise);
          },
        },
        { out: new MemoryOutput() },
      ),
    );
    await settle();
    clock.current += 10_000; // the stack is done at 12 s
    stackDone.resolve();
    await settle();
    clock.current += 10_000; // the build at 22 s
    buildDone.resolve();
    await block;
    await phases.time("rollout", async () => void (clock.current += 30_000));
    expect(phases.seconds()).toEqual({ certificate: 2, stacks: 10, pipeline: 0, "waiting for the image": 20, rollout: 30 });
    expect(phases.overlapped()).toBe(true);
    expect(phases.totalSeconds()).toBe(52);
    expect(phases.summary()).toBe(
      "Time: certificate 2 s, stacks 10 s beside pipeline 0 s + waiting for the image 20 s (20 s together), rollout 30 s (total 52 s)",
    );

    const config = await loadEndpointConfig("params/ep-a.yaml");
    const e = estimateCreate({ kind: "base", stackExists: false, requestsCertificate: false, builds: true, rollout: rolloutSettingsOf(config) });
    const line = createComparisonLine(e, phases.seconds(), { overlapped: phases.overlapped(), totalSeconds: phases.totalSeconds() });
    expect(line).toMatch(
      /^This run beside the AWS estimate: infrastructure 12 s \(AWS ~\d+ min\), beside it the first build 20 s \(AWS ~\d+ min\); then the rollout 30 s \(AWS ~\d+ min\); total 52 s of wall time \(AWS ~\d+ min\)\.$/,
    );
  });
});
