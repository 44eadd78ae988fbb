import { ClickHouseError, type ClickHouseHttp } from './clickhouse-http.js';
import { replicatedEngine, zooKeeperPath } from './replicated-engine.js';
import { sqlIdentifier, sqlInteger, sqlString } from './sql-literal.js';

/**
 * The ClickHouse schema, created and migrated by the server at open (a
 * `schema_migrations` table records applied versions per node).
 *
 * - `spans`: one row per span, each span stored once (span-row.ts): UInt64
 *   nanosecond times, the trace id as two UInt64 halves, span ids as UInt64,
 *   attributes of the span, its resource and its events as Nested (key, text
 *   value, type, number), what has no column in `extra`; `parent_service` when
 *   the parent came in the same write (else empty). Partitioned by UTC day
 *   of the start time (so retention drops whole days), sorted by (minute of
 *   start, trace id), strings as LowCardinality (spansBodyV3 says why).
 * - `trace_index`: trace id -> time bounds and services, fed by a materialized
 *   view, ordered by trace id: getTrace reads it first, then only the spans rows
 *   of the trace within those times (the spans table's sort key).
 * - `operations`: (service, span name, kind) -> span count per day, fed by a
 *   materialized view (SummingMergeTree): services and operations without a scan.
 *
 * Cluster mode: the three tables are `*_local` on every shard plus Distributed
 * tables with the plain names over them; spans are sharded by trace id so a
 * trace lives on one shard and its index rows beside it (which lets queries
 * join and filter per shard, `distributed_product_mode = 'local'`).
 *
 * Version 1 kept every span a second time, as base64 OTLP protobuf (`otlp`);
 * migrate-spans-v1.ts copies such a database into the current version at
 * open. Version 2 sorted spans by (service, start) in granules of 1,024 rows,
 * with plain strings; migrate-spans-v2.ts copies its rows into version 3.
 */
export const SCHEMA_VERSION = 3;

export const SPANS = 'spans';
export const TRACE_INDEX = 'trace_index';
export const OPERATIONS = 'operations';
/** Tables holding data by day, in the order retention drops them. */
export const DAY_PARTITIONED = [SPANS, TRACE_INDEX, OPERATIONS] as const;

/** UTC day of a nanosecond time, independent of the server's time zone. */
export const DAY_OF_START = 'toDate(toUInt16(intDiv(start_ns, 86400000000000)))';

export interface SchemaTarget {
  readonly database: string;
  readonly cluster?: string;
  /** The cluster's shards have replicas: local tables are Replicated*MergeTree (replication.ts). */
  readonly replicated?: boolean;
}

/** A local table's engine clause as written, or its replicated form when the cluster has replicas. */
export function localEngine(target: SchemaTarget, table: string, clause: string): string {
  if (target.replicated !== true) return clause;
  return replicatedEngine(clause, zooKeeperPath(target.database, localName(target, table)));
}

/** The table that holds the data on this node: `spans` alone, `spans_local` in cluster mode. */
export function localTable(target: SchemaTarget, table: string): string {
  return `${sqlIdentifier(target.database)}.${sqlIdentifier(localName(target, table))}`;
}

export function localName(target: SchemaTarget, table: string): string {
  return target.cluster === undefined ? table : `${table}_local`;
}

/** The table queries and inserts address: the Distributed one in cluster mode. */
export function queryTable(target: SchemaTarget, table: string): string {
  return `${sqlIdentifier(target.database)}.${sqlIdentifier(table)}`;
}

const ATTRIBUTES = 'Nested(key String, value String, type UInt8, number Float64)';

/** Version 2's spans table: kept for migrations (and their tests), new databases get version 3. */
const SPANS_V2_BODY = `(
      trace_hi UInt64, trace_lo UInt64, span_id UInt64, parent_span_id UInt64,
      service String, name String, kind UInt8,
      start_ns UInt64, duration_ns UInt64, status_code UInt8, status_message String,
      trace_state String, flags UInt32, parent_service String,
      attr ${ATTRIBUTES}, resource ${ATTRIBUTES}, event ${ATTRIBUTES},
      scope_name String, scope_version String, extra String
    )`;
