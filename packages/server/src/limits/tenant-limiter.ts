import { AriadneError } from '@ariadne/protocol';
import type { TimeRange } from '../storage/span-store.js';
import { IngestMetrics } from '../telemetry/ingest-metrics.js';
import { type TenantLimitReason, type TenantMetrics, tenantMetrics } from '../telemetry/tenant-metrics.js';
import type { TenantId } from '../tenancy/tenant-id.js';
import { limitsOf, type TenantLimits, type TenantLimitsConfig } from './tenant-limits.js';
import { TokenBucket } from './token-bucket.js';

/** Seconds a search refused for concurrency is told to wait: no one knows when a running search ends. */
export const SEARCH_RETRY_AFTER_SECONDS = 1;

/** Buckets kept before full ones (which behave as new) are forgotten. */
const SWEEP_AT = 1_024;

interface TenantBuckets {
  readonly spans?: TokenBucket;
  readonly bytes?: TokenBucket;
}

export interface TenantLimiterOptions {
  /** Milliseconds; `performance.now` by default, a test's own clock in tests. */
  readonly now?: () => number;
  readonly metrics?: IngestMetrics;
}

/**
 * Applies each tenant's limits (`--limits`): ingest rates as token buckets,
 * searches by how many run at once and how long a window each covers. A
 * tenant over a limit is refused alone, at once, with `RateLimited` and the
 * time its bucket needs (receivers answer 429 with Retry-After, gRPC
 * RESOURCE_EXHAUSTED with RetryInfo); nothing waits, so another tenant's
 * requests never queue behind it. State is kept only for tenants that have
 * a limit, and full buckets are forgotten, so memory follows the tenants
 * sending now rather than every id ever named.
 */
export class TenantLimiter {
  #config: TenantLimitsConfig;
  readonly #buckets = new Map<TenantId, TenantBuckets>();
  readonly #searches = new Map<TenantId, number>();
  readonly #now: () => number;
  readonly #metrics: TenantMetrics;
  #sweepAt = SWEEP_AT;

  constructor(config: TenantLimitsConfig, options: TenantLimiterOptions = {}) {
    this.#config = config;
    this.#now = options.now ?? (() => performance.now());
    this.#metrics = tenantMetrics(options.metrics ?? new IngestMetrics());
  }

  /**
   * New limits from now on (a reloaded file). Buckets start again full at the
   * new rates; searches running now still count against the new bound.
   */
  reload(config: TenantLimitsConfig): void {
    this.#config = config;
    this.#buckets.clear();
  }

  limitsOf(tenant: TenantId): TenantLimits {
    return limitsOf(this.#config, tenant);
  }

  /** Takes a request body's bytes from the tenant's byte bucket, before it is decoded. */
  admitBytes(tenant: TenantId, bytes: number): void {
    const bucket = this.#bucketsOf(tenant).bytes;
    if (bucket === undefined) return;
    const refused = (reason: TenantLimitReason) => this.#metrics.bytesRefused.inc({ tenant, reason }, bytes);
    this.#take(bucket, bytes, 'bytes', 'rate_limit_bytes', 'burst_size_bytes', tenant, refused);
  }

  /**
   * Takes a request's spans from the tenant's span bucket, after decoding
   * and before the store. `bytes` is the request's size, counted as refused
   * with its spans.
   */
  admitSpans(tenant: TenantId, spans: number, bytes = 0): void {
    const bucket = this.#bucketsOf(tenant).spans;
    if (bucket === undefined) return;
    const refused = (reason: TenantLimitReason) => {
      this.#metrics.spansRefused.inc({ tenant, reason }, spans);
      if (bytes > 0) this.#metrics.bytesRefused.inc({ tenant, reason }, bytes);
    };
    this.#take(bucket, spans, 'spans', 'rate_limit_spans', 'burst_size_spans', tenant, refused);
  }

  /**
   * Starts one search of the tenant's: refused with `InvalidQuery` when its
   * window is longer than the tenant may search, with `RateLimited` when the
   * tenant already runs as many searches as it may. Returns the release,
   * to call once the search is over (whatever its outcome).
   */
  startSearch(tenant: TenantId, window: TimeRange): () => void {
    const limits = this.limitsOf(tenant);
    const maxWindow = limits.maxSearchWindowNanos ?? 0n;
    const span = window.endNanos - window.startNanos;
    if (maxWindow > 0n && span > maxWindow) {
      this.#metrics.searchesRefused.inc({ tenant, reason: 'search_window' });
      throw new AriadneError(
        'InvalidQuery',
        `this search covers ${formatNanos(span)}; tenant "${tenant}" may search at most ${formatNanos(maxWindow)} at once (max_search_duration in the limits file): narrow the time range`,
      );
    }
    const max = limits.maxConcurrentSearches ?? 0;
    const running = this.#searches.get(tenant) ?? 0;
    if (max > 0 && running >= max) {
      this.#metrics.searchesRefused.inc({ tenant, reason: 'concurrent_searches' });
      throw new AriadneError(
        'RateLimited',
        `tenant "${tenant}" already runs ${running} searches, its limit (max_concurrent_searches); retry when one has finished`,
        { retryAfterSeconds: SEARCH_RETRY_AFTER_SECONDS },
      );
    }
    this.#searches.set(tenant, running + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#searches.get(tenant) ?? 1) - 1;
      if (left > 0) this.#searches.set(tenant, left);
      else this.#searches.delete(tenant);
    };
  }

