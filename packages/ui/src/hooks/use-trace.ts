import { useQuery } from '@tanstack/react-query';
import { getLocalTrace } from '../trace/local-traces.js';
import { useApiClient } from './api-client-context.js';

/**
 * One trace by id: one opened from a file in this tab, else from the server.
 * A trace can still be growing (late spans), so it goes stale like anything else.
 */
export function useTrace(traceId: string) {
  const client = useApiClient();
  return useQuery({
    queryKey: ['trace', traceId],
    queryFn: ({ signal }) => {
      const local = getLocalTrace(traceId);
      return local !== undefined ? Promise.resolve(local) : client.getTrace(traceId, signal);
    },
    enabled: traceId !== '',
  });
}
