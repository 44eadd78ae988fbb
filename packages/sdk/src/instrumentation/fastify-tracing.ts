import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import { type HttpServerTracingOptions, startServerSpan } from './server-span.js';

/** The parts of Fastify this plugin uses (no runtime or type dependency on Fastify). */
interface FastifyRequestLike {
  readonly raw: IncomingMessage;
  readonly routeOptions?: { readonly url?: string };
}
interface FastifyReplyLike {
  readonly raw: ServerResponse;
}
interface FastifyInstanceLike {
  addHook(
    name: 'onRequest',
    hook: (request: FastifyRequestLike, reply: FastifyReplyLike, done: (err?: Error) => void) => void,
  ): unknown;
}

export type FastifyTracingPlugin = ((
  instance: FastifyInstanceLike,
  options: HttpServerTracingOptions,
  done: (err?: Error) => void,
) => void) &
  Record<symbol, unknown>;

/**
 * Fastify plugin: `app.register(fastifyTracing)` (options as the second
 * argument). An `onRequest` hook opens the server span (or finds the one
 * `traceRequestListener` opened, given as Fastify's `serverFactory`), runs
 * the rest of the request in its context, and names it after
 * `request.routeOptions.url` (`GET /users/:id`).
 */
export const fastifyTracing: FastifyTracingPlugin = Object.assign(
  function ariadneFastifyTracing(
    instance: FastifyInstanceLike,
    options: HttpServerTracingOptions,
    done: (err?: Error) => void,
  ): void {
    instance.addHook('onRequest', (request, reply, next) => {
      const state = startServerSpan(request.raw, reply.raw, options);
      if (state === undefined) {
        next();
        return;
      }
      state.routeResolver = () => request.routeOptions?.url;
      context.with(state.context, next);
    });
    done();
  },
  {
    // What `fastify-plugin` sets: the hook applies to the whole app, not only to an encapsulated child context.
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: '@ariadne/sdk fastifyTracing',
  },
);
