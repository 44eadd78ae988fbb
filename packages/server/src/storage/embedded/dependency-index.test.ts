import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Span, StatusCode } from '@ariadne/protocol';
import { testSpan } from '../query/test-spans.js';
import { type CallVisitor, DependencyIndex } from './dependency-index.js';

const TRACE = '0123456789abcdef0123456789abcdef';
const span = (id: number, parent: number, service: string, error = false): Span =>
  testSpan({
    traceId: TRACE,
    spanId: id.toString(16).padStart(16, '0'),
    parentSpanId: parent === 0 ? '' : parent.toString(16).padStart(16, '0'),
    service,
    startTimeUnixNano: 1_000n + BigInt(id),
    status: { code: error ? StatusCode.Error : StatusCode.Unset, message: '' },
  });
const trace = (...spans: Span[]): [string, Span[]][] => [[TRACE, spans]];

/** The calls a visit saw, as "parent>child@start!" texts. */
function collect(run: (visit: CallVisitor) => void): string[] {
  const calls: string[] = [];
  run((parent, child, start, isError) => calls.push(`${parent}>${child}@${start}${isError ? '!' : ''}`));
  return calls.sort();
}

test('a call is counted once, in the cut holding its later span, whichever came first', () => {
  const index = new DependencyIndex(1_000);
  // The child (an error) is cut before its parent.
  assert.deepEqual(
    collect((visit) => index.planCut(trace(span(2, 1, 'api', true)), visit).commit()),
    [],
  );
  // While the parent is in a head, a query sees the call; it remembers nothing.
  assert.deepEqual(
    collect((visit) => index.callsOf(trace(span(1, 0, 'web')), visit)),
    ['web>api@1002!'],
  );
  assert.deepEqual(
    collect((visit) => index.callsOf(trace(span(1, 0, 'web')), visit)),
    ['web>api@1002!'],
  );
  // The parent's cut counts it, and then nothing counts it again.
  assert.deepEqual(
    collect((visit) => index.planCut(trace(span(1, 0, 'web')), visit).commit()),
    ['web>api@1002!'],
  );
  assert.deepEqual(
    collect((visit) => index.callsOf(trace(span(9, 5, 'db')), visit)),
    [],
  );
  // A child cut after its parent: counted in the child's cut (or seen from a head before that).
  assert.deepEqual(
    collect((visit) => index.callsOf(trace(span(3, 2, 'db')), visit)),
    ['api>db@1003'],
  );
  assert.deepEqual(
    collect((visit) => index.planCut(trace(span(3, 2, 'db'), span(4, 3, 'db')), visit).commit()),
    ['api>db@1003'],
  );
});

test('calls within one cut are counted from it; calls within a service are not calls between services', () => {
  const index = new DependencyIndex(1_000);
  const spans = trace(span(1, 0, 'web'), span(2, 1, 'web'), span(3, 2, 'api'), span(4, 3, 'db', true));
  assert.deepEqual(
    collect((visit) => index.planCut(spans, visit).commit()),
    ['api>db@1004!', 'web>api@1003'],
  );
});

test('a plan not committed (a failed cut) changes nothing: the next cut counts the same calls', () => {
  const index = new DependencyIndex(1_000);
  index.planCut(trace(span(2, 1, 'api')), () => {}).commit();
  const cut = trace(span(1, 0, 'web'), span(3, 1, 'db'));
  const first = collect((visit) => index.planCut(cut, visit));
  assert.deepEqual(first, ['web>api@1002', 'web>db@1003']);
  assert.deepEqual(
    collect((visit) => index.planCut(cut, visit).commit()),
    first,
  );
});

test('a parent that arrives after its child left the window is not counted (the price of bounded memory)', () => {
  const index = new DependencyIndex(2);
  index.planCut(trace(span(2, 1, 'api')), () => {}).commit();
  // Three more waiting children push the first out of both generations of two.
  for (let i = 10; i < 15; i++) index.planCut(trace(span(i, 100 + i, 'api')), () => {}).commit();
  assert.deepEqual(
    collect((visit) => index.planCut(trace(span(1, 0, 'web')), visit).commit()),
    [],
  );
  // A child whose parent is still remembered is counted.
  assert.deepEqual(
    collect((visit) => index.planCut(trace(span(20, 14, 'db')), visit).commit()),
    ['api>db@1020'],
  );
});

test('a span id twice (Zipkin client and server halves): the first names its service', () => {
  const index = new DependencyIndex(1_000);
  const client = span(2, 1, 'web');
  const server = { ...span(2, 1, 'api') };
  const spans = trace(span(1, 0, 'web'), client, server, span(3, 2, 'db'));
  assert.deepEqual(
    collect((visit) => index.planCut(spans, visit).commit()),
    ['web>api@1002', 'web>db@1003'],
  );
});
