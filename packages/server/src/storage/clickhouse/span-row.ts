import {
  type AnyValue,
  type Attributes,
  anyValueToString,
  type InstrumentationScope,
  type KeyValue,
  type Resource,
  type Span,
  type SpanEvent,
  type SpanKind,
  type SpanLink,
  type StatusCode,
  serviceNameOf,
} from '@ariadne/protocol';
import { type RowBinaryReader, RowBinaryWriter } from './row-binary.js';

/**
 * How a span becomes one row of the spans table (see clickhouse-schema.ts),
 * written and read as RowBinary.
 *
 * Each span is stored once, in columns: ids, times, name, kind, status as
 * scalars; the attributes of the span, of its resource and of its events as
 * Nested (key, value, type, number), where `value` is the text form
 * (`anyValueToString`, so `=` means what it means in the other stores), `type`
 * says which AnyValue it was (and how it compares with `<`/`>`), and `number`
 * is its double for the ordering operators. The text form and the type give
 * the value back exactly for every scalar type (a double from `number`, which
 * keeps -0, NaN and infinities); what has no column (events, links, dropped
 * counts, scope attributes, arrays and kvlists, an end before the start) goes
 * into `extra`, a JSON object that is empty for a typical span.
 */

/** AnyValue types as stored in the `type` columns. */
export const ValueType = {
  string: 0,
  /** A string that reads as a number (Zipkin sends status codes as text): ordered as a float. */
  numericString: 1,
  bool: 2,
  int: 3,
  double: 4,
  bytes: 5,
  array: 6,
  kvlist: 7,
  empty: 8,
} as const;

/** Types the ordering operators compare as a float (`int` compares exactly, as Int64, against an integer bound). */
export const FLOAT_TYPES = [ValueType.double, ValueType.numericString] as const;

const NESTED = ['key', 'value', 'type', 'number'] as const;
const nested = (prefix: string) => NESTED.map((field) => `${prefix}.${field}`);

/** The columns of a span row, in RowBinary order (inserts and getTrace name them in this order). */
export const SPAN_ROW_COLUMNS = [
  'trace_hi',
  'trace_lo',
  'span_id',
  'parent_span_id',
  'name',
  'kind',
  'start_ns',
  'duration_ns',
  'status_code',
  'status_message',
  'trace_state',
  'flags',
  'parent_service',
  ...nested('attr'),
  ...nested('event'),
  'service',
  ...nested('resource'),
  'scope_name',
  'scope_version',
  'extra',
] as const;

/**
 * The columns a decoded span is made of: every column but `parent_service`,
 * which says what else came in the same write. Rows equal in these are
 * copies of one span (the encoding round-trips every field exactly).
 */
export const SPAN_CONTENT_COLUMNS: readonly string[] = SPAN_ROW_COLUMNS.filter((column) => column !== 'parent_service');

/**
 * A 64-bit hash of a row's span (`SPAN_CONTENT_COLUMNS`), computed as rows are
 * read: with the span id, equal for the copies of a span a client sent more
 * than once (`LIMIT 1 BY span_id, …` keeps one). Computed when read, not
 * stored: a MATERIALIZED column would cost every insert a hash of every
 * column, where reads need it only for traces in which a span id repeats.
 */
export const SPAN_CONTENT_HASH = `cityHash64(${SPAN_CONTENT_COLUMNS.join(', ')})`;

/** What `extra` may hold; every field is absent in the usual case. */
interface Extra {
  /** End time when it is before the start (duration_ns is then 0). */
  end?: string;
  da?: number;
  de?: number;
  dl?: number;
  /** Resource: dropped attributes. */
  rd?: number;
  /** Scope: attributes, dropped attributes. */
  sa?: EncodedKeyValue[];
  sd?: number;
  /** Events: time, name, how many of the event.* attributes are its own, dropped attributes. */
  ev?: [string, string, number, number][];
  /** Links: trace id, span id, trace state, flags, attributes, dropped attributes. */
  ln?: [string, string, string, number, EncodedKeyValue[], number][];
  /** Arrays and kvlists, exactly, by scope letter (a span, r resource, e event) and index. */
  x?: Record<string, EncodedValue>;
}

