import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AriadneError } from '@ariadne/protocol';
import { type FuzzTarget, fuzzTargets } from '../bench/fuzz/fuzz-targets.js';
import { describeFailure, runFuzz } from '../bench/fuzz/run-fuzz.js';

// The short version of `npm run fuzz`: a few thousand seeded cases per decoder
// (random bytes, truncations, bit flips, absurd lengths, deep nesting, invalid
// UTF-8, JSON value swaps). The long run is 100,000 per decoder.
const CASES = 3000;
const SEED = 20_260_101;

const targets = fuzzTargets();

describe('fuzzing every decoder', () => {
  test('all decoders are covered, and their valid payloads decode', () => {
    const names = targets.map((t) => t.name);
    for (const expected of [
      'otlp-proto',
      'otlp-json',
      'jaeger-thrift-binary',
      'jaeger-thrift-compact',
      'jaeger-agent-compact',
      'jaeger-agent-binary',
      'zipkin-v1-json',
      'zipkin-v1-thrift',
      'zipkin-v2-json',
      'zipkin-proto',
    ]) {
      assert.ok(names.includes(expected), `no fuzz target for ${expected}`);
    }
    for (const target of targets) {
      // Mutations of payloads that do not decode in the first place would only test the first check.
      const spans = target.seeds.reduce((sum, seed) => sum + target.decode(seed).length, 0);
      assert.ok(spans > 0, `${target.name}: its valid payloads decode to no spans`);
    }
  });

  for (const target of targets) {
    test(`${target.name}: only AriadneError, no slow case, bounded heap`, () => {
      const report = runFuzz(target, { cases: CASES, seed: SEED });
      assert.deepEqual(
        report.failures.map((f) => describeFailure(f, SEED)),
        [],
      );
      // A mutator that never got past the decoder's first check would be a weak fuzzer.
      assert.ok(
        report.rejected > 0 && report.decoded > 0,
        `${target.name}: ${report.decoded} decoded, ${report.rejected} rejected`,
      );
    });
  }
});

describe('the fuzz harness catches what it is meant to', () => {
  const base = targets.find((t) => t.name === 'otlp-proto')!;
  const withDecode = (decode: FuzzTarget['decode']): FuzzTarget => ({ ...base, name: 'broken', decode });

  test('a decoder that throws something other than AriadneError', () => {
    const broken = withDecode((bytes) => {
      if (bytes.length % 7 === 3) throw new TypeError('Cannot read properties of undefined');
      return base.decode(bytes);
    });
    const report = runFuzz(broken, { cases: 200, seed: 1 });
    assert.ok(report.failureCount > 0);
    assert.match(report.failures[0]!.problem, /TypeError/);
    assert.match(describeFailure(report.failures[0]!, 1), /--case-seed \d+/);
  });

  test('a decoder that returns spans with invalid ids', () => {
    const broken = withDecode((bytes) => {
      const spans = base.decode(bytes);
      return spans.map((span) => ({ ...span, spanId: '0000000000000000' }));
    });
    assert.ok(runFuzz(broken, { cases: 300, seed: 2 }).failureCount > 0);
  });

  test('a decoder that holds on to memory', () => {
    const kept: Uint8Array[] = [];
    const leaky = withDecode(() => {
      kept.push(new Uint8Array(64 * 1024));
      throw new AriadneError('InvalidPayload', 'nope');
    });
    const report = runFuzz(leaky, { cases: 400, seed: 3, heapGrowthLimitBytes: 8 * 1024 * 1024 });
    assert.match(report.failures.at(-1)?.problem ?? '', /heap grew/);
  });

  test('a decoder that is slow on some input', () => {
    let calls = 0;
    const slow = withDecode((bytes) => {
      calls++;
      if (calls === 5 || calls === 6) {
        // The harness runs a slow case twice before blaming the decoder.
        const until = performance.now() + 30;
        while (performance.now() < until) {}
      }
      return base.decode(bytes);
    });
    const report = runFuzz(slow, { cases: 20, seed: 4, caseBudgetMs: 10 });
    assert.match(report.failures[0]?.problem ?? '', /took \d+ ms/);
  });
});
