import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT_CONTEXT, SamplingDecision, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { DEBUG_FLAG_KEY } from '../propagation/debug-context.js';
import { AlwaysOffSampler } from './always-off-sampler.js';
import { AlwaysOnSampler } from './always-on-sampler.js';
import { ParentBasedSampler } from './parent-based-sampler.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const parent = (flags: number, isRemote: boolean) =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: 'b7ad6b7169203331', traceFlags: flags, isRemote });
const decide = (sampler: ParentBasedSampler, ctx = ROOT_CONTEXT) =>
  sampler.shouldSample(ctx, TRACE, 'n', SpanKind.INTERNAL, {}, []).decision;

test('follows the parent; the root sampler decides only without a valid parent', () => {
  const on = new ParentBasedSampler({ root: new AlwaysOnSampler() });
  const off = new ParentBasedSampler({ root: new AlwaysOffSampler() });
  assert.equal(decide(on), SamplingDecision.RECORD_AND_SAMPLED);
  assert.equal(decide(off), SamplingDecision.NOT_RECORD);
  for (const remote of [true, false]) {
    assert.equal(decide(off, parent(TraceFlags.SAMPLED, remote)), SamplingDecision.RECORD_AND_SAMPLED);
    assert.equal(decide(on, parent(TraceFlags.NONE, remote)), SamplingDecision.NOT_RECORD);
  }
  const invalid = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0'.repeat(32),
    spanId: '1'.repeat(16),
    traceFlags: 0,
  });
  assert.equal(decide(on, invalid), SamplingDecision.RECORD_AND_SAMPLED);
});

test('each parent case can be overridden; a remote debug parent counts as sampled', () => {
  const sampler = new ParentBasedSampler({
    root: new AlwaysOffSampler(),
    remoteParentSampled: new AlwaysOffSampler(),
    localParentNotSampled: new AlwaysOnSampler(),
  });
  assert.equal(decide(sampler, parent(TraceFlags.SAMPLED, true)), SamplingDecision.NOT_RECORD);
  assert.equal(decide(sampler, parent(TraceFlags.NONE, false)), SamplingDecision.RECORD_AND_SAMPLED);
  const plain = new ParentBasedSampler({ root: new AlwaysOffSampler() });
  const debug = parent(TraceFlags.NONE, true).setValue(DEBUG_FLAG_KEY, true);
  assert.equal(decide(plain, debug), SamplingDecision.RECORD_AND_SAMPLED);
});
