import { jaegerBatchToSpans } from '../jaeger-thrift/jaeger-batch-to-spans.js';
import type { WireLog, WireProcess, WireSpan, WireSpanRef } from '../jaeger-thrift/jaeger-thrift-wire.js';
import { type AnyValue, type KeyValue, stringValue } from '../model/any-value.js';
import { bytesToHex } from '../model/ids.js';
import type { Span } from '../model/span.js';
import { ProtoReader } from '../protobuf/proto-reader.js';

/*
 * Jaeger's protobuf model (jaeger-idl proto/api_v2/model.proto), as the
 * collector's gRPC endpoint (14250, CollectorService/PostSpans) receives it.
 * It is read into the same wire shape as the Thrift model and translated by
 * the same translator, so both paths give the same spans; the only field the
 * proto model carries more precisely is time (nanoseconds, not microseconds),
 * which is restored after translation.
 */

/** `jaeger.api_v2.PostSpansRequest { Batch batch = 1; }`; a request without a batch gives `[]`. */
export function decodeJaegerProtoPostSpans(bytes: Uint8Array): Span[] {
  const r = new ProtoReader(bytes);
  let spans: Span[] = [];
  while (r.pos < r.end) {
    const tag = r.readTag();
    if (tag === ((1 << 3) | 2)) {
      const end = r.readLength();
      spans = spans.length === 0 ? readBatch(r, end) : spans.concat(readBatch(r, end));
    } else r.skip(tag);
  }
  return spans;
}

/** A bare `jaeger.api_v2.Batch { repeated Span spans = 1; Process process = 2; }`. */
export function decodeJaegerProtoBatch(bytes: Uint8Array): Span[] {
  const r = new ProtoReader(bytes);
  return readBatch(r, r.end);
}

/** A span as read, with its nanosecond times beside the translator's microseconds. */
interface ProtoSpan {
  readonly wire: WireSpan;
  readonly process: WireProcess | undefined;
  readonly startNanos: bigint;
  readonly durationNanos: bigint;
  readonly logNanos: bigint[];
}

function readBatch(r: ProtoReader, end: number): Span[] {
  const spans: ProtoSpan[] = [];
  let process: WireProcess | undefined;
  while (r.pos < end) {
    const tag = r.readTag();
    if (tag === ((1 << 3) | 2)) spans.push(readSpan(r, r.readLength()));
    else if (tag === ((2 << 3) | 2)) process = readProcess(r, r.readLength());
    else r.skip(tag);
  }
  r.expectEnd(end);
  // Spans may carry their own process (Jaeger's model allows it); each process is one resource.
  const groups = new Map<WireProcess | undefined, ProtoSpan[]>();
  for (const span of spans) {
    const key = span.process ?? process;
    const group = groups.get(key);
    if (group) group.push(span);
    else groups.set(key, [span]);
  }
  const out: Span[] = [];
  for (const [groupProcess, group] of groups) {
    const translated = jaegerBatchToSpans({ process: groupProcess, spans: group.map((span) => span.wire) });
    for (let i = 0; i < translated.length; i++) out.push(withNanos(translated[i] as Span, group[i] as ProtoSpan));
  }
  return out;
}

/** Puts back the sub-microsecond part of times, when there is one. */
function withNanos(span: Span, read: ProtoSpan): Span {
  const exact = read.startNanos % 1000n === 0n && read.durationNanos % 1000n === 0n;
  const exactLogs = read.logNanos.every((nanos) => nanos % 1000n === 0n);
  if (exact && exactLogs) return span;
  return {
    ...span,
    startTimeUnixNano: read.startNanos,
    endTimeUnixNano: read.startNanos + read.durationNanos,
    events: exactLogs
      ? span.events
      : span.events.map((event, i) => ({ ...event, timeUnixNano: read.logNanos[i] ?? event.timeUnixNano })),
  };
}

function readSpan(r: ProtoReader, end: number): ProtoSpan {
  const wire: WireSpan = {
    traceIdLow: ZERO,
    traceIdHigh: ZERO,
    spanId: ZERO,
    // The proto model has no parent field: the parent is the CHILD_OF reference.
    parentSpanId: ZERO,
    operationName: '',
    references: [],
    flags: 0,
    startTime: 0n,
    duration: 0n,
    tags: [],
    logs: [],
    present: true,
  };
  let process: WireProcess | undefined;
  let startNanos = 0n;
  let durationNanos = 0n;
  const logNanos: bigint[] = [];
  while (r.pos < end) {
    const tag = r.readTag();
    switch (tag) {
      case (1 << 3) | 2: {
        const [high, low] = readTraceId(r);
        wire.traceIdHigh = high;
        wire.traceIdLow = low;
        break;
      }
      case (2 << 3) | 2:
        wire.spanId = readSpanId(r);
        break;
      case (3 << 3) | 2:
        wire.operationName = r.readString();
        break;
      case (4 << 3) | 2:
        wire.references.push(readRef(r, r.readLength()));
        break;
      case (5 << 3) | 0:
        wire.flags = r.readVarint32();
        break;
      case (6 << 3) | 2:
        startNanos = readTime(r, r.readLength());
        break;
      case (7 << 3) | 2:
        durationNanos = readTime(r, r.readLength());
        break;
      case (8 << 3) | 2:
        wire.tags.push(readKeyValue(r, r.readLength()));
        break;
      case (9 << 3) | 2: {
        const log = readLog(r, r.readLength());
        wire.logs.push(log.log);
        logNanos.push(log.nanos);
        break;
      }
      case (10 << 3) | 2:
        process = readProcess(r, r.readLength());
        break;
      default:
        // process_id (11) and warnings (12) have no place in the domain model.
        r.skip(tag);
    }
  }
  r.expectEnd(end);
  wire.startTime = floorDiv(startNanos, 1000n);
  wire.duration = floorDiv(durationNanos, 1000n);
  return { wire, process, startNanos, durationNanos, logNanos };
}

