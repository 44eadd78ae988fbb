import { useQuery } from '@tanstack/react-query';
import { useApiClient } from './api-client-context.js';

/** Operations of one service; idle (no request) while no service is chosen. */
export function useOperations(service: string) {
  const client = useApiClient();
  return useQuery({
    queryKey: ['operations', service],
    queryFn: ({ signal }) => client.getOperations(service, signal),
    enabled: service !== '',
  });
}
