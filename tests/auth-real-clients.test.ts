// Acceptance (issue 14, authentication, real clients): the OpenTelemetry JS
// exporters (OTLP/HTTP JSON and protobuf, OTLP/gRPC) with
// OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer …, jaeger-client over HTTP
// with a user and password, the OTel Zipkin exporter with Basic, and the Tempo
// API read with Basic auth as Grafana's data source sends it. Each is also
// run with a wrong credential, and what it sent must not be stored.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import jaegerClient from 'jaeger-client';
import { basic, bearer, type TestToken, testToken, writeAuthFile } from './support/auth-file.js';
import { httpCall } from './support/endpoint-probes.js';
import { sendKnownTrace } from './support/otel-sdk-trace.js';
import { makeTempDir, removeTempDir, startTestServer, type TestServer } from './support/test-server.js';

const writer = testToken(['team-a'], ['ingest']);
const reader = testToken(['team-a'], ['query']);
const stranger = testToken(['team-a'], ['ingest', 'query']);

/**
 * Wraps an exporter to keep the result of each export. The SDK is told every
 * export succeeded: a failed one would make its flush reject, and the test
 * wants the trace's ids to check that nothing of it was stored.
 */
function recording(exporter: SpanExporter): SpanExporter & { results: ExportResult[] } {
  const results: ExportResult[] = [];
  return {
    results,
    export: (spans: ReadableSpan[], done: (result: ExportResult) => void) =>
      exporter.export(spans, (result) => {
        results.push(result);
        done({ code: 0 });
      }),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}

/** Builds an exporter while OTEL_EXPORTER_OTLP_HEADERS says `headers`: the exporters read it when constructed. */
function withOtlpHeadersEnv<T>(headers: string, make: () => T): T {
  const before = process.env.OTEL_EXPORTER_OTLP_HEADERS;
  process.env.OTEL_EXPORTER_OTLP_HEADERS = headers;
  try {
    return make();
  } finally {
    if (before === undefined) delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
    else process.env.OTEL_EXPORTER_OTLP_HEADERS = before;
  }
}

describe('real clients with credentials against --auth', () => {
  let server: TestServer;
  let dir: string;
  before(async () => {
    dir = makeTempDir('ariadne-auth-clients-');
    server = await startTestServer({ storage: 'memory', authFile: writeAuthFile(dir, [writer, reader]) });
  });
  after(async () => {
    await server.dispose();
    removeTempDir(dir);
  });

  /** The number of spans the query API has for a trace, read with the reader token. */
  async function spansOf(traceId: string): Promise<number> {
    const answer = await httpCall(`${server.queryUrl}/api/traces/${traceId}`, { headers: bearer(reader) });
    if (answer.status === 404) return 0;
    assert.equal(answer.status, 200, answer.body);
    return (JSON.parse(answer.body) as { data: { spans: unknown[] }[] }).data[0]?.spans.length ?? 0;
  }

  const otlpExporters: [string, (token: TestToken) => SpanExporter][] = [
    [
      'OTLP/HTTP JSON exporter',
      (token) =>
        withOtlpHeadersEnv(
          `authorization=Bearer ${token.token}`,
          () => new OtlpJsonExporter({ url: `${server.urlOf('otlpHttp')}/v1/traces` }),
        ),
    ],
    [
      'OTLP/HTTP protobuf exporter (the space percent-encoded, as the spec writes it)',
      (token) =>
        withOtlpHeadersEnv(
          `authorization=Bearer%20${token.token}`,
          () => new OtlpProtoExporter({ url: `${server.urlOf('otlpHttp')}/v1/traces` }),
        ),
    ],
    [
      'OTLP/gRPC exporter',
      (token) =>
        withOtlpHeadersEnv(
          `authorization=Bearer ${token.token}`,
          () => new OtlpGrpcExporter({ url: server.urlOf('otlpGrpc').replace('grpc://', 'http://') }),
        ),
    ],
    [
      'OTel Zipkin exporter with Basic auth',
      (token) => new ZipkinExporter({ url: `${server.urlOf('zipkin')}/api/v2/spans`, headers: basic(token, 'zipkin') }),
    ],
  ];

  for (const [name, make] of otlpExporters) {
    test(`${name}: the right token stores the trace, a wrong one is refused and stores nothing`, async () => {
      const refused = recording(make(stranger));
      const lost = await sendKnownTrace(refused);
      assert.ok(refused.results.length > 0 && refused.results.every((r) => r.code !== 0), 'the export failed');
      assert.equal(await spansOf(lost.traceId), 0, 'nothing stored');

      const accepted = recording(make(writer));
      const sent = await sendKnownTrace(accepted);
      assert.ok(accepted.results.length > 0 && accepted.results.every((r) => r.code === 0), 'the export succeeded');
      assert.equal(await spansOf(sent.traceId), 2);
    });
  }

  test('jaeger-client over HTTP with a collector user and password', async () => {
    const send = async (password: string, serviceName: string) => {
      const errors: string[] = [];
      const tracer = jaegerClient.initTracer(
        {
          serviceName,
          sampler: { type: 'const', param: 1 },
          reporter: {
            collectorEndpoint: `${server.urlOf('jaegerHttp')}/api/traces`,
            username: 'jaeger',
            password,
            flushIntervalMs: 10,
          },
        },
        { traceId128bit: true, logger: { info() {}, error: (message: string) => errors.push(message) } },
      );
      const span = tracer.startSpan('GET /orders');
      span.finish();
      await new Promise<void>((resolve) => tracer.close(() => resolve()));
      return { traceId: span.context().toTraceId().padStart(32, '0'), errors };
    };
    const refused = await send(stranger.token, 'jaeger-refused');
    assert.match(refused.errors.join('\n'), /HTTP 401/);
    assert.equal(await spansOf(refused.traceId), 0);
    const accepted = await send(writer.token, 'jaeger-accepted');
    assert.deepEqual(accepted.errors, []);
    assert.equal(await spansOf(accepted.traceId), 1);
  });

  test("the Tempo API with Basic auth, as Grafana's data source sends it", async () => {
    const sent = await sendKnownTrace(
      withOtlpHeadersEnv(
        `authorization=Bearer ${writer.token}`,
        () => new OtlpJsonExporter({ url: `${server.urlOf('otlpHttp')}/v1/traces` }),
      ),
    );
    const tempo = server.urlOf('tempo');
    // Grafana: the user and password of the data source's Basic auth, plus the tenant header when one is set.
    const grafana = { ...basic(reader, 'grafana'), 'X-Scope-OrgID': 'team-a', Accept: 'application/json' };
    for (const path of ['/api/echo', '/api/status/buildinfo', '/api/search?q=%7B%7D&limit=20', '/api/v2/search/tags']) {
      const answer = await httpCall(`${tempo}${path}`, { headers: grafana });
      assert.equal(answer.status, 200, `${path}: ${answer.body}`);
    }
    const trace = await httpCall(`${tempo}/api/v2/traces/${sent.traceId}`, { headers: grafana });
    assert.equal(trace.status, 200);
    assert.match(trace.body, new RegExp(sent.rootSpanId, 'i'));
    const wrong = await httpCall(`${tempo}/api/v2/traces/${sent.traceId}`, {
      headers: { ...basic(stranger, 'grafana'), Accept: 'application/json' },
    });
    assert.equal(wrong.status, 401);
    assert.match(
      wrong.wwwAuthenticate.join(', '),
      /Basic realm="ariadne"/,
      'Grafana (and browsers) are told Basic works',
    );
    const writerReads = await httpCall(`${tempo}/api/echo`, { headers: basic(writer) });
    assert.equal(writerReads.status, 403, 'an ingest token cannot read');
  });
});
