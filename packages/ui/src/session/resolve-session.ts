import { readCredentials, saveTenant, saveToken } from './session-storage.js';
import { askWhoami, type Whoami } from './whoami.js';

export type GateState =
  | { readonly kind: 'checking' }
  /** `--auth` and no token the server takes. */
  | { readonly kind: 'sign-in'; readonly message: string }
  /** `--multitenancy` without auth and no tenant named yet. */
  | { readonly kind: 'pick-tenant' }
  /** `whoami` null: the server did not say (an older server, or unreachable); the pages show their own errors. */
  | { readonly kind: 'ready'; readonly whoami: Whoami | null; readonly tenant: string | null };

/**
 * What to show for the tab's credentials, asking the server. A token it no
 * longer takes is forgotten; a tenant it may not use is dropped and the
 * token's first tenant taken instead. `started`: the tab's question
 * already asked with its credentials (index.html's), to wait for instead.
 */
export async function resolveSession(started?: Promise<Response>): Promise<GateState> {
  const credentials = readCredentials();
  const answer = await askWhoami(credentials, started);
  if (answer.kind === 'unauthorized') {
    if (credentials.token === null) return { kind: 'sign-in', message: '' };
    saveToken(null);
    return { kind: 'sign-in', message: 'The server no longer accepts your token. Sign in again.' };
  }
  if (answer.kind === 'forbidden') {
    if (credentials.tenant !== null) {
      saveTenant(null);
      return resolveSession();
    }
    saveToken(null);
    return { kind: 'sign-in', message: answer.message };
  }
  if (answer.kind === 'unavailable') return { kind: 'ready', whoami: null, tenant: null };
  const { whoami } = answer;
  if (whoami.auth) {
    const tenant = whoami.tenant ?? whoami.tenants[0] ?? null;
    if (tenant !== credentials.tenant) saveTenant(tenant);
    return { kind: 'ready', whoami, tenant };
  }
  if (whoami.tenancy) {
    return credentials.tenant === null
      ? { kind: 'pick-tenant' }
      : { kind: 'ready', whoami, tenant: credentials.tenant };
  }
  return { kind: 'ready', whoami, tenant: null };
}
