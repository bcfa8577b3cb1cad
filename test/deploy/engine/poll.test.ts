import { describe, expect, it } from "vitest";
import { isRoleNotYetUsable, whileRolesPropagate } from "../../../src/deploy/steps/pipeline.js";
import { PollBackoff, pollUntil, retryWhile, STACK_POLL } from "../../../src/deploy/engine/poll.js";
import { AwsError, InterruptedError } from "../../../src/errors.js";
import { FakeClock } from "../../fakes/clock.js";
import { InteractiveMemoryOutput, MemoryOutput } from "../../fakes/output.js";

describe("retryWhile", () => {
  it("retries passing failures until the call succeeds", async () => {
    let calls = 0;
    const clock = new FakeClock();
    const value = await retryWhile(
      async () => {
        calls++;
        if (calls < 3) throw new AwsError("CodeBuild CreateProject: CodeBuild is not authorized to perform: sts:AssumeRole", { code: "InvalidInputException" });
        return "ok";
      },
      isRoleNotYetUsable,
      { clock, timeoutMs: 60_000, delayMs: 5_000 },
    );
    expect(value).toBe("ok");
    expect(clock.sleeps).toEqual([5_000, 5_000]);
  });

  it("gives up with the last error when time is up, and never retries other errors", async () => {
    const clock = new FakeClock();
    const denied = new AwsError("CodeBuild CreateProject: role is invalid or cannot be assumed", { code: "InvalidInputException" });
    await expect(retryWhile(async () => Promise.reject(denied), isRoleNotYetUsable, { clock, timeoutMs: 20_000, delayMs: 5_000 })).rejects.toBe(denied);
    expect(clock.sleeps.length).toBe(4);
    const other = new AwsError("CodeBuild CreateProject: Project already exists", { code: "ResourceAlreadyExistsException" });
    let calls = 0;
    await expect(
      retryWhile(
        async () => {
          calls++;
          throw other;
        },
        isRoleNotYetUsable,
        { clock, timeoutMs: 20_000, delayMs: 5_000 },
      ),
    ).rejects.toBe(other);
    expect(calls).toBe(1);
  });
});

describe("whileRolesPropagate", () => {
  it("retries a call refused while a new role propagates, backing off 1, 2, 4 s, and tells the user once", async () => {
    let calls = 0;
    const clock = new FakeClock();
    const out = new MemoryOutput();
    const value = await whileRolesPropagate(
      async () => {
        calls++;
        if (calls < 4)
          throw new AwsError("CodeBuild CreateProject: CodeBuild is not authorized to perform: sts:AssumeRole on arn:aws:iam::123456789012:role/build", {
            code: "InvalidInputException",
          });
        return "created";
      },
      { clock, out },
    );
    expect(value).toBe("created");
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(out.lines.filter((l) => l.includes("not usable yet"))).toHaveLength(1);
  });

  it("gives up after two minutes with AWS's own error", async () => {
    const clock = new FakeClock();
    const started = clock.now();
    const denied = new AwsError("CodePipeline CreatePipeline: CodePipeline is not authorized to perform AssumeRole on role arn:aws:iam::123456789012:role/p", {
      code: "InvalidStructureException",
    });
    await expect(whileRolesPropagate(async () => Promise.reject(denied), { clock, out: new MemoryOutput() })).rejects.toBe(denied);
    expect(clock.now() - started).toBe(2 * 60_000);
  });
});

describe("pollUntil", () => {
  it("times out naming what it waited for and the last status", async () => {
    const clock = new FakeClock();
    await expect(
      pollUntil(async () => ({ done: false, status: "2/3 healthy" }), { clock, intervalMs: 1_000, timeoutMs: 5_000, what: "targets" }),
    ).rejects.toThrow(/Timed out after 5 s waiting for targets \(last seen: 2\/3 healthy\)/);
  });

  it("stops with InterruptedError when the signal aborts", async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    clock.onSleep = () => controller.abort();
    await expect(
      pollUntil(async () => ({ done: false }), { clock, signal: controller.signal, intervalMs: 1_000, timeoutMs: 60_000, what: "x" }),
    ).rejects.toThrow(InterruptedError);
  });

  it("shows the elapsed time of a wait on a terminal, redrawn on every poll", async () => {
    const clock = new FakeClock();
    const out = new InteractiveMemoryOutput();
    let checks = 0;
    await pollUntil(async () => (++checks === 4 ? { done: true, value: 1 } : { done: false, status: "PENDING" }), {
      clock,
      intervalMs: 5_000,
      timeoutMs: 60_000,
      what: "image r:v1",
      out,
    });
    expect(out.lines.filter((l) => l.startsWith("live:"))).toEqual([
      // Checks at 0, 250 and 625 ms: the first waits are short (see "pollUntil's waits" below).
      "live: Waiting for image r:v1: 0:00 of up to 1 min (PENDING)",
      "live: Waiting for image r:v1: 0:00 of up to 1 min (PENDING)",
      "live: Waiting for image r:v1: 0:01 of up to 1 min (PENDING)",
    ]);
  });

  it("in logs prints a wait line when its status changes and once a minute, not on every poll", async () => {
    const clock = new FakeClock();
    const out = new MemoryOutput();
    let checks = 0;
    await pollUntil(
      async () => {
        checks++;
        if (checks > 40) return { done: true, value: undefined };
        return { done: false, status: checks < 3 ? "InProgress" : "Building" };
      },
      { clock, intervalMs: 5_000, timeoutMs: 30 * 60_000, what: "pipeline p", out },
    );
    expect(out.lines).toEqual([
      // 40 checks, the first ones quick, then every 5 s: about 3 minutes in all.
      "info: Waiting for pipeline p: 0:00 of up to 30 min (InProgress)",
      "info: Waiting for pipeline p: 0:01 of up to 30 min (Building)",
      "info: Waiting for pipeline p: 1:02 of up to 30 min (Building)",
      "info: Waiting for pipeline p: 2:02 of up to 30 min (Building)",
    ]);
  });
});

describe("pollUntil's waits", () => {
  it("start short and grow to the interval, so a condition met a moment later is seen a moment later", async () => {
    const clock = new FakeClock();
    let checks = 0;
    await pollUntil(async () => (++checks === 8 ? { done: true, value: undefined } : { done: false }), {
      clock,
      intervalMs: 1_000,
      timeoutMs: 60_000,
      what: "image",
    });
    expect(clock.sleeps).toEqual([250, 375, 563, 845, 1_000, 1_000, 1_000]);
  });
});

describe("PollBackoff", () => {
  it("starts at 250 ms, grows by half each time up to 3 s, and stays at 10 s once throttled", () => {
    const delays = new PollBackoff(STACK_POLL);
    const first = Array.from({ length: 9 }, () => delays.next());
    expect(first).toEqual([250, 375, 563, 845, 1268, 1902, 2853, 3000, 3000]);
    // Within a second a settled stack has been read three times (0, 250, 625 ms).
    expect(first[0]! + first[1]!).toBeLessThan(1000);
    delays.throttled();
    expect([delays.next(), delays.next()]).toEqual([10_000, 10_000]);
  });

  it("keeps a fixed interval when one is given", () => {
    const delays = new PollBackoff(STACK_POLL, 1000);
    expect([delays.next(), delays.next(), delays.next()]).toEqual([1000, 1000, 1000]);
  });
});
