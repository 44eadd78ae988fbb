/**
 * A child process for whole-system ClickHouse tests: the all-in-one server
 * with `storage: 'clickhouse'` on free loopback ports (query API and OTLP/HTTP
 * only). Arguments: JSON `{ url, database, cluster? }`, a data folder (the
 * server keeps its archive and spool there) and, optionally, JSON of more
 * `ServeConfig` fields (e.g. `spoolMaxBytes`). Prints one line
 * `READY {"query": url, "otlpHttp": url}` once listening; SIGTERM closes it.
 */
import { DEFAULT_PORTS, DEFAULT_SERVE_CONFIG, type ServeConfig, type ServePorts, startServer } from '@ariadne/server';

if (process.argv[3] === undefined)
  throw new Error('usage: serve-clickhouse.fixture.ts <clickhouse JSON> <data folder>');
const clickhouse = JSON.parse(process.argv[2] ?? '{}') as NonNullable<ServeConfig['clickhouse']>;
const server = await startServer({
  ...DEFAULT_SERVE_CONFIG,
  ...(JSON.parse(process.argv[4] ?? '{}') as Partial<ServeConfig>),
  storage: 'clickhouse',
  dataDir: process.argv[3] ?? '',
  clickhouse,
  ...(JSON.parse(process.argv[4] ?? '{}') as Partial<ServeConfig>),
  // Every listener off (whatever ports the server grows) but the two the tests use.
  ports: {
    ...(Object.fromEntries(Object.keys(DEFAULT_PORTS).map((port) => [port, 'off'])) as unknown as ServePorts),
    query: 0,
    otlpHttp: 0,
  },
});
process.stdout.write(
  `READY ${JSON.stringify({ query: server.listeners.query.url, otlpHttp: server.listeners.otlpHttp?.url })}\n`,
);
process.once('SIGTERM', () => {
  server.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
