import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAriadneError, makeSpan } from '@ariadne/protocol';
import { validateSpanTimes } from './validate-span-times.js';

test('times from 1970 to the year 2262 pass', () => {
  validateSpanTimes([makeSpan({ startTimeUnixNano: 0n, endTimeUnixNano: (1n << 63n) - 1n })]);
});

test('a start, end or event time past 2^63 - 1 ns, or negative, refuses the batch with the span named', () => {
  const late = 1n << 63n;
  for (const span of [
    makeSpan({ spanId: '00000000000000a1', startTimeUnixNano: late }),
    makeSpan({ spanId: '00000000000000a2', endTimeUnixNano: 71_776_119_061_303_245_000n }),
    makeSpan({ spanId: '00000000000000a3', startTimeUnixNano: -1n }),
    makeSpan({
      spanId: '00000000000000a4',
      events: [{ name: 'boom', timeUnixNano: late, attributes: [], droppedAttributesCount: 0 }],
    }),
  ]) {
    assert.throws(
      () => validateSpanTimes([makeSpan(), span]),
      (error) => isAriadneError(error, 'InvalidPayload') && error.message.includes(span.spanId),
    );
  }
});
