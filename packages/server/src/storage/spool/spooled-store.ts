import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AriadneError, type Span } from '@ariadne/protocol';
import { decodeSpanBatch, encodeSpanBatch } from '../../pipeline/span-batch.js';
import { type DataDirLock, lockDataDir } from '../embedded/data-dir-lock.js';
import { frameRecord } from '../embedded/write-ahead-log.js';
import type { SpanBatch, SpanBatchWriter, SpanStore } from '../span-store.js';
import { hasStoredSpanFilter } from '../stored-span-filter.js';
import type { SpoolGroup } from './spool-group.js';
import { type SpoolEntry, SpoolLog, type SpoolRecovery } from './spool-log.js';
import { isStoreUnavailable, surelyNotStored } from './store-unavailable.js';

export interface SpooledStoreOptions {
  /** The spool's folder (created when missing); one per store. */
  readonly dir: string;
  /** The byte budget and metrics this spool shares with the server's others. */
  readonly group: SpoolGroup;
  /**
   * A write the store has not acknowledged within this time is spooled and
   * acknowledged from the spool, while the store's write goes on (a store
   * that hangs rather than refuses). Default 5 s, under the pipeline's 10 s
   * answer bound for ClickHouse.
   */
  readonly spoolAfterMs?: number;
  /** Most spans one replay insert carries. Default 50,000. */
  readonly replaySpans?: number;
  /** Replay's wait after a failure doubles from this... Default 200 ms. */
  readonly retryMinMs?: number;
  /** ...up to this. Default 5 s: how late replay may notice that the store is back. */
  readonly retryMaxMs?: number;
  /** Where notable events go (spooling started, replay done, a batch quarantined). */
  readonly log?: (line: string) => void;
}

/** What a spooled store tells about its spool. */
export interface SpoolStatus {
  /** `direct` while writes go to the store; `spooling` while they go to the spool, behind what waits there. */
  readonly mode: 'direct' | 'spooling';
  /** Batches acknowledged from the spool and not yet in the store. */
  readonly batches: number;
  readonly bytes: number;
}

export interface Spooled {
  readonly spool: SpoolStatus;
  /** Resolves once the spool is empty (tests, and shutdown by an operator who wants it drained). */
  drained(): Promise<void>;
}

/**
 * Wraps a store's write path with a local spool, so that acknowledged spans
 * survive the store being away. Every other method (reads, capabilities)
 * goes to the store unchanged.
 *
 * - **Direct.** Writes go to the store. One that fails because the store is
 *   away, read-only or overloaded (`isStoreUnavailable`), or that takes
 *   longer than `spoolAfterMs`, is appended to the spool instead, fsynced,
 *   and acknowledged; the store is then considered away.
 * - **Spooling.** While the spool holds anything, every write is appended
 *   behind it (fsynced before it is acknowledged), and a replayer sends the
 *   oldest batches to the store, in order, one insert at a time, backing
 *   off while the store refuses. When the spool is empty, writes go direct
 *   again; once a replay insert has succeeded, a new write waits (up to
 *   `spoolAfterMs`) for that rather than joining the spool, which steady
 *   ingest would otherwise never let empty. A write that does not fit the
 *   byte budget is refused at once (`StorageFailure` with Retry-After: 503,
 *   gRPC UNAVAILABLE).
 * - **Exactly once in effect.** A batch whose earlier write may have reached
 *   the store (marked in its record, or in the cursor before each replay
 *   insert so that a crash cannot hide it) is replayed only for the spans
 *   the store lacks (`StoredSpanFilter`); every other batch is known never
 *   to have reached it. What is left is written README.md beside this file.
 * - **Restarts.** The spool is read back at open (a torn tail dropped: it was
 *   never acknowledged) and replay starts at once.
 */
