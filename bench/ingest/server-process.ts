import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ServeConfig } from '@ariadne/server';

/** A server running in a child process (see serve-child.ts). */
export interface ServerProcess {
  readonly pid: number;
  /** Listener URLs by port name: query, otlpHttp, jaegerHttp, zipkin... */
  readonly urls: Readonly<Record<string, string>>;
  /** Current and peak resident set size of the server process, in bytes (Linux /proc). */
  memory(): { readonly rssBytes: number; readonly peakRssBytes: number };
  /** Whether the process is still running (it did not crash). */
  alive(): boolean;
  /** Exit code or signal, once it ended. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then waits for a clean exit. */
  stop(): Promise<void>;
  /** What the server wrote to stderr (logs), last 64 KiB. */
  stderr(): string;
}

const childScript = new URL('./serve-child.ts', import.meta.url).pathname;

/**
 * Which code the server runs: its TypeScript sources through tsx (default:
 * always what the tree holds), or with `BENCH_SERVER=dist` the JavaScript
 * `npm run build` made, which is what `npm start` runs (tsx's transform adds
 * work of its own to hot code: a helper call per closure made, for one).
 */
function serverCodeArgs(): string[] {
  const code = process.env.BENCH_SERVER ?? 'source';
  if (code === 'source') return ['--conditions=ariadne-source'];
  if (code === 'dist') return [];
  throw new Error(`BENCH_SERVER must be source or dist, not ${code}`);
}

export function procStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Starts `ariadne serve`'s server in its own Node process, from TypeScript
 * sources, and resolves once it listens. `nodeArgs` go to that Node (e.g.
 * `--max-old-space-size=...`).
 */
export async function startServerProcess(
  config: Partial<Omit<ServeConfig, 'ports'>> & { readonly ports?: Partial<ServeConfig['ports']> },
  nodeArgs: readonly string[] = [],
): Promise<ServerProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, ...serverCodeArgs(), '--import', 'tsx', childScript, JSON.stringify(config)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-65536);
  });
  let alive = true;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      alive = false;
      resolve({ code, signal });
    });
  });
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<Record<string, string>>((resolve, reject) => {
    lines.once('line', (line) => {
      try {
        resolve((JSON.parse(line) as { listeners: Record<string, string> }).listeners);
      } catch (error) {
        reject(error);
      }
    });
    exit.then(({ code, signal }) =>
      reject(new Error(`server exited (${signal ?? code}) before it was ready: ${stderr}`)),
    );
  });
  const urls = await ready;
  const pid = child.pid!;
  return {
    pid,
    urls,
    memory: () => ({ rssBytes: procStatusBytes(pid, 'VmRSS'), peakRssBytes: procStatusBytes(pid, 'VmHWM') }),
    alive: () => alive,
    exit,
    stderr: () => stderr,
    stop: async () => {
      if (!alive) return;
      child.kill('SIGTERM');
      await exit;
    },
  };
}
