import type { Span } from '@ariadne/protocol';
import type { RecentSpansQuery } from '../recent-spans-reader.js';
import type { ClickHouseHttp } from './clickhouse-http.js';
import { RowBinaryReader } from './row-binary.js';
import { SPAN_ROW_COLUMNS, SpanRowDecoder } from './span-row.js';
import { sqlInteger } from './sql-literal.js';

/**
 * The spans that ended lately (live tail on query nodes). The start bound
 * goes first so that the primary key `(service, start_ns)` and the day
 * partitions limit the scan to the last minutes; the end condition is read
 * in PREWHERE from two columns before any other column is.
 */
export async function readRecentSpans(http: ClickHouseHttp, spans: string, query: RecentSpansQuery): Promise<Span[]> {
  const limit = Math.max(1, Math.floor(query.limit));
  const rows = await http.queryBinary(
    `SELECT ${SPAN_ROW_COLUMNS.join(', ')} FROM ${spans}
     PREWHERE start_ns >= ${sqlInteger(query.startedAfterNanos)}
       AND start_ns + duration_ns >= ${sqlInteger(query.endedAfterNanos)}
     ORDER BY start_ns + duration_ns DESC
     LIMIT ${limit}`,
  );
  return new SpanRowDecoder().decodeAll(new RowBinaryReader(rows));
}
