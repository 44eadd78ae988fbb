import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAriadneError } from '../errors.js';
import { BinaryWriter } from './binary-writer.js';
import { CompactWriter } from './compact-writer.js';
import { createThriftReader } from './create-thrift-reader.js';
import type { ThriftReader } from './thrift-reader.js';
import { type ThriftProtocol, TMessageType, TType } from './thrift-type.js';
import type { ThriftWriter } from './thrift-writer.js';

const protocols: ThriftProtocol[] = ['binary', 'compact'];
const writerFor = (protocol: ThriftProtocol): ThriftWriter =>
  protocol === 'binary' ? new BinaryWriter() : new CompactWriter();

/** Reads any value into plain data, the way a test can compare it. */
function readValue(reader: ThriftReader, type: TType): unknown {
  switch (type) {
    case TType.Bool:
      return reader.readBool();
    case TType.Byte:
      return reader.readByte();
    case TType.I16:
      return reader.readI16();
    case TType.I32:
      return reader.readI32();
    case TType.I64:
      return reader.readI64();
    case TType.Double:
      return reader.readDouble();
    case TType.String:
      return reader.readString();
    case TType.Struct: {
      const fields: Record<number, unknown> = {};
      reader.readStructBegin();
      for (let t = reader.readFieldBegin(); t !== TType.Stop; t = reader.readFieldBegin()) {
        const id = reader.fieldId;
        fields[id] = readValue(reader, t);
      }
      reader.readStructEnd();
      return fields;
    }
    case TType.List:
    case TType.Set: {
      const size = reader.readListBegin();
      const element = reader.elementType;
      const out: unknown[] = [];
      for (let i = 0; i < size; i++) out.push(readValue(reader, element));
      reader.readListEnd();
      return out;
    }
    case TType.Map: {
      const size = reader.readMapBegin();
      const [k, v] = [reader.keyType, reader.valueType];
      const out: [unknown, unknown][] = [];
      for (let i = 0; i < size; i++) out.push([readValue(reader, k), readValue(reader, v)]);
      reader.readMapEnd();
      return out;
    }
    default:
      throw new Error(`unexpected type ${type}`);
  }
}

/** A struct using every type, nested structs and collections, and field ids that need long headers. */
function writeEverything(w: ThriftWriter): void {
  w.writeStructBegin();
  w.writeFieldBegin(TType.Bool, 1);
  w.writeBool(true);
  w.writeFieldBegin(TType.Bool, 2);
  w.writeBool(false);
  w.writeFieldBegin(TType.Byte, 3);
  w.writeByte(-5);
  w.writeFieldBegin(TType.I16, 4);
  w.writeI16(-32768);
  w.writeFieldBegin(TType.I32, 5);
  w.writeI32(-2147483648);
  w.writeFieldBegin(TType.I64, 6);
  w.writeI64(-9223372036854775808n);
  w.writeFieldBegin(TType.I64, 7);
  w.writeI64(9223372036854775807n);
  w.writeFieldBegin(TType.Double, 8);
  w.writeDouble(-1.5e300);
  w.writeFieldBegin(TType.String, 9);
  w.writeString('héllo ✓ wörld, long enough to leave the ascii fast path behind: ............');
  w.writeFieldBegin(TType.Struct, 40); // delta > 15: long field header
  w.writeStructBegin();
  w.writeFieldBegin(TType.I32, 1);
  w.writeI32(7);
  w.writeFieldBegin(TType.Bool, 2);
  w.writeBool(true);
  w.writeFieldStop();
  w.writeStructEnd();
  w.writeFieldBegin(TType.List, 41);
  w.writeListBegin(TType.I32, 20); // >= 15 elements: long list header
  for (let i = 0; i < 20; i++) w.writeI32(i * 1000 - 3);
  w.writeFieldBegin(TType.List, 42);
  w.writeListBegin(TType.Bool, 3);
  w.writeBool(true);
  w.writeBool(false);
  w.writeBool(true);
  w.writeFieldBegin(TType.Set, 43);
  w.writeSetBegin(TType.String, 2);
  w.writeString('a');
  w.writeString('');
  w.writeFieldBegin(TType.Map, 44);
  w.writeMapBegin(TType.String, TType.I64, 2);
  w.writeString('x');
  w.writeI64(1n);
  w.writeString('y');
  w.writeI64(-1n);
  w.writeFieldBegin(TType.Map, 45);
  w.writeMapBegin(TType.String, TType.String, 0);
  w.writeFieldBegin(TType.List, 46);
  w.writeListBegin(TType.Struct, 2);
  for (const n of [1, 2]) {
    w.writeStructBegin();
    w.writeFieldBegin(TType.I16, 1);
    w.writeI16(n);
    w.writeFieldStop();
    w.writeStructEnd();
  }
  w.writeFieldBegin(TType.I32, 10); // ids may go down again
  w.writeI32(123456789);
  w.writeFieldStop();
  w.writeStructEnd();
}

