/**
 * What the UI keeps for the browser tab when the server wants a token or a
 * tenant: sessionStorage, so it dies with the tab and no cookie exists that
 * another site's request could carry (no CSRF surface). index.html's early
 * fetch reads the same keys (keep them in step).
 */
export const TOKEN_KEY = 'ariadne.token';
export const TENANT_KEY = 'ariadne.tenant';

export interface Credentials {
  readonly token: string | null;
  readonly tenant: string | null;
}

/** sessionStorage can throw (storage disabled): then nothing is kept and the UI asks again. */
function storage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}

export function readCredentials(): Credentials {
  const store = storage();
  return { token: store?.getItem(TOKEN_KEY) ?? null, tenant: store?.getItem(TENANT_KEY) ?? null };
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) storage()?.removeItem(key);
    else storage()?.setItem(key, value);
  } catch {}
}

export const saveToken = (token: string | null) => write(TOKEN_KEY, token);
export const saveTenant = (tenant: string | null) => write(TENANT_KEY, tenant);

/** Sign-out: nothing of the session stays in the tab. */
export function clearCredentials(): void {
  try {
    storage()?.clear();
  } catch {}
}

/**
 * The headers every request of the UI carries. `X-Requested-With` makes the
 * server's 401 offer Bearer only, so the browser opens no Basic password
 * dialog over the UI's own sign-in page.
 */
export function credentialHeaders(credentials: Credentials = readCredentials()): Record<string, string> {
  const headers: Record<string, string> = { 'X-Requested-With': 'XMLHttpRequest' };
  if (credentials.token !== null) headers.Authorization = `Bearer ${credentials.token}`;
  if (credentials.tenant !== null) headers['X-Scope-OrgID'] = credentials.tenant;
  return headers;
}
