import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeSpan, StatusCode } from '@ariadne/protocol';
import { openStore } from '../../storage/open-store.js';
import { createTraceViewApi } from './trace-view-api.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const start = 1_700_000_000_000_000_000n;

test('the trace view API: skeleton, one span, search, and 404s, on an embedded store and its archive', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ariadne-trace-view-'));
  const store = await openStore({ storage: 'embedded', dataDir: join(dir, 'main') });
  const archive = await openStore({ storage: 'embedded', dataDir: join(dir, 'archive') });
  t.after(async () => {
    await store.close();
    await archive.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const app = createTraceViewApi(store, archive);
  await archive.writeSpans([
    makeSpan({
      traceId: TRACE,
      spanId: '00000000000000a1',
      service: 'checkout',
      name: 'POST /pay',
      startTimeUnixNano: start,
    }),
    makeSpan({
      traceId: TRACE,
      spanId: '00000000000000b2',
      parentSpanId: '00000000000000a1',
      service: 'payments',
      name: 'charge',
      startTimeUnixNano: start + 1_000_000n,
      endTimeUnixNano: start + 50_000_000n,
      attributes: [{ key: 'card.brand', value: { type: 'string', value: 'Visa' } }],
      status: { code: StatusCode.Error, message: 'declined' },
    }),
  ]);
  const get = async (path: string) => {
    const response = await app.request(path);
    return { status: response.status, body: JSON.parse(await response.text()) as { data: unknown; errors: unknown } };
  };

  const skeleton = await get(`/api/trace-view/${TRACE}`);
  assert.equal(skeleton.status, 200);
  assert.match(
    (await app.request(`/api/trace-view/${TRACE}`)).headers.get('server-timing') ?? '',
    /^read;dur=[\d.]+, skeleton;dur=[\d.]+, json;dur=[\d.]+$/,
  );
  const data = skeleton.body.data as { spanIds: string[]; parents: number[]; errors: number[]; strings: string[] };
  assert.deepEqual([...data.spanIds].sort(), ['00000000000000a1', '00000000000000b2']);
  const child = data.spanIds.indexOf('00000000000000b2');
  assert.equal(data.spanIds[data.parents[child] as number], '00000000000000a1');
  assert.deepEqual(data.errors, [child]);
  assert.ok(data.strings.includes('payments'));

  const one = await get(`/api/trace-view/${TRACE}/spans/00000000000000b2`);
  assert.equal(one.status, 200);
  const [trace] = one.body.data as {
    spans: { spanID: string; tags: { key: string; value: unknown }[] }[];
    processes: Record<string, { serviceName: string }>;
  }[];
  assert.equal(trace?.spans.length, 1);
  assert.equal(trace?.spans[0]?.spanID, '00000000000000b2');
  assert.ok(trace?.spans[0]?.tags.some((tag) => tag.key === 'card.brand' && tag.value === 'Visa'));
  assert.deepEqual(
    Object.values(trace?.processes ?? {}).map((p) => p.serviceName),
    ['payments'],
  );

  // Attribute values, service names and key=value words, as in the UI's find.
  assert.deepEqual((await get(`/api/trace-view/${TRACE}/search?q=visa`)).body.data, { spanIds: ['00000000000000b2'] });
  assert.deepEqual((await get(`/api/trace-view/${TRACE}/search?q=card.brand%3Dvisa%20PAYMENTS`)).body.data, {
    spanIds: ['00000000000000b2'],
  });
  assert.deepEqual((await get(`/api/trace-view/${TRACE}/search?q=card.brand%3Dvis`)).body.data, { spanIds: [] });
  assert.deepEqual(
    ((await get(`/api/trace-view/${TRACE}/search?q=00000000000000`)).body.data as { spanIds: string[] }).spanIds.sort(),
    ['00000000000000a1', '00000000000000b2'],
  );
  assert.deepEqual((await get(`/api/trace-view/${TRACE}/search?q=`)).body.data, { spanIds: [] });

  assert.equal((await get(`/api/trace-view/${TRACE}/spans/00000000000000ff`)).status, 404);
  assert.equal((await get('/api/trace-view/1234567890abcdef1234567890abcdef')).status, 404);
  assert.equal((await get('/api/trace-view/not-hex')).status, 400);

  // The main store is read first; the archive only when it lacks the trace.
  await store.writeSpans([
    makeSpan({ traceId: TRACE, spanId: '00000000000000c3', service: 'edge', startTimeUnixNano: start }),
  ]);
  const fromStore = (await get(`/api/trace-view/${TRACE}`)).body.data as { spanIds: string[] };
  assert.deepEqual(fromStore.spanIds, ['00000000000000c3']);
});
