import {
  AriadneError,
  normalizeTraceId,
  type Resource,
  type SpanKind,
  StatusCode,
  stringValue,
} from '@ariadne/protocol';
import type { RetentionPolicy } from '../../retention/retention-policy.js';
import type { RetentionControl } from '../embedded/compactor.js';
import { compareText, sortOperations } from '../query/service-catalog.js';
import type {
  DependencyLink,
  Operation,
  OperationQuery,
  RedMetricsQuery,
  RedMetricsSeries,
  TimeRange,
  TraceQuery,
  TraceRetention,
  TraceSummary,
} from '../span-store.js';
import type { TraceRetentionReader } from '../trace-retention-reader.js';
import { ClickHouseHttp } from './clickhouse-http.js';
import { DdlRunner, OPERATIONS, type SchemaTarget, SPANS, TRACE_INDEX } from './clickhouse-schema.js';
import { type ClickHouseStore, type ClickHouseStoreOptions, openClickHouseStore } from './clickhouse-store.js';
import { dropExpiredPartitions } from './drop-expired-partitions.js';
import { findTraceSummaries } from './find-traces.js';
import {
  clusterDays,
  dayAfterEveryShardCopied,
  firstAnsweringNode,
  shardCount,
  shardsThatCopied,
} from './kept-tier-cluster.js';
import {
  copyDay,
  DAY_NANOS,
  dayCopied,
  dayStartNanos,
  type KeptTierContext,
  KeptTierCounts,
} from './kept-tier-copy.js';
import { withKeptPassLease } from './kept-tier-lease.js';
import {
  createKeptTierTables,
  DEPENDENCY_SECONDS,
  KEPT_DAYS,
  KEPT_PARENTS,
  KEPT_TRACES,
  keptSpanColumns,
  OPERATIONS_KEPT,
  RED_SECONDS,
  SPANS_KEPT,
} from './kept-tier-schema.js';
import { dayOfPartition, dropExpiredKept, mergeFinishedWeeks } from './kept-tier-weeks.js';
import { type RedMetricsRow, redMetricsSql, redMetricsToSeries, validateRedMetricsQuery } from './red-metrics-sql.js';
import { clusterHasReplicas } from './replication.js';
import { RowBinaryReader } from './row-binary.js';
import { SPAN_CONTENT_HASH, SPAN_ROW_COLUMNS, SpanRowDecoder } from './span-row.js';
import { sqlIdentifier, sqlInteger, sqlString, traceIdFromHalves, traceIdHalves } from './sql-literal.js';

export interface ClickHouseKeptStoreOptions extends ClickHouseStoreOptions {
  /** The full tier: every span this long. */
  readonly retentionNanos: bigint;
  /** The kept tier: the traces the policy keeps, this long. */
  readonly retentionKeptNanos: bigint;
  readonly retentionPolicy: RetentionPolicy;
  /** The clock retention runs by (tests and benchmarks move it). Default: the wall clock. */
  readonly now?: () => bigint;
  /** Told after each step of a day's copy (tests: the crash test stops there). */
  readonly onCopyStep?: (step: string, day: string) => void;
  /** A pass's lease left without a beat this long is broken (kept-tier-lease.ts). Default 2 minutes; tests that kill a pass: 0. */
  readonly passLeaseStaleMs?: number;
}

export type ClickHouseKeptStore = ClickHouseStore & RetentionControl & TraceRetentionReader;

const HOUR_MS = 3_600_000;

/**
 * The ClickHouse store with a kept tier (`--retention-kept`). It wraps the
 * plain store (which then drops nothing itself) and, instead of dropping a
 * day past `--retention`, first copies what the policy keeps of it into the
 * kept tables (kept-tier-copy.ts), then drops it. Reads look in both tiers;
 * RED metrics, dependencies, services and operations come from the
 * aggregates of every span for the days already copied, from the spans for
 * the others. In cluster mode each shard copies its own days
 * (kept-tier-cluster.ts).
 */
