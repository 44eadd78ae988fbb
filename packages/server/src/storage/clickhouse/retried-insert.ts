import { isAriadneError } from '@ariadne/protocol';

/**
 * Sends one insert body again after a failure, the identical bytes each time.
 * On replicated tables that makes a retry harmless: ClickHouse splits the same
 * body into the same blocks for the same shards, and a replica that already
 * holds a block (its hash is in ZooKeeper, `insert_deduplicate`) drops the
 * copy. So a replica dying mid-insert costs a retry that lands on another
 * replica of its shard, never a lost or doubled batch.
 *
 * `Overloaded` ("too many parts") is not retried here: the pipeline slows
 * writers down for it. After the last attempt the error goes to the caller,
 * which has not acknowledged the spans.
 */
export async function sendWithRetries(
  send: () => Promise<void>,
  options: { attempts?: number; firstDelayMs?: number; maxDelayMs?: number } = {},
): Promise<void> {
  const attempts = options.attempts ?? 6;
  let delay = options.firstDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return;
    } catch (error) {
      if (attempt >= attempts || !isAriadneError(error) || error.kind !== 'StorageFailure') throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, options.maxDelayMs ?? 4_000);
  }
}
