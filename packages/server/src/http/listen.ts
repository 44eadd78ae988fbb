import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listener {
  readonly name: string;
  readonly host: string;
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** Starts an HTTP listener; resolves once it is bound. `port: 0` picks a free port. */
export function listenHttp(name: string, host: string, port: number, handler: RequestHandler): Promise<Listener> {
  const server: Server = createServer({ keepAliveTimeout: 65_000 }, handler);
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`${name}: cannot listen on ${host}:${port}: ${error.message}`)));
    server.listen(port, host, () => {
      const bound = (server.address() as AddressInfo).port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        name,
        host,
        port: bound,
        url: `http://${shownHost}:${bound}`,
        close: () => closeServer(server),
      });
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would hold close() open; requests in flight finish first.
    server.closeIdleConnections();
  });
}
