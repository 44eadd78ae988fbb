import type { Span } from '@ariadne/protocol';
import { ByteWriter } from './byte-writer.js';
import type { DecodedBatchRecord, SpanEncoder } from './span-codec.js';

// As span-codec.ts writes them (its round-trip tests cover every one through this file too).
const TAG_STRING = 1;
const TAG_BOOL = 2;
const TAG_INT = 3;
const TAG_DOUBLE = 4;
const TAG_BYTES = 5;
const TAG_ARRAY = 6;
const TAG_KVLIST = 7;
const TEXT_ID = 0xff;
const SAME_TRACE = 0xfe;

/**
 * Turns a span batch (a record with tables of its own, made by a decode
 * worker) into a head's WAL record, against the head's tables, without
 * encoding the spans again: bodies are copied byte for byte, and only their
 * references are rewritten (texts to the head's dictionary, resources and
 * scopes to its tables), each distinct text of the batch looked up once.
 * What the head's encoder would have written for the same spans, byte for
 * byte, but for the order of the dictionary.
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

  constructor(readonly encoder: SpanEncoder) {}

  /**
   * The head's record of the spans of `batch` that `admit` takes (by their
   * position in the batch); `decoded` is the batch, decoded (`decodeBatchRecord`). `bodies`
   * receives, per kept span, where its body starts and ends in the record.
   * The record is undefined when `admit` takes none.
   */
  transcode(
    batch: Buffer,
    decoded: DecodedBatchRecord,
    admit: (position: number) => boolean,
    bodies: number[],
  ): { readonly record: Buffer | undefined; readonly kept: readonly Span[] } {
    const { tables, spansAt, spans } = decoded;
    const encoder = this.encoder;
    this.#in = batch;
    this.#at = spansAt;
    this.#strings = tables.strings;
    if (this.#textMap.length < tables.strings.length) this.#textMap = new Int32Array(tables.strings.length * 2);
    this.#textMap.fill(-1, 0, tables.strings.length);
    this.#resourceMap = tables.resources.map((resource) => encoder.resourceIndex(resource));
    this.#scopeMap = tables.scopes.map((scope) => encoder.scopeIndex(scope));

    const out = this.#out;
    out.reset();
    const count = this.#varUint();
    if (count !== spans.length) throw new RangeError(`span batch holds ${count} spans, ${spans.length} decoded`);
    const firstBody = bodies.length;
    let kept: Span[] | undefined;
    let written = 0;
    let previousTrace = '';
    let previousStart = 0n;
    for (let position = 0; position < count; position++) {
      const span = spans[position]!;
      // The span's ids and times: read past them; a kept span's are written from the decoded span,
      // since its neighbours in the record (same trace, start delta) may differ from the batch's.
      this.#skipHeaderId(true);
      this.#skipHeaderId(false);
      this.#skipHeaderId(false);
      this.#skipVarint();
      this.#skipVarint();
      const take = admit(position);
      if (take) {
        if (span.traceId === previousTrace && written > 0) out.u8(SAME_TRACE);
        else encoder.writeId(out, span.traceId);
        encoder.writeId(out, span.spanId);
        encoder.writeId(out, span.parentSpanId);
        out.varInt64(span.startTimeUnixNano - previousStart);
        out.varInt64(span.endTimeUnixNano - span.startTimeUnixNano);
        previousTrace = span.traceId;
        previousStart = span.startTimeUnixNano;
        written++;
        kept?.push(span);
      } else kept ??= spans.slice(0, position);
      const bodyStart = out.length;
      this.#run = this.#at;
      this.#body();
      this.#flush();
      if (take) bodies.push(bodyStart, out.length);
      else out.truncate(bodyStart);
    }
    if (written === 0) return { record: undefined, kept: [] };
    return { record: encoder.finishRecord(out, written, bodies, firstBody), kept: kept ?? spans };
  }

  /** Copies the input from the last rewrite up to here. */
  #flush(): void {
    if (this.#at > this.#run) this.#out.copyFrom(this.#in, this.#run, this.#at);
    this.#run = this.#at;
  }

  /**
   * One body, copied to the output as it is read (the caller truncates the
   * output for a span it does not keep: the walk is the same).
   */
  #body(): void {
    this.#text();
    this.#skipVarint(); // flags
    this.#text();
    this.#at++; // kind
    this.#attributes();
    this.#skipVarint(); // dropped attributes
    for (let events = this.#varUint(); events > 0; events--) {
      this.#skipVarint(); // time offset
      this.#text();
      this.#attributes();
      this.#skipVarint();
    }
    this.#skipVarint(); // dropped events
    for (let links = this.#varUint(); links > 0; links--) {
      this.#skipId();
      this.#skipId();
      this.#text();
      this.#attributes();
      this.#skipVarint(); // dropped attributes
      this.#skipVarint(); // flags
    }
    this.#skipVarint(); // dropped links
    this.#at++; // status code
    this.#text();
    this.#rewrite(this.#resourceMap);
    this.#rewrite(this.#scopeMap);
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
      default: // empty
        return;
    }
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

  /** A resource or scope reference, rewritten through `map`. */
  #rewrite(map: readonly number[]): void {
    this.#flush();
    const index = map[this.#varUint()];
    if (index === undefined) throw new RangeError('table reference out of range in a span batch');
    this.#out.varUint(index);
    this.#run = this.#at;
  }

  /** An id in a body: a length and its bytes, or a text reference (rewritten). */
  #skipId(): void {
    const first = this.#in[this.#at]!;
    if (first === TEXT_ID) {
      this.#at++;
      this.#text();
    } else this.#at += 1 + first;
  }

  /** An id before a body (written again from the decoded span): a length and its bytes, a text reference, or (a trace id) "same as the previous". */
  #skipHeaderId(traceId: boolean): void {
    const first = this.#in[this.#at++]!;
    if (traceId && first === SAME_TRACE) return;
    if (first === TEXT_ID) this.#varUint();
    else this.#at += first;
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