type EncodedValue = Record<string, unknown>;
type EncodedKeyValue = [string, EncodedValue];

/** A run of column bytes shared by every span of one resource (or scope), and its part of `extra`. */
interface CachedColumns {
  /** The resource's service (empty for a scope). */
  readonly service: string;
  readonly bytes: Buffer;
  readonly extra: Extra | undefined;
}

/**
 * Writes spans as RowBinary rows. Resources and scopes are shared by the spans
 * of a batch, so their columns are encoded once per object and copied.
 */
export class SpanRowEncoder {
  readonly #resources = new WeakMap<Resource, CachedColumns>();
  readonly #scopes = new WeakMap<InstrumentationScope, CachedColumns>();

  /** The rows of `spans`, ready for `INSERT … (SPAN_ROW_COLUMNS) FORMAT RowBinary`. */
  encode(spans: readonly Span[]): Buffer {
    const out = new RowBinaryWriter(Math.max(4096, spans.length * 1024));
    // Parents in the same batch: their service is known now, which spares getDependencies a join.
    const byId = new Map<string, Span>();
    for (const span of spans) byId.set(span.spanId, span);
    for (const span of spans) {
      const parent = span.parentSpanId === '' ? undefined : byId.get(span.parentSpanId);
      const parentService =
        parent === undefined || parent.traceId !== span.traceId ? '' : this.#resourceColumns(parent.resource).service;
      this.#writeSpan(out, span, parentService);
    }
    return out.bytes();
  }

  #writeSpan(out: RowBinaryWriter, span: Span, parentService: string): void {
    out.uint64Hex(span.traceId, 0);
    out.uint64Hex(span.traceId, 16);
    out.uint64Hex(span.spanId);
    if (span.parentSpanId === '') out.uint64(0n);
    else out.uint64Hex(span.parentSpanId);
    out.string(span.name);
    out.uint8(span.kind);
    out.uint64(span.startTimeUnixNano);
    const duration = span.endTimeUnixNano - span.startTimeUnixNano;
    out.uint64(duration > 0n ? duration : 0n);
    out.uint8(span.status.code);
    out.string(span.status.message);
    out.string(span.traceState);
    out.uint32(span.flags);
    out.string(parentService);
    const extra: Extra = {};
    const complex = (key: string, value: AnyValue) => addComplex(extra, key, value);
    writeNested(out, span.attributes, 'a', complex);
    if (span.events.length === 0) {
      writeNested(out, [], 'e', complex);
    } else {
      extra.ev = span.events.map((event) => [
        String(event.timeUnixNano),
        event.name,
        event.attributes.length,
        event.droppedAttributesCount,
      ]);
      writeNested(
        out,
        span.events.flatMap((event) => event.attributes),
        'e',
        complex,
      );
    }
    const resource = this.#resourceColumns(span.resource);
    out.raw(resource.bytes);
    const scope = this.#scopeColumns(span.scope);
    out.raw(scope.bytes);
    if (duration < 0n) extra.end = String(span.endTimeUnixNano);
    if (span.droppedAttributesCount !== 0) extra.da = span.droppedAttributesCount;
    if (span.droppedEventsCount !== 0) extra.de = span.droppedEventsCount;
    if (span.droppedLinksCount !== 0) extra.dl = span.droppedLinksCount;
    if (span.links.length > 0) {
      extra.ln = span.links.map((link) => [
        link.traceId,
        link.spanId,
        link.traceState,
        link.flags,
        link.attributes.map(encodeKeyValue),
        link.droppedAttributesCount,
      ]);
    }
    let all = extra;
    if (resource.extra !== undefined || scope.extra !== undefined) {
      all = { ...resource.extra, ...scope.extra, ...extra };
      if (resource.extra?.x !== undefined || extra.x !== undefined) all.x = { ...resource.extra?.x, ...extra.x };
    }
    out.string(isEmpty(all) ? '' : JSON.stringify(all));
  }

  #resourceColumns(resource: Resource): CachedColumns {
    let cached = this.#resources.get(resource);
    if (cached === undefined) {
      const out = new RowBinaryWriter(256);
      const service = serviceNameOf(resource);
      out.string(service);
      const extra: Extra = {};
      writeNested(out, resource.attributes, 'r', (key, value) => addComplex(extra, key, value));
      if (resource.droppedAttributesCount !== 0) extra.rd = resource.droppedAttributesCount;
      cached = { service, bytes: Buffer.from(out.bytes()), extra: isEmpty(extra) ? undefined : extra };
      this.#resources.set(resource, cached);
    }
    return cached;
  }

  #scopeColumns(scope: InstrumentationScope): CachedColumns {
    let cached = this.#scopes.get(scope);
    if (cached === undefined) {
      const out = new RowBinaryWriter(128);
      out.string(scope.name);
      out.string(scope.version);
      const extra: Extra = {};
      if (scope.attributes.length > 0) extra.sa = scope.attributes.map(encodeKeyValue);
      if (scope.droppedAttributesCount !== 0) extra.sd = scope.droppedAttributesCount;
      cached = { service: '', bytes: Buffer.from(out.bytes()), extra: isEmpty(extra) ? undefined : extra };
      this.#scopes.set(scope, cached);
    }
    return cached;
  }
}

