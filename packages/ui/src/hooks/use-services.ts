import { useQuery } from '@tanstack/react-query';
import { useApiClient } from './api-client-context.js';

/** While the store is empty, asks again every few seconds, so the first spans appear without a reload. */
export function useServices() {
  const client = useApiClient();
  return useQuery({
    queryKey: ['services'],
    queryFn: ({ signal }) => client.getServices(signal),
    refetchInterval: (query) => (query.state.data?.length === 0 ? 5000 : false),
  });
}
