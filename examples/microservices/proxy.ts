import { serveRoutes } from '../shared/routes.js';
import type { RunningService } from '../shared/running-service.js';
import { tracedFetch } from '../shared/traced-fetch.js';
import { jaegerTelemetry, type MicroserviceOptions } from './jaeger-telemetry.js';

export interface ProxyOptions extends MicroserviceOptions {
  /** Path prefix → upstream base URL, e.g. `{ uservice1: 'http://127.0.0.1:8091' }`. */
  readonly upstreams: Readonly<Record<string, string>>;
}

/**
 * A small reverse proxy in front of the chain: `GET /<service>/<path>` goes to
 * that service's `/<path>`. It opens its own SERVER span, a CLIENT span for
 * the forwarded request, and writes `uber-trace-id` into it, as a proxy with
 * Jaeger tracing (Envoy, Traefik) would; it reports over Jaeger Thrift HTTP.
 */
export async function startProxy(options: ProxyOptions): Promise<RunningService> {
  const telemetry = jaegerTelemetry('proxy', options);
  return serveRoutes(
    telemetry,
    [
      {
        method: 'GET',
        path: '/:service/:path',
        handle: async ({ params, url, span }) => {
          const upstream = options.upstreams[params.service ?? ''];
          if (upstream === undefined) return { status: 404, body: { error: `no upstream ${params.service}` } };
          span.setAttribute('proxy.upstream', params.service ?? '');
          const answer = await tracedFetch(telemetry, `${upstream}/${params.path}${url.search}`, {
            spanName: `forward to ${params.service}`,
            attributes: { 'peer.service': params.service ?? '' },
          });
          return {
            status: answer.status,
            body: answer.headers.get('content-type')?.includes('json') ? JSON.parse(answer.text) : answer.text,
          };
        },
      },
    ],
    options.port,
  );
}