export async function openSpooledStore<S extends SpanStore>(
  store: S,
  options: SpooledStoreOptions,
): Promise<{ store: S & SpanBatchWriter & Spooled; recovery: SpoolRecovery }> {
  await mkdir(options.dir, { recursive: true });
  // Two processes replaying one spool would write its batches twice.
  const lock = await lockDataDir(options.dir);
  let opened: Awaited<ReturnType<typeof SpoolLog.open>>;
  try {
    opened = await SpoolLog.open(options.dir, { account: options.group });
  } catch (error) {
    await lock.release();
    throw error;
  }
  const { log: spool, recovery } = opened;
  const spooled = new SpoolWriter(store, spool, options, lock);
  const overrides: Record<PropertyKey, unknown> = {
    writeSpans: (spans: readonly Span[]) =>
      spooled.write(
        spans.length,
        () => spans,
        () => encodeSpanBatch(spans).bytes,
      ),
    writeSpanBatch: (batch: SpanBatch) =>
      spooled.write(
        batch.spanCount,
        () => decodeSpanBatch(batch.bytes),
        () => batch.bytes,
      ),
    close: () => spooled.close(),
    drained: () => spooled.drained(),
  };
  Object.defineProperty(overrides, 'spool', { get: () => spooled.status, enumerable: true });
  // A proxy rather than a copy: the store's capabilities (dependencies, RED
  // metrics, retention, whatever it gains) stay reachable without this file
  // listing them.
  const wrapped = new Proxy(store, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property];
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    has: (target, property) => Object.hasOwn(overrides, property) || Reflect.has(target, property),
  }) as S & SpanBatchWriter & Spooled;
  if (recovery.entries > 0) {
    options.log?.(`spool: ${recovery.entries} batches from before the restart to replay (${options.dir})`);
  }
  if (recovery.discardedBytes > 0) {
    options.log?.(
      `spool: dropped a torn tail of ${recovery.discardedBytes} bytes (never acknowledged) in ${options.dir}`,
    );
  }
  return { store: wrapped, recovery };
}

class SpoolWriter {
  readonly #store: SpanStore;
  readonly #spool: SpoolLog;
  readonly #group: SpoolGroup;
  readonly #options: SpooledStoreOptions;
  readonly #leave: () => void;
  readonly #lock: DataDirLock;
  /** Writes to the store that were spooled before they settled: replay of their entry waits for them. */
  readonly #unsettled = new Map<SpoolEntry, Promise<unknown>>();
  #closed = false;
  /** Ends the replayer's sleep: an idle one on any append, a backoff only on close. */
  #wake: ((onAppend: boolean) => void) | undefined;
  /** An append became durable while the replayer was busy: it looks again before sleeping. */
  #appended = false;
  #drainedWaiters: (() => void)[] = [];
  /** The last replay insert succeeded: the store is back, and the spool is emptying. */
  #replayGetsThrough = false;
  readonly #replaying: Promise<void>;

  constructor(store: SpanStore, spool: SpoolLog, options: SpooledStoreOptions, lock: DataDirLock) {
    this.#store = store;
    this.#lock = lock;
    this.#spool = spool;
    this.#group = options.group;
    this.#options = options;
    this.#leave = options.group.join(spool);
    this.#replaying = this.#replayLoop();
  }

  get status(): SpoolStatus {
    return {
      mode: this.#spool.size > 0 ? 'spooling' : 'direct',
      batches: this.#spool.size,
      bytes: this.#spool.diskBytes,
    };
  }

  async write(count: number, spans: () => readonly Span[], bytes: () => Uint8Array): Promise<void> {
    if (this.#closed) throw new AriadneError('StorageFailure', 'the store is closed');
    if (count === 0) return;
    // Behind whatever waits in the spool: order, and no overtaking of replay.
    // Once replay is getting through, a write waits (as long as it would
    // wait on a slow store) for the spool to empty rather than join it:
    // under steady ingest the spool would otherwise never be empty at the
    // instant replay looks, and stay in use long after the store came back.
    if (this.#spool.size > 0 && this.#replayGetsThrough) await this.#drainedWithin(this.#spoolAfterMs);
    if (this.#spool.size > 0) return this.#append(count, bytes(), false);
    const written = this.#store.writeSpans(spans());
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((resolve) => {
      timer = setTimeout(() => resolve('slow'), this.#spoolAfterMs);
    });
    let outcome: 'written' | 'slow';
    try {
      outcome = await Promise.race([written.then(() => 'written' as const), slow]);
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      this.#options.log?.(`spool: the store failed a write, spooling: ${describe(error)}`);
      return this.#append(count, bytes(), !surelyNotStored(error));
    } finally {
      clearTimeout(timer);
    }
    if (outcome === 'written') return;
    this.#options.log?.('spool: the store is slow to acknowledge, spooling');
    written.catch(() => {}); // Its outcome is read by replay, through the store.
    return this.#append(count, bytes(), true, written);
  }

  async #append(count: number, batch: Uint8Array, maybeStored: boolean, unsettled?: Promise<unknown>): Promise<void> {
    const size = SpoolLog.recordBytes(batch.byteLength);
    if (!this.#group.fits(size)) {
      this.#group.countRefused(count);
      throw new AriadneError(
        'StorageFailure',
        `the store is unavailable and the spool is full (${this.#group.bytes} of ${this.#group.maxBytes} bytes); retry later`,
        { retryAfterSeconds: 5 },
      );
    }
    const entry = await this.#spool.append({ maybeStored, spanCount: count, appendedAtMs: Date.now(), batch });
    if (unsettled !== undefined) this.#unsettled.set(entry, unsettled);
    this.#group.countSpooled(count);
    this.#appended = true;
    this.#wake?.(true);
  }

  drained(): Promise<void> {
    if (this.#spool.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainedWaiters.push(resolve));
  }

  get #spoolAfterMs(): number {
    return this.#options.spoolAfterMs ?? 5_000;
  }

  /** Resolves once the spool is empty, or after `ms`, whichever comes first. */
  #drainedWithin(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const at = this.#drainedWaiters.indexOf(waiter);
        if (at >= 0) this.#drainedWaiters.splice(at, 1);
        resolve();
      }, ms);
      this.#drainedWaiters.push(waiter);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.(false);
    await this.#replaying;
    await this.#spool.close();
    this.#leave();
    await this.#lock.release();
    await this.#store.close();
  }

