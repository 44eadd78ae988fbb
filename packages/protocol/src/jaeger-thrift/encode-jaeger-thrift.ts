import { BinaryWriter } from '../thrift/binary-writer.js';
import { CompactWriter } from '../thrift/compact-writer.js';
import { type ThriftProtocol, TMessageType, TType } from '../thrift/thrift-type.js';
import type { ThriftWriter } from '../thrift/thrift-writer.js';

/*
 * The write side of jaeger.thrift, field for field as the IDL names them.
 * Used to build known payloads in tests; also what a Jaeger-speaking sender
 * would need. Ids are signed or unsigned 64-bit values (written as i64).
 */

export enum JaegerThriftTagType {
  String = 0,
  Double = 1,
  Bool = 2,
  Long = 3,
  Binary = 4,
}

export interface JaegerThriftTag {
  readonly key: string;
  readonly vType: JaegerThriftTagType | number;
  readonly vStr?: string;
  readonly vDouble?: number;
  readonly vBool?: boolean;
  readonly vLong?: bigint;
  readonly vBinary?: Uint8Array;
}

export interface JaegerThriftLog {
  readonly timestamp: bigint;
  readonly fields: readonly JaegerThriftTag[];
}

export interface JaegerThriftSpanRef {
  /** 0 = CHILD_OF, 1 = FOLLOWS_FROM. */
  readonly refType: number;
  readonly traceIdLow: bigint;
  readonly traceIdHigh: bigint;
  readonly spanId: bigint;
}

export interface JaegerThriftSpan {
  readonly traceIdLow: bigint;
  readonly traceIdHigh: bigint;
  readonly spanId: bigint;
  readonly parentSpanId: bigint;
  readonly operationName: string;
  readonly references?: readonly JaegerThriftSpanRef[];
  readonly flags: number;
  readonly startTime: bigint;
  readonly duration: bigint;
  readonly tags?: readonly JaegerThriftTag[];
  readonly logs?: readonly JaegerThriftLog[];
  readonly incomplete?: boolean;
}

export interface JaegerThriftBatch {
  readonly process: { readonly serviceName: string; readonly tags?: readonly JaegerThriftTag[] };
  readonly spans: readonly JaegerThriftSpan[];
}

function writerFor(protocol: ThriftProtocol): ThriftWriter {
  return protocol === 'binary' ? new BinaryWriter() : new CompactWriter();
}

/** A bare Batch, as the collector's HTTP endpoint receives it. */
export function encodeJaegerThriftBatch(batch: JaegerThriftBatch, protocol: ThriftProtocol): Uint8Array {
  const w = writerFor(protocol);
  writeJaegerBatch(w, batch);
  return w.finish();
}

/** `Agent.emitBatch` as the agent's UDP ports receive it (oneway message). */
export function encodeJaegerAgentMessage(batch: JaegerThriftBatch, protocol: ThriftProtocol, seqId = 0): Uint8Array {
  const w = writerFor(protocol);
  w.writeMessageBegin('emitBatch', TMessageType.Oneway, seqId);
  w.writeStructBegin();
  w.writeFieldBegin(TType.Struct, 1);
  writeJaegerBatch(w, batch);
  w.writeFieldStop();
  w.writeStructEnd();
  return w.finish();
}

export function writeJaegerBatch(w: ThriftWriter, batch: JaegerThriftBatch): void {
  w.writeStructBegin();
  w.writeFieldBegin(TType.Struct, 1);
  w.writeStructBegin();
  w.writeFieldBegin(TType.String, 1);
  w.writeString(batch.process.serviceName);
  if (batch.process.tags) writeList(w, 2, batch.process.tags, writeTag);
  w.writeFieldStop();
  w.writeStructEnd();
  writeList(w, 2, batch.spans, writeSpan);
  w.writeFieldStop();
  w.writeStructEnd();
}

function writeList<T>(
  w: ThriftWriter,
  id: number,
  items: readonly T[],
  write: (w: ThriftWriter, item: T) => void,
): void {
  w.writeFieldBegin(TType.List, id);
  w.writeListBegin(TType.Struct, items.length);
  for (const item of items) write(w, item);
}

function writeI64Field(w: ThriftWriter, id: number, value: bigint): void {
  w.writeFieldBegin(TType.I64, id);
  w.writeI64(value);
}

function writeSpan(w: ThriftWriter, span: JaegerThriftSpan): void {
  w.writeStructBegin();
  writeI64Field(w, 1, span.traceIdLow);
  writeI64Field(w, 2, span.traceIdHigh);
  writeI64Field(w, 3, span.spanId);
  writeI64Field(w, 4, span.parentSpanId);
  w.writeFieldBegin(TType.String, 5);
  w.writeString(span.operationName);
  if (span.references) writeList(w, 6, span.references, writeSpanRef);
  w.writeFieldBegin(TType.I32, 7);
  w.writeI32(span.flags);
  writeI64Field(w, 8, span.startTime);
  writeI64Field(w, 9, span.duration);
  if (span.tags) writeList(w, 10, span.tags, writeTag);
  if (span.logs) writeList(w, 11, span.logs, writeLog);
  if (span.incomplete !== undefined) {
    w.writeFieldBegin(TType.Bool, 12);
    w.writeBool(span.incomplete);
  }
  w.writeFieldStop();
  w.writeStructEnd();
}

function writeSpanRef(w: ThriftWriter, ref: JaegerThriftSpanRef): void {
  w.writeStructBegin();
  w.writeFieldBegin(TType.I32, 1);
  w.writeI32(ref.refType);
  writeI64Field(w, 2, ref.traceIdLow);
  writeI64Field(w, 3, ref.traceIdHigh);
  writeI64Field(w, 4, ref.spanId);
  w.writeFieldStop();
  w.writeStructEnd();
}

function writeLog(w: ThriftWriter, log: JaegerThriftLog): void {
  w.writeStructBegin();
  writeI64Field(w, 1, log.timestamp);
  writeList(w, 2, log.fields, writeTag);
  w.writeFieldStop();
  w.writeStructEnd();
}

function writeTag(w: ThriftWriter, tag: JaegerThriftTag): void {
  w.writeStructBegin();
  w.writeFieldBegin(TType.String, 1);
  w.writeString(tag.key);
  w.writeFieldBegin(TType.I32, 2);
  w.writeI32(tag.vType);
  if (tag.vStr !== undefined) {
    w.writeFieldBegin(TType.String, 3);
    w.writeString(tag.vStr);
  }
  if (tag.vDouble !== undefined) {
    w.writeFieldBegin(TType.Double, 4);
    w.writeDouble(tag.vDouble);
  }
  if (tag.vBool !== undefined) {
    w.writeFieldBegin(TType.Bool, 5);
    w.writeBool(tag.vBool);
  }
  if (tag.vLong !== undefined) writeI64Field(w, 6, tag.vLong);
  if (tag.vBinary !== undefined) {
    w.writeFieldBegin(TType.String, 7);
    w.writeBinary(tag.vBinary);
  }
  w.writeFieldStop();
  w.writeStructEnd();
}
