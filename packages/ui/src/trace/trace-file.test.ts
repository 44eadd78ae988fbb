import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSpanTree } from './build-span-tree.js';
import { testTrace } from './test-trace.js';
import { parseTraceFile, traceFileText } from './trace-file.js';

const trace = testTrace(
  [
    {
      id: '00000000000000a1',
      service: 'web',
      name: 'GET /',
      duration: 100,
      tags: [
        { key: 'span.kind', type: 'string', value: 'server' },
        { key: 'big', type: 'int64', value: 9007199254740993n },
      ],
    },
    {
      id: '00000000000000b2',
      parent: '00000000000000a1',
      service: 'db',
      name: 'query',
      start: 10,
      duration: 50,
      tags: [
        { key: 'error', type: 'bool', value: true },
        { key: 'otel.status_code', type: 'string', value: 'ERROR' },
      ],
    },
  ],
  '0af7651916cd43dd8448eb211c80319c',
);

for (const format of ['jaeger', 'otlp'] as const) {
  test(`a ${format} download opens again as the same trace`, () => {
    const [back, ...rest] = parseTraceFile(traceFileText(trace, format));
    assert.equal(rest.length, 0);
    assert.ok(back);
    assert.equal(back.traceID, trace.traceID);
    const tree = buildSpanTree(back);
    assert.equal(tree.nodes.length, 2);
    assert.equal(tree.errorCount, 1);
    const child = tree.byId.get('00000000000000b2')!;
    assert.equal(child.parent?.spanId, '00000000000000a1');
    assert.equal(child.serviceName, 'db');
    assert.equal(child.span.duration, 50);
    const big = tree.byId.get('00000000000000a1')!.span.tags.find((t) => t.key === 'big');
    assert.equal(big?.value, 9007199254740993n);
  });
}

test('a file that is not a trace is refused with a reason', () => {
  assert.throws(() => parseTraceFile('not json'), /not JSON/);
  assert.throws(() => parseTraceFile('{"data": []}'), /no trace/);
});