const SPANS_V2_ENGINE = `MergeTree PARTITION BY ${DAY_OF_START} ORDER BY (service, start_ns)
      SETTINGS index_granularity = 1024`;

/** The minute of a span's start: the first part of the spans table's sort key. */
export const MINUTE_OF_START = 'intDiv(start_ns, 60000000000)';

const LC = 'LowCardinality(String)';
/** Keys and values from a dictionary per part (18.16 needs `allow_experimental_low_cardinality_type`). */
const DICTIONARY_ATTRIBUTES = `Nested(key ${LC}, value ${LC}, type UInt8, number Float64)`;

/**
 * Version 3's spans table (README.md has the layouts measured, by
 * bench/storage/clickhouse-layouts.bench.ts):
 * - sorted by (minute of start, trace id): a trace's rows are together, so
 *   getTrace reads one or two granules whatever the number of its services,
 *   and a search reads the minutes of its window (ClickHouse derives the
 *   minute range from `start_ns` bounds);
 * - names, services, attribute keys and values as LowCardinality: a value
 *   that repeats is stored as an index into a per-part dictionary;
 * - granules of 8,192 rows (ClickHouse's default): the dictionary keys that
 *   do not fit the part's shared dictionary are written again per granule,
 *   so small granules cost bytes.
 * Event attributes stay plain strings (few spans have events). In cluster mode
 * every attribute array stays plain: 18.16 fails a Distributed insert whose
 * block for a remote shard holds an Array(LowCardinality) column with no
 * element at all ("Syntax error (data type)" on the shard), which a batch of
 * spans without attributes is. And in cluster mode the other strings stay
 * plain too: DDL run `ON CLUSTER` (ZooKeeper's distributed DDL, which every
 * replicated cluster has) reaches the other nodes without the query's
 * settings, so 18.16 refuses LowCardinality there (code 44).
 */
function spansV3(target: SchemaTarget): SpansTable {
  const single = target.cluster === undefined;
  const attributes = single ? DICTIONARY_ATTRIBUTES : ATTRIBUTES;
  const lc = single ? LC : 'String';
  const columns = `(
      trace_hi UInt64, trace_lo UInt64, span_id UInt64, parent_span_id UInt64,
      service ${lc}, name ${lc}, kind UInt8,
      start_ns UInt64, duration_ns UInt64, status_code UInt8, status_message ${lc},
      trace_state String, flags UInt32, parent_service ${lc},
      attr ${attributes}, resource ${attributes}, event ${ATTRIBUTES},
      scope_name ${lc}, scope_version ${lc}, extra String
    )`;
  const engine = `MergeTree PARTITION BY ${DAY_OF_START} ORDER BY (${MINUTE_OF_START}, trace_hi, trace_lo)
      SETTINGS index_granularity = 8192`;
  return { columns, engine };
}

/** A spans table: its columns, and its engine clause before `localEngine` makes it replicated. */
interface SpansTable {
  readonly columns: string;
  readonly engine: string;
}

/**
 * LowCardinality columns are experimental in 18.16: DDL that creates them
 * needs this setting. Later versions made LowCardinality generally available
 * and the setting obsolete (read about, not tested); a server that no longer
 * knows it gets the statement without it (`runWithLowCardinality`).
 */
export const LOW_CARDINALITY_SETTINGS = { allow_experimental_low_cardinality_type: 1 } as const;

/** ClickHouse's error code 115: a setting the server does not know. */
const UNKNOWN_SETTING = 115;

/** Runs a statement that may create LowCardinality columns (see LOW_CARDINALITY_SETTINGS). */
export async function runWithLowCardinality(http: ClickHouseHttp, sql: string): Promise<void> {
  try {
    await http.command(sql, LOW_CARDINALITY_SETTINGS);
  } catch (error) {
    if (!(error instanceof ClickHouseError && error.code === UNKNOWN_SETTING)) throw error;
    await http.command(sql);
  }
}

