import type {
  JaegerError,
  JaegerKeyValue,
  JaegerLog,
  JaegerProcess,
  JaegerReference,
  JaegerSpan,
  JaegerTagType,
  JaegerTrace,
} from '@ariadne/protocol';
import { ApiError } from './api-error.js';
import { withRetention } from './trace-retention.js';

/**
 * Hand-written guards for what the UI reads from the API. They check every
 * field the UI uses and rebuild the values, so the rest of the app can trust
 * its types. Fields Jaeger sometimes leaves out (`references`, `logs`, `tags`,
 * `warnings`, `flags`) default to empty; anything the UI cannot do without
 * (ids, times, names) is an `InvalidResponse` error that names the field.
 */

export interface Envelope {
  readonly data: unknown;
  readonly errors: readonly JaegerError[];
}

export function readEnvelope(body: unknown): Envelope {
  const envelope = object(body, 'response');
  const errors = envelope.errors;
  const readErrors: JaegerError[] = [];
  if (errors !== null && errors !== undefined) {
    array(errors, 'errors').forEach((value, i) => {
      const error = object(value, `errors[${i}]`);
      const code = error.code;
      readErrors.push({
        code: typeof code === 'number' ? code : 0,
        msg: typeof error.msg === 'string' ? error.msg : String(error.msg ?? ''),
        ...(typeof error.traceID === 'string' ? { traceID: error.traceID } : {}),
      });
    });
  }
  if (!('data' in envelope)) throw invalid('response: no "data" field');
  return { data: envelope.data, errors: readErrors };
}

export function readStringList(value: unknown, what: string): string[] {
  // Jaeger answers an empty list as `null`.
  if (value === null) return [];
  return array(value, what).map((item, i) => string(item, `${what}[${i}]`));
}

export function readTraces(value: unknown): JaegerTrace[] {
  if (value === null) return [];
  return array(value, 'data').map((trace, i) => readTrace(trace, `data[${i}]`));
}

export function readTrace(value: unknown, path: string): JaegerTrace {
  const trace = object(value, path);
  const processes: Record<string, JaegerProcess> = {};
  for (const [id, process] of Object.entries(object(trace.processes ?? {}, `${path}.processes`))) {
    processes[id] = readProcess(process, `${path}.processes.${id}`);
  }
  const spans = array(trace.spans, `${path}.spans`);
  const readSpans: JaegerSpan[] = new Array(spans.length);
  const spansPath = `${path}.spans`;
  for (let i = 0; i < spans.length; i++) readSpans[i] = readSpan(spans[i], spansPath, i);
  const read: JaegerTrace = {
    traceID: string(trace.traceID, `${path}.traceID`),
    spans: readSpans,
    processes,
    warnings: warnings(trace.warnings, `${path}.warnings`),
  };
  return withRetention(read, trace.retention);
}

function readSpan(value: unknown, spansPath: string, index: number): JaegerSpan {
  // The hot path of a 100,000-span trace: fields are checked inline and error
  // paths are only spelled out when something is wrong.
  const path = `${spansPath}[${index}]`;
  const span = object(value, path);
  const { traceID, spanID, operationName, startTime, duration, processID, parentSpanID } = span;
  if (typeof traceID !== 'string') string(traceID, `${path}.traceID`);
  if (typeof spanID !== 'string') string(spanID, `${path}.spanID`);
  if (typeof operationName !== 'string') string(operationName, `${path}.operationName`);
  if (typeof processID !== 'string') string(processID, `${path}.processID`);
  const references = span.references;
  const logs = span.logs;
  const read: JaegerSpan = {
    traceID: traceID as string,
    spanID: spanID as string,
    flags: span.flags === undefined ? 0 : number(span.flags, `${path}.flags`),
    operationName: operationName as string,
    references:
      references === undefined || references === null || (Array.isArray(references) && references.length === 0)
        ? []
        : array(references, `${path}.references`).map((r, i) => readReference(r, `${path}.references[${i}]`)),
    startTime:
      typeof startTime === 'number' && Number.isFinite(startTime) ? startTime : number(startTime, `${path}.startTime`),
    duration:
      typeof duration === 'number' && Number.isFinite(duration) ? duration : number(duration, `${path}.duration`),
    tags: readTags(span.tags, path, '.tags'),
    logs:
      logs === undefined || logs === null || (Array.isArray(logs) && logs.length === 0)
        ? []
        : array(logs, `${path}.logs`).map((l, i) => readLog(l, `${path}.logs[${i}]`)),
    processID: processID as string,
    warnings:
      span.warnings === null || span.warnings === undefined ? null : warnings(span.warnings, `${path}.warnings`),
  };
  if (parentSpanID !== undefined && parentSpanID !== null) {
    read.parentSpanID = typeof parentSpanID === 'string' ? parentSpanID : string(parentSpanID, `${path}.parentSpanID`);
  }
  return read;
}

