import {
  type AnyValue,
  type Attributes,
  anyValueToString,
  decodeOtlpTraceRequestProto,
  durationNanosOf,
  encodeOtlpTraceRequestProto,
  type Span,
  serviceNameOf,
} from '@ariadne/protocol';
import { spanIdToInt, traceIdHalves } from './sql-literal.js';

/**
 * How a span becomes a row of the spans table (see clickhouse-schema.ts).
 *
 * Search columns hold what predicates compare: every attribute's text form (as
 * `anyValueToString` gives it, so `=` means the same as in the other stores)
 * and, for the ordering operators, its number with a flag saying how it
 * compares. The `otlp` column keeps the span itself, exactly, as our OTLP
 * protobuf encoding (base64, since JSONEachRow carries text): getTrace decodes
 * it, so every AnyValue type and every field round-trips without a column each.
 */

/** How an attribute compares with `<`, `<=`, `>`, `>=`. */
export const NOT_NUMERIC = 0;
/** An int attribute: compared exactly (as Int64) against an integer bound. */
export const INT_NUMERIC = 1;
/** A double, or a string that reads as a number (Zipkin sends status codes as text). */
export const FLOAT_NUMERIC = 2;

/** One JSONEachRow line (with its newline) for one span. */
export function spanToRow(span: Span): string {
  const [traceHi, traceLo] = traceIdHalves(span.traceId);
  const eventAttributes = span.events.flatMap((event) => event.attributes);
  const otlp = Buffer.from(encodeOtlpTraceRequestProto([span])).toString('base64');
  // Bare numbers for UInt64 columns: JSON.stringify cannot write a bigint.
  return `{"trace_hi":${traceHi},"trace_lo":${traceLo},"span_id":${spanIdToInt(span.spanId)},"parent_span_id":${spanIdToInt(
    span.parentSpanId,
  )},"service":${JSON.stringify(serviceNameOf(span.resource))},"name":${JSON.stringify(span.name)},"kind":${
    span.kind
  },"start_ns":${span.startTimeUnixNano},"end_ns":${span.endTimeUnixNano},"duration_ns":${durationNanosOf(
    span,
  )},"status_code":${span.status.code},${attributeColumns('attr', span.attributes)},${attributeColumns(
    'resource',
    span.resource.attributes,
  )},${attributeColumns('event', eventAttributes)},"otlp":"${otlp}"}\n`;
}

function attributeColumns(prefix: string, attributes: Attributes): string {
  const keys: string[] = [];
  const values: string[] = [];
  const numeric: number[] = [];
  const numbers: number[] = [];
  for (const { key, value } of attributes) {
    keys.push(key);
    values.push(anyValueToString(value));
    const [kind, number] = numericOf(value);
    numeric.push(kind);
    numbers.push(number);
  }
  return `"${prefix}_keys":${JSON.stringify(keys)},"${prefix}_values":${JSON.stringify(values)},"${prefix}_numeric":${JSON.stringify(
    numeric,
  )},"${prefix}_numbers":${JSON.stringify(numbers)}`;
}

function numericOf(value: AnyValue): [number, number] {
  switch (value.type) {
    case 'int':
      return [INT_NUMERIC, finite(Number(value.value))];
    case 'double':
      return Number.isNaN(value.value) ? [NOT_NUMERIC, 0] : [FLOAT_NUMERIC, finite(value.value)];
    case 'string': {
      if (value.value.trim() === '') return [NOT_NUMERIC, 0];
      const number = Number(value.value);
      return Number.isNaN(number) ? [NOT_NUMERIC, 0] : [FLOAT_NUMERIC, finite(number)];
    }
    default:
      return [NOT_NUMERIC, 0];
  }
}

/** JSON has no infinities; the largest double orders the same against every finite bound. */
function finite(number: number): number {
  if (number === Number.POSITIVE_INFINITY) return Number.MAX_VALUE;
  if (number === Number.NEGATIVE_INFINITY) return -Number.MAX_VALUE;
  return number;
}

/** The span kept in the `otlp` column. */
export function spanFromOtlpColumn(base64: string): Span {
  const decoded = decodeOtlpTraceRequestProto(Buffer.from(base64, 'base64'));
  const span = decoded.spans[0];
  if (decoded.spans.length !== 1 || span === undefined) {
    throw new RangeError(`a stored span decoded to ${decoded.spans.length} spans: ${decoded.errorMessage}`);
  }
  return span;
}
