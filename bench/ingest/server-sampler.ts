import { processCpuSeconds } from './process-cpu.js';
import type { ServerProcess } from './server-process.js';

/** The server process as seen at the end of one second. */
export interface ServerSample {
  /** Seconds since the sampler started (1 for the first sample). */
  readonly second: number;
  readonly rssBytes: number;
  /** CPU used in the second before, in percent of one core (above 100 when threads share the work). */
  readonly cpuPercent: number;
}

/**
 * Samples the server's resident memory and CPU once a second, on a schedule
 * that does not drift, from the bench's own process (reading /proc costs the
 * server nothing). `stop` returns the samples taken.
 */
export function sampleServer(server: Pick<ServerProcess, 'pid' | 'memory'>): {
  stop(): ServerSample[];
  latest(): ServerSample | undefined;
} {
  const samples: ServerSample[] = [];
  const started = performance.now();
  let lastCpu = processCpuSeconds(server.pid);
  let lastAt = started;
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    timer = setTimeout(
      () => {
        const now = performance.now();
        const cpu = processCpuSeconds(server.pid);
        samples.push({
          second: samples.length + 1,
          rssBytes: server.memory().rssBytes,
          cpuPercent: Math.round(((cpu - lastCpu) / ((now - lastAt) / 1000)) * 1000) / 10,
        });
        lastCpu = cpu;
        lastAt = now;
        schedule();
      },
      Math.max(0, started + (samples.length + 1) * 1000 - performance.now()),
    );
  };
  schedule();
  return {
    stop: () => {
      clearTimeout(timer);
      return samples;
    },
    latest: () => samples[samples.length - 1],
  };
}
