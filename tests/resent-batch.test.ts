// Issue 13's acceptance: "a batch posted ten times reads back once from every
// API". One OTLP/HTTP protobuf batch (three traces, four services, calls
// across services, an error) is posted ten times to the all-in-one server,
// five in turn and five at once, as a retrying client does; then every API
// that returns spans shows each span once, and every count is one send's:
// Jaeger (trace, search, dependencies, SPM calls), Jaeger API v3, Tempo
// (trace by id v1 and v2, tag search and TraceQL search span counts), Zipkin,
// the UI's trace view and span details, and the archive. On the memory store,
// the embedded store and ClickHouse (a real clickhouse-server).
import assert from 'node:assert/strict';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  encodeOtlpTraceRequestProto,
  makeSpan,
  type Span,
  SpanKind,
  StatusCode,
  serviceNameOf,
} from '@ariadne/protocol';
import {
  type ClickHouseTestServer,
  startClickHouseServer,
} from '../packages/server/src/storage/clickhouse/testing/clickhouse-test-server.js';
import { getJson, makeTempDir, removeTempDir, startTestServer, type TestServer } from './support/test-server.js';

const SENDS = 10;
const MS = 1_000_000n;

/** A minute ago, so that every default look-back (search, dependencies, SPM) covers it. */
const base = (BigInt(Date.now()) - 60_000n) * MS;
const T1 = '1e5e0d1e5e0d1e5e0d1e5e0d1e5e0d01';
const T2 = '1e5e0d1e5e0d1e5e0d1e5e0d1e5e0d02';
const T3 = '1e5e0d1e5e0d1e5e0d1e5e0d1e5e0d03';

function span(
  traceId: string,
  spanId: string,
  parentSpanId: string,
  service: string,
  name: string,
  kind: SpanKind,
  startMs: number,
  failed = false,
): Span {
  return makeSpan({
    traceId,
    spanId,
    parentSpanId,
    service,
    name,
    kind,
    startTimeUnixNano: base + BigInt(startMs) * MS,
    endTimeUnixNano: base + BigInt(startMs + 20) * MS,
    attributes: [{ key: 'http.route', value: { type: 'string', value: name } }],
    ...(failed ? { status: { code: StatusCode.Error, message: 'declined' } } : {}),
  });
}

const SPANS: readonly Span[] = [
  span(T1, '1000000000000001', '', 'frontend', 'GET /checkout', SpanKind.Server, 0),
  span(T1, '1000000000000002', '1000000000000001', 'frontend', 'POST /pay', SpanKind.Client, 1),
  span(T1, '1000000000000003', '1000000000000002', 'payment', 'POST /pay', SpanKind.Server, 2, true),
  span(T1, '1000000000000004', '1000000000000003', 'payment', 'charge', SpanKind.Internal, 3, true),
  span(T1, '1000000000000005', '1000000000000001', 'frontend', 'render', SpanKind.Internal, 4),
  span(T2, '2000000000000001', '', 'frontend', 'GET /cart', SpanKind.Server, 10),
  span(T2, '2000000000000002', '2000000000000001', 'frontend', 'GET /cart', SpanKind.Client, 11),
  span(T2, '2000000000000003', '2000000000000002', 'cart', 'GET /cart', SpanKind.Server, 12),
  span(T2, '2000000000000004', '2000000000000003', 'cart', 'load items', SpanKind.Internal, 13),
  span(T3, '3000000000000001', '', 'gateway', 'GET /', SpanKind.Server, 20),
  span(T3, '3000000000000002', '3000000000000001', 'frontend', 'GET /checkout', SpanKind.Server, 21),
];
const TRACES = [T1, T2, T3];
const idsOf = (traceId: string) => SPANS.filter((s) => s.traceId === traceId).map((s) => s.spanId);
const countOf = (traceId: string, service?: string) =>
  SPANS.filter((s) => s.traceId === traceId && (service === undefined || serviceNameOf(s.resource) === service)).length;

interface StoreCase {
  readonly name: string;
  /** Overrides of the server config; may start what the store needs (a clickhouse-server). */
  readonly config: () => Promise<Parameters<typeof startTestServer>[0]>;
  readonly cleanUp?: () => Promise<void>;
  /** Cases that fail for a reason outside the query layer, and why (run as `todo`). */
  readonly todo?: Partial<Record<'countsBySearch' | 'dependencies' | 'callRate', string>>;
}

let clickhouse: Promise<ClickHouseTestServer> | undefined;
let clickhouseDatabases = 0;

const CASES: StoreCase[] = [
  { name: 'memory store', config: async () => ({ storage: 'memory' }) },
  { name: 'embedded store', config: async () => ({ storage: 'embedded' }) },
  {
    name: 'ClickHouse store',
    config: async () => {
      clickhouse ??= startClickHouseServer();
      const { url } = await clickhouse;
      return { storage: 'clickhouse', clickhouse: { url, database: `ariadne_resent_${++clickhouseDatabases}` } };
    },
    cleanUp: async () => {
      const started = await clickhouse?.catch(() => undefined);
      clickhouse = undefined;
      await started?.stop();
    },
    todo: {
      dependencies: 'ClickHouse counts every stored copy in dependencies (storage/clickhouse/README.md)',
      callRate: 'ClickHouse counts every stored copy in RED metrics (storage/clickhouse/README.md)',
    },
  },
];

