import { serveRoutes } from '../shared/routes.js';
import type { RunningService } from '../shared/running-service.js';
import { jaegerTelemetry, type MicroserviceOptions } from './jaeger-telemetry.js';

/**
 * `uservice1` is instrumented, but calls uservice2 with a plain `fetch`: no
 * client span, no trace header. The operator sees uservice1's span take half
 * a second and cannot tell where the time went; that is the lesson.
 */
export async function startUservice1(
  options: MicroserviceOptions & { readonly uservice2Url: string },
): Promise<RunningService> {
  const telemetry = jaegerTelemetry('uservice1', options);
  return serveRoutes(
    telemetry,
    [
      {
        method: 'GET',
        path: '/work',
        handle: async ({ span }) => {
          span.setAttribute('downstream', 'uservice2 (uninstrumented)');
          const answer = await fetch(`${options.uservice2Url}/work`);
          const body = (await answer.json()) as Record<string, unknown>;
          telemetry.log.info({ status: answer.status }, 'uservice2 answered');
          return { body: { service: 'uservice1', downstream: body } };
        },
      },
    ],
    options.port,
  );
}
