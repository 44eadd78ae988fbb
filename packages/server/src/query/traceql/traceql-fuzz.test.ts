import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeOtlpTraceRequestJson, type Span } from '@ariadne/protocol';
import { compileSpanMatcher } from '../../storage/query/span-matches-query.js';
import { compileTraceQL } from './compile.js';
import { executeTraceQL } from './execute.js';
import { MetricsAccumulator } from './metrics.js';
import { planTraceQL } from './plan.js';
import { TraceQLError } from './traceql-error.js';

// Queries glued from TraceQL's own pieces: most are nonsense, some are valid.
// Whatever the text, compiling either succeeds or throws a TraceQLError (never
// a TypeError or a hang), and a valid query plans and runs over the fixtures.
const PIECES = [
  '{',
  '}',
  '(',
  ')',
  '|',
  '&&',
  '||',
  '!',
  '=',
  '!=',
  '>',
  '>=',
  '<',
  '<=',
  '=~',
  '!~',
  '>>',
  '<<',
  '~',
  '!>',
  '!>>',
  '&>',
  '&~',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  ',',
  '"GET.*"',
  '"a b"',
  '`x`',
  '"(',
  '1',
  '2.5',
  '.5',
  '100ms',
  '1h30m',
  'true',
  'nil',
  'error',
  'ok',
  'server',
  'client',
  'name',
  'status',
  'kind',
  'duration',
  'span.http.method',
  'resource.service.name',
  '.x',
  'span."a b"',
  'event:name',
  'trace:rootName',
  'span:foo',
  'count()',
  'avg(duration)',
  'max(',
  'by(resource.service.name)',
  'select(name)',
  'coalesce()',
  'rate()',
  'quantile_over_time(duration, .9)',
  'by',
  '\n',
  ' ',
  '@',
  '"unterminated',
];

const FIELDS = [
  'name',
  'status',
  'kind',
  'duration',
  'span.http.method',
  'span.http.status_code',
  '.x',
  'trace:duration',
  'event:name',
  'span.flags',
  'resource.service.name',
];
const OPERATORS = ['=', '!=', '>', '>=', '<', '<=', '=~', '!~'];
const VALUES = [
  '"GET"',
  '"G.*"',
  '200',
  '2.5',
  '100ms',
  'error',
  'server',
  'nil',
  'true',
  '"a"',
  'span.payment.amount',
];
const STAGES = [
  'count() > 1',
  'avg(duration) > 10ms',
  'by(kind)',
  'select(name)',
  'coalesce()',
  'rate() by (name)',
  'histogram_over_time(duration)',
];

function* queries(seed: number, count: number): Generator<string> {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  for (let i = 0; i < count; i++) {
    const pick = (list: readonly string[]) => list[Math.floor(next() * list.length)]!;
    if (next() < 0.5) {
      // Well-formed in shape, with random operands: exercises validation and the engine.
      const condition = () => `${pick(FIELDS)} ${pick(OPERATORS)} ${pick(VALUES)}`;
      let filter = condition();
      while (next() < 0.4) filter += ` ${pick(['&&', '||'])} ${condition()}`;
      let text = `{ ${filter} }`;
      if (next() < 0.3) text += ` ${pick(['&&', '||', '>', '>>', '<', '~', '!>', '&>'])} { ${condition()} }`;
      if (next() < 0.3) text += ` | ${pick(STAGES)}`;
      yield text;
      continue;
    }
    const length = 1 + Math.floor(next() * 14);
    const parts: string[] = [];
    // Start most queries with a spanset so that some get past the first token.
    if (next() < 0.7) parts.push('{');
    for (let j = 0; j < length; j++) parts.push(PIECES[Math.floor(next() * PIECES.length)]!);
    if (next() < 0.5) parts.push('}');
    yield parts.join(next() < 0.5 ? ' ' : '');
  }
}

const spans = decodeOtlpTraceRequestJson(readFileSync(new URL('./traceql-fixtures.json', import.meta.url))).spans;
const traces = new Map<string, Span[]>();
for (const span of spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);

test('random token soup: a TraceQLError or a query that plans and runs', () => {
  let valid = 0;
  let supersetChecks = 0;
  const everything = { startNanos: 0n, endNanos: 1n << 62n };
  for (const text of queries(20_240_601, 3_000)) {
    let query: ReturnType<typeof compileTraceQL>;
    try {
      query = compileTraceQL(text);
    } catch (error) {
      assert.ok(error instanceof TraceQLError, `${JSON.stringify(text)} threw ${String(error)}`);
      assert.ok(error.line >= 1 && error.column >= 1);
      continue;
    }
    valid++;
    if (query.metrics !== undefined) {
      const accumulator = new MetricsAccumulator(query, {
        startNanos: 1_700_000_000_000_000_000n,
        endNanos: 1_700_000_059_000_000_000n,
        stepNanos: 10_000_000_000n,
      });
      for (const trace of traces.values()) accumulator.addTrace(trace);
      accumulator.result();
    }
    // The plan's prefilter is a superset: every trace the engine matches has a span the store would match.
    const plan = planTraceQL(query);
    const matcher = compileSpanMatcher({ ...plan.prefilter, timeRange: everything, limit: 1 });
    for (const trace of traces.values()) {
      if (executeTraceQL(query, trace).length === 0) continue;
      assert.ok(!plan.matchesNothing && trace.some(matcher), `prefilter of ${text} drops a matching trace`);
      supersetChecks++;
    }
  }
  // The generator must reach the engine at all, or this test proves nothing about it.
  assert.ok(valid > 20, `only ${valid} valid queries`);
  assert.ok(supersetChecks > 20, `only ${supersetChecks} matching traces checked against their prefilter`);
});
