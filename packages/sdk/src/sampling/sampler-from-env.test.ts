import assert from 'node:assert/strict';
import { test } from 'node:test';
import { samplerFromEnv } from './sampler-from-env.js';

test('OTEL_TRACES_SAMPLER names and arguments', () => {
  assert.match(String(samplerFromEnv({})), /^ParentBased\{root=AlwaysOnSampler/);
  assert.equal(String(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' })), 'AlwaysOffSampler');
  assert.equal(
    String(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' })),
    'TraceIdRatioSampler{0.25}',
  );
  assert.equal(
    String(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '7' })),
    'TraceIdRatioSampler{1}',
  );
  assert.match(
    String(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_ratelimiting', OTEL_TRACES_SAMPLER_ARG: '20' })),
    /root=RateLimitingSampler\{20\}/,
  );
  assert.match(String(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'nonsense' })), /^ParentBased\{root=AlwaysOnSampler/);
});
