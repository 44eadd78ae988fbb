import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeededRandom } from '../workload/random.js';
import { fuzzTraceQL, PATHOLOGICAL_PATTERNS } from './traceql-texts.js';

test('TraceQL fuzz texts: the same seed gives the same texts; valid, mutated and garbage ones, pathological patterns among them', () => {
  const run = (seed: number) => {
    const random = new SeededRandom(seed);
    return Array.from({ length: 500 }, () => fuzzTraceQL(random));
  };
  const texts = run(7);
  assert.deepEqual(run(7), texts);
  assert.notDeepEqual(run(8), texts);
  for (const kind of ['valid', 'mutated', 'garbage'])
    assert.ok(
      texts.some((t) => t.kind === kind),
      kind,
    );
  const valid = texts.filter((t) => t.kind === 'valid').map((t) => t.text);
  assert.ok(valid.every((text) => text.startsWith('{') || text.startsWith('(')));
  assert.ok(
    valid.some((text) => text.includes(' | ')),
    'pipelines',
  );
  assert.ok(
    valid.some((text) => /(span)?\.x =~ "\(a\+\)\+\$"/.test(text)),
    'a pathological pattern on the 1 MiB value',
  );
  assert.ok(PATHOLOGICAL_PATTERNS.length > 10);
});
