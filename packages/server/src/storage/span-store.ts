import type { Span, SpanKind } from '@ariadne/protocol';

/**
 * The storage contracts, after Jaeger's spanstore: a writer, a reader, and a
 * store that is both and can be closed. Optional capabilities (dependencies,
 * RED metrics, archive) will be separate interfaces, not flags.
 *
 * Times are nanoseconds since the Unix epoch (`bigint`), durations nanoseconds.
 */

export interface SpanWriter {
  /**
   * Writes a batch of spans. Resolves only once every span of the batch is
   * durable for this store (embedded: fsynced; memory: held). Rejects with an
   * `AriadneError` of kind `StorageFailure` (or `Overloaded`), after which none,
   * some or all of the batch may be stored. Writing a span twice (same trace and
   * span id) is allowed; readers may return both copies.
   * An empty batch resolves at once.
   */
  writeSpans(spans: readonly Span[]): Promise<void>;
}

/**
 * Spans as bytes, the form in which they cross threads (`pipeline/span-batch.ts`
 * makes and reads it): decode workers make it, and a store on another thread
 * takes it without turning it back into objects on the way.
 */
export interface SpanBatch {
  /** A self-contained record of the embedded store's WAL format (its own string, resource and scope tables). */
  readonly bytes: Uint8Array;
  /** Per span, its content hash (two words: `storage/embedded/span-hash.ts`), for the write-time dedupe. */
  readonly hashes: Uint32Array;
  readonly spanCount: number;
}

/** A writer that takes span batches. Same contract as `writeSpans`. */
export interface SpanBatchWriter {
  writeSpanBatch(batch: SpanBatch): Promise<void>;
}

export function isSpanBatchWriter(writer: object): writer is SpanBatchWriter {
  return typeof (writer as Partial<SpanBatchWriter>).writeSpanBatch === 'function';
}

export interface TimeRange {
  /** Inclusive lower bound on span start time. */
  readonly startNanos: bigint;
  /** Inclusive upper bound on span start time. */
  readonly endNanos: bigint;
}

/** How an attribute predicate compares: Jaeger's tag filters and TraceQL's basic comparisons. */
export type AttributeOperator = '=' | '!=' | '=~' | '!~' | '<' | '<=' | '>' | '>=' | 'exists';

export interface AttributePredicate {
  readonly key: string;
  /**
   * Where the attribute may be found: on the span itself, on its resource, or
   * either (`any`, Jaeger's semantics, which also looks at event attributes).
   */
  readonly scope: 'span' | 'resource' | 'any';
  readonly operator: AttributeOperator;
  /**
   * Compared as text for `=`/`!=` (a typed value matches its text form: `200`
   * matches int 200), as a regular expression for `=~`/`!~`, as a number for the
   * ordering operators (non-numeric attributes never match). Ignored by `exists`.
   */
  readonly value?: string;
  /**
   * With `=` and `=~` only: array attributes under the key match too, whatever
   * they hold. TraceQL's `=` and `=~` match an array per element; stores keep arrays whole,
   * so they let every array through and the caller checks its elements.
   */
  readonly orArray?: boolean;
}

/**
 * A search. A trace matches when at least one of its spans satisfies every
 * condition at once (Jaeger's semantics): service, operation, kind, attribute
 * predicates, duration range, error-only and start time within `timeRange`.
 */
export interface TraceQuery {
  readonly service?: string;
  readonly operation?: string;
  readonly spanKind?: SpanKind;
  readonly attributes?: readonly AttributePredicate[];
  readonly minDurationNanos?: bigint;
  readonly maxDurationNanos?: bigint;
  /** Only spans whose status is Error. */
  readonly errorsOnly?: boolean;
  readonly timeRange: TimeRange;
  /** At most this many traces, the most recent first. Must be ≥ 1. */
  readonly limit: number;
}

export interface ServiceSummary {
  readonly name: string;
  readonly spanCount: number;
  readonly errorCount: number;
}

/** What a search returns per trace: enough to list it without loading it. */
export interface TraceSummary {
  readonly traceId: string;
  /** Service and name of the root span; of the earliest span when the root is missing. */
  readonly rootServiceName: string;
  readonly rootSpanName: string;
  /** Earliest span start of the trace, as far as the store knows it. */
  readonly startTimeUnixNano: bigint;
  /** From earliest start to latest end. */
  readonly durationNanos: bigint;
  readonly spanCount: number;
  readonly errorCount: number;
  /** Services involved, by name. */
  readonly services: readonly ServiceSummary[];
  /**
   * Which retention tier holds the trace; absent: the full tier (every span,
   * within `--retention`). `kept`: past it, kept by the policy `keptBy`.
   */
  readonly retention?: TraceRetention;
}

