import { Counter, type MetricsRegistry } from '../../telemetry/metrics-registry.js';
import type { SpoolDiskAccount } from './spool-log.js';

/** What the group asks of each spool it bounds: its oldest entry, for the age on /metrics. */
export interface SpoolMember {
  readonly oldestAppendedAtMs: number | undefined;
}

export const DEFAULT_SPOOL_MAX_BYTES = 1024 * 1024 * 1024;
/** The window the replay rate on /metrics is averaged over. */
const RATE_WINDOW_MS = 10_000;

/**
 * The spools of one server (one per tenant's ClickHouse store) share one
 * byte budget, `--spool-max-bytes`, and one set of metrics. A batch that
 * would take the spools' files past the budget is refused at once (503 with
 * Retry-After; gRPC UNAVAILABLE). `canAcceptWrites` is the readiness seam: a
 * process whose spool is full cannot take writes while the store is away.
 */
export class SpoolGroup implements SpoolDiskAccount {
  readonly maxBytes: number;
  #bytes = 0;
  readonly #members = new Set<SpoolMember>();
  readonly spooledSpans: Counter;
  readonly replayedSpans: Counter;
  readonly replayedBatches: Counter;
  readonly refusedSpans: Counter;
  /** Recent replays (time, spans), for the rate. */
  readonly #recent: { atMs: number; spans: number }[] = [];

  constructor(maxBytes: number = DEFAULT_SPOOL_MAX_BYTES, registry?: MetricsRegistry) {
    this.maxBytes = maxBytes;
    const counter = (name: string, help: string) => registry?.counter(name, help) ?? new Counter(name, help);
    this.spooledSpans = counter(
      'ariadne_spool_spooled_spans_total',
      'Spans acknowledged from the spool (fsynced) because the store was away or slow.',
    );
    this.replayedSpans = counter('ariadne_spool_replayed_spans_total', 'Spans replayed from the spool into the store.');
    this.replayedBatches = counter('ariadne_spool_replayed_batches_total', 'Spooled batches replayed into the store.');
    this.refusedSpans = counter('ariadne_spool_refused_spans_total', 'Spans refused (503) because the spool was full.');
    if (registry !== undefined) this.#register(registry);
  }

  /** Bytes of every member's spool files. */
  get bytes(): number {
    return this.#bytes;
  }

  /** False once the spools are so full that a typical batch would be refused (readiness). */
  get canAcceptWrites(): boolean {
    return this.#bytes < this.maxBytes * 0.99;
  }

  /** Whether `bytes` more fit within the budget. */
  fits(bytes: number): boolean {
    return this.#bytes + bytes <= this.maxBytes;
  }

  added(bytes: number): void {
    this.#bytes += bytes;
  }

  removed(bytes: number): void {
    this.#bytes = Math.max(0, this.#bytes - bytes);
  }

  join(member: SpoolMember): () => void {
    this.#members.add(member);
    return () => this.#members.delete(member);
  }

  /** Age of the oldest batch not yet replayed in any member, in seconds; 0 when none waits. */
  oldestAgeSeconds(nowMs = Date.now()): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const member of this.#members) oldest = Math.min(oldest, member.oldestAppendedAtMs ?? oldest);
    return Number.isFinite(oldest) ? Math.max(0, (nowMs - oldest) / 1000) : 0;
  }

  countSpooled(spans: number): void {
    this.spooledSpans.inc({}, spans);
  }

  countRefused(spans: number): void {
    this.refusedSpans.inc({}, spans);
  }

  countReplayed(spans: number, batches: number, nowMs = Date.now()): void {
    this.replayedSpans.inc({}, spans);
    this.replayedBatches.inc({}, batches);
    this.#recent.push({ atMs: nowMs, spans });
  }

  /** Spans replayed per second over the last ten seconds. */
  replayRate(nowMs = Date.now()): number {
    while (this.#recent.length > 0 && this.#recent[0]!.atMs < nowMs - RATE_WINDOW_MS) this.#recent.shift();
    let spans = 0;
    for (const replay of this.#recent) spans += replay.spans;
    return spans / (RATE_WINDOW_MS / 1000);
  }

  #register(registry: MetricsRegistry): void {
    const gauge = (name: string, help: string, read: () => number) => registry.gauge(name, help).track(read);
    gauge(
      'ariadne_spool_bytes',
      'Bytes of the spool files (batches acknowledged while the store was away).',
      () => this.#bytes,
    );
    gauge(
      'ariadne_spool_max_bytes',
      'The spool byte budget (--spool-max-bytes); past it, writes are refused.',
      () => this.maxBytes,
    );
    gauge('ariadne_spool_oldest_age_seconds', 'Age of the oldest spooled batch not yet replayed; 0 when none.', () =>
      this.oldestAgeSeconds(),
    );
    gauge(
      'ariadne_spool_replay_spans_per_second',
      'Spans replayed into the store per second, over the last 10 s.',
      () => this.replayRate(),
    );
  }
}
