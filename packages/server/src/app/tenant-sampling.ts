import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AdaptiveSampler } from '../sampling/adaptive-sampler.js';
import { createSamplingApi, type SamplingApi } from '../sampling/sampling-api.js';
import { type SharedAdaptiveSampling, shareAdaptiveSampling } from '../sampling/shared-adaptive-sampling.js';
import { openClickHouseSamplingState } from '../storage/clickhouse/clickhouse-sampling-state.js';
import { messageOf } from '../telemetry/logger.js';
import type { TenantId } from '../tenancy/tenant-id.js';
import type { ModuleContext } from './server-module.js';
import { tenantStoreConfig } from './tenant-storage.js';

const DEFAULT_INTERVAL_MS = 60_000;
const DAY_MS = 86_400_000;

/** This process's name in the shared sampling state: host, pid and a random part (pids repeat across restarts). */
const COLLECTOR_ID = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

/**
 * One tenant's remote sampling. Adaptive sampling with ClickHouse shares its
 * counts and answers through the tenant's database
 * (`clickhouse-sampling-state.ts`), so that every collector (and every
 * `serve` process on that ClickHouse) answers alike; with the other stores it
 * learns from this process's spans alone, as there is no other process.
 */
export async function createTenantSampling(
  context: ModuleContext,
  tenant: TenantId,
): Promise<{ app: SamplingApi; shared?: SharedAdaptiveSampling }> {
  const { config } = context;
  const target = config.adaptiveSamplingTarget;
  const intervalMs = config.adaptiveSamplingIntervalMs ?? DEFAULT_INTERVAL_MS;
  const clickhouse = tenantStoreConfig(config, tenant).clickhouse;
  const sharedHere = target !== undefined && config.storage === 'clickhouse' && clickhouse !== undefined;
  const sampler = target === undefined ? undefined : new AdaptiveSampler({ targetTracesPerSecond: target });
  const onError = (error: unknown) => context.logger.error({ err: error, tenant }, `sampling: ${messageOf(error)}`);
  const app = createSamplingApi({
    ...(config.samplingStrategiesFile ? { strategiesFile: config.samplingStrategiesFile } : {}),
    ...(sampler === undefined || target === undefined
      ? {}
      : { adaptive: { targetTracesPerSecond: target, sampler, intervalMs: sharedHere ? 0 : intervalMs } }),
    onError,
  });
  if (!sharedHere || sampler === undefined || target === undefined) return { app };
  try {
    const state = await openClickHouseSamplingState(clickhouse, intervalMs);
    const shared = shareAdaptiveSampling(sampler, state, {
      targetTracesPerSecond: target,
      intervalMs,
      collectorId: COLLECTOR_ID,
      onError,
    });
    // Its first answer is already the one the other collectors give.
    await shared.refresh().catch(onError);
    const cleanup = setInterval(() => state.dropOldDays().catch(onError), DAY_MS / 24);
    cleanup.unref();
    return {
      app,
      shared: {
        ...shared,
        stop: () => {
          clearInterval(cleanup);
          shared.stop();
        },
      },
    };
  } catch (error) {
    app.close();
    throw error;
  }
}
