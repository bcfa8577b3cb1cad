/**
 * Listener rule priorities on the shared HTTPS listener. Each endpoint prefers
 * a slot derived from its own name, so endpoints added at the same time
 * almost never reach for the same number; when they do, the stack fails with
 * PriorityInUse and the caller retries with the next free slot.
 */
import type { ElbApi, ListenerRule } from "../../aws/interfaces.js";
import { readOnce, type RunReads } from "../engine/reads.js";

/** Highest priority ALB accepts. */
export const maxPriority = 50_000;

/** The run's key for a listener's rules. */
export function rulesReadKey(listenerArn: string): string {
  return `elb:rules:${listenerArn}`;
}

/** A listener's rules (all pages), read once per run with `reads`: placement and the priority step ask the same question. */
export function listenerRules(elb: ElbApi, listenerArn: string, reads?: RunReads): Promise<ListenerRule[]> {
  return readOnce(reads, rulesReadKey(listenerArn), async () => {
    const rules: ListenerRule[] = [];
    let marker: string | undefined;
    do {
      const page = await elb.describeRules({ ListenerArn: listenerArn, Marker: marker });
      rules.push(...(page.Rules ?? []));
      marker = page.NextMarker;
    } while (marker);
    return rules;
  });
}

/** The priorities already taken on a listener. */
export async function usedPriorities(elb: ElbApi, listenerArn: string, reads?: RunReads): Promise<Set<number>> {
  const used = new Set<number>();
  for (const rule of await listenerRules(elb, listenerArn, reads)) {
    const n = Number(rule.Priority);
    if (Number.isInteger(n) && n > 0) used.add(n);
  }
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
