import {
  AlwaysOnSampler,
  CompositePropagator,
  ParentBasedSampler,
  type SpanExporter,
  W3cBaggagePropagator,
  W3cTraceContextPropagator,
} from '@ariadne/sdk';
import { serveRoutes } from '../shared/routes.js';
import type { RunningService } from '../shared/running-service.js';
import { createTelemetry, type ProcessorKind, type Telemetry } from '../shared/telemetry.js';
import { tracedFetch } from '../shared/traced-fetch.js';
import { BANDS, type Review } from './catalog.js';
import { TraceStateSampler } from './trace-state-sampler.js';

export const BANDS_SERVICE_NAME = 'bands-api';
/** The member bands-api adds to `tracestate`; reviews-api sees it arrive. */
export const BANDS_TRACE_STATE = { key: 'bands', value: 'v1' } as const;

export interface BandsApiOptions {
  /** 0 picks a free port; the CLI uses 8000. */
  readonly port: number;
  readonly reviewsUrl: string;
  /**
   * The fix for the demo's performance bug: one batch request for a band's
   * reviews instead of one request per review. Default false (the bug); a
   * request's `?batch=true|false` overrides it.
   */
  readonly batchReviews?: boolean;
  readonly exporters: readonly SpanExporter[];
  readonly processor?: ProcessorKind;
  readonly logStream?: { write(chunk: string): unknown };
}

async function reviewsOneByOne(telemetry: Telemetry, reviewsUrl: string, bandId: string): Promise<Review[]> {
  const ids = JSON.parse((await tracedFetch(telemetry, `${reviewsUrl}/reviews?bandId=${bandId}`)).text) as string[];
  const reviews: Review[] = [];
  // The bug on purpose: a sequential request per review, a staircase in the trace.
  for (const id of ids) {
    reviews.push(JSON.parse((await tracedFetch(telemetry, `${reviewsUrl}/reviews/${id}`)).text) as Review);
  }
  return reviews;
}

async function reviewsInOneCall(telemetry: Telemetry, reviewsUrl: string, bandId: string): Promise<Review[]> {
  const answer = await tracedFetch(telemetry, `${reviewsUrl}/reviews?bandId=${bandId}&include=full`);
  return JSON.parse(answer.text) as Review[];
}

/**
 * `bands-api`: `GET /bands` lists bands, `GET /bands/:id` returns a band with
 * its reviews from reviews-api, propagating W3C `traceparent` and
 * `tracestate` (to which it adds `bands=v1`).
 */
export async function startBandsApi(options: BandsApiOptions): Promise<RunningService> {
  const telemetry = createTelemetry({
    serviceName: BANDS_SERVICE_NAME,
    exporters: options.exporters,
    ...(options.processor ? { processor: options.processor } : {}),
    propagator: new CompositePropagator([new W3cTraceContextPropagator(), new W3cBaggagePropagator()]),
    sampler: new TraceStateSampler(
      new ParentBasedSampler({ root: new AlwaysOnSampler() }),
      BANDS_TRACE_STATE.key,
      BANDS_TRACE_STATE.value,
    ),
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
  return serveRoutes(
    telemetry,
    [
      { method: 'GET', path: '/bands', handle: () => ({ body: BANDS }) },
      {
        method: 'GET',
        path: '/bands/:id',
        handle: async ({ params, url, span }) => {
          const band = BANDS.find((b) => b.id === params.id);
          if (band === undefined) return { status: 404, body: { error: `no band ${params.id}` } };
          const flag = url.searchParams.get('batch');
          const batch = flag === null ? (options.batchReviews ?? false) : flag === 'true';
          span.setAttributes({ 'band.id': band.id, 'reviews.batched': batch });
          telemetry.log.info({ bandId: band.id, batched: batch }, 'fetching reviews');
          const reviews = batch
            ? await reviewsInOneCall(telemetry, options.reviewsUrl, band.id)
            : await reviewsOneByOne(telemetry, options.reviewsUrl, band.id);
          span.setAttribute('reviews.count', reviews.length);
          return { body: { ...band, reviews } };
        },
      },
    ],
    options.port,
  );
}
