// A decode worker: takes request bodies (transferred), answers span batches
// (transferred back). Started by `DecodePool`.
import { parentPort } from 'node:worker_threads';
import { type DecodeRequest, decodeBatch } from './decode-batch.js';

interface Job extends DecodeRequest {
  readonly id: number;
}

parentPort?.on('message', (job: Job) => {
  const result = decodeBatch(job);
  const transfer = result.ok
    ? [result.batch.bytes.buffer as ArrayBuffer, result.batch.hashes.buffer as ArrayBuffer].filter(
        (b) => b.byteLength > 0,
      )
    : [];
  parentPort?.postMessage({ id: job.id, result }, transfer);
});

// Loaded (modules compiled, decoders ready): the pool may now count on this worker's speed.
parentPort?.postMessage({ ready: true });
