import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { SUPPRESS_TRACING_KEY } from '../export/http-post.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  httpSpanName,
  normalizeMethod,
  redactUrl,
} from './http-attributes.js';
import { INSTRUMENTATION_NAME } from './server-span.js';

export interface HttpClientTracingOptions {
  /** Default: the global tracer provider, looked up per call. */
  readonly tracerProvider?: TracerProvider;
  /** Writes the outgoing headers. Default: the global propagator (W3C, Jaeger, B3: whatever `register()` configured). */
  readonly propagator?: TextMapPropagator;
  /** Only trace calls made inside a span (no root client spans from background polling, say). Default false. */
  readonly requireParentSpan?: boolean;
  /** Calls for which no span is made and nothing is injected. */
  readonly ignoreOutgoingUrl?: (url: URL) => boolean;
}

/** A client call being traced: the span and the context to inject and run the call in. */
export interface ClientCall {
  readonly span: Span;
  readonly context: Context;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/**
 * Opens a client span for a call to `url`, or returns undefined when the
 * call must not be traced: tracing suppressed (the exporters' own requests),
 * no parent when one is required, or an ignored URL.
 */
export function startClientSpan(
  rawMethod: string | undefined,
  url: URL,
  options: HttpClientTracingOptions,
): ClientCall | undefined {
  const parent = context.active();
  if (parent.getValue(SUPPRESS_TRACING_KEY) === true) return undefined;
  if (options.requireParentSpan && trace.getSpan(parent) === undefined) return undefined;
  if (options.ignoreOutgoingUrl?.(url)) return undefined;
  const { method, original } = normalizeMethod(rawMethod);
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: method,
    [ATTR_URL_FULL]: redactUrl(url),
    [ATTR_SERVER_ADDRESS]: url.hostname.replace(/^\[|\]$/g, ''),
  };
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[url.protocol];
  if (port !== undefined) attributes[ATTR_SERVER_PORT] = port;
  if (original !== undefined) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = original;
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_NAME);
  const span = tracer.startSpan(httpSpanName(method), { kind: SpanKind.CLIENT, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** The response status; for a client every 4xx and 5xx is an error (semantic conventions). */
export function recordClientStatus(span: Span, status: number): void {
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (status >= 400) {
    span.setAttribute(ATTR_ERROR_TYPE, String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
}

export function recordClientError(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  span.recordException(err);
  span.setAttribute(ATTR_ERROR_TYPE, (err as { code?: unknown }).code?.toString() ?? err.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
}
