import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeSpan, type Span } from '@ariadne/protocol';
import { startTestServer, type TestServer } from './support/test-server.js';

// Issue 14: "Every query has a deadline (--query-timeout). Past it, the query is
// cancelled and answered with a clear error." A search made slow on purpose: 300
// spans each with a 1 MiB attribute (one shared string: the memory stays small,
// the work does not), and a pattern that must read all of every value. It needs
// seconds; the deadline is 300 ms.

const BLOB = 'x'.repeat(1 << 20);
const SLOW = '{ span.blob =~ ".*zz.*" }';
const traceIdOf = (i: number) => (i + 1).toString(16).padStart(32, '0');

let server: TestServer;
before(async () => {
  server = await startTestServer({ storage: 'memory', queryTimeoutMs: 300 });
  const spans: Span[] = Array.from({ length: 300 }, (_, i) =>
    makeSpan({
      traceId: traceIdOf(i),
      spanId: (i + 1).toString(16).padStart(16, '0'),
      service: 'shop',
      attributes: [{ key: 'blob', value: { type: 'string', value: BLOB } }],
    }),
  );
  await server.server.store.writeSpans(spans);
  await server.server.store.writeSpans([makeSpan({ traceId: traceIdOf(1000), service: 'small' })]);
});
after(() => server?.dispose());

test('Tempo: a search past --query-timeout is stopped and answered 504 with a clear message', async () => {
  const response = await fetch(`${server.urlOf('tempo')}/api/search?q=${encodeURIComponent(SLOW)}`);
  assert.equal(response.status, 504);
  assert.match(await response.text(), /did not finish within 300 ms \(--query-timeout\) and was stopped/);
});

test("Jaeger: the same, in Jaeger's error envelope", async () => {
  // makeSpan's spans start at 1,700,000,000 s: a window of an hour around them (the longest is a week).
  const window = `lookback=custom&start=${1_699_999_000_000_000}&end=${1_700_001_000_000_000}`;
  const response = await fetch(`${server.queryUrl}/api/traces?q=${encodeURIComponent(SLOW)}&${window}`);
  assert.equal(response.status, 504, await response.clone().text());
  const body = (await response.json()) as { data: unknown; errors: { code: number; msg: string }[] };
  assert.equal(body.data, null);
  assert.equal(body.errors[0]?.code, 504);
  assert.match(body.errors[0]?.msg ?? '', /--query-timeout/);
});

test('after a stopped query the server answers: health, a trace, a search that fits its deadline', async () => {
  const stopped = await fetch(`${server.urlOf('tempo')}/api/search?q=${encodeURIComponent(SLOW)}`);
  assert.equal(stopped.status, 504);
  assert.equal((await fetch(`${server.queryUrl}/health`)).status, 200);
  const trace = await fetch(`${server.urlOf('tempo')}/api/v2/traces/${traceIdOf(1000)}`);
  assert.equal(trace.status, 200);
  const search = await fetch(`${server.urlOf('tempo')}/api/search?tags=${encodeURIComponent('service.name=small')}`);
  assert.equal(search.status, 200);
  const found = (await search.json()) as { traces: { traceID: string }[] };
  assert.deepEqual(
    found.traces.map((t) => t.traceID),
    [traceIdOf(1000)],
  );
});
