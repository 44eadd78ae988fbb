// Multitenancy end to end (issue 14): tenants A and B send distinct traces
// that share service and operation names (and a trace id) through different
// receivers; through every read endpoint of every port, B finds its own data
// and nothing of A's (a trace only A wrote is "not found", never
// "forbidden"); a request that names no tenant is refused on every port and
// protocol and stores nothing; UDP writes only where --udp-tenant says.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
  encodeJaegerAgentMessage,
  encodeOtlpTraceRequestJson,
  encodeOtlpTraceRequestProto,
  encodeZipkinV2Json,
  makeSpan,
  type Span,
} from '@ariadne/protocol';
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpHttpExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  type IngestMethod,
  type RawIngestClient,
  rawIngestClient,
} from '../packages/server/src/receivers/grpc/testing/raw-ingest-client.js';
import { SINGLE_TENANT } from '../packages/server/src/tenancy/tenant-id.js';
import {
  A_MARKS,
  B_MARKS,
  mentionsAnyOf,
  SHARED_TRACE_ID,
  TENANT_A,
  TENANT_B,
  type TenantMarks,
  tenantSpans,
} from '../packages/server/src/tenancy/testing/tenant-traces.js';
import { SERVICE_NAME, sendKnownTrace } from './support/otel-sdk-trace.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const now = BigInt(Date.now()) * 1_000_000n;
const START = now - 60_000_000_000n;
const startSec = Math.floor(Date.now() / 1000) - 3600;
const endSec = Math.floor(Date.now() / 1000) + 60;
const RANGE_US = `start=${startSec * 1_000_000}&end=${endSec * 1_000_000}`;
const LOOKBACK_MS = `endTs=${endSec * 1000}&lookback=${3600 * 1000 * 2}`;
const TEMPO_RANGE = `start=${startSec}&end=${endSec}`;
const V3_RANGE = `query.start_time_min=${new Date(startSec * 1000).toISOString()}&query.start_time_max=${new Date(endSec * 1000).toISOString()}`;

/** Spans no tenant may end up with: sent only in requests that are refused. */
const NOBODYS_TRACE = 'dddddddddddddddd0000000000000004';
const nobodysSpans: Span[] = [
  makeSpan({
    traceId: NOBODYS_TRACE,
    spanId: 'd000000000000001',
    service: 'nobodys-service',
    startTimeUnixNano: START,
  }),
];

let server: TestServer;
let grpc: RawIngestClient;
let jaegerGrpc: RawIngestClient;
let knownA: string;
let knownB: string;
let zipkinA: string;

/**
 * What of a tenant's data a response shows, leaving out the trace id the
 * request itself named (an error may repeat it; that tells nothing).
 */
function leakOf(text: string, path: string, marks: TenantMarks = A_MARKS): string | undefined {
  return mentionsAnyOf(path.includes(marks.traceId) ? text.replaceAll(marks.traceId, '<asked>') : text, marks);
}

/**
 * Sends as an exporter does: again while the server says "retry later". A
 * tenant's first request opens its stores (an embedded store starts its
 * thread), which may outlast the answer deadline; the write goes on, and a
 * retry's copies are kept once.
 */
async function sendRetrying(send: () => Promise<Response>): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const response = await send();
    if ((response.status !== 429 && response.status !== 503) || attempt === 20) return response;
    await response.body?.cancel();
  }
}

async function grpcRetrying(send: () => Promise<Buffer>): Promise<Buffer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if ((error as ServiceError).code !== status.UNAVAILABLE || attempt === 20) throw error;
    }
  }
}

const headers = (tenant?: string): Record<string, string> => (tenant === undefined ? {} : { 'X-Scope-OrgID': tenant });

async function get(url: string, tenant?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { headers: headers(tenant) });
  return { status: response.status, text: await response.text() };
}

function grpcCall(method: IngestMethod, body: Uint8Array, tenant?: string): Promise<Buffer> {
  const client = method === 'Export' ? grpc : jaegerGrpc;
  return client.call(method, body, tenant === undefined ? {} : { 'x-scope-orgid': tenant });
}

const url = (port: 'query' | 'tempo' | 'zipkin' | 'sampling' | 'otlpHttp' | 'jaegerHttp', path: string) =>
  `${server.urlOf(port)}${path}`;

