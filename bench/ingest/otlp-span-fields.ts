/** Where one span's fields sit in an encoded OTLP `ExportTraceServiceRequest`. */
export interface SpanFieldOffsets {
  /** Byte offsets of the 16 trace id bytes, the 8 span id bytes and (-1 for a root) the 8 parent id bytes. */
  readonly traceId: number;
  readonly spanId: number;
  readonly parentSpanId: number;
  /** Byte offsets of the two little-endian fixed64 times. */
  readonly startTime: number;
  readonly endTime: number;
  /** The span's string attribute values: offset and length of their UTF-8 bytes. */
  readonly stringValues: readonly { readonly offset: number; readonly length: number }[];
}

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

/**
 * Walks an encoded OTLP trace request (resource spans, scope spans, spans,
 * their attributes) and returns where each span's ids, times and string
 * attribute values are, in encoded order. Parsing the wire format, rather
 * than searching for known byte patterns, cannot mistake some other bytes for
 * an id. Nested messages other than these are skipped whole.
 */
export function locateSpanFields(body: Uint8Array): SpanFieldOffsets[] {
  const spans: SpanFieldOffsets[] = [];
  eachField(body, 0, body.length, (field, wire, at, end) => {
    if (field !== 1 || wire !== LEN) return;
    eachField(body, at, end, (field, wire, at, end) => {
      if (field !== 2 || wire !== LEN) return;
      eachField(body, at, end, (field, wire, at, end) => {
        if (field === 2 && wire === LEN) spans.push(readSpan(body, at, end));
      });
    });
  });
  return spans;
}

function readSpan(body: Uint8Array, start: number, end: number): SpanFieldOffsets {
  let traceId = -1;
  let spanId = -1;
  let parentSpanId = -1;
  let startTime = -1;
  let endTime = -1;
  const stringValues: { offset: number; length: number }[] = [];
  eachField(body, start, end, (field, wire, at, fieldEnd) => {
    if (field === 1 && wire === LEN && fieldEnd - at === 16) traceId = at;
    else if (field === 2 && wire === LEN && fieldEnd - at === 8) spanId = at;
    else if (field === 4 && wire === LEN && fieldEnd - at === 8) parentSpanId = at;
    else if (field === 7 && wire === FIXED64) startTime = at;
    else if (field === 8 && wire === FIXED64) endTime = at;
    else if (field === 9 && wire === LEN) {
      // KeyValue { key = 1; value = 2 (AnyValue { string_value = 1 }) }
      eachField(body, at, fieldEnd, (field, wire, at, end) => {
        if (field !== 2 || wire !== LEN) return;
        eachField(body, at, end, (field, wire, at, end) => {
          if (field === 1 && wire === LEN) stringValues.push({ offset: at, length: end - at });
        });
      });
    }
  });
  if (traceId < 0 || spanId < 0 || startTime < 0 || endTime < 0) {
    throw new Error(`span at byte ${start} lacks a trace id, span id or time`);
  }
  return { traceId, spanId, parentSpanId, startTime, endTime, stringValues };
}

/** Calls `visit(field, wireType, valueStart, valueEnd)` for each field in body[start, end). */
function eachField(
  body: Uint8Array,
  start: number,
  end: number,
  visit: (field: number, wire: number, at: number, end: number) => void,
): void {
  let at = start;
  while (at < end) {
    const [key, afterKey] = readVarint(body, at);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    at = afterKey;
    let valueEnd: number;
    if (wire === VARINT) valueEnd = readVarint(body, at)[1];
    else if (wire === FIXED64) valueEnd = at + 8;
    else if (wire === FIXED32) valueEnd = at + 4;
    else if (wire === LEN) {
      const [length, afterLength] = readVarint(body, at);
      at = afterLength;
      valueEnd = at + length;
    } else throw new Error(`wire type ${wire} at byte ${at} is not one OTLP uses`);
    if (valueEnd > end) throw new Error(`field ${field} at byte ${at} runs past its message`);
    visit(field, wire, at, valueEnd);
    at = valueEnd;
  }
}

function readVarint(body: Uint8Array, start: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let at = start; at < body.length && at < start + 10; at++) {
    const byte = body[at]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) return [value, at + 1];
  }
  throw new Error(`bad varint at byte ${start}`);
}
