import { AttributeBag } from '../jaeger-thrift/attribute-bag.js';
import { type AnyValue, boolValue, doubleValue, intValue, type KeyValue, stringValue } from '../model/any-value.js';
import { normalizeTraceId } from '../model/ids.js';
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
import { RESOURCE_TAG_KEYS } from './resource-tag-keys.js';
import type { ZipkinEndpoint, ZipkinSpan } from './zipkin-wire.js';

/*
 * Zipkin v2 to the domain model, after the OpenTelemetry Collector's
 * translator (collector-contrib pkg/translator/zipkin/zipkinv2, ToTraces).
 * Differences, each on purpose: spans keep their input order (the collector
 * sorts them by service); an `error` tag whose value is a description also
 * becomes the status message, and a Zipkin `error` tag (one without
 * `otel.status_code`) stays an attribute as sent; `error=false` is not an error; `otel.status_code`
 * accepts the spec's OK/ERROR as well as the STATUS_CODE_* names; malformed
 * `otlp.link.N` tags or annotation payloads stay as data instead of failing the
 * whole request; `shared` and `debug` are kept as `zipkin.shared` /
 * `zipkin.debug` attributes (only when true) since the domain model has no
 * field for them.
 */

export interface ZipkinDecodeOptions {
  /**
   * Attribute names for endpoint addresses. `legacy` (default) is what the
   * collector has always emitted: net.host.ip/port, net.peer.ip/port,
   * peer.service. `stable` is what its EmitV1NetworkConventions gate emits:
   * network.local.address/port, network.peer.address/port, service.peer.name.
   * `both` emits both sets.
   */
  readonly networkConventions?: 'legacy' | 'stable' | 'both';
}

export const START_TIME_ABSENT_ATTRIBUTE = 'otel.zipkin.absentField.startTime';
const SERVICE_NAME_SOURCE = 'otlp.service.name.source';
const UNSET: SpanStatus = Object.freeze({ code: StatusCode.Unset, message: '' });

export function zipkinSpansToSpans(spans: readonly ZipkinSpan[], options: ZipkinDecodeOptions = {}): Span[] {
  const resources = new Map<string, Resource>();
  const scopes = new Map<string, InstrumentationScope>();
  const conventions = options.networkConventions ?? 'legacy';
  return spans.map((span) => translate(span, resources, scopes, conventions));
}

function translate(
  zspan: ZipkinSpan,
  resources: Map<string, Resource>,
  scopes: Map<string, InstrumentationScope>,
  conventions: 'legacy' | 'stable' | 'both',
): Span {
  const tags = new Map(zspan.tags);
  const resource = takeResource(zspan.localEndpoint?.serviceName ?? '', tags, resources);
  const scope = takeScope(tags, scopes);

  const traceState = tags.get('w3c.tracestate') ?? '';
  tags.delete('w3c.tracestate');

  let kind: SpanKind;
  switch (zspan.kind) {
    case 'CLIENT':
      kind = SpanKind.Client;
      break;
    case 'SERVER':
      kind = SpanKind.Server;
      break;
    case 'PRODUCER':
      kind = SpanKind.Producer;
      break;
    case 'CONSUMER':
      kind = SpanKind.Consumer;
      break;
    default: {
      const tag = tags.get('span.kind');
      tags.delete('span.kind');
      kind = tag === 'internal' ? SpanKind.Internal : SpanKind.Unspecified;
    }
  }

  const status = takeStatus(tags);
  const links = takeLinks(tags);

  const bag = new AttributeBag();
  for (const [key, value] of tags) bag.put(key, stringValue(value));
  putEndpoints(bag, zspan.localEndpoint, zspan.remoteEndpoint, conventions);
  if (zspan.shared) bag.put('zipkin.shared', boolValue(true));
  if (zspan.debug) bag.put('zipkin.debug', boolValue(true));

  let start = zspan.timestamp * 1000n;
  if (zspan.timestamp === 0n) {
    // Zipkin allows an absent start; the collector starts such spans at the epoch and says so.
    start = 0n;
    bag.put(START_TIME_ABSENT_ATTRIBUTE, boolValue(true));
  }

  return {
    traceId: zspan.traceId,
    spanId: zspan.id,
    parentSpanId: zspan.parentId === zspan.id ? '' : zspan.parentId,
    traceState,
    // B3 debug implies sampled; otherwise Zipkin spans carry no sampling bit.
    flags: zspan.debug ? 1 : 0,
    name: zspan.name,
    kind,
    startTimeUnixNano: start,
    endTimeUnixNano: start + zspan.duration * 1000n,
    attributes: bag.toList(),
    droppedAttributesCount: 0,
    events: zspan.annotations.map((a) => annotationToEvent(a.timestamp, a.value)),
    droppedEventsCount: 0,
    links,
    droppedLinksCount: 0,
    status,
    resource,
    scope,
  };
}

