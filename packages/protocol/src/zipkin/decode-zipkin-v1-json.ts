import { AriadneError } from '../errors.js';
import type { Span } from '../model/span.js';
import { readEndpoint } from './decode-zipkin-v2-json.js';
import { JsonFields, parseJsonBody } from './json-body.js';
import { convertV1Span, type V1Annotation, type V1BinaryAnnotation, type V1Span } from './v1-span-converter.js';
import { parseHexId } from './zipkin-ids.js';
import { type ZipkinDecodeOptions, zipkinSpansToSpans } from './zipkin-to-spans.js';

const FORMAT = 'zipkin v1 json';
const ADDRESS_KEYS = new Set(['ca', 'sa', 'ma']);

/**
 * Decodes the body of Zipkin's legacy `POST /api/v1/spans` (JSON): an array of
 * v1 spans with annotations (cs/sr/ss/cr, ms/mr, ws/wr and free-form) and
 * binaryAnnotations. Each v1 span is first split into v2 spans exactly as
 * Zipkin's server does (see `convertV1Span`), then translated like v2 input,
 * so a span both sides reported yields a client span and a shared server span
 * with the same span id. Errors as for `decodeZipkinV2Json`.
 */
export function decodeZipkinV1Json(body: string | Uint8Array, options?: ZipkinDecodeOptions): Span[] {
  const parsed = parseJsonBody(body, FORMAT);
  if (!Array.isArray(parsed)) throw new AriadneError('InvalidPayload', `${FORMAT}: expected an array of spans`);
  const v2 = parsed.flatMap((value, i) => convertV1Span(readV1Span(value, `spans[${i}]`)));
  return zipkinSpansToSpans(v2, options);
}

function readV1Span(value: unknown, where: string): V1Span {
  const f = JsonFields.of(FORMAT, value, where);
  const parent = f.raw('parentId');
  const traceIdHigh = f.raw('traceIdHigh');
  let traceId = parseHexId(f.raw('traceId'), 32, `${FORMAT}: ${where}.traceId`);
  // Some v1 writers send the high 64 bits separately.
  if (typeof traceIdHigh === 'string' && traceIdHigh !== '' && traceId.startsWith('0000000000000000')) {
    traceId = parseHexId(traceIdHigh, 16, `${FORMAT}: ${where}.traceIdHigh`).slice(-16) + traceId.slice(16);
  }
  return {
    traceId,
    parentId:
      parent === undefined || parent === null || parent === '' || (typeof parent === 'string' && /^0+$/.test(parent))
        ? ''
        : parseHexId(parent, 16, `${FORMAT}: ${where}.parentId`),
    id: parseHexId(f.raw('id'), 16, `${FORMAT}: ${where}.id`),
    name: f.string('name'),
    timestamp: f.micros('timestamp'),
    duration: f.micros('duration'),
    debug: f.boolean('debug'),
    annotations: f.array('annotations').map((a, i) => readAnnotation(a, `${where}.annotations[${i}]`)),
    binaryAnnotations: f
      .array('binaryAnnotations')
      .map((b, i) => readBinaryAnnotation(b, `${where}.binaryAnnotations[${i}]`))
      .filter((b): b is V1BinaryAnnotation => b !== undefined),
  };
}

function readAnnotation(value: unknown, where: string): V1Annotation {
  const f = JsonFields.of(FORMAT, value, where);
  return {
    timestamp: f.micros('timestamp'),
    value: f.string('value'),
    endpoint: readEndpoint(f.raw('endpoint'), `${where}.endpoint`, FORMAT),
  };
}

/**
 * A string value is a tag; `true` on `ca`/`sa`/`ma` with an endpoint is an
 * address; other booleans and numbers are kept as their text. An address
 * annotation without an endpoint carries nothing and is dropped.
 */
function readBinaryAnnotation(value: unknown, where: string): V1BinaryAnnotation | undefined {
  const f = JsonFields.of(FORMAT, value, where);
  const key = f.string('key');
  const endpoint = readEndpoint(f.raw('endpoint'), `${where}.endpoint`, FORMAT);
  const raw = f.raw('value');
  if (typeof raw === 'string') return { key, stringValue: raw, endpoint };
  if (typeof raw === 'boolean' && ADDRESS_KEYS.has(key)) {
    return raw && endpoint !== undefined ? { key, stringValue: undefined, endpoint } : undefined;
  }
  if (typeof raw === 'boolean' || typeof raw === 'number') return { key, stringValue: String(raw), endpoint };
  if (raw === undefined || raw === null) return undefined;
  return f.fail('value', 'a string, number or boolean', raw);
}
