import { createHash, randomBytes } from 'node:crypto';

/**
 * Recognisable prefix: secret scanners and people reading a leaked log can
 * tell an Ariadne token at a glance.
 */
const TOKEN_PREFIX = 'ariadne_';

/** A new token: 32 random bytes (256 bits), base64url, after the prefix. Safe in headers and Basic passwords. */
export function createToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * The SHA-256 digest of a token, as the auth file stores it. A plain hash
 * (no salt, no slow KDF) is enough because tokens are 256 random bits, not
 * passwords a person chose: there is no dictionary to try against a leaked
 * file, and a fast hash keeps checking every request cheap.
 */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
