import { type ChildProcess, spawn } from 'node:child_process';
import { readyBannerEndpoints } from '../../bench/cluster/ready-banner.js';

const MAIN_MODULE = new URL('../../packages/server/src/cli/main.ts', import.meta.url).href;

/** An `ariadne <command>` process started from the sources, as `npx ariadne` would run it. */
export interface AriadneProcess {
  readonly child: ChildProcess;
  /** Endpoints from the ready banner, by label ("OTLP/HTTP receiver" -> its URL with path). */
  readonly endpoints: ReadonlyMap<string, string>;
  /** Everything it wrote on stderr (its logs) so far. */
  readonly logs: () => string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `ariadne <args>` and resolves once it printed its ready banner;
 * rejects, with its output, when it exits first.
 */
export async function startAriadneProcess(args: readonly string[]): Promise<AriadneProcess> {
  const child = spawnAriadne(args);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const endpoints = await new Promise<Map<string, string>>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = readyBannerEndpoints(stdout);
      if (found !== undefined) resolve(found);
    });
    void exited.then((code) =>
      reject(new Error(`ariadne ${args[0]} exited with ${code} before it was ready:\n${stdout}\n${stderr}`)),
    );
    // Only a hang misses this bound, even on a busy machine.
    setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ariadne ${args[0]} was not ready within 2 minutes:\n${stdout}\n${stderr}`));
    }, 120_000).unref();
  });
  return {
    child,
    endpoints,
    logs: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs `ariadne <args>` to its end (a start that fails): its exit code and stderr. */
export async function runAriadneToExit(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawnAriadne(args);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout!.resume();
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  return { code, stderr };
}

function spawnAriadne(args: readonly string[]): ChildProcess {
  const script = `const { main } = await import(${JSON.stringify(MAIN_MODULE)}); process.exitCode = await main(process.argv.slice(1));`;
  return spawn(
    process.execPath,
    ['--conditions=ariadne-source', '--import', 'tsx', '--input-type=module', '-e', script, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
}
