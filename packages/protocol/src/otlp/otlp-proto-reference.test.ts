// The protobuf decoder against an independent reference: random requests are
// built at the wire level (strings as raw bytes, so invalid UTF-8 and byte-order
// marks can be sent), encoded by protobufjs, and the decoder's spans must equal
// what the domain mapping of that same request gives, computed here without any
// of the decoder's code (TextDecoder for text, Buffer for hex).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Long from 'long';
import protobuf from 'protobufjs';
import type { AnyValue, KeyValue } from '../model/any-value.js';
import type { InstrumentationScope, Resource, Span, SpanEvent, SpanLink } from '../model/span.js';
import { decodeOtlpTraceRequestProto } from './decode-otlp-proto.js';
import type { DecodedSpans } from './decoded-spans.js';

// OTLP's trace messages with every string field declared as bytes.
const { root } = protobuf.parse(`
syntax = "proto3";
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; bytes schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; bytes schema_url = 3; }
message InstrumentationScope { bytes name = 1; bytes version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; bytes trace_state = 3; bytes parent_span_id = 4; fixed32 flags = 16;
  bytes name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10; repeated Event events = 11;
  uint32 dropped_events_count = 12; repeated Link links = 13; uint32 dropped_links_count = 14; Status status = 15;
}
message Event { fixed64 time_unix_nano = 1; bytes name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Link {
  bytes trace_id = 1; bytes span_id = 2; bytes trace_state = 3; repeated KeyValue attributes = 4;
  uint32 dropped_attributes_count = 5; fixed32 flags = 6;
}
message Status { bytes message = 2; int32 code = 3; }
message AnyValue {
  oneof value {
    bytes string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { bytes key = 1; AnyValue value = 2; }
`);
const Request = root.lookupType('ExportTraceServiceRequest');

// Wire-level shapes, as protobufjs takes them.
interface WireKeyValue {
  key: Uint8Array;
  value?: WireAnyValue;
}
interface WireAnyValue {
  stringValue?: Uint8Array;
  boolValue?: boolean;
  intValue?: Long;
  doubleValue?: number;
  arrayValue?: { values: WireAnyValue[] };
  kvlistValue?: { values: WireKeyValue[] };
  bytesValue?: Uint8Array;
}
interface WireLink {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState: Uint8Array;
  attributes: WireKeyValue[];
  droppedAttributesCount: number;
  flags: number;
}
interface WireEvent {
  timeUnixNano: Long;
  name: Uint8Array;
  attributes: WireKeyValue[];
  droppedAttributesCount: number;
}
interface WireSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState: Uint8Array;
  parentSpanId: Uint8Array;
  flags: number;
  name: Uint8Array;
  kind: number;
  startTimeUnixNano: Long;
  endTimeUnixNano: Long;
  attributes: WireKeyValue[];
  droppedAttributesCount: number;
  events: WireEvent[];
  droppedEventsCount: number;
  links: WireLink[];
  droppedLinksCount: number;
  status?: { message: Uint8Array; code: number };
}
interface WireScopeSpans {
  scope?: { name: Uint8Array; version: Uint8Array; attributes: WireKeyValue[]; droppedAttributesCount: number };
  spans: WireSpan[];
}
interface WireRequest {
  resourceSpans: {
    resource?: { attributes: WireKeyValue[]; droppedAttributesCount: number };
    scopeSpans: WireScopeSpans[];
  }[];
}

/** A seeded generator of wire-level requests that lean on the decoder's fast paths and their edges. */
class Generator {
  private seed: number;
  private readonly traceIds: Uint8Array[] = [];
  private readonly spanIds: Uint8Array[] = [];
  private readonly keys: Uint8Array[] = [];

  constructor(seed: number) {
    this.seed = seed;
    for (let i = 0; i < 12; i++) this.keys.push(this.text(1 + this.int(30)));
  }

  int(bound: number): number {
    this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0;
    return Math.floor(((this.seed >>> 8) / 0x1000000) * bound);
  }

  chance(p: number): boolean {
    return this.int(1000) < p * 1000;
  }

  bytes(length: number): Uint8Array {
    return Uint8Array.from({ length }, () => this.int(256));
  }