export async function openClickHouseKeptStore(options: ClickHouseKeptStoreOptions): Promise<ClickHouseKeptStore> {
  const { retentionNanos: _full, retentionIntervalMs, onCopyStep: _step, passLeaseStaleMs: _lease, ...plain } = options;
  const base = await openClickHouseStore(plain);
  const cluster = options.cluster;
  const clientOf = (url: string) =>
    new ClickHouseHttp({
      url,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
      // As the plain store's: subqueries per shard, the same replica for a read's several queries.
      ...(cluster === undefined ? {} : { settings: { distributed_product_mode: 'local', load_balancing: 'in_order' } }),
    });
  const http = clientOf(options.url);
  const replicated = cluster !== undefined && (await clusterHasReplicas(http, cluster));
  const target: SchemaTarget =
    cluster === undefined ? { database: options.database } : { database: options.database, cluster, replicated };
  const ddl = new DdlRunner(http, target);
  await createKeptTierTables(http, target, ddl);
  // For reads (where the full tier starts); each pass reads it again, so a shard added shows up within an hour.
  let shards = cluster === undefined ? 1 : await shardCount(http, cluster);
  const context: KeptTierContext = {
    http,
    database: options.database,
    policy: options.retentionPolicy,
    spanColumns: await keptSpanColumns(http, options.database),
    ...(options.onCopyStep === undefined ? {} : { onStep: options.onCopyStep }),
  };
  const counts = new KeptTierCounts();
  const table = (name: string) => `${sqlIdentifier(options.database)}.${sqlIdentifier(name)}`;
  const now = options.now ?? (() => BigInt(Date.now()) * 1_000_000n);

  // One pass at a time: the hourly one and one asked for never copy the same day together.
  let passes: Promise<unknown> = Promise.resolve();
  const applyRetention = (nowNanos = now()): Promise<string[]> => {
    const pass = passes.then(() => retentionPass(nowNanos));
    passes = pass.catch(() => {});
    return pass;
  };
  const lease = options.passLeaseStaleMs === undefined ? {} : { staleMs: options.passLeaseStaleMs };

  /**
   * Oldest first, each day copied before it is dropped: a day is never dropped
   * uncopied. In cluster mode, the pass of the connected node's shard
   * (kept-tier-cluster.ts says who runs it): it copies the shard's days on its
   * local tables, and drops a day from the full tier once every shard copied it.
   */
  const retentionPass = async (nowNanos: bigint): Promise<string[]> => {
    let passHttp = http;
    let passDdl = ddl;
    let passContext = context;
    let days: () => Promise<string[]> = () => daysOnNode(http, options.database);
    let droppable = async (_day: string) => true;
    if (cluster !== undefined) {
      // The whole pass on one node: a client that moved to another node mid-pass would change another shard's tables.
      const node = await firstAnsweringNode(options.url, clientOf, cluster);
      shards = await shardCount(node.http, cluster);
      if (node.replica !== 1) return [];
      passHttp = node.http;
      passDdl = new DdlRunner(node.http, target);
      passContext = { ...context, http: node.http, localSuffix: '_local', shard: node.shard };
      days = () => clusterDays(node.http, table(OPERATIONS));
      droppable = async (day) => (await shardsThatCopied(node.http, table(KEPT_DAYS), day)) >= shards;
    }
    const settle = options.retentionPolicy.settleNanos;
    const cutoff = nowNanos - (settle > options.retentionNanos ? settle : options.retentionNanos);
    const passed = await withKeptPassLease(
      passHttp,
      options.database,
      async () => {
        const dropped: string[] = [];
        let everyDayBefore = true;
        for (const day of (await days()).filter((day) => dayStartNanos(day) + DAY_NANOS <= cutoff)) {
          if (!(await dayCopied(passContext, day))) await copyDay(passContext, day, counts);
          everyDayBefore &&= await droppable(day);
          if (everyDayBefore) {
            dropped.push(...(await dropExpiredPartitions(passHttp, passDdl, target, dayStartNanos(day) + DAY_NANOS)));
          }
        }
        await dropExpiredKept(passContext, Number((nowNanos - options.retentionKeptNanos) / 1_000_000n));
        await mergeFinishedWeeks(passContext, Number(cutoff / 1_000_000n));
        return [...new Set(dropped)].sort();
      },
      lease,
    );
    return passed ?? [];
  };

  const report = (error: unknown) => {
    if (options.onBackgroundError) options.onBackgroundError(error, 'ClickHouse retention');
    else console.error(`ariadne: ClickHouse retention failed: ${error instanceof Error ? error.message : error}`);
  };
  // In the background: a backlog of days to copy must not hold up the start (reads and writes work meanwhile).
  applyRetention().catch(report);
  let closed = false;
  const timer = setInterval(() => {
    if (!closed) applyRetention().catch(report);
  }, retentionIntervalMs ?? HOUR_MS);
  timer.unref();

  /** Start of the first day still in the full tier as far as reads go: days before it are read from the aggregates. */
  const fullTierStart = async (): Promise<bigint> => {
    if (cluster !== undefined) return dayAfterEveryShardCopied(http, table(KEPT_DAYS), shards);
    const [row] = await http.query<{ days: string; last: string }>(
      `SELECT count() AS days, toString(max(day)) AS last FROM ${table(KEPT_DAYS)}`,
    );
    if (row === undefined || row.days === '0') return 0n;
    return dayStartNanos(row.last) + DAY_NANOS;
  };

  const keptEntry = async (traceId: string) => {
    const id = normalizeTraceId(traceId);
    if (id === undefined) return undefined;
    const [hi, lo] = traceIdHalves(id);
    const [row] = await http.query<{
      kept_day: string;
      kept_by: string;
      min_start_ns: string;
      max_start_ns: string;
      services: string[];
    }>(
      `SELECT kept_day, kept_by, min_start_ns, max_start_ns, services FROM ${table(KEPT_TRACES)}
       WHERE trace_hi = ${sqlInteger(hi)} AND trace_lo = ${sqlInteger(lo)} LIMIT 1`,
    );
    return row === undefined ? undefined : { ...row, hi, lo };
  };

  const resources = new Map<string, Resource>();
  const resourceOf = (service: string): Resource => {
    let resource = resources.get(service);
    if (resource === undefined) {
      resource = { attributes: [{ key: 'service.name', value: stringValue(service) }], droppedAttributesCount: 0 };
      resources.set(service, resource);
    }
    return resource;
  };

  return {
    ...base,

    getTrace: async (traceId: string, timeRange?: TimeRange) => {
      const kept = await keptEntry(traceId);
      if (kept === undefined) return base.getTrace(traceId, timeRange);
      // The kept copy is whole; the full tier may hold only the later days of a trace that crossed midnight.
      const rows = await http.queryBinary(
        `SELECT ${SPAN_ROW_COLUMNS.join(', ')} FROM ${table(SPANS_KEPT)}
         PREWHERE trace_hi = ${sqlInteger(kept.hi)} AND trace_lo = ${sqlInteger(kept.lo)}
         WHERE kept_day = toDate(${sqlString(kept.kept_day)}) AND service IN (${kept.services.map(sqlString).join(', ')})
           AND start_ns >= ${sqlInteger(BigInt(kept.min_start_ns))} AND start_ns <= ${sqlInteger(BigInt(kept.max_start_ns))}
         LIMIT 1 BY span_id, ${SPAN_CONTENT_HASH}`,
      );
      const found = new SpanRowDecoder().decodeAll(new RowBinaryReader(rows));
      return found.length > 0 ? found : base.getTrace(traceId, timeRange);
    },

    traceRetention: async (traceId: string): Promise<TraceRetention | undefined> => {
      const kept = await keptEntry(traceId);
      if (kept !== undefined) return { tier: 'kept', keptBy: kept.kept_by };
      await base.getTrace(traceId);
      return undefined;
    },

    findTraces: async (query: TraceQuery): Promise<TraceSummary[]> => {
      const full = await base.findTraces(query);
      // Nothing copied yet: nothing kept to find.
      if ((await fullTierStart()) === 0n) return full;
      const kept = await findTraceSummaries(
        http,
        { spans: table(SPANS_KEPT), traceIndex: table(KEPT_TRACES) },
        query,
        resourceOf,
      );
      if (kept.length === 0) return full;
      const keptBy = new Map<string, string>();
      const ids = kept.map((summary) => traceIdHalves(summary.traceId));
      const rows = await http.query<{ trace_hi: string; trace_lo: string; kept_by: string }>(
        `SELECT trace_hi, trace_lo, any(kept_by) AS kept_by FROM ${table(KEPT_TRACES)}
         WHERE (trace_hi, trace_lo) IN (${[...ids, ids[0]!].map(([hi, lo]) => `(${sqlInteger(hi)}, ${sqlInteger(lo)})`).join(', ')})
         GROUP BY trace_hi, trace_lo`,
      );
      for (const row of rows) keptBy.set(traceIdFromHalves(BigInt(row.trace_hi), BigInt(row.trace_lo)), row.kept_by);
      const merged = new Map<string, TraceSummary>();
      for (const summary of kept) {
        merged.set(summary.traceId, {
          ...summary,
          retention: { tier: 'kept', keptBy: keptBy.get(summary.traceId) ?? '' },
        });
      }
      for (const summary of full) if (!merged.has(summary.traceId)) merged.set(summary.traceId, summary);
      return [...merged.values()]
        .sort((a, b) =>
          a.startTimeUnixNano > b.startTimeUnixNano ? -1 : a.startTimeUnixNano < b.startTimeUnixNano ? 1 : 0,
        )
        .slice(0, query.limit);
    },

    getServices: async () => {
      const [full, kept] = await Promise.all([
        base.getServices(),
        http.query<{ service: string }>(`SELECT DISTINCT service FROM ${table(OPERATIONS_KEPT)}`),
      ]);
      return [...new Set([...full, ...kept.map((row) => row.service)])].sort(compareText);
    },

    getOperations: async (query: OperationQuery) => {
      const kind = query.spanKind === undefined ? '' : ` AND kind = ${sqlInteger(query.spanKind)}`;
      const [full, kept] = await Promise.all([
        base.getOperations(query),
        http.query<{ name: string; kind: number }>(
          `SELECT DISTINCT name, kind FROM ${table(OPERATIONS_KEPT)} WHERE service = ${sqlString(query.service)}${kind}`,
        ),
      ]);
      const all = new Map<string, Operation>();
      for (const operation of [
        ...full,
        ...kept.map((row) => ({ name: row.name, spanKind: Number(row.kind) as SpanKind })),
      ]) {
        all.set(`${operation.name}\u0000${operation.spanKind}`, operation);
      }
      return sortOperations([...all.values()]);
    },

    getDependencies: async (timeRange: TimeRange) => {
      if (timeRange.startNanos > timeRange.endNanos) {
        throw new AriadneError('InvalidQuery', 'time range starts after it ends');
      }
      const boundary = await fullTierStart();
      const links: DependencyLink[] = [];
      if (timeRange.endNanos >= boundary) {
        const from = timeRange.startNanos > boundary ? timeRange.startNanos : boundary;
        links.push(...(await base.getDependencies({ startNanos: from, endNanos: timeRange.endNanos })));
        // Children whose parent's day is gone: the parent's service was kept for them.
        const unresolved = `start_ns >= ${sqlInteger(from)} AND start_ns <= ${sqlInteger(timeRange.endNanos)}
          AND parent_span_id != 0 AND parent_service = ''`;
        const rows = await http.query<{ parent: string; child: string; calls: string; errors: string }>(
          `SELECT parent_service AS parent, service AS child, count() AS calls, countIf(status_code = ${StatusCode.Error}) AS errors
           FROM (SELECT trace_hi, trace_lo, parent_span_id, service, status_code FROM ${table(SPANS)} WHERE ${unresolved})
           ANY INNER JOIN (
             SELECT trace_hi, trace_lo, span_id AS parent_span_id, service AS parent_service FROM ${table(KEPT_PARENTS)}
             WHERE day < toDate(${sqlString(dayOfNanos(from))})
           ) USING (trace_hi, trace_lo, parent_span_id)
           WHERE parent_service != service GROUP BY parent, child`,
        );
        links.push(...rows.map(linkOf));
      }
      if (timeRange.startNanos < boundary) {
        const rows = await http.query<{ parent: string; child: string; calls: string; errors: string }>(
          `SELECT parent, child, sum(calls) AS calls, sum(errors) AS errors FROM ${table(DEPENDENCY_SECONDS)}
           WHERE ${secondsWithin(timeRange, boundary)} GROUP BY parent, child`,
        );
        for (const row of rows) {
          links.push({
            parent: row.parent,
            child: row.child,
            callCount: Number(row.calls),
            errorCount: Number(row.errors),
          });
        }
      }
      const counts = new Map<string, DependencyLink>();
      for (const link of links) {
        const key = `${link.parent}\u0000${link.child}`;
        const known = counts.get(key);
        counts.set(key, {
          parent: link.parent,
          child: link.child,
          callCount: link.callCount + (known?.callCount ?? 0),
          errorCount: link.errorCount + (known?.errorCount ?? 0),
        });
      }
      return [...counts.values()].sort((a, b) => compareText(a.parent, b.parent) || compareText(a.child, b.child));
    },

    getRedMetrics: async (query: RedMetricsQuery): Promise<RedMetricsSeries[]> => {
      validateRedMetricsQuery(query);
      const boundary = await fullTierStart();
      const rows: RedMetricsRow[] = [];
      if (query.timeRange.endNanos >= boundary) {
        const recent = `(SELECT service, name, kind, start_ns, duration_ns, status_code FROM ${table(SPANS)}
          WHERE start_ns >= ${sqlInteger(boundary)})`;
        rows.push(...(await http.query<RedMetricsRow>(redMetricsSql(recent, query))));
      }
      if (query.timeRange.startNanos < boundary) {
        rows.push(...(await http.query<RedMetricsRow>(redMetricsFromSecondsSql(table(RED_SECONDS), query, boundary))));
      }
      return redMetricsToSeries(rows, query);
    },

    applyRetention: (nowNanos?: bigint) => applyRetention(nowNanos),
    runRetention: async () => {
      await applyRetention();
    },
    retentionStats: async () => counts.stats(),

    async close(): Promise<void> {
      closed = true;
      clearInterval(timer);
      await passes;
      await base.close();
    },
  };
}

