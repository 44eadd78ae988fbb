import type { Span } from '@ariadne/protocol';
import type { SpanReader, TimeRange } from '../storage/span-store.js';
import { hasPackedOutline, type PackedTraceOutline } from './trace-view/packed-outline.js';
import { searchTraceSpans } from './trace-view/search-trace-spans.js';
import { repeatsAnId } from './trace-view/span-ids.js';
import { hasSpanLookup } from './trace-view/span-lookup.js';
import {
  hasTraceOutline,
  type TraceOutline,
  type TraceOutlineReader,
  traceOutlineOf,
} from './trace-view/trace-outline.js';
import { hasTraceSpanSearch } from './trace-view/trace-span-search.js';
import { hasTraceVersion } from './trace-view/trace-version.js';
import { planUniqueSpanIds, type SpanIdPlan, uniqueSpanIds } from './unique-span-ids.js';
import { withOverrides } from './with-overrides.js';

/** Readers already wrapped. */
const wrapped = new WeakSet<object>();
/** Traces whose id plan is remembered by version. */
const MAX_PLANS = 64;

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
 * new id, the lookup asks the store for the stored one. With a store that
 * versions traces (`TraceVersionReader`), the plan is also remembered per
 * trace version: a lookup or a find in a trace read before asks the version
 * instead of reading the outline again. A packed outline
 * (`PackedOutlineReader`) is the store's own: a store packs only a trace whose
 * ids are all different.
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

  // Whether a trace's ids repeat (its plan), by trace version, for a store that versions traces: a
  // span's details or a find in a 1,000,000-span trace then need not read its outline again.
  const plans = new Map<string, { version: string; plan: SpanIdPlan | undefined }>();
  const versionOf = (traceId: string): Promise<string | undefined> =>
    hasTraceVersion(reader) ? reader.getTraceVersion(traceId) : Promise.resolve(undefined);
  const remember = (traceId: string, version: string | undefined, plan: SpanIdPlan | undefined) => {
    if (version === undefined) return;
    plans.delete(traceId);
    plans.set(traceId, { version, plan });
    for (const oldest of plans.keys()) {
      if (plans.size <= MAX_PLANS) break;
      plans.delete(oldest);
    }
  };
  const planOf = async (traceId: string, outlineReader: TraceOutlineReader): Promise<SpanIdPlan | undefined> => {
    const version = await versionOf(traceId);
    const known = plans.get(traceId);
    if (version !== undefined && known?.version === version) return known.plan;
    const { plan } = await viewOf(traceId, await outlineReader.getTraceOutline(traceId));
    remember(traceId, version, plan);
    return plan;
  };

  if (hasTraceOutline(reader)) {
    overrides.set('getTraceOutline', async (traceId: string): Promise<TraceOutline> => {
      const version = await versionOf(traceId);
      const view = await viewOf(traceId, await reader.getTraceOutline(traceId));
      remember(traceId, version, view.plan);
      return view.outline;
    });
  }
  if (hasPackedOutline(reader)) {
    // Packed only with every id once (else undefined): the trace needs no plan, and a span's details
    // or a find then need not read its outline to learn that.
    overrides.set('getPackedTraceOutline', async (traceId: string): Promise<PackedTraceOutline | undefined> => {
      const version = await versionOf(traceId);
      const packed = await reader.getPackedTraceOutline(traceId);
      if (packed !== undefined) remember(traceId, version, undefined);
      return packed;
    });
  }
  if (hasSpanLookup(reader)) {
    overrides.set('getSpansById', async (traceId: string, spanId: string): Promise<Span[]> => {
      // Without an outline to tell whether ids repeat, only the whole trace can say.
      if (!hasTraceOutline(reader)) {
        return uniqueSpanIds(await reader.getTrace(traceId)).filter((span) => span.spanId === spanId);
      }
      const plan = await planOf(traceId, reader);
      if (plan === undefined) return reader.getSpansById(traceId, spanId);
      const stored = await reader.getSpansById(traceId, plan.originalOf(spanId) ?? spanId);
      return stored.map((span) => plan.adjust(span)).filter((span) => span.spanId === spanId);
    });
  }

  if (hasTraceSpanSearch(reader) && hasTraceOutline(reader)) {
    // Ids as stored, unless the trace's ids repeat: then the whole trace, with its ids made unique.
    overrides.set('findSpansInTrace', async (traceId: string, query: string): Promise<string[]> => {
      const plan = await planOf(traceId, reader);
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
