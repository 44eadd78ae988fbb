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
