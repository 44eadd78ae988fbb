import { makeSpan, type Span, SpanKind, StatusCode, stringValue } from '@ariadne/protocol';
import { parseTenantId, type TenantId } from '../tenant-id.js';

/**
 * Two tenants' traces for isolation tests: distinct traces that share service
 * and operation names (`frontend`, `GET /checkout`), each tenant also with
 * a service, an operation, an attribute and an error of its own. Whatever of
 * `A_MARKS` a read as tenant B shows is a leak.
 */
export const TENANT_A: TenantId = parseTenantId('team-a');
export const TENANT_B: TenantId = parseTenantId('Team-A'); // differs only in case: kept apart all the same

export const A_TRACE_ID = 'aaaaaaaaaaaaaaaa0000000000000001';
export const B_TRACE_ID = 'bbbbbbbbbbbbbbbb0000000000000002';
/** A trace id both tenants wrote: each sees its own spans of it, never the other's. */
export const SHARED_TRACE_ID = 'cccccccccccccccc0000000000000003';

export const SHARED_SERVICE = 'frontend';
export const SHARED_OPERATION = 'GET /checkout';

export interface TenantMarks {
  readonly traceId: string;
  readonly service: string;
  readonly operation: string;
  readonly attributeValue: string;
  readonly spanIds: readonly string[];
}

/** A tenant's marks: every name in them is that tenant's own, its span ids start with its letter. */
function marksOf(letter: 'a' | 'b', traceId: string, service: string, operation: string): TenantMarks {
  return {
    traceId,
    service,
    operation,
    attributeValue: `${letter}-customer-${letter === 'a' ? '4711' : '0815'}`,
    spanIds: [1, 2, 3].map((n) => `${letter}${String(n).padStart(15, '0')}`),
  };
}

export const A_MARKS = marksOf('a', A_TRACE_ID, 'a-ledger', 'a-secret-query');
export const B_MARKS = marksOf('b', B_TRACE_ID, 'b-catalog', 'b-list-items');

/** The tenant's spans, started around `startNanos`: a frontend root calling its own service, plus its part of the shared trace id. */
export function tenantSpans(marks: TenantMarks, startNanos: bigint): Span[] {
  const [root, child, shared] = marks.spanIds as [string, string, string];
  const ms = 1_000_000n;
  return [
    makeSpan({
      traceId: marks.traceId,
      spanId: root,
      service: SHARED_SERVICE,
      name: SHARED_OPERATION,
      kind: SpanKind.Server,
      startTimeUnixNano: startNanos,
      endTimeUnixNano: startNanos + 50n * ms,
      attributes: [{ key: 'customer', value: stringValue(marks.attributeValue) }],
    }),
    makeSpan({
      traceId: marks.traceId,
      spanId: child,
      parentSpanId: root,
      service: marks.service,
      name: marks.operation,
      kind: SpanKind.Server,
      startTimeUnixNano: startNanos + 5n * ms,
      endTimeUnixNano: startNanos + 40n * ms,
      status: { code: StatusCode.Error, message: `${marks.service} failed` },
    }),
    makeSpan({
      traceId: SHARED_TRACE_ID,
      spanId: shared,
      service: SHARED_SERVICE,
      name: SHARED_OPERATION,
      kind: SpanKind.Server,
      startTimeUnixNano: startNanos + 100n * ms,
      endTimeUnixNano: startNanos + 120n * ms,
      attributes: [{ key: 'customer', value: stringValue(marks.attributeValue) }],
    }),
  ];
}

/** Whether a response (any JSON or text) mentions anything that only tenant `marks` wrote. */
export function mentionsAnyOf(text: string, marks: TenantMarks): string | undefined {
  const needles = [marks.traceId, marks.service, marks.operation, marks.attributeValue, ...marks.spanIds];
  return needles.find((needle) => text.includes(needle));
}
