import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stringifyJaegerJson, stringifyJaegerJsonExact } from './stringify-jaeger-json.js';

const writers = [stringifyJaegerJson, stringifyJaegerJsonExact];

test('bigint values are written as JSON numbers with every digit', () => {
  for (const write of writers) {
    const text = write({ big: 9007199254740993n, min: -9223372036854775808n, list: [1n, 2], s: '1n' });
    assert.equal(text, '{"big":9007199254740993,"min":-9223372036854775808,"list":[1,2],"s":"1n"}');
    assert.equal(write(12345678901234567890n), '12345678901234567890');
  }
});

test('strings that look like the fast path markers stay text', () => {
  const value = { a: '\u0001bigint.0.abc:12', b: '"\u0001bigint.', n: 7n };
  for (const write of writers) {
    assert.equal(write(value), '{"a":"\\u0001bigint.0.abc:12","b":"\\"\\u0001bigint.","n":7}');
  }
});

test('everything else is written as JSON.stringify writes it', () => {
  const samples: unknown[] = [
    { a: 'x"\n\u2028\ud800', b: true, c: null, d: 1.5, e: -0, f: 1e21, g: [] },
    { skipped: undefined, fn: () => 1, kept: 'yes' },
    [undefined, Number.NaN, Number.POSITIVE_INFINITY, 'é', () => 1],
    { date: new Date(0), nested: { deep: [{ k: 'v' }] } },
    'plain',
    42,
    null,
  ];
  for (const write of writers) {
    for (const sample of samples) assert.equal(write(sample), JSON.stringify(sample));
    // With a bigint somewhere, so that the fast path does its swap.
    for (const sample of samples) {
      assert.equal(write({ sample, n: 1n }), JSON.stringify({ sample, n: 1 }));
    }
  }
});

test('a top-level value JSON cannot hold becomes null, cycles throw', () => {
  for (const write of writers) {
    assert.equal(write(undefined), 'null');
    const cyclic: Record<string, unknown> = { n: 1n };
    cyclic.self = cyclic;
    assert.throws(() => write(cyclic), TypeError);
    const shared = { k: 1n };
    assert.equal(write([shared, shared]), '[{"k":1},{"k":1}]');
  }
});
