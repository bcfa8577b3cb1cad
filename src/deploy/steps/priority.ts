/**
 * Listener rule priorities on the shared HTTPS listener. Each endpoint prefers
 * a slot derived from its own name, so endpoints added at the same time
 * almost never reach for the same number; when they do, the stack fails with
 * PriorityInUse and the caller retries with the next free slot.
 */
import type { ElbApi } from "../../aws/interfaces.js";

/** Highest priority ALB accepts. */
export const maxPriority = 50_000;

/** The priorities already taken on a listener. */
export async function usedPriorities(elb: ElbApi, listenerArn: string): Promise<Set<number>> {
  const used = new Set<number>();
  let marker: string | undefined;
  do {
    const page = await elb.describeRules({ ListenerArn: listenerArn, Marker: marker });
    for (const rule of page.Rules ?? []) {
      const n = Number(rule.Priority);
      if (Number.isInteger(n) && n > 0) used.add(n);
    }
    marker = page.NextMarker;
  } while (marker);
  return used;
}

/** A stable slot for an endpoint id in 2..maxPriority (1 is the base endpoint's default). */
export function preferredPriority(id: string): number {
  let hash = 2166136261;
  for (const char of id) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return 2 + (hash % (maxPriority - 1));
}

/** The first free priority at or after the endpoint's preferred slot, wrapping around. */
export function choosePriority(id: string, used: Set<number>, skip: Set<number> = new Set()): number | undefined {
  const start = preferredPriority(id);
  for (let offset = 0; offset < maxPriority; offset++) {
    const candidate = ((start - 1 + offset) % maxPriority) + 1;
    if (!used.has(candidate) && !skip.has(candidate)) return candidate;
  }
  return undefined;
}
