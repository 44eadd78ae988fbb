import { AriadneError } from '../errors.js';
import { type AnyValue, stringValue } from '../model/any-value.js';
import {
  EMPTY_RESOURCE,
  EMPTY_SCOPE,
  type InstrumentationScope,
  type Resource,
  type Span,
  type SpanEvent,
  SpanKind,
  type SpanLink,
  type SpanStatus,
  StatusCode,
} from '../model/span.js';
import { AttributeBag, strOf } from './attribute-bag.js';
import { type WireBatch, type WireProcess, type WireSpan, type WireSpanRef, ZERO_ID } from './jaeger-thrift-wire.js';

/*
 * Jaeger Thrift to the domain model, after the OpenTelemetry Collector's
 * translator (collector-contrib pkg/translator/jaeger, jaegerthrift_to_traces
 * and the status/scope/trace-state handling it shares with jaegerproto_to_traces).
 */

const UNSET_STATUS: SpanStatus = Object.freeze({ code: StatusCode.Unset, message: '' });
const CHILD_OF = 0;
/** W3C trace-flags "sampled"; Jaeger's debug bit (2) has no W3C meaning and is dropped, as the collector does. */
const SAMPLED = 1;

export function jaegerBatchToSpans(batch: WireBatch): Span[] {
  const resource = processToResource(batch.process);
  const scopes = new Map<string, InstrumentationScope>();
  const out: Span[] = [];
  for (let i = 0; i < batch.spans.length; i++) {
    const span = batch.spans[i] as WireSpan;
    if (!span.present) continue;
    out.push(translateSpan(span, i, resource, scopes));
  }
  return out;
}

function processToResource(process: WireProcess | undefined): Resource {
  if (process === undefined || (process.serviceName === '' && process.tags.length === 0)) return EMPTY_RESOURCE;
  const bag = new AttributeBag();
  if (process.serviceName !== '') bag.put('service.name', stringValue(process.serviceName));
  bag.putAll(process.tags);
  // Jaeger clients' own keys, renamed the way the collector renames them.
  if (bag.has('hostname') && !bag.has('host.name')) bag.put('host.name', bag.take('hostname') as AnyValue);
  const jaegerVersion = bag.get('jaeger.version');
  if (jaegerVersion !== undefined && !bag.has('opencensus.exporterversion')) {
    bag.take('jaeger.version');
    bag.put('opencensus.exporterversion', stringValue(`Jaeger-${strOf(jaegerVersion)}`));
  }
  return { attributes: bag.toList(), droppedAttributesCount: 0 };
}

function translateSpan(
  span: WireSpan,
  index: number,
  resource: Resource,
  scopes: Map<string, InstrumentationScope>,
): Span {
  const traceId = span.traceIdHigh + span.traceIdLow;
  if (span.traceIdHigh === ZERO_ID && span.traceIdLow === ZERO_ID) invalid(index, 'trace id is zero');
  if (span.spanId === ZERO_ID) invalid(index, 'span id is zero');
  if (span.startTime < 0n) invalid(index, `negative startTime ${span.startTime}`);
  if (span.duration < 0n) invalid(index, `negative duration ${span.duration}`);

  const bag = new AttributeBag();
  bag.putAll(span.tags);
  const scope = takeScope(bag, scopes);

  let kind = SpanKind.Unspecified;
  const kindTag = bag.take('span.kind');
  if (kindTag !== undefined) kind = spanKindOf(strOf(kindTag));
  const status = takeStatus(bag, kind);
  const traceState = strOf(bag.take('w3c.tracestate'));

  const parentSpanId = parentOf(span);
  const startTimeUnixNano = span.startTime * 1000n;
  return {
    traceId,
    spanId: span.spanId,
    parentSpanId: parentSpanId === ZERO_ID ? '' : parentSpanId,
    traceState,
    flags: span.flags & SAMPLED,
    name: span.operationName,
    kind,
    startTimeUnixNano,
    endTimeUnixNano: startTimeUnixNano + span.duration * 1000n,
    attributes: bag.toList(),
    droppedAttributesCount: 0,
    events: span.logs.length === 0 ? [] : span.logs.map(logToEvent),
    droppedEventsCount: 0,
    links: referencesToLinks(span.references, parentSpanId),
    droppedLinksCount: 0,
    status,
    resource,
    scope,
  };
}

function invalid(index: number, message: string): never {
  throw new AriadneError('InvalidPayload', `jaeger thrift: spans[${index}]: ${message}`);
}

/**
 * `otel.scope.*` (and the older `otel.library.*`) tags name the span's
 * instrumentation scope. The version is only taken when a name is present.
 */
function takeScope(bag: AttributeBag, scopes: Map<string, InstrumentationScope>): InstrumentationScope {
  let nameKey = 'otel.scope.name';
  let versionKey = 'otel.scope.version';
  if (!bag.has(nameKey)) {
    nameKey = 'otel.library.name';
    versionKey = 'otel.library.version';
    if (!bag.has(nameKey)) return EMPTY_SCOPE;
  }
  const name = strOf(bag.take(nameKey));
  const version = strOf(bag.take(versionKey));
  if (name === '' && version === '') return EMPTY_SCOPE;
  const key = `${name}\u0000${version}`;
  let scope = scopes.get(key);
  if (scope === undefined) {
    scope = Object.freeze({ name, version, attributes: [], droppedAttributesCount: 0 });
    scopes.set(key, scope);
  }
  return scope;
}

