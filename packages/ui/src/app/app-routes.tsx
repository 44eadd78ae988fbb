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
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];
