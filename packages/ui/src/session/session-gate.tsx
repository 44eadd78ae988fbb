import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { PageMessage } from '../components/page-message.js';
import { type GateState, resolveSession } from './resolve-session.js';
import { type Session, SessionContext } from './session-context.js';
import { onUnauthorized } from './session-fetch.js';
import { clearCredentials, saveTenant } from './session-storage.js';
import { SignInPage } from './sign-in-page.js';

/**
 * Shows the app once the server has what it wants: with `--auth` a token
 * (the sign-in page), with `--multitenancy` a tenant. Any 401 later (a
 * revoked token) asks again. The first question may have been asked
 * already, while the code loaded (`takeStarted`, once): the app then shows
 * one round trip sooner.
 */
export function SessionGate({
  children,
  takeStarted,
}: {
  children: ReactNode;
  takeStarted?: () => Promise<Response> | undefined;
}) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<GateState>({ kind: 'checking' });
  const checking = useRef<Promise<void> | null>(null);

  const check = useCallback(() => {
    // One question at a time: a burst of 401s (every query of a page) asks once.
    checking.current ??= resolveSession(takeStarted?.())
      .then((next) => {
        if (next.kind !== 'ready') queryClient.clear();
        setState(next);
      })
      .finally(() => {
        checking.current = null;
      });
  }, [queryClient, takeStarted]);

  useEffect(() => {
    check();
    return onUnauthorized(check);
  }, [check]);

  const session = useMemo<Session | null>(() => {
    if (state.kind !== 'ready' || state.whoami === null) return null;
    const { whoami, tenant } = state;
    return {
      whoami,
      tenant,
      switchTenant(next) {
        if (next === tenant) return;
        saveTenant(next);
        // Nothing cached for the old tenant may show under the new one.
        queryClient.clear();
        setState({ kind: 'ready', whoami, tenant: next });
      },
      signOut() {
        clearCredentials();
        queryClient.clear();
        setState(whoami.auth ? { kind: 'sign-in', message: '' } : { kind: 'pick-tenant' });
      },
    };
  }, [state, queryClient]);

  if (state.kind === 'checking') return <PageMessage title="Connecting to Ariadne…" tone="loading" />;
  if (state.kind === 'sign-in') return <SignInPage mode="token" message={state.message} onDone={check} />;
  if (state.kind === 'pick-tenant') return <SignInPage mode="tenant" message="" onDone={check} />;
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