for (const storeCase of CASES) {
  describe(`a batch posted ${SENDS} times reads back once: ${storeCase.name}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(await storeCase.config());
      const body = encodeOtlpTraceRequestProto(SPANS);
      const post = async () => {
        const response = await fetch(`${server.otlpHttpUrl}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-protobuf' },
          body,
        });
        assert.equal(response.status, 200, await response.text());
      };
      for (let i = 0; i < SENDS / 2; i++) await post();
      await Promise.all(Array.from({ length: SENDS / 2 }, post));
      // Acknowledged means stored; wait anyway until a read sees every span (a store may publish reads later).
      await eventually(async () => {
        const trace = await getJson<{ data: { spans: unknown[] }[] }>(`${server.queryUrl}/api/traces/${T1}`);
        return (trace.data[0]?.spans.length ?? 0) >= countOf(T1);
      });
    });
    after(async () => {
      await server?.dispose();
      await storeCase.cleanUp?.();
    });
    const todo = (key: keyof NonNullable<StoreCase['todo']>) => {
      const reason = storeCase.todo?.[key];
      return reason === undefined ? {} : { todo: reason };
    };

    test('Jaeger: each trace by id, and the traces a search returns, hold each span once', async () => {
      for (const traceId of TRACES) {
        const trace = await getJson<{ data: { spans: { spanID: string }[] }[] }>(
          `${server.queryUrl}/api/traces/${traceId}`,
        );
        assert.deepEqual(trace.data[0]?.spans.map((s) => s.spanID).sort(), idsOf(traceId).sort(), traceId);
      }
      const found = await getJson<{ data: { traceID: string; spans: unknown[] }[] }>(
        `${server.queryUrl}/api/traces?service=frontend&lookback=1h&limit=20`,
      );
      assert.deepEqual(found.data.map((t) => t.traceID).sort(), [...TRACES].sort());
      for (const trace of found.data) assert.equal(trace.spans.length, countOf(trace.traceID), trace.traceID);
    });

    test('Jaeger API v3: traces by id and by search', async () => {
      for (const traceId of TRACES) {
        const trace = await getJson<{ result: Otlp }>(`${server.queryUrl}/api/v3/traces/${traceId}`);
        assertOnce(otlpSpanIds(trace.result), idsOf(traceId), `v3 ${traceId}`);
      }
      const window = `query.start_time_min=${iso(base - 60_000n * MS)}&query.start_time_max=${iso(base + 60_000n * MS)}`;
      const found = await getJson<{ result: Otlp }>(
        `${server.queryUrl}/api/v3/traces?query.service_name=frontend&${window}`,
      );
      assertOnce(
        otlpSpanIds(found.result),
        SPANS.map((s) => s.spanId),
        'v3 search',
      );
    });

    test('Tempo: trace by id (v1 and v2), and span counts of tag and TraceQL searches', async () => {
      const tempo = server.urlOf('tempo');
      for (const traceId of TRACES) {
        const v1 = await getJson<{ batches: Otlp['resourceSpans'] }>(`${tempo}/api/traces/${traceId}`);
        assertOnce(otlpSpanIds({ resourceSpans: v1.batches }), idsOf(traceId), `tempo v1 ${traceId}`);
        const v2 = await getJson<{ trace: Otlp }>(`${tempo}/api/v2/traces/${traceId}`);
        assertOnce(otlpSpanIds(v2.trace), idsOf(traceId), `tempo v2 ${traceId}`);
      }
      const traceql = await getJson<TempoSearch>(`${tempo}/api/search?q=${encodeURIComponent('{}')}&limit=20`);
      assertServiceStats(traceql, 'TraceQL search');
    });

    test('Tempo tag search counts each span once (the store summaries)', todo('countsBySearch'), async () => {
      const tags = await getJson<TempoSearch>(
        `${server.urlOf('tempo')}/api/search?tags=${encodeURIComponent('service.name=frontend')}&limit=20`,
      );
      assertServiceStats(tags, 'tag search');
    });

    test('Zipkin: trace by id and search', async () => {
      const zipkin = server.urlOf('zipkin');
      for (const traceId of TRACES) {
        const trace = await getJson<{ id: string }[]>(`${zipkin}/api/v2/trace/${traceId}`);
        assert.deepEqual(trace.map((s) => s.id).sort(), idsOf(traceId).sort(), `zipkin ${traceId}`);
      }
      const endTs = Number((base + 60_000n * MS) / MS);
      const found = await getJson<{ id: string }[][]>(
        `${zipkin}/api/v2/traces?serviceName=frontend&endTs=${endTs}&lookback=600000&limit=20`,
      );
      assertOnce(
        found.flat().map((s) => s.id),
        SPANS.map((s) => s.spanId),
        'zipkin search',
      );
    });

    test("the UI's trace view and span details", async () => {
      for (const traceId of TRACES) {
        const view = await getJson<{ data: { spanIds: string[]; duplicates: number[] } }>(
          `${server.queryUrl}/api/trace-view/${traceId}`,
        );
        assert.deepEqual([...view.data.spanIds].sort(), idsOf(traceId).sort(), `trace view ${traceId}`);
        assert.deepEqual(view.data.duplicates, []);
        const spanId = idsOf(traceId)[0]!;
        const details = await getJson<{ data: { spans: { spanID: string }[] }[] }>(
          `${server.queryUrl}/api/trace-view/${traceId}/spans/${spanId}`,
        );
        assert.deepEqual(
          details.data.flatMap((t) => t.spans.map((s) => s.spanID)),
          [spanId],
        );
      }
    });

    test('Jaeger dependencies count each call once', todo('dependencies'), async () => {
      const endTs = Number((base + 60_000n * MS) / MS);
      const links = await getJson<{ data: { parent: string; child: string; callCount: number }[] }>(
        `${server.queryUrl}/api/dependencies?endTs=${endTs}&lookback=600000`,
      );
      assert.deepEqual(
        links.data.map(({ parent, child, callCount }) => ({ parent, child, callCount })),
        [
          { parent: 'frontend', child: 'cart', callCount: 1 },
          { parent: 'frontend', child: 'payment', callCount: 1 },
          { parent: 'gateway', child: 'frontend', callCount: 1 },
        ],
      );
    });

    test("Jaeger SPM's call rate counts each server span once", todo('callRate'), async () => {
      const endTs = Number((base + 60_000n * MS) / MS);
      const services = ['cart', 'frontend', 'gateway', 'payment'];
      // One-second buckets and a one-second rate: each point is its bucket's calls.
      const family = await getJson<{ metrics: { labels: { value: string }[]; metricPoints: Point[] }[] }>(
        `${server.queryUrl}/api/metrics/calls?${services.map((s) => `service=${s}`).join('&')}` +
          `&endTs=${endTs}&lookback=600000&step=1000&ratePer=1000&spanKind=server`,
      );
      const calls = Object.fromEntries(
        family.metrics.map((m) => [
          m.labels[0]!.value,
          m.metricPoints.reduce((sum, p) => sum + p.gaugeValue.doubleValue, 0),
        ]),
      );
      assert.deepEqual(calls, { cart: 1, frontend: 3, gateway: 1, payment: 1 });
    });

    test('the archive: a trace archived ten times reads back once, from the archive', async () => {
      for (let i = 0; i < SENDS; i++) {
        const archived = await fetch(`${server.queryUrl}/api/archive/${T1}`, { method: 'POST' });
        assert.equal(archived.status, 200, await archived.text());
      }
      if (storeCase.name === 'memory store') return; // Its archive lives in memory; read below only where it persists.
      // A new server whose main store never held the trace, over the old archive: reads fall back to it.
      await server.stop();
      const dataDir = makeTempDir();
      try {
        await rename(join(server.dataDir, 'archive'), join(dataDir, 'archive'));
        const next = await startTestServer({ ...(await storeCase.config()), dataDir });
        try {
          const trace = await getJson<{ data: { spans: { spanID: string }[] }[] }>(`${next.queryUrl}/api/traces/${T1}`);
          assert.deepEqual(trace.data[0]?.spans.map((s) => s.spanID).sort(), idsOf(T1).sort());
          const view = await getJson<{ data: { spanIds: string[] } }>(`${next.queryUrl}/api/trace-view/${T1}`);
          assert.deepEqual([...view.data.spanIds].sort(), idsOf(T1).sort());
        } finally {
          await next.dispose();
        }
      } finally {
        removeTempDir(dataDir);
      }
    });
  });
}

