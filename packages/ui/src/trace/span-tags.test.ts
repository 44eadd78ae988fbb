import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JaegerKeyValue } from '@ariadne/protocol';
import { linksOf, parentSpanIdOf } from './span-references.js';
import { isErrorSpan, spanKindOf, spanStatusOf, tagValueText } from './span-tags.js';
import { TRACE_ID, testTrace } from './test-trace.js';

const spanWith = (tags: JaegerKeyValue[]) => testTrace([{ id: 'a', tags }]).spans[0]!;

test('errors: the error tag (bool or text) or an ERROR status', () => {
  assert.equal(isErrorSpan(spanWith([])), false);
  assert.equal(isErrorSpan(spanWith([{ key: 'error', type: 'bool', value: true }])), true);
  assert.equal(isErrorSpan(spanWith([{ key: 'error', type: 'string', value: 'true' }])), true);
  assert.equal(isErrorSpan(spanWith([{ key: 'error', type: 'bool', value: false }])), false);
  assert.equal(isErrorSpan(spanWith([{ key: 'otel.status_code', type: 'string', value: 'ERROR' }])), true);
});

test('kind and status come from the OpenTelemetry tags', () => {
  const span = spanWith([
    { key: 'span.kind', type: 'string', value: 'client' },
    { key: 'otel.status_code', type: 'string', value: 'ERROR' },
    { key: 'otel.status_description', type: 'string', value: 'card declined' },
  ]);
  assert.equal(spanKindOf(span), 'client');
  assert.deepEqual(spanStatusOf(span), { code: 'ERROR', message: 'card declined' });
  assert.deepEqual(spanStatusOf(spanWith([{ key: 'otel.status_code', type: 'string', value: 'OK' }])), {
    code: 'OK',
    message: '',
  });
  assert.deepEqual(spanStatusOf(spanWith([])), { code: 'UNSET', message: '' });
  assert.equal(spanKindOf(spanWith([])), '');
});

test('tag values print exactly, big integers included', () => {
  assert.equal(tagValueText({ key: 'n', type: 'int64', value: 9_007_199_254_740_993n }), '9007199254740993');
  assert.equal(tagValueText({ key: 'b', type: 'bool', value: false }), 'false');
  assert.equal(tagValueText({ key: 'f', type: 'float64', value: 0.25 }), '0.25');
});

test('links are the references other than the parent', () => {
  const other = '4bf92f3577b34da6a3ce929d0e0e4736';
  const span = testTrace([
    {
      id: 'child',
      parent: 'p',
      references: [
        { refType: 'CHILD_OF', traceID: TRACE_ID, spanID: 'p' },
        { refType: 'FOLLOWS_FROM', traceID: other, spanID: 'x' },
        { refType: 'CHILD_OF', traceID: TRACE_ID, spanID: 'p2' },
      ],
    },
  ]).spans[0]!;
  assert.equal(parentSpanIdOf(span), 'p');
  assert.deepEqual(
    linksOf(span).map((r) => r.spanID),
    ['x', 'p2'],
  );
});