const EXPECTED = {
  1: true,
  2: false,
  3: -5,
  4: -32768,
  5: -2147483648,
  6: -9223372036854775808n,
  7: 9223372036854775807n,
  8: -1.5e300,
  9: 'héllo ✓ wörld, long enough to leave the ascii fast path behind: ............',
  40: { 1: 7, 2: true },
  41: Array.from({ length: 20 }, (_, i) => i * 1000 - 3),
  42: [true, false, true],
  43: ['a', ''],
  44: [
    ['x', 1n],
    ['y', -1n],
  ],
  45: [],
  46: [{ 1: 1 }, { 1: 2 }],
  10: 123456789,
};

function assertOnlyInvalidPayload(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!isAriadneError(error, 'InvalidPayload')) throw error;
  }
}

for (const protocol of protocols) {
  describe(`thrift ${protocol} protocol`, () => {
    test('reads back every type, nested structs and collections', () => {
      const w = writerFor(protocol);
      writeEverything(w);
      const reader = createThriftReader(w.finish(), protocol);
      const value = readValue(reader, TType.Struct);
      assert.deepEqual(value, EXPECTED);
      reader.expectEnd();
    });

    test('skips unknown fields of every type', () => {
      const w = writerFor(protocol);
      writeEverything(w);
      const bytes = w.finish();
      const reader = createThriftReader(bytes, protocol);
      reader.readStructBegin();
      let fields = 0;
      for (let t = reader.readFieldBegin(); t !== TType.Stop; t = reader.readFieldBegin()) {
        reader.skip(t);
        fields++;
      }
      reader.readStructEnd();
      assert.equal(fields, 17);
      assert.equal(reader.offset, bytes.length);
    });

    test('i64 as hex is the two’s complement', () => {
      const w = writerFor(protocol);
      for (const v of [0n, 1n, -1n, 0x0123456789abcdefn, -0x7fffffffffffffffn - 1n]) w.writeI64(v);
      const reader = createThriftReader(w.finish(), protocol);
      assert.equal(reader.readI64Hex(), '0000000000000000');
      assert.equal(reader.readI64Hex(), '0000000000000001');
      assert.equal(reader.readI64Hex(), 'ffffffffffffffff');
      assert.equal(reader.readI64Hex(), '0123456789abcdef');
      assert.equal(reader.readI64Hex(), '8000000000000000');
    });

    test('message envelopes', () => {
      const w = writerFor(protocol);
      w.writeMessageBegin('emitBatch', TMessageType.Oneway, 42);
      const header = createThriftReader(w.finish(), protocol).readMessageBegin();
      assert.deepEqual(header, { name: 'emitBatch', type: TMessageType.Oneway, seqId: 42 });
    });

    test('truncation at every byte only ever throws InvalidPayload', () => {
      const w = writerFor(protocol);
      writeEverything(w);
      const bytes = w.finish();
      for (let cut = 0; cut < bytes.length; cut++) {
        assert.throws(
          () => readValue(createThriftReader(bytes.subarray(0, cut), protocol), TType.Struct),
          (error) => isAriadneError(error, 'InvalidPayload') && /at offset \d+/.test((error as Error).message),
          `cut at ${cut}`,
        );
      }
    });

    test('random bytes and bit flips only ever throw InvalidPayload', () => {
      const w = writerFor(protocol);
      writeEverything(w);
      const good = w.finish();
      let seed = 12345;
      const random = () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed;
      };
      for (let round = 0; round < 2000; round++) {
        const bytes = round % 2 === 0 ? good.slice() : new Uint8Array(random() % 200);
        if (round % 2 === 0) for (let k = 0; k < 3; k++) bytes[random() % bytes.length] = random() & 0xff;
        else for (let i = 0; i < bytes.length; i++) bytes[i] = random() & 0xff;
        assertOnlyInvalidPayload(() => readValue(createThriftReader(bytes, protocol), TType.Struct));
        assertOnlyInvalidPayload(() => createThriftReader(bytes, protocol).skip(TType.Struct));
      }
    });

    test('absurd lengths and collection sizes are refused before allocation', () => {
      const cases: ((w: ThriftWriter) => void)[] = [
        (w) => w.writeListBegin(TType.I64, 0x7fffffff),
        (w) => w.writeListBegin(TType.Struct, 1_000_000),
        (w) => w.writeMapBegin(TType.String, TType.String, 0x7ffffff0),
        (w) => (w instanceof CompactWriter ? w.writeVarint(0x7fffffff) : w.writeI32(0x7fffffff)), // a binary's length
      ];
      for (const write of cases) {
        const w = writerFor(protocol);
        write(w);
        w.writeRaw([0, 0, 0, 0]);
        const reader = createThriftReader(w.finish(), protocol);
        assert.throws(
          () => (write === cases[3] ? reader.readBinary() : reader.skip(write === cases[2] ? TType.Map : TType.List)),
          (error) =>
            isAriadneError(error, 'InvalidPayload') &&
            /longer than the input|bytes needed/.test((error as Error).message),
        );
      }
      if (protocol === 'binary') {
        const w = new BinaryWriter();
        w.writeListBegin(TType.I32, -1);
        assert.throws(() => createThriftReader(w.finish(), protocol).skip(TType.List), /negative collection size/);
      }
    });

    test('nesting deeper than the bound is refused', () => {
      const depth = 10_000;
      const w = writerFor(protocol);
      for (let i = 0; i < depth; i++) {
        w.writeStructBegin();
        w.writeFieldBegin(TType.Struct, 1);
      }
      const bytes = w.finish();
      assert.throws(
        () => createThriftReader(bytes, protocol).skip(TType.Struct),
        (error) => isAriadneError(error, 'InvalidPayload') && /nesting deeper than 64/.test((error as Error).message),
      );
      const lists = writerFor(protocol);
      for (let i = 0; i < depth; i++) lists.writeListBegin(TType.List, 1);
      assert.throws(() => createThriftReader(lists.finish(), protocol).skip(TType.List), /nesting deeper/);
    });

    test('unknown types and message framing errors', () => {
      const w = writerFor(protocol);
      w.writeRaw(protocol === 'binary' ? [0x63, 0, 1] : [0x1e]);
      assert.throws(() => createThriftReader(w.finish(), protocol).skip(TType.Struct), /unknown field type/);
      assert.throws(
        () => createThriftReader(new Uint8Array([0x80, 0x02, 0, 1]), protocol).readMessageBegin(),
        (e) => isAriadneError(e, 'InvalidPayload'),
      );
    });
  });
}

test('an unknown protocol name is refused', () => {
  assert.throws(
    () => createThriftReader(new Uint8Array(), 'json' as ThriftProtocol),
    (e) => isAriadneError(e, 'InvalidPayload'),
  );
});

test('binary protocol accepts the old non-strict message framing', () => {
  const w = new BinaryWriter();
  w.writeMessageBegin('emitBatch', TMessageType.Oneway, 7, false);
  assert.deepEqual(createThriftReader(w.finish(), 'binary').readMessageBegin(), {
    name: 'emitBatch',
    type: TMessageType.Oneway,
    seqId: 7,
  });
});
