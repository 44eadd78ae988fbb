import { type Attributes, type Link, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface SentTrace {
  readonly traceId: string;
  readonly rootSpanId: string;
  readonly childSpanId: string;
  readonly linkedTraceId: string;
  readonly linkedSpanId: string;
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

/**
 * Sends one known trace through the real OpenTelemetry JS SDK and the given
 * exporter: a server root span with typed attributes and an event, and an
 * erroring client child span with a link to another (unsent) span.
 */
export async function sendKnownTrace(exporter: SpanExporter): Promise<SentTrace> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(RESOURCE_ATTRIBUTES),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('ariadne-tests', '0.0.1');
  const linkedTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const linkedSpanId = '00f067aa0ba902b7';
  const root = tracer.startSpan('POST /checkout', { kind: SpanKind.SERVER, attributes: ROOT_ATTRIBUTES });
  root.addEvent('cart loaded', { 'cart.items': 3, 'cart.currency': 'EUR' });
  const rootContext = root.spanContext();
  const { trace, context } = await import('@opentelemetry/api');
  const parent = trace.setSpan(context.active(), root);
  const link: Link = {
    context: { traceId: linkedTraceId, spanId: linkedSpanId, traceFlags: 1 },
    attributes: { 'link.reason': 'batch' },
  };
  const child = tracer.startSpan('charge card', { kind: SpanKind.CLIENT, links: [link] }, parent);
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  child.end();
  root.setStatus({ code: SpanStatusCode.OK });
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return {
    traceId: rootContext.traceId,
    rootSpanId: rootContext.spanId,
    childSpanId: child.spanContext().spanId,
    linkedTraceId,
    linkedSpanId,
  };
}
