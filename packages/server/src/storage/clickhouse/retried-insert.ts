import { isAriadneError } from '@ariadne/protocol';
import { ClickHouseError } from './clickhouse-http.js';

/**
 * UNKNOWN_STATUS_OF_INSERT: ZooKeeper went away while a replica committed
 * the insert's part. The replica keeps the part on its disk either way; if
 * ZooKeeper never recorded it, no other replica will fetch it, and the
 * replica's part check detaches it minutes later as a part ZooKeeper does
 * not know. Only the same insert sent again settles it: ClickHouse then
 * drops the copy if ZooKeeper recorded the block, and writes it anew if not.
 */
const UNKNOWN_STATUS_OF_INSERT = 319;

/**
 * How long an insert whose status is unknown is sent again (ZooKeeper is
 * usually back within this). Past it the caller hears the failure, and the
 * spool replays the spans after checking what the replicas hold, which
 * cannot tell an unrecorded part from a recorded one.
 */
const UNKNOWN_STATUS_PATIENCE_MS = 10 * 60_000;

/**
 * Sends one insert body again after a failure, the identical bytes each time.
 * On replicated tables that makes a retry harmless: ClickHouse splits the same
 * body into the same blocks for the same shards, and a replica that already
 * holds a block (its hash is in ZooKeeper, `insert_deduplicate`) drops the
 * copy. So a replica dying mid-insert costs a retry that lands on another
 * replica of its shard, never a lost or doubled batch.
 *
 * `attempts` bounds the retries, except after an attempt whose status
 * ClickHouse calls unknown (319): that insert is sent until it succeeds or
 * `unknownStatusPatienceMs` passed, because nothing else can settle it.
 *
 * `Overloaded` ("too many parts") is not retried here: the pipeline slows
 * writers down for it. After the last attempt the error goes to the caller,
 * which has not acknowledged the spans.
 */
export async function sendWithRetries(
  send: () => Promise<void>,
  options: {
    attempts?: number;
    firstDelayMs?: number;
    maxDelayMs?: number;
    unknownStatusPatienceMs?: number;
    /** True once the store closes: the failure goes to the caller instead of another attempt. */
    abandoned?: () => boolean;
  } = {},
): Promise<void> {
  const attempts = options.attempts ?? 6;
  let delay = options.firstDelayMs ?? 250;
  let unknownSince: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return;
    } catch (error) {
      if (!isAriadneError(error) || error.kind !== 'StorageFailure') throw error;
      if (error instanceof ClickHouseError && error.code === UNKNOWN_STATUS_OF_INSERT) unknownSince ??= Date.now();
      const patient =
        unknownSince !== undefined &&
        Date.now() - unknownSince < (options.unknownStatusPatienceMs ?? UNKNOWN_STATUS_PATIENCE_MS);
      if ((attempt >= attempts && !patient) || options.abandoned?.()) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, options.maxDelayMs ?? 4_000);
  }
}
