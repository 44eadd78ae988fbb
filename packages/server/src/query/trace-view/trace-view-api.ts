import { AriadneError, isAriadneError, normalizeTraceId, type Span, toJaegerTrace } from '@ariadne/protocol';
import { type Context, Hono } from 'hono';
import type { SpanReader, SpanStore } from '../../storage/span-store.js';
import { traceRetentionOf } from '../../storage/trace-retention-reader.js';
import { jaegerDataResponse, jaegerErrorResponse } from '../jaeger/jaeger-envelope.js';
import { currentQueryDeadline, raceQueryDeadline } from '../query-deadline.js';
import { readSpansOnce } from '../read-spans-once.js';
import { readUniqueSpanIds } from '../read-unique-span-ids.js';
import { hasPackedOutline, type PackedTraceOutline } from './packed-outline.js';
import { searchTraceSpans } from './search-trace-spans.js';
import { serveTraceColumns } from './serve-trace-columns.js';
import { hasSpanLookup } from './span-lookup.js';
import { hasTraceOutline, type TraceOutline, traceOutlineOf } from './trace-outline.js';
import { toTraceSkeleton } from './trace-skeleton.js';
import { hasTraceSpanSearch } from './trace-span-search.js';

/**
 * The web UI's own reads of one large trace, so that opening it does not
 * mean shipping every attribute of every span (the Jaeger API's
 * `/api/traces/{id}` keeps its shape for Jaeger's UI and Grafana):
 *
 * - `GET /api/trace-view/:traceId`: the trace's skeleton (`TraceSkeleton`).
 * - `GET /api/trace-view/:traceId/columns`: the same skeleton as bytes
 *   (`trace-columns.ts`), what the web UI reads; the JSON one stays for other clients.
 * - `GET /api/trace-view/:traceId/spans/:spanId`: one span as a Jaeger trace of
 *   that span alone (with its process), in a list like `/api/traces/{id}`, for the span's details.
 * - `GET /api/trace-view/:traceId/search?q=`: `{spanIds}` of the spans that
 *   match the UI's "find in trace".
 *
 * Answers are in Jaeger's envelope, like the rest of port 16686; a trace (or
 * span) not stored is a 404. Like `/api/traces/{id}`, a trace the store no
 * longer holds is looked up in the archive. A store that outlines traces
 * (`TraceOutlineReader`) or finds single spans (`SpanLookup`) itself is asked
 * to; any other store's trace is read whole. The skeleton's Server-Timing
 * says where the time went, and `cached` when a kept outline (and its JSON)
 * served it.
 */
