import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AriadneError, isAriadneError } from '../errors.js';
import type { Span } from '../model/span.js';
import { ProtoWriter } from '../protobuf/proto-writer.js';
import { decodeOtlpTraceRequestProto } from './decode-otlp-proto.js';
import { encodeOtlpTraceRequestProto } from './encode-otlp-proto.js';
import { sampleSpans } from './sample-spans.js';

const bySpanId = (spans: readonly Span[]) => new Map(spans.map((span) => [span.spanId, span]));

function assertInvalidPayload(run: () => unknown, pattern?: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(isAriadneError(error, 'InvalidPayload'), `expected InvalidPayload, got ${String(error)}`);
    if (pattern) assert.match((error as Error).message, pattern);
    return true;
  });
}

/** A request with one span built by hand, for cases the encoder would never write. */
function requestWithSpan(writeSpanBody: (writer: ProtoWriter) => void): Uint8Array {
  const writer = new ProtoWriter();
  writer.tag(1, 2);
  const resourceSpans = writer.fork();
  writer.tag(2, 2);
  const scopeSpans = writer.fork();
  writer.tag(2, 2);
  const span = writer.fork();
  writeSpanBody(writer);
  writer.join(span);
  writer.join(scopeSpans);
  writer.join(resourceSpans);
  return writer.finish().slice();
}

function ids(writer: ProtoWriter, traceId = '0af7651916cd43dd8448eb211c80319c', spanId = 'b7ad6b7169203331'): void {
  writer.tag(1, 2);
  writer.hexBytes(traceId);
  writer.tag(2, 2);
  writer.hexBytes(spanId);
}

test('every field and value type survives a protobuf round trip', () => {
  const spans = sampleSpans();
  const decoded = decodeOtlpTraceRequestProto(encodeOtlpTraceRequestProto(spans));
  assert.equal(decoded.rejectedSpans, 0);
  assert.equal(decoded.errorMessage, '');
  assert.equal(decoded.spans.length, spans.length);
  const got = bySpanId(decoded.spans);
  for (const span of spans) assert.deepStrictEqual(got.get(span.spanId), span);
});

test('spans of one ResourceSpans share a resource object, of one ScopeSpans a scope object', () => {
  const [full, minimal, okSpan, sibling] = sampleSpans() as [Span, Span, Span, Span];
  const got = bySpanId(
    decodeOtlpTraceRequestProto(encodeOtlpTraceRequestProto([full, minimal, okSpan, sibling])).spans,
  );
  const [f, m, o, s] = [full, minimal, okSpan, sibling].map((span) => got.get(span.spanId)!) as [
    Span,
    Span,
    Span,
    Span,
  ];
  assert.equal(f.resource, s.resource);
  assert.equal(f.resource, m.resource);
  assert.notEqual(f.resource, o.resource);
  assert.equal(f.scope, s.scope);
  assert.notEqual(f.scope, m.scope);
  // Same scope object but another resource: a different ScopeSpans on the wire.
  assert.notEqual(f.scope, o.scope);
});

test('grouping writes one ResourceSpans per resource object', () => {
  const spans = sampleSpans();
  const bytes = encodeOtlpTraceRequestProto(spans);
  let resourceSpans = 0;
  // Top-level fields are all ResourceSpans (field 1, length-delimited).
  for (let pos = 0; pos < bytes.length; resourceSpans++) {
    assert.equal(bytes[pos], 0x0a);
    let length = 0;
    let shift = 0;
    let byte: number;
    pos++;
    do {
      byte = bytes[pos++] as number;
      length += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte >= 0x80);
    pos += length;
  }
  assert.equal(resourceSpans, 2);
});

test('an empty batch encodes to zero bytes and decodes to no spans', () => {
  assert.equal(encodeOtlpTraceRequestProto([]).length, 0);
  assert.deepStrictEqual(decodeOtlpTraceRequestProto(new Uint8Array(0)), {
    spans: [],
    rejectedSpans: 0,
    errorMessage: '',
  });
});