function spanKindOf(kind: string): SpanKind {
  switch (kind) {
    case 'client':
      return SpanKind.Client;
    case 'server':
      return SpanKind.Server;
    case 'producer':
      return SpanKind.Producer;
    case 'consumer':
      return SpanKind.Consumer;
    case 'internal':
      return SpanKind.Internal;
    default:
      return SpanKind.Unspecified;
  }
}

/**
 * The collector's rules: a boolean `error=true` tag wins; otherwise
 * `otel.status_code` (OK/ERROR); otherwise an HTTP status code (4xx is an
 * error for clients only, 5xx and unparseable codes always).
 */
function takeStatus(bag: AttributeBag, kind: SpanKind): SpanStatus {
  let code = StatusCode.Unset;
  let message = '';
  let exists = false;

  const error = bag.get('error');
  if (error?.type === 'bool' && error.value) {
    code = StatusCode.Error;
    bag.take('error');
    exists = true;
    const description = bag.take('otel.status_description');
    if (description !== undefined) message = strOf(description);
    else message = strOf(bag.get('http.status_message'));
  }

  const statusCode = bag.get('otel.status_code');
  if (statusCode !== undefined) {
    if (!exists) {
      exists = true;
      const text = strOf(statusCode).toUpperCase();
      code = text === 'OK' ? StatusCode.Ok : text === 'ERROR' ? StatusCode.Error : StatusCode.Unset;
      const description = bag.take('otel.status_description');
      if (description !== undefined) message = strOf(description);
    }
    bag.take('otel.status_code');
  } else if (!exists) {
    const http = bag.get('http.status_code');
    const httpCode = http === undefined ? undefined : integerOf(http);
    if (httpCode !== undefined) {
      const fromHttp = statusFromHttp(httpCode, kind);
      if (fromHttp !== StatusCode.Unset) {
        exists = true;
        code = fromHttp;
      }
      message = strOf(bag.get('http.status_message'));
    }
  }
  return exists ? { code, message } : UNSET_STATUS;
}

function integerOf(value: AnyValue): bigint | undefined {
  if (value.type === 'int') return value.value;
  if (value.type === 'string' && /^[+-]?\d{1,18}$/.test(value.value)) return BigInt(value.value);
  return undefined;
}

function statusFromHttp(code: bigint, kind: SpanKind): StatusCode {
  if (code >= 400n && code < 500n) {
    if (kind === SpanKind.Client) return StatusCode.Error;
    if (kind === SpanKind.Server) return StatusCode.Unset;
  }
  return code >= 100n && code < 400n ? StatusCode.Unset : StatusCode.Error;
}

/**
 * `parentSpanId` when set; otherwise a reference into the same trace, CHILD_OF
 * before FOLLOWS_FROM (Jaeger's model.Span.ParentSpanID). Zero means root.
 */
function parentOf(span: WireSpan): string {
  if (span.parentSpanId !== ZERO_ID) return span.parentSpanId;
  let followsFrom: WireSpanRef | undefined;
  for (const ref of span.references) {
    if (ref.traceIdHigh !== span.traceIdHigh || ref.traceIdLow !== span.traceIdLow) continue;
    if (ref.refType === CHILD_OF) return ref.spanId;
    if (followsFrom === undefined) followsFrom = ref;
  }
  return followsFrom?.spanId ?? ZERO_ID;
}

/** Every reference except the CHILD_OF one that became the parent, tagged with its OpenTracing type. */
function referencesToLinks(refs: readonly WireSpanRef[], parentSpanId: string): SpanLink[] {
  const links: SpanLink[] = [];
  for (const ref of refs) {
    if (ref.refType === CHILD_OF && ref.spanId === parentSpanId) continue;
    links.push({
      traceId: ref.traceIdHigh + ref.traceIdLow,
      spanId: ref.spanId,
      traceState: '',
      attributes: [
        { key: 'opentracing.ref_type', value: stringValue(ref.refType === CHILD_OF ? 'child_of' : 'follows_from') },
      ],
      droppedAttributesCount: 0,
      flags: 0,
    });
  }
  return links;
}

/**
 * A log becomes an event named by its `event` field (taken out of the
 * attributes, as the collector does) or, failing that, by its `message` field
 * (kept, so that nothing the client sent is lost).
 */
function logToEvent(log: { timestamp: bigint; fields: readonly { key: string; value: AnyValue }[] }): SpanEvent {
  const bag = new AttributeBag();
  bag.putAll(log.fields);
  let name = '';
  const event = bag.take('event');
  if (event !== undefined) name = nameOf(event);
  else {
    const message = bag.get('message');
    if (message !== undefined) name = nameOf(message);
  }
  return { timeUnixNano: log.timestamp * 1000n, name, attributes: bag.toList(), droppedAttributesCount: 0 };
}

function nameOf(value: AnyValue): string {
  if (value.type === 'string') return value.value;
  if (value.type === 'bool' || value.type === 'int' || value.type === 'double') return String(value.value);
  return '';
}
