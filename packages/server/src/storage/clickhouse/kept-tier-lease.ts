import { randomUUID } from 'node:crypto';
import { ClickHouseError, type ClickHouseHttp } from './clickhouse-http.js';
import { sqlIdentifier, sqlInteger, sqlString } from './sql-literal.js';

/**
 * One kept-tier pass at a time on a node, whichever Ariadne process runs it:
 * every process with `--retention-kept` runs the pass (as every process with
 * `--retention` drops expired partitions), and two copies of one day at once
 * would keep its traces twice. The lease is a table on the node,
 * `kept_pass_lease`: ClickHouse creates a table name once (a second `CREATE
 * TABLE` of it fails with code 57), so the process that created it holds the
 * lease, beats into it while its pass runs, and drops it after. A lease
 * whose last beat is older than `staleMs` (its holder died) is broken by
 * renaming it away, which one process alone can do.
 *
 * Not covered: two processes that find the same stale lease at the same
 * moment, the second renaming the lease the first has just taken anew.
 */
const LEASE = 'kept_pass_lease';
/** ClickHouse's code for a table that exists already. */
const TABLE_ALREADY_EXISTS = 57;
/** ClickHouse's code for a table that does not exist. */
const UNKNOWN_TABLE = 60;

export interface LeaseOptions {
  /** How often the holder beats. Default 10 s. */
  readonly beatMs?: number;
  /** A lease without a beat for this long is broken. Default 2 minutes. */
  readonly staleMs?: number;
}

/**
 * Runs `work` holding the node's lease for `database`; resolves to undefined,
 * without running it, while another process holds the lease.
 */
export async function withKeptPassLease<T>(
  http: ClickHouseHttp,
  database: string,
  work: () => Promise<T>,
  options: LeaseOptions = {},
): Promise<T | undefined> {
  const lease = `${sqlIdentifier(database)}.${sqlIdentifier(LEASE)}`;
  const owner = randomUUID();
  const beat = () =>
    http.command(
      `INSERT INTO ${lease} (owner, beat_ns) VALUES (${sqlString(owner)}, ${sqlInteger(BigInt(Date.now()) * 1_000_000n)})`,
    );
  const take = async (): Promise<boolean> => {
    try {
      // The first beat in the same statement: no moment where the lease is there but empty.
      await http.command(
        `CREATE TABLE ${lease} ENGINE = Log AS SELECT ${sqlString(owner)} AS owner, toUInt64(${sqlInteger(BigInt(Date.now()) * 1_000_000n)}) AS beat_ns`,
      );
      return true;
    } catch (error) {
      if (error instanceof ClickHouseError && error.code === TABLE_ALREADY_EXISTS) return false;
      throw error;
    }
  };
  if (!(await take())) {
    const [row] = await http.query<{ beat: string }>(`SELECT max(beat_ns) AS beat FROM ${lease}`).catch(() => []);
    const staleMs = options.staleMs ?? 120_000;
    if (row === undefined || Number(BigInt(row.beat) / 1_000_000n) > Date.now() - staleMs) return undefined;
    const away = `${sqlIdentifier(database)}.${sqlIdentifier(`${LEASE}_stale_${owner.replaceAll('-', '')}`)}`;
    try {
      await http.command(`RENAME TABLE ${lease} TO ${away}`);
    } catch (error) {
      // Someone else broke it first.
      if (error instanceof ClickHouseError && error.code === UNKNOWN_TABLE) return undefined;
      throw error;
    }
    await http.command(`DROP TABLE IF EXISTS ${away}`);
    if (!(await take())) return undefined;
  }
  const beats = setInterval(() => void beat().catch(() => {}), options.beatMs ?? 10_000);
  beats.unref();
  try {
    return await work();
  } finally {
    clearInterval(beats);
    const [holder] = await http
      .query<{ owner: string }>(`SELECT argMin(owner, beat_ns) AS owner FROM ${lease}`)
      .catch(() => [] as { owner: string }[]);
    // Another process broke it while this one stalled: the lease is that one's now (its first beat).
    if (holder?.owner === owner) await http.command(`DROP TABLE IF EXISTS ${lease}`);
  }
}