/** `service.name` from the local endpoint (or the key `otlp.service.name.source` names), plus resource tags moved off the span. */
function takeResource(serviceName: string, tags: Map<string, string>, cache: Map<string, Resource>): Resource {
  const attributes: KeyValue[] = [];
  const source = tags.get(SERVICE_NAME_SOURCE);
  tags.delete(SERVICE_NAME_SOURCE);
  if (serviceName !== '') attributes.push({ key: source || 'service.name', value: stringValue(serviceName) });
  for (const [key, value] of tags) {
    if (!RESOURCE_TAG_KEYS.has(key)) continue;
    tags.delete(key);
    const at = attributes.findIndex((kv) => kv.key === key);
    if (at >= 0) attributes[at] = { key, value: stringValue(value) };
    else attributes.push({ key, value: stringValue(value) });
  }
  if (attributes.length === 0) return EMPTY_RESOURCE;
  let cacheKey = '';
  for (const kv of attributes) cacheKey += `${kv.key}\u0000${(kv.value as { value: string }).value}\u0000`;
  let resource = cache.get(cacheKey);
  if (resource === undefined) {
    resource = Object.freeze({ attributes, droppedAttributesCount: 0 });
    cache.set(cacheKey, resource);
  }
  return resource;
}

function takeScope(tags: Map<string, string>, cache: Map<string, InstrumentationScope>): InstrumentationScope {
  const name = tags.get('otel.scope.name') ?? tags.get('otel.library.name') ?? '';
  const version = tags.get('otel.scope.version') ?? tags.get('otel.library.version') ?? '';
  for (const key of ['otel.scope.name', 'otel.scope.version', 'otel.library.name', 'otel.library.version'])
    tags.delete(key);
  if (name === '') return EMPTY_SCOPE;
  const key = `${name}\u0000${version}`;
  let scope = cache.get(key);
  if (scope === undefined) {
    scope = Object.freeze({ name, version, attributes: [], droppedAttributesCount: 0 });
    cache.set(key, scope);
  }
  return scope;
}

function takeStatus(tags: Map<string, string>): SpanStatus {
  let code: StatusCode | undefined;
  let message = '';
  const statusCode = tags.get('otel.status_code');
  if (statusCode !== undefined) {
    tags.delete('otel.status_code');
    const text = statusCode.toUpperCase().replace(/^STATUS_CODE_/, '');
    code = text === 'OK' ? StatusCode.Ok : text === 'ERROR' ? StatusCode.Error : StatusCode.Unset;
    const description = tags.get('otel.status_description');
    if (description !== undefined) {
      message = description;
      tags.delete('otel.status_description');
    }
  }
  const error = tags.get('error');
  if (error !== undefined && error.toLowerCase() !== 'false') {
    code = StatusCode.Error;
    // Zipkin instrumentation puts the error's description in the tag; `true` carries none.
    const description = error.toLowerCase() === 'true' ? '' : error;
    if (message === '') message = description;
    // Beside `otel.status_code` the tag is OpenTelemetry's exporter writing the status a second
    // time, which the status now carries. Alone, it is Zipkin's own error tag: kept as sent, so
    // that it reads back as sent (`errorAttributeOf` keeps translators from writing it twice).
    if (statusCode !== undefined && description === message) tags.delete('error');
  }
  return code === undefined ? UNSET : { code, message };
}

