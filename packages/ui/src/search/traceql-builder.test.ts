import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTraceQl, completionContext, rankSuggestions } from './traceql-builder.js';

test('the builder quotes strings and leaves numbers, durations and keywords bare', () => {
  assert.equal(
    buildTraceQl([
      { attribute: 'resource.service.name', operator: '=', value: 'checkout' },
      { attribute: 'span.http.status_code', operator: '>=', value: '500' },
      { attribute: 'duration', operator: '>', value: '100ms' },
      { attribute: 'status', operator: '=', value: 'error' },
      { attribute: 'name', operator: '=', value: 'say "hi"' },
      { attribute: '', operator: '=', value: 'ignored' },
    ]),
    '{ resource.service.name = "checkout" && span.http.status_code >= 500 && duration > 100ms && status = error && name = "say \\"hi\\"" }',
  );
  assert.equal(buildTraceQl([]), '{}');
});

test('completion knows whether an attribute or a value is being typed', () => {
  assert.deepEqual(completionContext('{ resource.ser', 14), { kind: 'attribute', prefix: 'resource.ser', from: 2 });
  assert.deepEqual(completionContext('{ a = 1 && sp', 13), { kind: 'attribute', prefix: 'sp', from: 11 });
  assert.deepEqual(completionContext('{ resource.service.name = "ch', 29), {
    kind: 'value',
    attribute: 'resource.service.name',
    prefix: '"ch',
    from: 26,
  });
  assert.deepEqual(completionContext('{ a = 1 }', 9), { kind: 'none' });
  assert.deepEqual(rankSuggestions(['span.http.route', 'resource.service.name', 'span.http.method'], 'http'), [
    'span.http.route',
    'span.http.method',
  ]);
  assert.deepEqual(rankSuggestions(['"checkout"', '"cart"'], '"ch'), ['"checkout"']);
});
