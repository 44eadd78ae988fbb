import { AriadneError, normalizeTraceId } from '@ariadne/protocol';
import type { SpanReader, TraceRetention } from '../../storage/span-store.js';
import { packedSkeleton } from './packed-columns.js';
import type { PackedTraceOutline } from './packed-outline.js';
import {
  layOutTraceColumns,
  type SkeletonColumns,
  SPAN_ID_WIDTH,
  skeletonColumns,
  TRACE_COLUMNS_CONTENT_TYPE,
} from './trace-columns.js';
import { TraceColumnsCache } from './trace-columns-cache.js';
import type { TraceOutline } from './trace-outline.js';
import { toTraceSkeleton } from './trace-skeleton.js';
import { hasTraceVersion } from './trace-version.js';

/** Keeps the answers of the large traces opened last: one of 1,000,000 spans is about 33 MB. */
const CACHE_BYTES = 96 * 1024 * 1024;
/** Smaller traces are read again on each open: tens of milliseconds. */
const CACHE_MIN_SPANS = 10_000;

const caches = new WeakMap<SpanReader, TraceColumnsCache>();

/**
 * `GET /api/trace-view/:traceId/columns`: the trace's skeleton as bytes
 * (`encodeTraceColumns`). A store that versions traces (`TraceVersionReader`)
 * is asked for the version first, and an answer kept for that version is sent
 * again without reading the trace; a trace the store does not hold (read from
 * the archive by `readOutline`) is built each time. A trace the store packs
 * (`readPacked`: `PackedOutlineReader`) is laid out from its numbers, with no
 * outline or skeleton of strings; any other from its outline. Server-Timing
 * says where the time went, and `cached` when the kept answer served it. A
 * trace whose span ids do not fit the byte layout is a 400 (`InvalidQuery`):
 * its JSON skeleton serves it.
 */
export async function serveTraceColumns(
  traceIdText: string,
  reader: SpanReader,
  readOutline: () => Promise<TraceOutline>,
  retentionOf: (traceId: string) => Promise<TraceRetention | undefined> = async () => undefined,
  readPacked: () => Promise<PackedTraceOutline | undefined> = async () => undefined,
): Promise<Response> {
  const t0 = performance.now();
  let cache = caches.get(reader);
  if (cache === undefined) {
    cache = new TraceColumnsCache(CACHE_BYTES, CACHE_MIN_SPANS);
    caches.set(reader, cache);
  }
  const traceId = normalizeTraceId(traceIdText) ?? '';
  let version: string | undefined;
  if (traceId !== '' && hasTraceVersion(reader)) {
    // Not in the store: the archive may hold it, and `readOutline` looks there.
    version = await reader.getTraceVersion(traceId).catch(() => undefined);
  }
  const kept = version === undefined ? undefined : cache.get(traceId, version);
  if (kept !== undefined) return answer(kept, `version;dur=${(performance.now() - t0).toFixed(1)}, cached`);
  const packed = await readPacked();
  let t1: number;
  let columns: SkeletonColumns | undefined;
  /** As stored (what `retentionOf` takes). */
  let storedTraceId: string;
  if (packed !== undefined) {
    t1 = performance.now();
    columns = packedSkeleton(packed);
    storedTraceId = packed.traceId;
  } else {
    const outline = await readOutline();
    t1 = performance.now();
    columns = skeletonColumns(toTraceSkeleton(outline));
    storedTraceId = outline.traceId;
  }
  if (columns === undefined) {
    throw new AriadneError('InvalidQuery', 'a span id of this trace is not 16 characters: read its JSON skeleton');
  }
  const t2 = performance.now();
  // The kept retention tier and its policy: a compaction changes the trace's version, so the kept answer too.
  const body = layOutTraceColumns(columns, await retentionOf(storedTraceId));
  if (version !== undefined) cache.set(traceId, version, columns.spanIds.length / SPAN_ID_WIDTH, body);
  const t3 = performance.now();
  return answer(
    body,
    `read;dur=${(t1 - t0).toFixed(1)}, skeleton;dur=${(t2 - t1).toFixed(1)}, encode;dur=${(t3 - t2).toFixed(1)}`,
  );
}

function answer(body: Uint8Array, timing: string): Response {
  return new Response(body, {
    status: 200,
    headers: { 'content-type': TRACE_COLUMNS_CONTENT_TYPE, 'server-timing': timing },
  });
}
