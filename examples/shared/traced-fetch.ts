import { recordClientError, recordClientStatus, startClientSpan } from '@ariadne/sdk';
import { type Attributes, context, defaultTextMapSetter } from '@opentelemetry/api';
import type { Telemetry } from './telemetry.js';
import { traceHeaderAttributes } from './trace-headers.js';

export interface FetchResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export interface TracedFetchOptions {
  readonly method?: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Default `<METHOD> <path>`. */
  readonly spanName?: string;
  readonly attributes?: Attributes;
}

/**
 * An outgoing call as the SDK's CLIENT span (`startClientSpan`: semantic-
 * convention attributes, 4xx/5xx and network errors recorded), made with this
 * service's own tracer provider and propagator. The SDK's `instrumentHttp`
 * patches the global `fetch` for one global provider, but several demo
 * services share a process (the tests run them in one), each with its own
 * provider and propagation format; hence this small per-service wrapper.
 * The demos also name their client spans (`GET /reviews/r-1`, `forward to
 * uservice1` rather than the conventions' bare `GET`) and record the trace
 * headers they sent, so the trace shows what crossed.
 */
export async function tracedFetch(
  telemetry: Telemetry,
  url: string,
  options: TracedFetchOptions = {},
): Promise<FetchResult> {
  const method = options.method ?? 'GET';
  const target = new URL(url);
  const headers: Record<string, string> = { ...options.headers };
  const init = { method, headers, ...(options.body === undefined ? {} : { body: options.body }) };
  const call = startClientSpan(method, target, { tracerProvider: telemetry.provider });
  if (call === undefined) {
    const response = await fetch(url, init);
    return { status: response.status, headers: response.headers, text: await response.text() };
  }
  const { span } = call;
  span.updateName(options.spanName ?? `${method} ${target.pathname}`);
  if (options.attributes !== undefined) span.setAttributes(options.attributes);
  telemetry.propagator.inject(call.context, headers, defaultTextMapSetter);
  span.setAttributes(traceHeaderAttributes(headers));
  try {
    // The span covers reading the body too: the demos' callers want the whole answer.
    const response = await context.with(call.context, () => fetch(url, init));
    const text = await response.text();
    recordClientStatus(span, response.status);
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    recordClientError(span, error);
    throw error;
  } finally {
    span.end();
  }
}
