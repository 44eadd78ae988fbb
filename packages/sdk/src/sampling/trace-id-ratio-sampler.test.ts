import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT_CONTEXT, SamplingDecision } from '@opentelemetry/api';
import { TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { randomTraceId } from '../trace/random-ids.js';
import { TraceIdRatioSampler } from './trace-id-ratio-sampler.js';

test('decisions agree with the OpenTelemetry SDK for the same ratio and trace id', () => {
  for (const ratio of [0, 0.001, 0.1, 0.5, 0.9, 1]) {
    const ours = new TraceIdRatioSampler(ratio);
    const theirs = new TraceIdRatioBasedSampler(ratio);
    let sampled = 0;
    for (let i = 0; i < 2000; i++) {
      const id = randomTraceId();
      const a = ours.shouldSample(ROOT_CONTEXT, id).decision;
      const b = theirs.shouldSample(ROOT_CONTEXT, id).decision;
      assert.equal(a, b, `ratio ${ratio}, trace ${id}`);
      if (a === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
    }
    if (ratio === 0) assert.equal(sampled, 0);
    if (ratio === 1) assert.equal(sampled, 2000);
    if (ratio === 0.5) assert.ok(sampled > 800 && sampled < 1200, `about half sampled, got ${sampled}`);
  }
});

test('invalid ids are never sampled; odd ratios are clamped', () => {
  assert.equal(
    new TraceIdRatioSampler(1).shouldSample(ROOT_CONTEXT, '0'.repeat(32)).decision,
    SamplingDecision.NOT_RECORD,
  );
  assert.equal(new TraceIdRatioSampler(1).shouldSample(ROOT_CONTEXT, 'xyz').decision, SamplingDecision.NOT_RECORD);
  assert.equal(new TraceIdRatioSampler(7).ratio, 1);
  assert.equal(new TraceIdRatioSampler(-1).ratio, 0);
  assert.equal(new TraceIdRatioSampler(Number.NaN).ratio, 0);
});