function addComplex(extra: Extra, key: string, value: AnyValue): void {
  if (extra.x === undefined) extra.x = {};
  extra.x[key] = encodeValue(value);
}

function isEmpty(extra: Extra): boolean {
  for (const _ in extra) return false;
  return true;
}

/** Reused by every attribute list: types and numbers are written after all the values. */
let scratch = { types: new Uint8Array(64), numbers: new Float64Array(64) };

/** The four Nested arrays (key, value, type, number) of one attribute list. */
function writeNested(
  out: RowBinaryWriter,
  attributes: Attributes,
  scope: string,
  complex: (key: string, value: AnyValue) => void,
): void {
  const count = attributes.length;
  out.varUInt(count);
  for (const { key } of attributes) out.string(key);
  out.varUInt(count);
  if (count > scratch.types.length)
    scratch = { types: new Uint8Array(count * 2), numbers: new Float64Array(count * 2) };
  const { types, numbers } = scratch;
  numbers.fill(0, 0, count);
  for (let i = 0; i < count; i++) {
    const value = attributes[i]!.value;
    switch (value.type) {
      case 'string': {
        out.string(value.value);
        const number = readsAsNumber(value.value);
        if (Number.isNaN(number)) types[i] = ValueType.string;
        else {
          types[i] = ValueType.numericString;
          numbers[i] = number;
        }
        break;
      }
      case 'int':
        out.string(value.value.toString());
        types[i] = ValueType.int;
        numbers[i] = Number(value.value);
        break;
      case 'double':
        out.string(String(value.value));
        types[i] = ValueType.double;
        numbers[i] = value.value;
        break;
      case 'bool':
        out.string(value.value ? 'true' : 'false');
        types[i] = ValueType.bool;
        break;
      case 'empty':
        out.string('');
        types[i] = ValueType.empty;
        break;
      default:
        out.string(anyValueToString(value));
        types[i] = ValueType[value.type];
        if (value.type !== 'bytes') complex(`${scope}${i}`, value);
    }
  }
  out.varUInt(count);
  for (let i = 0; i < count; i++) out.uint8(types[i]!);
  out.varUInt(count);
  for (let i = 0; i < count; i++) out.float64(numbers[i]!);
}

/** The number a string reads as for the ordering operators (as the shared matcher reads it), or NaN. */
function readsAsNumber(text: string): number {
  // Most attribute values are words: skip Number() unless the text could be one.
  // (Digits, signs, the point and white space are all at or below '9'; I starts Infinity.)
  const first = text.charCodeAt(0);
  if (!(first <= 57 || first === 73 || first > 127) || text.trim() === '') return Number.NaN;
  return Number(text);
}

