import type { Span } from '@ariadne/protocol';
import type { RecentSpansQuery } from '../recent-spans-reader.js';
import type { ClickHouseHttp } from './clickhouse-http.js';
import { RowBinaryReader } from './row-binary.js';
import { SPAN_ROW_COLUMNS, SpanRowDecoder } from './span-row.js';
import { sqlInteger, sqlString } from './sql-literal.js';

/**
 * The spans that ended lately (live tail on query nodes). The services and
 * the start bound go first so that the primary key `(service, start_ns)` and
 * the day partitions limit the scan to the last minute or so; the end
 * condition is read in PREWHERE from two columns before any other column is.
 */
export async function readRecentSpans(http: ClickHouseHttp, spans: string, query: RecentSpansQuery): Promise<Span[]> {
  const limit = Math.max(1, Math.floor(query.limit));
  if (query.services?.length === 0) return [];
  // Services lead the primary key: with them, only their spans of the last minutes are read.
  const services = query.services === undefined ? '' : `service IN (${query.services.map(sqlString).join(', ')}) AND `;
  const rows = await http.queryBinary(
    `SELECT ${SPAN_ROW_COLUMNS.join(', ')} FROM ${spans}
     PREWHERE ${services}start_ns >= ${sqlInteger(query.startedAfterNanos)}
       AND start_ns + duration_ns >= ${sqlInteger(query.endedAfterNanos)}
     ORDER BY start_ns + duration_ns DESC
     LIMIT ${limit}`,
  );
  return new SpanRowDecoder().decodeAll(new RowBinaryReader(rows));
}
