import { useQuery } from '@tanstack/react-query';
import { useApiClient } from './api-client-context.js';

/** One trace by id. A trace can still be growing (late spans), so it goes stale like anything else. */
export function useTrace(traceId: string) {
  const client = useApiClient();
  return useQuery({
    queryKey: ['trace', traceId],
    queryFn: ({ signal }) => client.getTrace(traceId, signal),
    enabled: traceId !== '',
  });
}
