import { type Attributes, type Span, SpanKind, StatusCode, stringValue } from '@ariadne/protocol';
import { testSpan } from '../query/test-spans.js';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export interface TraceSpec {
  readonly n: number;
  readonly startNanos: bigint;
  /** Of the child span; the root lasts 1 ms longer. */
  readonly durationNanos?: bigint;
  readonly operation?: string;
  readonly error?: boolean;
  readonly attributes?: Attributes;
}

/** A trace of two spans (frontend → checkout), numbered so a test finds it again. */
export function retentionTestTrace(spec: TraceSpec): Span[] {
  const traceId = hex(spec.n, 32);
  const duration = spec.durationNanos ?? 10_000_000n;
  const root = testSpan({
    traceId,
    spanId: hex(spec.n * 2 + 1, 16),
    service: 'frontend',
    name: spec.operation ?? 'GET /cart',
    kind: SpanKind.Server,
    startTimeUnixNano: spec.startNanos,
    endTimeUnixNano: spec.startNanos + duration + 1_000_000n,
  });
  const child = testSpan({
    traceId,
    spanId: hex(spec.n * 2 + 2, 16),
    parentSpanId: root.spanId,
    service: 'checkout',
    name: 'charge',
    kind: SpanKind.Server,
    startTimeUnixNano: spec.startNanos + 500_000n,
    endTimeUnixNano: spec.startNanos + 500_000n + duration,
    attributes: spec.attributes ?? [{ key: 'request.id', value: stringValue(`request-${spec.n}`) }],
    status:
      spec.error === true ? { code: StatusCode.Error, message: 'declined' } : { code: StatusCode.Unset, message: '' },
  });
  return [root, child];
}

export const traceIdOf = (n: number) => hex(n, 32);
