import type { RunningService } from './running-service.js';

/** The port a service's CLI listens on: its own variable (e.g. `HELLO_PORT`), else the documented default. */
export function portFromEnv(variable: string, defaultPort: number): number {
  const raw = process.env[variable]?.trim();
  if (raw === undefined || raw === '') return defaultPort;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${variable}=${raw} is not a port`);
  return port;
}

/**
 * A demo service's command line: starts it, prints `LISTENING <name> <url>`
 * (scripts/demo.mjs reads that line to learn ports chosen with 0), and on
 * SIGINT or SIGTERM stops listening and flushes its spans before exiting.
 */
export async function runMain(name: string, start: () => Promise<RunningService>): Promise<void> {
  const service = await start();
  process.stdout.write(`LISTENING ${name} ${service.url}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${name}: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
