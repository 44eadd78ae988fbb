import {
  type AnyValue,
  type Attributes,
  bytesToHex,
  type InstrumentationScope,
  type Resource,
  type Span,
  type SpanEvent,
  type SpanKind,
  type SpanLink,
  type StatusCode,
} from '@ariadne/protocol';
import { ByteReader, ByteWriter } from './byte-writer.js';

/**
 * The embedded store's span rows: a compact binary form of the domain spans,
 * used for WAL records and (compressed) block pages. Every string (keys,
 * values, names) is written once per chunk in a table and referred to by
 * index: spans repeat the same keys and mostly the same values, so this both
 * shrinks the data before compression and makes decoding cheaper (one string
 * object per distinct text). Resources and scopes are written once per chunk;
 * ids are raw bytes; end and event times are deltas from the span start.
 * Layout in README.md.
 */
const VERSION = 2;

/** A self-contained chunk (WAL records): its own string table, then the spans. */
export function encodeSpans(spans: readonly Span[]): Buffer {
  const dictionary = new StringDictionary();
  const body = encodeSpansWith(spans, dictionary);
  const out = new ByteWriter(body.length + dictionary.strings.length * 16 + 16);
  out.u8(VERSION);
  writeStrings(out, dictionary.strings);
  out.raw(body);
  return out.bytes();
}

export function decodeSpans(bytes: Buffer): Span[] {
  const reader = new ByteReader(bytes);
  const version = reader.u8();
  if (version !== VERSION) throw new RangeError(`unknown span row version ${version}`);
  return new Decoder(reader, readStrings(reader)).spans();
}

/**
 * Strings shared by many chunks: a block keeps one dictionary for all its
 * pages, so a value used in every page is stored once per block, not per page.
 */
export class StringDictionary {
  readonly strings: string[] = [];
  /** Set once a bytes, array or key-value list value was encoded with this dictionary. */
  sawNonTextValue = false;
  readonly #indexes = new Map<string, number>();

  indexOf(text: string): number {
    let index = this.#indexes.get(text);
    if (index === undefined) {
      index = this.strings.length;
      this.strings.push(text);
      this.#indexes.set(text, index);
    }
    return index;
  }
}

/** Spans whose strings live in `dictionary` (block pages). */
export function encodeSpansWith(spans: readonly Span[], dictionary: StringDictionary): Buffer {
  const out = new ByteWriter(64 * 1024);
  new Encoder(dictionary, out).spans(spans);
  return out.bytes();
}

/**
 * Appends the encoded spans to `out` (block pages: no buffer per trace). With
 * `omitTimes`, span start and end are left out: a block keeps them once, in
 * its search columns, and hands them back to `decodeSpansWith`.
 */
export function encodeSpansInto(
  spans: readonly Span[],
  dictionary: StringDictionary,
  out: ByteWriter,
  omitTimes = false,
): void {
  new Encoder(dictionary, out, omitTimes).spans(spans);
}

/** Start and end of each span of a chunk encoded with `omitTimes`, in chunk order. */
export interface SpanTimes {
  readonly start: readonly bigint[];
  readonly end: readonly bigint[];
  /** Index of the chunk's first span in `start` and `end`. */
  readonly first: number;
}

export function decodeSpansWith(bytes: Buffer, strings: readonly string[], times?: SpanTimes): Span[] {
  return new Decoder(new ByteReader(bytes), strings, times).spans();
}

export function writeStrings(out: ByteWriter, strings: readonly string[]): void {
  out.varUint(strings.length);
  for (const text of strings) out.string(text);
}

export function readStrings(reader: ByteReader): string[] {
  const strings: string[] = [];
  for (let i = reader.varUint(); i > 0; i--) strings.push(reader.string());
  return strings;
}

const HEX_ID = /^(?:[0-9a-f]{2})*$/;
/** Marks an id that is not lowercase hex (kept verbatim rather than refused). */
const TEXT_ID = 0xff;
/** Marks a trace id equal to the previous span's: spans arrive grouped by trace. */
const SAME_TRACE = 0xfe;
/** Marks a parent id equal to an earlier span's id in this chunk, followed by how many spans back. */
const EARLIER_SPAN = 0xfd;

const enum Tag {
  Empty = 0,
  String = 1,
  Bool = 2,
  Int = 3,
  Double = 4,
  Bytes = 5,
  Array = 6,
  KvList = 7,
}

class Encoder {
  readonly #keys: string[] = [];
  readonly #keyIndexes: number[] = [];
  #empty: number | undefined;
  constructor(
    readonly dictionary: StringDictionary,
    readonly out: ByteWriter,
    readonly omitTimes = false,
  ) {}

