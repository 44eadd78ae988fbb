import { AriadneError } from '../errors.js';
import type { AnyValue, KeyValue } from '../model/any-value.js';
import {
  type InstrumentationScope,
  type Resource,
  type Span,
  type SpanEvent,
  SpanKind,
  type SpanLink,
  type SpanStatus,
  StatusCode,
} from '../model/span.js';
import type { DecodedSpans } from './decoded-spans.js';
import { MAX_ANY_VALUE_DEPTH } from './otlp-limits.js';

type JsonObject = Record<string, unknown>;

const EMPTY_VALUE: AnyValue = Object.freeze({ type: 'empty' });
const UNSET_STATUS: SpanStatus = Object.freeze({ code: StatusCode.Unset, message: '' });
// JSON text must be UTF-8 (RFC 8259 §8.1): a body that is not is refused whole rather than
// stored with replacement characters the client never sent.
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

const SPAN_KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: SpanKind.Unspecified,
  SPAN_KIND_INTERNAL: SpanKind.Internal,
  SPAN_KIND_SERVER: SpanKind.Server,
  SPAN_KIND_CLIENT: SpanKind.Client,
  SPAN_KIND_PRODUCER: SpanKind.Producer,
  SPAN_KIND_CONSUMER: SpanKind.Consumer,
};
const STATUS_CODE_NAMES: Record<string, number> = {
  STATUS_CODE_UNSET: StatusCode.Unset,
  STATUS_CODE_OK: StatusCode.Ok,
  STATUS_CODE_ERROR: StatusCode.Error,
};

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const DECIMAL = /^-?[0-9]+$/;
const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * A wrong field found deep in the document. Each level on the way up adds its
 * part of the path, so the happy path builds no path strings at all.
 */
class FieldError extends Error {
  constructor(
    public path: string,
    readonly problem: string,
  ) {
    super(problem);
  }
}

function within(error: unknown, segment: string): unknown {
  if (error instanceof FieldError) {
    error.path =
      error.path === '' ? segment : error.path.startsWith('[') ? segment + error.path : `${segment}.${error.path}`;
  }
  return error;
}

/**
 * Decodes an OTLP/JSON `ExportTraceServiceRequest` (or `TracesData`) into
 * domain spans. Follows the OTLP/JSON mapping: lowerCamelCase keys (the
 * proto's snake_case names are accepted too), hex ids in any case, enums as
 * numbers or names, 64-bit integers as decimal strings or numbers, bytes as
 * base64, unknown keys ignored, `null` as absent. Wrong types for known
 * fields throw `AriadneError('InvalidPayload')` naming the field.
 */
export function decodeOtlpTraceRequestJson(body: string | Uint8Array): DecodedSpans {
  let text: string;
  try {
    text = typeof body === 'string' ? body : textDecoder.decode(body);
  } catch {
    throw new AriadneError('InvalidPayload', 'json: the body is not valid UTF-8');
  }
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new AriadneError('InvalidPayload', `json: ${(error as Error).message}`);
  }
  const out: DecodedSpans = { spans: [], rejectedSpans: 0, errorMessage: '' };
  try {
    const request = object(root, '');
    if (request === undefined) throw new FieldError('', 'expected an object, got null');
    const resourceSpans = array(pick(request, 'resourceSpans', 'resource_spans'), 'resourceSpans');
    for (let i = 0; i < resourceSpans.length; i++) {
      try {
        readResourceSpans(resourceSpans[i], out);
      } catch (error) {
        throw within(error, `resourceSpans[${i}]`);
      }
    }
  } catch (error) {
    if (error instanceof FieldError) {
      throw new AriadneError('InvalidPayload', `json: ${error.path === '' ? 'request' : error.path}: ${error.problem}`);
    }
    throw error;
  }
  return out;
}

function pick(object: JsonObject, camel: string, snake: string): unknown {
  const value = object[camel];
  return value === undefined || value === null ? object[snake] : value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function object(value: unknown, name: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new FieldError(name, `expected an object, got ${describe(value)}`);
  return value as JsonObject;
}

function array(value: unknown, name: string): readonly unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new FieldError(name, `expected an array, got ${describe(value)}`);
  return value;
}

