import { type ChildProcess, spawn } from 'node:child_process';
import { procStatusBytes } from '../ingest/server-process.js';
import { readyBannerEndpoints } from './ready-banner.js';

const MAIN_MODULE = new URL('../../packages/server/src/cli/main.ts', import.meta.url).href;
/** Only a hang misses this, even on a busy machine: each role migrates the schema at start. */
const READY_WITHIN_MS = 120_000;
/** A role that does not end this long after SIGTERM is killed, so the bench never leaves one behind. */
const STOP_WITHIN_MS = 30_000;

/** One `ariadne collector` or `ariadne query` process of the cluster bench, run from the sources. */
export interface RoleProcess {
  readonly name: string;
  readonly pid: number;
  /** Listener URLs from the ready banner, by label ("OTLP/HTTP receiver", "web UI and query API"...). */
  readonly endpoints: ReadonlyMap<string, string>;
  memory(): { readonly rssBytes: number; readonly peakRssBytes: number };
  alive(): boolean;
  /** Its logs (stderr), last 64 KiB. */
  logs(): string;
  /** SIGTERM, SIGKILL if it has not ended within 30 s; harmless twice. */
  stop(): Promise<void>;
}

/**
 * Starts `ariadne <args>` as `npx ariadne` would (the CLI's main, through tsx)
 * and resolves once it printed its ready banner: one line "Ariadne <role> is
 * ready (...)" then a "  <label>  <url>" line per listener, written at once.
 */
export async function startRoleProcess(name: string, args: readonly string[]): Promise<RoleProcess> {
  const script = `const { main } = await import(${JSON.stringify(MAIN_MODULE)}); process.exitCode = await main(process.argv.slice(1));`;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=ariadne-source', '--import', 'tsx', '--input-type=module', '-e', script, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let logs = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    logs = (logs + chunk.toString()).slice(-65536);
  });
  const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (!alive()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_WITHIN_MS);
    await ended;
    clearTimeout(timer);
  };
  let banner = '';
  try {
    const endpoints = await new Promise<Map<string, string>>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        banner += chunk.toString();
        const found = readyBannerEndpoints(banner);
        if (found !== undefined) resolve(found);
      });
      void ended.then(() => reject(new Error(`${name} exited before it was ready:\n${banner}\n${logs}`)));
      setTimeout(
        () => reject(new Error(`${name} was not ready within 2 minutes:\n${banner}\n${logs}`)),
        READY_WITHIN_MS,
      ).unref();
    });
    child.stdout!.resume();
    const pid = child.pid!;
    return {
      name,
      pid,
      endpoints,
      memory: () => ({ rssBytes: procStatusBytes(pid, 'VmRSS'), peakRssBytes: procStatusBytes(pid, 'VmHWM') }),
      alive,
      logs: () => logs,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
