import {
  AriadneError,
  normalizeTraceId,
  type Resource,
  type Span,
  type SpanKind,
  StatusCode,
  stringValue,
} from '@ariadne/protocol';
import type { ClickHouseConfig } from '../open-store.js';
import { compareText, sortOperations } from '../query/service-catalog.js';
import { summarizeTrace } from '../query/summarize-trace.js';
import type {
  DependencyLink,
  DependencyReader,
  Operation,
  OperationQuery,
  RedMetricsQuery,
  RedMetricsReader,
  RedMetricsSeries,
  SpanStore,
  TimeRange,
  TraceQuery,
  TraceSummary,
} from '../span-store.js';
import { CANNOT_COMPILE_REGEXP, ClickHouseError, ClickHouseHttp, type Settings } from './clickhouse-http.js';
import {
  DdlRunner,
  migrateSchema,
  OPERATIONS,
  queryTable,
  type SchemaTarget,
  SPANS,
  TRACE_INDEX,
} from './clickhouse-schema.js';
import { dropExpiredPartitions } from './drop-expired-partitions.js';
import { GroupInsert } from './group-insert.js';
import { type RedMetricsRow, redMetricsSql, redMetricsToSeries, validateRedMetricsQuery } from './red-metrics-sql.js';
import { spanConditionsSql } from './search-sql.js';
import { spanFromOtlpColumn, spanToRow } from './span-row.js';
import { sqlInteger, sqlString, traceIdFromHalves, traceIdHalves } from './sql-literal.js';

export interface ClickHouseStoreOptions extends ClickHouseConfig {
  /** Spans older than this (by start time) are dropped, whole UTC days at a time. Absent: kept forever. */
  readonly retentionNanos?: bigint;
  /** How often retention runs after the run at open. Default: hourly. */
  readonly retentionIntervalMs?: number;
}

/** The ClickHouse store, plus retention on demand (what the periodic job runs). */
export interface ClickHouseStore extends SpanStore, DependencyReader, RedMetricsReader {
  /**
   * Drops the day partitions that hold only spans older than the retention,
   * as of `nowNanos`; resolves to the days dropped (`YYYY-MM-DD`). Without a
   * retention it drops nothing.
   */
  applyRetention(nowNanos?: bigint): Promise<string[]>;
}

const HOUR_MS = 3_600_000;

/**
 * Opens (creating or migrating the schema first) the ClickHouse store. Writes
 * are durable once ClickHouse acknowledged the insert (in cluster mode: once
 * every shard did, `insert_distributed_sync`). See clickhouse-schema.ts for the
 * tables and README.md for operation notes.
 */
