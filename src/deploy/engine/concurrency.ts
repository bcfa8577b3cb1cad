/**
 * Independent reads run side by side, a bounded number at a time: enough to
 * hide AWS's round trips, few enough not to be throttled.
 */

/** Reads in flight at once, by default. */
export const CONCURRENT_READS = 10;

/** Maps the items with at most `limit` calls of `fn` in flight; results keep the items' order. */
export async function mapConcurrently<T, R>(items: readonly T[], fn: (item: T) => Promise<R>, limit: number = CONCURRENT_READS): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
