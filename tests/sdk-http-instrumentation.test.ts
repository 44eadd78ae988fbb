// Acceptance (SDK): OpenTelemetry's own HTTP instrumentation, registered
// against an Ariadne tracer provider, produces server and client spans that
// reach a real Ariadne server through the SDK's OTLP/HTTP exporter.
import assert from 'node:assert/strict';
import type * as Http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { JaegerEnvelope, JaegerTrace } from '@ariadne/protocol';
import { AlwaysOnSampler, OtlpHttpExporter, type Registration, register } from '@ariadne/sdk';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { getJson, startTestServer, type TestServer } from './support/test-server.js';

let ariadne: TestServer;
let registration: Registration;
let unregister: () => void;

before(async () => {
  ariadne = await startTestServer({ storage: 'memory' });
  registration = register({
    serviceName: 'instrumented-http',
    sampler: new AlwaysOnSampler(),
    exporter: new OtlpHttpExporter({ url: `${ariadne.otlpHttpUrl}/v1/traces`, env: {} }),
    batch: { scheduleDelayMillis: 60_000, env: {} },
  });
  unregister = registerInstrumentations({
    tracerProvider: registration.provider,
    instrumentations: [
      new HttpInstrumentation({
        // The Ariadne server shares this process (and its patched `http`); tracing its ingest would
        // feed every export back into the queue. In production they are separate processes.
        ignoreIncomingRequestHook: (req) => !req.url?.startsWith('/ping'),
      }),
    ],
  });
});

after(async () => {
  unregister();
  await registration.shutdown();
  await ariadne.dispose();
});

test('server and client spans from @opentelemetry/instrumentation-http land in Ariadne as one trace', async () => {
  // The instrumentation patches `http` when it is required after registration (require-in-the-middle).
  const http = createRequire(import.meta.url)('node:http') as typeof Http;
  const server = http.createServer((_req, res) => res.end('pong'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    const traceparent = await new Promise<string>((resolve, reject) => {
      const req = http
        .get(`http://127.0.0.1:${port}/ping?x=1`, (res) => {
          res.resume();
          res.on('end', () => resolve(String(req.getHeader('traceparent'))));
        })
        .on('error', reject);
    });
    const traceId = traceparent.split('-')[1] as string;
    assert.match(traceId, /^[0-9a-f]{32}$/, `the client injected a traceparent (${traceparent})`);
    await registration.provider.forceFlush();

    const body = await getJson<JaegerEnvelope<JaegerTrace[]>>(`${ariadne.queryUrl}/api/traces/${traceId}`);
    const spans = body.data[0]?.spans ?? [];
    const kindOf = (s: (typeof spans)[number]) => s.tags.find((t) => t.key === 'span.kind')?.value;
    const client = spans.find((s) => kindOf(s) === 'client');
    const serverSpan = spans.find((s) => kindOf(s) === 'server');
    assert.ok(client && serverSpan, `client and server spans: ${JSON.stringify(spans.map((s) => s.operationName))}`);
    assert.deepEqual(
      serverSpan.references.map((r) => r.spanID),
      [client.spanID],
    );
    assert.equal(body.data[0]?.processes[serverSpan.processID]?.serviceName, 'instrumented-http');
    assert.ok(
      serverSpan.tags.some((t) => String(t.value) === '200'),
      'the response status is recorded',
    );
    // The exporter's own requests are not traced (suppressTracing): only the two spans of the call.
    assert.equal(spans.length, 2);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