function string(value: unknown, name: string): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  throw new FieldError(name, `expected a string, got ${describe(value)}`);
}

function boolean(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === undefined || value === null) return false;
  throw new FieldError(name, `expected a boolean, got ${describe(value)}`);
}

function uint32(value: unknown, name: string): number {
  if (value === undefined || value === null) return 0;
  const n = typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff) return n;
  throw new FieldError(name, `expected an unsigned 32-bit integer, got ${describe(value)}`);
}

function int32(value: unknown, name: string): number {
  const n = typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff) return n;
  throw new FieldError(name, `expected a 32-bit integer, got ${describe(value)}`);
}

function int64(value: unknown, name: string, min: bigint, max: bigint): bigint {
  let n: bigint | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && DECIMAL.test(value)) n = BigInt(value);
  if (n !== undefined && n >= min && n <= max) return n;
  throw new FieldError(name, `expected a ${min === 0n ? 'non-negative ' : ''}64-bit integer, got ${describe(value)}`);
}

function time(value: unknown, name: string): bigint {
  if (value === undefined || value === null) return 0n;
  return int64(value, name, 0n, UINT64_MAX);
}

function double(value: unknown, name: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    // The proto3 JSON mapping spells non-finite numbers as strings and allows numbers in strings.
    if (value === 'NaN') return Number.NaN;
    if (value === 'Infinity') return Number.POSITIVE_INFINITY;
    if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
    const n = Number(value);
    if (value.trim() !== '' && Number.isFinite(n)) return n;
  }
  throw new FieldError(name, `expected a number, got ${describe(value)}`);
}

function enumeration(value: unknown, name: string, names: Record<string, number>): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'string' && Object.hasOwn(names, value)) return names[value] as number;
  if (typeof value === 'number' || (typeof value === 'string' && DECIMAL.test(value))) return int32(value, name);
  throw new FieldError(
    name,
    `expected one of ${Object.keys(names).join(', ')} or a number, got ${JSON.stringify(value)}`,
  );
}

