import type { Span } from '@ariadne/protocol';
import type { SpanReader, TimeRange } from '../storage/span-store.js';
import { searchTraceSpans } from './trace-view/search-trace-spans.js';
import { repeatsAnId } from './trace-view/span-ids.js';
import { hasSpanLookup } from './trace-view/span-lookup.js';
import { hasTraceOutline, type TraceOutline, traceOutlineOf } from './trace-view/trace-outline.js';
import { hasTraceSpanSearch } from './trace-view/trace-span-search.js';
import { planUniqueSpanIds, type SpanIdPlan, uniqueSpanIds } from './unique-span-ids.js';
import { withOverrides } from './with-overrides.js';

/** Readers already wrapped. */
const wrapped = new WeakSet<object>();

interface View {
  readonly outline: TraceOutline;
  /** Absent when the trace's ids were unique as stored. */
  readonly plan?: SpanIdPlan;
}

/**
 * The reader of the query APIs that need every span id of a trace once
 * (Jaeger's, Tempo's, the web UI's; not Zipkin's, whose clients expect shared
 * ids): the same reader, except that `getTrace`, `getSpansById`
 * (`SpanLookup`) and `getTraceOutline` (`TraceOutlineReader`) read with
 * unique span ids (`planUniqueSpanIds`). Everything else is the reader's own.
 * Wrap it around `readSpansOnce`: copies must be gone before ids are counted.
 *
 * An outline whose ids repeat (every Brave or py_zipkin trace) is made again
 * from the trace's spans with unique ids, and the plan kept for as long as
 * the store hands out that outline object, so that a span looked up alone
 * (the span details of the UI) reads as it does in the outline: asked for a
 * new id, the lookup asks the store for the stored one.
 */
export function readUniqueSpanIds<R extends SpanReader>(reader: R): R {
  if (wrapped.has(reader)) return reader;
  const overrides = new Map<PropertyKey, unknown>();
  overrides.set(
    'getTrace',
    async (traceId: string, timeRange?: TimeRange): Promise<Span[]> =>
      uniqueSpanIds(await reader.getTrace(traceId, timeRange)),
  );

  const views = new WeakMap<TraceOutline, Promise<View>>();
  const viewOf = (traceId: string, outline: TraceOutline): Promise<View> => {
    let view = views.get(outline);
    if (view === undefined) {
      view = makeView(reader, traceId, outline);
      views.set(outline, view);
      // A failed read is not kept: the next request tries again.
      view.catch(() => views.delete(outline));
    }
    return view;
  };

  if (hasTraceOutline(reader)) {
    overrides.set(
      'getTraceOutline',
      async (traceId: string): Promise<TraceOutline> =>
        (await viewOf(traceId, await reader.getTraceOutline(traceId))).outline,
    );
  }
  if (hasSpanLookup(reader)) {
    overrides.set('getSpansById', async (traceId: string, spanId: string): Promise<Span[]> => {
      // Without an outline to tell whether ids repeat, only the whole trace can say.
      if (!hasTraceOutline(reader)) {
        return uniqueSpanIds(await reader.getTrace(traceId)).filter((span) => span.spanId === spanId);
      }
      const { plan } = await viewOf(traceId, await reader.getTraceOutline(traceId));
      if (plan === undefined) return reader.getSpansById(traceId, spanId);
      const stored = await reader.getSpansById(traceId, plan.originalOf(spanId) ?? spanId);
      return stored.map((span) => plan.adjust(span)).filter((span) => span.spanId === spanId);
    });
  }

  if (hasTraceSpanSearch(reader) && hasTraceOutline(reader)) {
    // Ids as stored, unless the trace's ids repeat: then the whole trace, with its ids made unique.
    overrides.set('findSpansInTrace', async (traceId: string, query: string): Promise<string[]> => {
      const { plan } = await viewOf(traceId, await reader.getTraceOutline(traceId));
      if (plan === undefined) return reader.findSpansInTrace(traceId, query);
      return searchTraceSpans(uniqueSpanIds(await reader.getTrace(traceId)), query);
    });
  }

  const proxy = withOverrides(reader, overrides);
  wrapped.add(proxy);
  return proxy;
}

async function makeView(reader: SpanReader, traceId: string, outline: TraceOutline): Promise<View> {
  if (!repeatsAnId(outline.spanIds)) return { outline };
  const spans = await reader.getTrace(traceId);
  const plan = planUniqueSpanIds(spans);
  if (plan.empty) return { outline };
  return { outline: traceOutlineOf(spans.map((span) => plan.adjust(span))), plan };
}
