import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SERVE_CONFIG, type RunningServer, type ServeConfig, startServer } from '@ariadne/server';

export interface TestServer {
  readonly server: RunningServer;
  readonly queryUrl: string;
  readonly otlpHttpUrl: string;
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

/** Starts the all-in-one server on free loopback ports with a fresh (or given) data folder. */
export async function startTestServer(overrides: Partial<ServeConfig> = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? makeTempDir();
  const server = await startServer({
    ...DEFAULT_SERVE_CONFIG,
    ports: { query: 0, otlpHttp: 0 },
    ...overrides,
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
    otlpHttpUrl: server.listeners.otlpHttp.url,
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
