import { describe, expect, it } from "vitest";
import { PhaseTimes } from "../../src/deploy/phases.js";
import { FakeClock } from "../fakes/clock.js";

describe("time per phase", () => {
  it("adds each phase's time, failed ones included, and names the rest as other", async () => {
    const clock = new FakeClock();
    const phases = new PhaseTimes(clock);
    await phases.time("certificate", async () => clock.advance(2_000));
    await phases.time("stacks", async () => clock.advance(63_000));
    await expect(
      phases.time("rollout", async () => {
        clock.advance(240_000);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    await phases.time("stacks", async () => clock.advance(1_000));
    clock.advance(5_000);
    expect(phases.seconds()).toEqual({ certificate: 2, stacks: 64, rollout: 240 });
    expect(phases.summary()).toBe("Time: certificate 2 s, stacks 1 min 4 s, rollout 4 min, other 5 s (total 5 min 11 s)");
  });
});
