import { serveRoutes } from '../shared/routes.js';
import type { RunningService } from '../shared/running-service.js';
import { tracedFetch } from '../shared/traced-fetch.js';
import { jaegerTelemetry, type MicroserviceOptions } from './jaeger-telemetry.js';

/** `uservice3` calls uservice4 instrumented: a CLIENT span and `uber-trace-id` on the request. */
export async function startUservice3(
  options: MicroserviceOptions & { readonly uservice4Url: string },
): Promise<RunningService> {
  const telemetry = jaegerTelemetry('uservice3', options);
  return serveRoutes(
    telemetry,
    [
      {
        method: 'GET',
        path: '/work',
        handle: async ({ url }) => {
          const item = url.searchParams.get('item') ?? 'sku-42';
          const answer = await tracedFetch(telemetry, `${options.uservice4Url}/process`, {
            method: 'POST',
            body: JSON.stringify({ item, quantity: 1 }),
            headers: { 'content-type': 'application/json' },
            spanName: 'call uservice4',
            attributes: { 'peer.service': 'uservice4' },
          });
          telemetry.log.info({ status: answer.status }, 'uservice4 answered');
          return { status: answer.status, body: { service: 'uservice3', downstream: JSON.parse(answer.text) } };
        },
      },
    ],
    options.port,
  );
}
