import { AriadneError } from '../errors.js';
import type { Span } from '../model/span.js';
import { JsonFields, parseJsonBody } from './json-body.js';
import { parseHexId } from './zipkin-ids.js';
import { type ZipkinDecodeOptions, zipkinSpansToSpans } from './zipkin-to-spans.js';
import { kindOf, type ZipkinAnnotation, type ZipkinEndpoint, type ZipkinSpan } from './zipkin-wire.js';

const FORMAT = 'zipkin v2 json';

/**
 * Decodes the body of Zipkin's `POST /api/v2/spans` (`application/json`): an
 * array of v2 spans (zipkin2-api.yaml). Empty array gives `[]`. Throws
 * `AriadneError('InvalidPayload')` naming the offending field (`spans[3].id`)
 * when the body is not JSON, not an array, or a span has a missing or zero id.
 */
export function decodeZipkinV2Json(body: string | Uint8Array, options?: ZipkinDecodeOptions): Span[] {
  const parsed = parseJsonBody(body, FORMAT);
  if (!Array.isArray(parsed)) throw new AriadneError('InvalidPayload', `${FORMAT}: expected an array of spans`);
  const spans = parsed.map((value, i) => readSpan(value, `spans[${i}]`));
  return zipkinSpansToSpans(spans, options);
}

function readSpan(value: unknown, where: string): ZipkinSpan {
  const f = JsonFields.of(FORMAT, value, where);
  const id = parseHexId(f.raw('id'), 16, `${FORMAT}: ${where}.id`);
  const parent = f.raw('parentId');
  const parentId =
    parent === undefined || parent === null || parent === '' ? '' : parseParent(parent, `${where}.parentId`);
  return {
    traceId: parseHexId(f.raw('traceId'), 32, `${FORMAT}: ${where}.traceId`),
    parentId,
    id,
    kind: kindOf(f.string('kind')),
    name: f.string('name'),
    timestamp: f.micros('timestamp'),
    duration: f.micros('duration'),
    localEndpoint: readEndpoint(f.raw('localEndpoint'), `${where}.localEndpoint`),
    remoteEndpoint: readEndpoint(f.raw('remoteEndpoint'), `${where}.remoteEndpoint`),
    annotations: f.array('annotations').map((a, i) => readAnnotation(a, `${where}.annotations[${i}]`)),
    tags: readTags(f, 'tags'),
    debug: f.boolean('debug'),
    shared: f.boolean('shared'),
  };
}

/** A zero parent id means "no parent" to Zipkin's own readers. */
function parseParent(value: unknown, where: string): string {
  if (typeof value === 'string' && /^0+$/.test(value)) return '';
  return parseHexId(value, 16, `${FORMAT}: ${where}`);
}

export function readEndpoint(value: unknown, where: string, format = FORMAT): ZipkinEndpoint | undefined {
  if (value === undefined || value === null) return undefined;
  const f = JsonFields.of(format, value, where);
  const port = f.raw('port');
  if (
    port !== undefined &&
    port !== null &&
    (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)
  ) {
    f.fail('port', 'a port number', port);
  }
  return {
    serviceName: f.string('serviceName'),
    ipv4: f.string('ipv4'),
    ipv6: f.string('ipv6'),
    port: typeof port === 'number' ? port : 0,
  };
}

function readAnnotation(value: unknown, where: string): ZipkinAnnotation {
  const f = JsonFields.of(FORMAT, value, where);
  return { timestamp: f.micros('timestamp'), value: f.string('value') };
}

/** Tags are strings; numbers and booleans, which some clients send, are kept as their JSON text. */
function readTags(f: JsonFields, key: string): Map<string, string> {
  const tags = new Map<string, string>();
  const value = f.raw(key);
  if (value === undefined || value === null) return tags;
  const object = JsonFields.of(FORMAT, value, `${f.where}.${key}`).object;
  for (const [name, tag] of Object.entries(object)) {
    if (typeof tag === 'string') tags.set(name, tag);
    else if (typeof tag === 'number' || typeof tag === 'boolean') tags.set(name, String(tag));
    else if (tag !== null) f.fail(`${key}.${name}`, 'a string', tag);
  }
  return tags;
}
