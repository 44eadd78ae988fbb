import { DEFAULT_RETENTION_POLICY } from '../../packages/server/src/retention/retention-policy.js';
import { openClickHouseKeptStore } from '../../packages/server/src/storage/clickhouse/clickhouse-kept-store.js';
import { DAY, HOUR } from './simulated-days.js';

/**
 * The kept store the ClickHouse retention benchmarks write the simulated
 * month to: --retention 6h, --retention-kept 31d, the default policy, the
 * hourly pass left to the benchmark (it calls applyRetention after each day),
 * on the benchmark's clock.
 */
export function openMonthKeptStore(url: string, database: string, clock: { now: bigint }) {
  return openClickHouseKeptStore({
    url,
    database,
    retentionNanos: 6n * HOUR,
    retentionKeptNanos: 31n * DAY,
    retentionPolicy: DEFAULT_RETENTION_POLICY,
    retentionIntervalMs: 3_600_000,
    now: () => clock.now,
  });
}
