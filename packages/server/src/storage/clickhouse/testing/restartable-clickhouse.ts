import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CLICKHOUSE_SERVER_BINARY,
  type ClickHouseTestServer,
  startClickHouseServer,
} from './clickhouse-test-server.js';

/**
 * A single-node test server that a test can SIGKILL and start again on the
 * same ports and data folder: ClickHouse dying under ingest, then coming back
 * with what it had committed.
 */
export interface RestartableClickHouse {
  readonly url: string;
  /** SIGKILLs the running server and waits until it is gone (its port then refuses connections). */
  kill(): Promise<void>;
  /** SIGSTOP: it keeps its connections and answers nothing (a ClickHouse that hangs) until `resume`. */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
  /** Starts it again on the same config (ports, data folder); resolves once it answers `/ping`. */
  restart(): Promise<void>;
  /** Stops whichever process runs and removes the folder. */
  stop(): Promise<void>;
}

export async function startRestartableClickHouse(): Promise<RestartableClickHouse> {
  const first = await startClickHouseServer();
  const config = join(first.folder, 'config.xml');
  // The first process belongs to the helper that started it; its id is found by its own config file's path.
  let pid: number | undefined = await pidOf(config);
  let restarted: { child: ChildProcess; exited: Promise<unknown> } | undefined;
  const kill = async () => {
    if (pid === undefined) return;
    const killed = pid;
    pid = undefined;
    process.kill(killed, 'SIGKILL');
    if (restarted !== undefined) await restarted.exited;
    else await waitUntil(async () => !(await isRunning(killed)), `clickhouse-server ${killed} to exit`);
    restarted = undefined;
  };
  const signal = (name: NodeJS.Signals) => {
    if (pid === undefined) throw new Error('clickhouse-server is not running');
    process.kill(pid, name);
  };
  return {
    url: first.url,
    kill,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    async restart() {
      if (pid !== undefined) throw new Error('clickhouse-server is running');
      const child = spawn(CLICKHOUSE_SERVER_BINARY, [`--config-file=${config}`], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      restarted = { child, exited };
      pid = child.pid;
      await waitUntil(async () => {
        if (child.exitCode !== null) throw new Error(`clickhouse-server exited with ${child.exitCode} on restart`);
        return fetch(`${first.url}/ping`).then(
          (response) => response.ok,
          () => false,
        );
      }, 'clickhouse-server to answer /ping after a restart');
    },
    async stop() {
      if (restarted !== undefined && pid !== undefined) {
        restarted.child.kill('SIGTERM');
        await restarted.exited;
        pid = undefined;
      }
      await (first as ClickHouseTestServer).stop();
    },
  };
}

async function pidOf(configPath: string): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const commandLine = await readFile(join('/proc', entry, 'cmdline'), 'utf8').catch(() => '');
    if (commandLine.split('\0').includes(`--config-file=${configPath}`)) return Number(entry);
  }
  throw new Error(`no clickhouse-server runs with ${configPath}`);
}

async function isRunning(pid: number): Promise<boolean> {
  // A killed child of another helper stays a zombie until that helper reaps it: count that as gone.
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return status !== '' && !/^State:\s+Z/m.test(status);
}

async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
