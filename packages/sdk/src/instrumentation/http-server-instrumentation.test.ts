import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { type Span, SpanKind } from '@ariadne/protocol';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '../export/in-memory-span-exporter.js';
import { SimpleSpanProcessor } from '../processing/simple-span-processor.js';
import { W3cTraceContextPropagator } from '../propagation/w3c-trace-context-propagator.js';
import { type Registration, register } from '../register.js';
import { AlwaysOnSampler } from '../sampling/always-on-sampler.js';
import { instrumentHttpServer } from './http-server-instrumentation.js';
import { selfSignedCertificate } from './self-signed-certificate.js';
import { traceRequestListener } from './trace-request-listener.js';

const exporter = new InMemorySpanExporter();
let registration: Registration;
const PARENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';

before(() => {
  registration = register({
    serviceName: 'unit',
    sampler: new AlwaysOnSampler(),
    propagator: new W3cTraceContextPropagator(),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
});
after(() => registration.shutdown());
beforeEach(() => exporter.reset());

/** Answers with the ids of the span active in the listener. */
const reportActiveSpan: http.RequestListener = (_req, res) => {
  const active = trace.getActiveSpan()?.spanContext();
  res.end(JSON.stringify({ traceId: active?.traceId, spanId: active?.spanId }));
};

async function listen(server: http.Server | https.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const scheme = server instanceof https.Server ? 'https' : 'http';
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}/path`;
}

async function call(url: string): Promise<{ traceId?: string; spanId?: string }> {
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const get = url.startsWith('https') ? https.get : http.get;
    get(
      url,
      { headers: { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-01` }, rejectUnauthorized: false },
      resolve,
    ).on('error', reject);
  });
  let body = '';
  for await (const chunk of response) body += chunk;
  return JSON.parse(body);
}

/** Server spans end on the response's `finish`, which the client may see after its own `end`. */
async function serverSpans(count: number): Promise<Span[]> {
  for (let i = 0; i < 500; i++) {
    const found = exporter.spans.filter((s) => s.kind === SpanKind.Server);
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`expected ${count} server spans, got ${exporter.spans.length} spans`);
}

const close = (server: http.Server | https.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

test('unwrapped servers get server spans: createServer, a listener added later, https; the listener runs in the span', async () => {
  const uninstall = instrumentHttpServer();
  const tls = selfSignedCertificate();
  const servers: (http.Server | https.Server)[] = [http.createServer(reportActiveSpan)];
  const later = new http.Server();
  later.on('request', reportActiveSpan);
  servers.push(later);
  if (tls !== undefined) servers.push(https.createServer(tls, reportActiveSpan));
  try {
    for (const server of servers) {
      exporter.reset();
      const active = await call(await listen(server));
      const [span, ...more] = await serverSpans(1);
      assert.ok(span);
      assert.equal(more.length, 0);
      assert.equal(span.traceId, PARENT_TRACE);
      assert.equal(span.parentSpanId, PARENT_SPAN);
      assert.deepEqual(active, { traceId: span.traceId, spanId: span.spanId });
      assert.equal(span.name, 'GET');
    }
  } finally {
    uninstall();
    await Promise.all(servers.map(close));
  }
});

test('a listener also wrapped by traceRequestListener still makes one span per request', async () => {
  const uninstall = instrumentHttpServer();
  const server = http.createServer(traceRequestListener(reportActiveSpan));
  try {
    const active = await call(await listen(server));
    const spans = await serverSpans(1);
    // A second span would have ended on the same `finish` event, before the first reached the exporter.
    assert.equal(exporter.spans.length, 1, 'one span');
    assert.equal(active.spanId, spans[0]?.spanId);
  } finally {
    uninstall();
    await close(server);
  }
});

test('uninstalling puts EventEmitter.emit back: no spans afterwards', async () => {
  instrumentHttpServer()();
  assert.equal(Object.hasOwn(http.Server.prototype, 'emit'), false);
  assert.equal(http.Server.prototype.emit, EventEmitter.prototype.emit);
  assert.equal(https.Server.prototype.emit, EventEmitter.prototype.emit);
  const server = http.createServer(reportActiveSpan);
  try {
    const active = await call(await listen(server));
    assert.deepEqual(active, {});
    assert.equal(exporter.spans.length, 0);
  } finally {
    await close(server);
  }
});