  text(value: string): void {
    // Empty trace states and status messages are most of the short texts: skip the lookup.
    if (value === '') {
      this.#empty ??= this.dictionary.indexOf('');
      this.out.varUint(this.#empty);
    } else this.out.varUint(this.dictionary.indexOf(value));
  }

  spans(spans: readonly Span[]): void {
    const out = this.out;
    const resources = new Map<Resource, number>();
    const scopes = new Map<InstrumentationScope, number>();
    for (const span of spans) {
      if (!resources.has(span.resource)) resources.set(span.resource, resources.size);
      if (!scopes.has(span.scope)) scopes.set(span.scope, scopes.size);
    }
    out.varUint(resources.size);
    for (const resource of resources.keys()) {
      this.attributes(resource.attributes);
      out.varUint(resource.droppedAttributesCount);
    }
    out.varUint(scopes.size);
    for (const scope of scopes.keys()) {
      this.text(scope.name);
      this.text(scope.version);
      this.attributes(scope.attributes);
      out.varUint(scope.droppedAttributesCount);
    }
    out.varUint(spans.length);
    // Random ids and absolute times do not compress: refer back to what came before instead.
    const positions = new Map<string, number>();
    let previousTrace = '';
    let previousStart = 0n;
    for (const [position, span] of spans.entries()) {
      if (span.traceId === previousTrace && position > 0) out.u8(SAME_TRACE);
      else this.id(span.traceId);
      previousTrace = span.traceId;
      this.id(span.spanId);
      const parentPosition = span.parentSpanId === '' ? undefined : positions.get(span.parentSpanId);
      if (parentPosition === undefined) this.id(span.parentSpanId);
      else {
        out.u8(EARLIER_SPAN);
        out.varUint(position - parentPosition);
      }
      positions.set(span.spanId, position);
      this.text(span.traceState);
      out.varUint(span.flags >>> 0);
      this.text(span.name);
      out.u8(span.kind);
      if (!this.omitTimes) {
        out.varInt64(span.startTimeUnixNano - previousStart);
        previousStart = span.startTimeUnixNano;
        out.varInt64(span.endTimeUnixNano - span.startTimeUnixNano);
      }
      this.attributes(span.attributes);
      out.varUint(span.droppedAttributesCount);
      out.varUint(span.events.length);
      for (const event of span.events) {
        out.varInt64(event.timeUnixNano - span.startTimeUnixNano);
        this.text(event.name);
        this.attributes(event.attributes);
        out.varUint(event.droppedAttributesCount);
      }
      out.varUint(span.droppedEventsCount);
      out.varUint(span.links.length);
      for (const link of span.links) {
        this.id(link.traceId);
        this.id(link.spanId);
        this.text(link.traceState);
        this.attributes(link.attributes);
        out.varUint(link.droppedAttributesCount);
        out.varUint(link.flags >>> 0);
      }
      out.varUint(span.droppedLinksCount);
      out.u8(span.status.code);
      this.text(span.status.message);
      out.varUint(resources.get(span.resource)!);
      out.varUint(scopes.get(span.scope)!);
    }
  }

  id(id: string): void {
    if (id.length <= 64 && HEX_ID.test(id)) {
      this.out.u8(id.length / 2);
      this.out.raw(Buffer.from(id, 'hex'));
    } else {
      this.out.u8(TEXT_ID);
      this.text(id);
    }
  }

  attributes(attributes: Attributes): void {
    this.out.varUint(attributes.length);
    const keys = this.#keys;
    const indexes = this.#keyIndexes;
    for (let position = 0; position < attributes.length; position++) {
      const { key, value } = attributes[position]!;
      // Spans list the same keys in the same order, usually as the same string
      // objects: an identity check at the same position saves a dictionary lookup.
      if (keys[position] === key) this.out.varUint(indexes[position]!);
      else {
        const index = this.dictionary.indexOf(key);
        keys[position] = key;
        indexes[position] = index;
        this.out.varUint(index);
      }
      this.value(value);
    }
  }

  value(value: AnyValue): void {
    const out = this.out;
    switch (value.type) {
      case 'string':
        out.u8(Tag.String);
        this.text(value.value);
        return;
      case 'bool':
        out.u8(Tag.Bool);
        out.u8(value.value ? 1 : 0);
        return;
      case 'int':
        out.u8(Tag.Int);
        out.varInt64(value.value);
        return;
      case 'double':
        out.u8(Tag.Double);
        out.f64(value.value);
        return;
      case 'bytes':
        this.dictionary.sawNonTextValue = true;
        out.u8(Tag.Bytes);
        out.varUint(value.value.length);
        out.raw(value.value);
        return;
      case 'array':
        this.dictionary.sawNonTextValue = true;
        out.u8(Tag.Array);
        out.varUint(value.value.length);
        for (const item of value.value) this.value(item);
        return;
      case 'kvlist':
        this.dictionary.sawNonTextValue = true;
        out.u8(Tag.KvList);
        this.attributes(value.value);
        return;
      case 'empty':
        out.u8(Tag.Empty);
        return;
    }
  }
}

class Decoder {
  constructor(
    readonly reader: ByteReader,
    readonly strings: readonly string[],
    readonly times?: SpanTimes,
  ) {}

