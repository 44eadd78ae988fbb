import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { readTraces } from '../api/read-response.js';
import { searchTraceQl } from '../api/traceql-search.js';
import { summarizeTrace, type TraceSummary } from '../trace/summarize-trace.js';
import { useApiClient } from './api-client-context.js';

/**
 * A TraceQL search (Tempo's `/api/search`), then the hits' traces in one
 * Jaeger request (`/api/traces?traceID=...`), so the results look and sort
 * like any other search.
 */
export function useTraceQlSearch(
  q: string,
  window: { startMicros: number; endMicros: number } | undefined,
  limit: number,
) {
  const client = useApiClient();
  return useQuery({
    queryKey: ['traceql', q, window, limit],
    enabled: q !== '' && window !== undefined,
    placeholderData: keepPreviousData,
    staleTime: 0,
    retry: false,
    queryFn: async ({ signal }): Promise<TraceSummary[]> => {
      const w = window as { startMicros: number; endMicros: number };
      const hits = await searchTraceQl(client, q, w.startMicros / 1e6, w.endMicros / 1e6, limit, signal);
      if (hits.length === 0) return [];
      const params = new URLSearchParams();
      for (const hit of hits) params.append('traceID', hit.traceId);
      const traces = readTraces(await client.getData(`/api/traces?${params}`, signal));
      return traces.filter((t) => t.spans.length > 0).map((trace) => summarizeTrace(trace));
    },
  });
}
