/**
 * Independent reads run side by side, a bounded number at a time: enough to
 * hide AWS's round trips, few enough not to be throttled; and what AWS
 * answers for many items in one call is asked in batches of its maximum.
 */

/** Reads in flight at once, by default. */
export const CONCURRENT_READS = 10;

/** Runs a task once fewer than the bound are in flight, in the order the tasks were given. */
export type ConcurrencyLimit = <R>(task: () => Promise<R>) => Promise<R>;

/** One bound shared by tasks that arrive over time (e.g. page by page): at most `limit` in flight. */
export function concurrencyLimit(limit: number = CONCURRENT_READS): ConcurrencyLimit {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** Maps the items with at most `limit` calls of `fn` in flight; results keep the items' order. */
export async function mapConcurrently<T, R>(items: readonly T[], fn: (item: T) => Promise<R>, limit: number = CONCURRENT_READS): Promise<R[]> {
  const limited = concurrencyLimit(limit);
  return Promise.all(items.map((item) => limited(() => fn(item))));
}

/** The items in batches of at most `size`, in order: one call each where AWS takes many items at once. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}