test('resource and scope may follow the spans on the wire', () => {
  const writer = new ProtoWriter();
  writer.tag(1, 2);
  const resourceSpans = writer.fork();
  writer.tag(2, 2);
  const scopeSpans = writer.fork();
  writer.tag(2, 2);
  const span = writer.fork();
  ids(writer);
  writer.join(span);
  writer.tag(1, 2);
  const scope = writer.fork();
  writer.tag(1, 2);
  writer.string('late scope');
  writer.join(scope);
  writer.join(scopeSpans);
  writer.tag(1, 2);
  const resource = writer.fork();
  writer.tag(2, 0);
  writer.uint32(9);
  writer.join(resource);
  writer.join(resourceSpans);
  const [decoded] = decodeOtlpTraceRequestProto(writer.finish()).spans;
  assert.equal(decoded?.scope.name, 'late scope');
  assert.equal(decoded?.resource.droppedAttributesCount, 9);
});

test('unknown fields of every wire type are skipped, groups included', () => {
  const bytes = requestWithSpan((writer) => {
    writer.tag(100, 0);
    writer.uint64(2n ** 64n - 1n);
    writer.tag(101, 1);
    writer.fixed64(5n);
    writer.tag(102, 2);
    writer.string('ignored');
    writer.tag(103, 5);
    writer.fixed32(7);
    // A group holding a nested group and a varint.
    writer.tag(104, 3);
    writer.tag(1, 0);
    writer.uint32(1);
    writer.tag(2, 3);
    writer.tag(3, 2);
    writer.string('inner');
    writer.tag(2, 4);
    writer.tag(104, 4);
    ids(writer);
    writer.tag(5, 2);
    writer.string('after unknowns');
    // The deprecated status code (field 1) is ignored.
    writer.tag(15, 2);
    const status = writer.fork();
    writer.tag(1, 0);
    writer.uint32(2);
    writer.join(status);
  });
  const decoded = decodeOtlpTraceRequestProto(bytes);
  assert.equal(decoded.spans.length, 1);
  assert.equal(decoded.spans[0]?.name, 'after unknowns');
  assert.equal(decoded.spans[0]?.status.code, 0);
});

test('invalid wire types, unbalanced groups and field number 0 are malformed', () => {
  for (const wireType of [6, 7]) {
    assertInvalidPayload(() => decodeOtlpTraceRequestProto(new Uint8Array([(5 << 3) | wireType, 0])), /wire type/);
  }
  assertInvalidPayload(() => decodeOtlpTraceRequestProto(new Uint8Array([(5 << 3) | 4])), /end-group/);
  assertInvalidPayload(() => decodeOtlpTraceRequestProto(new Uint8Array([(5 << 3) | 3, (6 << 3) | 4])), /closes group/);
  assertInvalidPayload(() => decodeOtlpTraceRequestProto(new Uint8Array([(5 << 3) | 3])), /unterminated group/);
  assertInvalidPayload(() => decodeOtlpTraceRequestProto(new Uint8Array([0x02, 0])), /field number 0/);
});

test('spans with invalid ids are rejected one by one, with the first reason', () => {
  const good = sampleSpans()[1]!;
  const writer = new ProtoWriter();
  const cases: [string, string, string][] = [
    ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b71692033', ''], // span id 7 bytes
    ['00000000000000000000000000000000', 'b7ad6b7169203331', ''], // trace id all zeros
    ['0af7651916cd43dd8448eb211c8031', 'b7ad6b7169203331', ''], // trace id 15 bytes
    ['0af7651916cd43dd8448eb211c80319c', '0000000000000000', ''], // span id all zeros
    ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 'b7ad6b71692033'], // parent 7 bytes
  ];
  writer.tag(1, 2);
  const resourceSpans = writer.fork();
  writer.tag(2, 2);
  const scopeSpans = writer.fork();
  for (const [traceId, spanId, parent] of cases) {
    writer.tag(2, 2);
    const span = writer.fork();
    ids(writer, traceId, spanId);
    if (parent !== '') {
      writer.tag(4, 2);
      writer.hexBytes(parent);
    }
    writer.join(span);
  }
  writer.join(scopeSpans);
  writer.join(resourceSpans);
  const bytes = new Uint8Array([...writer.finish(), ...encodeOtlpTraceRequestProto([good])]);
  const decoded = decodeOtlpTraceRequestProto(bytes);
  assert.equal(decoded.rejectedSpans, 5);
  assert.equal(decoded.errorMessage, 'span rejected: span id is 7 bytes, not 8');
  assert.deepStrictEqual(
    decoded.spans.map((span) => span.spanId),
    [good.spanId],
  );
});

