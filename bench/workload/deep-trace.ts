import { SeededRandom } from './random.js';

/** How `deepTraceRequests` shapes its trace. */
export interface DeepTraceOptions {
  readonly spanCount: number;
  readonly seed?: number;
  /** Start of the root span, milliseconds since the epoch. */
  readonly startMillis: number;
  /** Spans per OTLP request (default 5,000). */
  readonly batch?: number;
}

/** What a test needs to find again in the trace `deepTraceRequests` sent. */
export interface DeepTraceFacts {
  readonly traceId: string;
  readonly rootSpanId: string;
  /** A span at the deepest level, late in the trace (level 17 from about 10,000 spans on), with a name and attribute no other span has. */
  readonly needleSpanId: string;
  readonly needleName: string;
  readonly needleDepth: number;
}

export const DEEP_TRACE_SERVICES = 8;
/** Levels of nesting: the root is level 0, the deepest spans level 17. */
export const DEEP_TRACE_LEVELS = 18;
const OPERATIONS = 40;
/** The root lasts ten minutes: a batch job. */
const ROOT_NANOS = 600e9;

/**
 * One trace of `spanCount` spans as OTLP/HTTP JSON request bodies of `batch`
 * spans each, written straight to text a batch at a time: a million spans
 * never exist as objects at once, so a test can send one quickly and in
 * little memory. The shape of a large batch job: 8 services, a random tree
 * 18 levels deep (each span's parent drawn among the spans before it, and
 * moved up to a shallower ancestor past the last level), 5 attributes per
 * span, every child inside its parent's time. Seeded: the same options give
 * the same trace. `facts` is complete once every body has been taken.
 */
export function deepTraceRequests(options: DeepTraceOptions): { bodies: Iterable<string>; facts: DeepTraceFacts } {
  const n = options.spanCount;
  const batch = options.batch ?? 5000;
  const random = new SeededRandom(options.seed ?? 18);
  const traceId = random.hex(16);
  // Per span: its parent, level, and times in nanoseconds after the root's start (exact as doubles).
  const parents = new Int32Array(n);
  const levels = new Uint8Array(n);
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  const base = BigInt(Math.round(options.startMillis)) * 1_000_000n;
  const idOf = (i: number) => (i + 1).toString(16).padStart(16, '0');
  const facts = { traceId, rootSpanId: idOf(0), needleSpanId: '', needleName: '', needleDepth: 0 };

  function* bodies(): Generator<string> {
    let deepest = 0;
    for (let first = 0; first < n; first += batch) {
      const end = Math.min(n, first + batch);
      const byService: string[][] = Array.from({ length: DEEP_TRACE_SERVICES }, () => []);
      for (let i = first; i < end; i++) {
        let parent = -1;
        if (i > 0) {
          parent = random.int(0, i - 1);
          while ((levels[parent] as number) >= DEEP_TRACE_LEVELS - 1) parent = parents[parent] as number;
        }
        parents[i] = parent;
        let start = 0;
        let finish = ROOT_NANOS;
        if (parent >= 0) {
          levels[i] = (levels[parent] as number) + 1;
          const from = starts[parent] as number;
          const room = (ends[parent] as number) - from;
          start = Math.floor(from + room * 0.5 * random.next());
          finish = Math.floor(start + ((ends[parent] as number) - start) * (0.3 + 0.6 * random.next()));
        }
        starts[i] = start;
        ends[i] = finish;
        const service = random.int(0, DEEP_TRACE_SERVICES - 1);
        let name = `op-${random.int(0, OPERATIONS - 1)}`;
        // The first span late in the trace at the deepest level reached so far (the last span, failing that).
        const level = levels[i] as number;
        if (level > deepest) deepest = level;
        const needle = facts.needleSpanId === '' && ((i >= n * 0.9 && level === deepest) || i === n - 1);
        if (needle) {
          name = 'needle in the haystack';
          facts.needleSpanId = idOf(i);
          facts.needleName = name;
          facts.needleDepth = levels[i] as number;
        }
        const failed = random.chance(0.01);
        (byService[service] as string[]).push(
          `{"traceId":"${traceId}","spanId":"${idOf(i)}"${parent >= 0 ? `,"parentSpanId":"${idOf(parent)}"` : ''},"name":"${name}","kind":${parent >= 0 ? 1 : 2},"startTimeUnixNano":"${base + BigInt(start)}","endTimeUnixNano":"${base + BigInt(finish)}","attributes":[{"key":"job.step","value":{"intValue":"${i}"}},{"key":"job.level","value":{"intValue":"${levels[i]}"}},{"key":"region","value":{"stringValue":"region-${i % 4}"}},{"key":"retry","value":{"boolValue":${random.chance(0.05)}}},{"key":"${needle ? 'needle' : 'note'}","value":{"stringValue":"${needle ? 'found me' : `step ${i % 97}`}"}}],"status":{"code":${failed ? 2 : 0}}}`,
        );
      }
      const resourceSpans = byService
        .map((spans, service) =>
          spans.length === 0
            ? ''
            : `{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"service-${service}"}}]},"scopeSpans":[{"scope":{"name":"deep-trace"},"spans":[${spans.join(',')}]}]}`,
        )
        .filter((text) => text !== '');
      yield `{"resourceSpans":[${resourceSpans.join(',')}]}`;
    }
  }
  return { bodies: bodies(), facts };
}

/**
 * POSTs one OTLP/HTTP JSON request to `{otlpHttpUrl}/v1/traces` as an
 * exporter does: a 429 or 503 (the server is busy, say cutting its head on a
 * loaded machine) is sent again after its Retry-After (the server keeps a
 * retry's copies once). Throws on any other failure.
 */
export async function postOtlpJson(otlpHttpUrl: string, body: string): Promise<void> {
  for (;;) {
    const response = await fetch(`${otlpHttpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await response.text();
    if (response.ok) return;
    if (response.status !== 429 && response.status !== 503) {
      throw new Error(`OTLP export failed: ${response.status} ${text.slice(0, 300)}`);
    }
    const seconds = Number(response.headers.get('retry-after') ?? '');
    const waitMs = Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, 2000) : 250;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/** POSTs the bodies (`postOtlpJson`), two at a time. */
export async function sendDeepTrace(otlpHttpUrl: string, bodies: Iterable<string>): Promise<void> {
  let pending: Promise<void> | undefined;
  for (const body of bodies) {
    const sent = postOtlpJson(otlpHttpUrl, body);
    if (pending !== undefined) await pending;
    pending = sent;
  }
  await pending;
}
