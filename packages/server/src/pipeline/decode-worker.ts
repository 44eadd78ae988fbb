// A decode worker: takes request bodies (transferred), answers span batches
// (transferred back). Started by `DecodePool`.
import { parentPort } from 'node:worker_threads';
import { type DecodeRequest, decodeBatch } from './decode-batch.js';

interface Job extends DecodeRequest {
  readonly id: number;
}

parentPort?.on('message', (job: Job) => {
  const result = decodeBatch(job);
  const transfer = result.ok && result.batch.byteLength > 0 ? [result.batch.buffer as ArrayBuffer] : [];
  parentPort?.postMessage({ id: job.id, result }, transfer);
});
