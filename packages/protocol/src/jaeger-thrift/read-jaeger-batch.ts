import { type AnyValue, type KeyValue, stringValue } from '../model/any-value.js';
import type { ThriftReader } from '../thrift/thrift-reader.js';
import { TType } from '../thrift/thrift-type.js';
import {
  type WireBatch,
  type WireLog,
  type WireProcess,
  type WireSpan,
  type WireSpanRef,
  ZERO_ID,
} from './jaeger-thrift-wire.js';

/*
 * Readers for the structs of jaeger.thrift (jaeger-idl). Field ids and types
 * follow the IDL; a field whose type does not match the IDL is skipped like an
 * unknown field, which is what Thrift's generated readers do.
 */

/** Reads a `Batch` struct. */
export function readBatch(r: ThriftReader): WireBatch {
  let process: WireProcess | undefined;
  let spans: WireSpan[] = [];
  r.readStructBegin();
  for (let type = r.readFieldBegin(); type !== TType.Stop; type = r.readFieldBegin()) {
    if (r.fieldId === 1 && type === TType.Struct) process = readProcess(r);
    else if (r.fieldId === 2 && type === TType.List) spans = readList(r, TType.Struct, readSpan);
    else r.skip(type);
  }
  r.readStructEnd();
  return { process, spans };
}

function readProcess(r: ThriftReader): WireProcess {
  let serviceName = '';
  let tags: KeyValue[] = [];
  r.readStructBegin();
  for (let type = r.readFieldBegin(); type !== TType.Stop; type = r.readFieldBegin()) {
    if (r.fieldId === 1 && type === TType.String) serviceName = r.readString();
    else if (r.fieldId === 2 && type === TType.List) tags = readList(r, TType.Struct, readTag);
    else r.skip(type);
  }
  r.readStructEnd();
  return { serviceName, tags };
}

function readSpan(r: ThriftReader): WireSpan {
  const span: WireSpan = {
    traceIdLow: ZERO_ID,
    traceIdHigh: ZERO_ID,
    spanId: ZERO_ID,
    parentSpanId: ZERO_ID,
    operationName: '',
    references: [],
    flags: 0,
    startTime: 0n,
    duration: 0n,
    tags: [],
    logs: [],
    present: false,
  };
  r.readStructBegin();
  for (let type = r.readFieldBegin(); type !== TType.Stop; type = r.readFieldBegin()) {
    const known = readSpanField(r, span, r.fieldId, type);
    if (known) span.present = true;
    else r.skip(type);
  }
  r.readStructEnd();
  return span;
}

function readSpanField(r: ThriftReader, span: WireSpan, id: number, type: TType): boolean {
  switch (id) {
    case 1:
      if (type !== TType.I64) return false;
      span.traceIdLow = r.readI64Hex();
      return true;
    case 2:
      if (type !== TType.I64) return false;
      span.traceIdHigh = r.readI64Hex();
      return true;
    case 3:
      if (type !== TType.I64) return false;
      span.spanId = r.readI64Hex();
      return true;
    case 4:
      if (type !== TType.I64) return false;
      span.parentSpanId = r.readI64Hex();
      return true;
    case 5:
      if (type !== TType.String) return false;
      span.operationName = r.readString();
      return true;
    case 6:
      if (type !== TType.List) return false;
      span.references = readList(r, TType.Struct, readSpanRef);
      return true;
    case 7:
      if (type !== TType.I32) return false;
      span.flags = r.readI32();
      return true;
    case 8:
      if (type !== TType.I64) return false;
      span.startTime = r.readI64();
      return true;
    case 9:
      if (type !== TType.I64) return false;
      span.duration = r.readI64();
      return true;
    case 10:
      if (type !== TType.List) return false;
      span.tags = readList(r, TType.Struct, readTag);
      return true;
    case 11:
      if (type !== TType.List) return false;
      span.logs = readList(r, TType.Struct, readLog);
      return true;
    default:
      // 12: `incomplete` is not part of the domain model; skipped like unknown fields.
      return false;
  }
}

