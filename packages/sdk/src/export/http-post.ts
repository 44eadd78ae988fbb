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
}

/**
 * POSTs one body with the policy's retries: 429 and 5xx (see
 * `isRetryableHttpStatus`) and network errors are retried, honouring
 * Retry-After; any other non-2xx fails at once. Runs with tracing suppressed.
 */
export function postWithRetries(post: HttpPost): Promise<ExportResult> {
  return runWithRetries(post.policy, async (remaining): Promise<AttemptOutcome> => {
    const response = await context.with(context.active().setValue(SUPPRESS_TRACING_KEY, true), () =>
      fetch(post.url, {
        method: 'POST',
        headers: post.headers,
        body: post.body,
        signal: AbortSignal.timeout(remaining),
      }),
    );
    // The body is read (and dropped) so the connection can be reused.
    const text = await response.text();
    if (response.ok) return { ok: true };
    return {
      ok: false,
      retryable: isRetryableHttpStatus(response.status),
      error: new Error(`${post.what} export got HTTP ${response.status}: ${text.slice(0, 200)}`),
      retryAfterMillis: retryAfterMillis(response.headers.get('retry-after')),
    };
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
