import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SpanKind, StatusCode, stringValue } from '@ariadne/protocol';
import { testSpan } from '../query/test-spans.js';
import type { TraceQuery } from '../span-store.js';
import { BlockCache } from './block-cache.js';
import { BlockReader } from './block-file.js';
import { openEmbeddedStore } from './embedded-store.js';
import { OperationPool } from './operation-pool.js';

const T0 = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z
const TRACES = 60;
const SPANS_PER_TRACE = 5;
const SERVICES = ['frontend', 'cart', 'payment'];

const traceId = (t: number) => (t + 1).toString(16).padStart(32, 'c');

/** Traces of a few services, each span with an attribute value of its own (a dictionary of many strings). */
function traceSpans(t: number) {
  return Array.from({ length: SPANS_PER_TRACE }, (_, n) =>
    testSpan({
      traceId: traceId(t),
      spanId: (n + 1).toString(16).padStart(16, '0'),
      parentSpanId: n === 0 ? '' : '1'.padStart(16, '0'),
      service: SERVICES[n % SERVICES.length]!,
      name: `op-${n % 3}`,
      kind: n === 0 ? SpanKind.Server : SpanKind.Client,
      status: { code: t % 7 === 0 && n === 2 ? StatusCode.Error : StatusCode.Unset, message: '' },
      attributes: [{ key: 'value', value: stringValue(`v-${t}-${n}`) }],
      startTimeUnixNano: T0 + BigInt(t) * 1_000_000_000n + BigInt(n) * 1_000n,
      endTimeUnixNano: T0 + BigInt(t) * 1_000_000_000n + BigInt(n) * 1_000n + 500_000n,
    }),
  );
}

const ALL_TIME = { startNanos: 0n, endNanos: T0 * 2n };

describe('blocks read through a shared, bounded cache', () => {
  let dataDir = '';
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ariadne-block-cache-'));
    // Ten traces a block, six blocks: each close cuts the head into one.
    for (let first = 0; first < TRACES; first += 10) {
      const store = await openEmbeddedStore({ dataDir, maxHeadAgeMs: 3_600_000 });
      for (let t = first; t < first + 10; t++) await store.writeSpans(traceSpans(t));
      await store.close();
    }
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  const openBlocks = async (cache: BlockCache) => {
    const blockDir = join(dataDir, 'blocks');
    const names = (await readdir(blockDir)).filter((name) => name.endsWith('.blk')).sort();
    const operations = new OperationPool();
    return Promise.all(names.map((name) => BlockReader.open(join(blockDir, name), { cache, operations })));
  };

  /** What a block answers for a trace, through every reading path. */
  const answers = async (block: BlockReader, t: number) => {
    const ordinal = await block.find(traceId(t));
    if (ordinal === -1) return undefined;
    return {
      spans: await block.getTrace(traceId(t)),
      summary: await block.summary(ordinal),
      second: await block.spansWithId(traceId(t), '2'.padStart(16, '0')),
      value: await block.stringIndex(`v-${t}-1`),
      name: await block.stringIndex('op-1'),
    };
  };

  test('a read after eviction loads again and answers the same; the cache stays under its bound', async () => {
    const roomy = await openBlocks(new BlockCache());
    // Room for about one block's index and metadata: reading the blocks in turn evicts the others'.
    const small = new BlockCache(4_096);
    const tight = await openBlocks(small);
    try {
      assert.equal(roomy.length, TRACES / 10);
      const expected = [];
      for (let t = 0; t < TRACES; t++) {
        const found = (await Promise.all(roomy.map((block) => answers(block, t)))).filter((a) => a !== undefined);
        assert.equal(found.length, 1, `trace ${t} in one block`);
        expected.push(found[0]);
      }
      const loadsBefore = small.loads;
      for (let round = 0; round < 2; round++) {
        for (let t = 0; t < TRACES; t++) {
          const found = (await Promise.all(tight.map((block) => answers(block, t)))).filter((a) => a !== undefined);
          assert.deepEqual(found, [expected[t]], `trace ${t}, round ${round}`);
          assert.ok(small.bytes <= small.maxBytes, `${small.bytes} bytes held`);
        }
        for (const [i, block] of tight.entries()) {
          assert.deepEqual(await block.aggregates(), await roomy[i]!.aggregates());
          assert.deepEqual(block.operations('cart'), roomy[i]!.operations('cart'));
          assert.ok(small.bytes <= small.maxBytes, `${small.bytes} bytes held`);
        }
      }
      // The second round found its blocks' data evicted by the first and read it again.
      assert.ok(small.loads > loadsBefore + 2 * tight.length, `${small.loads - loadsBefore} loads`);
    } finally {
      await Promise.all([...roomy, ...tight].map((block) => block.close()));
    }
    assert.equal(small.size, 0, 'closed blocks leave nothing in the cache');
  });

  test('a store with no block cache answers as one with the default cache', async () => {
    const read = async (blockCacheBytes?: number) => {
      const store = await openEmbeddedStore({
        dataDir,
        maxHeadAgeMs: 3_600_000,
        ...(blockCacheBytes === undefined ? {} : { blockCacheBytes }),
      });
      try {
        const search = (query: Partial<TraceQuery>) => store.findTraces({ timeRange: ALL_TIME, limit: 15, ...query });
        return {
          services: await store.getServices(),
          operations: await store.getOperations({ service: 'cart' }),
          recent: await search({}),
          byOperation: await search({ service: 'payment', operation: 'op-2' }),
          errors: await search({ errorsOnly: true }),
          byValue: await search({ attributes: [{ key: 'value', operator: '=', value: 'v-33-4', scope: 'span' }] }),
          trace: await store.getTrace(traceId(3)),
          outline: await store.getTraceOutline(traceId(41)),
          span: await store.getSpansById(traceId(17), '3'.padStart(16, '0')),
          dependencies: await store.getDependencies(ALL_TIME),
          red: await store.getRedMetrics({
            services: SERVICES,
            groupByOperation: true,
            spanKinds: [],
            timeRange: { startNanos: T0, endNanos: T0 + 120_000_000_000n },
            stepNanos: 60_000_000_000n,
            quantiles: [0.5, 0.99],
          }),
        };
      } finally {
        await store.close();
      }
    };
    const cached = await read();
    assert.equal(cached.recent.length, 15);
    assert.equal(cached.byValue.length, 1);
    assert.ok(cached.errors.length > 0);
    assert.ok(cached.dependencies.length > 0);
    assert.deepEqual(await read(0), cached);
  });
});
