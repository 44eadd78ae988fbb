import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningService {
  readonly url: string;
  /** Exports every span ended so far. */
  flush(): Promise<void>;
  /** Stops listening, then flushes and shuts the service's tracing down. */
  close(): Promise<void>;
}

/**
 * Serves `listener` on 127.0.0.1 (port 0 picks a free one). `close` stops
 * listening and drops idle keep-alive connections, then runs `onClose`.
 */
export async function listen(
  listener: (req: IncomingMessage, res: ServerResponse) => unknown,
  port: number,
  onClose: () => Promise<void>,
  flush: () => Promise<void>,
): Promise<RunningService> {
  const server = createServer((req, res) => {
    void listener(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    flush,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await onClose();
    },
  };
}
