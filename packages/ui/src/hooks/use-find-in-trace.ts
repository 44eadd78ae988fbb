import { useQuery } from '@tanstack/react-query';
import { useApiClient } from './api-client-context.js';

/** The server's find-in-trace answer for a partial trace; the previous answer stays while the next loads. */
export function useFindInTrace(traceId: string, query: string, enabled: boolean) {
  const client = useApiClient();
  return useQuery({
    queryKey: ['trace-find', traceId, query],
    queryFn: async ({ signal }) => new Set(await client.searchTrace(traceId, query, signal)),
    enabled: enabled && query.trim() !== '',
    placeholderData: (previous) => previous,
  });
}