  /** Mostly ASCII; sometimes multi-byte UTF-8, a byte-order mark, stray or truncated sequences. */
  text(length: number): Uint8Array {
    const out: number[] = [];
    const odd = this.chance(0.15);
    while (out.length < length) {
      if (!odd || this.chance(0.8)) out.push(0x20 + this.int(0x5f));
      else {
        const pieces = [
          [0xc3, 0xa9],
          [0xe6, 0x97, 0xa5],
          [0xf0, 0x9d, 0x84, 0x9e],
          [0xef, 0xbb, 0xbf],
          [0xff],
          [0x80],
          [0xe6, 0x97],
          [0x00],
          [0x7f],
        ];
        out.push(...pieces[this.int(pieces.length)]!);
      }
    }
    return Uint8Array.from(out.slice(0, length));
  }

  textOfSomeLength(): Uint8Array {
    const r = this.int(100);
    return this.text(r < 10 ? 0 : r < 85 ? this.int(36) : r < 97 ? 36 + this.int(30) : 200 + this.int(300));
  }

  /** Ids: fresh, repeated (cache hits), all zeros, or the wrong length. */
  id(size: number, pool: Uint8Array[]): Uint8Array {
    const r = this.int(100);
    if (r < 3) return new Uint8Array(size);
    if (r < 5) return this.bytes(this.int(size + 3));
    if (r < 45 && pool.length > 0) return pool[this.int(pool.length)]!;
    const id = this.bytes(size);
    pool.push(id);
    if (pool.length > 3000) pool.splice(0, 1000);
    return id;
  }

  u64(): Long {
    const r = this.int(6);
    if (r === 0) return Long.fromString('0', true);
    if (r === 1) return Long.fromString('18446744073709551615', true);
    if (r === 2) return Long.fromString((2n ** 53n + BigInt(this.int(5)) - 2n).toString(), true);
    if (r === 3) return Long.fromString(String(this.int(1e9)), true);
    return Long.fromString((1_767_225_600_000_000_000n + BigInt(this.int(2 ** 30)) * 997n).toString(), true);
  }

  i64(): Long {
    const values = ['-9223372036854775808', '9223372036854775807', '-1', '0', '200', String(-this.int(1e9))];
    return Long.fromString(values[this.int(values.length)]!, false);
  }

  anyValue(depth: number): WireAnyValue {
    switch (this.int(depth > 2 ? 6 : 9)) {
      case 0:
      case 1:
      case 2:
        return { stringValue: this.textOfSomeLength() };
      case 3:
        return { boolValue: this.chance(0.5) };
      case 4:
        return { intValue: this.i64() };
      case 5: {
        const doubles = [0, -0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MIN_VALUE, this.int(1e6) / 7];
        return { doubleValue: doubles[this.int(doubles.length)]! };
      }
      case 6:
        return { bytesValue: this.bytes(this.int(20)) };
      case 7:
        return { arrayValue: { values: Array.from({ length: this.int(4) }, () => this.anyValue(depth + 1)) } };
      default:
        return { kvlistValue: { values: this.attributes(3, depth + 1) } };
    }
  }

  attributes(max: number, depth = 0): WireKeyValue[] {
    return Array.from({ length: this.int(max + 1) }, () => {
      const key = this.chance(0.8) ? this.keys[this.int(this.keys.length)]! : this.textOfSomeLength();
      return this.chance(0.05) ? { key } : { key, value: this.anyValue(depth) };
    });
  }

  span(): WireSpan {
    return {
      traceId: this.id(16, this.traceIds),
      spanId: this.id(8, this.spanIds),
      traceState: this.chance(0.1) ? this.textOfSomeLength() : new Uint8Array(),
      parentSpanId: this.chance(0.3) ? new Uint8Array() : this.id(8, this.spanIds),
      flags: this.chance(0.5) ? 1 : this.int(2 ** 31) * 2,
      name: this.textOfSomeLength(),
      kind: this.int(8) - 1,
      startTimeUnixNano: this.u64(),
      endTimeUnixNano: this.u64(),
      attributes: this.attributes(16),
      droppedAttributesCount: this.int(3),
      events: Array.from({ length: this.chance(0.2) ? this.int(3) : 0 }, () => ({
        timeUnixNano: this.u64(),
        name: this.textOfSomeLength(),
        attributes: this.attributes(2),
        droppedAttributesCount: this.int(2),
      })),
      droppedEventsCount: this.int(2),
      links: Array.from({ length: this.chance(0.2) ? this.int(3) : 0 }, () => ({
        traceId: this.id(16, this.traceIds),
        spanId: this.id(8, this.spanIds),
        traceState: this.chance(0.3) ? this.textOfSomeLength() : new Uint8Array(),
        attributes: this.attributes(2),
        droppedAttributesCount: this.int(2),
        flags: this.int(4),
      })),
      droppedLinksCount: this.int(2),
      ...(this.chance(0.7) ? {} : { status: { message: this.textOfSomeLength(), code: this.int(5) - 1 } }),
    };
  }

