import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads/start-worker.js';
import { transferable } from '../threads/transferable.js';
import { type DecodedBatch, type DecodeRequest, decodeBatch, type RefusedBatch } from './decode-batch.js';

/** Decodes request bodies into span batches off the thread that owns the sockets. */
export interface DecodePool {
  /** The body's bytes are handed over (transferred when they own their buffer): do not use them afterwards. */
  decode(request: DecodeRequest): Promise<DecodedBatch | RefusedBatch>;
  /** Resolves once the pool can decode at full speed (its workers have loaded their code). */
  ready(): Promise<void>;
}

interface Pending {
  readonly resolve: (result: DecodedBatch | RefusedBatch) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  readonly pending: Map<number, Pending>;
  /** Resolves when the slot's first worker said it has loaded. */
  loaded: Promise<void>;
  markLoaded: () => void;
}

/**
 * Worker threads, one per core, that run `decodeBatch`. A job goes to the
 * worker with the fewest jobs waiting. Workers are unreferenced, so an idle
 * pool never keeps the process alive; one that dies fails its jobs (as
 * internal errors) and is replaced.
 */
export class WorkerDecodePool implements DecodePool {
  readonly #slots: Slot[] = [];
  #nextId = 1;
  #closed = false;

  constructor(readonly size: number = Math.max(1, availableParallelism())) {
    for (let i = 0; i < size; i++) {
      let markLoaded = () => {};
      const loaded = new Promise<void>((resolve) => {
        markLoaded = resolve;
      });
      const slot: Slot = { worker: undefined as unknown as Worker, pending: new Map(), loaded, markLoaded };
      this.#start(slot);
      this.#slots.push(slot);
    }
  }

  decode(request: DecodeRequest): Promise<DecodedBatch | RefusedBatch> {
    let slot = this.#slots[0]!;
    for (const candidate of this.#slots) if (candidate.pending.size < slot.pending.size) slot = candidate;
    const id = this.#nextId++;
    const body = transferable(request.body);
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      if (slot.pending.size === 1) slot.worker.ref();
      slot.worker.postMessage({ id, decoder: request.decoder, body, limits: request.limits }, [
        body.buffer as ArrayBuffer,
      ]);
    });
  }

  /**
   * Resolves once every worker has loaded. Servers wait for it before they
   * listen: a worker compiles its code on start (seconds from TypeScript
   * sources on a busy machine), and the first requests would otherwise wait
   * that long for an answer.
   */
  async ready(): Promise<void> {
    await Promise.all(this.#slots.map((slot) => slot.loaded));
  }

  /** Stops the workers; jobs still waiting fail. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#slots.map((slot) => slot.worker.terminate()));
  }

  #start(slot: Slot): void {
    const worker = startWorker(new URL('./decode-worker.js', import.meta.url));
    slot.worker = worker;
    worker.on('message', (message: { id: number; result: DecodedBatch | RefusedBatch } | { ready: true }) => {
      if ('ready' in message) {
        slot.markLoaded();
        if (slot.pending.size === 0) worker.unref();
        return;
      }
      const { id, result } = message;
      const job = slot.pending.get(id);
      if (job === undefined) return;
      slot.pending.delete(id);
      if (slot.pending.size === 0) worker.unref();
      job.resolve(result);
    });
    const fail = (error: Error) => {
      if (slot.worker !== worker) return;
      for (const job of slot.pending.values()) job.reject(error);
      slot.pending.clear();
      if (!this.#closed) this.#start(slot);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`a decode worker exited (code ${code})`)));
    // Referenced until it has loaded (someone may be waiting in \`ready\` with nothing else to keep
    // the process alive), then only while it has jobs. Adding a 'message' listener references it again.
    worker.ref();
  }
}

/** Decodes on the calling thread: for tools and tests that want no threads. */
export const INLINE_DECODE_POOL: DecodePool = {
  decode: async (request) => decodeBatch(request),
  ready: async () => {},
};

let shared: WorkerDecodePool | undefined;

/**
 * The process's decode pool, started on first use and shared by every
 * server in the process (decoding keeps no state). `ARIADNE_DECODE_THREADS=0`
 * decodes inline instead; another number sets the pool's size.
 */
export function sharedDecodePool(): DecodePool {
  const configured = process.env.ARIADNE_DECODE_THREADS;
  if (configured === '0') return INLINE_DECODE_POOL;
  shared ??= new WorkerDecodePool(configured ? Math.max(1, Number(configured)) : undefined);
  return shared;
}
