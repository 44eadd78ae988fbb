import {
  AriadneError,
  normalizeTraceId,
  type Resource,
  type SpanKind,
  StatusCode,
  stringValue,
} from '@ariadne/protocol';
import type { ClickHouseConfig } from '../open-store.js';
import { compareText, sortOperations } from '../query/service-catalog.js';
import type { RecentSpansReader } from '../recent-spans-reader.js';
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
} from '../span-store.js';
import type { StoredSpanFilter } from '../stored-span-filter.js';
import { ClickHouseHttp, type Settings } from './clickhouse-http.js';
import {
  DAY_PARTITIONED,
  DdlRunner,
  localName,
  localTable,
  migrateSchema,
  OPERATIONS,
  queryTable,
  type SchemaTarget,
  SPANS,
  schemaV3,
  TRACE_INDEX,
} from './clickhouse-schema.js';
import { dropExpiredPartitions } from './drop-expired-partitions.js';
import { findTraceSummaries } from './find-traces.js';
import { GroupInsert } from './group-insert.js';
import { migrateSpansV1 } from './migrate-spans-v1.js';
import { migrateSpansV2 } from './migrate-spans-v2.js';
import { readRecentSpans } from './recent-spans-sql.js';
import { type RedMetricsRow, redMetricsSql, redMetricsToSeries, validateRedMetricsQuery } from './red-metrics-sql.js';
import { clusterHasReplicas, replicateLocalTables } from './replication.js';
import { sendWithRetries } from './retried-insert.js';
import { RowBinaryReader } from './row-binary.js';
import { SPAN_CONTENT_HASH, SPAN_ROW_COLUMNS, SpanRowDecoder, SpanRowEncoder } from './span-row.js';
import { sqlIdentifier, sqlInteger, sqlString, traceIdHalves } from './sql-literal.js';
import { everyReplicaTable, replicaPatience, type StoredSpansTables, unstoredSpans } from './stored-spans.js';

/** How long a replay waits for every replica before reading one per shard (`replicaPatience`). */
const EVERY_REPLICA_PATIENCE_MS = 120_000;

export interface ClickHouseStoreOptions extends ClickHouseConfig {
  /** Spans older than this (by start time) are dropped, whole UTC days at a time. Absent: kept forever. */
  readonly retentionNanos?: bigint;
  /** How often retention runs after the run at open. Default: hourly. */
  readonly retentionIntervalMs?: number;
  /** Told when work in the background (retention) fails; it runs again at its next time. Default: a line on stderr. */
  readonly onBackgroundError?: (error: unknown, what: string) => void;
}

/** The ClickHouse store, plus retention on demand (what the periodic job runs). */
export interface ClickHouseStore
  extends SpanStore,
    DependencyReader,
    RedMetricsReader,
    RecentSpansReader,
    StoredSpanFilter {
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
 * every shard did, `insert_distributed_sync`; on replicas, retried with
 * deduplication, replication.ts). See clickhouse-schema.ts for the
 * tables and README.md for operation notes.
 */
