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
import './styles/theme.css';
import './styles/base.css';

applyTheme(initialTheme(), false);
const router = createBrowserRouter(appRoutes);
const queryClient = createQueryClient();
const apiClient = createApiClient({ early: earlyResponses() });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ApiClientProvider client={apiClient}>
        <RouterProvider router={router} />
      </ApiClientProvider>
    </QueryClientProvider>
  </StrictMode>,
);
