import type { Span } from '@ariadne/protocol';
import { dedupeSpans } from '../storage/query/dedupe-spans.js';
import type { SpanReader, TimeRange } from '../storage/span-store.js';
import { repeatsAnId } from './trace-view/span-ids.js';
import { hasSpanLookup } from './trace-view/span-lookup.js';
import { hasTraceOutline, type TraceOutline, traceOutlineOf } from './trace-view/trace-outline.js';
import { withOverrides } from './with-overrides.js';

/** Readers already wrapped: wrapping twice would check every span twice. */
const wrapped = new WeakSet<object>();

/**
 * The reader every query API reads spans through: the same reader, except
 * that spans equal in ids and content (a client retried a batch, a store
 * kept the copies) come out once (`dedupeSpans`, Jaeger's span-hash dedupe),
 * from `getTrace`, `getSpansById` (`SpanLookup`) and `getTraceOutline`
 * (`TraceOutlineReader`). Everything else, optional capabilities included,
 * is the reader's own: a packed outline (`PackedOutlineReader`) too, which a
 * store gives only for a trace whose span ids are all different (so no copies).
 *
 * A store that already drops copies pays one look at the span ids
 * (`SpanIds`: ids as numbers in a flat table, cheaper than `dedupeSpans`'s
 * Set of id strings); only traces whose ids repeat go through `dedupeSpans`. An
 * outline carries no content to compare, so one whose span ids repeat is
 * checked against the whole trace once, and the answer kept for as long as
 * the store hands out that outline object (`OutlineCache`).
 */
export function readSpansOnce<R extends SpanReader>(reader: R): R {
  if (wrapped.has(reader)) return reader;
  const overrides = new Map<PropertyKey, unknown>();
  overrides.set(
    'getTrace',
    async (traceId: string, timeRange?: TimeRange): Promise<Span[]> =>
      keptOnce(await reader.getTrace(traceId, timeRange)),
  );
  if (hasSpanLookup(reader)) {
    overrides.set(
      'getSpansById',
      async (traceId: string, spanId: string): Promise<Span[]> => keptOnce(await reader.getSpansById(traceId, spanId)),
    );
  }
  if (hasTraceOutline(reader)) {
    const checked = new WeakMap<TraceOutline, TraceOutline>();
    overrides.set('getTraceOutline', async (traceId: string): Promise<TraceOutline> => {
      const outline = await reader.getTraceOutline(traceId);
      let once = checked.get(outline);
      if (once === undefined) {
        once = repeatsAnId(outline.spanIds) ? await outlineOnce(reader, traceId, outline) : outline;
        checked.set(outline, once);
      }
      return once;
    });
  }
  const proxy = withOverrides(reader, overrides);
  wrapped.add(proxy);
  return proxy;
}

/** The spans of one trace, copies dropped; the array itself when no span id repeats (nothing to compare). */
function keptOnce(spans: Span[]): Span[] {
  return repeatsAnId(spans.map((span) => span.spanId)) ? dedupeSpans(spans) : spans;
}

/** The outline of the trace's spans kept once; the store's own when no two were copies. */
async function outlineOnce(reader: SpanReader, traceId: string, outline: TraceOutline): Promise<TraceOutline> {
  const spans = await reader.getTrace(traceId);
  const kept = dedupeSpans(spans);
  return kept.length === spans.length ? outline : traceOutlineOf(kept);
}