/** `otlp.link.0`, `otlp.link.1`, …: `traceId|spanId|traceState|{attributes json}|droppedAttributesCount`. */
function takeLinks(tags: Map<string, string>): SpanLink[] {
  const links: SpanLink[] = [];
  for (let i = 0; i < 128; i++) {
    const key = `otlp.link.${i}`;
    const value = tags.get(key);
    if (value === undefined) break;
    const parts = value.split('|');
    if (parts.length < 5) continue;
    const traceId = normalizeTraceId(parts[0] as string);
    const spanId = (parts[1] as string).toLowerCase();
    const attributes = parseAttributesJson(parts.slice(3, -1).join('|'));
    const dropped = Number(parts[parts.length - 1]);
    if (
      traceId === undefined ||
      !/^[0-9a-f]{16}$/.test(spanId) ||
      attributes === undefined ||
      !Number.isInteger(dropped)
    ) {
      continue; // malformed: left as a tag
    }
    tags.delete(key);
    links.push({
      traceId,
      spanId,
      traceState: parts[2] as string,
      attributes,
      droppedAttributesCount: Math.max(0, dropped),
      flags: 0,
    });
  }
  return links;
}

/** An annotation is an event; the collector's `name|{attributes json}|dropped` form is unpacked when it parses. */
function annotationToEvent(timestamp: bigint, value: string): SpanEvent {
  const event = {
    timeUnixNano: timestamp * 1000n,
    name: value,
    attributes: [] as KeyValue[],
    droppedAttributesCount: 0,
  };
  const parts = value.split('|');
  if (parts.length < 3) return event;
  const attributes = parseAttributesJson(parts.slice(1, -1).join('|'));
  const dropped = Number(parts[parts.length - 1]);
  if (attributes === undefined || !Number.isInteger(dropped) || dropped < 0) return event;
  return { ...event, name: parts[0] as string, attributes, droppedAttributesCount: dropped };
}

function parseAttributesJson(text: string): KeyValue[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const out: KeyValue[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    let converted: AnyValue | undefined;
    if (typeof value === 'string') converted = stringValue(value);
    else if (typeof value === 'boolean') converted = boolValue(value);
    else if (typeof value === 'number' && Number.isFinite(value)) {
      converted = Number.isInteger(value) ? intValue(value) : doubleValue(value);
    }
    if (converted !== undefined) out.push({ key, value: converted });
  }
  return out;
}

function putEndpoints(
  bag: AttributeBag,
  local: ZipkinEndpoint | undefined,
  remote: ZipkinEndpoint | undefined,
  conventions: 'legacy' | 'stable' | 'both',
): void {
  const legacy = conventions !== 'stable';
  const stable = conventions !== 'legacy';
  if (local !== undefined) {
    const ip = local.ipv6 || local.ipv4;
    if (ip !== '') {
      if (legacy) bag.put('net.host.ip', stringValue(ip));
      if (stable) bag.put('network.local.address', stringValue(ip));
    }
    if (local.port > 0) {
      if (legacy) bag.put('net.host.port', intValue(local.port));
      if (stable) bag.put('network.local.port', intValue(local.port));
    }
  }
  if (remote !== undefined) {
    if (remote.serviceName !== '') {
      if (legacy) bag.put('peer.service', stringValue(remote.serviceName));
      if (stable) bag.put('service.peer.name', stringValue(remote.serviceName));
    }
    const ip = remote.ipv6 || remote.ipv4;
    if (ip !== '') {
      if (legacy) bag.put('net.peer.ip', stringValue(ip));
      if (stable) bag.put('network.peer.address', stringValue(ip));
    }
    if (remote.port > 0) {
      if (legacy) bag.put('net.peer.port', intValue(remote.port));
      if (stable) bag.put('network.peer.port', intValue(remote.port));
    }
  }
}
