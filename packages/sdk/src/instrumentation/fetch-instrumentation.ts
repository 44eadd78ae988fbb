import { propagation } from '@opentelemetry/api';
import {
  type HttpClientTracingOptions,
  recordClientError,
  recordClientStatus,
  startClientSpan,
} from './client-span.js';

const headersSetter = {
  set: (carrier: Headers, key: string, value: string) => carrier.set(key, value),
};

/**
 * Replaces the global `fetch` with one that opens a client span per call
 * and injects the propagator's headers. The span ends when the response
 * head arrives: the body is the caller's stream and may never be read.
 * Returns the function that puts the original back.
 */
export function instrumentFetch(options: HttpClientTracingOptions = {}): () => void {
  const original = globalThis.fetch;
  if (typeof original !== 'function') return () => {};
  const propagator = options.propagator ?? propagation;
  const traced = async function fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    let request: Request | undefined;
    let url: URL;
    try {
      if (input instanceof Request) request = new Request(input, init);
      url = new URL(request?.url ?? String(input));
    } catch {
      // Let fetch itself reject the malformed call, exactly as without instrumentation.
      return original(input, init);
    }
    const call = startClientSpan(request?.method ?? init?.method, url, options);
    if (call === undefined) return original(input, init);
    let response: Response;
    try {
      if (request !== undefined) {
        propagator.inject(call.context, request.headers, headersSetter);
        response = await original(request);
      } else {
        const headers = new Headers(init?.headers);
        propagator.inject(call.context, headers, headersSetter);
        response = await original(input, { ...init, headers });
      }
    } catch (error) {
      recordClientError(call.span, error);
      call.span.end();
      throw error;
    }
    recordClientStatus(call.span, response.status);
    call.span.end();
    return response;
  };
  globalThis.fetch = traced as typeof globalThis.fetch;
  return () => {
    // Someone may have wrapped our fetch since: then leave theirs (and ours under it) in place.
    if (globalThis.fetch === traced) globalThis.fetch = original;
  };
}
