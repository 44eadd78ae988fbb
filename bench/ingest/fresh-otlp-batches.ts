import { randomFillSync } from 'node:crypto';
import {
  encodeOtlpTraceRequestProto,
  type InstrumentationScope,
  type KeyValue,
  type Resource,
  type Span,
  SpanKind,
  StatusCode,
} from '@ariadne/protocol';
import { SeededRandom } from '../workload/random.js';
import { WORKLOAD_SERVICES } from '../workload/standard-workload.js';
import { locateSpanFields } from './otlp-span-fields.js';

/** The shape of every request of a sustained run (the issue's load: 500 spans, traces of 20, 10 attributes). */
export interface BatchShape {
  readonly spansPerRequest: number;
  readonly spansPerTrace: number;
  readonly attributesPerSpan: number;
  /** Characters of each attribute value. */
  readonly attributeLength: number;
}

export const ISSUE_BATCH_SHAPE: BatchShape = {
  spansPerRequest: 500,
  spansPerTrace: 20,
  attributesPerSpan: 10,
  attributeLength: 20,
};

const TEMPLATE_BASE_NANOS = 1_000_000_000_000_000_000n;
const TWO_POW_32 = 2 ** 32;
// Times are written `now - 2 s` + the template's offsets (all under 2 s), so no span ends in the future.
const LEAD_NANOS = 2_000_000_000n;

/**
 * OTLP/protobuf requests that a server sees as new traffic every time, made
 * cheaply enough that the load generator leaves the shared cores to the
 * server: one request is encoded once, then `refresh` overwrites, in place,
 * its trace ids (random, one per trace), span ids (random, parents rewritten
 * to match), every attribute value (random [A-Za-z0-9_-] of the same length) and
 * its times (moved to now). A real client's attribute values are new strings
 * to the server, so a workload that repeated them would spare the server work
 * that users' traffic costs it.
 */
export class FreshOtlpBatches {
  readonly shape: BatchShape;
  readonly traceCount: number;
  private readonly template: Uint8Array;
  // Per span, in encoded order.
  private readonly traceIdOffsets: Int32Array;
  private readonly traceOfSpan: Int32Array;
  // Every place a span id is written (its own id and its children's parent ids), and which span's id goes there.
  private readonly idOffsets: Int32Array;
  private readonly idSlots: Int32Array;
  private readonly timeOffsets: Int32Array;
  private readonly timeDeltas: Float64Array;
  private readonly valueOffsets: Int32Array;
  private readonly valueLengths: Int32Array;
  // Random bytes for the ids (traces first, then spans), and for the values' characters.
  private readonly ids: Uint8Array;
  private readonly spanIdsAt: number;
  private readonly valueEntropy: Buffer;
  private readonly valueChars: Buffer;

