import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsoleSpanExporter } from './console-span-exporter.js';
import { exportersFromEnv } from './exporters-from-env.js';
import { JaegerAgentExporter } from './jaeger-agent-exporter.js';
import { JaegerHttpExporter } from './jaeger-http-exporter.js';
import { OtlpGrpcExporter } from './otlp-grpc-exporter.js';
import { OtlpHttpExporter } from './otlp-http-exporter.js';
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
