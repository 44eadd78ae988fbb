import { type Credentials, credentialHeaders } from './session-storage.js';

/** `/api/whoami`: whether the server wants a token or a tenant, and which tenants the token has. */
export interface Whoami {
  readonly auth: boolean;
  readonly tenancy: boolean;
  readonly tenants: readonly string[];
  readonly tenant: string | null;
}

export type WhoamiAnswer =
  | { readonly kind: 'ok'; readonly whoami: Whoami }
  /** 401: no token, or one the server does not know. */
  | { readonly kind: 'unauthorized'; readonly message: string }
  /** 403: a known token that may not do this (no query role, or not this tenant). */
  | { readonly kind: 'forbidden'; readonly message: string }
  /** No answer, or not one this UI understands: a server without `/api/whoami` wants nothing. */
  | { readonly kind: 'unavailable'; readonly message: string };

/**
 * Asks with `credentials` (the ones a sign-in form is trying, or the tab's);
 * `started` is the same question already asked with them (index.html asks
 * while the app's code loads).
 */
export async function askWhoami(credentials: Credentials, started?: Promise<Response>): Promise<WhoamiAnswer> {
  let response: Response;
  try {
    response = await (started ??
      fetch('/api/whoami', {
        headers: { Accept: 'application/json', ...credentialHeaders(credentials) },
      }));
  } catch {
    return { kind: 'unavailable', message: 'Cannot reach the Ariadne server. Is it running?' };
  }
  const text = await response.text().catch(() => '');
  if (response.status === 401) return { kind: 'unauthorized', message: text.trim() };
  if (response.status === 403) return { kind: 'forbidden', message: text.trim() };
  if (!response.ok) return { kind: 'unavailable', message: `${response.status} ${text.slice(0, 200)}` };
  try {
    const body = JSON.parse(text) as Partial<Whoami>;
    const tenants = Array.isArray(body.tenants) ? body.tenants.filter((t) => typeof t === 'string') : [];
    return {
      kind: 'ok',
      whoami: {
        auth: body.auth === true,
        tenancy: body.tenancy === true,
        tenants,
        tenant: typeof body.tenant === 'string' ? body.tenant : null,
      },
    };
  } catch {
    return { kind: 'unavailable', message: 'The server sent an unexpected answer to /api/whoami.' };
  }
}
