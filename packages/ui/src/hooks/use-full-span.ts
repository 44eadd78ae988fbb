import { useQuery } from '@tanstack/react-query';
import { useApiClient } from './api-client-context.js';

/** One span in full (tags, process, events, links), for the details of a span of a partial trace. */
export function useFullSpan(traceId: string, spanId: string | undefined, enabled: boolean) {
  const client = useApiClient();
  return useQuery({
    queryKey: ['trace-span', traceId, spanId],
    queryFn: ({ signal }) => client.getSpan(traceId, spanId as string, signal),
    enabled: enabled && spanId !== undefined,
    staleTime: Number.POSITIVE_INFINITY,
  });
}
