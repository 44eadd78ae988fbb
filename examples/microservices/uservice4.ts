import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { serveRoutes } from '../shared/routes.js';
import type { RunningService } from '../shared/running-service.js';
import { jaegerTelemetry, type MicroserviceOptions } from './jaeger-telemetry.js';
import { mockCall } from './mock-call.js';

/** The documented latencies of uservice4's mock backends, in milliseconds. */
export const REDIS_MS = { min: 100, max: 199 } as const;
export const DATABASE_MS = { min: 1000, max: 1999 } as const;

/**
 * `uservice4` does the real work: decodes the request (a span event
 * `Request decoded!`), reads a mock Redis (100–199 ms) and queries a mock
 * database (1–2 s), each a CLIENT span, and sets the server span's status.
 */
export async function startUservice4(options: MicroserviceOptions): Promise<RunningService> {
  const telemetry = jaegerTelemetry('uservice4', options);
  const { tracer } = telemetry;
  return serveRoutes(
    telemetry,
    [
      {
        method: 'POST',
        path: '/process',
        handle: async ({ body, span }) => {
          let request: { item?: unknown; quantity?: unknown };
          try {
            request = JSON.parse(body) as typeof request;
          } catch {
            span.setStatus({ code: SpanStatusCode.ERROR, message: 'the body is not JSON' });
            return { status: 400, body: { error: 'the body is not JSON' } };
          }
          const item = String(request.item ?? '');
          span.addEvent('Request decoded!', { item, 'body.bytes': body.length });
          span.setAttributes({ 'order.item': item, 'order.quantity': Number(request.quantity ?? 1) });
          const cacheMs = await mockCall(
            tracer,
            'redis GET',
            { 'db.system': 'redis', 'db.operation': 'GET', 'db.statement': `GET price:${item}` },
            REDIS_MS.min,
            REDIS_MS.max,
          );
          const dbMs = await mockCall(
            tracer,
            'db query',
            {
              'db.system': 'postgresql',
              'db.operation': 'SELECT',
              'db.statement': 'SELECT * FROM stock WHERE item = $1',
            },
            DATABASE_MS.min,
            DATABASE_MS.max,
          );
          tracer.startSpan('compose response', { kind: SpanKind.INTERNAL }).end();
          span.setStatus({ code: SpanStatusCode.OK });
          telemetry.log.info({ item, cacheMs, dbMs }, 'processed');
          return { body: { service: 'uservice4', item, inStock: true, cacheMs, dbMs } };
        },
      },
    ],
    options.port,
  );
}
