import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventStreamParser } from './event-stream.js';

test('events split anywhere, on any line ending, come out whole; comments and empty events are skipped', () => {
  const stream =
    'retry: 3000\n: connected\n\nid: 1\nevent: spans\ndata: [1,\ndata: 2]\n\r\ndata:x\r\n\r\nevent: dropped\ndata: {"dropped":3}\r\r: heartbeat\n\n';
  const expected = [
    { type: 'spans', data: '[1,\n2]' },
    { type: 'message', data: 'x' },
    { type: 'dropped', data: '{"dropped":3}' },
  ];
  for (let size = 1; size <= stream.length; size++) {
    const parser = new EventStreamParser();
    const events = [];
    for (let i = 0; i < stream.length; i += size) events.push(...parser.push(stream.slice(i, i + size)));
    assert.deepEqual(events, expected, `chunks of ${size}`);
    assert.equal(parser.retryMs, 3000);
  }
});

test('an event is only dispatched at its blank line; a bad retry is ignored', () => {
  const parser = new EventStreamParser();
  assert.deepEqual(parser.push('retry: soon\ndata: a'), []);
  assert.deepEqual(parser.push('\n'), []);
  assert.deepEqual(parser.push('\n'), [{ type: 'message', data: 'a' }]);
  assert.equal(parser.retryMs, undefined);
});
