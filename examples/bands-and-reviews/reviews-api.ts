import { CompositePropagator, type SpanExporter, W3cBaggagePropagator, W3cTraceContextPropagator } from '@ariadne/sdk';
import { SpanKind } from '@opentelemetry/api';
import { serveRoutes } from '../shared/routes.js';
import type { RunningService } from '../shared/running-service.js';
import { randomMillis, sleep } from '../shared/sleep.js';
import { createTelemetry, type ProcessorKind, type Telemetry } from '../shared/telemetry.js';
import { REVIEWS, type Review } from './catalog.js';

export const REVIEWS_SERVICE_NAME = 'reviews-api';

export interface ReviewsApiOptions {
  /** 0 picks a free port; the CLI uses 8081. */
  readonly port: number;
  readonly exporters: readonly SpanExporter[];
  readonly processor?: ProcessorKind;
  readonly logStream?: { write(chunk: string): unknown };
}

/** A mock database read (10 to 30 ms) as a CLIENT span, so each review request has visible weight. */
async function query<T>(telemetry: Telemetry, statement: string, rows: () => T): Promise<T> {
  return telemetry.tracer.startActiveSpan(
    'SELECT reviews',
    { kind: SpanKind.CLIENT, attributes: { 'db.system': 'sqlite', 'db.statement': statement } },
    async (span) => {
      await sleep(randomMillis(10, 30));
      const result = rows();
      span.end();
      return result;
    },
  );
}

/**
 * `reviews-api`: `GET /reviews?bandId=` lists a band's review ids (or whole
 * reviews with `include=full`, the batch call), `GET /reviews/:id` returns one.
 */
export async function startReviewsApi(options: ReviewsApiOptions): Promise<RunningService> {
  const telemetry = createTelemetry({
    serviceName: REVIEWS_SERVICE_NAME,
    exporters: options.exporters,
    ...(options.processor ? { processor: options.processor } : {}),
    propagator: new CompositePropagator([new W3cTraceContextPropagator(), new W3cBaggagePropagator()]),
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
  return serveRoutes(
    telemetry,
    [
      {
        method: 'GET',
        path: '/reviews',
        handle: async ({ url, span }) => {
          const bandId = url.searchParams.get('bandId') ?? '';
          const full = url.searchParams.get('include') === 'full';
          span.setAttribute('band.id', bandId);
          const reviews = await query(telemetry, `SELECT ${full ? '*' : 'id'} FROM reviews WHERE band_id = ?`, () =>
            REVIEWS.filter((r) => r.bandId === bandId),
          );
          span.setAttribute('reviews.count', reviews.length);
          telemetry.log.info({ bandId, count: reviews.length, full }, 'listed reviews');
          return { body: full ? reviews : reviews.map((r) => r.id) };
        },
      },
      {
        method: 'GET',
        path: '/reviews/:id',
        handle: async ({ params, span }) => {
          span.setAttribute('review.id', params.id ?? '');
          const review = await query<Review | undefined>(telemetry, 'SELECT * FROM reviews WHERE id = ?', () =>
            REVIEWS.find((r) => r.id === params.id),
          );
          if (review === undefined) return { status: 404, body: { error: `no review ${params.id}` } };
          telemetry.log.info({ reviewId: review.id }, 'read review');
          return { body: review };
        },
      },
    ],
    options.port,
  );
}
