import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeSpan } from '@ariadne/protocol';
import { openMemoryStore } from '../../storage/memory/memory-store.js';
import { createLiveTail } from './live-tail.js';
import { pollLiveTail } from './poll-live-tail.js';

const SECOND = 1_000_000_000n;
const T0 = 1_800_000_000n * SECOND;

/** Reads server-sent events from a live tail response: the span ids of each `spans` event. */
function eventsOf(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return async function next(): Promise<string[]> {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (/^event: spans$/m.test(event) && data !== undefined) {
          const traces = JSON.parse(data) as { spans: { spanID: string }[] }[];
          return traces.flatMap((trace) => trace.spans.map((span) => span.spanID)).sort();
        }
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  };
}

const span = (id: string, start: bigint, durationNanos = SECOND / 10n) =>
  makeSpan({
    traceId: `${id.padStart(2, '0')}`.repeat(16),
    spanId: `${id.padStart(2, '0')}`.repeat(8),
    startTimeUnixNano: start,
    endTimeUnixNano: start + durationNanos,
    service: 'svc',
  });

test('a poller publishes each span that reached the store once, and only while someone tails', async () => {
  const store = openMemoryStore();
  const liveTail = createLiveTail();
  let now = T0;
  const poller = pollLiveTail(store, liveTail, { intervalMs: 3_600_000, nowNanos: () => now });
  try {
    await store.writeSpans([span('01', T0 - 60n * SECOND)]);
    assert.equal(await poller.pollOnce(), 0, 'nobody tails: no read at all');

    const next = eventsOf(await liveTail.api.request('/api/live'));
    await store.writeSpans([span('02', T0 - 2n * SECOND)]);
    assert.equal(await poller.pollOnce(), 1, 'a span that ended within the export delay is tailed');
    assert.deepEqual(await next(), ['0202020202020202']);

    now = T0 + SECOND;
    await store.writeSpans([span('03', T0 - SECOND / 2n), span('04', T0 - 20n * SECOND)]);
    assert.equal(await poller.pollOnce(), 1, 'span 02 is not sent again; 04 ended before the window');
    assert.deepEqual(await next(), ['0303030303030303']);

    now = T0 + 2n * SECOND;
    // A span that ended 10 s ago but reached the store only now (an SDK's export delay) is still tailed.
    await store.writeSpans([span('05', T0 - 10n * SECOND), span('06', T0 - 600n * SECOND, 599n * SECOND)]);
    assert.equal(await poller.pollOnce(), 1, 'a span that started before the longest age is not read');
    assert.deepEqual(await next(), ['0505050505050505']);
  } finally {
    poller.stop();
    liveTail.close();
    await store.close();
  }
});

test('a poll reads at most maxSpansPerPoll spans, the latest ends first', async () => {
  const store = openMemoryStore();
  const liveTail = createLiveTail();
  const poller = pollLiveTail(store, liveTail, { intervalMs: 3_600_000, nowNanos: () => T0, maxSpansPerPoll: 2 });
  try {
    const next = eventsOf(await liveTail.api.request('/api/live'));
    await store.writeSpans([span('11', T0 - 3n * SECOND), span('12', T0 - 2n * SECOND), span('13', T0 - SECOND)]);
    assert.equal(await poller.pollOnce(), 2);
    assert.deepEqual(await next(), ['1212121212121212', '1313131313131313']);
  } finally {
    poller.stop();
    liveTail.close();
    await store.close();
  }
});

test('when every client asks for a service, only those services are read', async () => {
  const store = openMemoryStore();
  const liveTail = createLiveTail();
  const poller = pollLiveTail(store, liveTail, { intervalMs: 3_600_000, nowNanos: () => T0 });
  try {
    assert.deepEqual(liveTail.wantedServices(), [], 'nobody tails: no service wanted');
    const next = eventsOf(await liveTail.api.request('/api/live?service=payments'));
    assert.deepEqual(liveTail.wantedServices(), ['payments']);
    const other = makeSpan({ ...span('21', T0 - SECOND), service: 'svc' });
    const wanted = makeSpan({
      ...span('22', T0 - SECOND),
      resource: {
        attributes: [{ key: 'service.name', value: { type: 'string', value: 'payments' } }],
        droppedAttributesCount: 0,
      },
    });
    await store.writeSpans([other, wanted]);
    assert.equal(await poller.pollOnce(), 1, 'the other service was not read at all');
    assert.deepEqual(await next(), ['2222222222222222']);
  } finally {
    poller.stop();
    liveTail.close();
    await store.close();
  }
});
