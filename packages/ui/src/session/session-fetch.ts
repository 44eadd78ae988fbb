import { credentialHeaders } from './session-storage.js';

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called whenever the server answers 401: the token is missing or no longer valid (or no tenant is named). */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Tells the listeners when `response` is a 401; returns it unchanged. */
export function noticeUnauthorized(response: Response): Response {
  if (response.status === 401) for (const listener of unauthorizedListeners) listener();
  return response;
}

/**
 * The one way the UI reaches the server: `fetch` with the tab's token and
 * tenant (`credentialHeaders`), each 401 reported to `onUnauthorized`. The
 * caller's own headers come first and win (`Accept`).
 */
export async function sessionFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  for (const [name, value] of Object.entries(credentialHeaders())) if (!headers.has(name)) headers.set(name, value);
  return noticeUnauthorized(await globalThis.fetch(input, { ...init, headers }));
}
