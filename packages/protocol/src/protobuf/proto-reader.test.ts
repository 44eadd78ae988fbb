import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAriadneError } from '../errors.js';
import { ProtoReader } from './proto-reader.js';
import { ProtoWriter } from './proto-writer.js';

test('varints, fixed-width numbers, doubles and strings round-trip through writer and reader', () => {
  const writer = new ProtoWriter(4); // tiny on purpose: the buffer must grow
  const uint64s = [0n, 1n, 127n, 128n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 64n - 1n];
  // Around 2^53 either side (where a double stops being exact) and around 2^32 (where the high half starts).
  const int64s = [-1n, -(2n ** 63n), 2n ** 63n - 1n, -123456789012345n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n];
  int64s.push(
    -(2n ** 53n) + 1n,
    -(2n ** 53n),
    -(2n ** 53n) - 1n,
    2n ** 32n - 1n,
    2n ** 32n,
    -(2n ** 32n),
    -(2n ** 32n) - 1n,
  );
  const fixed64s = [0n, 2n ** 53n - 1n, 2n ** 53n, 1_732_000_000_123_456_789n, 2n ** 64n - 1n];
  const strings = ['', 'ascii', 'é', '日本語', '𝄞', 'x'.repeat(42), 'é'.repeat(43), 'y'.repeat(20000), '\ud800 lone'];
  for (const v of uint64s) writer.uint64(v);
  for (const v of int64s) writer.int64(v);
  for (const v of fixed64s) writer.fixed64(v);
  writer.int32(-5);
  writer.fixed32(0xffffffff);
  for (const v of [0, -0, 1.5, Number.NaN, Number.NEGATIVE_INFINITY, Number.MIN_VALUE]) writer.double(v);
  for (const s of strings) writer.string(s);
  const reader = new ProtoReader(writer.finish());
  for (const v of uint64s) assert.equal(reader.readUint64(), v);
  for (const v of int64s) assert.equal(reader.readInt64(), v);
  for (const v of fixed64s) assert.equal(reader.readFixed64(), v);
  assert.equal(reader.readInt32(), -5);
  assert.equal(reader.readFixed32(), 0xffffffff);
  for (const v of [0, -0, 1.5, Number.NaN, Number.NEGATIVE_INFINITY, Number.MIN_VALUE]) {
    assert.ok(Object.is(reader.readDouble(), v));
  }
  // A lone surrogate cannot be encoded; TextEncoder writes U+FFFD, and so do we.
  for (const s of strings) assert.equal(reader.readString(), s.replace('\ud800', '\ufffd'));
  assert.equal(reader.pos, reader.end);
});

test('fork/join moves the body when the length needs more bytes than reserved', () => {
  for (const [reserve, bodyLength] of [
    [1, 0],
    [1, 127],
    [1, 128],
    [1, 20000],
    [3, 5],
    [2, 300],
  ] as const) {
    const writer = new ProtoWriter(8);
    writer.tag(1, 2);
    const mark = writer.fork(reserve);
    for (let i = 0; i < bodyLength; i++) writer.bool(true);
    writer.join(mark);
    writer.tag(2, 0);
    writer.uint32(99);
    const reader = new ProtoReader(writer.finish());
    assert.equal(reader.readTag(), (1 << 3) | 2);
    const end = reader.readLength();
    assert.equal(end - reader.pos, bodyLength);
    reader.pos = end;
    assert.equal(reader.readTag(), 2 << 3);
    assert.equal(reader.readVarint32(), 99);
  }
});

test('reads past the end fail with the offset, never return garbage', () => {
  const cases: [Uint8Array, (r: ProtoReader) => unknown, RegExp][] = [
    [new Uint8Array([0x80]), (r) => r.readVarint32(), /truncated varint at byte 0/],
    [new Uint8Array([0xff, 0xff]), (r) => r.readUint64(), /truncated varint at byte 0/],
    [new Uint8Array([1, 2, 3]), (r) => r.readFixed32(), /truncated fixed32 at byte 0/],
    [new Uint8Array([1, 2, 3, 4, 5, 6, 7]), (r) => r.readFixed64(), /truncated fixed64/],
    [new Uint8Array([1, 2]), (r) => r.readDouble(), /truncated double/],
    [new Uint8Array([5, 0x61]), (r) => r.readString(), /length 5 runs past the end .* at byte 0/],
    [new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x10]), (r) => r.readBytes(), /length 4294967296 runs past/],
  ];
  for (const [bytes, read, pattern] of cases) {
    assert.throws(
      () => read(new ProtoReader(bytes)),
      (error: unknown) => isAriadneError(error, 'InvalidPayload') && pattern.test((error as Error).message),
    );
  }
});

test('a reader can be confined to a slice of a larger buffer', () => {
  const bytes = new Uint8Array([0xff, 0x08, 0x05, 0xff]);
  const reader = new ProtoReader(bytes, 1, 3);
  assert.equal(reader.readTag(), 1 << 3);
  assert.equal(reader.readVarint32(), 5);
  assert.throws(() => reader.readVarint32(), /truncated varint at byte 3/);
});