export function createTraceViewApi(store: SpanReader, archiveStore?: SpanStore): Hono {
  // Every span, outline and span lookup read here comes out once however often it was sent,
  // with an id of its own (Zipkin's client and server halves share one as stored).
  const reader = readUniqueSpanIds(readSpansOnce(store));
  const archive = archiveStore === undefined ? undefined : readUniqueSpanIds(readSpansOnce(archiveStore));
  const app = new Hono();

  /** Reads the trace from the store, else (not found) from the archive. */
  async function fromStores<T>(c: Context, read: (store: SpanReader, traceId: string) => Promise<T>): Promise<T> {
    const text = c.req.param('traceId') ?? '';
    const traceId = normalizeTraceId(text);
    if (traceId === undefined) {
      throw new AriadneError(
        'InvalidQuery',
        `cannot parse traceID: ${JSON.stringify(text)} is not 1 to 32 hex characters`,
      );
    }
    try {
      return await read(reader, traceId);
    } catch (error) {
      if (archive === undefined || !isAriadneError(error, 'TraceNotFound')) throw error;
      return read(archive, traceId);
    }
  }
  // A store that outlines a trace itself skips decoding every attribute of every span.
  const readOutline = (c: Context) =>
    fromStores(
      c,
      async (store, traceId): Promise<TraceOutline> =>
        hasTraceOutline(store) ? store.getTraceOutline(traceId) : traceOutlineOf(await store.getTrace(traceId)),
    );

  // A store that packs a trace's outline (ids as numbers) skips every string per span; undefined:
  // it cannot (ask for the outline), and a trace it does not hold may be in the archive.
  const readPacked = async (c: Context): Promise<PackedTraceOutline | undefined> => {
    const traceId = normalizeTraceId(c.req.param('traceId') ?? '');
    if (traceId === undefined || !hasPackedOutline(reader)) return undefined;
    try {
      return await reader.getPackedTraceOutline(traceId);
    } catch (error) {
      if (isAriadneError(error, 'TraceNotFound')) return undefined;
      throw error;
    }
  };

  // A store that keeps outlines (the embedded store's `OutlineCache`) hands out the same object
  // while the trace is unchanged: its answer is written once, and dropped with it.
  const bodies = new WeakMap<TraceOutline, string>();

  const handle = (run: (c: Context) => Promise<Response>) => async (c: Context) => {
    try {
      return await raceQueryDeadline(run(c));
    } catch (error) {
      return jaegerErrorResponse(error);
    }
  };

  app.get(
    '/api/trace-view/:traceId',
    handle(async (c) => {
      const t0 = performance.now();
      const outline = await readOutline(c);
      const t1 = performance.now();
      let body = bodies.get(outline);
      const cached = body !== undefined;
      let t2 = t1;
      if (body === undefined) {
        const skeleton = toTraceSkeleton(outline);
        // The kept retention tier and its policy (a compaction changes the outline, so the body too).
        const retention = await traceRetentionOf(store, outline.traceId);
        t2 = performance.now();
        // Numbers and strings only: the native writer, without the Jaeger writer's bigint replacer
        // (a callback per value, a large share of the time for 100,000 spans).
        const data = retention === undefined ? skeleton : { ...skeleton, retention };
        body = JSON.stringify({ data, total: 1, limit: 0, offset: 0, errors: null });
        bodies.set(outline, body);
      }
      const t3 = performance.now();
      // Where the time went, for the browser's resource timing (the UI benchmark reports it).
      const timing = `read;dur=${(t1 - t0).toFixed(1)}, skeleton;dur=${(t2 - t1).toFixed(1)}, json;dur=${(t3 - t2).toFixed(1)}${cached ? ', cached' : ''}`;
      return new Response(body, {
        status: 200,
        headers: { 'content-type': 'application/json', 'server-timing': timing },
      });
    }),
  );

  app.get(
    '/api/trace-view/:traceId/columns',
    handle((c) =>
      serveTraceColumns(
        c.req.param('traceId') ?? '',
        reader,
        () => readOutline(c),
        (traceId) => traceRetentionOf(store, traceId),
        () => readPacked(c),
      ),
    ),
  );

  app.get(
    '/api/trace-view/:traceId/spans/:spanId',
    handle(async (c) => {
      const spanId = (c.req.param('spanId') ?? '').toLowerCase();
      // Of duplicates, the earliest: the one the UI's tree keeps.
      let found: Span | undefined;
      const candidates = await fromStores(c, async (store, traceId) =>
        hasSpanLookup(store)
          ? store.getSpansById(traceId, spanId)
          : (await store.getTrace(traceId)).filter((span) => span.spanId === spanId),
      );
      for (const span of candidates) {
        if (span.spanId === spanId && (found === undefined || span.startTimeUnixNano < found.startTimeUnixNano)) {
          found = span;
        }
      }
      if (found === undefined) throw new AriadneError('TraceNotFound', `span ${spanId} is not in the trace`);
      return jaegerDataResponse([toJaegerTrace([found])], 1);
    }),
  );

  app.get(
    '/api/trace-view/:traceId/search',
    handle(async (c) => {
      const query = c.req.query('q') ?? '';
      // A search of a million spans takes seconds: when its client goes away (the UI asks again as
      // the user types on), the store stops it rather than finish it for no one.
      const deadline = currentQueryDeadline();
      const signal = c.req.raw.signal;
      if (signal.aborted) deadline?.cancel();
      else signal.addEventListener('abort', () => deadline?.cancel(), { once: true });
      // A store that searches a trace where it keeps it is asked to: no trace read whole.
      const spanIds = await fromStores(c, async (store, traceId) =>
        hasTraceSpanSearch(store)
          ? store.findSpansInTrace(traceId, query)
          : searchTraceSpans(await store.getTrace(traceId), query),
      );
      return jaegerDataResponse({ spanIds }, spanIds.length);
    }),
  );

  return app;
}
