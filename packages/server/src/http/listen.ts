import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ServerTls } from '../tls/server-tls.js';

export interface Listener {
  readonly name: string;
  readonly host: string;
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** TLS for one listener. */
export interface ListenerTls {
  readonly tls: ServerTls;
  /**
   * Ask for a client certificate signed by the client CA and refuse the
   * handshake without one (mutual TLS). Only when `tls` has a client CA.
   */
  readonly requireClientCertificate: boolean;
}

export interface HttpListenOptions {
  /** Serve HTTPS; certificates follow `tls.reload()`. */
  readonly tls?: ListenerTls;
}

/** Starts an HTTP (or HTTPS) listener; resolves once it is bound. `port: 0` picks a free port. */
export function listenHttp(
  name: string,
  host: string,
  port: number,
  handler: RequestHandler,
  options: HttpListenOptions = {},
): Promise<Listener> {
  const { server, stopReloads } = createHttpServer(handler, options.tls);
  return new Promise((resolve, reject) => {
    server.once('error', (error) => {
      stopReloads();
      reject(new Error(`${name}: cannot listen on ${host}:${port}: ${error.message}`));
    });
    server.listen(port, host, () => {
      const bound = (server.address() as AddressInfo).port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        name,
        host,
        port: bound,
        url: `${options.tls ? 'https' : 'http'}://${shownHost}:${bound}`,
        close: () => {
          stopReloads();
          return closeServer(server);
        },
      });
    });
  });
}

function createHttpServer(handler: RequestHandler, listenerTls: ListenerTls | undefined) {
  if (listenerTls === undefined) {
    return { server: createServer({ keepAliveTimeout: 65_000 }, handler) as Server, stopReloads: () => {} };
  }
  const { tls, requireClientCertificate } = listenerTls;
  const mutual = requireClientCertificate && tls.current.clientCa !== undefined;
  const context = () => ({
    cert: tls.current.cert,
    key: tls.current.key,
    ...(mutual ? { ca: tls.current.clientCa } : {}),
  });
  const server = createHttpsServer(
    { keepAliveTimeout: 65_000, ...context(), requestCert: mutual, rejectUnauthorized: mutual },
    handler,
  );
  // New connections get the reloaded certificates; open ones keep the context they were made with.
  const stopReloads = tls.subscribe(() => server.setSecureContext(context()));
  return { server: server as unknown as Server, stopReloads };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would hold close() open; requests in flight finish first.
    server.closeIdleConnections();
  });
}