test('a missing trace id rejects the span; an all-zero parent means a root span', () => {
  const missing = decodeOtlpTraceRequestProto(
    requestWithSpan((writer) => {
      writer.tag(2, 2);
      writer.hexBytes('b7ad6b7169203331');
    }),
  );
  assert.equal(missing.rejectedSpans, 1);
  assert.match(missing.errorMessage, /trace id is 0 bytes/);
  const zeroParent = decodeOtlpTraceRequestProto(
    requestWithSpan((writer) => {
      ids(writer);
      writer.tag(4, 2);
      writer.hexBytes('0000000000000000');
    }),
  );
  assert.equal(zeroParent.rejectedSpans, 0);
  assert.equal(zeroParent.spans[0]?.parentSpanId, '');
});

test('links with unusable ids are dropped and counted, not fatal', () => {
  const decoded = decodeOtlpTraceRequestProto(
    requestWithSpan((writer) => {
      ids(writer);
      writer.tag(13, 2);
      const link = writer.fork();
      writer.tag(1, 2);
      writer.hexBytes('0af7651916cd43dd');
      writer.join(link);
      writer.tag(14, 0);
      writer.uint32(2);
    }),
  );
  assert.equal(decoded.spans[0]?.links.length, 0);
  assert.equal(decoded.spans[0]?.droppedLinksCount, 3);
});

test('invalid UTF-8 decodes with replacement characters', () => {
  const decoded = decodeOtlpTraceRequestProto(
    requestWithSpan((writer) => {
      ids(writer);
      writer.tag(5, 2);
      writer.bytesField(new Uint8Array([0x61, 0xff, 0x62, 0xc3]));
      writer.tag(3, 2);
      writer.bytesField(new Uint8Array([...new Uint8Array(50).fill(0x41), 0xe9]));
    }),
  );
  assert.equal(decoded.spans[0]?.name, 'a\ufffdb\ufffd');
  assert.equal(decoded.spans[0]?.traceState, `${'A'.repeat(50)}\ufffd`);
});

test('unknown span kinds and status codes read as unspecified; negative enums do not break decoding', () => {
  const decoded = decodeOtlpTraceRequestProto(
    requestWithSpan((writer) => {
      ids(writer);
      writer.tag(6, 0);
      writer.int32(-3);
      writer.tag(15, 2);
      const status = writer.fork();
      writer.tag(3, 0);
      writer.uint32(9);
      writer.tag(2, 2);
      writer.string('odd');
      writer.join(status);
    }),
  );
  assert.equal(decoded.spans[0]?.kind, 0);
  assert.deepStrictEqual(decoded.spans[0]?.status, { code: 0, message: 'odd' });
});

