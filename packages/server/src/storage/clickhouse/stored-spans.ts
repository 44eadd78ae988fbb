import { type Span, serviceNameOf } from '@ariadne/protocol';
import type { ClickHouseHttp } from './clickhouse-http.js';
import { sqlInteger, sqlString, traceIdFromHalves } from './sql-literal.js';

/** Spans asked about per query: keeps each query's text far below ClickHouse's max_query_size (256 KiB). */
const CHUNK = 1_000;

/**
 * The spans of `spans` that the spans table does not hold. A span counts as
 * held when a row has its trace id, span id, start and duration: what a
 * replay must not write again after an insert whose outcome it never heard
 * (the spool, `storage/spool/`). Each query reads only the batch's services
 * within its start times (the table's primary key), so it costs about what
 * reading those spans back costs.
 */
export async function unstoredSpans(http: ClickHouseHttp, table: string, spans: readonly Span[]): Promise<Span[]> {
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
    const rows = await http.query<Row>(
      `SELECT trace_hi, trace_lo, span_id, start_ns, duration_ns FROM ${table}
       PREWHERE span_id IN (${[...ids].join(', ')})
       WHERE service IN (${[...services].map(sqlString).join(', ')})
         AND start_ns >= ${sqlInteger(first)} AND start_ns <= ${sqlInteger(last)}`,
    );
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
  return missing;
}

function spanKey(traceId: string, spanId: string, start: bigint, duration: bigint): string {
  return `${traceId.toLowerCase()}/${spanId.toLowerCase()}/${start}/${duration}`;
}
