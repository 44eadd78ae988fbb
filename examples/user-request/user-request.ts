import type { IncomingMessage, ServerResponse } from 'node:http';
import { CompositePropagator, type SpanExporter, W3cTraceContextPropagator } from '@ariadne/sdk';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { listen, type RunningService } from '../shared/running-service.js';
import { simulatedSpan } from '../shared/simulated-span.js';
import { createTelemetry, type ProcessorKind, type Telemetry } from '../shared/telemetry.js';

export const USER_REQUEST_SERVICE_NAME = 'user-request-demo';
/** How long each simulated service takes, in milliseconds. */
export const AUTH_MS = 200;
export const PRODUCT_MS = 500;

export interface UserRequestOptions {
  /** 0 picks a free port; the CLI uses 8082. */
  readonly port: number;
  readonly exporters: readonly SpanExporter[];
  readonly processor?: ProcessorKind;
  readonly logStream?: { write(chunk: string): unknown };
}

/**
 * The smallest trace worth reading: a root `user_request` with two children,
 * `auth_service` (200 ms, logs `event=authenticated`) and `product_service`
 * (500 ms, logs `event=product details fetched`, marked as an error). Returns
 * the trace id.
 */
export async function runUserRequest(telemetry: Telemetry, user = 'alice'): Promise<string> {
  const { tracer } = telemetry;
  const root = tracer.startSpan(
    'user_request',
    { kind: SpanKind.SERVER, attributes: { 'user.id': user } },
    ROOT_CONTEXT,
  );
  await context.with(trace.setSpan(ROOT_CONTEXT, root), async () => {
    await simulatedSpan(tracer, 'auth_service', AUTH_MS, {
      attributes: { 'user.id': user },
      finish: (span, end) => span.addEvent('authenticated', { 'user.id': user }, end),
    });
    await simulatedSpan(tracer, 'product_service', PRODUCT_MS, {
      attributes: { 'product.id': 'p-1001' },
      finish: (span, end) => {
        span.addEvent('product details fetched', { 'product.id': 'p-1001' }, end);
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'price service timed out; details are stale' });
      },
    });
    telemetry.log.info({ user }, 'user request served');
  });
  root.end();
  return root.spanContext().traceId;
}

/** `GET /` (any path) runs one user request and answers with its trace id. */
export async function startUserRequestService(options: UserRequestOptions): Promise<RunningService> {
  const telemetry = createTelemetry({
    serviceName: USER_REQUEST_SERVICE_NAME,
    exporters: options.exporters,
    ...(options.processor ? { processor: options.processor } : {}),
    propagator: new CompositePropagator([new W3cTraceContextPropagator()]),
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
  // No traceRequestListener: user_request itself is the root, as in the original demo.
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const user = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('user') ?? 'alice';
    const traceId = await runUserRequest(telemetry, user);
    res.writeHead(200, { 'content-type': 'application/json', 'x-trace-id': traceId });
    res.end(JSON.stringify({ traceId }));
  };
  return listen(
    handler,
    options.port,
    () => telemetry.shutdown(),
    () => telemetry.flush(),
  );
}
