import { type Agent, request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { context } from '@opentelemetry/api';
import {
  type AttemptOutcome,
  isRetryableHttpStatus,
  type RetryPolicy,
  retryAfterMillis,
  runWithRetries,
} from './retry.js';
import type { ExportResult } from './span-exporter.js';

export const gzip = promisify(gzipCallback);

/** OpenTelemetry's suppressTracing() key: instrumented HTTP clients must not trace the exporter's own requests. */
export const SUPPRESS_TRACING_KEY = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

export interface HttpPost {
  readonly url: string;
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly policy: RetryPolicy;
  /** Names the protocol in error messages ("OTLP", "Zipkin", ...). */
  readonly what: string;
  /** An `https` agent carrying the exporter's own TLS material (CA, client key and certificate); without one, fetch. */
  readonly agent?: Agent;
}

/** What an attempt needs of the answer. */
interface Answer {
  readonly status: number;
  readonly retryAfter: string | null | undefined;
  readonly text: string;
}

/**
 * POSTs one body with the policy's retries: 429 and 5xx (see
 * `isRetryableHttpStatus`) and network errors are retried, honouring
 * Retry-After; any other non-2xx fails at once. Runs with tracing suppressed.
 */
export function postWithRetries(post: HttpPost): Promise<ExportResult> {
  return runWithRetries(post.policy, async (remaining): Promise<AttemptOutcome> => {
    const signal = AbortSignal.timeout(remaining);
    const answer = await context.with(context.active().setValue(SUPPRESS_TRACING_KEY, true), () =>
      post.agent === undefined ? fetchPost(post, signal) : agentPost(post, post.agent, signal),
    );
    if (answer.status >= 200 && answer.status < 300) return { ok: true };
    return {
      ok: false,
      retryable: isRetryableHttpStatus(answer.status),
      error: new Error(`${post.what} export got HTTP ${answer.status}: ${answer.text.slice(0, 200)}`),
      retryAfterMillis: retryAfterMillis(answer.retryAfter),
    };
  });
}

async function fetchPost(post: HttpPost, signal: AbortSignal): Promise<Answer> {
  const response = await fetch(post.url, { method: 'POST', headers: post.headers, body: post.body, signal });
  // The body is read (and dropped) so the connection can be reused.
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), text };
}

/** fetch takes no TLS options of its own (only an undici dispatcher), so TLS material goes through node:https. */
function agentPost(post: HttpPost, agent: Agent, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...post.headers, 'content-length': String(post.body.byteLength) };
    const req = httpsRequest(post.url, { method: 'POST', headers, agent, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          retryAfter: res.headers['retry-after'],
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end(post.body);
  });
}

/** Comma-separated `key=value` pairs, URL-encoded (OTEL_EXPORTER_OTLP_HEADERS); malformed pairs are left out. */
export function parseHeaderList(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of raw?.split(',') ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    try {
      out[decodeURIComponent(pair.slice(0, eq).trim())] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      // A malformed pair is left out; the rest still apply.
    }
  }
  return out;
}