  async #replayLoop(): Promise<void> {
    const minMs = this.#options.retryMinMs ?? 200;
    const maxMs = this.#options.retryMaxMs ?? 5_000;
    let delay = minMs;
    let replayedSinceEmpty = 0;
    while (!this.#closed) {
      this.#appended = false;
      let group: Awaited<ReturnType<SpoolLog['oldest']>>;
      try {
        group = await this.#spool.oldest(this.#options.replaySpans ?? 50_000);
      } catch (error) {
        this.#options.log?.(`spool: cannot read the spool: ${describe(error)}`);
        await this.#sleep(maxMs, false);
        continue;
      }
      if (group.length === 0) {
        if (this.#spool.size === 0) {
          if (replayedSinceEmpty > 0)
            this.#options.log?.(`spool: replayed ${replayedSinceEmpty} spans; writing direct`);
          replayedSinceEmpty = 0;
          // The next time the store fails, the spool fills again until replay shows it is back.
          this.#replayGetsThrough = false;
          for (const resolve of this.#drainedWaiters.splice(0)) resolve();
        }
        await this.#sleep(Number.POSITIVE_INFINITY, true);
        continue;
      }
      const entries = group.map(({ entry }) => entry);
      try {
        await Promise.allSettled(entries.map((entry) => this.#unsettled.get(entry)));
        let spans = group.flatMap(({ record }) => decodeSpanBatch(record.batch));
        const spanCount = spans.length;
        if (entries.some((entry) => entry.maybeStored) && hasStoredSpanFilter(this.#store)) {
          spans = await this.#store.unstoredSpans(spans);
        }
        await this.#spool.markAttempted(entries);
        try {
          await this.#store.writeSpans(spans);
        } catch (error) {
          if (!surelyNotStored(error)) for (const entry of entries) entry.maybeStored = true;
          if (isStoreUnavailable(error)) throw error;
          await this.#quarantine(
            group.map(({ record }) => record.batch),
            entries,
            error,
          );
        }
        for (const entry of entries) this.#unsettled.delete(entry);
        await this.#spool.markReplayed(entries);
        this.#group.countReplayed(spanCount, entries.length);
        replayedSinceEmpty += spanCount;
        this.#replayGetsThrough = true;
        delay = minMs;
      } catch (error) {
        this.#replayGetsThrough = false;
        if (delay === minMs) this.#options.log?.(`spool: replay waits for the store: ${describe(error)}`);
        await this.#sleep(delay, false);
        delay = Math.min(maxMs, delay * 2);
      }
    }
  }

  /**
   * A batch the store refuses for its own content would block replay
   * forever: it goes to a file beside the spool, for a person to look at,
   * and replay moves on. (Only a bug or a schema changed under the server
   * makes one; it is logged loudly.)
   */
  async #quarantine(batches: Uint8Array[], entries: readonly SpoolEntry[], error: unknown): Promise<void> {
    const first = entries[0]!.position;
    const file = join(this.#options.dir, `rejected-${first.segment}-${first.record}.spool`);
    await writeFile(file, Buffer.concat(batches.map((batch) => frameRecord(batch))));
    this.#options.log?.(
      `spool: the store refused ${entries.length} spooled batches for their content; kept in ${file}: ${describe(error)}`,
    );
  }

  #sleep(ms: number, wakeOnAppend: boolean): Promise<void> {
    if (this.#closed || (wakeOnAppend && this.#appended)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      this.#wake = (onAppend) => {
        if (!onAppend || wakeOnAppend) done();
      };
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
