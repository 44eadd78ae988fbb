import { type FormEvent, useState } from 'react';
import { saveTenant, saveToken } from './session-storage.js';
import { askWhoami } from './whoami.js';
import './sign-in-page.css';

export interface SignInPageProps {
  /** `token`: the server has `--auth`; `tenant`: `--multitenancy` alone, a tenant to name. */
  readonly mode: 'token' | 'tenant';
  /** Why the page shows (a token the server stopped taking); empty for a first visit. */
  readonly message: string;
  /** Called once the token (or tenant) is kept: the gate asks the server again. */
  readonly onDone: () => void;
}

/** The page before the app: a token for `--auth`, a tenant for `--multitenancy`. */
export function SignInPage({ mode, message, onDone }: SignInPageProps) {
  const [value, setValue] = useState('');
  const [error, setError] = useState(message);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const entered = value.trim();
    if (entered === '') return;
    if (mode === 'tenant') {
      saveTenant(entered);
      onDone();
      return;
    }
    setBusy(true);
    // Tried before it is kept: a wrong token never lands in storage.
    const answer = await askWhoami({ token: entered, tenant: null });
    setBusy(false);
    if (answer.kind === 'unauthorized') setError('The server refused this token. Check it and try again.');
    else if (answer.kind === 'forbidden') setError(`This token cannot read traces: ${answer.message}`);
    else if (answer.kind === 'unavailable') setError(answer.message);
    else {
      saveToken(entered);
      saveTenant(null);
      onDone();
    }
  };

  const isToken = mode === 'token';
  return (
    <div className="sign-in" data-testid="sign-in">
      <form className="sign-in-form" onSubmit={(event) => void submit(event)}>
        <h1>Ariadne</h1>
        <p className="muted">
          {isToken
            ? 'This server needs an access token with the query role (made with `ariadne token create`).'
            : 'This server keeps tenants apart: name the tenant whose traces you want to see.'}
        </p>
        <label>
          {isToken ? 'Access token' : 'Tenant'}
          <input
            type={isToken ? 'password' : 'text'}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            data-testid={isToken ? 'sign-in-token' : 'sign-in-tenant'}
          />
        </label>
        {error !== '' && (
          <p className="sign-in-error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        )}
        <button type="submit" className="button button-primary" disabled={busy} data-testid="sign-in-submit">
          {isToken ? 'Sign in' : 'Continue'}
        </button>
        {isToken && (
          <p className="muted sign-in-note">The token is kept for this browser tab only, until you sign out.</p>
        )}
      </form>
    </div>
  );
}