function readSpanRef(r: ThriftReader): WireSpanRef {
  let refType = 0;
  let traceIdLow = ZERO_ID;
  let traceIdHigh = ZERO_ID;
  let spanId = ZERO_ID;
  r.readStructBegin();
  for (let type = r.readFieldBegin(); type !== TType.Stop; type = r.readFieldBegin()) {
    const id = r.fieldId;
    if (id === 1 && type === TType.I32) refType = r.readI32();
    else if (id === 2 && type === TType.I64) traceIdLow = r.readI64Hex();
    else if (id === 3 && type === TType.I64) traceIdHigh = r.readI64Hex();
    else if (id === 4 && type === TType.I64) spanId = r.readI64Hex();
    else r.skip(type);
  }
  r.readStructEnd();
  return { refType, traceIdLow, traceIdHigh, spanId };
}

function readLog(r: ThriftReader): WireLog {
  let timestamp = 0n;
  let fields: KeyValue[] = [];
  r.readStructBegin();
  for (let type = r.readFieldBegin(); type !== TType.Stop; type = r.readFieldBegin()) {
    if (r.fieldId === 1 && type === TType.I64) timestamp = r.readI64();
    else if (r.fieldId === 2 && type === TType.List) fields = readList(r, TType.Struct, readTag);
    else r.skip(type);
  }
  r.readStructEnd();
  return { timestamp, fields };
}

const enum TagType {
  String = 0,
  Double = 1,
  Bool = 2,
  Long = 3,
  Binary = 4,
}

/** Reads a `Tag` straight into a typed attribute, as the collector's translator types it. */
function readTag(r: ThriftReader): KeyValue {
  let key = '';
  let vType = 0;
  let vStr = '';
  let vDouble = 0;
  let vBool = false;
  let vLong = 0n;
  let vBinary: Uint8Array = EMPTY_BYTES;
  r.readStructBegin();
  for (let type = r.readFieldBegin(); type !== TType.Stop; type = r.readFieldBegin()) {
    switch (r.fieldId) {
      case 1:
        if (type === TType.String) key = r.readString();
        else r.skip(type);
        break;
      case 2:
        if (type === TType.I32) vType = r.readI32();
        else r.skip(type);
        break;
      case 3:
        if (type === TType.String) vStr = r.readString();
        else r.skip(type);
        break;
      case 4:
        if (type === TType.Double) vDouble = r.readDouble();
        else r.skip(type);
        break;
      case 5:
        if (type === TType.Bool) vBool = r.readBool();
        else r.skip(type);
        break;
      case 6:
        if (type === TType.I64) vLong = r.readI64();
        else r.skip(type);
        break;
      case 7:
        // A copy: the decoded span must not pin the whole request buffer.
        if (type === TType.String) vBinary = r.readBinary().slice();
        else r.skip(type);
        break;
      default:
        r.skip(type);
    }
  }
  r.readStructEnd();
  let value: AnyValue;
  switch (vType) {
    case TagType.String:
      value = stringValue(vStr);
      break;
    case TagType.Double:
      value = { type: 'double', value: vDouble };
      break;
    case TagType.Bool:
      value = { type: 'bool', value: vBool };
      break;
    case TagType.Long:
      value = { type: 'int', value: vLong };
      break;
    case TagType.Binary:
      value = { type: 'bytes', value: vBinary };
      break;
    default:
      value = stringValue(`<Unknown Jaeger TagType ${vType}>`);
  }
  return { key, value };
}

const EMPTY_BYTES = new Uint8Array(0);

/** Reads a list whose elements must be of `elementType`; a list of another element type is skipped (empty). */
function readList<T>(r: ThriftReader, elementType: TType, readElement: (r: ThriftReader) => T): T[] {
  const size = r.readListBegin();
  const out: T[] = [];
  if (r.elementType !== elementType) {
    const actual = r.elementType;
    for (let i = 0; i < size; i++) r.skip(actual);
  } else {
    for (let i = 0; i < size; i++) out.push(readElement(r));
  }
  r.readListEnd();
  return out;
}
