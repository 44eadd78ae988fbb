import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { encodeOtlpTraceRequestProto, makeSpan, type Span } from '@ariadne/protocol';
import { startTestServer, type TestServer } from './support/test-server.js';

// Issue 14: "a test of pathological patterns, each against a 1 MB attribute, must
// keep /health and ingest answering within 1 s throughout." The bound is about
// hanging, not speed: JavaScript's RegExp ran `(a+)+$` for minutes here.

const MEGABYTE = `${'a'.repeat(1 << 20)}b`;
const SHORT = `${'a'.repeat(34)}b`;
const PATTERNS = ['(a+)+$', '(a|aa)+$', '(a|a)*b', '([a-z]+)*$', '(\\w+\\s?)*$', '(.*a){20}', '.*a.{20}c'];
/** Patterns RE2 cannot run: refused at once, naming why. */
const REFUSED = ['(?=a)a', '(a)\\1'];
const traceIdOf = (i: number) => (i + 1).toString(16).padStart(32, '0');

let server: TestServer;
let sent = 0;

const ingest = (spans: Span[]) =>
  fetch(`${server.otlpHttpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-protobuf' },
    body: encodeOtlpTraceRequestProto(spans),
  });

const span = (value: string) =>
  makeSpan({
    traceId: traceIdOf(sent++),
    spanId: 'b7ad6b7169203331',
    service: 'patterns',
    startTimeUnixNano: BigInt(Date.now()) * 1_000_000n,
    attributes: [{ key: 'x', value: { type: 'string', value } }],
  });

before(async () => {
  server = await startTestServer({
    limits: { maxSpansPerRequest: 1_000, maxAttributesPerSpan: 128, maxAttributeValueLength: 2 << 20 },
  });
  assert.equal((await ingest([span(MEGABYTE), span(SHORT)])).status, 200);
});
after(() => server?.dispose());

/** How long one request takes to be answered, with its status. */
async function timed(request: () => Promise<Response>): Promise<{ ms: number; status: number }> {
  const start = performance.now();
  const response = await request();
  await response.arrayBuffer();
  return { ms: performance.now() - start, status: response.status };
}

/** One round of `/health` and an ingest request, each answered within the issue's 1 s. */
async function probeHealthAndIngest(): Promise<{ health: number; ingest: number; ingestStatus: number }> {
  const health = await timed(() => fetch(`${server.queryUrl}/health`));
  const accepted = await timed(() => ingest([span('ok')]));
  assert.equal(health.status, 200);
  // Answered: acknowledged, or (on a machine busy with other tests) told at once to retry.
  assert.ok([200, 429].includes(accepted.status), `ingest answered ${accepted.status}`);
  assert.ok(health.ms < 1_000, `/health took ${health.ms.toFixed(0)} ms`);
  assert.ok(accepted.ms < 1_000, `ingest took ${accepted.ms.toFixed(0)} ms`);
  return { health: health.ms, ingest: accepted.ms, ingestStatus: accepted.status };
}

test('pathological patterns against a 1 MiB attribute: every API answers, and health and ingest stay within 1 s', async () => {
  const tempo = server.urlOf('tempo');
  const traceql = (pattern: string) => `{ span.x =~ ${JSON.stringify(pattern)} }`;
  const queries: { label: string; url: string; refused: boolean }[] = [];
  for (const pattern of [...PATTERNS, ...REFUSED]) {
    const refused = REFUSED.includes(pattern);
    const q = encodeURIComponent(traceql(pattern));
    queries.push({ label: `Tempo ${pattern}`, url: `${tempo}/api/search?q=${q}`, refused });
    queries.push({ label: `Jaeger TraceQL ${pattern}`, url: `${server.queryUrl}/api/traces?q=${q}`, refused });
  }
  queries.push({
    label: "Jaeger tag search (x = 'a'×34+'b')",
    url: `${server.queryUrl}/api/traces?service=patterns&tag=${encodeURIComponent(`x:${SHORT}`)}`,
    refused: false,
  });

  // One query at a time, as a person retrying would send them: the bound is on the server's
  // own threads, not on how many such queries may share them at once.
  let running = true;
  const answers = (async () => {
    const out: ((typeof queries)[number] & { status: number; body: string })[] = [];
    for (const query of queries) {
      const response = await fetch(query.url);
      out.push({ ...query, status: response.status, body: await response.text() });
    }
    return out;
  })().finally(() => {
    running = false;
  });

  const probes: { health: number; ingest: number; ingestStatus: number }[] = [];
  do probes.push(await probeHealthAndIngest());
  while (running);
  assert.ok(
    probes.some((probe) => probe.ingestStatus === 200),
    'ingest acknowledged spans while the queries ran',
  );

  for (const answer of await answers) {
    if (answer.refused) {
      assert.equal(answer.status, 400, `${answer.label}: ${answer.body.slice(0, 300)}`);
      assert.match(answer.body, /lookaround|backreferences/, answer.label);
    } else {
      // 200, or 400 for a pattern whose cost over 1 MiB is beyond the work budget (named in the message).
      assert.ok(
        answer.status === 200 || (answer.status === 400 && /too costly/.test(answer.body)),
        `${answer.label}: ${answer.status} ${answer.body.slice(0, 300)}`,
      );
    }
  }
  assert.ok(probes.length > 0);
});

test('many regexes in one query, several such queries at once: health and ingest stay within 1 s, queries get answers', async () => {
  const tempo = server.urlOf('tempo');
  // The fuzz run's find: a 100-way OR over the 1 MiB value held the thread for seconds.
  const sameOr = `{ ${Array(100).fill('span.x =~ "(a+)+$"').join(' || ')} }`;
  const distinctOr = `{ ${Array.from({ length: 100 }, (_, i) => `span.x =~ "a*c${i}"`).join(' || ')} }`;
  const deep = `{ ${'('.repeat(5_000)}span.x = "a"${')'.repeat(5_000)} }`;
  let running = true;
  const answers = Promise.all(
    [sameOr, distinctOr, distinctOr, sameOr, deep].map(async (q) => {
      const response = await fetch(`${tempo}/api/search?q=${encodeURIComponent(q)}`);
      return { q, status: response.status, body: await response.text() };
    }),
  ).finally(() => {
    running = false;
  });
  let probes = 0;
  do {
    await probeHealthAndIngest();
    probes++;
  } while (running);
  assert.ok(probes > 0);
  for (const answer of await answers) {
    if (answer.q === deep) {
      assert.equal(answer.status, 400);
      assert.match(answer.body, /nests too deeply/);
    } else {
      // 200 (within the 30 s deadline), or 504 on a machine too busy to finish in it: never a 500.
      assert.ok([200, 504].includes(answer.status), `${answer.status} ${answer.body.slice(0, 300)}`);
    }
  }
});
