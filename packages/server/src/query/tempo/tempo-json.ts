import { type AnyValue, durationNanosOf, type KeyValue } from '@ariadne/protocol';
import type { Static } from '../traceql/ast.js';
import type { MetricsSeries } from '../traceql/metrics.js';
import type { TraceQLSearchResult, TraceQLTraceResult } from '../traceql/search.js';

/**
 * Tempo's JSON shapes (protobuf JSON of `tempopb`: lowerCamelCase, int64 as
 * decimal strings, attributes as OTLP `KeyValue`s), built from Ariadne's
 * search and metrics results. Grafana's Tempo data source reads these as is.
 */

export type OtlpJsonValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { bytesValue: string }
  | { arrayValue: { values: OtlpJsonValue[] } }
  | { kvlistValue: { values: { key: string; value: OtlpJsonValue }[] } }
  | Record<string, never>;

export function anyValueJson(value: AnyValue): OtlpJsonValue {
  switch (value.type) {
    case 'string':
      return { stringValue: value.value };
    case 'int':
      return { intValue: value.value.toString() };
    case 'double':
      return { doubleValue: value.value };
    case 'bool':
      return { boolValue: value.value };
    case 'bytes':
      return { bytesValue: Buffer.from(value.value).toString('base64') };
    case 'array':
      return { arrayValue: { values: value.value.map(anyValueJson) } };
    case 'kvlist':
      return { kvlistValue: { values: value.value.map(keyValueJson) } };
    case 'empty':
      return {};
  }
}

export function keyValueJson(kv: KeyValue): { key: string; value: OtlpJsonValue } {
  return { key: kv.key, value: anyValueJson(kv.value) };
}

/** TraceQL values as OTLP values: enums (status, kind) as their names, durations as nanoseconds. */
export function staticJson(value: Static): OtlpJsonValue {
  switch (value.type) {
    case 'string':
    case 'status':
    case 'kind':
      return { stringValue: value.value };
    case 'int':
    case 'duration':
      return { intValue: String(Math.round(value.value)) };
    case 'float':
      return { doubleValue: value.value };
    case 'bool':
      return { boolValue: value.value };
    case 'nil':
      return {};
  }
}

export function traceSearchMetadataJson(trace: TraceQLTraceResult) {
  const spanSets = trace.spanSets.map((set) => ({
    spans: set.spans.map(({ span, attributes }) => ({
      spanID: span.spanId,
      name: span.name,
      startTimeUnixNano: span.startTimeUnixNano.toString(),
      durationNanos: durationNanosOf(span).toString(),
      ...(attributes.length > 0 ? { attributes: attributes.map(keyValueJson) } : {}),
    })),
    matched: set.matched,
    ...(set.attributes.length > 0 ? { attributes: set.attributes.map(keyValueJson) } : {}),
  }));
  return {
    traceID: trace.traceId,
    rootServiceName: trace.rootServiceName,
    rootTraceName: trace.rootTraceName,
    startTimeUnixNano: trace.startTimeUnixNano.toString(),
    durationMs: Number(trace.durationNanos / 1_000_000n),
    // Tempo still fills the single `spanSet` (the first) for older Grafana versions.
    ...(spanSets.length > 0 ? { spanSet: spanSets[0], spanSets } : {}),
    serviceStats: Object.fromEntries(trace.serviceStats),
  };
}

export function searchResponseJson(result: TraceQLSearchResult) {
  return {
    traces: result.traces.map(traceSearchMetadataJson),
    metrics: {
      inspectedTraces: result.inspectedTraces,
      inspectedSpans: String(result.inspectedSpans),
      inspectedBytes: '0',
      completedJobs: 1,
      totalJobs: 1,
    },
  };
}

export function seriesLabelsJson(series: MetricsSeries) {
  return series.labels.map((label) => ({ key: label.key, value: staticJson(label.value) }));
}

export function queryRangeResponseJson(
  series: readonly MetricsSeries[],
  inspectedTraces: number,
  inspectedSpans: number,
) {
  return {
    series: series.map((s) => ({
      labels: seriesLabelsJson(s),
      samples: s.samples.map((sample) => ({ timestampMs: String(sample.timestampMs), value: sample.value })),
      promLabels: s.promLabels,
    })),
    metrics: {
      inspectedTraces,
      inspectedSpans: String(inspectedSpans),
      inspectedBytes: '0',
      completedJobs: 1,
      totalJobs: 1,
    },
  };
}
