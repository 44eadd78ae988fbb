import { isRouteErrorResponse, Link, useRouteError } from 'react-router-dom';
import { PageMessage } from '../components/page-message.js';

/** A crash while rendering a page: say so plainly instead of a blank screen. */
export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : String(error);
  return (
    <PageMessage title="Something went wrong on this page" tone="error">
      <p>{message}</p>
      <p>
        Reload the page, or go back to <Link to="/search">Search</Link>. If it happens again, the browser console has
        the details.
      </p>
    </PageMessage>
  );
}