export async function openClickHouseStore(options: ClickHouseStoreOptions): Promise<ClickHouseStore> {
  const cluster = options.cluster;
  // Traces live on one shard each, so subqueries and joins may run per shard. Replicas: the first
  // live one of each shard, always (`in_order`), so that a search's several queries, and a read
  // after a write, see the same replica; replicas lag each other by the parts not yet fetched.
  const settings: Settings =
    cluster === undefined ? {} : { distributed_product_mode: 'local', load_balancing: 'in_order' };
  const http = new ClickHouseHttp({
    url: options.url,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    settings,
  });
  const replicated = cluster !== undefined && (await clusterHasReplicas(http, cluster));
  const target: SchemaTarget =
    cluster === undefined ? { database: options.database } : { database: options.database, cluster, replicated };
  const ddl = new DdlRunner(http, target);
  const encoder = new SpanRowEncoder();
  // Rows copied from version 1 stay on the node that holds them: its local table.
  await migrateSchema(
    http,
    target,
    ddl,
    () =>
      migrateSpansV1(http, target, (batch) =>
        http.insert(localTable(target, SPANS), SPAN_ROW_COLUMNS, encoder.encode(batch)),
      ),
    () => migrateSpansV2(http, target),
  );
  // A cluster given replicas after its tables were made: convert this node's, then create the
  // database and tables on the new replicas (IF NOT EXISTS everywhere else).
  if (replicated && (await replicateLocalTables(http, target, DAY_PARTITIONED)).length > 0) {
    await ddl.run(`CREATE DATABASE IF NOT EXISTS ${sqlIdentifier(target.database)} ON_CLUSTER`);
    for (const statement of schemaV3(target)) await ddl.run(statement);
  }
  const spans = queryTable(target, SPANS);
  const traceIndex = queryTable(target, TRACE_INDEX);
  // Where a replay after an unknown outcome looks for what ClickHouse already holds (the spool).
  const storedSpansTables: StoredSpansTables = {
    spans,
    traceIndex,
    ...(replicated && cluster !== undefined
      ? {
          everyReplica: () => everyReplicaTable(http, cluster, options.database, localName(target, SPANS)),
          waitForEveryReplica: replicaPatience(EVERY_REPLICA_PATIENCE_MS),
        }
      : {}),
  };
  const operations = queryTable(target, OPERATIONS);
  const quorum = options.insertQuorum;
  const insertSettings: Settings =
    cluster === undefined
      ? {}
      : {
          insert_distributed_sync: 1,
          // Bounded: ClickHouse's default (10 minutes) outlasts our request timeout.
          ...(quorum === undefined ? {} : { insert_quorum: quorum, insert_quorum_timeout: 60_000 }),
        };
  const insert = (body: Uint8Array) => http.insert(spans, SPAN_ROW_COLUMNS, body, insertSettings);
  // Retries resend the identical body: replicas deduplicate it (retried-insert.ts).
  let closed = false;
  const inserts = new GroupInsert(
    replicated ? (body) => sendWithRetries(() => insert(body), { abandoned: () => closed }) : insert,
  );
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
        if (options.onBackgroundError) options.onBackgroundError(error, 'ClickHouse retention');
        else console.error(`ariadne: ClickHouse retention failed: ${error instanceof Error ? error.message : error}`);
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
        await inserts.write(encoder.encode(batch));
      }),

    getTrace: (traceId: string, _timeRange?: TimeRange) =>
      run(async () => {
        const id = normalizeTraceId(traceId);
        if (id === undefined) throw new AriadneError('TraceNotFound', `trace ${traceId} not found`);
        const [hi, lo] = traceIdHalves(id);
        const match = `trace_hi = ${sqlInteger(hi)} AND trace_lo = ${sqlInteger(lo)}`;
        // One round trip: the trace index gives the start times, which ClickHouse evaluates first
        // and then uses with the trace id on the spans table's sort key (minute of start, trace id).
        // Copies of a span (a client's retries) leave ClickHouse once: the hash of rows read anyway.
        const index = `FROM ${traceIndex} WHERE ${match}`;
        const rows = await http.queryBinary(
          `SELECT ${SPAN_ROW_COLUMNS.join(', ')} FROM ${spans} PREWHERE ${match}
           WHERE start_ns >= (SELECT min(min_start_ns) ${index}) AND start_ns <= (SELECT max(max_start_ns) ${index})
           LIMIT 1 BY span_id, ${SPAN_CONTENT_HASH}`,
        );
        const found = new SpanRowDecoder().decodeAll(new RowBinaryReader(rows));
        if (found.length === 0) throw new AriadneError('TraceNotFound', `trace ${traceId} not found`);
        return found;
      }),

    findTraces: (query: TraceQuery) => run(() => findTraceSummaries(http, { spans, traceIndex }, query, resourceOf)),

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
        type LinkRow = { parent: string; child: string; calls: string; errors: string };
        // Children whose parent came in the same write know its service already (parent_service).
        const resolved = http.query<LinkRow>(
          `SELECT parent_service AS parent, service AS child, count() AS calls, countIf(status_code = ${StatusCode.Error}) AS errors
           FROM ${spans} PREWHERE parent_service != '' WHERE ${inRange} AND parent_service != service
           GROUP BY parent, child`,
        );
        // The others are joined with their parents. A child in the range counts even when its parent
        // started outside it (before, or after with clock skew): the trace index bounds where the parents can be.
        const unresolved = `parent_span_id != 0 AND parent_service = ''`;
        const tracesWithChildren = `(trace_hi, trace_lo) IN (SELECT trace_hi, trace_lo FROM ${spans} WHERE ${inRange} AND ${unresolved})`;
        const joined = (async (): Promise<LinkRow[]> => {
          const [bounds] = await http.query<{ traces: string; first: string; last: string }>(
            `SELECT count() AS traces, min(min_start_ns) AS first, max(max_start_ns) AS last FROM ${traceIndex} WHERE ${tracesWithChildren}`,
          );
          if (bounds === undefined || bounds.traces === '0') return [];
          const parentRange = `start_ns >= ${sqlInteger(BigInt(bounds.first))} AND start_ns <= ${sqlInteger(BigInt(bounds.last))}`;
          // ANY join: a parent written twice still counts once per child.
          return http.query<LinkRow>(
            `SELECT parent_service AS parent, service AS child, count() AS calls, countIf(status_code = ${StatusCode.Error}) AS errors
             FROM (SELECT trace_hi, trace_lo, parent_span_id, service, status_code FROM ${spans} WHERE ${inRange} AND ${unresolved})
             ANY INNER JOIN (
               SELECT trace_hi, trace_lo, span_id AS parent_span_id, service AS parent_service FROM ${spans}
               WHERE ${parentRange} AND ${tracesWithChildren}
             ) USING (trace_hi, trace_lo, parent_span_id)
             WHERE parent_service != service
             GROUP BY parent, child`,
          );
        })();
        const counts = new Map<string, DependencyLink>();
        for (const row of (await Promise.all([resolved, joined])).flat()) {
          const key = `${row.parent}\u0000${row.child}`;
          const known = counts.get(key);
          const calls = Number(row.calls) + (known?.callCount ?? 0);
          const errors = Number(row.errors) + (known?.errorCount ?? 0);
          counts.set(key, { parent: row.parent, child: row.child, callCount: calls, errorCount: errors });
        }
        const links = [...counts.values()];
        return links.sort((a, b) => compareText(a.parent, b.parent) || compareText(a.child, b.child));
      }),

    getRedMetrics: (query: RedMetricsQuery): Promise<RedMetricsSeries[]> =>
      run(async () => {
        validateRedMetricsQuery(query);
        const rows = await http.query<RedMetricsRow>(redMetricsSql(spans, query));
        return redMetricsToSeries(rows, query);
      }),

    readRecentSpans: (query) => run(() => readRecentSpans(http, spans, query)),

    applyRetention: (nowNanos?: bigint) => run(() => applyRetention(nowNanos)),

    unstoredSpans: (batch) => run(() => unstoredSpans(http, storedSpansTables, batch)),

    async close(): Promise<void> {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
