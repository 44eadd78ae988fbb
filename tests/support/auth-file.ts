import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestToken {
  readonly token: string;
  readonly tenants: readonly string[];
  readonly roles: readonly string[];
}

/** A random token with its tenants and roles. */
export function testToken(tenants: readonly string[], roles: readonly string[]): TestToken {
  return { token: `test_${randomBytes(24).toString('base64url')}`, tenants, roles };
}

/** The auth file's line for a token, written as the README documents it (not through Ariadne's own code). */
export function authLine({ token, tenants, roles }: TestToken): string {
  const sha256 = createHash('sha256').update(token).digest('hex');
  return `${JSON.stringify({ sha256, tenants, roles })}\n`;
}

/** Writes an auth file of `tokens` into `dir`; returns its path. */
export function writeAuthFile(dir: string, tokens: readonly TestToken[], name = 'auth.jsonl'): string {
  const file = join(dir, name);
  writeFileSync(file, `# test tokens\n${tokens.map(authLine).join('')}`);
  return file;
}

export const bearer = (token: TestToken) => ({ authorization: `Bearer ${token.token}` });

export const basic = (token: TestToken, user = 'grafana') => ({
  authorization: `Basic ${Buffer.from(`${user}:${token.token}`).toString('base64')}`,
});
