/** The bound on reads in flight, shared by reads that arrive over time, and batches of what AWS takes many at once. */
import { describe, expect, it } from "vitest";
import { chunks, concurrencyLimit, mapConcurrently } from "../../../src/deploy/engine/concurrency.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

describe("concurrencyLimit", () => {
  it("keeps at most the bound in flight, also for tasks given while others run, and starts them in order", async () => {
    const limited = concurrencyLimit(3);
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const task = (n: number) => async () => {
      started.push(n);
      most = Math.max(most, ++inFlight);
      await tick();
      inFlight--;
      return n * 10;
    };
    const first = [1, 2, 3, 4, 5].map((n) => limited(task(n)));
    await tick();
    // A later page's tasks share the bound with the first page's.
    const later = [6, 7, 8].map((n) => limited(task(n)));
    expect(await Promise.all([...first, ...later])).toEqual([10, 20, 30, 40, 50, 60, 70, 80]);
    expect(most).toBe(3);
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("frees the place of a task that fails", async () => {
    const limited = concurrencyLimit(1);
    await expect(limited(async () => Promise.reject(new Error("denied")))).rejects.toThrow("denied");
    expect(await limited(async () => "next")).toBe("next");
  });
});

describe("mapConcurrently", () => {
  it("keeps the items' order with the bound", async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapConcurrently(
      [5, 1, 4, 2, 3],
      async (n) => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, n));
        inFlight--;
        return n;
      },
      2,
    );
    expect(results).toEqual([5, 1, 4, 2, 3]);
    expect(most).toBe(2);
  });
});

describe("chunks", () => {
  it("cuts the items into batches of the size, the last one shorter", () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 10)).toEqual([]);
  });
});
