import { parseArgs } from 'node:util';
import { AriadneError } from '@ariadne/protocol';
import { isRole, ROLES, type Role } from '../auth/access-roles.js';
import { createToken, hashToken } from '../auth/access-token.js';
import { appendAuthEntry } from '../auth/auth-file.js';
import { isTenantId, TENANT_ID_RULE, type TenantId } from '../tenancy/tenant-id.js';

export const TOKEN_HELP = `Usage: ariadne token create --auth-file <file> --tenant <name> --roles <roles> [--name <text>]

Makes a random token, appends its SHA-256 hash with its tenants and roles to
the auth file (created when missing) and prints the token, alone, on stdout.
The token is shown only this once: the file keeps its hash, not the token.

Options:
  --auth-file <file>   the file \`ariadne serve --auth\` reads (JSON Lines; see the README)
  --tenant <name>      a tenant the token may use; repeat it or separate names with commas
                       for a token that picks one per request with X-Scope-OrgID
  --roles <roles>      comma-separated: ${ROLES.join(', ')}
  --name <text>        a note for people: who or what holds the token
  -h, --help           show this help

A running server picks up the new token when it gets SIGHUP.
`;

function usageError(message: string): AriadneError {
  return new AriadneError('InvalidQuery', `ariadne token: ${message} (see ariadne token --help)`);
}

/** `ariadne token create ...`; resolves to the exit code. */
export async function runToken(args: readonly string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === undefined || action === '--help' || action === '-h' || action === 'help') {
    process.stdout.write(TOKEN_HELP);
    return action === undefined ? 1 : 0;
  }
  if (action !== 'create') throw usageError(`unknown action "${action}"; the one action is create`);
  const { values, positionals } = parseArgs({
    args: rest,
    strict: true,
    allowPositionals: true,
    options: {
      'auth-file': { type: 'string' },
      tenant: { type: 'string', multiple: true },
      roles: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(TOKEN_HELP);
    return 0;
  }
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
  const file = values['auth-file'];
  if (file === undefined || file === '') throw usageError('--auth-file is required');
  const names = [...new Set((values.tenant ?? []).flatMap((text) => text.split(',')).map((t) => t.trim()))];
  if (names.length === 0) throw usageError('--tenant is required');
  const tenants: TenantId[] = [];
  for (const name of names) {
    if (!isTenantId(name)) throw usageError(`--tenant "${name}" is not a valid name (${TENANT_ID_RULE})`);
    tenants.push(name);
  }
  if (values.roles === undefined) throw usageError(`--roles is required (${ROLES.join(', ')})`);
  const roles = [...new Set(values.roles.split(',').map((role) => role.trim()))];
  for (const role of roles) {
    if (!isRole(role)) throw usageError(`--roles: "${role}" is not one of ${ROLES.join(', ')}`);
  }
  const token = createToken();
  appendAuthEntry(file, {
    sha256: hashToken(token),
    tenants,
    roles: roles as Role[],
    ...(values.name === undefined ? {} : { name: values.name }),
    created: new Date().toISOString(),
  });
  process.stdout.write(`${token}\n`);
  return 0;
}