before(async () => {
  server = await startTestServer({ multitenancy: true });
  const client = (port: 'otlpGrpc' | 'jaegerGrpc') => rawIngestClient(server.urlOf(port).replace(/^grpc:\/\//, ''));
  grpc = client('otlpGrpc');
  jaegerGrpc = client('jaegerGrpc');
  // A over OTLP/HTTP (JSON), B over OTLP/gRPC: each request names its tenant.
  const posted = await sendRetrying(() =>
    fetch(url('otlpHttp', '/v1/traces'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers(TENANT_A) },
      body: encodeOtlpTraceRequestJson(tenantSpans(A_MARKS, START)),
    }),
  );
  assert.equal(posted.status, 200, await posted.text());
  await grpcRetrying(() => grpcCall('Export', encodeOtlpTraceRequestProto(tenantSpans(B_MARKS, START)), TENANT_B));
  // The OpenTelemetry exporters need only a header (HTTP) or metadata (gRPC) setting.
  knownA = (
    await sendKnownTrace(
      new OtlpHttpExporter({ url: url('otlpHttp', '/v1/traces'), headers: { 'X-Scope-OrgID': TENANT_A } }),
    )
  ).traceId;
  const metadata = new Metadata();
  metadata.set('x-scope-orgid', TENANT_B);
  knownB = (
    await sendKnownTrace(new OtlpGrpcExporter({ url: `http://${server.urlOf('otlpGrpc').slice(7)}`, metadata }))
  ).traceId;
  // And Zipkin's collector, for A.
  zipkinA = 'eeeeeeeeeeeeeeee0000000000000005';
  const zipkin = await fetch(url('zipkin', '/api/v2/spans'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers(TENANT_A) },
    body: encodeZipkinV2Json([
      makeSpan({ traceId: zipkinA, spanId: 'e000000000000001', service: A_MARKS.service, startTimeUnixNano: START }),
    ]),
  });
  assert.equal(zipkin.status, 202);
});
after(async () => {
  grpc?.close();
  jaegerGrpc?.close();
  await server?.dispose();
});

