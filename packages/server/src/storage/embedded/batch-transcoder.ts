import { AriadneError, isValidTraceId, type SpanKind, type StatusCode } from '@ariadne/protocol';
import { ByteWriter } from './byte-writer.js';
import { type HeadRecordRef, HeadSpan } from './head-span.js';
import { readRecordTables, type SpanEncoder } from './span-codec.js';
import { hashUtf8 } from './string-dictionary.js';
import { TextSightings } from './text-sightings.js';

const EMPTY = Buffer.alloc(0);

// As span-codec.ts writes them (its round-trip tests cover every one through this file too).
const TAG_STRING = 1;
const TAG_BOOL = 2;
const TAG_INT = 3;
const TAG_DOUBLE = 4;
const TAG_BYTES = 5;
const TAG_ARRAY = 6;
const TAG_KVLIST = 7;
const TAG_TEXT = 8;
const TEXT_ID = 0xff;
const SAME_TRACE = 0xfe;

/**
 * Turns a span batch (a record with tables of its own, made by a decode
 * worker) into a head's WAL record, against the head's tables, without
 * encoding the spans again: bodies are copied byte for byte, and only their
 * references are rewritten (texts to the head's dictionary, resources and
 * scopes to its tables), each distinct text of the batch looked up once.
 * What the head's encoder would have written for the same spans, byte for
 * byte, but for the order of the dictionary. The spans come out as
 * `HeadSpan`s, read from the batch as it is walked: no span object with its
 * attributes is made.
 */
export class BatchTranscoder {
  readonly #out = new ByteWriter(256 * 1024);
  #in: Buffer = Buffer.alloc(0);
  #at = 0;
  /** Start of the input bytes not yet copied to the output. */
  #run = 0;
  #strings: readonly string[] = [];
  /** Per text of the batch, its index in the head's dictionary; -1 until first used. */
  #textMap = new Int32Array(0);
  #resourceMap: number[] = [];
  #scopeMap: number[] = [];
  readonly #sightings = new TextSightings();

  constructor(readonly encoder: SpanEncoder) {}

