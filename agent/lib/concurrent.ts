/**
 * Runs `fn` over `items` with at most `limit` calls pending at a time; results in the items' order.
 *
 * For the readers that make one thread-pool request after another (the checkpoint verification, the
 * layout walk): a request that waits alone costs the process a sleep and a wake-up of its own (about
 * four context switches), while requests in flight together share them (docs/benchmarks.md, start-up,
 * 2026-12-06 08:20). The limit keeps a folder of 20,000 entries from queueing 20,000 requests at once.
 */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