export async function openClickHouseStore(options: ClickHouseStoreOptions): Promise<ClickHouseStore> {
  const cluster = options.cluster;
  // Traces live on one shard each, so subqueries and joins may run per shard.
  const settings: Settings = cluster === undefined ? {} : { distributed_product_mode: 'local' };
  const http = new ClickHouseHttp({
    url: options.url,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    settings,
  });
  const target: SchemaTarget =
    cluster === undefined ? { database: options.database } : { database: options.database, cluster };
  const ddl = new DdlRunner(http, target);
  await migrateSchema(http, target, ddl);
  const spans = queryTable(target, SPANS);
  const traceIndex = queryTable(target, TRACE_INDEX);
  const operations = queryTable(target, OPERATIONS);
  const insertSettings: Settings = cluster === undefined ? {} : { insert_distributed_sync: 1 };

  const inserts = new GroupInsert((body) => http.insert(spans, body, insertSettings));

  let closed = false;
  const inFlight = new Set<Promise<unknown>>();
  const run = <T>(action: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new AriadneError('StorageFailure', 'the ClickHouse store is closed'));
    const promise = action();
    inFlight.add(promise);
    const forget = () => inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  };

  const applyRetention = async (nowNanos = BigInt(Date.now()) * 1_000_000n): Promise<string[]> => {
    if (options.retentionNanos === undefined) return [];
    return dropExpiredPartitions(http, ddl, target, nowNanos - options.retentionNanos);
  };
  await applyRetention();
  let timer: NodeJS.Timeout | undefined;
  if (options.retentionNanos !== undefined) {
    timer = setInterval(() => {
      if (closed) return;
      void run(() => applyRetention()).catch((error: unknown) => {
        console.error(`ariadne: ClickHouse retention failed: ${error instanceof Error ? error.message : error}`);
      });
    }, options.retentionIntervalMs ?? HOUR_MS);
    timer.unref();
  }

  const serviceResources = new Map<string, Resource>();
  const resourceOf = (service: string): Resource => {
    let resource = serviceResources.get(service);
    if (resource === undefined) {
      resource = { attributes: [{ key: 'service.name', value: stringValue(service) }], droppedAttributesCount: 0 };
      serviceResources.set(service, resource);
    }
    return resource;
  };

  return {
    writeSpans: (batch) =>
      run(async () => {
        if (batch.length === 0) return;
        let body = '';
        for (const span of batch) body += spanToRow(span);
        await inserts.write(body);
      }),

    getTrace: (traceId: string, _timeRange?: TimeRange) =>
      run(async () => {
        const id = normalizeTraceId(traceId);
        if (id === undefined) throw new AriadneError('TraceNotFound', `trace ${traceId} not found`);
        const [hi, lo] = traceIdHalves(id);
        const match = `trace_hi = ${sqlInteger(hi)} AND trace_lo = ${sqlInteger(lo)}`;
        const [bounds] = await http.query<TraceBounds & { rows: string }>(
          `SELECT count() AS rows, min(min_start_ns) AS first, max(max_start_ns) AS last,
             groupUniqArrayArray(services) AS services FROM ${traceIndex} WHERE ${match}`,
        );
        if (bounds === undefined || bounds.rows === '0') {
          throw new AriadneError('TraceNotFound', `trace ${traceId} not found`);
        }
        const rows = await http.query<{ otlp: string }>(
          `SELECT otlp FROM ${spans} WHERE ${match} AND ${whereSpansOf(bounds)}`,
        );
        if (rows.length === 0) throw new AriadneError('TraceNotFound', `trace ${traceId} not found`);
        return rows.map((row) => spanFromOtlpColumn(row.otlp));
      }),

    findTraces: (query: TraceQuery) =>
      run(async () => {
        const conditions = spanConditionsSql(query);
        let ranked: (TraceBounds & { trace_hi: string; trace_lo: string })[];
        try {
          // Ranked by each trace's start over all its spans (the index), not only the matching ones.
          ranked = await http.query(
            `SELECT trace_hi, trace_lo, min(min_start_ns) AS first, max(max_start_ns) AS last,
               groupUniqArrayArray(services) AS services FROM ${traceIndex}
             WHERE (trace_hi, trace_lo) IN (SELECT trace_hi, trace_lo FROM ${spans} WHERE ${conditions})
             GROUP BY trace_hi, trace_lo ORDER BY first DESC, trace_hi, trace_lo LIMIT ${sqlInteger(query.limit)}`,
          );
        } catch (error) {
          if (error instanceof ClickHouseError && error.code === CANNOT_COMPILE_REGEXP) {
            throw new AriadneError('InvalidQuery', `invalid regular expression: ${error.message}`, { cause: error });
          }
          throw error;
        }
        if (ranked.length === 0) return [];
        const ids = ranked.map((row) => `(${row.trace_hi}, ${row.trace_lo})`);
        // One tuple alone in parentheses would read as a tuple, not a set of one.
        if (ids.length === 1) ids.push(ids[0]!);
        const rows = await http.query<SummaryRow>(
          `SELECT trace_hi, trace_lo, span_id, parent_span_id, service, name, start_ns, duration_ns, status_code FROM ${spans}
           WHERE (trace_hi, trace_lo) IN (${ids.join(', ')}) AND ${whereSpansOf(mergeBounds(ranked))}`,
        );
        const byTrace = new Map<string, Span[]>();
        for (const row of rows) {
          const key = `${row.trace_hi}:${row.trace_lo}`;
          let trace = byTrace.get(key);
          if (trace === undefined) {
            trace = [];
            byTrace.set(key, trace);
          }
          trace.push(summarySpan(row, resourceOf));
        }
        const summaries: TraceSummary[] = [];
        for (const row of ranked) {
          const trace = byTrace.get(`${row.trace_hi}:${row.trace_lo}`);
          // Absent only when retention dropped the spans between the two queries.
          if (trace !== undefined) summaries.push(summarizeTrace(trace));
        }
        return summaries;
      }),

    getServices: () =>
      run(async () => {
        const rows = await http.query<{ service: string }>(`SELECT DISTINCT service FROM ${operations}`);
        return rows.map((row) => row.service).sort(compareText);
      }),

    getOperations: (query: OperationQuery) =>
      run(async () => {
        const kind = query.spanKind === undefined ? '' : ` AND kind = ${sqlInteger(query.spanKind)}`;
        const rows = await http.query<{ name: string; kind: number }>(
          `SELECT DISTINCT name, kind FROM ${operations} WHERE service = ${sqlString(query.service)}${kind}`,
        );
        const found: Operation[] = rows.map((row) => ({ name: row.name, spanKind: Number(row.kind) as SpanKind }));
        return sortOperations(found);
      }),

    getDependencies: (timeRange: TimeRange) =>
      run(async () => {
        if (timeRange.startNanos > timeRange.endNanos) {
          throw new AriadneError('InvalidQuery', 'time range starts after it ends');
        }
        const inRange = `start_ns >= ${sqlInteger(timeRange.startNanos)} AND start_ns <= ${sqlInteger(timeRange.endNanos)}`;
        // A child in the range counts even when its parent started outside it (before, or
        // after with clock skew): the trace index bounds where the parents can be.
        const tracesWithChildren = `(trace_hi, trace_lo) IN (SELECT trace_hi, trace_lo FROM ${spans} WHERE ${inRange} AND parent_span_id != 0)`;
        const [bounds] = await http.query<{ traces: string; first: string; last: string }>(
          `SELECT count() AS traces, min(min_start_ns) AS first, max(max_start_ns) AS last FROM ${traceIndex} WHERE ${tracesWithChildren}`,
        );
        if (bounds === undefined || bounds.traces === '0') return [];
        const parentRange = `start_ns >= ${sqlInteger(BigInt(bounds.first))} AND start_ns <= ${sqlInteger(BigInt(bounds.last))}`;
        // ANY join: a parent written twice still counts once per child.
        const rows = await http.query<{ parent: string; child: string; calls: string; errors: string }>(
          `SELECT parent_service AS parent, service AS child, count() AS calls, countIf(status_code = ${StatusCode.Error}) AS errors
           FROM ${spans}
           ANY INNER JOIN (
             SELECT trace_hi, trace_lo, span_id AS parent_span_id, service AS parent_service FROM ${spans}
             WHERE ${parentRange} AND ${tracesWithChildren}
           ) USING (trace_hi, trace_lo, parent_span_id)
           WHERE ${inRange} AND parent_span_id != 0 AND parent_service != service
           GROUP BY parent, child`,
        );
        const links: DependencyLink[] = rows.map((row) => ({
          parent: row.parent,
          child: row.child,
          callCount: Number(row.calls),
          errorCount: Number(row.errors),
        }));
        return links.sort((a, b) => compareText(a.parent, b.parent) || compareText(a.child, b.child));
      }),

    getRedMetrics: (query: RedMetricsQuery): Promise<RedMetricsSeries[]> =>
      run(async () => {
        validateRedMetricsQuery(query);
        const rows = await http.query<RedMetricsRow>(redMetricsSql(spans, query));
        return redMetricsToSeries(rows, query);
      }),

    applyRetention: (nowNanos?: bigint) => run(() => applyRetention(nowNanos)),

    async close(): Promise<void> {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** Where a trace's spans are, from the trace index: its services and the range of its span starts. */
interface TraceBounds {
  readonly first: string;
  readonly last: string;
  readonly services: readonly string[];
}

/** Conditions on the spans table's primary key (service, start_ns): a few granules instead of whole days. */
function whereSpansOf(bounds: TraceBounds): string {
  return `service IN (${bounds.services.map(sqlString).join(', ')}) AND start_ns >= ${sqlInteger(
    BigInt(bounds.first),
  )} AND start_ns <= ${sqlInteger(BigInt(bounds.last))}`;
}

function mergeBounds(all: readonly TraceBounds[]): TraceBounds {
  let first = BigInt(all[0]!.first);
  let last = BigInt(all[0]!.last);
  const services = new Set<string>();
  for (const bounds of all) {
    if (BigInt(bounds.first) < first) first = BigInt(bounds.first);
    if (BigInt(bounds.last) > last) last = BigInt(bounds.last);
    for (const service of bounds.services) services.add(service);
  }
  return { first: first.toString(), last: last.toString(), services: [...services] };
}

interface SummaryRow {
  readonly trace_hi: string;
  readonly trace_lo: string;
  readonly span_id: string;
  readonly parent_span_id: string;
  readonly service: string;
  readonly name: string;
  readonly start_ns: string;
  readonly duration_ns: string;
  readonly status_code: number;
}

/** Just the fields `summarizeTrace` reads: the summary logic stays the one all stores share. */
function summarySpan(row: SummaryRow, resourceOf: (service: string) => Resource): Span {
  const start = BigInt(row.start_ns);
  const parent = BigInt(row.parent_span_id);
  return {
    traceId: traceIdFromHalves(BigInt(row.trace_hi), BigInt(row.trace_lo)),
    spanId: BigInt(row.span_id).toString(16).padStart(16, '0'),
    parentSpanId: parent === 0n ? '' : parent.toString(16).padStart(16, '0'),
    name: row.name,
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt(row.duration_ns),
    status: { code: Number(row.status_code) as StatusCode, message: '' },
    resource: resourceOf(row.service),
  } as Span;
}
