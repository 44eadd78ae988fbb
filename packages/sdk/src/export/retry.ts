import { EXPORT_SUCCESS, type ExportResult, exportFailure } from './span-exporter.js';

/** How a network exporter retries: one deadline per export, capped exponential backoff with full jitter. */
export interface RetryPolicy {
  /** The whole export, retries included. */
  readonly timeoutMillis: number;
  /** Attempts per export, the first included. */
  readonly maxAttempts: number;
  /** First backoff ceiling; doubles per retry up to `maxBackoffMillis`. */
  readonly initialBackoffMillis: number;
  readonly maxBackoffMillis: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  timeoutMillis: 10_000,
  maxAttempts: 5,
  initialBackoffMillis: 1000,
  maxBackoffMillis: 5000,
});

/** The retry settings an exporter's options may carry; each absent one takes the default. */
export interface RetryOptions {
  /** The whole export, retries included. Default: the exporter's timeout variable, else 10000 ms. */
  readonly timeoutMillis?: number;
  /** Attempts per export, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** First backoff ceiling; doubles per retry up to `maxBackoffMillis`. Defaults 1000 and 5000 ms. */
  readonly initialBackoffMillis?: number;
  readonly maxBackoffMillis?: number;
}

/** An exporter's policy: its options, else `timeoutFromEnv` for the deadline, else the defaults. */
export function retryPolicyOf(options: RetryOptions, timeoutFromEnv: number | undefined): RetryPolicy {
  return {
    timeoutMillis: options.timeoutMillis ?? timeoutFromEnv ?? DEFAULT_RETRY_POLICY.timeoutMillis,
    maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts),
    initialBackoffMillis: options.initialBackoffMillis ?? DEFAULT_RETRY_POLICY.initialBackoffMillis,
    maxBackoffMillis: options.maxBackoffMillis ?? DEFAULT_RETRY_POLICY.maxBackoffMillis,
  };
}

/** What one attempt came to. `retryAfterMillis` is the server's wish (Retry-After, gRPC RetryInfo). */
export type AttemptOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly retryable: boolean; readonly error: Error; readonly retryAfterMillis?: number };

/**
 * The wait before retry `n + 1` (n from 0): a random share of a ceiling that
 * starts at `initialBackoffMillis` and doubles per retry up to
 * `maxBackoffMillis` (full jitter, so many clients do not retry in step),
 * but at least what the server asked for.
 */
export function retryWaitMillis(
  policy: RetryPolicy,
  n: number,
  retryAfter: number | undefined,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxBackoffMillis, policy.initialBackoffMillis * 2 ** n);
  return Math.max(retryAfter ?? 0, random() * ceiling);
}

/**
 * Runs `attempt` until it succeeds, fails for good, runs out of attempts or
 * of time, waiting `retryWaitMillis` between attempts; when that wait would
 * pass the deadline the export fails at once instead of sleeping in vain.
 * `attempt` gets the milliseconds left before the deadline.
 */
export async function runWithRetries(
  policy: RetryPolicy,
  attempt: (remainingMillis: number) => Promise<AttemptOutcome>,
): Promise<ExportResult> {
  const deadline = Date.now() + policy.timeoutMillis;
  const maxAttempts = Math.max(1, policy.maxAttempts);
  let lastError: Error = new Error('export timed out before the first attempt');
  for (let n = 0; n < maxAttempts; n++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    let outcome: AttemptOutcome;
    try {
      outcome = await attempt(remaining);
    } catch (error) {
      // Network errors (refused, reset, timed out) are worth another try.
      outcome = { ok: false, retryable: true, error: error instanceof Error ? error : new Error(String(error)) };
    }
    if (outcome.ok) return EXPORT_SUCCESS;
    lastError = outcome.error;
    if (!outcome.retryable || n + 1 >= maxAttempts) break;
    const wait = retryWaitMillis(policy, n, outcome.retryAfterMillis);
    if (Date.now() + wait >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return exportFailure(lastError);
}

/** 429 and the 5xx statuses that say "later" (not 501 Not Implemented nor 505 Version Not Supported). */
export function isRetryableHttpStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/** Retry-After in milliseconds: delay-seconds or an HTTP date; `undefined` when absent or unreadable. */
export function retryAfterMillis(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
