/** How one request ended, as the load generator counts it. */
export type RequestOutcome =
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly spans: number;
      /** Whether a 429/503 carried a Retry-After header (ignored for other statuses). */
      readonly retryAfter: boolean;
    }
  | { readonly kind: 'network-error'; readonly spans: number }
  | { readonly kind: 'timeout'; readonly spans: number };

/** What the server answered in one second of a run (by the time each answer arrived). */
export interface SecondCounts {
  /** 0 for the first second after the load started. */
  readonly second: number;
  /** Requests that ended this second, however they ended. */
  readonly requests: number;
  /** Spans in requests answered 2xx. */
  readonly acknowledgedSpans: number;
  /** Answers other than 2xx, by status code. */
  readonly refusals: Readonly<Record<string, number>>;
  readonly refusedSpans: number;
  /** 429 and 503 answers without a Retry-After header. */
  readonly missingRetryAfter: number;
  readonly networkErrors: number;
  /** Requests given up after the generator's timeout (a hang, recorded as such). */
  readonly timeouts: number;
}

interface MutableCounts {
  requests: number;
  acknowledgedSpans: number;
  refusals: Record<string, number>;
  refusedSpans: number;
  missingRetryAfter: number;
  networkErrors: number;
  timeouts: number;
}

const empty = (): MutableCounts => ({
  requests: 0,
  acknowledgedSpans: 0,
  refusals: {},
  refusedSpans: 0,
  missingRetryAfter: 0,
  networkErrors: 0,
  timeouts: 0,
});

/**
 * Counts request outcomes into one-second buckets by the time they ended, so
 * a run reports throughput second by second (a stall shows as a low second,
 * which an average over the run hides). A second is taken once it is over;
 * answers that arrive later land in a later second, never in a taken one.
 */
export class SecondBuckets {
  private readonly buckets = new Map<number, MutableCounts>();

  /** `elapsedMs`: time since the load started, when the request ended. */
  record(elapsedMs: number, outcome: RequestOutcome): void {
    const second = Math.max(0, Math.floor(elapsedMs / 1000));
    let bucket = this.buckets.get(second);
    if (bucket === undefined) {
      bucket = empty();
      this.buckets.set(second, bucket);
    }
    bucket.requests++;
    switch (outcome.kind) {
      case 'answer':
        if (outcome.status >= 200 && outcome.status < 300) {
          bucket.acknowledgedSpans += outcome.spans;
          break;
        }
        bucket.refusals[outcome.status] = (bucket.refusals[outcome.status] ?? 0) + 1;
        bucket.refusedSpans += outcome.spans;
        if ((outcome.status === 429 || outcome.status === 503) && !outcome.retryAfter) bucket.missingRetryAfter++;
        break;
      case 'network-error':
        bucket.networkErrors++;
        break;
      case 'timeout':
        bucket.timeouts++;
        break;
    }
  }

  /** The counts of `second` (zeros when nothing ended in it), forgotten afterwards. */
  take(second: number): SecondCounts {
    const bucket = this.buckets.get(second) ?? empty();
    this.buckets.delete(second);
    return { second, ...bucket };
  }

  /** The last second anything was recorded in, or -1. */
  lastSecond(): number {
    let last = -1;
    for (const second of this.buckets.keys()) last = Math.max(last, second);
    return last;
  }
}

/** Seconds added up: a run's totals. */
export function sumSeconds(seconds: readonly SecondCounts[]): Omit<SecondCounts, 'second'> {
  const total = empty();
  for (const s of seconds) {
    total.requests += s.requests;
    total.acknowledgedSpans += s.acknowledgedSpans;
    total.refusedSpans += s.refusedSpans;
    total.missingRetryAfter += s.missingRetryAfter;
    total.networkErrors += s.networkErrors;
    total.timeouts += s.timeouts;
    for (const [status, count] of Object.entries(s.refusals))
      total.refusals[status] = (total.refusals[status] ?? 0) + count;
  }
  return total;
}

/** Mean acknowledged spans per second over `seconds`, and the lowest second. */
export function throughputOf(seconds: readonly SecondCounts[]): {
  readonly mean: number;
  readonly lowest: number;
  readonly lowestSecond: number;
} {
  if (seconds.length === 0) return { mean: Number.NaN, lowest: Number.NaN, lowestSecond: -1 };
  let total = 0;
  let lowest = Number.POSITIVE_INFINITY;
  let lowestSecond = -1;
  for (const s of seconds) {
    total += s.acknowledgedSpans;
    if (s.acknowledgedSpans < lowest) {
      lowest = s.acknowledgedSpans;
      lowestSecond = s.second;
    }
  }
  return { mean: total / seconds.length, lowest, lowestSecond };
}
