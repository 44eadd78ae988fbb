import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServeConfig } from '@ariadne/server';

/** An Ariadne server process on ClickHouse (`serve-clickhouse.fixture.ts`), which a test may SIGKILL. */
export interface AriadneClickHouseProcess {
  readonly query: string;
  readonly otlpHttp: string;
  /** SIGKILL: no flush, no goodbye; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** What it wrote on stderr so far (for failure messages). */
  output(): string;
}

const FIXTURE = fileURLToPath(new URL('./serve-clickhouse.fixture.ts', import.meta.url));

/** Starts one on `dataDir` (kept: a restart on the same folder finds its spool there). */
export async function startAriadneOnClickHouse(
  clickhouse: NonNullable<ServeConfig['clickhouse']>,
  dataDir: string,
  more: Partial<ServeConfig> = {},
): Promise<AriadneClickHouseProcess> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=ariadne-source',
      '--import',
      'tsx',
      FIXTURE,
      JSON.stringify(clickhouse),
      dataDir,
      JSON.stringify(more),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 100_000) stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const urls = await new Promise<{ query: string; otlpHttp: string }>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /READY (.*)\n/.exec(stdout)?.[1];
      if (line !== undefined) resolve(JSON.parse(line) as { query: string; otlpHttp: string });
    });
    void exited.then((code) => reject(new Error(`Ariadne exited with ${code} before it was ready:\n${stderr}`)));
  });
  return {
    ...urls,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    output: () => stderr,
  };
}
