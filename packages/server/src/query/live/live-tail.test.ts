import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeSpan, type Span } from '@ariadne/protocol';
import { getRequestListener } from '@hono/node-server';
import { listenHttp } from '../../http/listen.js';
import { createLiveTail } from './live-tail.js';

function span(traceId: string, spanId: string, service: string): Span {
  return makeSpan({
    traceId,
    spanId,
    name: `op-${spanId}`,
    service,
    endTimeUnixNano: 1_700_000_000_001_000_000n,
    attributes: [{ key: 'big', value: { type: 'int', value: 9_007_199_254_740_993n } }],
  });
}

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);

/** Reads server-sent events (blocks separated by a blank line) from a response body. */
function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next(): Promise<string> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          return block;
        }
        const { value, done } = await reader.read();
        if (done) return '';
        buffer += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

function parse(block: string): { event: string; data: unknown } {
  const lines = block.split('\n');
  const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? '';
  const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
  return { event, data: data === undefined ? undefined : JSON.parse(data) };
}

test('over a real socket: one event per batch, traces grouped, filtered by service', async () => {
  const live = createLiveTail();
  const listener = await listenHttp('live', '127.0.0.1', 0, getRequestListener(live.api.fetch));
  try {
    const all = await fetch(`${listener.url}/api/live`);
    const onlyB = await fetch(`${listener.url}/api/live?service=payments`);
    assert.equal(all.status, 200);
    assert.equal(all.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const allEvents = sseReader(all.body as ReadableStream<Uint8Array>);
    const bEvents = sseReader(onlyB.body as ReadableStream<Uint8Array>);
    assert.match(await allEvents.next(), /: connected/);
    assert.match(await bEvents.next(), /: connected/);
    assert.equal(live.clientCount, 2);

    live.publish([
      span(A, '00000000000000a1', 'frontend'),
      span(B, '00000000000000b1', 'payments'),
      span(A, '00000000000000a2', 'frontend'),
    ]);
    live.publish([span(A, '00000000000000a3', 'frontend')]);

    const first = parse(await allEvents.next());
    assert.equal(first.event, 'spans');
    const traces = first.data as { traceID: string; spans: { spanID: string }[] }[];
    assert.deepEqual(
      traces.map((t) => [t.traceID, t.spans.map((s) => s.spanID)]),
      [
        [A, ['00000000000000a1', '00000000000000a2']],
        [B, ['00000000000000b1']],
      ],
    );
    const second = parse(await allEvents.next());
    assert.deepEqual(
      (second.data as { traceID: string }[]).map((t) => t.traceID),
      [A],
    );

    // The payments client saw only the trace with a payments span, and nothing of the second batch.
    const onlyPayments = await bEvents.next();
    assert.match(onlyPayments, /"value":9007199254740993/);
    assert.deepEqual(
      (parse(onlyPayments).data as { traceID: string }[]).map((t) => t.traceID),
      [B],
    );
    live.publish([span(B, '00000000000000b2', 'payments')]);
    assert.deepEqual(
      (parse(await bEvents.next()).data as { traceID: string }[]).map((t) => t.traceID),
      [B],
    );

    await allEvents.cancel();
    await bEvents.cancel();
  } finally {
    live.close();
    await listener.close();
  }
});

test('a client that does not read loses events, is told how many, and never blocks publish', async () => {
  const live = createLiveTail({ maxBufferedEvents: 3 });
  const response = await live.api.request('/api/live');
  // Nothing is read while 10 batches are published.
  for (let i = 0; i < 10; i++) live.publish([span(A, `00000000000000${(i + 16).toString(16)}`, 'frontend')]);
  const events = sseReader(response.body as ReadableStream<Uint8Array>);
  assert.match(await events.next(), /: connected/);
  const received = [parse(await events.next()), parse(await events.next()), parse(await events.next())];
  assert.deepEqual(
    received.map((e) => e.event),
    ['spans', 'spans', 'spans'],
  );
  assert.deepEqual(parse(await events.next()), { event: 'dropped', data: { dropped: 7 } });
  // Caught up: new batches flow again.
  live.publish([span(B, '00000000000000b1', 'payments')]);
  assert.deepEqual(
    (parse(await events.next()).data as { traceID: string }[]).map((t) => t.traceID),
    [B],
  );
  live.close();
  assert.equal(await events.next(), '');
});

test('idle clients get heartbeats', async () => {
  const live = createLiveTail({ heartbeatMs: 10 });
  // A real socket, which is also what keeps the process alive between heartbeats (the timer does not).
  const listener = await listenHttp('live', '127.0.0.1', 0, getRequestListener(live.api.fetch));
  try {
    const events = sseReader((await fetch(`${listener.url}/api/live`)).body as ReadableStream<Uint8Array>);
    assert.match(await events.next(), /: connected/);
    assert.equal(await events.next(), ': heartbeat');
    await events.cancel();
  } finally {
    live.close();
    await listener.close();
  }
  assert.equal(live.clientCount, 0);
});

test('a TraceQL filter keeps the traces that match it; an invalid one is 400 with its position', async () => {
  const live = createLiveTail();
  const listener = await listenHttp('live', '127.0.0.1', 0, getRequestListener(live.api.fetch));
  try {
    const invalid = await fetch(`${listener.url}/api/live?q=${encodeURIComponent('{ .big = }')}`);
    assert.equal(invalid.status, 400);
    assert.match(((await invalid.json()) as { error: string }).error, /^1:\d+:/);

    const q = encodeURIComponent('{ resource.service.name = "payments" && .big > 1000 }');
    const filtered = await fetch(`${listener.url}/api/live?q=${q}`);
    assert.equal(filtered.status, 200);
    const events = sseReader(filtered.body as ReadableStream<Uint8Array>);
    assert.match(await events.next(), /: connected/);
    live.publish([span(A, '1'.repeat(16), 'frontend'), span(B, '2'.repeat(16), 'payments')]);
    const { event, data } = parse(await events.next());
    assert.equal(event, 'spans');
    assert.deepEqual(
      (data as { traceID: string }[]).map((t) => t.traceID),
      [B],
    );
    await events.cancel();
  } finally {
    live.close();
    await listener.close();
  }
});

test('too many clients is 503', async () => {
  const live = createLiveTail({ maxClients: 1 });
  const first = await live.api.request('/api/live');
  const second = await live.api.request('/api/live');
  assert.equal(second.status, 503);
  await first.body?.cancel();
  live.close();
});
