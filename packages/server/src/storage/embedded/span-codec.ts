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
import { NumericValues } from './numeric-values.js';
import { ContentHash, SPAN_HASH } from './span-hash.js';
import { StringDictionary } from './string-dictionary.js';
import { TextSightings } from './text-sightings.js';

/**
 * The embedded store's span rows: a compact binary form of the domain spans.
 * Each span is encoded once, when it is written: its **body** (everything but
 * its ids and times) goes into the WAL record, and the cut later copies those
 * same bytes into the block's pages instead of encoding the span again. That
 * works because strings, resources and scopes are indexes into tables that
 * belong to the head (`SpanEncoder`), and the head's tables become the
 * block's. A WAL record carries the table entries added since the previous
 * record of its segment (a segment holds exactly one head's records), so a
 * segment replays front to back. Layout in README.md.
 */
export const WAL_RECORD_VERSION = 4;
/** 3 is 4 without texts in place (`Tag.Text`): a WAL left by the version before replays as it is. */
const READABLE_WAL_VERSIONS = [3, 4];

/** What span bodies refer to by index. */
export interface SpanTables {
  readonly strings: readonly string[];
  readonly resources: readonly Resource[];
  readonly scopes: readonly InstrumentationScope[];
}

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
  /** A string written in place (UTF-8, after its byte length) rather than as a dictionary index. */
  Text = 8,
}

/**
 * Text values at least this long may be written in place (`Tag.Text`) the
 * first time an encoder meets them (`inlineFirstTexts`); shorter ones always
 * go to the dictionary. A search for such a value must look for both forms.
 */
export const MIN_INLINE_TEXT = 8;

/** A scalar attribute value as span bodies hold it: strings by dictionary index. */
export type EncodedScalar =
  | { readonly type: 'string'; readonly index: number }
  | { readonly type: 'text'; readonly value: string }
  | { readonly type: 'int'; readonly value: bigint }
  | { readonly type: 'double'; readonly value: number };

/**
 * The bytes an attribute with this key (a dictionary index) and value is
 * encoded as in span bodies, for searching encoded rows without decoding them.
 */
export function encodedAttribute(key: number, value: EncodedScalar): Buffer {
  const out = new ByteWriter(24);
  out.varUint(key);
  switch (value.type) {
    case 'string':
      out.u8(Tag.String);
      out.varUint(value.index);
      break;
    case 'text':
      out.u8(Tag.Text);
      out.string(value.value);
      break;
    case 'int':
      out.u8(Tag.Int);
      out.varInt64(value.value);
      break;
    case 'double':
      out.u8(Tag.Double);
      out.f64(value.value);
      break;
  }
  return Buffer.from(out.bytes());
}

/**
 * A head's encoder: its string dictionary, resource and scope tables, and
 * how much of them its WAL segment already holds.
 */
export class SpanEncoder {
  readonly dictionary = new StringDictionary();
  /** The numbers seen under each key, for the block's meta. */
  readonly numericValues = new NumericValues();
  /** Encoded resources and scopes (attributes as dictionary indexes), in table order. */
  readonly #resources: Buffer[] = [];
  readonly #scopes: Buffer[] = [];
  readonly #resourceIndex = new Map<Resource, number>();
  readonly #scopeIndex = new Map<InstrumentationScope, number>();
  /** The first object of each resource and scope table entry, in table order: the tables' decoded form. */
  readonly #resourceObjects: Resource[] = [];
  readonly #scopeObjects: InstrumentationScope[] = [];
  /** This encoder's tables as a decoder reads them (they only grow, so records written earlier stay readable with them). */
  readonly tables: SpanTables = {
    strings: this.dictionary.strings,
    resources: this.#resourceObjects,
    scopes: this.#scopeObjects,
  };
  /** Receivers decode a new resource object per request: equal contents share one entry. */
  readonly #byContent = new Map<string, number>();
  #loggedStrings = 0;
  #loggedResources = 0;
  #loggedScopes = 0;
  readonly #spans = new ByteWriter(256 * 1024);
  readonly #header = new ByteWriter(64 * 1024);
  readonly #scratch = new ByteWriter(1024);
  readonly #keys: string[] = [];
  readonly #keyIndexes: number[] = [];
  #empty = -1;
  /**
   * Every span is hashed as it is encoded (`recordAdmitted`): each value the
   * body writes is mixed in as it is written, but strings, resources and
   * scopes by the content hash of what their index names, never by the index
   * (the dictionary and tables are this head's only). So a copy of a span
   * has the hash of the first, whichever heads encoded them.
   */
  readonly #spanHash = new ContentHash();
  /** Where the encoding's values are mixed: the span's hash, or a table entry's while one is encoded. */
  #hash = this.#spanHash;
  readonly #entryHash = new ContentHash();
  readonly #stringHash = new ContentHash();
  /** Per dictionary index, its string's content hash (two words), filled up to the highest index used. */
  readonly #textHashes: number[] = [];
  /** Per resource and scope table index, the entry's content hash (two words). */
  readonly #resourceHashes: number[] = [];
  readonly #scopeHashes: number[] = [];
  #hashedTrace = '';
  #traceWord0 = 0;
  #traceWord1 = 0;
  /** Whether long text values of span bodies go in place the first time (`inlineFirstTexts`). */
  readonly #inlineFirst: boolean;
  /** The long text values met so far in the record being written (with `inlineFirstTexts`). */
  #metTexts: TextSightings | undefined;
  /** Whether text values written now may go in place: in a span's body, not in a resource or scope entry. */
  #inlining = false;

