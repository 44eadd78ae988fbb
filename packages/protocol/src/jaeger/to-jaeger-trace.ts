import { type Attributes, findAttribute } from '../model/any-value.js';
import { type ErrorAttribute, errorAttributeOf } from '../model/error-attribute.js';
import {
  type InstrumentationScope,
  type Resource,
  type Span,
  type SpanEvent,
  StatusCode,
  serviceNameOf,
} from '../model/span.js';
import { spanKindToJaeger } from './jaeger-span-kind.js';
import { anyValueToJaegerTag, appendJaegerTags } from './jaeger-tags.js';
import { toJaegerTraceId } from './jaeger-trace-id.js';
import { stringifyJaegerJson } from './stringify-jaeger-json.js';
import type { JaegerKeyValue, JaegerLog, JaegerProcess, JaegerReference, JaegerSpan, JaegerTrace } from './ui-model.js';

/** Jaeger's W3C sampled bit is its own "sampled" flag; the other W3C bits mean other things to Jaeger (debug). */
const JAEGER_SAMPLED_FLAG = 1;

/**
 * The spans of one trace in Jaeger's query API shape, translated the way
 * Jaeger v2 does it (OpenTelemetry collector-contrib `pkg/translator/jaeger`,
 * then Jaeger's `model/json`): microsecond times, the parent as the first
 * `CHILD_OF` reference, links as `FOLLOWS_FROM` (link attributes are lost, as
 * in Jaeger), OpenTelemetry's extra fields as tags in the translator's order
 * (scope, attributes, `span.kind`, `otel.status_code`, `error`,
 * `otel.status_description`, `w3c.tracestate`, dropped counts; a failure that
 * a Zipkin `error` attribute carries is written once, in that attribute's
 * place, as Jaeger's own collector writes it: `error=true` and
 * `error.message`), events as logs and resources as processes `p1`, `p2`, ...
 * numbered in order of first use.
 *
 * Spans come out sorted by start time (then span id) so the output does not
 * depend on the store's order. An empty input gives an empty trace with an
 * empty id.
 */
export function toJaegerTrace(spans: readonly Span[]): JaegerTrace {
  const processes = new ProcessTable();
  const sorted = [...spans].sort(byStartThenId);
  const jaegerSpans = sorted.map((span) => toJaegerSpan(span, processes.idOf(span.resource)));
  return {
    traceID: sorted[0] === undefined ? '' : toJaegerTraceId(sorted[0].traceId),
    spans: jaegerSpans,
    processes: processes.toRecord(),
    warnings: null,
  };
}

function byStartThenId(a: Span, b: Span): number {
  if (a.startTimeUnixNano !== b.startTimeUnixNano) return a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1;
  return a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0;
}

function toJaegerSpan(span: Span, processID: string): JaegerSpan {
  const traceID = toJaegerTraceId(span.traceId);
  const warnings: string[] = [];
  let durationNanos = span.endTimeUnixNano - span.startTimeUnixNano;
  if (durationNanos < 0n) {
    warnings.push(`end time is before start time by ${micros(-durationNanos)}μs; duration shown as 0`);
    durationNanos = 0n;
  }
  const jaegerSpan: JaegerSpan = {
    traceID,
    spanID: span.spanId,
    flags: span.flags & JAEGER_SAMPLED_FLAG,
    operationName: span.name,
    references: toReferences(span, traceID),
    startTime: micros(span.startTimeUnixNano),
    duration: micros(durationNanos),
    tags: toSpanTags(span),
    logs: span.events.map(toLog),
    processID,
    warnings: warnings.length > 0 ? warnings : null,
  };
  if (span.parentSpanId !== '') jaegerSpan.parentSpanID = span.parentSpanId;
  return jaegerSpan;
}

/** Truncates toward zero, like Jaeger's `TimeAsEpochMicroseconds`. */
function micros(nanos: bigint): number {
  return Number(nanos / 1000n);
}

function toReferences(span: Span, traceID: string): JaegerReference[] {
  const references: JaegerReference[] = [];
  // First, because clients look for the parent as the first CHILD_OF reference.
  if (span.parentSpanId !== '') references.push({ refType: 'CHILD_OF', traceID, spanID: span.parentSpanId });
  for (const link of span.links) {
    // Spans that came from OpenTracing keep their reference type in this attribute.
    const refTypeValue = findAttribute(link.attributes, 'opentracing.ref_type');
    const refType = refTypeValue?.type === 'string' && refTypeValue.value === 'child_of' ? 'CHILD_OF' : 'FOLLOWS_FROM';
    const parent = references[0];
    if (
      parent !== undefined &&
      span.parentSpanId !== '' &&
      link.traceId === span.traceId &&
      link.spanId === span.parentSpanId
    ) {
      // A link to the parent only says which kind of reference the parent is.
      parent.refType = refType;
      continue;
    }
    references.push({ refType, traceID: toJaegerTraceId(link.traceId), spanID: link.spanId });
  }
  return references;
}

