import { type LatencySummary, summarizeLatencies } from './percentiles.js';

/** One search, timed from the request going out to its JSON read. */
export interface SearchSample {
  /** performance.now() when it went out. */
  readonly startedAt: number;
  readonly latencyMs: number;
  /** HTTP status, 0 for a network error or a timeout. */
  readonly status: number;
  /** Traces in the answer. */
  readonly traces: number;
}

/**
 * Runs one search after another (a user clicking "Find Traces" again and
 * again, never two at once) until stopped. Each has a timeout, so a search
 * that hangs is recorded as a failure after `timeoutMs`, not waited out.
 */
export function startSearchProbe(url: string, timeoutMs = 30_000): { stop(): Promise<SearchSample[]> } {
  const samples: SearchSample[] = [];
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const startedAt = performance.now();
      let status = 0;
      let traces = 0;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        const body = (await response.json()) as { data?: unknown[] };
        status = response.status;
        traces = Array.isArray(body.data) ? body.data.length : 0;
      } catch {
        status = 0;
      }
      samples.push({ startedAt, latencyMs: performance.now() - startedAt, status, traces });
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      await loop;
      return samples;
    },
  };
}

/** Latency of the searches answered 200, with how many failed and how many traces a typical answer held. */
export function summarizeSearches(samples: readonly SearchSample[]): LatencySummary & {
  readonly failed: number;
  readonly medianTraces: number;
} {
  const ok = samples.filter((s) => s.status === 200);
  const traces = ok.map((s) => s.traces).sort((a, b) => a - b);
  return {
    ...summarizeLatencies(ok.map((s) => s.latencyMs)),
    failed: samples.length - ok.length,
    medianTraces: traces.length === 0 ? 0 : traces[Math.floor(traces.length / 2)]!,
  };
}
