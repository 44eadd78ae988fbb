import { createContext, type ReactNode, useContext } from 'react';
import { type ApiClient, createApiClient } from '../api/api-client.js';

const ApiClientContext = createContext<ApiClient>(createApiClient());

/** Lets the app (or a test page) point the hooks at another client; by default the page's own origin. */
export function ApiClientProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  return <ApiClientContext.Provider value={client}>{children}</ApiClientContext.Provider>;
}

export function useApiClient(): ApiClient {
  return useContext(ApiClientContext);
}
