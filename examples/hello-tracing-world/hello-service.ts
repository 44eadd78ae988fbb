import { CompositePropagator, type SpanExporter, W3cBaggagePropagator, W3cTraceContextPropagator } from '@ariadne/sdk';
import { context, trace } from '@opentelemetry/api';
import { serveRoutes } from '../shared/routes.js';
import type { RunningService } from '../shared/running-service.js';
import { createTelemetry, type ProcessorKind } from '../shared/telemetry.js';
import { tracedFetch } from '../shared/traced-fetch.js';

export const HELLO_SERVICE_NAME = 'TracingExample';
export const HELLO_TEXT = 'Hello Tracing World!';

export interface HelloServiceOptions {
  /** 0 picks a free port; the CLI uses 8080. */
  readonly port: number;
  readonly exporters: readonly SpanExporter[];
  readonly processor?: ProcessorKind;
  readonly logStream?: { write(chunk: string): unknown };
}

/**
 * Demo 1: `GET /` says hello; `GET /trace` asks `GET /` of the same service
 * over HTTP, so one trace shows the SDK's server span, the client
 * call, the nested server span and the work inside, each with tags and log
 * messages (span events).
 */
export async function startHelloService(options: HelloServiceOptions): Promise<RunningService> {
  const telemetry = createTelemetry({
    serviceName: HELLO_SERVICE_NAME,
    exporters: options.exporters,
    ...(options.processor ? { processor: options.processor } : {}),
    propagator: new CompositePropagator([new W3cTraceContextPropagator(), new W3cBaggagePropagator()]),
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
  const { tracer, log } = telemetry;
  let selfUrl = '';
  const service = await serveRoutes(
    telemetry,
    [
      {
        method: 'GET',
        path: '/',
        handle: ({ span }) =>
          tracer.startActiveSpan('compose greeting', (step) => {
            step.setAttribute('greeting.language', 'en');
            step.addEvent('greeting composed', { message: `composed "${HELLO_TEXT}"` });
            log.info('greeting composed');
            step.end();
            span.addEvent('saying hello', { message: 'answering the greeting' });
            return { body: HELLO_TEXT };
          }),
      },
      {
        method: 'GET',
        path: '/trace',
        handle: async ({ span }) => {
          span.setAttribute('demo.scenario', 'hello-tracing-world');
          span.addEvent('calling the hello endpoint', { message: `GET ${selfUrl}/` });
          const answer = await tracedFetch(telemetry, `${selfUrl}/`, {
            attributes: { 'peer.service': HELLO_SERVICE_NAME },
          });
          span.addEvent('hello endpoint answered', {
            message: answer.text,
            'http.response.status_code': answer.status,
          });
          log.info({ status: answer.status }, 'hello endpoint answered');
          return {
            body: {
              message: 'Traced!',
              traceId: trace.getSpanContext(context.active())?.traceId,
              downstream: answer.text,
            },
          };
        },
      },
    ],
    options.port,
  );
  selfUrl = service.url;
  return service;
}