/** The version 2 tables and views, every statement idempotent (IF NOT EXISTS). */
export function schemaV2(target: SchemaTarget): string[] {
  return schemaWithSpans(target, { columns: SPANS_V2_BODY, engine: SPANS_V2_ENGINE }).all;
}

/** The current tables and views, every statement idempotent (IF NOT EXISTS). */
export function schemaV3(target: SchemaTarget): string[] {
  return schemaWithSpans(target, spansV3(target)).all;
}

/**
 * The current schema in the order a migration that copies spans runs it:
 * `tables` first, then the copy, then `views` (which would otherwise count
 * the copied rows a second time in the derived tables), then `distributed`.
 */
export function schemaV3Steps(target: SchemaTarget): { tables: string[]; views: string[]; distributed: string[] } {
  return schemaWithSpans(target, spansV3(target));
}

function schemaWithSpans(
  target: SchemaTarget,
  spansTable: SpansTable,
): { tables: string[]; views: string[]; distributed: string[]; all: string[] } {
  const spans = localTable(target, SPANS);
  const traceIndex = localTable(target, TRACE_INDEX);
  const operations = localTable(target, OPERATIONS);
  const db = sqlIdentifier(target.database);
  const tables = [
    `CREATE TABLE IF NOT EXISTS ${spans} ON_CLUSTER ${spansTable.columns}
      ENGINE = ${localEngine(target, SPANS, spansTable.engine)}`,
    `CREATE TABLE IF NOT EXISTS ${traceIndex} ON_CLUSTER (
      trace_hi UInt64, trace_lo UInt64, day Date,
      min_start_ns UInt64, max_start_ns UInt64, max_end_ns UInt64, services Array(String)
    ) ENGINE = ${localEngine(target, TRACE_INDEX, 'MergeTree PARTITION BY day ORDER BY (trace_hi, trace_lo) SETTINGS index_granularity = 1024')}`,
    `CREATE TABLE IF NOT EXISTS ${operations} ON_CLUSTER (
      service String, name String, kind UInt8, day Date, spans UInt64
    ) ENGINE = ${localEngine(target, OPERATIONS, 'SummingMergeTree(spans) PARTITION BY day ORDER BY (service, name, kind)')}`,
  ];
  // Plain strings in the derived tables, as in version 2 (whose derived tables stay as they are).
  // CAST, not toString: 18.16's toString of a LowCardinality column is LowCardinality again.
  const views = [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.trace_index_mv ON_CLUSTER TO ${traceIndex} AS
      SELECT trace_hi, trace_lo, ${DAY_OF_START} AS day, min(start_ns) AS min_start_ns,
        max(start_ns) AS max_start_ns, max(start_ns + duration_ns) AS max_end_ns,
        groupUniqArray(CAST(service AS String)) AS services
      FROM ${spans} GROUP BY trace_hi, trace_lo, day`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.operations_mv ON_CLUSTER TO ${operations} AS
      SELECT CAST(service AS String) AS service, CAST(name AS String) AS name, kind, ${DAY_OF_START} AS day,
        count() AS spans
      FROM ${spans} GROUP BY service, name, kind, day`,
  ];
  const distributed: string[] = [];
  if (target.cluster !== undefined) {
    const cluster = sqlIdentifier(target.cluster);
    distributed.push(
      `CREATE TABLE IF NOT EXISTS ${queryTable(target, SPANS)} ON_CLUSTER AS ${spans}
        ENGINE = Distributed(${cluster}, ${db}, ${sqlIdentifier(`${SPANS}_local`)}, cityHash64(trace_hi, trace_lo))`,
      `CREATE TABLE IF NOT EXISTS ${queryTable(target, TRACE_INDEX)} ON_CLUSTER AS ${traceIndex}
        ENGINE = Distributed(${cluster}, ${db}, ${sqlIdentifier(`${TRACE_INDEX}_local`)}, cityHash64(trace_hi, trace_lo))`,
      `CREATE TABLE IF NOT EXISTS ${queryTable(target, OPERATIONS)} ON_CLUSTER AS ${operations}
        ENGINE = Distributed(${cluster}, ${db}, ${sqlIdentifier(`${OPERATIONS}_local`)})`,
    );
  }
  return { tables, views, distributed, all: [...tables, ...views, ...distributed] };
}

