import type { RouteObject } from 'react-router-dom';
import { SearchPage } from '../pages/search/search-page.js';
import { TracePage } from '../pages/trace/trace-page.js';
import { AppShell } from './app-shell.js';
import { NotFoundPage } from './not-found-page.js';
import { RouteError } from './route-error.js';

export const appRoutes: RouteObject[] = [
  {
    path: '/',
    element: <AppShell />,
    errorElement: <RouteError />,
    children: [
      {
        errorElement: <RouteError />,
        children: [
          { index: true, element: <SearchPage /> },
          { path: 'search', element: <SearchPage /> },
          { path: 'trace/:traceId', element: <TracePage /> },
          // Loaded on first visit: the search and trace pages (what most visits need) stay small.
          {
            path: 'compare',
            lazy: () => import('../pages/compare/compare-page.js').then((m) => ({ Component: m.ComparePage })),
          },
          {
            path: 'dependencies',
            lazy: () =>
              import('../pages/dependencies/service-map-page.js').then((m) => ({ Component: m.ServiceMapPage })),
          },
          {
            path: 'monitor',
            lazy: () => import('../pages/monitor/monitor-page.js').then((m) => ({ Component: m.MonitorPage })),
          },
          { path: 'live', lazy: () => import('../pages/live/live-page.js').then((m) => ({ Component: m.LivePage })) },
          { path: 'open', lazy: () => import('../pages/open/open-page.js').then((m) => ({ Component: m.OpenPage })) },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];