test('attribute values nested 32 levels deep decode, 33 levels throw', () => {
  const nested = (levels: number): Uint8Array =>
    requestWithSpan((writer) => {
      ids(writer);
      writer.tag(9, 2);
      const keyValue = writer.fork();
      writer.tag(2, 2);
      const marks: number[] = [];
      for (let i = 1; i < levels; i++) {
        marks.push(writer.fork());
        writer.tag(5, 2);
        marks.push(writer.fork());
        writer.tag(1, 2);
      }
      const leaf = writer.fork();
      writer.tag(3, 0);
      writer.int64(-1n);
      writer.join(leaf);
      for (const mark of marks.reverse()) writer.join(mark);
      writer.join(keyValue);
    });
  let value = decodeOtlpTraceRequestProto(nested(32)).spans[0]?.attributes[0]?.value;
  for (let i = 1; i < 32; i++) {
    assert.equal(value?.type, 'array');
    value = value.type === 'array' ? value.value[0] : undefined;
  }
  assert.deepStrictEqual(value, { type: 'int', value: -1n });
  assertInvalidPayload(() => decodeOtlpTraceRequestProto(nested(33)), /deeper than 32/);
});

test('a payload truncated at any byte throws InvalidPayload or decodes, never anything else', () => {
  const bytes = encodeOtlpTraceRequestProto(sampleSpans());
  let threw = 0;
  for (let length = 0; length < bytes.length; length++) {
    try {
      decodeOtlpTraceRequestProto(bytes.subarray(0, length));
    } catch (error) {
      assert.ok(error instanceof AriadneError && error.kind === 'InvalidPayload', `at ${length}: ${String(error)}`);
      assert.match(error.message, /at byte \d+/);
      threw++;
    }
  }
  // Only cuts between the two top-level ResourceSpans (at 0 and after the first) leave a valid request.
  assert.equal(threw, bytes.length - 2);
});

test('random bytes throw InvalidPayload or decode, never anything else', () => {
  // A fixed-seed generator keeps failures reproducible.
  let seed = 0x2545f491;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const valid = encodeOtlpTraceRequestProto(sampleSpans());
  for (let round = 0; round < 2000; round++) {
    let bytes: Uint8Array;
    if (round % 2 === 0) {
      bytes = new Uint8Array(next() % 300);
      for (let i = 0; i < bytes.length; i++) bytes[i] = next() & 0xff;
    } else {
      // Valid payloads with a few bytes flipped reach deeper into the decoder.
      bytes = valid.slice();
      for (let i = 0; i < 3; i++) bytes[next() % bytes.length] = next() & 0xff;
    }
    try {
      decodeOtlpTraceRequestProto(bytes);
    } catch (error) {
      assert.ok(isAriadneError(error, 'InvalidPayload'), `round ${round}: ${String(error)}`);
    }
  }
});

test('absurd length prefixes and over-long varints are rejected with their offset', () => {
  // Field 1, length 2^32-1, with 3 bytes behind it.
  assertInvalidPayload(
    () => decodeOtlpTraceRequestProto(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3])),
    /length 4294967295 runs past the end .* at byte 1/,
  );
  assertInvalidPayload(
    () => decodeOtlpTraceRequestProto(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])),
    /length prefix longer than 5 bytes at byte 1/,
  );
  assertInvalidPayload(
    () => decodeOtlpTraceRequestProto(new Uint8Array([0x08, 0xff, 0xff])),
    /truncated varint at byte 1/,
  );
  assertInvalidPayload(
    () => decodeOtlpTraceRequestProto(new Uint8Array([0x08, ...new Uint8Array(10).fill(0xff), 0x01])),
    /varint longer than 10 bytes at byte 1/,
  );
  // A nested field claiming more than its enclosing message holds.
  const overrun = requestWithSpan((writer) => {
    ids(writer);
    writer.tag(5, 2);
    writer.uint32(3);
  });
  assertInvalidPayload(() => decodeOtlpTraceRequestProto(new Uint8Array([...overrun, 0x61, 0x62, 0x63])), /overruns/);
});

test('decoded bytes values are copies, not views of the request buffer', () => {
  const bytes = encodeOtlpTraceRequestProto(sampleSpans());
  const decoded = decodeOtlpTraceRequestProto(bytes);
  const value = decoded.spans[0]?.attributes.find((kv) => kv.key === 'bytes')?.value;
  assert.ok(value?.type === 'bytes');
  bytes.fill(0);
  assert.deepStrictEqual([...value.value], [0, 1, 2, 250, 255]);
});