/**
 * Runs DDL on every shard: `ON CLUSTER` when the cluster has distributed DDL
 * (ZooKeeper), else on the connected node only, in which case every shard is
 * migrated by the Ariadne process that opens it (a collector per shard, or one
 * `ariadne` run against each shard once).
 */
export class DdlRunner {
  #onCluster: boolean;
  constructor(
    private readonly http: ClickHouseHttp,
    private readonly target: SchemaTarget,
  ) {
    this.#onCluster = target.cluster !== undefined;
  }

  /** `sql` may contain the marker ON_CLUSTER where `ON CLUSTER name` belongs. */
  async run(sql: string): Promise<void> {
    if (this.#onCluster && this.target.cluster !== undefined) {
      try {
        await runWithLowCardinality(
          this.http,
          sql.replace('ON_CLUSTER', `ON CLUSTER ${sqlIdentifier(this.target.cluster)}`),
        );
        return;
      } catch (error) {
        if (!isNoDistributedDdl(error)) throw error;
        this.#onCluster = false;
      }
    }
    await runWithLowCardinality(this.http, sql.replace('ON_CLUSTER', ''));
  }

  get onCluster(): boolean {
    return this.#onCluster;
  }
}

/** 49: "DDL background thread is not initialized"; 225: no ZooKeeper; 999: ZooKeeper session errors. */
function isNoDistributedDdl(error: unknown): boolean {
  return error instanceof ClickHouseError && (error.code === 49 || error.code === 225 || error.code === 999);
}

/**
 * Creates the database and brings the schema up to `SCHEMA_VERSION`: a new
 * database gets version 3 at once; a version 1 database is copied into
 * version 3 by `migrateV1` (given by the store, which knows how to write
 * rows), a version 2 one by `migrateV2` (migrate-spans-v2.ts).
 */
export async function migrateSchema(
  http: ClickHouseHttp,
  target: SchemaTarget,
  ddl: DdlRunner,
  migrateV1: () => Promise<void>,
  migrateV2: () => Promise<void>,
): Promise<number> {
  const db = sqlIdentifier(target.database);
  // Only when missing here: ON CLUSTER waits for every node, so a process restarting while one
  // is down would wait for it (180 s on 18.16) and fail.
  const [known] = await http.query<{ found: number | string }>(
    `SELECT count() AS found FROM system.databases WHERE name = ${sqlString(target.database)}`,
  );
  if (Number(known?.found ?? 0) === 0) await ddl.run(`CREATE DATABASE IF NOT EXISTS ${db} ON_CLUSTER`);
  // Per node on purpose: each shard knows which migrations it has.
  await http.command(
    `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (version UInt32, applied_ns UInt64) ENGINE = MergeTree ORDER BY version`,
  );
  const [row] = await http.query<{ version: number | string }>(
    `SELECT max(version) AS version FROM ${db}.schema_migrations`,
  );
  const version = Number(row?.version ?? 0);
  if (version >= SCHEMA_VERSION) return version;
  if (version === 1) await migrateV1();
  else if (version === 2) await migrateV2();
  else for (const statement of schemaV3(target)) await ddl.run(statement);
  await http.command(
    `INSERT INTO ${db}.schema_migrations VALUES (${SCHEMA_VERSION}, ${sqlInteger(BigInt(Date.now()) * 1_000_000n)})`,
  );
  return SCHEMA_VERSION;
}