describe('reads: B sees its own data and nothing of A', () => {
  const q = (text: string) => encodeURIComponent(text);
  /** Read endpoints by port; each answers both tenants, A's answer naming A's data and B's naming B's. */
  const READS: readonly [port: 'query' | 'tempo' | 'zipkin', path: string, bothSee: boolean][] = [
    ['query', '/api/services', true],
    ['query', `/api/services/${A_MARKS.service}/operations`, false],
    ['query', `/api/operations?service=${A_MARKS.service}`, false],
    ['query', `/api/traces?service=frontend&${RANGE_US}&limit=20`, true],
    [
      'query',
      `/api/traces?service=frontend&tags=${q(JSON.stringify({ customer: A_MARKS.attributeValue }))}&${RANGE_US}`,
      false,
    ],
    ['query', `/api/traces/${SHARED_TRACE_ID}`, true],
    ['query', `/api/traces?traceID=${A_MARKS.traceId}&traceID=${B_MARKS.traceId}`, true],
    ['query', `/api/dependencies?${LOOKBACK_MS}`, true],
    [
      'query',
      `/api/metrics/calls?service=frontend&service=${A_MARKS.service}&service=${B_MARKS.service}&${LOOKBACK_MS}&step=60000`,
      true,
    ],
    [
      'query',
      `/api/metrics/errors?service=${A_MARKS.service}&service=${B_MARKS.service}&${LOOKBACK_MS}&step=60000`,
      true,
    ],
    ['query', '/api/v3/services', true],
    ['query', `/api/v3/operations?service=${A_MARKS.service}`, false],
    ['query', `/api/v3/traces?query.service_name=frontend&${V3_RANGE}`, true],
    ['query', `/api/v3/traces/${SHARED_TRACE_ID}`, true],
    ['query', `/api/trace-view/${SHARED_TRACE_ID}`, true],
    ['query', `/api/search?q=${q('{ resource.service.name = "frontend" }')}&${TEMPO_RANGE}`, true],
    ['query', `/api/search?tags=${q(`customer=${A_MARKS.attributeValue}`)}&${TEMPO_RANGE}`, false],
    ['query', `/api/v2/traces/${SHARED_TRACE_ID}`, true],
    ['tempo', `/api/search?q=${q('{ resource.service.name = "frontend" }')}&${TEMPO_RANGE}`, true],
    ['tempo', `/api/search?q=${q(`{ span.customer = "${A_MARKS.attributeValue}" }`)}&${TEMPO_RANGE}`, false],
    ['tempo', `/api/traces/${SHARED_TRACE_ID}`, true],
    ['tempo', `/api/v2/traces/${SHARED_TRACE_ID}`, true],
    ['tempo', '/api/search/tag/service.name/values', true],
    ['tempo', '/api/search/tag/customer/values', true],
    ['tempo', '/api/v2/search/tag/resource.service.name/values', true],
    ['tempo', '/api/v2/search/tag/span.customer/values', true],
    [
      'tempo',
      `/api/metrics/query_range?q=${q('{ } | rate() by (resource.service.name)')}&${TEMPO_RANGE}&step=60`,
      true,
    ],
    ['tempo', `/api/metrics/query?q=${q('{ } | count_over_time() by (span.customer)')}&${TEMPO_RANGE}`, true],
    ['zipkin', '/api/v2/services', true],
    ['zipkin', `/api/v2/spans?serviceName=${A_MARKS.service}`, false],
    ['zipkin', `/api/v2/traces?serviceName=frontend&${LOOKBACK_MS}&limit=20`, true],
    ['zipkin', `/api/v2/trace/${SHARED_TRACE_ID}`, true],
    ['zipkin', `/api/v2/traceMany?traceIds=${A_MARKS.traceId},${B_MARKS.traceId}`, true],
    ['zipkin', `/api/v2/dependencies?${LOOKBACK_MS}`, true],
  ];
  for (const [port, path, bothSee] of READS) {
    test(`${port} ${path.split('?')[0]}${path.includes('?') ? ` ?${path.split('?')[1]!.slice(0, 60)}` : ''}`, async () => {
      const asA = await get(url(port, path), TENANT_A);
      const asB = await get(url(port, path), TENANT_B);
      assert.ok(mentionsAnyOf(asA.text, A_MARKS), `A finds its own data: ${asA.status} ${asA.text.slice(0, 300)}`);
      assert.ok([200, 404].includes(asB.status), `B: ${asB.status} ${asB.text.slice(0, 300)}`);
      const leaked = leakOf(asB.text, path);
      assert.equal(leaked, undefined, `B's answer shows A's "${leaked}": ${asB.text.slice(0, 500)}`);
      if (bothSee) assert.ok(mentionsAnyOf(asB.text, B_MARKS), `B finds its own data: ${asB.text.slice(0, 300)}`);
      assert.equal(leakOf(asA.text, path, B_MARKS), undefined, "and A nothing of B's");
    });
  }

  test('a trace only A wrote is "not found" for B on every port, never "forbidden"', async () => {
    const [spanId] = A_MARKS.spanIds;
    const byId: readonly [port: 'query' | 'tempo' | 'zipkin', path: string][] = [
      ['query', `/api/traces/${A_MARKS.traceId}`],
      ['query', `/api/traces/${knownA}`],
      ['query', `/api/traces/${zipkinA}`],
      ['query', `/api/v3/traces/${A_MARKS.traceId}`],
      ['query', `/api/v2/traces/${A_MARKS.traceId}`],
      ['query', `/api/trace-view/${A_MARKS.traceId}`],
      ['query', `/api/trace-view/${A_MARKS.traceId}/spans/${spanId}`],
      ['tempo', `/api/traces/${A_MARKS.traceId}`],
      ['tempo', `/api/v2/traces/${A_MARKS.traceId}`],
      ['zipkin', `/api/v2/trace/${A_MARKS.traceId}`],
      ['zipkin', `/api/v2/trace/${zipkinA}`],
    ];
    const ghost = 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0';
    for (const [port, path] of byId) {
      assert.equal((await get(url(port, path), TENANT_A)).status, 200, `A opens ${port} ${path}`);
      const asB = await get(url(port, path), TENANT_B);
      assert.equal(asB.status, 404, `B: ${port} ${path}: ${asB.text.slice(0, 200)}`);
      // Word for word what B hears of a trace nobody wrote: nothing tells that A's exists.
      const traceId = [A_MARKS.traceId, knownA, zipkinA].find((id) => path.includes(id))!;
      const nobodys = await get(url(port, path.replace(traceId, ghost)), TENANT_B);
      assert.equal(asB.text.replaceAll(traceId, ghost), nobodys.text, `${port} ${path}`);
      assert.equal(leakOf(asB.text, path), undefined);
    }
    // B's own traces sent by the OpenTelemetry exporter are B's alone, and A's are A's.
    assert.equal((await get(url('query', `/api/traces/${knownB}`), TENANT_B)).status, 200);
    assert.equal((await get(url('query', `/api/traces/${knownB}`), TENANT_A)).status, 404);
  });

  test('archive: B can neither archive nor open a trace of A; A can', async () => {
    const archive = (traceId: string, tenant: string) =>
      fetch(url('query', `/api/archive/${traceId}`), { method: 'POST', headers: headers(tenant) });
    assert.equal((await archive(A_MARKS.traceId, TENANT_B)).status, 404);
    assert.equal((await archive(A_MARKS.traceId, TENANT_A)).status, 200);
    // Archived traces are read through the same routes; still not B's.
    assert.equal((await get(url('query', `/api/traces/${A_MARKS.traceId}`), TENANT_B)).status, 404);
    assert.equal((await get(url('query', `/api/trace-view/${A_MARKS.traceId}`), TENANT_B)).status, 404);
    assert.equal((await archive(B_MARKS.traceId, TENANT_B)).status, 200);
  });

  test("live tail streams B's new spans to B and never A's", async () => {
    const events: string[] = [];
    let text = '';
    let connected!: () => void;
    const isConnected = new Promise<void>((resolve) => (connected = resolve));
    let gotB!: () => void;
    const sawB = new Promise<void>((resolve) => (gotB = resolve));
    const req = request(url('query', '/api/live'), { headers: headers(TENANT_B) }, (response) => {
      assert.equal(response.statusCode, 200);
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes(': connected')) connected();
        events.push(chunk);
        if (text.includes('b-live-trace') || text.includes('bbbbbbbbbbbbbbbb00000000000000ff')) gotB();
      });
    });
    req.on('error', () => {});
    req.end();
    await isConnected;
    const liveA: Span[] = [
      makeSpan({
        traceId: 'aaaaaaaaaaaaaaaa00000000000000ff',
        spanId: 'a0000000000000ff',
        service: A_MARKS.service,
        name: 'a-live-trace',
        startTimeUnixNano: now,
      }),
    ];
    const liveB: Span[] = [
      makeSpan({
        traceId: 'bbbbbbbbbbbbbbbb00000000000000ff',
        spanId: 'b0000000000000ff',
        service: B_MARKS.service,
        name: 'b-live-trace',
        startTimeUnixNano: now,
      }),
    ];
    // A's batch is accepted before B's: were it streamed to B, it would arrive first.
    for (const [tenant, spans] of [
      [TENANT_A, liveA],
      [TENANT_B, liveB],
    ] as const) {
      const response = await fetch(url('otlpHttp', '/v1/traces'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers(tenant) },
        body: encodeOtlpTraceRequestJson(spans),
      });
      assert.equal(response.status, 200);
    }
    await sawB;
    req.destroy();
    assert.ok(!text.includes('a-live-trace') && mentionsAnyOf(text, A_MARKS) === undefined, text);
  });
});

