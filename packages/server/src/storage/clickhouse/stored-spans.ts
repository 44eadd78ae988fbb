import { type Span, serviceNameOf } from '@ariadne/protocol';
import type { ClickHouseHttp } from './clickhouse-http.js';
import { DAY_OF_START } from './clickhouse-schema.js';
import { sqlIdentifier, sqlInteger, sqlString, traceIdFromHalves, traceIdHalves } from './sql-literal.js';

/** Spans asked about per query: keeps each query's text far below ClickHouse's max_query_size (256 KiB). */
const CHUNK = 1_000;

/** Where a replay looks for spans, and the trace index it mends (see `unstoredSpans`). */
export interface StoredSpansTables {
  /** The spans table queries read: the Distributed one in cluster mode. */
  readonly spans: string;
  /** The trace index inserts go to: the Distributed one in cluster mode. */
  readonly traceIndex: string;
  /**
   * Replicated cluster: every replica's local spans table, read together
   * (`remote()` over each replica's address, each counted as a shard), so that
   * a part one replica committed before it died and the other has not fetched
   * yet still counts as held. (The Distributed table reads one replica per shard.)
   */
  readonly everyReplica?: () => Promise<string | undefined>;
  /**
   * When reading every replica fails (one is down): true to fail the check,
   * so that the replay waits for the replica; false to read the Distributed
   * table's one live replica per shard instead (`replicaPatience`).
   */
  readonly waitForEveryReplica?: (failed: boolean) => boolean;
}

/**
 * How long a replay waits for every replica to answer before it settles for
 * one live replica per shard: a cluster restarting after an outage comes back
 * within this, and reading a replica that has not yet fetched a part would
 * write that part's spans again; a replica dead for longer must not hold the
 * spool back forever.
 */
export function replicaPatience(ms: number, now: () => number = Date.now): (failed: boolean) => boolean {
  let failingSince: number | undefined;
  return (failed) => {
    if (!failed) {
      failingSince = undefined;
      return false;
    }
    failingSince ??= now();
    return now() - failingSince < ms;
  };
}

/**
 * Every replica's copy of `localTable`, as one table expression, from the
 * cluster's addresses (`system.clusters`); undefined when there are none.
 */
export async function everyReplicaTable(
  http: ClickHouseHttp,
  cluster: string,
  database: string,
  localTable: string,
): Promise<string | undefined> {
  const rows = await http.query<{ host_address: string; port: number | string }>(
    `SELECT host_address, port FROM system.clusters WHERE cluster = ${sqlString(cluster)}`,
  );
  if (rows.length === 0) return undefined;
  const addresses = rows.map(
    (row) => `${row.host_address.includes(':') ? `[${row.host_address}]` : row.host_address}:${row.port}`,
  );
  return `remote(${sqlString(addresses.join(','))}, ${sqlIdentifier(database)}, ${sqlIdentifier(localTable)})`;
}

/**
 * The spans of `spans` that the spans table does not hold. A span counts as
 * held when a row has its trace id, span id, start and duration: what a
 * replay must not write again after an insert whose outcome it never heard
 * (the spool, `storage/spool/`). Each query reads only the batch's services
 * within its start times (the table's primary key), so it costs about what
 * reading those spans back costs.
 */
