import { describe, expect, it } from "vitest";
import { choosePriority, maxPriority, preferredPriority } from "../../../src/deploy/steps/priority.js";

describe("listener rule priorities", () => {
  it("prefers a stable slot per endpoint, never the base's default 1", () => {
    for (const id of ["ep-b-prod", "ep-c-prod", "x-dev"]) {
      const p = preferredPriority(id);
      expect(p).toBe(preferredPriority(id));
      expect(p).toBeGreaterThanOrEqual(2);
      expect(p).toBeLessThanOrEqual(maxPriority);
    }
  });

  it("spreads different endpoints over different slots", () => {
    const ids = Array.from({ length: 50 }, (_, i) => `ep-${i}-prod`);
    expect(new Set(ids.map(preferredPriority)).size).toBe(50);
  });

  it("skips used and already-tried priorities", () => {
    const id = "ep-b-prod";
    const p = preferredPriority(id);
    expect(choosePriority(id, new Set())).toBe(p);
    const next = choosePriority(id, new Set([p]));
    expect(next).not.toBe(p);
    expect(choosePriority(id, new Set([p]), new Set([next!]))).not.toBe(next);
  });

  it("wraps around and reports a full listener", () => {
    const all = new Set(Array.from({ length: maxPriority }, (_, i) => i + 1));
    expect(choosePriority("ep-b-prod", all)).toBeUndefined();
    all.delete(1);
    expect(choosePriority("ep-b-prod", all)).toBe(1);
  });
});
