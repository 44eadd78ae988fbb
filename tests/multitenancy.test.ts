// Multitenancy end to end (issue 14): tenants A and B send distinct traces
// that share service and operation names (and a trace id) through different
// receivers; through every read endpoint of every port, B finds its own data
// and nothing of A's (a trace only A wrote is "not found", never
// "forbidden"); a request that names no tenant is refused on every port and
// protocol and stores nothing; UDP writes only where --udp-tenant says.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
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
  TENANT_A,
  TENANT_B,
} from '../packages/server/src/tenancy/testing/tenant-traces.js';
import { SERVICE_NAME, sendKnownTrace } from './support/otel-sdk-trace.js';
import { assertOnlyAFindsTraces, type Reader, testTenantReads, traceByIdReads } from './support/tenant-reads.js';
import { writeTenantTraces } from './support/tenant-writes.js';
import { startTestServer, type TestServer } from './support/test-server.js';
import { sendUdpTraceUntilRead, UDP_TRACE_ID } from './support/udp-trace.js';

const now = BigInt(Date.now()) * 1_000_000n;
const START = now - 60_000_000_000n;

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

/** Reads as a tenant: its name in X-Scope-OrgID. */
const readAs =
  (tenant: string): Reader =>
  (port, path) =>
    get(url(port, path), tenant);
const asA = readAs(TENANT_A);
const asB = readAs(TENANT_B);

before(async () => {
  server = await startTestServer({ multitenancy: true });
  const client = (port: 'otlpGrpc' | 'jaegerGrpc') => rawIngestClient(server.urlOf(port).replace(/^grpc:\/\//, ''));
  grpc = client('otlpGrpc');
  jaegerGrpc = client('jaegerGrpc');
  // A over OTLP/HTTP (JSON), B over OTLP/gRPC: each request names its tenant.
  await writeTenantTraces(server, { a: { 'x-scope-orgid': TENANT_A }, b: { 'x-scope-orgid': TENANT_B } }, START);
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
  testTenantReads(asA, asB);

  test('a trace only A wrote is "not found" for B on every port, never "forbidden"', async () => {
    const [spanId] = A_MARKS.spanIds as [string];
    await assertOnlyAFindsTraces(
      asA,
      asB,
      [
        ...traceByIdReads(A_MARKS.traceId, spanId),
        ['query', `/api/traces/${knownA}`],
        ['query', `/api/traces/${zipkinA}`],
        ['zipkin', `/api/v2/trace/${zipkinA}`],
      ],
      [A_MARKS.traceId, knownA, zipkinA],
    );
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
    try {
      const traceUrl = (traceId: string) => `${udp.queryUrl}/api/traces/${traceId}`;
      const asA = await sendUdpTraceUntilRead(udp.urlOf('jaegerCompact'), (traceId) =>
        get(traceUrl(traceId), TENANT_A),
      );
      assert.equal(asA.status, 200, 'the UDP tenant has the trace');
      assert.equal((await get(traceUrl(UDP_TRACE_ID), TENANT_B)).status, 404);
      assert.deepEqual(await udp.server.store.getServices(), [], 'nothing went to single-tenant');
    } finally {
      await udp.dispose();
    }
  });
});