export async function unstoredSpans(
  http: ClickHouseHttp,
  tables: StoredSpansTables,
  spans: readonly Span[],
): Promise<Span[]> {
  const everyReplica = await tables.everyReplica?.().catch(() => undefined);
  const missing: Span[] = [];
  for (let start = 0; start < spans.length; start += CHUNK) {
    const chunk = spans.slice(start, start + CHUNK);
    const services = new Set<string>();
    const ids = new Set<string>();
    let first = chunk[0]!.startTimeUnixNano;
    let last = first;
    for (const span of chunk) {
      services.add(serviceNameOf(span.resource));
      ids.add(BigInt(`0x${span.spanId}`).toString());
      if (span.startTimeUnixNano < first) first = span.startTimeUnixNano;
      if (span.startTimeUnixNano > last) last = span.startTimeUnixNano;
    }
    type Row = { trace_hi: string; trace_lo: string; span_id: string; start_ns: string; duration_ns: string };
    const read = (table: string) =>
      http.query<Row>(
        `SELECT trace_hi, trace_lo, span_id, start_ns, duration_ns FROM ${table}
         PREWHERE span_id IN (${[...ids].join(', ')})
         WHERE service IN (${[...services].map(sqlString).join(', ')})
           AND start_ns >= ${sqlInteger(first)} AND start_ns <= ${sqlInteger(last)}`,
      );
    let rows: Row[];
    if (everyReplica === undefined) rows = await read(tables.spans);
    else {
      try {
        rows = await read(everyReplica);
        tables.waitForEveryReplica?.(false);
      } catch (error) {
        if (tables.waitForEveryReplica?.(true) ?? true) throw error;
        rows = await read(tables.spans);
      }
    }
    const held = new Set(
      rows.map((row) =>
        spanKey(
          traceIdFromHalves(BigInt(row.trace_hi), BigInt(row.trace_lo)),
          BigInt(row.span_id).toString(16).padStart(16, '0'),
          BigInt(row.start_ns),
          BigInt(row.duration_ns),
        ),
      ),
    );
    for (const span of chunk) {
      const duration = span.endTimeUnixNano - span.startTimeUnixNano;
      const key = spanKey(span.traceId, span.spanId, span.startTimeUnixNano, duration > 0n ? duration : 0n);
      if (!held.has(key)) missing.push(span);
    }
  }
  if (missing.length < spans.length) await mendTraceIndex(http, tables, spans, missing);
  return missing;
}

/**
 * The trace index rows of the spans found held. ClickHouse fills the trace
 * index from the spans table by a materialized view, in a second step of the
 * same insert: a server killed between the two keeps the spans and loses
 * their index rows, and getTrace, which reads the index first, would not find
 * them. A row per (trace, day) computed from the held spans is harmless when
 * the view did write its own (getTrace takes the widest bounds of a trace's
 * rows), and finds them when it did not. (The per-day operation counts of
 * such an insert stay short: the services and operations lists are right.)
 */
async function mendTraceIndex(
  http: ClickHouseHttp,
  tables: StoredSpansTables,
  spans: readonly Span[],
  missing: readonly Span[],
): Promise<void> {
  const notHeld = new Set(missing);
  const traces = new Map<string, { first: bigint; last: bigint }>();
  for (const span of spans) {
    if (notHeld.has(span)) continue;
    const bounds = traces.get(span.traceId);
    if (bounds === undefined) traces.set(span.traceId, { first: span.startTimeUnixNano, last: span.startTimeUnixNano });
    else {
      if (span.startTimeUnixNano < bounds.first) bounds.first = span.startTimeUnixNano;
      if (span.startTimeUnixNano > bounds.last) bounds.last = span.startTimeUnixNano;
    }
  }
  const ids = [...traces.keys()];
  for (let start = 0; start < ids.length; start += CHUNK) {
    const chunk = ids.slice(start, start + CHUNK);
    let first = traces.get(chunk[0]!)!.first;
    let last = first;
    const pairs: string[] = [];
    for (const traceId of chunk) {
      const bounds = traces.get(traceId)!;
      if (bounds.first < first) first = bounds.first;
      if (bounds.last > last) last = bounds.last;
      const [hi, lo] = traceIdHalves(traceId);
      pairs.push(`(${sqlInteger(hi)}, ${sqlInteger(lo)})`);
    }
    await http.command(
      `INSERT INTO ${tables.traceIndex} (trace_hi, trace_lo, day, min_start_ns, max_start_ns, max_end_ns, services)
       SELECT trace_hi, trace_lo, ${DAY_OF_START} AS day, min(start_ns), max(start_ns), max(start_ns + duration_ns),
         groupUniqArray(CAST(service AS String))
       FROM ${tables.spans}
       WHERE (trace_hi, trace_lo) IN (${pairs.join(', ')})
         AND start_ns >= ${sqlInteger(first)} AND start_ns <= ${sqlInteger(last)}
       GROUP BY trace_hi, trace_lo, day`,
    );
  }
}

function spanKey(traceId: string, spanId: string, start: bigint, duration: bigint): string {
  return `${traceId.toLowerCase()}/${spanId.toLowerCase()}/${start}/${duration}`;
}
