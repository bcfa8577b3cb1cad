import { describe, expect, it } from "vitest";
import { StackProgress } from "../../../src/deploy/engine/stack-progress.js";
import { FakeClock } from "../../fakes/clock.js";
import { InteractiveMemoryOutput, MemoryOutput } from "../../fakes/output.js";

describe("StackProgress", () => {
  it("in logs, says once a minute that a quiet stack operation still runs, with its elapsed time", async () => {
    const clock = new FakeClock();
    const out = new MemoryOutput();
    const progress = new StackProgress(out, clock, "ep-a-prod");
    for (let i = 0; i < 30; i++) {
      progress.update([], "UPDATE_IN_PROGRESS");
      await clock.sleep(5_000);
    }
    progress.update([], "UPDATE_COMPLETE");
    expect(out.lines).toEqual(["live: ep-a-prod  UPDATE_IN_PROGRESS  1:00 so far", "live: ep-a-prod  UPDATE_IN_PROGRESS  2:00 so far"]);
  });

  it("on a terminal, the table's first line carries the elapsed time", async () => {
    const clock = new FakeClock();
    const out = new InteractiveMemoryOutput();
    const progress = new StackProgress(out, clock, "ep-a-prod");
    await clock.sleep(75_000);
    progress.update([], "UPDATE_IN_PROGRESS");
    expect(out.lines.at(-1)).toBe("live: ep-a-prod  UPDATE_IN_PROGRESS  1:15");
  });
});