function toSpanTags(span: Span): JaegerKeyValue[] {
  const tags = scopeTags(span.scope);
  const errorTag = errorAttributeOf(span);
  if (errorTag === undefined) appendJaegerTags(tags, span.attributes);
  else appendWithErrorTag(tags, span.attributes, errorTag);
  const kind = spanKindToJaeger(span.kind);
  if (kind !== '') tags.push({ key: 'span.kind', type: 'string', value: kind });
  if (span.status.code === StatusCode.Ok) tags.push({ key: 'otel.status_code', type: 'string', value: 'OK' });
  // A failure a Zipkin `error` tag carries was written in that tag's place.
  if (errorTag === undefined) {
    if (span.status.code === StatusCode.Error) {
      tags.push({ key: 'otel.status_code', type: 'string', value: 'ERROR' });
      tags.push({ key: 'error', type: 'bool', value: true });
    }
    if (span.status.message !== '') {
      tags.push({ key: 'otel.status_description', type: 'string', value: span.status.message });
    }
  }
  if (span.traceState !== '') tags.push({ key: 'w3c.tracestate', type: 'string', value: span.traceState });
  pushCount(tags, 'otel.dropped_attributes_count', span.droppedAttributesCount);
  pushCount(tags, 'otel.dropped_events_count', span.droppedEventsCount);
  pushCount(tags, 'otel.dropped_links_count', span.droppedLinksCount);
  return tags;
}

/**
 * The attributes as tags, with the `error` attribute that carries the span's
 * failure written as Jaeger's collector writes a Zipkin error tag (its Zipkin
 * span sanitizer): `error=true`, and the description in `error.message`
 * unless the span has an attribute of that name already.
 */
function appendWithErrorTag(tags: JaegerKeyValue[], attributes: Attributes, errorTag: ErrorAttribute): void {
  attributes.forEach((attribute, index) => {
    if (index !== errorTag.index) {
      tags.push(anyValueToJaegerTag(attribute.key, attribute.value));
      return;
    }
    tags.push({ key: 'error', type: 'bool', value: true });
    if (errorTag.description !== '' && findAttribute(attributes, 'error.message') === undefined) {
      tags.push({ key: 'error.message', type: 'string', value: errorTag.description });
    }
  });
}

function scopeTags(scope: InstrumentationScope): JaegerKeyValue[] {
  const tags: JaegerKeyValue[] = [];
  if (scope.name !== '') tags.push({ key: 'otel.scope.name', type: 'string', value: scope.name });
  if (scope.version !== '') tags.push({ key: 'otel.scope.version', type: 'string', value: scope.version });
  return tags;
}

function pushCount(tags: JaegerKeyValue[], key: string, count: number): void {
  if (count > 0) tags.push({ key, type: 'int64', value: BigInt(count) });
}

function toLog(event: SpanEvent): JaegerLog {
  const fields: JaegerKeyValue[] = [];
  // The collector leaves the name out when an attribute already claims the `event` key.
  if (event.name !== '' && findAttribute(event.attributes, 'event') === undefined) {
    fields.push({ key: 'event', type: 'string', value: event.name });
  }
  appendJaegerTags(fields, event.attributes);
  pushCount(fields, 'otel.dropped_attributes_count', event.droppedAttributesCount);
  return { timestamp: micros(event.timeUnixNano), fields };
}

/**
 * Processes deduplicated by content, as Jaeger's `model/json` converter does:
 * two resources with the same service and tags share one id. Resources are
 * usually shared objects, so each is translated once.
 */
class ProcessTable {
  private readonly byResource = new Map<Resource, string>();
  private readonly byContent = new Map<string, string>();
  private readonly processes: [string, JaegerProcess][] = [];

  idOf(resource: Resource): string {
    const known = this.byResource.get(resource);
    if (known !== undefined) return known;
    const process = toProcess(resource);
    const content = stringifyJaegerJson(process);
    let id = this.byContent.get(content);
    if (id === undefined) {
      id = `p${this.processes.length + 1}`;
      this.byContent.set(content, id);
      this.processes.push([id, process]);
    }
    this.byResource.set(resource, id);
    return id;
  }

  toRecord(): Record<string, JaegerProcess> {
    return Object.fromEntries(this.processes);
  }
}

function toProcess(resource: Resource): JaegerProcess {
  const serviceName = serviceNameOf(resource);
  // Only the string `service.name` became the service name; any other value stays visible as a tag.
  const tags = appendJaegerTags(
    [],
    resource.attributes.filter((kv) => !(kv.key === 'service.name' && kv.value.type === 'string')),
  );
  pushCount(tags, 'otel.dropped_attributes_count', resource.droppedAttributesCount);
  return { serviceName, tags };
}