  /** Tenants whose buckets are kept now (memory follows the tenants sending, not every id seen). */
  get trackedTenants(): number {
    return this.#buckets.size;
  }

  /** Searches of the tenant's running now. */
  runningSearches(tenant: TenantId): number {
    return this.#searches.get(tenant) ?? 0;
  }

  #take(
    bucket: TokenBucket,
    cost: number,
    unit: string,
    rateKey: string,
    burstKey: string,
    tenant: TenantId,
    refused: (reason: TenantLimitReason) => void,
  ): void {
    if (cost > bucket.burst) {
      refused('burst_exceeded');
      throw new AriadneError(
        'PayloadTooLarge',
        `this request carries ${cost} ${unit}, more than tenant "${tenant}" may send at once (${burstKey} ${bucket.burst}); send smaller batches`,
      );
    }
    const taken = bucket.take(cost);
    if (taken.ok) return;
    refused(unit === 'spans' ? 'spans_rate' : 'bytes_rate');
    throw new AriadneError(
      'RateLimited',
      `tenant "${tenant}" is over its ingest limit of ${bucket.ratePerSecond} ${unit} per second (${rateKey}); retry later`,
      { retryAfterSeconds: Math.max(1, Math.ceil(taken.retryAfterMs / 1000)) },
    );
  }

  #bucketsOf(tenant: TenantId): TenantBuckets {
    const known = this.#buckets.get(tenant);
    if (known !== undefined) return known;
    const limits = this.limitsOf(tenant);
    const bucket = (rate = 0, burst = 0) =>
      rate > 0 ? new TokenBucket(rate, burst > 0 ? burst : rate, this.#now) : undefined;
    const spans = bucket(limits.spansPerSecond, limits.spansBurst);
    const bytes = bucket(limits.bytesPerSecond, limits.bytesBurst);
    const made: TenantBuckets = { ...(spans ? { spans } : {}), ...(bytes ? { bytes } : {}) };
    // A tenant without rate limits keeps no state.
    if (spans === undefined && bytes === undefined) return made;
    if (this.#buckets.size >= this.#sweepAt) this.#sweep();
    this.#buckets.set(tenant, made);
    return made;
  }

  /** Forgets full buckets (a new one would be the same); the next sweep waits until the map has doubled. */
  #sweep(): void {
    for (const [tenant, { spans, bytes }] of this.#buckets) {
      if ((spans?.isFull ?? true) && (bytes?.isFull ?? true)) this.#buckets.delete(tenant);
    }
    this.#sweepAt = Math.max(SWEEP_AT, this.#buckets.size * 2);
  }
}

/** `90m` as `1h30m`, `36h` as `36h`: how a window reads in a message. */
function formatNanos(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  if (seconds === 0n) return `${nanos / 1_000_000n}ms`;
  const h = seconds / 3600n;
  const m = (seconds % 3600n) / 60n;
  const s = seconds % 60n;
  return `${h > 0n ? `${h}h` : ''}${m > 0n ? `${m}m` : ''}${s > 0n || (h === 0n && m === 0n) ? `${s}s` : ''}`;
}