function encodeValue(value: AnyValue): EncodedValue {
  switch (value.type) {
    case 'string':
      return { s: value.value };
    case 'bool':
      return { b: value.value };
    case 'int':
      return { i: value.value.toString() };
    case 'double':
      // JSON has no NaN or infinities, and writes -0 as 0.
      return { d: Number.isFinite(value.value) && !Object.is(value.value, -0) ? value.value : String(value.value) };
    case 'bytes':
      return { y: Buffer.from(value.value).toString('base64') };
    case 'array':
      return { a: value.value.map(encodeValue) };
    case 'kvlist':
      return { k: value.value.map(encodeKeyValue) };
    case 'empty':
      return {};
  }
}

function encodeKeyValue(attribute: KeyValue): EncodedKeyValue {
  return [attribute.key, encodeValue(attribute.value)];
}

function decodeValue(encoded: EncodedValue): AnyValue {
  if ('s' in encoded) return { type: 'string', value: String(encoded.s) };
  if ('b' in encoded) return { type: 'bool', value: encoded.b === true };
  if ('i' in encoded) return { type: 'int', value: BigInt(String(encoded.i)) };
  if ('d' in encoded) return { type: 'double', value: Number(encoded.d) };
  if ('y' in encoded) return { type: 'bytes', value: bytesOf(String(encoded.y)) };
  if ('a' in encoded) return { type: 'array', value: (encoded.a as EncodedValue[]).map(decodeValue) };
  if ('k' in encoded) return { type: 'kvlist', value: (encoded.k as EncodedKeyValue[]).map(decodeKeyValue) };
  return { type: 'empty' };
}

function decodeKeyValue([key, value]: EncodedKeyValue): KeyValue {
  return { key, value: decodeValue(value) };
}

