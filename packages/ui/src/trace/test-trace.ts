import type { JaegerKeyValue, JaegerReference, JaegerSpan, JaegerTrace } from '@ariadne/protocol';

/** Test fixtures: a span described by what a test cares about, the rest filled in. */
export interface SpanSpec {
  id: string;
  parent?: string;
  start?: number;
  duration?: number;
  service?: string;
  name?: string;
  tags?: JaegerKeyValue[];
  references?: JaegerReference[];
}

export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const BASE_TIME = 1_700_000_000_000_000;

export function testTrace(specs: readonly SpanSpec[], traceId = TRACE_ID): JaegerTrace {
  const services = [...new Set(specs.map((s) => s.service ?? 'frontend'))];
  const processes = Object.fromEntries(services.map((name, i) => [`p${i + 1}`, { serviceName: name, tags: [] }]));
  const spans = specs.map(
    (spec): JaegerSpan => ({
      traceID: traceId,
      spanID: spec.id,
      ...(spec.parent === undefined ? {} : { parentSpanID: spec.parent }),
      flags: 1,
      operationName: spec.name ?? `op ${spec.id}`,
      references: spec.references ?? [],
      startTime: BASE_TIME + (spec.start ?? 0),
      duration: spec.duration ?? 10,
      tags: spec.tags ?? [],
      logs: [],
      processID: `p${services.indexOf(spec.service ?? 'frontend') + 1}`,
      warnings: null,
    }),
  );
  return { traceID: traceId, spans, processes, warnings: null };
}
