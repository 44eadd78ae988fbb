import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_SERVE_CONFIG,
  type RunningServer,
  type ServeConfig,
  type ServePorts,
  startServer,
} from '@ariadne/server';

export interface TestServer {
  readonly server: RunningServer;
  readonly queryUrl: string;
  readonly otlpHttpUrl: string;
  /** The URL of a listener by port name (`grpc://`, `udp://` or `http://`); throws when that port is off. */
  urlOf(port: keyof ServePorts): string;
  readonly dataDir: string;
  /** Closes the server; the data folder stays until `dispose`. */
  stop(): Promise<void>;
  /** Closes the server and removes its data folder. */
  dispose(): Promise<void>;
}

/** A temporary folder removed by `removeTempDir`. */
export function makeTempDir(prefix = 'ariadne-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Every port 0: free loopback ports, so tests run beside a real server and each other. */
const FREE_PORTS: ServePorts = {
  query: 0,
  otlpHttp: 0,
  otlpGrpc: 0,
  jaegerHttp: 0,
  jaegerGrpc: 0,
  jaegerCompact: 0,
  jaegerBinary: 0,
  zipkin: 0,
  sampling: 0,
  tempo: 0,
};

export type TestServerOverrides = Partial<Omit<ServeConfig, 'ports'>> & { readonly ports?: Partial<ServePorts> };

/**
 * Starts the all-in-one server on free loopback ports with a fresh (or given)
 * data folder. `ports` overrides only the ports it names (e.g. `{ zipkin: 'off' }`).
 */
export async function startTestServer(overrides: TestServerOverrides = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? makeTempDir();
  const server = await startServer({
    ...DEFAULT_SERVE_CONFIG,
    ...overrides,
    ports: { ...FREE_PORTS, ...overrides.ports },
    dataDir,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.close();
  };
  return {
    server,
    queryUrl: server.listeners.query.url,
    otlpHttpUrl: server.listeners.otlpHttp?.url ?? '',
    urlOf: (port) => {
      const listener = server.listeners[port];
      if (!listener) throw new Error(`the ${port} listener is off`);
      return listener.url;
    },
    dataDir,
    stop,
    dispose: async () => {
      await stop();
      if (!overrides.dataDir) removeTempDir(dataDir);
    },
  };
}

/** GETs JSON from the query API and fails with the body when the status is not the expected one. */
export async function getJson<T = unknown>(url: string, expectedStatus = 200): Promise<T> {
  const response = await fetch(url);
  const text = await response.text();
  if (response.status !== expectedStatus) {
    throw new Error(`GET ${url}: expected ${expectedStatus}, got ${response.status}: ${text.slice(0, 500)}`);
  }
  return JSON.parse(text) as T;
}
