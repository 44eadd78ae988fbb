import assert from 'node:assert/strict';
import {
  type Attributes,
  boolValue,
  isAriadneError,
  type Span,
  SpanKind,
  StatusCode,
  stringValue,
} from '@ariadne/protocol';
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

const MINUTE = 60_000_000_000n;
const SECOND = 1_000_000_000n;

/** Every trace of an hour from T0: 300 ordinary ones, one for each policy, and a rare operation for exemplars. */
export function retentionWorkload(T0: bigint): Map<number, Span[]> {
  const traces = new Map<number, Span[]>();
  // Ordinary traces, 100 µs apart in duration (in no order) so that a p99 separates the slowest few.
  for (let n = 1; n <= 300; n++) {
    traces.set(
      n,
      retentionTestTrace({
        n,
        startNanos: T0 + 5n * MINUTE + BigInt(n) * 5n * SECOND,
        durationNanos: 10_000_000n + BigInt((n * 37) % 300) * 100_000n,
      }),
    );
  }
  const at = T0 + 20n * MINUTE;
  traces.set(1001, retentionTestTrace({ n: 1001, startNanos: at, error: true }));
  traces.set(
    1002,
    retentionTestTrace({ n: 1002, startNanos: at, attributes: [{ key: 'customer.tier', value: stringValue('gold') }] }),
  );
  traces.set(
    1003,
    retentionTestTrace({
      n: 1003,
      startNanos: at,
      attributes: [{ key: 'jaeger-debug-id', value: stringValue('abc') }],
    }),
  );
  traces.set(
    1004,
    retentionTestTrace({ n: 1004, startNanos: at + SECOND, attributes: [{ key: 'keep', value: boolValue(false) }] }),
  );
  traces.set(1005, retentionTestTrace({ n: 1005, startNanos: at, durationNanos: 2_000_000_000n }));
  // A rare operation, three times in one minute: one of them stays as its exemplar.
  for (const n of [2001, 2002, 2003]) {
    traces.set(
      n,
      retentionTestTrace({ n, startNanos: T0 + 40n * MINUTE + BigInt(n - 2000) * SECOND, operation: 'GET /rare' }),
    );
  }
  return traces;
}

/** The trace, or undefined when the store says it is not found. */
export async function openedTrace(
  store: { getTrace(traceId: string): Promise<Span[]> },
  n: number,
): Promise<Span[] | undefined> {
  try {
    return await store.getTrace(traceIdOf(n));
  } catch (error) {
    if (isAriadneError(error) && error.kind === 'TraceNotFound') return undefined;
    throw error;
  }
}

/** RED metrics of both services of the test traces, per minute and operation. */
export function retentionRedQuery(timeRange: { startNanos: bigint; endNanos: bigint }) {
  return {
    services: ['frontend', 'checkout'],
    groupByOperation: true,
    spanKinds: [SpanKind.Server],
    timeRange,
    stepNanos: 60n * SECOND,
    quantiles: [0.5, 0.99],
  };
}

/** The workload's ordinary traces (and keep=false's) as the default policy keeps them: a few exemplars and the slowest. */
export function assertOrdinaryTracesKept(keptBy: ReadonlyMap<number, string>): void {
  const ordinary = [...keptBy].filter(([n]) => n <= 300 || n === 1004);
  assert.ok(ordinary.length > 0 && ordinary.length < 150, `${ordinary.length} ordinary traces kept`);
  assert.ok(ordinary.every(([, by]) => by === 'exemplar' || by === 'slow'));
  assert.ok(
    ordinary.some(([, by]) => by === 'slow'),
    'the slowest ordinary traces are above the p99',
  );
}