  request(): WireRequest {
    return {
      resourceSpans: Array.from({ length: 1 + this.int(3) }, () => ({
        ...(this.chance(0.8)
          ? { resource: { attributes: this.attributes(6), droppedAttributesCount: this.int(2) } }
          : {}),
        scopeSpans: Array.from({ length: this.int(3) }, () => ({
          ...(this.chance(0.8)
            ? {
                scope: {
                  name: this.textOfSomeLength(),
                  version: this.textOfSomeLength(),
                  attributes: this.attributes(2),
                  droppedAttributesCount: this.int(2),
                },
              }
            : {}),
          spans: Array.from({ length: this.int(40) }, () => this.span()),
        })),
      })),
    };
  }
}

// The reference mapping, written from OTLP's rules and the domain model's doc comments.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const text = (bytes: Uint8Array) => utf8.decode(bytes);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const u64 = (value: Long) => BigInt.asUintN(64, BigInt(value.toUnsigned().toString()));

function referenceValue(value: WireAnyValue | undefined): AnyValue {
  if (value === undefined) return { type: 'empty' };
  if (value.stringValue !== undefined) return { type: 'string', value: text(value.stringValue) };
  if (value.boolValue !== undefined) return { type: 'bool', value: value.boolValue };
  if (value.intValue !== undefined) return { type: 'int', value: BigInt(value.intValue.toString()) };
  if (value.doubleValue !== undefined) return { type: 'double', value: value.doubleValue };
  if (value.bytesValue !== undefined) return { type: 'bytes', value: new Uint8Array(value.bytesValue) };
  if (value.arrayValue !== undefined) return { type: 'array', value: value.arrayValue.values.map(referenceValue) };
  if (value.kvlistValue !== undefined) return { type: 'kvlist', value: referenceAttributes(value.kvlistValue.values) };
  return { type: 'empty' };
}

function referenceAttributes(attributes: WireKeyValue[]): KeyValue[] {
  return attributes.map((kv) => ({ key: text(kv.key), value: referenceValue(kv.value) }));
}

function idProblem(id: Uint8Array, size: number, what: string, optional: boolean): string {
  if (id.length === 0 && optional) return '';
  if (id.length !== size) return `${what} is ${id.length} bytes, not ${size}`;
  return id.some((byte) => byte !== 0) ? '' : `${what} is all zeros`;
}

