// The embedded store's own thread: it owns the store's files (WAL, head,
// blocks, cuts, retention) and answers the calls `openEmbeddedStoreInWorker`
// sends it, so no cut or block read ever holds up the thread that owns the
// sockets.
import { parentPort, workerData } from 'node:worker_threads';
import { QueryDeadline, withQueryDeadline } from '../../query/query-deadline.js';
import { type EmbeddedStore, type EmbeddedStoreOptions, openEmbeddedStore } from '../embedded/embedded-store.js';
import type { SpanBatch } from '../span-store.js';
import { type StoreAnswer, type StoreCall, type StoreNotice, sendError } from './store-messages.js';

const port = parentPort;
if (port === null) throw new Error('store-worker.ts runs as a worker thread');
const notify = (notice: StoreNotice) => port.postMessage(notice);

const options = (workerData as { options: EmbeddedStoreOptions }).options;
let store: EmbeddedStore;
try {
  store = await openEmbeddedStore({
    ...options,
    onError: (error) => notify({ type: 'background-error', error: sendError(error) }),
  });
} catch (error) {
  notify({ type: 'open-failed', error: sendError(error) });
  port.close();
  throw error;
}

const call = (method: string, args: readonly unknown[]): Promise<unknown> => {
  if (method === 'writeSpanBatch') return store.writeSpanBatch(args[0] as SpanBatch);
  const fn = (store as unknown as Record<string, unknown>)[method];
  if (typeof fn !== 'function') return Promise.reject(new Error(`the embedded store has no method ${method}`));
  return (fn as (...a: readonly unknown[]) => Promise<unknown>).apply(store, [...args]);
};

/**
 * Answers whose typed arrays are the answer's alone (nothing here keeps
 * them): their memory is handed over, not copied. A packed outline of
 * 1,000,000 spans is about 50 MB.
 */
const TRANSFERRED_ANSWERS = new Set(['getPackedTraceOutline']);

function transferListOf(method: string, value: unknown): ArrayBuffer[] {
  if (!TRANSFERRED_ANSWERS.has(method) || typeof value !== 'object' || value === null) return [];
  const buffers = new Set<ArrayBuffer>();
  for (const field of Object.values(value)) {
    if (ArrayBuffer.isView(field) && field.buffer instanceof ArrayBuffer) buffers.add(field.buffer);
  }
  return [...buffers];
}

const answer = (message: StoreCall) => {
  const deadline =
    message.deadline === undefined
      ? undefined
      : new QueryDeadline(message.deadline.atMs, message.deadline.timeoutMs, message.deadline.cancelled);
  withQueryDeadline(deadline, () => call(message.method, message.args)).then(
    (value) =>
      port.postMessage(
        { type: 'answer', id: message.id, ok: true, value } satisfies StoreAnswer,
        transferListOf(message.method, value),
      ),
    (error: unknown) =>
      port.postMessage({ type: 'answer', id: message.id, ok: false, error: sendError(error) } satisfies StoreAnswer),
  );
};

// Reads go first: a search that arrives behind a queue of batches starts at
// once, and the batches are taken one per turn of the event loop, in order,
// so a read never waits for more than one batch's work.
const writes: StoreCall[] = [];
let draining = false;
const drainOne = () => {
  const next = writes.shift();
  if (next !== undefined) answer(next);
  if (writes.length > 0) setImmediate(drainOne);
  else draining = false;
};
port.on('message', (message: StoreCall) => {
  // Closing waits its turn behind the batches that came before it.
  if (message.method !== 'writeSpanBatch' && message.method !== 'close') {
    answer(message);
    return;
  }
  writes.push(message);
  if (!draining) {
    draining = true;
    setImmediate(drainOne);
  }
});
notify({ type: 'opened' });