  constructor(shape: BatchShape = ISSUE_BATCH_SHAPE, seed = 1) {
    this.shape = shape;
    const spans = templateSpans(shape, new SeededRandom(seed));
    this.traceCount = Math.ceil(shape.spansPerRequest / shape.spansPerTrace);
    this.template = encodeOtlpTraceRequestProto(spans).slice();
    const located = locateSpanFields(this.template);
    if (located.length !== spans.length) throw new Error(`located ${located.length} of ${spans.length} spans`);

    const hex = (offset: number, bytes: number) =>
      Buffer.from(this.template.buffer, this.template.byteOffset + offset, bytes).toString('hex');
    const traceIndex = new Map(spans.map((span) => [span.traceId, Number.parseInt(span.traceId.slice(-8), 16)]));
    const slotOf = new Map<string, number>();
    located.forEach((fields, slot) => {
      slotOf.set(`${hex(fields.traceId, 16)}/${hex(fields.spanId, 8)}`, slot);
    });
    const idOffsets: number[] = [];
    const idSlots: number[] = [];
    const timeOffsets: number[] = [];
    const timeDeltas: number[] = [];
    const valueOffsets: number[] = [];
    const valueLengths: number[] = [];
    const view = new DataView(this.template.buffer, this.template.byteOffset, this.template.byteLength);
    this.traceIdOffsets = new Int32Array(located.length);
    this.traceOfSpan = new Int32Array(located.length);
    located.forEach((fields, slot) => {
      const traceId = hex(fields.traceId, 16);
      this.traceIdOffsets[slot] = fields.traceId;
      this.traceOfSpan[slot] = traceIndex.get(traceId)!;
      idOffsets.push(fields.spanId);
      idSlots.push(slot);
      if (fields.parentSpanId >= 0) {
        const parent = slotOf.get(`${traceId}/${hex(fields.parentSpanId, 8)}`);
        if (parent === undefined) throw new Error('a parent outside its trace');
        idOffsets.push(fields.parentSpanId);
        idSlots.push(parent);
      }
      for (const at of [fields.startTime, fields.endTime]) {
        const delta = view.getBigUint64(at, true) - TEMPLATE_BASE_NANOS;
        if (delta < 0n || delta >= LEAD_NANOS) throw new Error(`a template time ${delta} ns off its base`);
        timeOffsets.push(at);
        timeDeltas.push(Number(delta));
      }
      for (const value of fields.stringValues) {
        valueOffsets.push(value.offset);
        valueLengths.push(value.length);
      }
    });
    this.idOffsets = Int32Array.from(idOffsets);
    this.idSlots = Int32Array.from(idSlots);
    this.timeOffsets = Int32Array.from(timeOffsets);
    this.timeDeltas = Float64Array.from(timeDeltas);
    this.valueOffsets = Int32Array.from(valueOffsets);
    this.valueLengths = Int32Array.from(valueLengths);
    this.spanIdsAt = this.traceCount * 16;
    this.ids = new Uint8Array(this.spanIdsAt + located.length * 8);
    // base64url turns each 3 random bytes into 4 characters of [A-Za-z0-9_-], 6 random bits each.
    const characters = valueLengths.reduce((a, b) => a + b, 0);
    this.valueEntropy = Buffer.alloc(Math.ceil(characters / 4) * 3);
    this.valueChars = Buffer.alloc(Math.ceil(characters / 4) * 4);
  }

  get spanCount(): number {
    return this.traceIdOffsets.length;
  }

  /** A new request body (a copy of the template), already refreshed. */
  newBody(nowNanos: bigint): Uint8Array {
    const body = this.template.slice();
    this.refresh(body, nowNanos);
    return body;
  }

  /** Rewrites a body made by `newBody` into a request no one sent before, in place. */
  refresh(body: Uint8Array, nowNanos: bigint): void {
    const ids = this.ids;
    randomFillSync(ids);
    for (let slot = 0; slot < this.traceIdOffsets.length; slot++) {
      const to = this.traceIdOffsets[slot]!;
      const from = this.traceOfSpan[slot]! * 16;
      for (let i = 0; i < 16; i++) body[to + i] = ids[from + i]!;
    }
    for (let i = 0; i < this.idOffsets.length; i++) {
      const to = this.idOffsets[i]!;
      const from = this.spanIdsAt + this.idSlots[i]! * 8;
      for (let j = 0; j < 8; j++) body[to + j] = ids[from + j]!;
    }
    // The characters are made natively (random bytes, then base64url) and copied four at a
    // time: byte by byte in JavaScript this was most of the generator's CPU per request.
    randomFillSync(this.valueEntropy);
    const chars = this.valueChars;
    chars.write(this.valueEntropy.toString('base64url'), 'latin1');
    const from = new DataView(chars.buffer, chars.byteOffset, chars.byteLength);
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    let at = 0;
    for (let i = 0; i < this.valueOffsets.length; i++) {
      const to = this.valueOffsets[i]!;
      const length = this.valueLengths[i]!;
      let j = 0;
      for (; j + 4 <= length; j += 4, at += 4) view.setUint32(to + j, from.getUint32(at, true), true);
      for (; j < length; j++) body[to + j] = chars[at++]!;
    }
    // fixed64 little-endian as two uint32 halves: no BigInt per field.
    const base = nowNanos - LEAD_NANOS;
    const baseLow = Number(base & 0xffffffffn);
    const baseHigh = Number(base >> 32n);
    for (let i = 0; i < this.timeOffsets.length; i++) {
      const to = this.timeOffsets[i]!;
      const low = baseLow + this.timeDeltas[i]!;
      const carry = low >= TWO_POW_32 ? 1 : 0;
      view.setUint32(to, low - carry * TWO_POW_32, true);
      view.setUint32(to + 4, baseHigh + carry, true);
    }
  }
}

