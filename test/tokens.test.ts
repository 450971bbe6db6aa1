/**
 * Viewer link tokens: 256 random bits, base64url, stored only as a hash, and checked for shape
 * before any lookup.
 */
import { describe, expect, it } from 'vitest';

import {
  TOKEN_BYTES,
  hashToken,
  isTokenShaped,
  mintToken,
  newId,
} from '../src/server/links/tokens.js';

describe('mintToken', () => {
  const tokens = Array.from({ length: 100_000 }, () => mintToken());

  it('mints 100,000 tokens that are all different', () => {
    expect(new Set(tokens).size).toBe(100_000);
  });

  it('mints tokens of 43 base64url characters that decode to 32 bytes, 256 bits', () => {
    expect(TOKEN_BYTES).toBe(32);

    const misshapen = tokens.filter((token) => !/^[A-Za-z0-9_-]{43}$/.test(token));
    const notRoundTripping = tokens.filter((token) => {
      const bytes = Buffer.from(token, 'base64url');
      return bytes.length !== 32 || bytes.toString('base64url') !== token;
    });

    expect(misshapen).toEqual([]);
    expect(notRoundTripping).toEqual([]);
  });

  it('mints tokens that isTokenShaped accepts', () => {
    expect(tokens.filter((token) => !isTokenShaped(token))).toEqual([]);
  });
});

describe('isTokenShaped', () => {
  const token = 'A'.repeat(42) + '_';

  it('accepts exactly 43 base64url characters', () => {
    expect(isTokenShaped(token)).toBe(true);
    expect(isTokenShaped('-'.repeat(43))).toBe(true);
  });

  it.each([
    ['an empty string', ''],
    ['42 characters', token.slice(1)],
    ['44 characters', `${token}A`],
    ['a padded base64 token', `${token}=`],
    ['standard base64 with +', `${'A'.repeat(42)}+`],
    ['standard base64 with /', `${'A'.repeat(42)}/`],
    ['a NUL byte', `${'A'.repeat(42)}\u0000`],
    ['a trailing newline', `${token}\n`],
    ['a leading space', ` ${token.slice(1)}`],
    ['a Cyrillic letter that looks Latin', `${'A'.repeat(42)}А`],
    ['an emoji', `${'A'.repeat(41)}🙂`],
    ['SQL', `' OR 1=1 --${'A'.repeat(32)}`],
    ['a path', `../../${'A'.repeat(37)}`],
    ['a very long string', 'A'.repeat(10_000)],
  ])('refuses %s', (_name, value) => {
    expect(isTokenShaped(value)).toBe(false);
  });
});

describe('hashToken', () => {
  it('gives the same hash for the same token', () => {
    const token = mintToken();

    expect(hashToken(token)).toBe(hashToken(token));
  });

  it('gives a 43-character base64url hash that differs from the token', () => {
    const token = mintToken();
    const hash = hashToken(token);

    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hash).not.toBe(token);
  });

  it('gives different hashes for different tokens', () => {
    const hashes = new Set<string>();
    for (let i = 0; i < 1000; i++) hashes.add(hashToken(mintToken()));

    expect(hashes.size).toBe(1000);
  });

  it('is the SHA-256 of the token in base64url', () => {
    // SHA-256("abc"), a published test vector.
    const expected = Buffer.from(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      'hex',
    ).toString('base64url');

    expect(hashToken('abc')).toBe(expected);
  });
});

describe('newId', () => {
  it('starts with the prefix and an underscore, followed by 16 base64url characters', () => {
    expect(newId('p')).toMatch(/^p_[A-Za-z0-9_-]{16}$/);
    expect(newId('c')).toMatch(/^c_[A-Za-z0-9_-]{16}$/);
  });

  it('gives ids that the protocol accepts as identifiers', () => {
    for (let i = 0; i < 1000; i++) expect(newId('p')).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  it('gives a different id each time', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(newId('p'));

    expect(ids.size).toBe(10_000);
  });
});
