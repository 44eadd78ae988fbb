import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { AriadneError } from '@ariadne/protocol';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

export interface BodyLimits {
  /** Largest body accepted, in bytes, after decompression (and before it). */
  readonly maxBytes: number;
}

/**
 * Reads a request body into memory, refusing early once it passes the limit
 * (from Content-Length when sent, else while streaming), and inflates gzip or
 * deflate bodies with the same cap on the output, so a small compressed bomb
 * costs no more than `maxBytes` of memory.
 */
export async function readBody(request: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    request.resume();
    throw tooLarge(limits.maxBytes);
  }
  const raw = await readStream(request, limits.maxBytes);
  return decompress(raw, request.headers['content-encoding'], limits.maxBytes);
}

async function readStream(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      // Drain the rest without keeping it, so the connection stays usable for the answer.
      request.resume();
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

async function decompress(raw: Buffer, encodingHeader: string | undefined, maxBytes: number): Promise<Buffer> {
  const encoding = (encodingHeader ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  const inflater =
    encoding === 'gzip' || encoding === 'x-gzip' ? gunzipAsync : encoding === 'deflate' ? inflateAsync : null;
  if (!inflater) throw new AriadneError('UnsupportedMediaType', `unsupported Content-Encoding "${encoding}"`);
  try {
    return await inflater(raw, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
    throw new AriadneError('InvalidPayload', `body is not valid ${encoding}: ${(error as Error).message}`);
  }
}

function tooLarge(maxBytes: number): AriadneError {
  return new AriadneError('PayloadTooLarge', `body exceeds the limit of ${maxBytes} bytes`);
}
