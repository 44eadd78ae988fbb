import type { LatencySummary } from './percentiles.js';
import type { SecondCounts } from './second-buckets.js';

/** What the load generator (load-generator.ts) is told, as one JSON argument. */
export interface LoadGeneratorOptions {
  /** The OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces. */
  readonly url: string;
  /** `fresh`: every request new traces; `resend`: the same few batches again and again, as retrying clients do. */
  readonly scenario: 'fresh' | 'resend';
  readonly durationSeconds: number;
  /** Keep-alive connections, each with one request in flight. Default 4. */
  readonly connections?: number;
  readonly spansPerRequest?: number;
  readonly spansPerTrace?: number;
  readonly attributesPerSpan?: number;
  /** Open loop: offer this many spans per second whatever the answers; absent: as fast as answers come (closed loop). */
  readonly spansPerSecond?: number;
  /** Distinct batches the resend scenario cycles through. Default 20. */
  readonly resendBatches?: number;
  /** A request unanswered this long is given up and counted as a timeout. Default 30,000. */
  readonly timeoutMs?: number;
}

export const LOAD_DEFAULTS = {
  connections: 4,
  spansPerRequest: 500,
  spansPerTrace: 20,
  attributesPerSpan: 10,
  resendBatches: 20,
  timeoutMs: 30_000,
} as const;

/** The lines the generator prints on stdout, one JSON object each. */
export type LoadGeneratorLine =
  | {
      readonly type: 'start';
      /** Date.now() when the first request went out. */
      readonly epochMs: number;
      readonly bodyBytes: number;
    }
  | ({ readonly type: 'second'; readonly generatorCpuPercent: number } & SecondCounts)
  | ({ readonly type: 'summary' } & LoadSummary);

export interface LoadSummary {
  readonly scenario: 'fresh' | 'resend';
  readonly durationSeconds: number;
  readonly connections: number;
  readonly spansPerRequest: number;
  /** Seconds from the first request to the last answer (the tail waits for requests in flight at the deadline). */
  readonly elapsedSeconds: number;
  readonly requests: number;
  readonly sentSpans: number;
  readonly acknowledgedSpans: number;
  readonly refusals: Readonly<Record<string, number>>;
  readonly refusedSpans: number;
  readonly missingRetryAfter: number;
  readonly networkErrors: number;
  readonly timeouts: number;
  /** The first answer other than 2xx/429/503, or network error, to name what went wrong. */
  readonly firstError: string;
  /** Request latency in ms, from the request going out to its answer read, over every request. */
  readonly latencyMs: LatencySummary;
  /** Open loop only: spans the schedule called for by the deadline but that were not sent (the generator fell behind). */
  readonly unsentScheduledSpans: number;
  readonly generatorCpuSeconds: number;
}