function readReference(value: unknown, path: string): JaegerReference {
  const reference = object(value, path);
  const refType = reference.refType;
  if (refType !== 'CHILD_OF' && refType !== 'FOLLOWS_FROM') {
    throw invalid(`${path}.refType: expected CHILD_OF or FOLLOWS_FROM, got ${describe(refType)}`);
  }
  return {
    refType,
    traceID: string(reference.traceID, `${path}.traceID`),
    spanID: string(reference.spanID, `${path}.spanID`),
  };
}

function readLog(value: unknown, path: string): JaegerLog {
  const log = object(value, path);
  return { timestamp: number(log.timestamp, `${path}.timestamp`), fields: readTags(log.fields, path, '.fields') };
}

function readProcess(value: unknown, path: string): JaegerProcess {
  const process = object(value, path);
  return {
    serviceName: string(process.serviceName, `${path}.serviceName`),
    tags: readTags(process.tags, path, '.tags'),
  };
}

const TAG_TYPES: readonly JaegerTagType[] = ['string', 'bool', 'int64', 'float64', 'binary'];

/** `path + suffix` names the list in errors; it is only put together when one is thrown. */
function readTags(value: unknown, path: string, suffix: string): JaegerKeyValue[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) array(value, path + suffix);
  const items = value as unknown[];
  const out: JaegerKeyValue[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const tag = items[i] as Record<string, unknown> | null;
    if (typeof tag !== 'object' || tag === null || Array.isArray(tag)) object(tag, `${path}${suffix}[${i}]`);
    const t = tag as Record<string, unknown>;
    const key = t.key;
    if (typeof key !== 'string') string(key, `${path}${suffix}[${i}].key`);
    // Jaeger omits `type` for strings in some versions; lower case is what it writes.
    const raw = t.type;
    const type: JaegerTagType | undefined =
      raw === 'string' || raw === 'bool' || raw === 'int64' || raw === 'float64' || raw === 'binary'
        ? raw
        : raw === undefined
          ? 'string'
          : TAG_TYPES.find((x) => x === String(raw).toLowerCase());
    if (type === undefined) throw invalid(`${path}${suffix}[${i}].type: unknown tag type ${describe(raw)}`);
    const v = t.value;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') {
      throw invalid(`${path}${suffix}[${i}].value: expected a string, number or boolean, got ${describe(v)}`);
    }
    out[i] = { key: key as string, type, value: v };
  }
  return out;
}

function warnings(value: unknown, path: string): string[] | null {
  if (value === null || value === undefined) return null;
  return array(value, path).map((w, i) => string(w, `${path}[${i}]`));
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${path}: expected an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw invalid(`${path}: expected an array, got ${describe(value)}`);
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw invalid(`${path}: expected a string, got ${describe(value)}`);
  return value;
}

function number(value: unknown, path: string): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalid(`${path}: expected a number, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value;
}

function invalid(message: string): ApiError {
  return new ApiError('InvalidResponse', `The server sent an unexpected answer: ${message}.`);
}
