// Acceptance (SDK): two services instrumented with @ariadne/sdk call each
// other over real HTTP once per propagation format, export through OTLP/HTTP
// to a real Ariadne server, and the server shows one trace each time with the
// right parent links. A `jaeger-debug-id` request to a service that samples
// nothing still produces a trace tagged with the id.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { JaegerEnvelope, JaegerTrace } from '@ariadne/protocol';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  AriadneTracerProvider,
  B3Propagator,
  JaegerPropagator,
  OtlpHttpExporter,
  ParentBasedSampler,
  resourceFromAttributes,
  SimpleSpanProcessor,
  W3cTraceContextPropagator,
} from '@ariadne/sdk';
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Sampler,
  SpanKind,
  type TextMapPropagator,
  trace,
} from '@opentelemetry/api';
import { getJson, startTestServer, type TestServer } from './support/test-server.js';

interface Service {
  readonly url: string;
  readonly provider: AriadneTracerProvider;
  close(): Promise<void>;
}

/**
 * A service instrumented by hand with the SDK's own parts (no globals, so
 * two services live in one process): the propagator extracts the caller's
 * context, a server span covers the request, and when `downstream` is given
 * a client span covers the call, its context injected into the request.
 * The response carries the server span's trace id so the test can find it.
 */
async function startService(options: {
  name: string;
  otlpUrl: string;
  propagator: TextMapPropagator;
  sampler: Sampler;
  downstream?: string;
}): Promise<Service> {
  const provider = new AriadneTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.name }),
    sampler: options.sampler,
    spanProcessors: [new SimpleSpanProcessor(new OtlpHttpExporter({ url: options.otlpUrl, env: {} }))],
  });
  const tracer = provider.getTracer('sdk-propagation-test');
  const server: Server = createServer(async (req, res) => {
    const parent = options.propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const span = tracer.startSpan(`GET ${req.url}`, { kind: SpanKind.SERVER }, parent);
    const context = trace.setSpan(parent, span);
    try {
      if (options.downstream !== undefined) {
        const client = tracer.startSpan('GET downstream', { kind: SpanKind.CLIENT }, context);
        const headers: Record<string, string> = {};
        options.propagator.inject(trace.setSpan(context, client), headers, defaultTextMapSetter);
        await get(options.downstream, headers);
        client.end();
      }
      res.writeHead(200, { 'x-trace-id': span.spanContext().traceId }).end('ok');
    } finally {
      span.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    provider,
    close: async () => {
      await provider.shutdown();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function get(url: string, headers: Record<string, string> = {}): Promise<IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers));
    })
      .on('error', reject)
      .end();
  });
}

const formats: Record<string, () => TextMapPropagator> = {
  tracecontext: () => new W3cTraceContextPropagator(),
  'b3 single': () => new B3Propagator({ injectEncoding: 'single' }),
  'b3 multi': () => new B3Propagator({ injectEncoding: 'multi' }),
  jaeger: () => new JaegerPropagator(),
};

describe('@ariadne/sdk across two services', () => {
  let ariadne: TestServer;
  before(async () => {
    ariadne = await startTestServer({ storage: 'memory' });
  });
  after(() => ariadne.dispose());

  for (const [format, makePropagator] of Object.entries(formats)) {
    test(`${format}: one trace, frontend server -> frontend client -> backend server`, async () => {
      const otlpUrl = `${ariadne.otlpHttpUrl}/v1/traces`;
      const suffix = format.replace(' ', '-');
      const backend = await startService({
        name: `backend-${suffix}`,
        otlpUrl,
        propagator: makePropagator(),
        // Samples only what the caller sampled: proof that the "sampled" flag crossed the wire too.
        sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }),
      });
      const frontend = await startService({
        name: `frontend-${suffix}`,
        otlpUrl,
        propagator: makePropagator(),
        sampler: new AlwaysOnSampler(),
        downstream: `${backend.url}/inventory`,
      });
      try {
        const headers = await get(`${frontend.url}/checkout`);
        const traceId = String(headers['x-trace-id']);
        await frontend.provider.forceFlush();
        await backend.provider.forceFlush();
        const body = await getJson<JaegerEnvelope<JaegerTrace[]>>(`${ariadne.queryUrl}/api/traces/${traceId}`);
        assert.equal(body.data.length, 1);
        const spans = body.data[0]?.spans ?? [];
        const processes = body.data[0]?.processes ?? {};
        const byName = new Map(spans.map((s) => [s.operationName, s]));
        const root = byName.get('GET /checkout');
        const client = byName.get('GET downstream');
        const server = byName.get('GET /inventory');
        assert.ok(root && client && server, `three spans: ${spans.map((s) => s.operationName)}`);
        assert.equal(spans.length, 3);
        assert.deepEqual(root.references, []);
        assert.deepEqual(
          client.references.map((r) => [r.refType, r.spanID]),
          [['CHILD_OF', root.spanID]],
        );
        assert.deepEqual(
          server.references.map((r) => [r.refType, r.spanID]),
          [['CHILD_OF', client.spanID]],
        );
        assert.equal(processes[root.processID]?.serviceName, `frontend-${suffix}`);
        assert.equal(processes[server.processID]?.serviceName, `backend-${suffix}`);
      } finally {
        await frontend.close();
        await backend.close();
      }
    });
  }

  test('jaeger-debug-id: a service that samples nothing still records a trace tagged with the id', async () => {
    const service = await startService({
      name: 'debug-backend',
      otlpUrl: `${ariadne.otlpHttpUrl}/v1/traces`,
      propagator: new JaegerPropagator(),
      sampler: new AlwaysOffSampler(),
    });
    try {
      const headers = await get(`${service.url}/debug`, { 'jaeger-debug-id': 'ticket-4711' });
      await service.provider.forceFlush();
      const traceId = String(headers['x-trace-id']);
      const body = await getJson<JaegerEnvelope<JaegerTrace[]>>(`${ariadne.queryUrl}/api/traces/${traceId}`);
      const [span] = body.data[0]?.spans ?? [];
      assert.ok(span, 'the debug request was traced');
      assert.deepEqual(
        span.tags.find((t) => t.key === 'jaeger-debug-id'),
        { key: 'jaeger-debug-id', type: 'string', value: 'ticket-4711' },
      );
      // And without the header nothing is recorded.
      const plain = await get(`${service.url}/debug`);
      await service.provider.forceFlush();
      await getJson(`${ariadne.queryUrl}/api/traces/${String(plain['x-trace-id'])}`, 404);
    } finally {
      await service.close();
    }
  });
});
