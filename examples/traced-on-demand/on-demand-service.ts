import {
  AlwaysOffSampler,
  CompositePropagator,
  exportersFromEnv,
  JaegerPropagator,
  ParentBasedSampler,
  samplerFromEnv,
  W3cTraceContextPropagator,
} from '@ariadne/sdk';
import { serveRoutes } from '../shared/routes.js';
import type { RunningService } from '../shared/running-service.js';
import { sleep } from '../shared/sleep.js';
import { createTelemetry } from '../shared/telemetry.js';

export const ON_DEMAND_SERVICE_NAME = 'traced-on-demand';
/** The header value the README tells people to send. */
export const DEMO_DEBUG_ID = 'tracing-is-a-great-idea';

export interface OnDemandOptions {
  /** 0 picks a free port; the CLI uses 8083. */
  readonly port: number;
  /**
   * Everything else comes from here, as a twelve-factor service would have it:
   * `TRACES_EXPORTER=jaeger TRACES_EXPORTER_JAEGER_AGENT_HOST=… _PORT=…` (or
   * the OTEL_ spellings). OTEL_TRACES_SAMPLER may override the default of
   * sampling nothing. Default `process.env`.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logStream?: { write(chunk: string): unknown };
}

/**
 * Demo 5: a service that samples nothing, except the requests that carry
 * `jaeger-debug-id: <anything>`: the SDK's Jaeger propagator reads the header,
 * and its tracer starts a sampled trace whose root span carries the id as the
 * `jaeger-debug-id` tag, so the trace is found by searching for that tag.
 */
export async function startOnDemandService(options: OnDemandOptions): Promise<RunningService> {
  const env = options.env ?? process.env;
  const telemetry = createTelemetry({
    serviceName: ON_DEMAND_SERVICE_NAME,
    exporters: exportersFromEnv(env).map((named) => named.exporter),
    sampler: env.OTEL_TRACES_SAMPLER ? samplerFromEnv(env) : new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    propagator: new CompositePropagator([new W3cTraceContextPropagator(), new JaegerPropagator()]),
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
  return serveRoutes(
    telemetry,
    [
      {
        method: 'GET',
        path: '/',
        handle: () =>
          telemetry.tracer.startActiveSpan('load greeting', async (span) => {
            await sleep(5);
            span.setAttribute('greeting.source', 'memory');
            span.end();
            telemetry.log.info('greeting loaded');
            return { body: 'Traced on demand.\n' };
          }),
      },
    ],
    options.port,
  );
}
