import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningService } from '../shared/running-service.js';
import { randomMillis, sleep } from '../shared/sleep.js';
import { TRACE_HEADERS } from '../shared/trace-headers.js';

export const USERVICE2_WORK_MS = { min: 300, max: 600 } as const;

/**
 * `uservice2` is not instrumented at all: no tracer, no propagation. It takes
 * 300 to 600 ms, which in the trace only shows as uservice1's span being long
 * with nothing inside. It answers with the trace headers it received (none,
 * since uservice1 does not propagate) so the test can see what crossed.
 */
export async function startUservice2(options: { readonly port: number }): Promise<RunningService> {
  const server = createServer((req, res) => {
    const work = randomMillis(USERVICE2_WORK_MS.min, USERVICE2_WORK_MS.max);
    const tracingHeaders = Object.fromEntries(
      TRACE_HEADERS.filter((h) => req.headers[h] !== undefined).map((h) => [h, req.headers[h]]),
    );
    void sleep(work).then(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ service: 'uservice2', workMs: work, tracingHeaders }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    flush: () => Promise.resolve(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
