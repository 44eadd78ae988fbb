import { createContext, useContext } from 'react';
import type { Whoami } from './whoami.js';

/** The signed-in session as the top bar needs it; null where no `SessionGate` is above (or the server wants nothing). */
export interface Session {
  readonly whoami: Whoami;
  /** The tenant every request now names; null when the server keeps no tenants apart. */
  readonly tenant: string | null;
  /** Names another tenant and reloads the current page's data for it. */
  switchTenant(tenant: string): void;
  /** Forgets the token and tenant (sessionStorage emptied) and shows the sign-in page. */
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session | null {
  return useContext(SessionContext);
}
