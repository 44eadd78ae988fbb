import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeSpan } from '@ariadne/protocol';
import { AdaptiveSampler } from '../../sampling/adaptive-sampler.js';
import { shareAdaptiveSampling } from '../../sampling/shared-adaptive-sampling.js';
import { openClickHouseSamplingState } from './clickhouse-sampling-state.js';
import { type ClickHouseTestServer, startClickHouseServer } from './testing/clickhouse-test-server.js';

let server: ClickHouseTestServer;
before(async () => {
  server = await startClickHouseServer();
});
after(async () => {
  await server?.stop();
});

const INTERVAL_MS = 60_000;
const roots = (operation: string, count: number) =>
  Array.from({ length: count }, () => makeSpan({ name: operation, service: 'shop' }));

test('two collectors that saw different traffic answer the same strategy, learned from both', async () => {
  const config = { url: server.url, database: 'sampling_shared' };
  const collectors = await Promise.all(
    ['collector-a', 'collector-b'].map(async (collectorId) => {
      const sampler = new AdaptiveSampler({ targetTracesPerSecond: 1 });
      const state = await openClickHouseSamplingState(config, INTERVAL_MS);
      const shared = shareAdaptiveSampling(sampler, state, {
        targetTracesPerSecond: 1,
        intervalMs: INTERVAL_MS,
        collectorId,
        settleMs: 300,
      });
      return { sampler, shared };
    }),
  );
  try {
    const [a, b] = collectors as [(typeof collectors)[0], (typeof collectors)[0]];
    a.sampler.record(roots('GET /cart', 600));
    b.sampler.record(roots('GET /cart', 600));
    b.sampler.record(roots('POST /pay', 300));
    const interval = Math.floor(Date.now() / INTERVAL_MS) + 1;
    await Promise.all([a.shared.step(interval), b.shared.step(interval)]);
    // Both may have computed; both read the same set anyway.
    await Promise.all([a.shared.refresh(), b.shared.refresh()]);
    const answerA = a.sampler.strategyFor('shop');
    assert.deepEqual(b.sampler.strategyFor('shop'), answerA);
    const rates = new Map(
      answerA?.operationSampling?.perOperationStrategies.map((entry) => [
        entry.operation,
        entry.probabilisticSampling.samplingRate,
      ]),
    );
    assert.deepEqual([...rates.keys()].sort(), ['GET /cart', 'POST /pay'], 'b alone saw POST /pay; a answers it too');
    // 1,200 traces a minute of GET /cart over both (20/s) against a target of 1/s: 0.001 × 1/20.
    assert.ok(Math.abs(rates.get('GET /cart')! - 0.001 / 20) < 1e-9, `GET /cart: ${rates.get('GET /cart')}`);
    assert.ok(Math.abs(rates.get('POST /pay')! - 0.001 / 5) < 1e-9, `POST /pay: ${rates.get('POST /pay')}`);

    // A collector that starts now answers the same from its first refresh.
    const late = new AdaptiveSampler({ targetTracesPerSecond: 1 });
    const lateShared = shareAdaptiveSampling(late, await openClickHouseSamplingState(config, INTERVAL_MS), {
      targetTracesPerSecond: 1,
      intervalMs: INTERVAL_MS,
      collectorId: 'collector-c',
    });
    await lateShared.refresh();
    lateShared.stop();
    assert.deepEqual(late.strategyFor('shop'), answerA);
  } finally {
    for (const { shared } of collectors) shared.stop();
  }
});

test('days older than the last two are dropped whole; recent ones stay', async () => {
  const state = await openClickHouseSamplingState({ url: server.url, database: 'sampling_days' }, INTERVAL_MS);
  const now = Date.now();
  const old = Math.floor((now - 10 * 86_400_000) / INTERVAL_MS);
  const recent = Math.floor(now / INTERVAL_MS);
  const counts = new Map([['shop', new Map([['GET /', 5]])]]);
  await state.writeCounts(old, 'c', counts);
  await state.writeCounts(recent, 'c', counts);
  await state.dropOldDays(now);
  assert.deepEqual(await state.readCounts(old), new Map());
  assert.deepEqual(await state.readCounts(recent), counts);
});
