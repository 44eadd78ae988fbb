// Jaeger remote sampling as real clients read it: the server's sampling API
// on a loopback port, polled by jaeger-client's RemoteSampler and by the
// SDK's JaegerRemoteSampler. `/sampling` names the enums (jaeger-client
// compares `strategyType === 'PROBABILISTIC'`); the legacy `/` numbers them,
// for clients generated with Thrift 0.9.2.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { JaegerRemoteSampler, parseJaegerSamplingStrategy } from '@ariadne/sdk';
import { getRequestListener } from '@hono/node-server';
import { ROOT_CONTEXT, SamplingDecision, SpanKind } from '@opentelemetry/api';
import jaegerClient from 'jaeger-client';
import { createSamplingApi, type SamplingApi } from '../packages/server/src/sampling/sampling-api.js';
import { makeTempDir, removeTempDir } from './support/test-server.js';

const STRATEGIES = {
  service_strategies: [
    { service: 'checkout', type: 'probabilistic', param: 0.25 },
    { service: 'payments', type: 'ratelimiting', param: 7 },
    {
      service: 'catalog',
      type: 'probabilistic',
      param: 0,
      operation_strategies: [
        { operation: 'GET /always', type: 'probabilistic', param: 1 },
        { operation: 'GET /never', type: 'probabilistic', param: 0 },
      ],
    },
  ],
  default_strategy: { type: 'probabilistic', param: 0.5 },
};

let dir: string;
let api: SamplingApi;
let server: Server;
let port: number;
let base: string;

before(async () => {
  dir = makeTempDir('ariadne-remote-sampling-');
  const file = join(dir, 'strategies.json');
  writeFileSync(file, JSON.stringify(STRATEGIES));
  api = createSamplingApi({ strategiesFile: file });
  server = createServer(getRequestListener(api.fetch));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

after(async () => {
  api.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  removeTempDir(dir);
});

/**
 * One poll by jaeger-client's RemoteSampler: resolves with the sampler it
 * switched to (its onSamplerUpdate), rejects with what it logged when it
 * could not use the answer. No timer: `refreshInterval: 0` leaves polling to
 * the test, through the method the client's own timer calls.
 */
function jaegerClientPoll(service: string, samplingPath = '/sampling'): Promise<JaegerClientSampler> {
  return new Promise((resolve, reject) => {
    const remote = new jaegerClient.RemoteSampler(service, {
      host: '127.0.0.1',
      port,
      samplingPath,
      refreshInterval: 0,
      sampler: new jaegerClient.ConstSampler(false),
      logger: { info: () => {}, error: (message: string) => reject(new Error(message)) },
      onSamplerUpdate: (sampler: JaegerClientSampler) => resolve(sampler),
    });
    remote._refreshSamplingStrategy();
  });
}

interface JaegerClientSampler {
  name(): string;
  isSampled(operation: string, tags: Record<string, unknown>): boolean;
  readonly samplingRate?: number;
  readonly maxTracesPerSecond?: number;
}

describe('jaeger-client RemoteSampler', () => {
  test('/sampling, probabilistic: it takes the strategy', async () => {
    const sampler = await jaegerClientPoll('checkout');
    assert.ok(sampler instanceof jaegerClient.ProbabilisticSampler, sampler.name());
    assert.equal(sampler.samplingRate, 0.25);
  });

  test('/sampling, rate limiting: it takes the strategy', async () => {
    const sampler = await jaegerClientPoll('payments');
    assert.ok(sampler instanceof jaegerClient.RateLimitingSampler, sampler.name());
    assert.equal(sampler.maxTracesPerSecond, 7);
  });

  test('/sampling, per operation: it samples each operation at its own rate', async () => {
    const sampler = await jaegerClientPoll('catalog');
    assert.equal(sampler.name(), 'PerOperationSampler');
    for (let i = 0; i < 20; i++) {
      assert.equal(sampler.isSampled('GET /always', {}), true);
      assert.equal(sampler.isSampled('GET /never', {}), false);
    }
  });

  test('/sampling, a service without its own strategy: the default', async () => {
    const sampler = await jaegerClientPoll('unlisted');
    assert.ok(sampler instanceof jaegerClient.ProbabilisticSampler, sampler.name());
    assert.equal(sampler.samplingRate, 0.5);
  });

  test('the legacy / numbers the enum, which this client cannot read: why /sampling must name it', async () => {
    await assert.rejects(jaegerClientPoll('checkout', '/'), /Malformed response: \{"strategyType":0,/);
  });
});

describe("the SDK's JaegerRemoteSampler", () => {
  const traceIds = Array.from({ length: 100 }, (_, i) => (i + 1).toString(16).padStart(8, '0').repeat(4));
  const sampledCount = (sampler: JaegerRemoteSampler, operation: string) =>
    traceIds.filter(
      (id) =>
        sampler.shouldSample(ROOT_CONTEXT, id, operation, SpanKind.SERVER, {}, []).decision ===
        SamplingDecision.RECORD_AND_SAMPLED,
    ).length;

  async function poll(service: string): Promise<JaegerRemoteSampler> {
    const sampler = new JaegerRemoteSampler({
      serviceName: service,
      endpoint: base,
      initialSamplingRate: 0,
      pollingIntervalMillis: 3_600_000,
      now: () => 0,
    });
    await sampler.poll();
    sampler.close();
    return sampler;
  }

  test('/sampling: probabilistic, rate limiting and per-operation strategies', async () => {
    assert.equal(String((await poll('checkout')).sampler), 'TraceIdRatioSampler{0.25}');
    const payments = await poll('payments');
    assert.equal(String(payments.sampler), 'RateLimitingSampler{7}');
    assert.equal(sampledCount(payments, 'any'), 7, 'a full bucket of 7, and no time passes');
    const catalog = await poll('catalog');
    assert.match(String(catalog.sampler), /^PerOperationSampler/);
    assert.equal(sampledCount(catalog, 'GET /always'), traceIds.length);
    assert.equal(sampledCount(catalog, 'GET /never'), 0);
  });

  test('its reader takes the legacy numbered answers as the named ones', async () => {
    for (const service of ['checkout', 'payments', 'catalog', 'unlisted']) {
      const named = await (await fetch(`${base}/sampling?service=${service}`)).json();
      const numbered = await (await fetch(`${base}/?service=${service}`)).json();
      assert.equal(typeof (numbered as { strategyType: unknown }).strategyType, 'number');
      assert.deepEqual(parseJaegerSamplingStrategy(numbered), parseJaegerSamplingStrategy(named), service);
    }
    assert.deepEqual(parseJaegerSamplingStrategy(await (await fetch(`${base}/?service=payments`)).json()), {
      type: 'ratelimiting',
      maxTracesPerSecond: 7,
    });
  });
});