function base64(value: unknown, name: string): Uint8Array {
  const text = string(value, name);
  if (!BASE64.test(text)) throw new FieldError(name, 'expected base64');
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** A hex id as lowercase, or a reason it is unusable (prefixed with `!`). */
function hexId(value: unknown, name: string, characters: number, what: string, optional: boolean): string {
  const text = string(value, name);
  if (text.length === 0 && optional) return '';
  if (text.length !== characters) return `!${what} is ${text.length} hex characters, not ${characters}`;
  if (!HEX.test(text)) return `!${what} is not hex`;
  const lower = text.toLowerCase();
  for (let i = 0; i < lower.length; i++) if (lower.charCodeAt(i) !== 48) return lower;
  return `!${what} is all zeros`;
}

function readResourceSpans(value: unknown, out: DecodedSpans): void {
  const resourceSpans = object(value, '');
  if (resourceSpans === undefined) return;
  let resource: Resource;
  try {
    const json = object(resourceSpans.resource, 'resource');
    resource =
      json === undefined
        ? { attributes: [], droppedAttributesCount: 0 }
        : {
            attributes: attributes(json.attributes, 'attributes', 0),
            droppedAttributesCount: uint32(
              pick(json, 'droppedAttributesCount', 'dropped_attributes_count'),
              'droppedAttributesCount',
            ),
          };
  } catch (error) {
    throw within(error, 'resource');
  }
  const scopeSpans = array(pick(resourceSpans, 'scopeSpans', 'scope_spans'), 'scopeSpans');
  for (let i = 0; i < scopeSpans.length; i++) {
    try {
      readScopeSpans(scopeSpans[i], resource, out);
    } catch (error) {
      throw within(error, `scopeSpans[${i}]`);
    }
  }
}

function readScopeSpans(value: unknown, resource: Resource, out: DecodedSpans): void {
  const scopeSpans = object(value, '');
  if (scopeSpans === undefined) return;
  let scope: InstrumentationScope;
  try {
    const json = object(scopeSpans.scope, 'scope');
    scope =
      json === undefined
        ? { name: '', version: '', attributes: [], droppedAttributesCount: 0 }
        : {
            name: string(json.name, 'name'),
            version: string(json.version, 'version'),
            attributes: attributes(json.attributes, 'attributes', 0),
            droppedAttributesCount: uint32(
              pick(json, 'droppedAttributesCount', 'dropped_attributes_count'),
              'droppedAttributesCount',
            ),
          };
  } catch (error) {
    throw within(error, 'scope');
  }
  const spans = array(scopeSpans.spans, 'spans');
  for (let i = 0; i < spans.length; i++) {
    try {
      readSpan(spans[i], resource, scope, out);
    } catch (error) {
      throw within(error, `spans[${i}]`);
    }
  }
}

function readSpan(value: unknown, resource: Resource, scope: InstrumentationScope, out: DecodedSpans): void {
  const json = object(value, '');
  if (json === undefined) return;
  const traceId = hexId(pick(json, 'traceId', 'trace_id'), 'traceId', 32, 'trace id', false);
  const spanId = hexId(pick(json, 'spanId', 'span_id'), 'spanId', 16, 'span id', false);
  let parentSpanId = hexId(pick(json, 'parentSpanId', 'parent_span_id'), 'parentSpanId', 16, 'parent span id', true);
  // An all-zero parent id is how some clients spell "no parent".
  if (parentSpanId === '!parent span id is all zeros') parentSpanId = '';
  const kind = enumeration(json.kind, 'kind', SPAN_KIND_NAMES);
  const events = array(json.events, 'events');
  const links = array(json.links, 'links');
  const decodedEvents: SpanEvent[] = [];
  for (let i = 0; i < events.length; i++) {
    try {
      decodedEvents.push(readEvent(events[i]));
    } catch (error) {
      throw within(error, `events[${i}]`);
    }
  }
  const decodedLinks: SpanLink[] = [];
  let droppedLinksCount = uint32(pick(json, 'droppedLinksCount', 'dropped_links_count'), 'droppedLinksCount');
  for (let i = 0; i < links.length; i++) {
    let link: SpanLink | undefined;
    try {
      link = readLink(links[i]);
    } catch (error) {
      throw within(error, `links[${i}]`);
    }
    // A link with unusable ids is dropped and counted rather than failing its span.
    if (link === undefined) droppedLinksCount++;
    else decodedLinks.push(link);
  }
  const span: Span = {
    traceId,
    spanId,
    parentSpanId,
    traceState: string(pick(json, 'traceState', 'trace_state'), 'traceState'),
    flags: uint32(json.flags, 'flags'),
    name: string(json.name, 'name'),
    kind: (kind >= 0 && kind <= 5 ? kind : 0) as SpanKind,
    startTimeUnixNano: time(pick(json, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano'),
    endTimeUnixNano: time(pick(json, 'endTimeUnixNano', 'end_time_unix_nano'), 'endTimeUnixNano'),
    attributes: attributes(json.attributes, 'attributes', 0),
    droppedAttributesCount: uint32(
      pick(json, 'droppedAttributesCount', 'dropped_attributes_count'),
      'droppedAttributesCount',
    ),
    events: decodedEvents,
    droppedEventsCount: uint32(pick(json, 'droppedEventsCount', 'dropped_events_count'), 'droppedEventsCount'),
    links: decodedLinks,
    droppedLinksCount,
    status: readStatus(json.status),
    resource,
    scope,
  };
  // Ids are checked after the whole span so that a type error anywhere still fails the request.
  const problem = traceId.startsWith('!') ? traceId : spanId.startsWith('!') ? spanId : parentSpanId;
  if (problem.startsWith('!')) {
    if (out.rejectedSpans++ === 0) out.errorMessage = `span rejected: ${problem.slice(1)}`;
    return;
  }
  out.spans.push(span);
}

function readEvent(value: unknown): SpanEvent {
  const json = object(value, '') ?? {};
  return {
    timeUnixNano: time(pick(json, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano'),
    name: string(json.name, 'name'),
    attributes: attributes(json.attributes, 'attributes', 0),
    droppedAttributesCount: uint32(
      pick(json, 'droppedAttributesCount', 'dropped_attributes_count'),
      'droppedAttributesCount',
    ),
  };
}

function readLink(value: unknown): SpanLink | undefined {
  const json = object(value, '') ?? {};
  const traceId = hexId(pick(json, 'traceId', 'trace_id'), 'traceId', 32, 'trace id', false);
  const spanId = hexId(pick(json, 'spanId', 'span_id'), 'spanId', 16, 'span id', false);
  const link: SpanLink = {
    traceId,
    spanId,
    traceState: string(pick(json, 'traceState', 'trace_state'), 'traceState'),
    attributes: attributes(json.attributes, 'attributes', 0),
    droppedAttributesCount: uint32(
      pick(json, 'droppedAttributesCount', 'dropped_attributes_count'),
      'droppedAttributesCount',
    ),
    flags: uint32(json.flags, 'flags'),
  };
  return traceId.startsWith('!') || spanId.startsWith('!') ? undefined : link;
}

function readStatus(value: unknown): SpanStatus {
  let json: JsonObject | undefined;
  let code: number;
  let message: string;
  try {
    json = object(value, '');
    if (json === undefined) return UNSET_STATUS;
    code = enumeration(json.code, 'code', STATUS_CODE_NAMES);
    message = string(json.message, 'message');
  } catch (error) {
    throw within(error, 'status');
  }
  if (code === 0 && message === '') return UNSET_STATUS;
  return { code: (code >= 0 && code <= 2 ? code : 0) as StatusCode, message };
}

function attributes(value: unknown, name: string, depth: number): KeyValue[] {
  const list = array(value, name);
  const out: KeyValue[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    try {
      out[i] = keyValue(list[i], depth);
    } catch (error) {
      throw within(error, `${name}[${i}]`);
    }
  }
  return out;
}

function keyValue(value: unknown, depth: number): KeyValue {
  const json = object(value, '') ?? {};
  let decoded: AnyValue;
  try {
    decoded = anyValue(json.value, depth + 1);
  } catch (error) {
    throw within(error, 'value');
  }
  return { key: string(json.key, 'key'), value: decoded };
}

function anyValue(value: unknown, depth: number): AnyValue {
  if (depth > MAX_ANY_VALUE_DEPTH) throw new FieldError('', `nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  const json = object(value, '');
  if (json === undefined) return EMPTY_VALUE;
  let v = json.stringValue ?? json.string_value;
  if (v !== undefined && v !== null) return { type: 'string', value: string(v, 'stringValue') };
  v = json.intValue ?? json.int_value;
  if (v !== undefined && v !== null) return { type: 'int', value: int64(v, 'intValue', INT64_MIN, INT64_MAX) };
  v = json.boolValue ?? json.bool_value;
  if (v !== undefined && v !== null) return { type: 'bool', value: boolean(v, 'boolValue') };
  v = json.doubleValue ?? json.double_value;
  if (v !== undefined && v !== null) return { type: 'double', value: double(v, 'doubleValue') };
  v = json.arrayValue ?? json.array_value;
  if (v !== undefined && v !== null) {
    const values = array(object(v, 'arrayValue')?.values, 'arrayValue.values');
    const out: AnyValue[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) {
      try {
        out[i] = anyValue(values[i], depth + 1);
      } catch (error) {
        throw within(error, `arrayValue.values[${i}]`);
      }
    }
    return { type: 'array', value: out };
  }
  v = json.kvlistValue ?? json.kvlist_value;
  if (v !== undefined && v !== null) {
    return { type: 'kvlist', value: attributes(object(v, 'kvlistValue')?.values, 'kvlistValue.values', depth) };
  }
  v = json.bytesValue ?? json.bytes_value;
  if (v !== undefined && v !== null) return { type: 'bytes', value: base64(v, 'bytesValue') };
  return EMPTY_VALUE;
}
