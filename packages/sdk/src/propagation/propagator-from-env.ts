import { diag, type TextMapPropagator } from '@opentelemetry/api';
import { type Env, listFromEnv } from '../trace/env.js';
import { B3Propagator } from './b3-propagator.js';
import { CompositePropagator } from './composite-propagator.js';
import { JaegerPropagator } from './jaeger-propagator.js';
import { W3cBaggagePropagator } from './w3c-baggage-propagator.js';
import { W3cTraceContextPropagator } from './w3c-trace-context-propagator.js';

export type PropagatorName = 'tracecontext' | 'baggage' | 'b3' | 'b3multi' | 'jaeger' | 'none';

const FACTORIES: Readonly<Record<Exclude<PropagatorName, 'none'>, () => TextMapPropagator>> = {
  tracecontext: () => new W3cTraceContextPropagator(),
  baggage: () => new W3cBaggagePropagator(),
  b3: () => new B3Propagator({ injectEncoding: 'single' }),
  b3multi: () => new B3Propagator({ injectEncoding: 'multi' }),
  jaeger: () => new JaegerPropagator(),
};

/** The named propagators as one composite, in the given order; unknown names are reported and skipped. */
export function propagatorFromNames(names: readonly string[]): TextMapPropagator {
  const unique = [...new Set(names.map((n) => n.trim().toLowerCase()))];
  if (unique.includes('none')) return new CompositePropagator([]);
  const propagators: TextMapPropagator[] = [];
  for (const name of unique) {
    const factory = FACTORIES[name as keyof typeof FACTORIES];
    if (factory === undefined) diag.warn(`unknown propagator "${name}" ignored`);
    else propagators.push(factory());
  }
  return new CompositePropagator(propagators);
}

/** OTEL_PROPAGATORS (default `tracecontext,baggage`, as in OpenTelemetry). */
export function propagatorFromEnv(env: Env = process.env): TextMapPropagator {
  return propagatorFromNames(listFromEnv(env, 'OTEL_PROPAGATORS') ?? ['tracecontext', 'baggage']);
}