export interface TraceRetention {
  readonly tier: 'kept';
  /** The policy that kept the trace (`KEEP_POLICIES`: attribute, error, traceql, slow, exemplar, sample). */
  readonly keptBy: string;
}

export interface Operation {
  readonly name: string;
  readonly spanKind: SpanKind;
}

export interface OperationQuery {
  readonly service: string;
  /** When given, only operations of spans of this kind. */
  readonly spanKind?: SpanKind;
}

export interface SpanReader {
  /**
   * All stored spans of a trace, in no particular order. With `timeRange`, the
   * store may skip data outside it (a hint for speed, not a filter guarantee).
   * Rejects with `AriadneError` kind `TraceNotFound` when no span of the trace is
   * stored: it never resolves to an empty array.
   */
  getTrace(traceId: string, timeRange?: TimeRange): Promise<Span[]>;
  /**
   * Summaries of matching traces, most recent first (by trace start time), at
   * most `query.limit`. No match resolves to an empty array. Rejects with
   * `InvalidQuery` for a malformed query (a bad regular expression, limit < 1).
   * A summary describes every span the store holds for that trace, not only the
   * matching ones.
   */
  findTraces(query: TraceQuery): Promise<TraceSummary[]>;
  /** Every service name with at least one stored span, sorted. Empty store: `[]`. */
  getServices(): Promise<string[]>;
  /**
   * Distinct (span name, kind) pairs of a service, sorted by name then kind.
   * Unknown service: `[]`.
   */
  getOperations(query: OperationQuery): Promise<Operation[]>;
}

export interface SpanStore extends SpanWriter, SpanReader {
  /**
   * Flushes and releases everything. Writes still in flight complete first; any
   * call after `close` rejects. Calling `close` twice is harmless.
   */
  close(): Promise<void>;
}

/*
 * Optional capabilities. A store that offers one implements its interface;
 * callers test with the `has…` guards below instead of reading flags.
 */

/** One edge of the service map: calls from `parent` service to `child` service. */
export interface DependencyLink {
  readonly parent: string;
  readonly child: string;
  /** Spans of `child` whose parent span belongs to `parent` (a different service). */
  readonly callCount: number;
  /** Of those calls, the ones whose child span has status Error. */
  readonly errorCount: number;
}

export interface DependencyReader {
  /**
   * Service-to-service edges among spans that started within `timeRange`,
   * computed by the store from parent/child pairs (no batch job). A span whose
   * parent is not stored contributes nothing. Sorted by parent, then child.
   * No spans in range: `[]`.
   */
  getDependencies(timeRange: TimeRange): Promise<DependencyLink[]>;
}

/** RED (rate, errors, duration) aggregates over time buckets, Jaeger SPM style. */
export interface RedMetricsQuery {
  /** Services to report; at least one. */
  readonly services: readonly string[];
  /** One series per (service, operation) instead of per service. */
  readonly groupByOperation: boolean;
  /** Only spans of these kinds; empty means every kind. Jaeger's default is server. */
  readonly spanKinds: readonly SpanKind[];
  /** Buckets cover [startNanos, endNanos], aligned to `stepNanos` from startNanos. */
  readonly timeRange: TimeRange;
  /** Bucket width, > 0. More than 10,000 buckets is an InvalidQuery. */
  readonly stepNanos: bigint;
  /** Duration quantiles to compute, each in (0, 1], e.g. [0.5, 0.95, 0.99]. */
  readonly quantiles: readonly number[];
}

export interface RedMetricsPoint {
  /** Start of the bucket. */
  readonly timeUnixNano: bigint;
  /** Spans that started in the bucket. */
  readonly calls: number;
  /** Of those, spans with status Error. */
  readonly errors: number;
  /**
   * Duration quantiles in nanoseconds, in the order of `quantiles`; NaN for an
   * empty bucket. Stores may approximate (state the error in their doc comment).
   */
  readonly durationQuantilesNanos: readonly number[];
}

export interface RedMetricsSeries {
  readonly service: string;
  /** Present when grouped by operation. */
  readonly operation?: string;
  /** Every bucket of the range, empty ones included, oldest first. */
  readonly points: readonly RedMetricsPoint[];
}

export interface RedMetricsReader {
  /**
   * One series per service (or service and operation) with spans of the
   * requested kinds in range, sorted by service, then operation (code-unit
   * order); none: `[]`. Rejects with `InvalidQuery` for a malformed query.
   */
  getRedMetrics(query: RedMetricsQuery): Promise<RedMetricsSeries[]>;
}

export function hasDependencies(reader: object): reader is DependencyReader {
  return typeof (reader as Partial<DependencyReader>).getDependencies === 'function';
}

export function hasRedMetrics(reader: object): reader is RedMetricsReader {
  return typeof (reader as Partial<RedMetricsReader>).getRedMetrics === 'function';
}