  /**
   * The head's record of the spans of `batch` that `admit` takes (by their
   * position in the batch), and those spans as `HeadSpan`s of that record.
   * `bodies` receives, per kept span, where its body starts and ends in the
   * record. The record is undefined when `admit` takes none. A trace id
   * that is not one rejects the batch with `StorageFailure` (`admit` has
   * then seen the spans before it).
   */
  transcode(
    batch: Buffer,
    admit: (position: number) => boolean,
    bodies: number[],
  ): { readonly record: Buffer | undefined; readonly kept: readonly HeadSpan[] } {
    const { tables, spansAt } = readRecordTables(batch);
    const encoder = this.encoder;
    this.#in = batch;
    this.#at = spansAt;
    this.#strings = tables.strings;
    if (this.#textMap.length < tables.strings.length) this.#textMap = new Int32Array(tables.strings.length * 2);
    this.#textMap.fill(-1, 0, tables.strings.length);
    this.#resourceMap = tables.resources.map((resource) => encoder.resourceIndex(resource));
    this.#scopeMap = tables.scopes.map((scope) => encoder.scopeIndex(scope));
    const headTables = encoder.tables;
    const headStrings = headTables.strings;
    const ref: HeadRecordRef = { record: EMPTY, offset: 0 };

    const out = this.#out;
    out.reset();
    const count = this.#varUint();
    const firstBody = bodies.length;
    const kept: HeadSpan[] = [];
    let batchTrace = '';
    let batchStart = 0n;
    let previousTrace = '';
    let previousStart = 0n;
    for (let position = 0; position < count; position++) {
      const traceId = this.#headerId(batchTrace);
      if ((position === 0 || traceId !== batchTrace) && !isValidTraceId(traceId)) {
        throw new AriadneError('StorageFailure', `cannot store a span with trace id "${traceId}"`);
      }
      batchTrace = traceId;
      const spanId = this.#headerId(undefined);
      const parentSpanId = this.#headerId(undefined);
      const start = batchStart + this.#varInt64();
      batchStart = start;
      const end = start + this.#varInt64();
      const take = admit(position);
      if (take) {
        // Ids and times are written again: the record's neighbours (same trace, start delta) may differ from the batch's.
        if (traceId === previousTrace && kept.length > 0) out.u8(SAME_TRACE);
        else encoder.writeId(out, traceId);
        encoder.writeId(out, spanId);
        encoder.writeId(out, parentSpanId);
        out.varInt64(start - previousStart);
        out.varInt64(end - start);
        previousTrace = traceId;
        previousStart = start;
      }
      const bodyStart = out.length;
      this.#run = this.#at;
      this.#body();
      this.#flush();
      if (!take) {
        out.truncate(bodyStart);
        continue;
      }
      bodies.push(bodyStart, out.length);
      const b = this.#fields;
      kept.push(
        new HeadSpan(
          traceId,
          spanId,
          parentSpanId,
          start,
          end,
          headStrings[b.traceState]!,
          b.flags,
          headStrings[b.name]!,
          b.kind as SpanKind,
          b.droppedAttributes,
          b.droppedEvents,
          b.droppedLinks,
          { code: b.statusCode as StatusCode, message: headStrings[b.statusMessage]! },
          headTables.resources[b.resource]!,
          headTables.scopes[b.scope]!,
          ref,
          bodyStart,
          headTables,
        ),
      );
    }
    if (kept.length === 0) return { record: undefined, kept };
    const spanBytes = out.length;
    const record = encoder.finishRecord(out, kept.length, bodies, firstBody);
    ref.record = record;
    ref.offset = record.length - spanBytes;
    return { record, kept };
  }

  /** A trace, span or parent id before a body: a length and its bytes, a text, or (a trace id) "same as the previous". */
  #headerId(previousTrace: string | undefined): string {
    const bytes = this.#in;
    const first = bytes[this.#at++]!;
    if (previousTrace !== undefined && first === SAME_TRACE) return previousTrace;
    if (first === TEXT_ID) {
      const text = this.#strings[this.#varUint()];
      if (text === undefined) throw new RangeError('string reference out of range in a span batch');
      return text;
    }
    const start = this.#at;
    this.#at += first;
    return first === 0 ? '' : bytes.toString('hex', start, this.#at);
  }

  /** Copies the input from the last rewrite up to here. */
  #flush(): void {
    if (this.#at > this.#run) this.#out.copyFrom(this.#in, this.#run, this.#at);
    this.#run = this.#at;
  }

  /** What `#body` read of the fields a `HeadSpan` keeps (texts as the head's dictionary indexes). */
  readonly #fields = {
    traceState: 0,
    flags: 0,
    name: 0,
    kind: 0,
    droppedAttributes: 0,
    droppedEvents: 0,
    droppedLinks: 0,
    statusCode: 0,
    statusMessage: 0,
    resource: 0,
    scope: 0,
  };

  /** One body, copied to the output as it is read, its references rewritten; its plain fields noted in `#fields`. */
  #body(): void {
    const fields = this.#fields;
    fields.traceState = this.#text();
    fields.flags = this.#varUint();
    fields.name = this.#text();
    fields.kind = this.#in[this.#at++]!;
    this.#attributes();
    fields.droppedAttributes = this.#varUint();
    for (let events = this.#varUint(); events > 0; events--) {
      this.#skipVarint(); // time offset
      this.#text();
      this.#attributes();
      this.#skipVarint();
    }
    fields.droppedEvents = this.#varUint();
    for (let links = this.#varUint(); links > 0; links--) {
      this.#skipId();
      this.#skipId();
      this.#text();
      this.#attributes();
      this.#skipVarint(); // dropped attributes
      this.#skipVarint(); // flags
    }
    fields.droppedLinks = this.#varUint();
    fields.statusCode = this.#in[this.#at++]!;
    fields.statusMessage = this.#text();
    fields.resource = this.#rewrite(this.#resourceMap);
    fields.scope = this.#rewrite(this.#scopeMap);
  }

