import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAriadneError, makeSpan } from '@ariadne/protocol';
import { QueryDeadline, ScanPacer, withQueryDeadline } from '../query-deadline.js';
import { compileTraceQL } from './compile.js';
import { evaluatePaced, executeInContext, executeTraceQL, TraceContext } from './execute.js';
import { RegexWork } from './regex-work.js';

const MEBIBYTE = `${'a'.repeat(1 << 20)}b`;
const trace = [
  makeSpan({
    traceId: '0'.repeat(31) + '1',
    service: 'work',
    attributes: [{ key: 'x', value: { type: 'string', value: MEBIBYTE } }],
  }),
];
const orOf = (patterns: readonly string[]) =>
  compileTraceQL(`{ ${patterns.map((p) => `span.x =~ ${JSON.stringify(p)}`).join(' || ')} }`);
/** Distinct patterns of a few instructions each, none of which matches the value. */
const distinct = (n: number) => Array.from({ length: n }, (_, i) => `a*c${i}`);

test('one (pattern, value) pair costs one match however often the query asks for it', () => {
  const ctx = new TraceContext(trace);
  const found = executeInContext(orOf(Array(100).fill('(a+)+$')), ctx);
  assert.equal(found.length, 0);
  const single = new TraceContext(trace);
  executeInContext(orOf(['(a+)+$']), single);
  assert.ok(single.regexWork.spent > 0);
  assert.equal(ctx.regexWork.spent, single.regexWork.spent, 'a 100-way OR of one pattern costs one match');
});

test('a synchronous evaluation whose regex work outgrows one trace budget is refused, naming why', () => {
  assert.throws(
    () => executeTraceQL(orOf(distinct(10)), trace),
    (error) => isAriadneError(error, 'InvalidQuery') && /cost too much on one trace/.test(error.message),
  );
  // Small values stay free of the budget: ordinary queries are unaffected.
  const small = [makeSpan({ attributes: [{ key: 'x', value: { type: 'string', value: 'zz' } }] })];
  assert.equal(executeTraceQL(orOf(distinct(200)), small).length, 0);
});

test('a paced evaluation gives the event loop turns between slices of regex work, with the same answer', async () => {
  const query = orOf([...distinct(30), '(a+)+b']);
  let turns = 0;
  let counting = true;
  const count = () => {
    if (!counting) return;
    turns++;
    setImmediate(count);
  };
  setImmediate(count);
  const ctx = new TraceContext(trace, RegexWork.paced());
  const found = await evaluatePaced(ctx, new ScanPacer(), () => executeInContext(query, ctx));
  counting = false;
  assert.equal(found.length, 1, 'the last pattern matches');
  assert.ok(turns >= 5, `the event loop turned between slices (${turns} turns)`);
});

test('a paced evaluation stops at the query deadline with QueryTimeout', async () => {
  const deadline = new QueryDeadline(Date.now() + 20, 30_000);
  await withQueryDeadline(deadline, async () => {
    const ctx = new TraceContext(trace, RegexWork.paced());
    const pacer = new ScanPacer();
    await assert.rejects(
      evaluatePaced(ctx, pacer, () => executeInContext(orOf(distinct(200)), ctx)),
      (error) => isAriadneError(error, 'QueryTimeout'),
    );
  });
});
