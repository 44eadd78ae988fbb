import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { makeSpan, type Span } from '@ariadne/protocol';
import { createSamplingApi } from './sampling-api.js';

const dir = mkdtempSync(join(tmpdir(), 'ariadne-sampling-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The example from Jaeger's sampling documentation.
const JAEGER_DOCS_EXAMPLE = {
  service_strategies: [
    {
      service: 'foo',
      type: 'probabilistic',
      param: 0.8,
      operation_strategies: [
        { operation: 'op1', type: 'probabilistic', param: 0.2 },
        { operation: 'op2', type: 'probabilistic', param: 0.4 },
      ],
    },
    { service: 'bar', type: 'ratelimiting', param: 5 },
  ],
  default_strategy: {
    type: 'probabilistic',
    param: 0.5,
    operation_strategies: [
      { operation: '/health', type: 'probabilistic', param: 0.0 },
      { operation: '/metrics', type: 'probabilistic', param: 0.0 },
    ],
  },
};

async function get(app: ReturnType<typeof createSamplingApi>, path: string, status = 200): Promise<unknown> {
  const response = await app.request(path);
  const text = await response.text();
  assert.equal(response.status, status, `${path}: ${text}`);
  return status === 200 ? JSON.parse(text) : text;
}

test('strategies from a file: service, per-operation and default strategies', async () => {
  const file = join(dir, 'docs.json');
  writeFileSync(file, JSON.stringify(JAEGER_DOCS_EXAMPLE));
  const api = createSamplingApi({ strategiesFile: file });
  assert.deepEqual(await get(api, '/api/sampling?service=foo'), {
    strategyType: 'PROBABILISTIC',
    probabilisticSampling: { samplingRate: 0.8 },
    operationSampling: {
      defaultSamplingProbability: 0.8,
      defaultLowerBoundTracesPerSecond: 0,
      perOperationStrategies: [
        { operation: '/health', probabilisticSampling: { samplingRate: 0 } },
        { operation: '/metrics', probabilisticSampling: { samplingRate: 0 } },
        { operation: 'op1', probabilisticSampling: { samplingRate: 0.2 } },
        { operation: 'op2', probabilisticSampling: { samplingRate: 0.4 } },
      ],
    },
  });
  const bar = (await get(api, '/api/sampling?service=bar')) as Record<string, unknown>;
  assert.equal(bar.strategyType, 'RATE_LIMITING');
  assert.deepEqual(bar.rateLimitingSampling, { maxTracesPerSecond: 5 });
  assert.equal((bar.operationSampling as { defaultSamplingProbability: number }).defaultSamplingProbability, 0.001);
  const other = (await get(api, '/api/sampling?service=unknown')) as Record<string, unknown>;
  assert.deepEqual(other.probabilisticSampling, { samplingRate: 0.5 });
});

test('routes as Jaeger: /sampling and /api/sampling name the enums, the legacy / numbers them', async () => {
  const file = join(dir, 'routes.json');
  writeFileSync(file, JSON.stringify(JAEGER_DOCS_EXAMPLE));
  const api = createSamplingApi({ strategiesFile: file });
  const perOperation = {
    defaultSamplingProbability: 0.8,
    defaultLowerBoundTracesPerSecond: 0,
    perOperationStrategies: [
      { operation: '/health', probabilisticSampling: { samplingRate: 0 } },
      { operation: '/metrics', probabilisticSampling: { samplingRate: 0 } },
      { operation: 'op1', probabilisticSampling: { samplingRate: 0.2 } },
      { operation: 'op2', probabilisticSampling: { samplingRate: 0.4 } },
    ],
  };
  const rateLimited = {
    rateLimitingSampling: { maxTracesPerSecond: 5 },
    operationSampling: {
      defaultSamplingProbability: 0.001,
      defaultLowerBoundTracesPerSecond: 0,
      perOperationStrategies: [
        { operation: '/health', probabilisticSampling: { samplingRate: 0 } },
        { operation: '/metrics', probabilisticSampling: { samplingRate: 0 } },
      ],
    },
  };
  for (const path of ['/sampling', '/api/sampling']) {
    assert.deepEqual(await get(api, `${path}?service=foo`), {
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 0.8 },
      operationSampling: perOperation,
    });
    assert.deepEqual(await get(api, `${path}?service=bar`), { strategyType: 'RATE_LIMITING', ...rateLimited });
  }
  assert.deepEqual(await get(api, '/?service=foo'), {
    strategyType: 0,
    probabilisticSampling: { samplingRate: 0.8 },
    operationSampling: perOperation,
  });
  assert.deepEqual(await get(api, '/?service=bar'), { strategyType: 1, ...rateLimited });
  // Without per-operation strategies there is no operationSampling, on either route.
  const plain = createSamplingApi();
  assert.deepEqual(await get(plain, '/sampling?service=x'), {
    strategyType: 'PROBABILISTIC',
    probabilisticSampling: { samplingRate: 0.001 },
  });
  assert.deepEqual(await get(plain, '/?service=x'), {
    strategyType: 0,
    probabilisticSampling: { samplingRate: 0.001 },
  });
  const response = await plain.request('/sampling?service=x');
  assert.match(String(response.headers.get('content-type')), /^application\/json/);
});

test("'service' must be given exactly once, on every route", async () => {
  const api = createSamplingApi();
  for (const path of ['/sampling', '/api/sampling', '/']) {
    for (const query of ['', '?service=', '?service=a&service=b', '?other=a']) {
      assert.equal(await get(api, `${path}${query}`, 400), "'service' parameter must be provided once", path + query);
    }
  }
});

test('no file: Jaeger default probabilistic 0.001', async () => {
  assert.deepEqual(await get(createSamplingApi(), '/api/sampling?service=x'), {
    strategyType: 'PROBABILISTIC',
    probabilisticSampling: { samplingRate: 0.001 },
  });
});

test('the file is re-read when it changes; a broken edit keeps the last good strategies', async () => {
  const file = join(dir, 'changing.json');
  writeFileSync(file, JSON.stringify({ default_strategy: { type: 'probabilistic', param: 0.1 } }));
  const errors: unknown[] = [];
  const api = createSamplingApi({ strategiesFile: file, onError: (e) => errors.push(e) });
  const rate = async () =>
    ((await get(api, '/api/sampling?service=s')) as { probabilisticSampling: { samplingRate: number } })
      .probabilisticSampling.samplingRate;
  assert.equal(await rate(), 0.1);
  writeFileSync(file, JSON.stringify({ default_strategy: { type: 'probabilistic', param: 0.25 } }));
  assert.equal(await rate(), 0.25);
  writeFileSync(file, '{"default_strategy": {"type": "probabilistic", "param": 7}}');
  assert.equal(await rate(), 0.25);
  assert.match(String(errors.at(-1)), /default_strategy.param: expected a probability/);
});

test('a file that never loads answers 500', async () => {
  const api = createSamplingApi({ strategiesFile: join(dir, 'missing.json'), onError: () => {} });
  assert.match(String(await get(api, '/api/sampling?service=s', 500)), /cannot read sampling strategies/);
});

function root(service: string, name: string, i: number): Span {
  return makeSpan({
    traceId: (i + 1).toString(16).padStart(32, '0'),
    spanId: '0000000000000001',
    name,
    service,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 1n,
  });
}

const batch = (service: string, name: string, n: number) => Array.from({ length: n }, (_, i) => root(service, name, i));

test('adaptive: busy operations go down, quiet ones up (capped), within bounds', async () => {
  const api = createSamplingApi({
    adaptive: { targetTracesPerSecond: 1, initialProbability: 0.1, minProbability: 0.001, intervalMs: 0 },
  });
  // Before any traffic: the file's (default) answer.
  assert.equal(
    ((await get(api, '/api/sampling?service=shop')) as { operationSampling?: unknown }).operationSampling,
    undefined,
  );
  // 10 s: /busy sends 50 sampled traces/s, /quiet 0.1/s, /steady 1.1/s (within tolerance). Child spans do not count.
  api.record([...batch('shop', '/busy', 500), ...batch('shop', '/quiet', 1), ...batch('shop', '/steady', 11)]);
  api.record([{ ...root('shop', '/busy', 0), parentSpanId: '0000000000000009' }]);
  api.recompute(10);
  const probabilities = async () => {
    const body = (await get(api, '/api/sampling?service=shop')) as {
      operationSampling: {
        defaultLowerBoundTracesPerSecond: number;
        perOperationStrategies: { operation: string; probabilisticSampling: { samplingRate: number } }[];
      };
    };
    assert.ok(body.operationSampling.defaultLowerBoundTracesPerSecond > 0);
    return Object.fromEntries(
      body.operationSampling.perOperationStrategies.map((s) => [s.operation, s.probabilisticSampling.samplingRate]),
    );
  };
  const first = await probabilities();
  assert.ok(Math.abs((first['/busy'] ?? 0) - 0.002) < 1e-12, String(first['/busy'])); // 0.1 * 1 / 50
  assert.equal(first['/quiet'], 0.2); // would be 1.0, increase capped at 2x
  assert.equal(first['/steady'], 0.1);
  // Still far too busy: the floor holds.
  api.record(batch('shop', '/busy', 1000));
  api.recompute(1);
  assert.equal((await probabilities())['/busy'], 0.001);
  // Every route gives the same strategies, the legacy one with the enum as a number.
  const named = (await get(api, '/sampling?service=shop')) as Record<string, unknown>;
  const numbered = (await get(api, '/?service=shop')) as Record<string, unknown>;
  assert.equal(named.strategyType, 'PROBABILISTIC');
  assert.equal(numbered.strategyType, 0);
  assert.deepEqual({ ...numbered, strategyType: named.strategyType }, named);
  assert.deepEqual(await get(api, '/api/sampling?service=shop'), named);
  api.close();
});