  text(): string {
    const text = this.strings[this.reader.varUint()];
    if (text === undefined) throw new RangeError('string reference out of range');
    return text;
  }

  spans(): Span[] {
    const reader = this.reader;
    const times = this.times;
    const resources: Resource[] = [];
    for (let i = reader.varUint(); i > 0; i--) {
      resources.push({ attributes: this.attributes(), droppedAttributesCount: reader.varUint() });
    }
    const scopes: InstrumentationScope[] = [];
    for (let i = reader.varUint(); i > 0; i--) {
      scopes.push({
        name: this.text(),
        version: this.text(),
        attributes: this.attributes(),
        droppedAttributesCount: reader.varUint(),
      });
    }
    const spans: Span[] = [];
    let previousTrace = '';
    let previousStart = 0n;
    for (let i = reader.varUint(); i > 0; i--) {
      const traceId = this.id(previousTrace);
      previousTrace = traceId;
      const spanId = this.id();
      const parentSpanId = this.id(undefined, spans);
      const traceState = this.text();
      const flags = reader.varUint();
      const name = this.text();
      const kind = reader.u8() as SpanKind;
      let startTimeUnixNano: bigint;
      let endTimeUnixNano: bigint;
      if (times === undefined) {
        startTimeUnixNano = previousStart + reader.varInt64();
        previousStart = startTimeUnixNano;
        endTimeUnixNano = startTimeUnixNano + reader.varInt64();
      } else {
        const at = times.first + spans.length;
        const start = times.start[at];
        const end = times.end[at];
        if (start === undefined || end === undefined) throw new RangeError('span times out of range');
        startTimeUnixNano = start;
        endTimeUnixNano = end;
      }
      const attributes = this.attributes();
      const droppedAttributesCount = reader.varUint();
      const events: SpanEvent[] = [];
      for (let e = reader.varUint(); e > 0; e--) {
        events.push({
          timeUnixNano: startTimeUnixNano + reader.varInt64(),
          name: this.text(),
          attributes: this.attributes(),
          droppedAttributesCount: reader.varUint(),
        });
      }
      const droppedEventsCount = reader.varUint();
      const links: SpanLink[] = [];
      for (let l = reader.varUint(); l > 0; l--) {
        links.push({
          traceId: this.id(),
          spanId: this.id(),
          traceState: this.text(),
          attributes: this.attributes(),
          droppedAttributesCount: reader.varUint(),
          flags: reader.varUint(),
        });
      }
      const droppedLinksCount = reader.varUint();
      const status = { code: reader.u8() as StatusCode, message: this.text() };
      const resource = resources[reader.varUint()];
      const scope = scopes[reader.varUint()];
      if (resource === undefined || scope === undefined) throw new RangeError('span refers to a missing resource');
      spans.push({
        traceId,
        spanId,
        parentSpanId,
        traceState,
        flags,
        name,
        kind,
        startTimeUnixNano,
        endTimeUnixNano,
        attributes,
        droppedAttributesCount,
        events,
        droppedEventsCount,
        links,
        droppedLinksCount,
        status,
        resource,
        scope,
      });
    }
    return spans;
  }

  id(previousTrace?: string, earlier?: readonly Span[]): string {
    const length = this.reader.u8();
    if (length === TEXT_ID) return this.text();
    if (length === SAME_TRACE && previousTrace !== undefined) return previousTrace;
    if (length === EARLIER_SPAN && earlier !== undefined) {
      const parent = earlier[earlier.length - this.reader.varUint()];
      if (parent === undefined) throw new RangeError('parent reference out of range');
      return parent.spanId;
    }
    return bytesToHex(this.reader.raw(length));
  }

  attributes(): Attributes {
    const attributes = [];
    for (let i = this.reader.varUint(); i > 0; i--) attributes.push({ key: this.text(), value: this.value() });
    return attributes;
  }

  value(): AnyValue {
    const reader = this.reader;
    const tag = reader.u8();
    switch (tag) {
      case Tag.String:
        return { type: 'string', value: this.text() };
      case Tag.Bool:
        return { type: 'bool', value: reader.u8() === 1 };
      case Tag.Int:
        return { type: 'int', value: reader.varInt64() };
      case Tag.Double:
        return { type: 'double', value: reader.f64() };
      case Tag.Bytes:
        return { type: 'bytes', value: new Uint8Array(reader.raw(reader.varUint())) };
      case Tag.Array: {
        const items: AnyValue[] = [];
        for (let i = reader.varUint(); i > 0; i--) items.push(this.value());
        return { type: 'array', value: items };
      }
      case Tag.KvList:
        return { type: 'kvlist', value: this.attributes() };
      case Tag.Empty:
        return { type: 'empty' };
      default:
        throw new RangeError(`unknown value tag ${tag}`);
    }
  }
}