  /**
   * `inlineFirstTexts`: a long text value of a span body is written in place
   * the first time this encoder meets it, and goes to the dictionary only
   * from the second time on. For an encoder of one batch (a decode worker's):
   * values that are new in every span (ids, URLs, statements) then never
   * enter a head's dictionary, so taking the batch copies them byte for byte
   * instead of looking each one up in a table of millions, and the dictionary
   * keeps only what repeats.
   */
  constructor(options: { readonly inlineFirstTexts?: boolean } = {}) {
    this.#inlineFirst = options.inlineFirstTexts === true;
  }

  /**
   * A WAL record of the batch. `bodies` receives, per span, where its body
   * starts and ends in the record (two numbers per span).
   */
  record(spans: readonly Span[], bodies: number[]): Buffer {
    return this.#record(spans, bodies, undefined).record!;
  }

  /**
   * A WAL record of the spans of the batch that `admit` takes, given each
   * span's content hash (ids, times and every field; `span-hash.ts`): the
   * others are left out as if never encoded. `record` is undefined when it
   * takes none (the tables then go into the next record).
   */
  recordAdmitted(
    spans: readonly Span[],
    bodies: number[],
    admit: (hash0: number, hash1: number) => boolean,
  ): { readonly record: Buffer | undefined; readonly kept: readonly Span[] } {
    return this.#record(spans, bodies, admit);
  }

