import { ClickHouseHttp } from '../storage/clickhouse/clickhouse-http.js';
import type { SpoolGroup } from '../storage/spool/spool-group.js';
import { messageOf } from '../telemetry/logger.js';
import { cachedCheck, type ReadinessCheck } from './readiness.js';
import type { ServeConfig } from './serve-config.js';

/** How long a probe of ClickHouse may take before the store counts as unreachable. */
const PROBE_TIMEOUT_MS = 2_000;
/** Probes from several load balancers cost ClickHouse one query per this. */
const PROBE_TTL_MS = 1_000;

/**
 * The store's part of `/ready`. The embedded and memory stores live in the
 * process: open (the WAL replayed) before any listener opens, so they need no
 * check. ClickHouse is another process that may go away: a `SELECT 1` says
 * whether this one can still write there (a collector that cannot should
 * leave the load balancer until it can, or, with the spool, until the spool is full).
 */
export function storeReadinessCheck(config: ServeConfig): ReadinessCheck | undefined {
  const clickhouse = config.clickhouse;
  if (config.storage !== 'clickhouse' || clickhouse === undefined) return undefined;
  const http = new ClickHouseHttp({
    url: clickhouse.url,
    ...(clickhouse.username === undefined ? {} : { username: clickhouse.username }),
    ...(clickhouse.password === undefined ? {} : { password: clickhouse.password }),
    timeoutMs: PROBE_TIMEOUT_MS,
  });
  return cachedCheck(async () => {
    try {
      await http.query('SELECT 1 AS ok');
      return undefined;
    } catch (error) {
      return `ClickHouse at ${clickhouse.url} is unreachable: ${messageOf(error)}`;
    }
  }, PROBE_TTL_MS);
}

/**
 * A writer's part of `/ready` with the spool: not ready only when it cannot
 * write anywhere, ClickHouse away and the spool full (issue 15).
 */
export function storeOrSpoolCheck(
  storeCheck: ReadinessCheck,
  spool: Pick<SpoolGroup, 'canAcceptWrites'>,
): ReadinessCheck {
  return async () => {
    const reason = await storeCheck();
    if (reason === undefined || spool.canAcceptWrites) return undefined;
    return `${reason}, and the spool is full`;
  };
}
