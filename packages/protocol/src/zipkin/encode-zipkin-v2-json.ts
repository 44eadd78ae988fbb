import { anyValueJsonText } from '../jaeger/jaeger-tags.js';
import type { AnyValue, Attributes } from '../model/any-value.js';
import { errorAttributeOf } from '../model/error-attribute.js';
import { type Span, SpanKind, StatusCode, serviceNameOf } from '../model/span.js';
import { START_TIME_ABSENT_ATTRIBUTE } from './zipkin-to-spans.js';

/*
 * The domain model to Zipkin v2 JSON (zipkin2-api.yaml `Span`), the inverse of
 * `decodeZipkinV2Json` and after the OpenTelemetry Zipkin exporter spec and the
 * collector's translator: what the decoder reads back into a field (kind,
 * endpoints, status, scope, links, tracestate, shared/debug) is written where
 * the decoder looks for it, so encode -> decode keeps a span's meaning.
 */

export interface ZipkinV2JsonEndpoint {
  serviceName?: string;
  ipv4?: string;
  ipv6?: string;
  port?: number;
}

export interface ZipkinV2JsonAnnotation {
  /** Microseconds since the epoch. */
  timestamp: number;
  value: string;
}

export interface ZipkinV2JsonSpan {
  /** 16 hex characters when the high half is zero, else 32. */
  traceId: string;
  parentId?: string;
  id: string;
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  name?: string;
  /** Microseconds since the epoch; absent when the start was unknown. */
  timestamp?: number;
  /** Microseconds, at least 1 when the span lasted any time at all; absent for 0. */
  duration?: number;
  localEndpoint?: ZipkinV2JsonEndpoint;
  remoteEndpoint?: ZipkinV2JsonEndpoint;
  annotations?: ZipkinV2JsonAnnotation[];
  tags?: Record<string, string>;
  debug?: boolean;
  shared?: boolean;
}

/** Zipkin v2 JSON text (an array of spans) for `POST /api/v2/spans` or a query answer. */
export function encodeZipkinV2Json(spans: readonly Span[]): string {
  return JSON.stringify(toZipkinV2JsonSpans(spans));
}

/** The object form of `encodeZipkinV2Json`, in the input order. */
export function toZipkinV2JsonSpans(spans: readonly Span[]): ZipkinV2JsonSpan[] {
  return spans.map(toZipkinV2JsonSpan);
}

/** Zipkin prints 64-bit trace ids as 16 characters; ours are always 32. */
export function zipkinTraceId(traceId: string): string {
  return traceId.startsWith('0000000000000000') && traceId.length === 32 ? traceId.slice(16) : traceId;
}

const LOCAL_IP = ['net.host.ip', 'network.local.address'];
const LOCAL_PORT = ['net.host.port', 'network.local.port'];
const REMOTE_SERVICE = ['peer.service', 'service.peer.name'];
const REMOTE_IP = ['net.peer.ip', 'network.peer.address'];
const REMOTE_PORT = ['net.peer.port', 'network.peer.port'];

