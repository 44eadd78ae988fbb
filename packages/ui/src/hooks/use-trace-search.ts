import type { JaegerTrace } from '@ariadne/protocol';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { TraceSearch } from '../search/search-params.js';
import { summarizeTrace, type TraceSummary } from '../trace/summarize-trace.js';
import { useApiClient } from './api-client-context.js';

const summarize = (traces: JaegerTrace[]): TraceSummary[] => traces.map((trace) => summarizeTrace(trace));

/**
 * Runs a search and returns one summary per trace. The previous results stay
 * on screen while the next search loads. Searches are relative to now, so
 * they are never cached as fresh.
 */
export function useTraceSearch(search: TraceSearch | undefined) {
  const client = useApiClient();
  return useQuery({
    queryKey: ['traces', search],
    queryFn: ({ signal }) => client.findTraces(search as TraceSearch, signal),
    enabled: search !== undefined,
    select: summarize,
    placeholderData: keepPreviousData,
    staleTime: 0,
  });
}