function bytesOf(base64: string): Uint8Array {
  const buffer = Buffer.from(base64, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

/**
 * Reads rows of `SPAN_ROW_COLUMNS` back into spans. Resources and scopes are
 * decoded once per distinct content and shared by the spans that carry them,
 * as they were when written.
 */
export class SpanRowDecoder {
  readonly #resources = new Map<string, Resource>();
  readonly #scopes = new Map<string, InstrumentationScope>();

  /** Every row of a RowBinary answer. */
  decodeAll(input: RowBinaryReader): Span[] {
    const spans: Span[] = [];
    while (!input.done) spans.push(this.decode(input));
    return spans;
  }

  decode(input: RowBinaryReader): Span {
    const traceId = input.uint64Hex() + input.uint64Hex();
    const spanId = input.uint64Hex();
    const parent = input.uint64Hex();
    const name = input.string();
    const kind = input.uint8() as SpanKind;
    const startTimeUnixNano = input.uint64();
    const duration = input.uint64();
    const statusCode = input.uint8() as StatusCode;
    const statusMessage = input.string();
    const traceState = input.string();
    const flags = input.uint32();
    input.string();
    const attributes = readNested(input);
    const eventAttributes = readNested(input);
    const resourceStart = input.offset;
    input.string();
    const resourceAttributes = readNested(input);
    const scopeStart = input.offset;
    const scopeName = input.string();
    const scopeVersion = input.string();
    const scopeEnd = input.offset;
    const extraText = input.string();
    const extra: Extra = extraText === '' ? {} : (JSON.parse(extraText) as Extra);
    const exact = (scope: string, list: RawAttributes): KeyValue[] => toAttributes(list, scope, extra.x);

    const resourceKey = `${input.slice(resourceStart, scopeStart).toString('latin1')}\u0000${extra.rd ?? 0}\u0000${extra.x === undefined ? '' : JSON.stringify(extra.x)}`;
    let resource = this.#resources.get(resourceKey);
    if (resource === undefined) {
      resource = { attributes: exact('r', resourceAttributes), droppedAttributesCount: extra.rd ?? 0 };
      this.#resources.set(resourceKey, resource);
    }
    const scopeKey = `${input.slice(scopeStart, scopeEnd).toString('latin1')}\u0000${extra.sd ?? 0}\u0000${extra.sa === undefined ? '' : JSON.stringify(extra.sa)}`;
    let scope = this.#scopes.get(scopeKey);
    if (scope === undefined) {
      scope = {
        name: scopeName,
        version: scopeVersion,
        attributes: (extra.sa ?? []).map(decodeKeyValue),
        droppedAttributesCount: extra.sd ?? 0,
      };
      this.#scopes.set(scopeKey, scope);
    }

    const flatEventAttributes = exact('e', eventAttributes);
    let next = 0;
    const events: SpanEvent[] = (extra.ev ?? []).map(([time, eventName, count, dropped]) => {
      const own = flatEventAttributes.slice(next, next + count);
      next += count;
      return { timeUnixNano: BigInt(time), name: eventName, attributes: own, droppedAttributesCount: dropped };
    });
    const links: SpanLink[] = (extra.ln ?? []).map(
      ([linkTrace, linkSpan, state, linkFlags, linkAttributes, dropped]) => ({
        traceId: linkTrace,
        spanId: linkSpan,
        traceState: state,
        attributes: linkAttributes.map(decodeKeyValue),
        droppedAttributesCount: dropped,
        flags: linkFlags,
      }),
    );
    return {
      traceId,
      spanId,
      parentSpanId: parent === '0000000000000000' ? '' : parent,
      traceState,
      flags,
      name,
      kind,
      startTimeUnixNano,
      endTimeUnixNano: extra.end === undefined ? startTimeUnixNano + duration : BigInt(extra.end),
      attributes: exact('a', attributes),
      droppedAttributesCount: extra.da ?? 0,
      events,
      droppedEventsCount: extra.de ?? 0,
      links,
      droppedLinksCount: extra.dl ?? 0,
      status: { code: statusCode, message: statusMessage },
      resource,
      scope,
    };
  }
}

interface RawAttributes {
  readonly keys: string[];
  readonly values: string[];
  readonly types: Uint8Array;
  readonly numbers: Float64Array;
}

function readNested(input: RowBinaryReader): RawAttributes {
  const keys: string[] = [];
  for (let i = input.varUInt(); i > 0; i--) keys.push(input.string());
  const values: string[] = [];
  for (let i = input.varUInt(); i > 0; i--) values.push(input.string());
  const types = new Uint8Array(input.varUInt());
  for (let i = 0; i < types.length; i++) types[i] = input.uint8();
  const numbers = new Float64Array(input.varUInt());
  for (let i = 0; i < numbers.length; i++) numbers[i] = input.float64();
  return { keys, values, types, numbers };
}

function toAttributes(list: RawAttributes, scope: string, exact: Record<string, EncodedValue> | undefined): KeyValue[] {
  const attributes: KeyValue[] = [];
  for (let i = 0; i < list.keys.length; i++) {
    const text = list.values[i]!;
    let value: AnyValue;
    switch (list.types[i]) {
      case ValueType.string:
      case ValueType.numericString:
        value = { type: 'string', value: text };
        break;
      case ValueType.bool:
        value = { type: 'bool', value: text === 'true' };
        break;
      case ValueType.int:
        value = { type: 'int', value: BigInt(text) };
        break;
      case ValueType.double:
        value = { type: 'double', value: list.numbers[i]! };
        break;
      case ValueType.bytes:
        value = { type: 'bytes', value: bytesOf(text) };
        break;
      case ValueType.empty:
        value = { type: 'empty' };
        break;
      default: {
        const encoded = exact?.[`${scope}${i}`];
        if (encoded === undefined) throw new RangeError(`stored attribute ${list.keys[i]} lost its value`);
        value = decodeValue(encoded);
      }
    }
    attributes.push({ key: list.keys[i]!, value });
  }
  return attributes;
}
