// A server in a process of its own, for benchmarks and overload tests that must
// measure the server alone (its CPU, its resident memory) and survive its crash.
// Argument: a JSON object of ServeConfig overrides (ports default to free ones,
// gRPC and UDP off). Prints one JSON line `{"listeners": {port name: url}}` when
// ready; SIGTERM closes it cleanly.
import { DEFAULT_SERVE_CONFIG, type ServeConfig, startServer } from '@ariadne/server';

const overrides = JSON.parse(process.argv[2] ?? '{}') as Partial<ServeConfig>;
const config = {
  ...DEFAULT_SERVE_CONFIG,
  ...overrides,
  ports: {
    ...DEFAULT_SERVE_CONFIG.ports,
    query: 0,
    otlpHttp: 0,
    jaegerHttp: 0,
    zipkin: 0,
    otlpGrpc: 'off',
    jaegerGrpc: 'off',
    jaegerCompact: 'off',
    jaegerBinary: 'off',
    ...overrides.ports,
  },
} as ServeConfig;
const server = await startServer(config, (line) => process.stderr.write(`${line}\n`));
const listeners = Object.fromEntries(
  Object.entries(server.listeners).flatMap(([name, listener]) => (listener ? [[name, listener.url]] : [])),
);
process.stdout.write(`${JSON.stringify({ listeners })}\n`);
let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  server.close().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`close failed: ${error}\n`);
      process.exit(1);
    },
  );
});
