/**
 * The JSON shapes of Jaeger's query API (`/api/...` on 16686), as Jaeger's own UI
 * reads them (jaeger `model/json`, jaeger-ui `src/types`). Times and durations
 * are microseconds. Ids are lowercase hex: trace ids 16 characters when the high
 * 64 bits are zero (as Jaeger prints them), else 32; span ids 16.
 */

export type JaegerTagType = 'string' | 'bool' | 'int64' | 'float64' | 'binary';

export interface JaegerKeyValue {
  key: string;
  type: JaegerTagType;
  /**
   * string for `string` and `binary` (base64), boolean for `bool`, number for
   * `float64`, number for `int64` (written with every digit, even past 2^53).
   */
  value: string | number | boolean | bigint;
}

export interface JaegerLog {
  timestamp: number;
  fields: JaegerKeyValue[];
}

export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

export interface JaegerProcess {
  serviceName: string;
  tags: JaegerKeyValue[];
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  /** Deprecated by Jaeger, still sent: the span's CHILD_OF parent, or omitted. */
  parentSpanID?: string;
  flags: number;
  operationName: string;
  references: JaegerReference[];
  startTime: number;
  duration: number;
  tags: JaegerKeyValue[];
  logs: JaegerLog[];
  processID: string;
  warnings: string[] | null;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, JaegerProcess>;
  warnings: string[] | null;
}

export interface JaegerOperation {
  name: string;
  spanKind: string;
}

export interface JaegerError {
  code: number;
  msg: string;
  traceID?: string;
}

/** Every response of Jaeger's internal API comes in this envelope. */
export interface JaegerEnvelope<T> {
  data: T;
  total: number;
  limit: number;
  offset: number;
  errors: JaegerError[] | null;
}
