import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isAriadneError, makeSpan } from '@ariadne/protocol';
import { openEmbeddedStore } from '../../storage/embedded/embedded-store.js';
import { searchTraceSpans } from './search-trace-spans.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

test('the embedded store finds in a trace spread over blocks and its head what a search of the whole trace finds', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ariadne-trace-span-search-'));
  // Tiny blocks: the trace's spans end up in several blocks and the head.
  const store = await openEmbeddedStore({ dataDir: dir, maxHeadSpans: 3 });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const spans = Array.from({ length: 20 }, (_, i) =>
    makeSpan({
      traceId: TRACE,
      spanId: (i + 1).toString(16).padStart(16, '0'),
      parentSpanId: i === 0 ? '' : '0000000000000001',
      service: i % 2 === 0 ? 'cart' : 'payment',
      name: `step ${i}`,
      attributes: [{ key: 'region', value: { type: 'string', value: i % 3 === 0 ? 'eu-west' : 'us-east' } }],
    }),
  );
  for (let i = 0; i < spans.length; i += 4) await store.writeSpans(spans.slice(i, i + 4));
  // A client's retry: copies are found once.
  await store.writeSpans(spans.slice(0, 2));

  const whole = await store.getTrace(TRACE);
  for (const query of ['cart', 'region=eu-west', 'payment eu', 'STEP 1', '0000000000000014', 'nothing like it']) {
    const found = await store.findSpansInTrace(TRACE, query);
    assert.deepEqual([...found].sort(), [...new Set(searchTraceSpans(whole, query))].sort(), query);
    assert.equal(new Set(found).size, found.length, query);
  }
  assert.equal((await store.findSpansInTrace(TRACE, 'cart')).length, 10);
  await assert.rejects(store.findSpansInTrace('ffffffffffffffffffffffffffffffff', 'cart'), (error) =>
    isAriadneError(error, 'TraceNotFound'),
  );
});
