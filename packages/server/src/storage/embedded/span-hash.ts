import type { AnyValue, Attributes, InstrumentationScope, Resource, Span } from '@ariadne/protocol';

/**
 * 64-bit hashes of spans for the store's bounded memory of recent spans
 * (`recent-spans.ts`, `dependency-index.ts`), as two 32-bit halves written
 * to `SPAN_HASH[0]` and `SPAN_HASH[1]` (no object per call; never both 0).
 *
 * They hash the contents, never the head's dictionary indexes: a head's
 * dictionary starts anew at every cut, so an index names different strings
 * before and after one. Each half runs its own multiply-xor over every
 * character (FNV-1a and a murmur-style step), and every string and list is
 * preceded by its length, so the hashed sequence reads back one way only.
 * Two spans that differ collide with a chance of about 2^-64 per pair, as
 * with Jaeger's 64-bit span hash.
 */
export const SPAN_HASH = new Uint32Array(2);

let a = 0;
let b = 0;

const I64 = new BigInt64Array(1);
const F64 = new Float64Array(1);
const I64_WORDS = new Uint32Array(I64.buffer);
const F64_WORDS = new Uint32Array(F64.buffer);

function start(): void {
  a = 0x811c9dc5;
  b = 0x9747b28c;
}

function word(value: number): void {
  a = Math.imul(a ^ value, 0x01000193);
  b = Math.imul(b ^ value, 0x5bd1e995);
  b ^= b >>> 15;
}

function text(value: string): void {
  const n = value.length;
  word(n);
  let x = a;
  let y = b;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    x = Math.imul(x ^ c, 0x01000193);
    y = Math.imul(y ^ c, 0x5bd1e995);
    y ^= y >>> 15;
  }
  a = x;
  b = y;
}

function int64(value: bigint): void {
  I64[0] = value;
  word(I64_WORDS[0]!);
  word(I64_WORDS[1]!);
}

function finish(): void {
  // Final avalanche (murmur3's fmix32), each half stirred with the other.
  let x = a ^ Math.imul(b, 0x85ebca6b);
  let y = b ^ Math.imul(a, 0xc2b2ae35);
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  y ^= y >>> 16;
  y = Math.imul(y, 0x85ebca6b);
  y ^= y >>> 13;
  y = Math.imul(y, 0xc2b2ae35);
  y ^= y >>> 16;
  SPAN_HASH[0] = x;
  // 0, 0 marks an empty slot in the tables these hashes go into.
  SPAN_HASH[1] = x === 0 && y === 0 ? 1 : y;
}

/** The hash of a (trace id, span id) pair: the key a span, or a child waiting for it, is found by. */
export function hashSpanKey(traceId: string, spanId: string): void {
  start();
  text(traceId);
  text(spanId);
  finish();
}

/**
 * The hash of a span's ids and whole content: every field of `Span`, so that
 * spans with equal hashes are, but for a collision, equal.
 */
export function hashSpanContent(span: Span): void {
  start();
  text(span.traceId);
  text(span.spanId);
  text(span.parentSpanId);
  text(span.traceState);
  word(span.flags >>> 0);
  text(span.name);
  word(span.kind);
  int64(span.startTimeUnixNano);
  int64(span.endTimeUnixNano);
  attributes(span.attributes);
  word(span.droppedAttributesCount);
  word(span.events.length);
  for (const event of span.events) {
    int64(event.timeUnixNano);
    text(event.name);
    attributes(event.attributes);
    word(event.droppedAttributesCount);
  }
  word(span.droppedEventsCount);
  word(span.links.length);
  for (const link of span.links) {
    text(link.traceId);
    text(link.spanId);
    text(link.traceState);
    attributes(link.attributes);
    word(link.droppedAttributesCount);
    word(link.flags >>> 0);
  }
  word(span.droppedLinksCount);
  word(span.status.code);
  text(span.status.message);
  resource(span.resource);
  scope(span.scope);
  finish();
}

/**
 * Resources and scopes are shared by the spans of a batch: their contents
 * are hashed once per object (on their own, then folded in as two words).
 */
const resourceHashes = new WeakMap<Resource | InstrumentationScope, [number, number]>();
let lastResource: Resource | undefined;
let lastResourceHash: [number, number] = [0, 0];
let lastScope: InstrumentationScope | undefined;
let lastScopeHash: [number, number] = [0, 0];

function resource(value: Resource): void {
  if (value !== lastResource) {
    lastResourceHash = sharedHash(value, () => {
      attributes(value.attributes);
      word(value.droppedAttributesCount);
    });
    lastResource = value;
  }
  word(lastResourceHash[0]);
  word(lastResourceHash[1]);
}

function scope(value: InstrumentationScope): void {
  if (value !== lastScope) {
    lastScopeHash = sharedHash(value, () => {
      text(value.name);
      text(value.version);
      attributes(value.attributes);
      word(value.droppedAttributesCount);
    });
    lastScope = value;
  }
  word(lastScopeHash[0]);
  word(lastScopeHash[1]);
}

function sharedHash(value: Resource | InstrumentationScope, hash: () => void): [number, number] {
  let known = resourceHashes.get(value);
  if (known === undefined) {
    const [savedA, savedB] = [a, b];
    start();
    hash();
    known = [a, b];
    [a, b] = [savedA, savedB];
    resourceHashes.set(value, known);
  }
  return known;
}

function attributes(list: Attributes): void {
  word(list.length);
  for (let i = 0; i < list.length; i++) {
    const attribute = list[i]!;
    text(attribute.key);
    anyValue(attribute.value);
  }
}

function anyValue(value: AnyValue): void {
  switch (value.type) {
    case 'string':
      word(1);
      text(value.value);
      return;
    case 'bool':
      word(value.value ? 3 : 2);
      return;
    case 'int':
      word(4);
      int64(value.value);
      return;
    case 'double':
      word(5);
      F64[0] = value.value;
      word(F64_WORDS[0]!);
      word(F64_WORDS[1]!);
      return;
    case 'bytes':
      word(6);
      word(value.value.length);
      for (const byte of value.value) word(byte);
      return;
    case 'array':
      word(7);
      word(value.value.length);
      for (const item of value.value) anyValue(item);
      return;
    case 'kvlist':
      word(8);
      attributes(value.value);
      return;
    case 'empty':
      word(0);
      return;
  }
}