  #record(
    spans: readonly Span[],
    bodies: number[],
    admit: ((hash0: number, hash1: number) => boolean) | undefined,
  ): { readonly record: Buffer | undefined; readonly kept: readonly Span[] } {
    const out = this.#spans;
    out.reset();
    // About 16 attributes a span at most, before a text may look met when it is not.
    if (this.#inlineFirst) this.#metTexts = TextSightings.sizedFor(spans.length * 16);
    let previousTrace = '';
    let previousStart = 0n;
    let count = 0;
    let kept: Span[] | undefined;
    const firstBody = bodies.length;
    const hash = this.#spanHash;
    for (let position = 0; position < spans.length; position++) {
      const span = spans[position]!;
      const spanAt = out.length;
      hash.reset();
      if (span.traceId === previousTrace && count > 0) out.u8(SAME_TRACE);
      else this.#writeId(out, span.traceId);
      this.#mixTraceId(span.traceId);
      this.#id(out, span.spanId);
      this.#id(out, span.parentSpanId);
      out.varInt64(span.startTimeUnixNano - previousStart);
      out.varInt64(span.endTimeUnixNano - span.startTimeUnixNano);
      hash.int64(span.startTimeUnixNano);
      hash.int64(span.endTimeUnixNano);
      const start = out.length;
      this.body(span, out);
      if (admit !== undefined) {
        hash.finish();
        if (!admit(SPAN_HASH[0]!, SPAN_HASH[1]!)) {
          out.truncate(spanAt);
          kept ??= spans.slice(0, position);
          continue;
        }
      }
      previousTrace = span.traceId;
      previousStart = span.startTimeUnixNano;
      kept?.push(span);
      count++;
      bodies.push(start, out.length);
    }
    if (count === 0 && admit !== undefined) return { record: undefined, kept: [] };
    return { record: this.finishRecord(out, count, bodies, firstBody), kept: kept ?? spans };
  }

  /**
   * The WAL record of `count` spans already written to `out` (ids, times,
   * bodies, as `record` writes them): the tables added since the previous
   * record go in front. Moves the body positions from `firstBody` on by the
   * header's length.
   */
  finishRecord(out: ByteWriter, count: number, bodies: number[], firstBody: number): Buffer {
    const header = this.#header;
    header.reset();
    header.u8(WAL_RECORD_VERSION);
    const strings = this.dictionary.strings;
    header.varUint(strings.length - this.#loggedStrings);
    for (let i = this.#loggedStrings; i < strings.length; i++) header.string(strings[i]!);
    this.#loggedStrings = strings.length;
    header.varUint(this.#resources.length - this.#loggedResources);
    for (let i = this.#loggedResources; i < this.#resources.length; i++) header.raw(this.#resources[i]!);
    this.#loggedResources = this.#resources.length;
    header.varUint(this.#scopes.length - this.#loggedScopes);
    for (let i = this.#loggedScopes; i < this.#scopes.length; i++) header.raw(this.#scopes[i]!);
    this.#loggedScopes = this.#scopes.length;
    header.varUint(count);
    const record = Buffer.allocUnsafe(header.length + out.length);
    record.set(header.bytes(), 0);
    record.set(out.bytes(), header.length);
    for (let i = firstBody; i < bodies.length; i++) bodies[i]! += header.length;
    return record;
  }

  /** The dictionary index of a text, as a body refers to it. */
  textIndex(value: string): number {
    if (value !== '') return this.dictionary.indexOf(value);
    if (this.#empty === -1) this.#empty = this.dictionary.indexOf('');
    return this.#empty;
  }

  /** The table index of a resource (equal contents share one), as a body refers to it. */
  resourceIndex(resource: Resource): number {
    return this.#resourceOf(resource);
  }

  /** The table index of a scope (equal contents share one), as a body refers to it. */
  scopeIndex(scope: InstrumentationScope): number {
    return this.#scopeOf(scope);
  }

  /** A span's trace, span or parent id as a record writes it. */
  writeId(out: ByteWriter, id: string): void {
    this.#writeId(out, id);
  }

  /** Mixes in the trace id's content hash, kept for the run of spans of one trace. */
  #mixTraceId(traceId: string): void {
    if (traceId !== this.#hashedTrace) {
      const hash = this.#stringHash;
      hash.reset();
      hash.text(traceId);
      hash.finish();
      this.#hashedTrace = traceId;
      this.#traceWord0 = SPAN_HASH[0]!;
      this.#traceWord1 = SPAN_HASH[1]!;
    }
    this.#spanHash.word(this.#traceWord0);
    this.#spanHash.word(this.#traceWord1);
  }

  /** Mixes in the content hash of the string at this dictionary index. */
  #mixText(index: number): void {
    const hashes = this.#textHashes;
    if (index * 2 >= hashes.length) {
      const strings = this.dictionary.strings;
      const hash = this.#stringHash;
      for (let i = hashes.length / 2; i <= index; i++) {
        hash.reset();
        hash.text(strings[i]!);
        hash.finish();
        hashes.push(SPAN_HASH[0]!, SPAN_HASH[1]!);
      }
    }
    this.#hash.word(hashes[index * 2]!);
    this.#hash.word(hashes[index * 2 + 1]!);
  }

  /**
   * Writes a text met for the first time in this record in place; false
   * when it was (probably) met before: the caller writes it as a dictionary
   * index. Hashed as the
   * dictionary form is (the string tag, then the text's content hash), so a
   * span's hash does not depend on which form its values took.
   */
  #writeInPlace(out: ByteWriter, text: string): boolean {
    // The text's content hash is needed for the span's anyway; it also keys the sightings
    // (a false "met" only sends a text to the dictionary).
    const hash = this.#stringHash;
    hash.reset();
    hash.text(text);
    hash.finish();
    const word0 = SPAN_HASH[0]!;
    const word1 = SPAN_HASH[1]!;
    if (this.#metTexts!.sight(word0)) return false;
    out.u8(Tag.Text);
    this.#hash.word(Tag.String);
    out.string(text);
    this.#hash.word(word0);
    this.#hash.word(word1);
    return true;
  }

  #n(out: ByteWriter, value: number): void {
    out.varUint(value);
    this.#hash.word(value);
  }

  #u8(out: ByteWriter, value: number): void {
    out.u8(value);
    this.#hash.word(value);
  }

  /** The next record carries the whole tables again (its segment starts here). */
  restartLog(): void {
    this.#loggedStrings = 0;
    this.#loggedResources = 0;
    this.#loggedScopes = 0;
  }

  /** The tables a block cut from this head stores once: strings, resources, scopes. */
  writeTables(out: ByteWriter): void {
    writeStrings(out, this.dictionary.strings);
    out.varUint(this.#resources.length);
    for (const resource of this.#resources) out.raw(resource);
    out.varUint(this.#scopes.length);
    for (const scope of this.#scopes) out.raw(scope);
  }

  /** A span without its ids and times: what a WAL record and a block page share. */
  body(span: Span, out: ByteWriter): void {
    this.#inlining = this.#inlineFirst;
    this.#text(out, span.traceState);
    this.#n(out, span.flags >>> 0);
    this.#text(out, span.name);
    this.#u8(out, span.kind);
    this.#attributes(out, span.attributes);
    this.#n(out, span.droppedAttributesCount);
    this.#n(out, span.events.length);
    for (const event of span.events) {
      const offset = event.timeUnixNano - span.startTimeUnixNano;
      out.varInt64(offset);
      this.#hash.int64(offset);
      this.#text(out, event.name);
      this.#attributes(out, event.attributes);
      this.#n(out, event.droppedAttributesCount);
    }
    this.#n(out, span.droppedEventsCount);
    this.#n(out, span.links.length);
    for (const link of span.links) {
      this.#id(out, link.traceId);
      this.#id(out, link.spanId);
      this.#text(out, link.traceState);
      this.#attributes(out, link.attributes);
      this.#n(out, link.droppedAttributesCount);
      this.#n(out, link.flags >>> 0);
    }
    this.#n(out, span.droppedLinksCount);
    this.#u8(out, span.status.code);
    this.#text(out, span.status.message);
    this.#inlining = false;
    const resource = this.#resourceOf(span.resource);
    out.varUint(resource);
    this.#hash.word(this.#resourceHashes[resource * 2]!);
    this.#hash.word(this.#resourceHashes[resource * 2 + 1]!);
    const scope = this.#scopeOf(span.scope);
    out.varUint(scope);
    this.#hash.word(this.#scopeHashes[scope * 2]!);
    this.#hash.word(this.#scopeHashes[scope * 2 + 1]!);
  }

  /**
   * A block page chunk: one trace's spans. `bodies` holds, per span, the
   * record index and body bounds in `records` (from `record`), or -1 for a
   * span to encode here (one written through another head's encoder).
   */
  chunk(
    out: ByteWriter,
    traceId: string,
    spans: readonly Span[],
    bodies: readonly number[],
    records: readonly Buffer[],
  ): void {
    this.#id(out, traceId);
    out.varUint(spans.length);
    const positions = new Map<string, number>();
    for (let position = 0; position < spans.length; position++) {
      const span = spans[position]!;
      this.#id(out, span.spanId);
      const parentPosition = span.parentSpanId === '' ? undefined : positions.get(span.parentSpanId);
      if (parentPosition === undefined) this.#id(out, span.parentSpanId);
      else {
        out.u8(EARLIER_SPAN);
        out.varUint(position - parentPosition);
      }
      positions.set(span.spanId, position);
      const record = bodies[position * 3]!;
      if (record === -1) this.body(span, out);
      else out.copyFrom(records[record]!, bodies[position * 3 + 1]!, bodies[position * 3 + 2]!);
    }
  }

  #resourceOf(resource: Resource): number {
    const known = this.#resourceIndex.get(resource);
    if (known !== undefined) return known;
    const scratch = this.#scratch;
    scratch.reset();
    const outer = this.#startEntryHash();
    this.#attributes(scratch, resource.attributes);
    this.#n(scratch, resource.droppedAttributesCount);
    const index = this.#intern(this.#resources, 'r', scratch);
    this.#endEntryHash(outer, this.#resourceHashes, index);
    this.#resourceIndex.set(resource, index);
    if (index === this.#resourceObjects.length) this.#resourceObjects.push(resource);
    return index;
  }

  #scopeOf(scope: InstrumentationScope): number {
    const known = this.#scopeIndex.get(scope);
    if (known !== undefined) return known;
    const scratch = this.#scratch;
    scratch.reset();
    const outer = this.#startEntryHash();
    this.#text(scratch, scope.name);
    this.#text(scratch, scope.version);
    this.#attributes(scratch, scope.attributes);
    this.#n(scratch, scope.droppedAttributesCount);
    const index = this.#intern(this.#scopes, 's', scratch);
    this.#endEntryHash(outer, this.#scopeHashes, index);
    this.#scopeIndex.set(scope, index);
    if (index === this.#scopeObjects.length) this.#scopeObjects.push(scope);
    return index;
  }

  /** A table entry is hashed on its own, then mixed into a span's hash as two words. */
  #startEntryHash(): ContentHash {
    const outer = this.#hash;
    this.#entryHash.reset();
    this.#hash = this.#entryHash;
    return outer;
  }

  #endEntryHash(outer: ContentHash, hashes: number[], index: number): void {
    this.#hash = outer;
    // Equal contents share an entry (and so its hash): only a new entry adds one.
    if (index * 2 < hashes.length) return;
    this.#entryHash.finish();
    hashes.push(SPAN_HASH[0]!, SPAN_HASH[1]!);
  }

  #intern(table: Buffer[], kind: string, encoded: ByteWriter): number {
    const content = kind + encoded.bytes().toString('latin1');
    let index = this.#byContent.get(content);
    if (index === undefined) {
      index = table.length;
      table.push(Buffer.from(encoded.bytes()));
      this.#byContent.set(content, index);
    }
    return index;
  }

  #text(out: ByteWriter, value: string): void {
    // Empty trace states and status messages are most of the short texts: skip the lookup.
    let index: number;
    if (value === '') {
      if (this.#empty === -1) this.#empty = this.dictionary.indexOf('');
      index = this.#empty;
    } else index = this.dictionary.indexOf(value);
    out.varUint(index);
    this.#mixText(index);
  }

  #id(out: ByteWriter, id: string): void {
    const at = out.length;
    if (out.hexId(id)) {
      // The bytes just parsed (length, then the id), four to a word: fewer steps than its characters.
      const hash = this.#hash;
      const end = out.length;
      for (let i = at; i < end; i += 4) {
        hash.word(
          out.byteAt(i) |
            ((i + 1 < end ? out.byteAt(i + 1) : 0) << 8) |
            ((i + 2 < end ? out.byteAt(i + 2) : 0) << 16) |
            ((i + 3 < end ? out.byteAt(i + 3) : 0) << 24),
        );
      }
    } else {
      out.u8(TEXT_ID);
      this.#text(out, id);
    }
  }

  /** An id, not mixed into the hash (the caller mixes it). */
  #writeId(out: ByteWriter, id: string): void {
    if (out.hexId(id)) return;
    out.u8(TEXT_ID);
    out.varUint(this.dictionary.indexOf(id));
  }

  #attributes(out: ByteWriter, attributes: Attributes): void {
    this.#n(out, attributes.length);
    const keys = this.#keys;
    const indexes = this.#keyIndexes;
    for (let position = 0; position < attributes.length; position++) {
      const { key, value } = attributes[position]!;
      // Spans list the same keys in the same order, usually as the same string
      // objects: an identity check at the same position saves a dictionary lookup.
      let index: number;
      if (keys[position] === key) index = indexes[position]!;
      else {
        index = this.dictionary.indexOf(key);
        keys[position] = key;
        indexes[position] = index;
      }
      out.varUint(index);
      this.#mixText(index);
      if (value.type === 'int' || value.type === 'double') this.numericValues.add(index, value.value);
      this.#value(out, value);
    }
  }

  #value(out: ByteWriter, value: AnyValue): void {
    const hash = this.#hash;
    switch (value.type) {
      case 'string':
        if (this.#inlining && value.value.length >= MIN_INLINE_TEXT && this.#writeInPlace(out, value.value)) return;
        this.#u8(out, Tag.String);
        this.#text(out, value.value);
        return;
      case 'bool':
        this.#u8(out, Tag.Bool);
        this.#u8(out, value.value ? 1 : 0);
        return;
      case 'int':
        this.#u8(out, Tag.Int);
        out.varInt64(value.value);
        hash.int64(value.value);
        return;
      case 'double':
        this.#u8(out, Tag.Double);
        out.f64(value.value);
        hash.f64(value.value);
        return;
      case 'bytes':
        this.dictionary.sawNonTextValue = true;
        this.#u8(out, Tag.Bytes);
        this.#n(out, value.value.length);
        out.raw(value.value);
        for (const byte of value.value) hash.word(byte);
        return;
      case 'array':
        this.dictionary.sawNonTextValue = true;
        this.#u8(out, Tag.Array);
        this.#n(out, value.value.length);
        for (const item of value.value) this.#value(out, item);
        return;
      case 'kvlist':
        this.dictionary.sawNonTextValue = true;
        this.#u8(out, Tag.KvList);
        this.#attributes(out, value.value);
        return;
      case 'empty':
        this.#u8(out, Tag.Empty);
        return;
    }
  }
}

/**
 * Reads the records of one WAL segment, in order: each record may add to the
 * tables the following ones refer to.
 */
export class WalRecordDecoder {
  readonly #tables = { strings: [] as string[], resources: [] as Resource[], scopes: [] as InstrumentationScope[] };

  decode(payload: Buffer): Span[] {
    const reader = new ByteReader(payload);
    const version = reader.u8();
    if (!READABLE_WAL_VERSIONS.includes(version)) {
      throw new RangeError(
        `WAL record version ${version} is not readable by this version of Ariadne (it reads versions ${READABLE_WAL_VERSIONS.join(', ')})`,
      );
    }
    const tables = this.#tables;
    for (let i = reader.varUint(); i > 0; i--) tables.strings.push(reader.string());
    const decoder = new Decoder(reader, tables);
    for (let i = reader.varUint(); i > 0; i--) tables.resources.push(decoder.resource());
    for (let i = reader.varUint(); i > 0; i--) tables.scopes.push(decoder.scope());
    return readRecordSpans(reader, decoder);
  }
}

/** The spans of a record, after its tables. */
function readRecordSpans(reader: ByteReader, decoder: Decoder): Span[] {
  const spans: Span[] = [];
  let previousTrace = '';
  let previousStart = 0n;
  for (let i = reader.varUint(); i > 0; i--) {
    const traceId = decoder.id(previousTrace);
    previousTrace = traceId;
    const spanId = decoder.id();
    const parentSpanId = decoder.id();
    const start = previousStart + reader.varInt64();
    previousStart = start;
    const end = start + reader.varInt64();
    spans.push(decoder.body(traceId, spanId, parentSpanId, start, end));
  }
  return spans;
}

/**
 * One span whose body starts at `at` in `bytes` (a record or a chunk), with
 * the ids and times the caller read elsewhere.
 */
export function decodeBodyAt(
  bytes: Buffer,
  at: number,
  tables: SpanTables,
  traceId: string,
  spanId: string,
  parentSpanId: string,
  start: bigint,
  end: bigint,
): Span {
  const reader = new ByteReader(bytes);
  reader.offset = at;
  return new Decoder(reader, tables).body(traceId, spanId, parentSpanId, start, end);
}

/**
 * The tables at the front of a record that starts its own tables (a span
 * batch: `SpanEncoder.record` of a fresh encoder), and where its spans begin.
 */
export function readRecordTables(payload: Buffer): { readonly tables: SpanTables; readonly spansAt: number } {
  const reader = new ByteReader(payload);
  const version = reader.u8();
  if (version !== WAL_RECORD_VERSION)
    throw new RangeError(`span batch version ${version} is not ${WAL_RECORD_VERSION}`);
  const tables = { strings: [] as string[], resources: [] as Resource[], scopes: [] as InstrumentationScope[] };
  for (let i = reader.varUint(); i > 0; i--) tables.strings.push(reader.string());
  const decoder = new Decoder(reader, tables);
  for (let i = reader.varUint(); i > 0; i--) tables.resources.push(decoder.resource());
  for (let i = reader.varUint(); i > 0; i--) tables.scopes.push(decoder.scope());
  return { tables, spansAt: reader.offset };
}

/** Reads what `SpanEncoder.writeTables` wrote. */
export function readTables(reader: ByteReader): SpanTables {
  const strings = readStrings(reader);
  const tables = { strings, resources: [] as Resource[], scopes: [] as InstrumentationScope[] };
  const decoder = new Decoder(reader, tables);
  for (let i = reader.varUint(); i > 0; i--) tables.resources.push(decoder.resource());
  for (let i = reader.varUint(); i > 0; i--) tables.scopes.push(decoder.scope());
  return tables;
}

/** Start and end of each span of a page, in page order. */
export interface SpanTimes {
  readonly start: readonly bigint[];
  readonly end: readonly bigint[];
  /** Index of the chunk's first span in `start` and `end`. */
  readonly first: number;
}

/** The spans of a block page chunk (`SpanEncoder.chunk`); their times come from the page's columns. */
export function decodeChunk(bytes: Buffer, tables: SpanTables, times: SpanTimes): Span[] {
  const reader = new ByteReader(bytes);
  const decoder = new Decoder(reader, tables);
  const traceId = decoder.id();
  const spans: Span[] = [];
  for (let i = reader.varUint(); i > 0; i--) {
    const spanId = decoder.id();
    const parentSpanId = decoder.id(undefined, spans);
    const at = times.first + spans.length;
    const start = times.start[at];
    const end = times.end[at];
    if (start === undefined || end === undefined) throw new RangeError('span times out of range');
    spans.push(decoder.body(traceId, spanId, parentSpanId, start, end));
  }
  return spans;
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

class Decoder {
  constructor(
    readonly reader: ByteReader,
    readonly tables: SpanTables,
  ) {}

  text(): string {
    const text = this.tables.strings[this.reader.varUint()];
    if (text === undefined) throw new RangeError('string reference out of range');
    return text;
  }

  resource(): Resource {
    return { attributes: this.attributes(), droppedAttributesCount: this.reader.varUint() };
  }

  scope(): InstrumentationScope {
    return {
      name: this.text(),
      version: this.text(),
      attributes: this.attributes(),
      droppedAttributesCount: this.reader.varUint(),
    };
  }

  body(traceId: string, spanId: string, parentSpanId: string, start: bigint, end: bigint): Span {
    const reader = this.reader;
    const traceState = this.text();
    const flags = reader.varUint();
    const name = this.text();
    const kind = reader.u8() as SpanKind;
    const attributes = this.attributes();
    const droppedAttributesCount = reader.varUint();
    const events: SpanEvent[] = [];
    for (let e = reader.varUint(); e > 0; e--) {
      events.push({
        timeUnixNano: start + reader.varInt64(),
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
    const resource = this.tables.resources[reader.varUint()];
    const scope = this.tables.scopes[reader.varUint()];
    if (resource === undefined || scope === undefined) throw new RangeError('span refers to a missing resource');
    return {
      traceId,
      spanId,
      parentSpanId,
      traceState,
      flags,
      name,
      kind,
      startTimeUnixNano: start,
      endTimeUnixNano: end,
      attributes,
      droppedAttributesCount,
      events,
      droppedEventsCount,
      links,
      droppedLinksCount,
      status,
      resource,
      scope,
    };
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
      case Tag.Text:
        return { type: 'string', value: reader.string() };
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

/** The attribute keys whose first values `skimChunk` reports: of spans, and of events. */
export interface SkimKeys {
  readonly span: readonly string[];
  readonly event: string;
}

/** What `skimChunk` reports, span by span, each span's events right after it. */
export interface ChunkSkimVisitor {
  /**
   * A span, at `position` in the chunk (and its page's times), and the
   * position of its parent when the chunk refers to it as an earlier span
   * (-1: by id, or none). `values` holds the first value of each of
   * `SkimKeys.span` among its attributes (undefined: none); it is reused
   * for the next span.
   */
  span(
    position: number,
    spanId: string,
    parentSpanId: string,
    parentPosition: number,
    name: string,
    resource: Resource,
    status: StatusCode,
    values: readonly (AnyValue | undefined)[],
  ): void;
  /**
   * An event of that span: nanoseconds after the span's start (a bigint
   * only past 2^52), its name and its first `SkimKeys.event` value. False:
   * the span's further events are skipped.
   */
  event(offsetNanos: number | bigint, name: string, value: AnyValue | undefined): boolean;
}

/** `RawChunkVisitor`'s id length for an id kept as text: its position is a dictionary index. */
export const TEXT_ID_LENGTH = -1;
/** `RawChunkVisitor`'s id length for a parent named as an earlier span of the chunk: its position is that span's. */
export const EARLIER_ID = -2;

/**
 * What `walkChunk` reports: `skimChunk`'s visitor, with numbers for texts. An
 * id is where its bytes are in the chunk (`at`, `length`), or a text
 * (`TEXT_ID_LENGTH`, `at` its dictionary index), or for a parent an earlier
 * span (`EARLIER_ID`, `at` its position); an empty id is 0 bytes. Names are
 * dictionary indexes, the resource an index into the tables' resources.
 */
export interface RawChunkVisitor {
  span(
    position: number,
    idAt: number,
    idLength: number,
    parentAt: number,
    parentLength: number,
    name: number,
    resource: number,
    status: StatusCode,
    values: readonly (AnyValue | undefined)[],
  ): void;
  event(offsetNanos: number | bigint, name: number, value: AnyValue | undefined): boolean;
}

/**
 * `skimChunk` without a text per span: ids as bytes of the chunk, names as
 * dictionary indexes. For the packed outline of a large trace
 * (`PackedTraceOutline`), whose ids stay numbers.
 */
export function walkChunk(bytes: Buffer, tables: SpanTables, keys: SkimKeys, visit: RawChunkVisitor): void {
  new ChunkSkimmer(bytes, tables, keys).walk(visit);
}

/**
 * Walks a block page chunk (`SpanEncoder.chunk`) without building spans:
 * ids, parent, name, resource, status and the chosen attribute values, the
 * rest skipped over. For views that need a few fields of every span of a
 * large trace, which decoding every attribute into objects would make many
 * times slower.
 */
export function skimChunk(bytes: Buffer, tables: SpanTables, keys: SkimKeys, visit: ChunkSkimVisitor): void {
  new ChunkSkimmer(bytes, tables, keys).run(visit);
}

/**
 * The spans of a block page chunk whose id is `spanId` (a store may keep a
 * span twice), decoded as `decodeChunk` would, without decoding the others:
 * a span's details out of a trace of 100,000.
 */
export function decodeChunkSpansWithId(bytes: Buffer, tables: SpanTables, times: SpanTimes, spanId: string): Span[] {
  return new ChunkSkimmer(bytes, tables, NO_SKIM_KEYS).spansWithId(spanId, times);
}

const NO_SKIM_KEYS: SkimKeys = { span: [], event: '' };

/**
 * Reads bytes itself (a position and the buffer, no reader object per
 * value): a large trace's chunk is megabytes of attributes to step over.
 * Values it keeps are decoded by a `Decoder` placed at the same position.
 */
class ChunkSkimmer {
  readonly #bytes: Buffer;
  #at = 0;
  readonly #reader: ByteReader;
  readonly #decoder: Decoder;
  readonly #strings: readonly string[];
  readonly #tables: SpanTables;
  /** Dictionary indexes of the keys; -1 for a key the dictionary lacks (no attribute has it). */
  readonly #spanKeys: Int32Array;
  readonly #eventKeys: Int32Array;
  readonly #values: (AnyValue | undefined)[];
  readonly #eventValues: (AnyValue | undefined)[] = [undefined];
  readonly #ids: string[] = [];
  /** Where the last id `#rawId` read is (see there). */
  #idAt = 0;
  #idLength = 0;

  constructor(bytes: Buffer, tables: SpanTables, keys: SkimKeys) {
    this.#bytes = bytes;
    this.#reader = new ByteReader(bytes);
    this.#decoder = new Decoder(this.#reader, tables);
    this.#strings = tables.strings;
    this.#tables = tables;
    this.#spanKeys = Int32Array.from(keys.span, (key) => tables.strings.indexOf(key));
    this.#eventKeys = Int32Array.of(tables.strings.indexOf(keys.event));
    this.#values = keys.span.map(() => undefined);
  }

  run(visit: ChunkSkimVisitor): void {
    const ids = this.#ids;
    const tables = this.#tables;
    this.#walk({
      span: (position, idAt, idLength, parentAt, parentLength, name, resource, status, values) => {
        const spanId = this.#idText(idAt, idLength);
        const parentSpanId =
          parentLength === EARLIER_ID ? this.#earlierId(parentAt) : this.#idText(parentAt, parentLength);
        ids.push(spanId);
        visit.span(
          position,
          spanId,
          parentSpanId,
          parentLength === EARLIER_ID ? parentAt : -1,
          this.#string(name),
          tables.resources[resource] as Resource,
          status,
          values,
        );
      },
      event: (offset, name, value) => visit.event(offset, this.#string(name), value),
    });
  }

  /** Like `run`, with ids as where their bytes are in the chunk and names as dictionary indexes. */
  walk(visit: RawChunkVisitor): void {
    this.#walk(visit);
  }

  #walk(visit: RawChunkVisitor): void {
    this.#rawId();
    const values = this.#values;
    for (let count = this.#varUint(), position = 0; position < count; position++) {
      this.#rawId();
      const idAt = this.#idAt;
      const idLength = this.#idLength;
      this.#rawId(position);
      const parentAt = this.#idAt;
      const parentLength = this.#idLength;
      this.#varUint(); // trace state
      this.#varUint(); // flags
      const name = this.#varUint();
      this.#u8(); // kind
      const found = this.#attributes(this.#spanKeys, values);
      this.#varUint(); // dropped attributes
      // Events and links come before the status and resource: remember where, report after.
      const eventsAt = this.#at;
      this.#skipEventsAndLinks();
      const status = this.#u8() as StatusCode;
      this.#varUint(); // status message
      const resource = this.#varUint();
      const scope = this.#varUint();
      if (resource >= this.#tables.resources.length || scope >= this.#tables.scopes.length) {
        throw new RangeError('span refers to a missing resource');
      }
      const end = this.#at;
      visit.span(position, idAt, idLength, parentAt, parentLength, name, resource, status, values);
      if (found) values.fill(undefined);
      this.#at = eventsAt;
      const eventValues = this.#eventValues;
      for (let e = this.#varUint(); e > 0; e--) {
        const reader = this.#reader;
        reader.offset = this.#at;
        const offset = reader.varIntNumber() ?? reader.varInt64();
        this.#at = reader.offset;
        const eventName = this.#varUint();
        if (eventName >= this.#strings.length) throw new RangeError('string reference out of range');
        eventValues[0] = undefined;
        this.#attributes(this.#eventKeys, eventValues);
        this.#varUint();
        if (!visit.event(offset, eventName, eventValues[0])) break;
      }
      this.#at = end;
    }
  }

  /**
   * The spans with id `wanted`, decoded whole (times from the page's
   * columns), every other span stepped over.
   */
  spansWithId(wanted: string, times: SpanTimes): Span[] {
    const traceId = this.#id();
    const found: Span[] = [];
    for (let count = this.#varUint(), position = 0; position < count; position++) {
      const spanId = this.#id();
      const parentSpanId = this.#id(position);
      this.#ids.push(spanId);
      if (spanId !== wanted) {
        this.#skipBody();
        continue;
      }
      const start = times.start[times.first + position];
      const end = times.end[times.first + position];
      if (start === undefined || end === undefined) throw new RangeError('span times out of range');
      this.#reader.offset = this.#at;
      found.push(this.#decoder.body(traceId, spanId, parentSpanId, start, end));
      this.#at = this.#reader.offset;
    }
    return found;
  }

  /** A span body (`SpanEncoder.body`), stepped over. */
  #skipBody(): void {
    this.#varUint(); // trace state
    this.#varUint(); // flags
    this.#varUint(); // name
    this.#u8(); // kind
    this.#attributes(undefined, undefined);
    this.#varUint(); // dropped attributes
    this.#skipEventsAndLinks();
    this.#u8(); // status code
    this.#varUint(); // status message
    this.#varUint(); // resource
    this.#varUint(); // scope
  }

  /** Events, dropped events, links and dropped links, stepped over. */
  #skipEventsAndLinks(): void {
    for (let e = this.#varUint(); e > 0; e--) {
      this.#skipVarint();
      this.#varUint();
      this.#attributes(undefined, undefined);
      this.#varUint();
    }
    this.#varUint(); // dropped events
    for (let l = this.#varUint(); l > 0; l--) {
      this.#id();
      this.#id();
      this.#varUint();
      this.#attributes(undefined, undefined);
      this.#varUint();
      this.#varUint();
    }
    this.#varUint(); // dropped links
  }

  #u8(): number {
    const byte = this.#bytes[this.#at++];
    if (byte === undefined) throw new RangeError('truncated data');
    return byte;
  }

  #varUint(): number {
    const bytes = this.#bytes;
    let at = this.#at;
    let byte = bytes[at++];
    if (byte === undefined) throw new RangeError('truncated data');
    let value = byte & 0x7f;
    for (let scale = 0x80; byte >= 0x80; scale *= 0x80) {
      byte = bytes[at++];
      if (byte === undefined) throw new RangeError('truncated data');
      value += (byte & 0x7f) * scale;
    }
    this.#at = at;
    return value;
  }

  #skipVarint(): void {
    const bytes = this.#bytes;
    let at = this.#at;
    for (;;) {
      const byte = bytes[at++];
      if (byte === undefined) throw new RangeError('truncated data');
      if (byte < 0x80) break;
    }
    this.#at = at;
  }

  #skip(count: number): void {
    if (this.#at + count > this.#bytes.length) throw new RangeError('truncated data');
    this.#at += count;
  }

  /**
   * Reads an id, leaving where it is in `#idAt` and `#idLength`:
   * its bytes, or (`TEXT_ID_LENGTH`) its dictionary index, or
   * (`EARLIER_ID`, with `position`, the current span's) the earlier span's position.
   */
  #rawId(position?: number): void {
    const length = this.#u8();
    if (length === TEXT_ID) {
      this.#idAt = this.#varUint();
      this.#idLength = TEXT_ID_LENGTH;
      if (this.#idAt >= this.#strings.length) throw new RangeError('string reference out of range');
    } else if (length === EARLIER_SPAN && position !== undefined) {
      this.#idAt = position - this.#varUint();
      this.#idLength = EARLIER_ID;
    } else {
      this.#idAt = this.#at;
      this.#idLength = length;
      this.#skip(length);
    }
  }

  /** The text of an id `#rawId` read (not a reference to an earlier span). */
  #idText(at: number, length: number): string {
    if (length === TEXT_ID_LENGTH) return this.#string(at);
    // Native hex: a flat string, which later hashing and comparing read faster than a concatenation.
    return this.#bytes.toString('hex', at, at + length);
  }

  #string(index: number): string {
    const text = this.#strings[index];
    if (text === undefined) throw new RangeError('string reference out of range');
    return text;
  }

  /** An id as `Decoder.id` reads it; `position` (of the current span) resolves a reference to an earlier span. */
  #id(position?: number): string {
    this.#rawId(position);
    return this.#idLength === EARLIER_ID ? this.#earlierId(this.#idAt) : this.#idText(this.#idAt, this.#idLength);
  }

  /** The id of the span at an earlier position of the chunk. */
  #earlierId(position: number): string {
    const id = this.#ids[position];
    if (id === undefined) throw new RangeError('parent reference out of range');
    return id;
  }

  /**
   * Skips attributes, keeping the first value of each wanted key (`keys[i]`
   * into `values[i]`); true when it kept one.
   */
  #attributes(keys: Int32Array | undefined, values: (AnyValue | undefined)[] | undefined): boolean {
    let found = false;
    for (let i = this.#varUint(); i > 0; i--) {
      const key = this.#varUint();
      let wanted = -1;
      if (keys !== undefined) for (let k = 0; k < keys.length; k++) if (keys[k] === key) wanted = k;
      if (wanted !== -1 && values !== undefined && values[wanted] === undefined) {
        this.#reader.offset = this.#at;
        values[wanted] = this.#decoder.value();
        this.#at = this.#reader.offset;
        found = true;
      } else this.#skipValue();
    }
    return found;
  }

  #skipValue(): void {
    const tag = this.#u8();
    switch (tag) {
      case Tag.String:
      case Tag.Int:
        this.#skipVarint();
        return;
      case Tag.Bool:
        this.#skip(1);
        return;
      case Tag.Double:
        this.#skip(8);
        return;
      case Tag.Bytes:
      case Tag.Text:
        this.#skip(this.#varUint());
        return;
      case Tag.Array:
        for (let i = this.#varUint(); i > 0; i--) this.#skipValue();
        return;
      case Tag.KvList:
        this.#attributes(undefined, undefined);
        return;
      case Tag.Empty:
        return;
      default:
        throw new RangeError(`unknown value tag ${tag}`);
    }
  }
}