  #attributes(): void {
    for (let count = this.#varUint(); count > 0; count--) {
      const key = this.#text();
      this.#value(key);
    }
  }

  /** `key` is the head's index of the attribute's key, for the numbers each key holds (-1 in an array, as the encoder lists none there). */
  #value(key: number): void {
    const tag = this.#in[this.#at++]!;
    switch (tag) {
      case TAG_STRING:
        this.#text();
        return;
      case TAG_BOOL:
        this.#at++;
        return;
      case TAG_INT: {
        const value = this.#readVarInt64();
        if (key >= 0) this.encoder.numericValues.add(key, value);
        return;
      }
      case TAG_DOUBLE:
        if (key >= 0) this.encoder.numericValues.add(key, this.#in.readDoubleLE(this.#at));
        this.#at += 8;
        return;
      case TAG_BYTES: {
        this.encoder.dictionary.sawNonTextValue = true;
        const length = this.#varUint();
        this.#at += length;
        return;
      }
      case TAG_ARRAY:
        this.encoder.dictionary.sawNonTextValue = true;
        for (let items = this.#varUint(); items > 0; items--) this.#value(-1);
        return;
      case TAG_KVLIST:
        this.encoder.dictionary.sawNonTextValue = true;
        this.#attributes();
        return;
      case TAG_TEXT:
        this.#inPlaceText();
        return;
      default: // empty
        return;
    }
  }

  /**
   * A text the batch wrote in place (new to the batch; its tag just read).
   * It stays in place, copied with the rest of the body, while it is new to
   * the head too; a text the head's dictionary holds, or that the head met
   * in place before (then it enters the dictionary), becomes a reference.
   */
  #inPlaceText(): void {
    const tagAt = this.#at - 1;
    const length = this.#varUint();
    const start = this.#at;
    const end = start + length;
    const bytes = this.#in;
    if (end > bytes.length) throw new RangeError('truncated text in a span batch');
    this.#at = end;
    const hash = hashUtf8(bytes, start, end);
    let index = this.encoder.dictionary.findUtf8(hash, bytes, start, end);
    if (index === -1) {
      if (!this.#sightings.sight(hash)) return;
      index = this.encoder.textIndex(bytes.toString('utf8', start, end));
    }
    if (tagAt > this.#run) this.#out.copyFrom(bytes, this.#run, tagAt);
    this.#out.u8(TAG_STRING);
    this.#out.varUint(index);
    this.#run = end;
  }

  /** A text reference, rewritten to the head's dictionary; returns the head's index. */
  #text(): number {
    this.#flush();
    const local = this.#varUint();
    let index = this.#textMap[local]!;
    if (index === -1) {
      const text = this.#strings[local];
      if (text === undefined) throw new RangeError('string reference out of range in a span batch');
      index = this.encoder.textIndex(text);
      this.#textMap[local] = index;
    }
    this.#out.varUint(index);
    this.#run = this.#at;
    return index;
  }

  /** A resource or scope reference, rewritten through `map`; returns the head's index. */
  #rewrite(map: readonly number[]): number {
    this.#flush();
    const index = map[this.#varUint()];
    if (index === undefined) throw new RangeError('table reference out of range in a span batch');
    this.#out.varUint(index);
    this.#run = this.#at;
    return index;
  }

  /** An id in a body: a length and its bytes, or a text reference (rewritten). */
  #skipId(): void {
    const first = this.#in[this.#at]!;
    if (first === TEXT_ID) {
      this.#at++;
      this.#text();
    } else this.#at += 1 + first;
  }

  #varUint(): number {
    const bytes = this.#in;
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[this.#at++];
      if (byte === undefined) throw new RangeError('truncated span batch');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  }

  #skipVarint(): void {
    const bytes = this.#in;
    while ((bytes[this.#at++] ?? 0) >= 0x80) {}
  }

  /** A zig-zag LEB128 64-bit integer; as a number while it fits exactly, which deltas of times nearly always do. */
  #varInt64(): bigint {
    const bytes = this.#in;
    const start = this.#at;
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[this.#at++];
      if (byte === undefined) throw new RangeError('truncated span batch');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
      if (scale > 2 ** 49) {
        this.#at = start;
        return this.#readVarInt64();
      }
    }
    // Zig-zag: even values are non-negative.
    return BigInt(value % 2 === 0 ? value / 2 : -(value + 1) / 2);
  }

  /** A zig-zag LEB128 64-bit integer. */
  #readVarInt64(): bigint {
    const bytes = this.#in;
    let value = 0n;
    let shift = 0n;
    for (;;) {
      const byte = bytes[this.#at++];
      if (byte === undefined) throw new RangeError('truncated span batch');
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) break;
      shift += 7n;
    }
    return (value >> 1n) ^ -(value & 1n);
  }
}
