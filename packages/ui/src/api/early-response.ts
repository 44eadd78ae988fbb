/**
 * Responses the page asked for before the app's code had loaded. For a trace
 * link (`/trace/{id}`), index.html starts fetching the trace's skeleton at
 * once, so that the server reads the trace while the browser fetches and
 * starts the code, not after: for a large trace, most of the wait.
 */
export interface EarlyResponses {
  /** The response index.html started for `path` (from the origin), once; undefined when it started none. */
  take(path: string): Promise<Response> | undefined;
}

/** The global index.html's script fills: path to response. */
const GLOBAL = '__ariadneEarly';

/** The responses index.html's script started in this page. */
export function earlyResponses(): EarlyResponses {
  const started = (globalThis as Record<string, unknown>)[GLOBAL];
  const pending = new Map<string, Promise<Response>>();
  if (typeof started === 'object' && started !== null) {
    for (const [path, response] of Object.entries(started)) {
      if (response instanceof Promise) pending.set(path, response as Promise<Response>);
    }
  }
  return {
    take(path) {
      const response = pending.get(path);
      pending.delete(path);
      return response;
    },
  };
}
