import { type Attributes, type HrTime, type Link, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { getJson } from './test-server.js';

/** A span's start and end, in nanoseconds since the epoch. */
export interface SpanTimes {
  readonly startNanos: bigint;
  readonly endNanos: bigint;
}

export interface SentTrace {
  readonly traceId: string;
  readonly rootSpanId: string;
  readonly childSpanId: string;
  readonly linkedTraceId: string;
  readonly linkedSpanId: string;
  /** The times the client set, by span id. */
  readonly times: Readonly<Record<string, SpanTimes>>;
  /** The root's event time, in nanoseconds since the epoch. */
  readonly eventNanos: bigint;
}

export const SERVICE_NAME = 'checkout';

export const RESOURCE_ATTRIBUTES: Attributes = {
  'service.name': SERVICE_NAME,
  'service.version': '1.4.2',
  'deployment.environment': 'test',
  'host.cpu.count': 2,
};

export const ROOT_ATTRIBUTES: Attributes = {
  'http.request.method': 'POST',
  'http.response.status_code': 200,
  'app.big_count': 9_007_199_254_740_991,
  'app.ratio': 0.25,
  'app.cached': true,
  'app.tags': ['a', 'b'],
  'app.unicode': 'Ariadne · 测试 · ✓',
};

const nanosOf = ([seconds, nanos]: HrTime) => BigInt(seconds) * 1_000_000_000n + BigInt(nanos);

/** Microseconds, truncated: what Jaeger's API shows of a span's start and duration. */
export function microTimes(times: SpanTimes | undefined): { startTime: number; duration: number } {
  if (times === undefined) throw new Error('no times were sent for this span');
  return {
    startTime: Number(times.startNanos / 1000n),
    duration: Number((times.endNanos - times.startNanos) / 1000n),
  };
}

/**
 * Sends one known trace through the real OpenTelemetry JS SDK and the given
 * exporter: a server root span with typed attributes and an event, and an
 * erroring client child span with a link to another (unsent) span.
 * Start, end and event times are set explicitly, a second or two ago (so that
 * searches over the last hour find them), with nanoseconds a microsecond
 * clock would lose; their fractions of a microsecond stay under one half, so
 * exporters that round to microseconds (Zipkin's) and servers that truncate agree.
 */
export async function sendKnownTrace(exporter: SpanExporter): Promise<SentTrace> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(RESOURCE_ATTRIBUTES),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('ariadne-tests', '0.0.1');
  const linkedTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const linkedSpanId = '00f067aa0ba902b7';
  const second = Math.floor(Date.now() / 1000) - 2;
  const rootStart: HrTime = [second, 123_456_189];
  const rootEnd: HrTime = [second + 1, 5_000_321];
  const childStart: HrTime = [second, 250_000_017];
  const childEnd: HrTime = [second, 750_000_400];
  const eventTime: HrTime = [second, 400_000_001];
  const root = tracer.startSpan('POST /checkout', {
    kind: SpanKind.SERVER,
    attributes: ROOT_ATTRIBUTES,
    startTime: rootStart,
  });
  root.addEvent('cart loaded', { 'cart.items': 3, 'cart.currency': 'EUR' }, eventTime);
  const rootContext = root.spanContext();
  const { trace, context } = await import('@opentelemetry/api');
  const parent = trace.setSpan(context.active(), root);
  const link: Link = {
    context: { traceId: linkedTraceId, spanId: linkedSpanId, traceFlags: 1 },
    attributes: { 'link.reason': 'batch' },
  };
  const child = tracer.startSpan(
    'charge card',
    { kind: SpanKind.CLIENT, links: [link], startTime: childStart },
    parent,
  );
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  child.end(childEnd);
  root.setStatus({ code: SpanStatusCode.OK });
  root.end(rootEnd);
  await provider.forceFlush();
  await provider.shutdown();
  const childSpanId = child.spanContext().spanId;
  return {
    traceId: rootContext.traceId,
    rootSpanId: rootContext.spanId,
    childSpanId,
    linkedTraceId,
    linkedSpanId,
    times: {
      [rootContext.spanId]: { startNanos: nanosOf(rootStart), endNanos: nanosOf(rootEnd) },
      [childSpanId]: { startNanos: nanosOf(childStart), endNanos: nanosOf(childEnd) },
    },
    eventNanos: nanosOf(eventTime),
  };
}

/** Each span's start and end as the server gives them back in nanoseconds: the Jaeger API v3's OTLP JSON. */
export async function readSpanTimes(queryUrl: string, traceId: string): Promise<Record<string, SpanTimes>> {
  type V3Span = { spanId: string; startTimeUnixNano: string; endTimeUnixNano: string };
  const body = await getJson<{ result: { resourceSpans: { scopeSpans: { spans: V3Span[] }[] }[] } }>(
    `${queryUrl}/api/v3/traces/${traceId}`,
  );
  const spans = body.result.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  return Object.fromEntries(
    spans.map((s) => [s.spanId, { startNanos: BigInt(s.startTimeUnixNano), endNanos: BigInt(s.endTimeUnixNano) }]),
  );
}