export function toZipkinV2JsonSpan(span: Span): ZipkinV2JsonSpan {
  const attributes = new Map<string, AnyValue>();
  for (const kv of span.attributes) attributes.set(kv.key, kv.value);

  const out: ZipkinV2JsonSpan = { traceId: zipkinTraceId(span.traceId), id: span.spanId };
  if (span.parentSpanId !== '') out.parentId = span.parentSpanId;
  const kind = ZIPKIN_KIND[span.kind];
  if (kind !== undefined) out.kind = kind;
  if (span.name !== '') out.name = span.name;

  if (!isTrue(attributes.get(START_TIME_ABSENT_ATTRIBUTE))) out.timestamp = Number(span.startTimeUnixNano / 1000n);
  const nanos = span.endTimeUnixNano - span.startTimeUnixNano;
  // Zipkin has no sub-microsecond durations; a span that took any time reports at least 1.
  if (nanos > 0n) out.duration = Math.max(1, Number(nanos / 1000n));

  // Attribute keys moved into an endpoint; a malformed `net.peer.ip` stays a tag.
  const used = new Set<string>();
  const local = endpoint(serviceNameOf(span.resource), attributes, used, [], LOCAL_IP, LOCAL_PORT);
  if (local !== undefined) out.localEndpoint = local;
  const remote = endpoint('', attributes, used, REMOTE_SERVICE, REMOTE_IP, REMOTE_PORT);
  if (remote !== undefined) out.remoteEndpoint = remote;

  if (span.events.length > 0) {
    out.annotations = span.events.map((event) => ({
      timestamp: Number(event.timeUnixNano / 1000n),
      value:
        event.attributes.length === 0 && event.droppedAttributesCount === 0
          ? event.name
          : `${event.name}|${attributesJson(event.attributes)}|${event.droppedAttributesCount}`,
    }));
  }

  const tags: Record<string, string> = {};
  let tagCount = 0;
  const put = (key: string, value: string): void => {
    tags[key] = value;
    tagCount++;
  };
  for (const [key, value] of attributes) {
    if (key === START_TIME_ABSENT_ATTRIBUTE || key === 'zipkin.shared' || key === 'zipkin.debug') continue;
    if (used.has(key)) continue;
    put(key, tagText(value));
  }
  for (const kv of span.resource.attributes) if (kv.key !== 'service.name') put(kv.key, tagText(kv.value));
  if (span.kind === SpanKind.Internal) put('span.kind', 'internal');
  if (span.scope.name !== '') {
    put('otel.scope.name', span.scope.name);
    if (span.scope.version !== '') put('otel.scope.version', span.scope.version);
  }
  if (span.status.code === StatusCode.Ok) put('otel.status_code', 'OK');
  // A span that failed the Zipkin way (its `error` tag, written above as it came) gets no tag nobody sent.
  if (span.status.code === StatusCode.Error && errorAttributeOf(span) === undefined) {
    put('otel.status_code', 'ERROR');
    // Zipkin marks a failed span with an `error` tag holding the error's description; an `error`
    // attribute that says something else stays, and the description gets OpenTelemetry's tag.
    if (!attributes.has('error')) put('error', span.status.message === '' ? 'true' : span.status.message);
    else if (span.status.message !== '') put('otel.status_description', span.status.message);
  }
  if (span.traceState !== '') put('w3c.tracestate', span.traceState);
  span.links.forEach((link, i) => {
    put(
      `otlp.link.${i}`,
      `${link.traceId}|${link.spanId}|${link.traceState}|${attributesJson(link.attributes)}|${link.droppedAttributesCount}`,
    );
  });
  if (tagCount > 0) out.tags = tags;

  if (isTrue(attributes.get('zipkin.debug'))) out.debug = true;
  if (isTrue(attributes.get('zipkin.shared'))) out.shared = true;
  return out;
}

const ZIPKIN_KIND: Partial<Record<SpanKind, ZipkinV2JsonSpan['kind']>> = {
  [SpanKind.Server]: 'SERVER',
  [SpanKind.Client]: 'CLIENT',
  [SpanKind.Producer]: 'PRODUCER',
  [SpanKind.Consumer]: 'CONSUMER',
};

function endpoint(
  serviceName: string,
  attributes: Map<string, AnyValue>,
  used: Set<string>,
  serviceKeys: readonly string[],
  ipKeys: readonly string[],
  portKeys: readonly string[],
): ZipkinV2JsonEndpoint | undefined {
  const out: ZipkinV2JsonEndpoint = {};
  let name = serviceName;
  for (const key of serviceKeys) {
    const value = attributes.get(key);
    if (value?.type === 'string' && value.value !== '') {
      if (name === '') name = value.value;
      used.add(key);
    }
  }
  if (name !== '') out.serviceName = name;
  for (const key of ipKeys) {
    const value = attributes.get(key);
    if (value?.type !== 'string') continue;
    if (IPV4.test(value.value)) out.ipv4 ??= value.value;
    else if (value.value.includes(':') && IPV6.test(value.value)) out.ipv6 ??= value.value;
    else continue;
    used.add(key);
  }
  for (const key of portKeys) {
    const value = attributes.get(key);
    const port =
      value?.type === 'int' ? Number(value.value) : value?.type === 'string' ? Number(value.value) : Number.NaN;
    if (value === undefined || !Number.isInteger(port) || port <= 0 || port > 65535) continue;
    out.port ??= port;
    used.add(key);
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:.]+$/;

function isTrue(value: AnyValue | undefined): boolean {
  return (value?.type === 'bool' && value.value) || (value?.type === 'string' && value.value === 'true');
}

/** Zipkin tags are strings: typed values as their text, arrays and maps as JSON. */
function tagText(value: AnyValue): string {
  switch (value.type) {
    case 'string':
      return value.value;
    case 'empty':
      return '';
    case 'bytes':
      return Buffer.from(value.value).toString('base64');
    case 'double':
      return String(value.value);
    default:
      return anyValueJsonText(value);
  }
}

function attributesJson(attributes: Attributes): string {
  return `{${attributes.map((kv) => `${JSON.stringify(kv.key)}:${anyValueJsonText(kv.value)}`).join(',')}}`;
}
