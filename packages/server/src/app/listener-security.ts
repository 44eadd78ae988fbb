import type { IncomingMessage } from 'node:http';
import type { ServerInterceptor } from '@grpc/grpc-js';
import { grpcAccessInterceptor } from '../auth/grpc-access.js';
import { guardHttp, type HttpNeed, INGEST, type SendRefusal } from '../auth/http-access.js';
import type { HttpListenOptions, RequestHandler } from '../http/listen.js';
import type { ModuleContext } from './server-module.js';

/**
 * `handler` behind the `--auth` check when auth is on, as it is otherwise.
 * Every module's HTTP listener goes through here, so none can be left open
 * by forgetting it.
 */
export function guardedHttp(
  context: ModuleContext,
  listener: string,
  needOf: (request: IncomingMessage) => HttpNeed,
  handler: RequestHandler,
  sendRefusal?: SendRefusal,
): RequestHandler {
  const { access } = context;
  if (access === undefined) return handler;
  return guardHttp(handler, { access, listener, needOf, ...(sendRefusal ? { sendRefusal } : {}) });
}

/** The interceptors of a gRPC receiver: the `--auth` check (every gRPC service here ingests). */
export function grpcReceiverInterceptors(context: ModuleContext, listener: string): ServerInterceptor[] {
  return context.access === undefined ? [] : [grpcAccessInterceptor(context.access, listener, INGEST)];
}

/** For listeners where every request needs the same thing. */
export const always =
  (need: HttpNeed) =>
  (_request: IncomingMessage): HttpNeed =>
    need;

/**
 * Who connects to a listener: `receiver` ports (spans in, and the sampling
 * strategies the same clients fetch) require client certificates when
 * `--tls-client-ca` is set; `query` ports (UI, query APIs, Grafana) take
 * TLS without them.
 */
export type ListenerSide = 'receiver' | 'query';

/** The TLS options of a listener on `side`: none without --tls-cert. */
export function listenerTls(context: ModuleContext, side: ListenerSide): HttpListenOptions {
  const { tls } = context;
  return tls === undefined ? {} : { tls: { tls, requireClientCertificate: side === 'receiver' } };
}