function linkOf(row: { parent: string; child: string; calls: string; errors: string }): DependencyLink {
  return { parent: row.parent, child: row.child, callCount: Number(row.calls), errorCount: Number(row.errors) };
}

/** `YYYY-MM-DD` (UTC) of a nanosecond time. */
function dayOfNanos(nanos: bigint): string {
  return new Date(Number(nanos / 1_000_000n)).toISOString().slice(0, 10);
}

/** Seconds of the aggregates in a range, before the full tier's start. */
function secondsWithin(range: TimeRange, boundary: bigint): string {
  const end = range.endNanos < boundary ? range.endNanos : boundary - 1n;
  const nanos = 'toUInt64(second) * 1000000000';
  return `${nanos} >= ${sqlInteger(range.startNanos < 0n ? 0n : range.startNanos)} AND ${nanos} <= ${sqlInteger(end)}`;
}

/** The rows redMetricsSql gives, from the RED cells of every span (per second, duration bin and error count). */
function redMetricsFromSecondsSql(cells: string, query: RedMetricsQuery, boundary: bigint): string {
  const series = query.groupByOperation ? 'service, operation, bucket' : 'service, bucket';
  const conditions = [
    `service IN (${query.services.map(sqlString).join(', ')})`,
    secondsWithin(query.timeRange, boundary),
  ];
  if (query.spanKinds.length > 0) conditions.push(`kind IN (${query.spanKinds.map(sqlInteger).join(', ')})`);
  return `SELECT ${series}, groupArray(bin) AS bins, groupArray(calls) AS counts, sum(bin_errors) AS errors FROM (
      SELECT service${query.groupByOperation ? ', name AS operation' : ''},
        intDiv(toUInt64(second) * 1000000000 - ${sqlInteger(query.timeRange.startNanos)}, ${sqlInteger(query.stepNanos)}) AS bucket,
        bin, sum(calls) AS calls, sum(errors) AS bin_errors
      FROM ${cells} WHERE ${conditions.join(' AND ')} GROUP BY ${series}, bin
    ) GROUP BY ${series}`;
}

/** The days the connected node's full tables hold (a day partition of any of them). */
async function daysOnNode(http: ClickHouseHttp, database: string): Promise<string[]> {
  const parts = await http.query<{ partition: string }>(
    `SELECT DISTINCT partition FROM system.parts WHERE active AND database = ${sqlString(database)}
     AND table IN (${[SPANS, TRACE_INDEX, OPERATIONS].map(sqlString).join(', ')})`,
  );
  return [...new Set(parts.map((part) => dayOfPartition(part.partition)))]
    .filter((day): day is string => day !== undefined)
    .sort();
}
