/**
 * Capability tokens for viewer links: 256 bits from the system's CSPRNG, base64url. Only the
 * SHA-256 of a token is stored, so a leaked database does not hand out live links.
 */
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_BYTES = 32;

/** base64url of 32 bytes: 43 characters, no padding. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function mintToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Anything not shaped like a token is refused before it reaches the database. */
export function isTokenShaped(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}

/** A random identifier for rows and connections: not a secret, just unique. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
