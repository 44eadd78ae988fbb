/**
 * Runs `load` on each item, at most `ahead` loads running at once, and `use`
 * on each item with what its load gave, in the items' order: reads and
 * decompression (off the thread, in libuv's pool) overlap with the work on
 * the thread, while memory holds the results of no more than `ahead` loads
 * besides the one in use. A
 * failure stops it: no more loads start, and it rejects with the first.
 */
export async function inOrderAhead<T, L>(
  items: readonly T[],
  ahead: number,
  load: (item: T) => Promise<L>,
  use: (item: T, loaded: L) => void | Promise<void>,
): Promise<void> {
  const loads: Promise<L>[] = [];
  const start = (index: number) => {
    const item = items[index];
    if (item === undefined) return;
    const loading = load(item);
    // Awaited in turn below; handled now so a failure is not reported as unhandled before then.
    loading.catch(() => {});
    loads[index] = loading;
  };
  for (let index = 0; index < Math.min(ahead, items.length); index++) start(index);
  for (let index = 0; index < items.length; index++) {
    const loaded = await (loads[index] as Promise<L>);
    // Its result is in hand: the next load may start (and run while this one is used).
    delete loads[index];
    start(index + ahead);
    await use(items[index] as T, loaded);
  }
}
