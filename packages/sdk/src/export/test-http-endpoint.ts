import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** `performance.now()` when the whole request had arrived. */
  readonly receivedAt: number;
}

/**
 * A real local HTTP endpoint for exporter tests: answers the n-th request
 * with the n-th reply (the last one repeats); a reply of `hang` never answers.
 * With `tls` it is an HTTPS endpoint (`base` starts with `https://`).
 */
export async function testHttpEndpoint(
  replies: ({ status: number; headers?: Record<string, string> } | 'hang')[],
  tls?: HttpsServerOptions,
) {
  const received: ReceivedRequest[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ url: req.url ?? '', headers: req.headers, body, receivedAt: performance.now() });
      const reply = replies[Math.min(received.length - 1, replies.length - 1)] ?? { status: 200 };
      if (reply !== 'hang') res.writeHead(reply.status, reply.headers).end();
    });
  };
  const server = tls === undefined ? createServer(listener) : createHttpsServer(tls, listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