type Otlp = { resourceSpans: { scopeSpans: { spans: { spanId: string }[] }[] }[] };
type Point = { gaugeValue: { doubleValue: number } };
type TempoSearch = { traces: { traceID: string; serviceStats: Record<string, { spanCount: number }> }[] };

function otlpSpanIds(data: Otlp): string[] {
  return data.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.spanId)));
}

/** As many ids as expected, each once (OTLP/JSON may write ids as hex or base64: compared by count and set). */
function assertOnce(ids: readonly string[], expected: readonly string[], what: string): void {
  assert.equal(ids.length, expected.length, `${what}: ${ids.length} spans, expected ${expected.length}`);
  assert.equal(new Set(ids).size, expected.length, `${what}: a span repeats`);
}

function assertServiceStats(search: TempoSearch, what: string): void {
  const traces = search.traces.filter((t) => TRACES.includes(t.traceID.padStart(32, '0')));
  assert.ok(traces.length > 0, `${what}: no trace found`);
  for (const trace of traces) {
    const traceId = trace.traceID.padStart(32, '0');
    for (const [service, stats] of Object.entries(trace.serviceStats)) {
      assert.equal(stats.spanCount, countOf(traceId, service), `${what}: ${traceId} ${service}`);
    }
  }
}

function iso(nanos: bigint): string {
  return new Date(Number(nanos / MS)).toISOString();
}

/** Polls `check` until it holds; fails after 20 s with the last answer. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error('the posted spans never became readable');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
