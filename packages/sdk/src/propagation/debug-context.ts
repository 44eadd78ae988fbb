import { type Context, createContextKey } from '@opentelemetry/api';

/**
 * Jaeger's `jaeger-debug-id` header: a request carrying it (and no trace)
 * starts a sampled trace whose root span is tagged with the id, whatever the
 * sampler says. The propagator puts the id into the context; the tracer reads
 * it when it starts a root span.
 */
export const JAEGER_DEBUG_ID_KEY = createContextKey('ariadne.jaeger-debug-id');

/** B3's and Jaeger's debug flag on an extracted parent: forces sampling, propagated onwards. */
export const DEBUG_FLAG_KEY = createContextKey('ariadne.debug-flag');

export function getJaegerDebugId(context: Context): string | undefined {
  const value = context.getValue(JAEGER_DEBUG_ID_KEY);
  return typeof value === 'string' ? value : undefined;
}

export function isDebug(context: Context): boolean {
  return context.getValue(DEBUG_FLAG_KEY) === true;
}