describe('a request that names no tenant', () => {
  test('is refused on every HTTP port: 401 saying what to send', async () => {
    const refusals: [string, RequestInit][] = [
      [url('query', '/api/services'), {}],
      [url('query', `/api/traces/${A_MARKS.traceId}`), {}],
      [url('query', '/api/live'), {}],
      [url('tempo', '/api/search'), {}],
      [url('tempo', `/api/traces/${A_MARKS.traceId}`), {}],
      [url('zipkin', '/api/v2/services'), {}],
      [url('sampling', '/sampling?service=frontend'), {}],
      [
        url('otlpHttp', '/v1/traces'),
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: encodeOtlpTraceRequestJson(nobodysSpans),
        },
      ],
      [
        url('zipkin', '/api/v2/spans'),
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: encodeZipkinV2Json(nobodysSpans) },
      ],
      [
        url('jaegerHttp', '/api/traces'),
        { method: 'POST', headers: { 'Content-Type': 'application/x-thrift' }, body: new Uint8Array([0]) },
      ],
    ];
    for (const [target, init] of refusals) {
      const response = await fetch(target, init);
      const text = await response.text();
      assert.equal(response.status, 401, `${init.method ?? 'GET'} ${target}: ${text}`);
      assert.match(text, /X-Scope-OrgID/, target);
    }
  });

  test('is UNAUTHENTICATED on both gRPC services', async () => {
    for (const method of ['Export', 'PostSpans'] as const) {
      await assert.rejects(grpcCall(method, encodeOtlpTraceRequestProto(nobodysSpans)), (error: ServiceError) => {
        assert.equal(error.code, status.UNAUTHENTICATED, method);
        assert.match(error.details, /x-scope-orgid/);
        return true;
      });
    }
  });

  test('and a tenant id that breaks the rules is 400 / INVALID_ARGUMENT', async () => {
    for (const bad of ['a/b', 'a|b', '..']) {
      const response = await fetch(url('otlpHttp', '/v1/traces'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Scope-OrgID': bad },
        body: encodeOtlpTraceRequestJson(nobodysSpans),
      });
      assert.equal(response.status, 400, bad);
      assert.equal((await get(url('query', '/api/services'), bad)).status, 400, bad);
    }
    await assert.rejects(grpcCall('Export', encodeOtlpTraceRequestProto(nobodysSpans), 'a b'), {
      code: status.INVALID_ARGUMENT,
    });
  });

  test('stores nothing, for any tenant', async () => {
    for (const tenant of [TENANT_A, TENANT_B, SINGLE_TENANT]) {
      assert.equal((await get(url('query', `/api/traces/${NOBODYS_TRACE}`), tenant)).status, 404, tenant);
      assert.ok(!(await get(url('query', '/api/services'), tenant)).text.includes('nobodys-service'));
    }
    assert.deepEqual(await server.server.store.getServices(), [], 'the single-tenant store got nothing');
    const rejected = (await get(url('query', '/metrics'))).text;
    assert.match(rejected, /reason="unauthenticated"/, 'refusals are counted');
  });

  test("still reaches what is nobody's data: health, metrics, Tempo readiness and build info, the UI", async () => {
    assert.equal((await get(url('query', '/health'))).status, 200);
    assert.equal((await get(url('query', '/metrics'))).status, 200);
    assert.equal((await get(url('tempo', '/ready'))).text, 'ready');
    assert.equal((await get(url('tempo', '/api/status/buildinfo'))).status, 200);
    assert.notEqual((await get(url('query', '/'))).status, 401);
  });
});