function reference(request: WireRequest): DecodedSpans {
  const out: DecodedSpans = { spans: [], rejectedSpans: 0, errorMessage: '' };
  for (const resourceSpans of request.resourceSpans) {
    const resource: Resource = resourceSpans.resource
      ? {
          attributes: referenceAttributes(resourceSpans.resource.attributes),
          droppedAttributesCount: resourceSpans.resource.droppedAttributesCount,
        }
      : { attributes: [], droppedAttributesCount: 0 };
    for (const scopeSpans of resourceSpans.scopeSpans) {
      const wireScope = scopeSpans.scope;
      const scope: InstrumentationScope = wireScope
        ? {
            name: text(wireScope.name),
            version: text(wireScope.version),
            attributes: referenceAttributes(wireScope.attributes),
            droppedAttributesCount: wireScope.droppedAttributesCount,
          }
        : { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
      for (const span of scopeSpans.spans) {
        const problem =
          idProblem(span.traceId, 16, 'trace id', false) ||
          idProblem(span.spanId, 8, 'span id', false) ||
          idProblem(span.parentSpanId, 8, 'parent span id', true);
        if (problem !== '' && problem !== 'parent span id is all zeros') {
          if (out.rejectedSpans++ === 0) out.errorMessage = `span rejected: ${problem}`;
          continue;
        }
        const links: SpanLink[] = [];
        let droppedLinks = 0;
        for (const link of span.links) {
          if (idProblem(link.traceId, 16, '', false) !== '' || idProblem(link.spanId, 8, '', false) !== '') {
            droppedLinks++;
            continue;
          }
          links.push({
            traceId: hex(link.traceId),
            spanId: hex(link.spanId),
            traceState: text(link.traceState),
            attributes: referenceAttributes(link.attributes),
            droppedAttributesCount: link.droppedAttributesCount,
            flags: link.flags,
          });
        }
        const events: SpanEvent[] = span.events.map((event) => ({
          timeUnixNano: u64(event.timeUnixNano),
          name: text(event.name),
          attributes: referenceAttributes(event.attributes),
          droppedAttributesCount: event.droppedAttributesCount,
        }));
        const status = span.status;
        const decoded: Span = {
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: problem === '' ? hex(span.parentSpanId) : '',
          traceState: text(span.traceState),
          flags: span.flags,
          name: text(span.name),
          kind: span.kind >= 0 && span.kind <= 5 ? span.kind : 0,
          startTimeUnixNano: u64(span.startTimeUnixNano),
          endTimeUnixNano: u64(span.endTimeUnixNano),
          attributes: referenceAttributes(span.attributes),
          droppedAttributesCount: span.droppedAttributesCount,
          events,
          droppedEventsCount: span.droppedEventsCount,
          links,
          droppedLinksCount: droppedLinks + span.droppedLinksCount,
          status: status
            ? { code: status.code >= 0 && status.code <= 2 ? status.code : 0, message: text(status.message) }
            : { code: 0, message: '' },
          resource,
          scope,
        };
        out.spans.push(decoded);
      }
    }
  }
  return out;
}

/** `decoded` with every bytes value as a plain Uint8Array. */
function withPlainBytes(decoded: DecodedSpans): DecodedSpans {
  const value = (v: AnyValue): AnyValue =>
    v.type === 'bytes'
      ? { type: 'bytes', value: new Uint8Array(v.value) }
      : v.type === 'array'
        ? { type: 'array', value: v.value.map(value) }
        : v.type === 'kvlist'
          ? { type: 'kvlist', value: attributes(v.value) }
          : v;
  const attributes = (list: readonly KeyValue[]) => list.map((kv) => ({ key: kv.key, value: value(kv.value) }));
  const resources = new Map<Resource, Resource>();
  const scopes = new Map<InstrumentationScope, InstrumentationScope>();
  return {
    ...decoded,
    spans: decoded.spans.map((span) => {
      if (!resources.has(span.resource)) {
        resources.set(span.resource, { ...span.resource, attributes: attributes(span.resource.attributes) });
      }
      if (!scopes.has(span.scope))
        scopes.set(span.scope, { ...span.scope, attributes: attributes(span.scope.attributes) });
      return {
        ...span,
        attributes: attributes(span.attributes),
        events: span.events.map((event) => ({ ...event, attributes: attributes(event.attributes) })),
        links: span.links.map((link) => ({ ...link, attributes: attributes(link.attributes) })),
        resource: resources.get(span.resource)!,
        scope: scopes.get(span.scope)!,
      };
    }),
  };
}

test('random requests decode to what an independent reference makes of them', () => {
  const generator = new Generator(13);
  let spans = 0;
  let rejected = 0;
  for (let round = 0; round < 150; round++) {
    const request = generator.request();
    const bytes = Request.encode(Request.fromObject(request)).finish();
    const expected = reference(request);
    spans += expected.spans.length;
    rejected += expected.rejectedSpans;
    // As a plain Uint8Array, as a Buffer, and inside a larger buffer at an odd offset.
    const plain = new Uint8Array(bytes);
    const framed = new Uint8Array(bytes.length + 7);
    framed.set(bytes, 3);
    assert.deepStrictEqual(decodeOtlpTraceRequestProto(plain), expected, `round ${round}`);
    assert.deepStrictEqual(
      decodeOtlpTraceRequestProto(framed.subarray(3, 3 + bytes.length)),
      expected,
      `round ${round}`,
    );
    // From a Buffer, bytes values come back as Buffers (Buffer's slice is a view, not a copy).
    const fromBuffer = decodeOtlpTraceRequestProto(Buffer.from(plain));
    assert.deepStrictEqual(withPlainBytes(fromBuffer), expected, `round ${round}, from a Buffer`);
  }
  // The generator reached what it was written for.
  assert.ok(spans > 5000 && rejected > 100, `${spans} spans, ${rejected} rejected`);
});
