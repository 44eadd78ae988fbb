import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ROOT_CONTEXT, SamplingDecision, SpanKind } from '@opentelemetry/api';
import { JaegerRemoteSampler } from './jaeger-remote-sampler.js';
import { parseJaegerSamplingStrategy } from './jaeger-sampling-strategy.js';
import { samplerFromEnv } from './sampler-from-env.js';

/** A real sampling endpoint whose answer the test changes between polls. */
async function strategyServer() {
  const state = { status: 200, body: '{}' as string, requests: [] as string[] };
  const server = createServer((req, res) => {
    state.requests.push(req.url ?? '');
    res.writeHead(state.status, { 'content-type': 'application/json' }).end(state.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    answer(body: unknown, status = 200) {
      state.body = typeof body === 'string' ? body : JSON.stringify(body);
      state.status = status;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const traceIds = Array.from({ length: 200 }, (_, i) => (i + 1).toString(16).padStart(8, '0').repeat(4));
function sampledCount(sampler: JaegerRemoteSampler, name: string, ids = traceIds): number {
  return ids.filter(
    (id) =>
      sampler.shouldSample(ROOT_CONTEXT, id, name, SpanKind.SERVER, {}, []).decision ===
      SamplingDecision.RECORD_AND_SAMPLED,
  ).length;
}

test('fallback until the first answer, then probabilistic, rate-limiting and per-operation strategies', async () => {
  const server = await strategyServer();
  server.answer('not json');
  let clock = 0;
  const sampler = new JaegerRemoteSampler({
    serviceName: 'svc a',
    endpoint: server.endpoint,
    initialSamplingRate: 0,
    pollingIntervalMillis: 3_600_000,
    now: () => clock,
  });
  try {
    await sampler.poll();
    assert.equal(server.state.requests[0], '/sampling?service=svc%20a');
    assert.equal(sampledCount(sampler, 'op'), 0, 'the fallback (rate 0) until a strategy arrives');

    server.answer({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 1 } });
    await sampler.poll();
    assert.equal(sampledCount(sampler, 'op'), traceIds.length);

    // The thrift-JSON form: strategyType as a number.
    server.answer({ strategyType: 1, rateLimitingSampling: { maxTracesPerSecond: 3 } });
    await sampler.poll();
    assert.equal(sampledCount(sampler, 'op'), 3, 'a full bucket of 3, no time passes');
    clock += 1000;
    assert.equal(sampledCount(sampler, 'op'), 3, 'refilled after a second');

    server.answer({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 0 },
      operationSampling: {
        defaultSamplingProbability: 0,
        defaultLowerBoundTracesPerSecond: 2,
        perOperationStrategies: [{ operation: 'GET /hot', probabilisticSampling: { samplingRate: 1 } }],
      },
    });
    await sampler.poll();
    assert.match(String(sampler), /PerOperationSampler/);
    assert.equal(sampledCount(sampler, 'GET /hot'), traceIds.length);
    assert.equal(sampledCount(sampler, 'GET /rare'), 2, 'the lower bound guarantees rare operations');

    // A failing endpoint keeps the last strategy.
    server.answer('oops', 500);
    await sampler.poll();
    assert.equal(sampledCount(sampler, 'GET /hot'), traceIds.length);
  } finally {
    sampler.close();
    await server.close();
  }
});

test('strategy parsing reads the enum as a name (api_v2 JSON) or a number (Thrift 0.9.2 JSON) alike', () => {
  const probabilistic = { type: 'probabilistic', samplingRate: 0.25 };
  const rateLimiting = { type: 'ratelimiting', maxTracesPerSecond: 7 };
  for (const strategyType of ['PROBABILISTIC', 0]) {
    assert.deepEqual(
      parseJaegerSamplingStrategy({ strategyType, probabilisticSampling: { samplingRate: 0.25 } }),
      probabilistic,
    );
  }
  for (const strategyType of ['RATE_LIMITING', 1]) {
    assert.deepEqual(
      parseJaegerSamplingStrategy({ strategyType, rateLimitingSampling: { maxTracesPerSecond: 7 } }),
      rateLimiting,
    );
  }
  // protobuf JSON that leaves out enum value 0 (PROBABILISTIC) as a default.
  assert.deepEqual(parseJaegerSamplingStrategy({ probabilisticSampling: { samplingRate: 0.25 } }), probabilistic);
  // The type and the strategy given must agree.
  assert.throws(() => parseJaegerSamplingStrategy({ strategyType: 1, probabilisticSampling: { samplingRate: 0.25 } }));
  assert.throws(() =>
    parseJaegerSamplingStrategy({ strategyType: 'PROBABILISTIC', rateLimitingSampling: { maxTracesPerSecond: 7 } }),
  );
});

test('strategy parsing rejects answers without a usable strategy', () => {
  assert.throws(() => parseJaegerSamplingStrategy({ strategyType: 'PROBABILISTIC' }));
  assert.throws(() => parseJaegerSamplingStrategy({ probabilisticSampling: { samplingRate: -1 } }));
  assert.deepEqual(parseJaegerSamplingStrategy({ probabilisticSampling: { samplingRate: 7 } }), {
    type: 'probabilistic',
    samplingRate: 1,
  });
});

test('OTEL_TRACES_SAMPLER=jaeger_remote with its arguments', async () => {
  const server = await strategyServer();
  server.answer({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 1 } });
  const sampler = samplerFromEnv({
    OTEL_SERVICE_NAME: 'env-svc',
    OTEL_TRACES_SAMPLER: 'jaeger_remote',
    OTEL_TRACES_SAMPLER_ARG: `endpoint=${server.endpoint},pollingIntervalMs=3600000,initialSamplingRate=0.5`,
  });
  try {
    assert.ok(sampler instanceof JaegerRemoteSampler);
    assert.equal(sampler.url, `${server.endpoint}/sampling?service=env-svc`);
    await sampler.poll();
    assert.equal(sampledCount(sampler, 'x'), traceIds.length);
    assert.match(
      String(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote' })),
      /^ParentBased\{root=JaegerRemoteSampler/,
    );
  } finally {
    if (sampler instanceof JaegerRemoteSampler) sampler.close();
    await server.close();
  }
});
