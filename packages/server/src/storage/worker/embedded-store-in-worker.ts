import { resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { AriadneError } from '@ariadne/protocol';
import { encodeSpanBatch } from '../../pipeline/span-batch.js';
import { currentQueryDeadline } from '../../query/query-deadline.js';
import { startWorker } from '../../threads/start-worker.js';
import { transferable } from '../../threads/transferable.js';
import type { EmbeddedStore, EmbeddedStoreOptions } from '../embedded/embedded-store.js';
import type { SpanBatch, SpanBatchWriter } from '../span-store.js';
import { receivedError, type StoreAnswer, type StoreCall, type StoreNotice } from './store-messages.js';

/** What crosses to the store's thread: functions cannot (`now` is for tests that open the store directly). */
export type WorkerStoreOptions = Omit<EmbeddedStoreOptions, 'now' | 'onError' | 'onRetention'> & {
  readonly onError?: (error: unknown) => void;
};

/** Data folders open in a store thread of this process (each thread has its own lock bookkeeping). */
const openHere = new Set<string>();

/**
 * Opens the embedded store on a thread of its own and answers for it here:
 * every method is a message to that thread, span batches cross as
 * transferred bytes, and answers come back by structured clone. Cuts, block
 * reads and retention then never hold up this thread. Resolves once the
 * store is open (its WAL replayed); rejects as `openEmbeddedStore` would.
 */
export async function openEmbeddedStoreInWorker(options: WorkerStoreOptions): Promise<EmbeddedStore & SpanBatchWriter> {
  const dir = resolve(options.dataDir);
  if (openHere.has(dir)) {
    throw new AriadneError('StorageFailure', `the data folder ${dir} is already open in this process`);
  }
  openHere.add(dir);
  const { onError, ...cloneable } = options;
  let worker: Worker;
  try {
    worker = startWorker(new URL('./store-worker.js', import.meta.url), { workerData: { options: cloneable } });
  } catch (error) {
    openHere.delete(dir);
    throw error;
  }
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let failure: Error | undefined;
  let closing: Promise<void> | undefined;

  const opened = new Promise<void>((resolveOpen, rejectOpen) => {
    worker.on('message', (message: StoreAnswer | StoreNotice) => {
      switch (message.type) {
        case 'answer': {
          const call = pending.get(message.id);
          if (call === undefined) return;
          pending.delete(message.id);
          if (message.ok) call.resolve(message.value);
          else call.reject(receivedError(message.error));
          return;
        }
        case 'opened':
          resolveOpen();
          return;
        case 'open-failed':
          rejectOpen(receivedError(message.error));
          return;
        case 'background-error':
          onError?.(receivedError(message.error));
      }
    });
    const fail = (error: Error) => {
      failure ??= new AriadneError('StorageFailure', `the embedded store's thread stopped: ${error.message}`, {
        cause: error,
      });
      rejectOpen(failure);
      for (const call of pending.values()) call.reject(failure);
      pending.clear();
      openHere.delete(dir);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  });
  try {
    await opened;
  } catch (error) {
    await worker.terminate();
    openHere.delete(dir);
    throw error;
  }

  const call = <T>(method: string, args: readonly unknown[], transfer: ArrayBuffer[] = []): Promise<T> => {
    if (failure !== undefined) return Promise.reject(failure);
    if (closing !== undefined)
      return Promise.reject(new AriadneError('StorageFailure', 'the embedded store is closed'));
    const id = nextId++;
    const deadline = currentQueryDeadline();
    const message: StoreCall = {
      id,
      method,
      args,
      ...(deadline === undefined
        ? {}
        : { deadline: { atMs: deadline.atMs, timeoutMs: deadline.timeoutMs, cancelled: deadline.cancelled } }),
    };
    return new Promise<T>((resolveCall, rejectCall) => {
      pending.set(id, { resolve: resolveCall as (value: unknown) => void, reject: rejectCall });
      worker.postMessage(message, transfer);
    });
  };

  const writeSpanBatch = (batch: SpanBatch): Promise<void> => {
    if (batch.spanCount === 0) return Promise.resolve();
    const bytes = transferable(batch.bytes);
    const hashes = transferable(batch.hashes);
    return call(
      'writeSpanBatch',
      [{ bytes, hashes, spanCount: batch.spanCount }],
      [bytes.buffer as ArrayBuffer, hashes.buffer as ArrayBuffer],
    );
  };

  return {
    writeSpanBatch,
    writeSpans: (spans) => (spans.length === 0 ? Promise.resolve() : writeSpanBatch(encodeSpanBatch(spans))),
    getTrace: (traceId, timeRange) => call('getTrace', [traceId, timeRange]),
    getTraceOutline: (traceId) => call('getTraceOutline', [traceId]),
    // Its columns come by transfer (`store-worker.ts`), not copied.
    getPackedTraceOutline: (traceId) => call('getPackedTraceOutline', [traceId]),
    getSpansById: (traceId, spanId) => call('getSpansById', [traceId, spanId]),
    getTraceVersion: (traceId) => call('getTraceVersion', [traceId]),
    findSpansInTrace: (traceId, query) => call('findSpansInTrace', [traceId, query]),
    findTraces: (query) => call('findTraces', [query]),
    getServices: () => call('getServices', []),
    getOperations: (query) => call('getOperations', [query]),
    getDependencies: (timeRange) => call('getDependencies', [timeRange]),
    getRedMetrics: (query) => call('getRedMetrics', [query]),
    runRetention: () => call('runRetention', []),
    retentionStats: () => call('retentionStats', []),
    traceRetention: (traceId) => call('traceRetention', [traceId]),
    close: () => {
      closing ??= (async () => {
        if (failure === undefined) {
          const id = nextId++;
          await new Promise<void>((resolveClose, rejectClose) => {
            pending.set(id, { resolve: () => resolveClose(), reject: rejectClose });
            worker.postMessage({ id, method: 'close', args: [] });
          }).finally(() => worker.terminate());
        }
        openHere.delete(dir);
      })();
      return closing;
    },
  };
}
