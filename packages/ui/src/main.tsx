import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router-dom';
import { createApiClient } from './api/api-client.js';
import { earlyResponses } from './api/early-response.js';
import { appRoutes } from './app/app-routes.js';
import { applyTheme, initialTheme } from './app/theme.js';
import { ApiClientProvider } from './hooks/api-client-context.js';
import { createQueryClient } from './hooks/query-client.js';
import { noticeUnauthorized, sessionFetch } from './session/session-fetch.js';
import { SessionGate } from './session/session-gate.js';
import './styles/theme.css';
import './styles/base.css';

applyTheme(initialTheme(), false);
const router = createBrowserRouter(appRoutes);
const queryClient = createQueryClient();
const early = earlyResponses();
const apiClient = createApiClient({
  fetch: sessionFetch,
  // index.html's early fetch sent the same credentials; its 401 asks for sign-in like any other.
  early: { take: (path) => early.take(path)?.then(noticeUnauthorized) },
});

// index.html asked with the tab's credentials, which nothing has changed since.
const takeWhoami = () => early.take('/api/whoami');

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ApiClientProvider client={apiClient}>
        <SessionGate takeStarted={takeWhoami}>
          <RouterProvider router={router} />
        </SessionGate>
      </ApiClientProvider>
    </QueryClientProvider>
  </StrictMode>,
);
