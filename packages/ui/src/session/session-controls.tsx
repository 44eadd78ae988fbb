import { type FormEvent, useState } from 'react';
import { useSession } from './session-context.js';

/**
 * The top bar's part of the session: the tenant (a switcher when the token
 * has several, a box to name one with `--multitenancy` alone) and sign-out.
 */
export function SessionControls() {
  const session = useSession();
  if (session === null) return null;
  const { whoami, tenant } = session;
  return (
    <div className="session-controls">
      {whoami.auth && whoami.tenants.length > 1 ? (
        <select
          value={tenant ?? ''}
          onChange={(event) => session.switchTenant(event.target.value)}
          aria-label="Tenant"
          title="Tenant"
          data-testid="tenant-switcher"
        >
          {whoami.tenants.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      ) : !whoami.auth && whoami.tenancy ? (
        <TenantBox tenant={tenant ?? ''} onSwitch={session.switchTenant} />
      ) : (
        tenant !== null && (
          <span className="session-tenant" title="Tenant" data-testid="tenant-name">
            {tenant}
          </span>
        )
      )}
      {whoami.auth && (
        <button type="button" className="session-sign-out" onClick={session.signOut} data-testid="sign-out">
          Sign out
        </button>
      )}
    </div>
  );
}

function TenantBox({ tenant, onSwitch }: { tenant: string; onSwitch: (tenant: string) => void }) {
  const [text, setText] = useState(tenant);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = text.trim();
    if (next !== '') onSwitch(next);
  };
  return (
    <form onSubmit={submit}>
      <input
        value={text}
        onChange={(event) => setText(event.target.value)}
        aria-label="Tenant"
        title="Tenant (X-Scope-OrgID); Enter to switch"
        spellCheck={false}
        data-testid="tenant-input"
      />
    </form>
  );
}