test('remote sampling answers a request that names its tenant', async () => {
  const asA = await get(url('sampling', `/sampling?service=${SERVICE_NAME}`), TENANT_A);
  assert.equal(asA.status, 200);
  assert.match(asA.text, /strategyType/);
});

describe('UDP receivers under multitenancy', () => {
  test('do not listen without --udp-tenant', () => {
    assert.equal(server.server.listeners.jaegerCompact, undefined);
    assert.equal(server.server.listeners.jaegerBinary, undefined);
  });

  test("with --udp-tenant, every datagram's spans are that tenant's", async () => {
    const udp = await startTestServer({ multitenancy: true, udpTenant: TENANT_A, storage: 'memory' });
    const socket = createSocket('udp4');
    try {
      const port = Number(new URL(udp.urlOf('jaegerCompact').replace('udp:', 'http:')).port);
      const traceIdLow = 0x4242n;
      const message = encodeJaegerAgentMessage(
        {
          process: { serviceName: 'udp-service', tags: [] },
          spans: [
            {
              traceIdLow,
              traceIdHigh: 0n,
              spanId: 7n,
              parentSpanId: 0n,
              operationName: 'udp-op',
              flags: 1,
              startTime: now / 1000n,
              duration: 1000n,
              tags: [],
              logs: [],
              references: [],
            },
          ],
        },
        'compact',
      );
      const traceId = traceIdLow.toString(16).padStart(32, '0');
      // Datagrams may be lost: send until the trace is stored (bounded).
      let asA = { status: 0, text: '' };
      for (let attempt = 0; attempt < 50 && asA.status !== 200; attempt++) {
        await new Promise<void>((resolve, reject) =>
          socket.send(message, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
        );
        asA = await get(`${udp.queryUrl}/api/traces/${traceId}`, TENANT_A);
      }
      assert.equal(asA.status, 200, 'the UDP tenant has the trace');
      assert.equal((await get(`${udp.queryUrl}/api/traces/${traceId}`, TENANT_B)).status, 404);
      assert.deepEqual(await udp.server.store.getServices(), [], 'nothing went to single-tenant');
    } finally {
      socket.close();
      await udp.dispose();
    }
  });
});
