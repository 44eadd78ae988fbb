import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileTraceQL } from './compile.js';
import { formatField } from './format-field.js';
import { tokenize } from './lexer.js';
import { MAX_TRACEQL_NESTING, parseTraceQL } from './parser.js';
import { TraceQLError } from './traceql-error.js';

test('tokens: durations, quoted and scoped attributes, intrinsics, longest operators', () => {
  const tokens = tokenize('{ span."a b" != 1h30m && .http.url =~ `a\\d` } !>> { trace:duration >= .5 }');
  assert.deepEqual(
    tokens.map((t) => `${t.type}:${t.text}`),
    [
      'punct:{',
      'attribute:span."a b"',
      'punct:!=',
      'duration:1h30m',
      'punct:&&',
      'attribute:.http.url',
      'punct:=~',
      'string:`a\\d`',
      'punct:}',
      'punct:!>>',
      'punct:{',
      'intrinsic:trace:duration',
      'punct:>=',
      'float:.5',
      'punct:}',
      'eof:',
    ],
  );
  assert.equal((tokens[3] as { value: number }).value, 5_400_000_000_000);
  assert.equal((tokens[7] as { value: string }).value, 'a\\d');
});

test('field operators bind as in Tempo: arithmetic, then comparison, then && over ||', () => {
  const query = parseTraceQL('{ span.a + 2 * 3 > 7 || name = "x" && kind = server }');
  const stage = query.pipeline.stages[0]!;
  assert.equal(stage.kind, 'spanset');
  const filter = stage.kind === 'spanset' && stage.expr.kind === 'filter' ? stage.expr.expr! : undefined;
  assert.equal(formatField(filter!), 'span.a + 2 * 3 > 7 || name = "x" && kind = server');
  assert.equal(filter!.kind === 'binary' && filter!.op, '||');
  const left = filter!.kind === 'binary' ? filter!.left : undefined;
  assert.equal(left?.kind === 'binary' && left.op, '>');
});

test('spanset operators: || loosest, then &&, then structural, left to right', () => {
  const query = parseTraceQL('{ a = 1 } > { } >> { } && { } || { }'.replaceAll('a =', '.a ='));
  const stage = query.pipeline.stages[0]!;
  const expr = stage.kind === 'spanset' ? stage.expr : undefined;
  assert.equal(expr?.kind === 'spansetOp' && expr.op, '||');
  const and = expr?.kind === 'spansetOp' ? expr.left : undefined;
  assert.equal(and?.kind === 'spansetOp' && and.op, '&&');
  const descendant = and?.kind === 'spansetOp' ? and.left : undefined;
  assert.equal(descendant?.kind === 'spansetOp' && descendant.op, '>>');
  assert.equal(descendant?.kind === 'spansetOp' && descendant.left.kind === 'spansetOp' && descendant.left.op, '>');
});

test('pipelines and metrics', () => {
  const query = parseTraceQL(
    '{ } | by(resource.service.name) | avg(duration) > 1s | select(span.a) | quantile_over_time(duration, .5, 0.99) by (name)',
  );
  assert.deepEqual(
    query.pipeline.stages.map((s) => s.kind),
    ['spanset', 'by', 'scalarFilter', 'select'],
  );
  assert.equal(query.metrics?.fn, 'quantile_over_time');
  assert.deepEqual(query.metrics?.quantiles, [0.5, 0.99]);
  assert.deepEqual(query.metrics?.by.map(formatField), ['name']);
});

test('errors point at line and column across lines', () => {
  assert.throws(() => parseTraceQL('{ name = "a" }\n| count() >\n  && { }'), {
    message: '3:3: expected an aggregate (count, avg, min, max, sum) or a number, found "&&"',
    line: 3,
    column: 3,
  });
});

test('nesting deeper than MAX_TRACEQL_NESTING is a TraceQLError, not a stack overflow', () => {
  const tooDeep = (error: unknown) =>
    error instanceof TraceQLError && /nests too deeply \(more than 256 levels/.test(error.message);
  const cases = {
    parentheses: `{ ${'('.repeat(5_000)}span.x = 1${')'.repeat(5_000)} }`,
    spansets: `${'('.repeat(5_000)}{ }${')'.repeat(5_000)}`,
    'an || chain': `{ ${Array(5_000).fill('span.x = 1').join(' || ')} }`,
    'a spanset chain': Array(5_000).fill('{ }').join(' && '),
    negations: `{ ${'!'.repeat(5_000)}true }`,
    powers: `{ span.x = ${Array(5_000).fill('2').join('^')} }`,
    'an aggregate': `{ } | count() > ${'('.repeat(5_000)}1${')'.repeat(5_000)}`,
  };
  for (const [name, text] of Object.entries(cases)) assert.throws(() => compileTraceQL(text), tooDeep, name);
  // Up to the limit, queries parse and run: a 100-way OR, 200 parentheses.
  compileTraceQL(`{ ${Array(100).fill('span.x =~ "(a+)+$"').join(' || ')} }`);
  compileTraceQL(`{ ${'('.repeat(200)}span.x = 1${')'.repeat(200)} }`);
  assert.equal(MAX_TRACEQL_NESTING, 256);
});
