import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeOtlpTraceRequestJson, decodeOtlpTraceRequestProto } from '@ariadne/protocol';
import { ConsoleSpanExporter } from './console-span-exporter.js';
import { exportersFromEnv } from './exporters-from-env.js';
import { JaegerAgentExporter } from './jaeger-agent-exporter.js';
import { JaegerHttpExporter } from './jaeger-http-exporter.js';
import { OtlpGrpcExporter } from './otlp-grpc-exporter.js';
import { OtlpHttpExporter } from './otlp-http-exporter.js';
import { testGrpcEndpoint } from './test-grpc-endpoint.js';
import { testHttpEndpoint } from './test-http-endpoint.js';
import { someSpans } from './test-spans.js';
import { ZipkinExporter } from './zipkin-exporter.js';

const kinds = (env: Record<string, string>) =>
  exportersFromEnv(env).map(({ name, exporter }) => [name, exporter.constructor.name]);

test('OTEL_TRACES_EXPORTER picks exporters; OTLP protocol and Jaeger transport from their variables', async () => {
  assert.deepEqual(kinds({}), [['otlp', OtlpHttpExporter.name]]);
  assert.deepEqual(kinds({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }), [
    ['otlp', OtlpGrpcExporter.name],
  ]);
  const json = exportersFromEnv({
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
  });
  const otlp = json[0]?.exporter;
  assert.ok(otlp instanceof OtlpHttpExporter);
  assert.equal(otlp.url, 'http://c:4318/v1/traces');
  assert.deepEqual(kinds({ OTEL_TRACES_EXPORTER: 'zipkin, console,none' }), [
    ['zipkin', ZipkinExporter.name],
    ['console', ConsoleSpanExporter.name],
  ]);
  assert.deepEqual(kinds({ OTEL_TRACES_EXPORTER: 'jaeger' }), [['jaeger', JaegerAgentExporter.name]]);
  assert.deepEqual(
    kinds({ OTEL_TRACES_EXPORTER: 'jaeger', OTEL_EXPORTER_JAEGER_ENDPOINT: 'http://j:14268/api/traces' }),
    [['jaeger', JaegerHttpExporter.name]],
  );
  assert.deepEqual(kinds({ OTEL_TRACES_EXPORTER: 'bogus' }), []);
  for (const { exporter } of exportersFromEnv({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })) {
    await exporter.shutdown();
  }
});

test("the demo's TRACES_EXPORTER spelling", () => {
  const [jaeger] = exportersFromEnv({
    TRACES_EXPORTER: 'jaeger',
    TRACES_EXPORTER_JAEGER_AGENT_HOST: 'localhost',
    TRACES_EXPORTER_JAEGER_AGENT_PORT: '6831',
  });
  assert.ok(jaeger?.exporter instanceof JaegerAgentExporter);
  assert.deepEqual([jaeger.exporter.host, jaeger.exporter.port], ['localhost', 6831]);
});

test('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, over the general one, picks the exporter and what the endpoint receives', async () => {
  const http = await testHttpEndpoint([{ status: 200 }]);
  const grpc = await testGrpcEndpoint();
  const spans = await someSpans();
  const sendWith = async (env: Record<string, string>) => {
    const [otlp, ...others] = exportersFromEnv(env);
    assert.equal(others.length, 0);
    assert.ok(otlp);
    try {
      assert.deepEqual(await otlp.exporter.export(spans), { code: 'success' });
    } finally {
      await otlp.exporter.shutdown();
    }
    return otlp.exporter;
  };
  try {
    const viaHttp = { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: http.base };
    assert.ok(
      (await sendWith({ ...viaHttp, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })) instanceof OtlpHttpExporter,
    );
    assert.ok(
      (await sendWith({ ...viaHttp, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' })) instanceof OtlpHttpExporter,
    );
    const [protobuf, json] = http.received;
    assert.equal(protobuf?.headers['content-type'], 'application/x-protobuf');
    assert.equal(decodeOtlpTraceRequestProto(protobuf?.body as Buffer).spans.length, spans.length);
    assert.equal(json?.headers['content-type'], 'application/json');
    assert.equal(decodeOtlpTraceRequestJson(json?.body as Buffer).spans.length, spans.length);

    const viaGrpc = { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: grpc.url };
    assert.ok((await sendWith({ ...viaGrpc, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' })) instanceof OtlpGrpcExporter);
    const [call] = grpc.received;
    assert.equal(call?.headers[':path'], '/opentelemetry.proto.collector.trace.v1.TraceService/Export');
    assert.equal(call?.headers['content-type'], 'application/grpc');
    assert.equal(decodeOtlpTraceRequestProto(call?.message as Buffer).spans.length, spans.length);
  } finally {
    await http.close();
    await grpc.close();
  }
});

test('TRACES_EXPORTER otlp, console and none; OTEL_TRACES_EXPORTER wins over it', async () => {
  const endpoint = await testHttpEndpoint([{ status: 200 }]);
  const [otlp, ...others] = exportersFromEnv({ TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint.base });
  try {
    assert.equal(others.length, 0);
    assert.ok(otlp?.exporter instanceof OtlpHttpExporter);
    assert.deepEqual(await otlp.exporter.export(await someSpans()), { code: 'success' });
    assert.equal(endpoint.received[0]?.url, '/v1/traces');
  } finally {
    await otlp?.exporter.shutdown();
    await endpoint.close();
  }
  assert.deepEqual(kinds({ TRACES_EXPORTER: 'console' }), [['console', ConsoleSpanExporter.name]]);
  assert.deepEqual(kinds({ TRACES_EXPORTER: 'none' }), []);
  assert.deepEqual(kinds({ TRACES_EXPORTER: 'none', OTEL_TRACES_EXPORTER: 'console' }), [
    ['console', ConsoleSpanExporter.name],
  ]);
});
