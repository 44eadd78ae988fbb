import type { Logger } from '../telemetry/logger.js';

/** The most of an error answer's body a log line keeps (its message; never a whole page). */
const MAX_BODY_CHARS = 500;

/**
 * Logs every answer of 500 or more (a failure on our side, or a store that
 * failed or timed out) with its listener, method, path and the message its
 * body carries. The APIs turn errors into answers in their own dialects;
 * this sees them all in one place. The query string is left out: it is the
 * user's search, and the path says which API failed. Requests and answers
 * under 500 are the client's business and are not logged.
 */
export function logServerErrors<Rest extends unknown[]>(
  fetch: (request: Request, ...rest: Rest) => Response | Promise<Response>,
  logger: Logger,
  listener: string,
): (request: Request, ...rest: Rest) => Promise<Response> {
  return async (request, ...rest) => {
    let response: Response;
    try {
      response = await fetch(request, ...rest);
    } catch (error) {
      logger.error(
        { err: error, listener, method: request.method, path: new URL(request.url).pathname },
        'request failed',
      );
      throw error;
    }
    if (response.status >= 500) {
      const body = await response
        .clone()
        .text()
        .catch(() => '');
      logger.error(
        {
          listener,
          method: request.method,
          path: new URL(request.url).pathname,
          status: response.status,
          answer: body.slice(0, MAX_BODY_CHARS),
        },
        `${request.method} ${new URL(request.url).pathname} answered ${response.status}`,
      );
    }
    return response;
  };
}
