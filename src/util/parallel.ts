import { availableParallelism } from 'node:os';

/** How many independent VM boots to run at once: each TCG guest is one busy thread, so one per core, at most two. */
export function bootJobs(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

/** `fn` over `items`, at most `limit` at a time; results in the items' order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
