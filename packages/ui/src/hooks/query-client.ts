import { QueryClient } from '@tanstack/react-query';
import { isApiError } from '../api/api-error.js';

/**
 * Retries only what a retry can fix (the server unreachable or failing), twice;
 * a missing trace or a refused search is answered at once.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failureCount, error) =>
          failureCount < 2 && (isApiError(error, 'NetworkError') || isApiError(error, 'ServerError')),
        refetchOnWindowFocus: false,
        staleTime: 30_000,
      },
    },
  });
}
