import type { KeyValue } from '../model/any-value.js';

/**
 * `jaeger.thrift` as read off the wire, before translation. Ids are 16 hex
 * characters (an i64's two's complement); times are microseconds. Tags are
 * already typed `KeyValue`s because their translation needs no context.
 * Internal to the decoder: nothing outside `jaeger-thrift/` sees these types.
 */
export interface WireSpanRef {
  /** 0 = CHILD_OF, 1 = FOLLOWS_FROM (other values are kept and treated as FOLLOWS_FROM, as the collector does). */
  readonly refType: number;
  readonly traceIdLow: string;
  readonly traceIdHigh: string;
  readonly spanId: string;
}

export interface WireLog {
  readonly timestamp: bigint;
  readonly fields: KeyValue[];
}

export interface WireSpan {
  traceIdLow: string;
  traceIdHigh: string;
  spanId: string;
  parentSpanId: string;
  operationName: string;
  references: WireSpanRef[];
  flags: number;
  startTime: bigint;
  duration: bigint;
  tags: KeyValue[];
  logs: WireLog[];
  /** False when the struct carried no known field at all (the collector drops such blank spans). */
  present: boolean;
}

export interface WireProcess {
  readonly serviceName: string;
  readonly tags: KeyValue[];
}

export interface WireBatch {
  readonly process: WireProcess | undefined;
  readonly spans: WireSpan[];
}

export const ZERO_ID = '0000000000000000';
