import {
  type AnyValue,
  decodeOtlpTraceRequestJson,
  encodeOtlpTraceRequestJson,
  type InstrumentationScope,
  type JaegerKeyValue,
  type JaegerTrace,
  type KeyValue,
  type Resource,
  type Span,
  SpanKind,
  StatusCode,
  stringifyJaegerJson,
  toJaegerTrace,
} from '@ariadne/protocol';
import { ApiError } from '../api/api-error.js';
import { parseJson } from '../api/parse-json.js';
import { readTraces } from '../api/read-response.js';
import { parentSpanIdOf } from './span-references.js';

/**
 * Trace files: what "Download" writes and "Open a file" reads. Jaeger JSON is
 * the query API's envelope (`{"data": [trace]}`), which Jaeger UI also opens;
 * OTLP JSON is an `ExportTraceServiceRequest`, which any OTLP/HTTP endpoint
 * accepts as it is (`curl --data @file -H 'Content-Type: application/json'`).
 */

export type TraceFileFormat = 'jaeger' | 'otlp';

/** Reads either format (also a bare Jaeger trace, a list of them, or Jaeger v3's `{result: ...}`). */
export function parseTraceFile(text: string): JaegerTrace[] {
  let body: unknown;
  try {
    body = parseJson(text);
  } catch (error) {
    throw new ApiError('InvalidResponse', 'The file is not JSON.', undefined, { cause: error });
  }
  const record = (value: unknown): Record<string, unknown> | undefined =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  const top = record(body);
  const otlp = top !== undefined && 'resourceSpans' in top ? top : record(top?.result);
  if (otlp !== undefined && 'resourceSpans' in otlp) {
    const decoded = decodeOtlpTraceRequestJson(
      JSON.stringify(otlp, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
    );
    if (decoded.spans.length === 0) {
      throw new ApiError('InvalidResponse', `The OTLP file holds no valid span. ${decoded.errorMessage}`.trim());
    }
    const byTrace = new Map<string, Span[]>();
    for (const span of decoded.spans) {
      const list = byTrace.get(span.traceId);
      if (list === undefined) byTrace.set(span.traceId, [span]);
      else list.push(span);
    }
    return [...byTrace.values()].map(toJaegerTrace);
  }
  const traces = top !== undefined && Array.isArray(top.data) ? top.data : Array.isArray(body) ? body : [body];
  const read = readTraces(traces).filter((trace) => trace.spans.length > 0);
  if (read.length === 0) throw new ApiError('InvalidResponse', 'The file holds no trace with spans.');
  return read;
}

export function traceFileText(trace: JaegerTrace, format: TraceFileFormat): string {
  if (format === 'jaeger') {
    return stringifyJaegerJson({ data: [trace], total: 1, limit: 0, offset: 0, errors: null });
  }
  return encodeOtlpTraceRequestJson(jaegerTraceToSpans(trace));
}

export function traceFileName(trace: JaegerTrace, format: TraceFileFormat): string {
  return `trace-${trace.traceID}.${format === 'jaeger' ? 'jaeger' : 'otlp'}.json`;
}

/** Tags the OpenTelemetry-to-Jaeger translation adds; on the way back they become span fields again. */
const SPECIAL_TAGS = new Set([
  'span.kind',
  'otel.status_code',
  'otel.status_description',
  'error',
  'otel.scope.name',
  'otel.scope.version',
  'otel.library.name',
  'otel.library.version',
  'w3c.tracestate',
]);

const KINDS: Record<string, SpanKind> = {
  internal: SpanKind.Internal,
  server: SpanKind.Server,
  client: SpanKind.Client,
  producer: SpanKind.Producer,
  consumer: SpanKind.Consumer,
};

/** Jaeger's model back to spans (collector-contrib's jaeger-to-OTLP translation, in short). */
export function jaegerTraceToSpans(trace: JaegerTrace): Span[] {
  const resources = new Map<string, Resource>();
  const resourceOf = (processId: string): Resource => {
    let resource = resources.get(processId);
    if (resource === undefined) {
      const process = trace.processes[processId];
      resource = {
        attributes: [
          { key: 'service.name', value: { type: 'string', value: process?.serviceName ?? 'unknown_service' } },
          ...(process?.tags ?? []).map(toKeyValue),
        ],
        droppedAttributesCount: 0,
      };
      resources.set(processId, resource);
    }
    return resource;
  };
  return trace.spans.map((span): Span => {
    const tag = (key: string) => span.tags.find((t) => t.key === key);
    const text = (key: string) => {
      const t = tag(key);
      return t === undefined ? '' : String(t.value);
    };
    const statusText = text('otel.status_code');
    const error = tag('error');
    const isError = statusText === 'ERROR' || (error !== undefined && String(error.value) === 'true');
    const scope: InstrumentationScope = {
      name: text('otel.scope.name') || text('otel.library.name'),
      version: text('otel.scope.version') || text('otel.library.version'),
      attributes: [],
      droppedAttributesCount: 0,
    };
    const parentId = parentSpanIdOf(span) ?? '';
    const start = BigInt(Math.round(span.startTime)) * 1000n;
    return {
      traceId: span.traceID.padStart(32, '0'),
      spanId: span.spanID.padStart(16, '0'),
      parentSpanId: parentId === '' ? '' : parentId.padStart(16, '0'),
      traceState: text('w3c.tracestate'),
      flags: span.flags & 0xff,
      name: span.operationName,
      kind: KINDS[text('span.kind')] ?? SpanKind.Unspecified,
      startTimeUnixNano: start,
      endTimeUnixNano: start + BigInt(Math.round(span.duration)) * 1000n,
      attributes: span.tags.filter((t) => !SPECIAL_TAGS.has(t.key)).map(toKeyValue),
      droppedAttributesCount: 0,
      events: span.logs.map((log) => {
        const name = log.fields.find((f) => f.key === 'event');
        return {
          timeUnixNano: BigInt(Math.round(log.timestamp)) * 1000n,
          name: name === undefined ? '' : String(name.value),
          attributes: log.fields.filter((f) => f !== name).map(toKeyValue),
          droppedAttributesCount: 0,
        };
      }),
      droppedEventsCount: 0,
      links: span.references
        .filter((ref) => !(ref.refType === 'CHILD_OF' && ref.spanID === parentId))
        .map((ref) => ({
          traceId: ref.traceID.padStart(32, '0'),
          spanId: ref.spanID.padStart(16, '0'),
          traceState: '',
          attributes: [],
          droppedAttributesCount: 0,
          flags: 0,
        })),
      droppedLinksCount: 0,
      status: isError
        ? { code: StatusCode.Error, message: text('otel.status_description') }
        : statusText === 'OK'
          ? { code: StatusCode.Ok, message: '' }
          : { code: StatusCode.Unset, message: '' },
      resource: resourceOf(span.processID),
      scope,
    };
  });
}

function toKeyValue(tag: JaegerKeyValue): KeyValue {
  return { key: tag.key, value: toAnyValue(tag) };
}

function toAnyValue(tag: JaegerKeyValue): AnyValue {
  switch (tag.type) {
    case 'bool':
      return { type: 'bool', value: tag.value === true || tag.value === 'true' };
    case 'int64':
      try {
        return { type: 'int', value: BigInt(tag.value as number | bigint | string) };
      } catch {
        return { type: 'string', value: String(tag.value) };
      }
    case 'float64':
      return { type: 'double', value: Number(tag.value) };
    default:
      // Binary stays base64 text: the protocol's byte encoders need Node's Buffer, which browsers lack.
      return { type: 'string', value: String(tag.value) };
  }
}
