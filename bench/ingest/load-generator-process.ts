import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { LoadGeneratorLine, LoadGeneratorOptions, LoadSummary } from './load-generator-options.js';
import type { SecondCounts } from './second-buckets.js';

export type GeneratorSecond = SecondCounts & { readonly generatorCpuPercent: number };

export interface LoadRun {
  readonly seconds: readonly GeneratorSecond[];
  readonly summary: LoadSummary;
}

export interface RunningLoad {
  /** Resolves with this process's performance.now() when the generator's first request went out. */
  readonly started: Promise<number>;
  readonly done: Promise<LoadRun>;
  readonly pid: number;
}

const script = new URL('./load-generator.ts', import.meta.url).pathname;

/**
 * Runs load-generator.ts in a Node process of its own (from TypeScript
 * sources, as the server child is), so the load competes with the server for
 * the cores as a separate client would, not inside the server's or the
 * bench's event loop. `onSecond` sees each second as the generator reports it.
 */
export function startLoadGenerator(
  options: LoadGeneratorOptions,
  onSecond?: (second: GeneratorSecond) => void,
): RunningLoad {
  const child = spawn(
    process.execPath,
    ['--conditions=ariadne-source', '--import', 'tsx', script, JSON.stringify(options)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-16384);
  });
  const seconds: GeneratorSecond[] = [];
  let summary: LoadSummary | undefined;
  let markStarted: (at: number) => void = () => {};
  const started = new Promise<number>((resolve) => {
    markStarted = resolve;
  });
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (text) => {
    let line: LoadGeneratorLine;
    try {
      line = JSON.parse(text) as LoadGeneratorLine;
    } catch {
      stderr += `\n(not JSON on stdout) ${text}`;
      return;
    }
    if (line.type === 'start') markStarted(performance.now());
    else if (line.type === 'second') {
      const { type: _, ...second } = line;
      seconds.push(second);
      onSecond?.(second);
    } else summary = (({ type: _, ...rest }) => rest)(line);
  });
  const done = new Promise<LoadRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (summary !== undefined && code === 0) resolve({ seconds, summary });
      else reject(new Error(`load generator ended (${signal ?? `exit ${code}`}) without a summary: ${stderr}`));
    });
  });
  // A generator that never starts must not leave `started` waiting forever.
  done.catch(() => {}).finally(() => markStarted(performance.now()));
  return { started, done, pid: child.pid! };
}