/**
 * The template's spans: traces of `spansPerTrace` spans, each rooted in a
 * `frontend` server span, the rest spread over the standard workload's
 * services (a collector's batch mixes services), each span with
 * `attributesPerSpan` string attributes. Trace ids end in their trace's index
 * (the constructor maps encoded spans back to traces by it).
 */
function templateSpans(shape: BatchShape, random: SeededRandom): Span[] {
  const resources: Resource[] = WORKLOAD_SERVICES.map((service, i) => ({
    attributes: [
      str('service.name', service),
      str('service.version', `1.${i}.0`),
      str('host.name', `${service}-7f9c${i}`),
      str('telemetry.sdk.language', 'nodejs'),
    ],
    droppedAttributesCount: 0,
  }));
  const scope: InstrumentationScope = {
    name: 'ariadne-load',
    version: '1.0.0',
    attributes: [],
    droppedAttributesCount: 0,
  };
  const keys = Array.from({ length: shape.attributesPerSpan }, (_, i) => `app.attribute_${i}`);
  const traceCount = Math.ceil(shape.spansPerRequest / shape.spansPerTrace);
  // Traces start spread over 1 s, spans within 2 ms of their parent, lasting up to 0.5 s: all within 2 s.
  const traceSpacing = Math.floor(1e9 / traceCount);
  const spans: Span[] = [];
  for (let t = 0; t < traceCount; t++) {
    const traceId = `${random.hex(12)}${t.toString(16).padStart(8, '0')}`;
    const traceStart = BigInt(t * traceSpacing);
    const inTrace: Span[] = [];
    const size = Math.min(shape.spansPerTrace, shape.spansPerRequest - spans.length);
    const ids = new Set<string>();
    for (let i = 0; i < size; i++) {
      let spanId = random.hex(8);
      while (ids.has(spanId)) spanId = random.hex(8);
      ids.add(spanId);
      const parent = i === 0 ? undefined : inTrace[random.int(Math.max(0, i - 4), i - 1)]!;
      const service = i === 0 ? 0 : random.int(0, WORKLOAD_SERVICES.length - 1);
      const kind = i === 0 ? SpanKind.Server : ([SpanKind.Server, SpanKind.Client, SpanKind.Internal] as const)[i % 3]!;
      const start =
        (parent ? parent.startTimeUnixNano - TEMPLATE_BASE_NANOS : traceStart) + BigInt(random.int(0, 2_000_000));
      const duration = BigInt(random.int(50_000, i === 0 ? 500_000_000 : 100_000_000));
      const span: Span = {
        traceId,
        spanId,
        parentSpanId: parent?.spanId ?? '',
        traceState: '',
        flags: 1,
        name: `${['GET', 'POST'][i % 2]} /${WORKLOAD_SERVICES[service]}/op${random.int(0, 4)}`,
        kind,
        startTimeUnixNano: TEMPLATE_BASE_NANOS + start,
        endTimeUnixNano: TEMPLATE_BASE_NANOS + start + duration,
        attributes: keys.map((key) => str(key, random.word(shape.attributeLength))),
        droppedAttributesCount: 0,
        events: [],
        droppedEventsCount: 0,
        links: [],
        droppedLinksCount: 0,
        status: { code: StatusCode.Unset, message: '' },
        resource: resources[service]!,
        scope,
      };
      inTrace.push(span);
      spans.push(span);
    }
  }
  return spans;
}

function str(key: string, value: string): KeyValue {
  return { key, value: { type: 'string', value } };
}