const ZERO = '0000000000000000';

/** Jaeger writes trace ids as 16 big-endian bytes (high, then low); 8 bytes is a 64-bit id. */
function readTraceId(r: ProtoReader): [string, string] {
  const bytes = r.readBytesView();
  if (bytes.length === 16) return [bytesToHex(bytes, 0, 8), bytesToHex(bytes, 8, 8)];
  if (bytes.length === 8) return [ZERO, bytesToHex(bytes, 0, 8)];
  if (bytes.length === 0) return [ZERO, ZERO];
  return r.fail(`trace id of ${bytes.length} bytes (expected 16)`);
}

function readSpanId(r: ProtoReader): string {
  const bytes = r.readBytesView();
  if (bytes.length === 8) return bytesToHex(bytes);
  if (bytes.length === 0) return ZERO;
  return r.fail(`span id of ${bytes.length} bytes (expected 8)`);
}

/** `SpanRef { bytes trace_id = 1; bytes span_id = 2; SpanRefType ref_type = 3; }` (CHILD_OF = 0). */
function readRef(r: ProtoReader, end: number): WireSpanRef {
  let traceIdHigh = ZERO;
  let traceIdLow = ZERO;
  let spanId = ZERO;
  let refType = 0;
  while (r.pos < end) {
    const tag = r.readTag();
    if (tag === ((1 << 3) | 2)) [traceIdHigh, traceIdLow] = readTraceId(r);
    else if (tag === ((2 << 3) | 2)) spanId = readSpanId(r);
    else if (tag === ((3 << 3) | 0)) refType = r.readInt32();
    else r.skip(tag);
  }
  r.expectEnd(end);
  return { refType, traceIdHigh, traceIdLow, spanId };
}

/** `google.protobuf.Timestamp` and `Duration` share their shape: seconds (1), nanos (2). */
function readTime(r: ProtoReader, end: number): bigint {
  let seconds = 0n;
  let nanos = 0;
  while (r.pos < end) {
    const tag = r.readTag();
    if (tag === ((1 << 3) | 0)) seconds = r.readInt64();
    else if (tag === ((2 << 3) | 0)) nanos = r.readInt32();
    else r.skip(tag);
  }
  r.expectEnd(end);
  return seconds * 1_000_000_000n + BigInt(nanos);
}

function readLog(r: ProtoReader, end: number): { log: WireLog; nanos: bigint } {
  let nanos = 0n;
  const fields: KeyValue[] = [];
  while (r.pos < end) {
    const tag = r.readTag();
    if (tag === ((1 << 3) | 2)) nanos = readTime(r, r.readLength());
    else if (tag === ((2 << 3) | 2)) fields.push(readKeyValue(r, r.readLength()));
    else r.skip(tag);
  }
  r.expectEnd(end);
  return { log: { timestamp: floorDiv(nanos, 1000n), fields }, nanos };
}

/** `Process { string service_name = 1; repeated KeyValue tags = 2; }` */
function readProcess(r: ProtoReader, end: number): WireProcess {
  let serviceName = '';
  const tags: KeyValue[] = [];
  while (r.pos < end) {
    const tag = r.readTag();
    if (tag === ((1 << 3) | 2)) serviceName = r.readString();
    else if (tag === ((2 << 3) | 2)) tags.push(readKeyValue(r, r.readLength()));
    else r.skip(tag);
  }
  r.expectEnd(end);
  return { serviceName, tags };
}

/** Jaeger's ValueType: STRING 0, BOOL 1, INT64 2, FLOAT64 3, BINARY 4 (the Thrift numbers differ). */
function readKeyValue(r: ProtoReader, end: number): KeyValue {
  let key = '';
  let vType = 0;
  let vStr = '';
  let vBool = false;
  let vInt64 = 0n;
  let vFloat64 = 0;
  let vBinary: Uint8Array = EMPTY_BYTES;
  while (r.pos < end) {
    const tag = r.readTag();
    switch (tag) {
      case (1 << 3) | 2:
        key = r.readString();
        break;
      case (2 << 3) | 0:
        vType = r.readInt32();
        break;
      case (3 << 3) | 2:
        vStr = r.readString();
        break;
      case (4 << 3) | 0:
        vBool = r.readBool();
        break;
      case (5 << 3) | 0:
        vInt64 = r.readInt64();
        break;
      case (6 << 3) | 1:
        vFloat64 = r.readDouble();
        break;
      case (7 << 3) | 2:
        // A copy: the decoded span must not pin the whole request buffer.
        vBinary = r.readBytes();
        break;
      default:
        r.skip(tag);
    }
  }
  r.expectEnd(end);
  let value: AnyValue;
  switch (vType) {
    case 0:
      value = stringValue(vStr);
      break;
    case 1:
      value = { type: 'bool', value: vBool };
      break;
    case 2:
      value = { type: 'int', value: vInt64 };
      break;
    case 3:
      value = { type: 'double', value: vFloat64 };
      break;
    case 4:
      value = { type: 'bytes', value: vBinary };
      break;
    default:
      value = stringValue(`<Unknown Jaeger ValueType ${vType}>`);
  }
  return { key, value };
}

const EMPTY_BYTES = new Uint8Array(0);

function floorDiv(value: bigint, by: bigint): bigint {
  const quotient = value / by;
  return value < 0n && quotient * by !== value ? quotient - 1n : quotient;
}
