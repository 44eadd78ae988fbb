// Log correlation: pino lines (through the `traceLogMixin` mixin) and
// console lines (through `correlatedConsole`) written inside a span carry
// its trace_id, span_id and trace_flags; lines outside a span carry none.
// Inside an instrumented HTTP handler the ids are those of the server span
// the `traceresponse` header names.
import assert from 'node:assert/strict';
import { Console } from 'node:console';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  AriadneTracerProvider,
  correlatedConsole,
  InMemorySpanExporter,
  type Registration,
  register,
  SimpleSpanProcessor,
  traceLogFields,
  traceLogMixin,
  traceRequestListener,
  W3cTraceContextPropagator,
} from '@ariadne/sdk';
import { context, trace } from '@opentelemetry/api';
import { pino } from 'pino';

/** A stream keeping every chunk written to it, as text. */
function capture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

let registration: Registration;
const exporter = new InMemorySpanExporter();
before(() => {
  registration = register({
    serviceName: 'logs',
    sampler: new AlwaysOnSampler(),
    propagator: new W3cTraceContextPropagator(),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
});
after(() => registration.shutdown());

test('pino: lines inside a span carry its ids, lines outside carry none', () => {
  const out = capture();
  // pino writes synchronously to a plain stream given as destination.
  const logger = pino({ mixin: traceLogMixin }, out.stream);
  logger.info('before');
  const span = trace.getTracer('t').startSpan('work');
  context.with(trace.setSpan(context.active(), span), () => {
    logger.info({ order: 7 }, 'inside');
    logger.child({ module: 'db' }).warn('child logger too');
  });
  span.end();
  logger.info('after');
  const [outside, inside, child, afterwards] = out.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
  const { traceId, spanId } = span.spanContext();
  assert.equal(outside?.trace_id, undefined);
  assert.deepEqual(
    [inside?.trace_id, inside?.span_id, inside?.trace_flags, inside?.order, inside?.msg],
    [traceId, spanId, '01', 7, 'inside'],
  );
  assert.deepEqual([child?.trace_id, child?.span_id, child?.module], [traceId, spanId, 'db']);
  assert.equal(afterwards?.span_id, undefined);
});

test('pino: an unsampled span still correlates, with trace_flags 00', () => {
  const provider = new AriadneTracerProvider({ sampler: new AlwaysOffSampler() });
  const out = capture();
  const logger = pino({ mixin: traceLogMixin }, out.stream);
  const span = provider.getTracer('t').startSpan('dropped');
  context.with(trace.setSpan(context.active(), span), () => logger.info('x'));
  const [line] = out.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(line?.trace_id, span.spanContext().traceId);
  assert.equal(line?.trace_flags, '00');
});

test('console: correlatedConsole prefixes the ids, keeps format strings working', () => {
  const out = capture();
  const log = correlatedConsole(new Console({ stdout: out.stream, stderr: out.stream }));
  log.info('outside %d', 1);
  const span = trace.getTracer('t').startSpan('work');
  context.with(trace.setSpan(context.active(), span), () => {
    log.info('charged %d cents', 42);
    log.error({ code: 'E1' });
  });
  span.end();
  const { traceId, spanId } = span.spanContext();
  assert.deepEqual(out.lines(), [
    'outside 1',
    `trace_id=${traceId} span_id=${spanId} trace_flags=01 charged 42 cents`,
    `trace_id=${traceId} span_id=${spanId} trace_flags=01 { code: 'E1' }`,
  ]);
  assert.equal(traceLogFields(), undefined, 'no span, no fields');
});

test('inside an instrumented HTTP handler the lines carry the server span the traceresponse names', async () => {
  const out = capture();
  const logger = pino({ mixin: traceLogMixin }, out.stream);
  const server = createServer(
    traceRequestListener((req, res) => {
      req.resume();
      req.on('end', () => {
        logger.info('handled');
        res.end('ok');
      });
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`, {
      method: 'POST',
      body: 'payload',
    });
    await response.text();
    const [, traceId, spanId] =
      /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(response.headers.get('traceresponse') ?? '') ?? [];
    const [line] = out.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual([line?.msg, line?.trace_id, line?.span_id], ['handled', traceId, spanId]);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
