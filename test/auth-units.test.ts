/**
 * The building blocks of agent authentication, without a server: password hashes, presenter
 * tokens from integrating admins, and reading a cookie from a raw header.
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';

import { readCookie } from '../src/server/agents/auth.js';
import { hashPassword, verifyPassword } from '../src/server/agents/passwords.js';
import {
  MAX_PRESENTER_TOKEN_SECONDS,
  PRESENTER_TOKEN_AUDIENCE,
  mintPresenterToken,
  verifyPresenterToken,
} from '../src/server/agents/presenter-token.js';

describe('password hashes', () => {
  it('verify the password they were made from', async () => {
    const stored = await hashPassword('correct horse battery staple');

    await expect(verifyPassword('correct horse battery staple', stored)).resolves.toBe(true);
  });

  it('refuse a wrong password', async () => {
    const stored = await hashPassword('correct horse battery staple');

    await expect(verifyPassword('correct horse battery stapl', stored)).resolves.toBe(false);
    await expect(verifyPassword('', stored)).resolves.toBe(false);
  });

  it('differ for the same password, because each has its own salt', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);

    expect(a).not.toBe(b);
    await expect(verifyPassword('same', a)).resolves.toBe(true);
    await expect(verifyPassword('same', b)).resolves.toBe(true);
  });

  it('name the scheme and its parameters, and never contain the password', async () => {
    const stored = await hashPassword('plain-text-secret');

    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain('plain-text-secret');
  });

  it.each([
    ['an empty string', ''],
    ['plain text', 'hunter2'],
    ['another scheme', '$2b$10$abcdefghijklmnopqrstuu'],
    ['a hash with a part missing', 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA'],
    ['a hash with an empty key', 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$'],
    [
      'a well-formed hash of some other password',
      'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ],
  ])('refuse any password against %s', async (_name, stored) => {
    await expect(verifyPassword('hunter2', stored)).resolves.toBe(false);
  });

  // Regression: scrypt parameters were passed on unchecked, so a malformed stored hash made
  // verifyPassword reject instead of resolving false.
  it.each([
    ['a cost that is not a number', 'scrypt$abc$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA'],
    ['a cost that is not a power of two', 'scrypt$3$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA'],
    ['a cost beyond the memory limit', 'scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA'],
  ])('refuse any password against %s, without throwing', async (_name, stored) => {
    await expect(verifyPassword('hunter2', stored)).resolves.toBe(false);
  });
});

describe('presenter tokens', () => {
  const SECRET = 'presenter-secret-presenter-secret-0123';
  const agent = { agentId: 'crm-42', name: 'Anna Petrova', phone: '+7 900 000-00-00' };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  // A whole second, so the JWT's second-resolution times line up with it exactly.
  const NOW = Date.UTC(2026, 11, 3, 9, 0, 0);
  const NOW_S = NOW / 1000;

  /** Signs claims exactly as given, so a test controls iat, exp and the audience. */
  function sign(
    claims: Record<string, unknown>,
    options: { secret?: string; alg?: string } = {},
  ): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: options.alg ?? 'HS256' })
      .sign(new TextEncoder().encode(options.secret ?? SECRET));
  }

  const goodClaims = {
    sub: 'crm-42',
    name: 'Anna Petrova',
    aud: PRESENTER_TOKEN_AUDIENCE,
    iat: NOW_S,
    exp: NOW_S + 600,
  };

  it('verify as the agent they were minted for, with an ext: agent id', async () => {
    const token = await mintPresenterToken(SECRET, agent);

    // Minting stamps the real time; verifying at that time keeps the token well inside its life.
    await expect(verifyPresenterToken(SECRET, token, Date.now())).resolves.toEqual({
      ok: true,
      identity: { agentId: 'ext:crm-42', name: 'Anna Petrova', phone: '+7 900 000-00-00' },
      expiresAt: expect.any(Number) as number,
    });
  });

  it('carry their exp, in epoch milliseconds, so a socket they opened can close at it', async () => {
    const token = await sign(goodClaims);

    await expect(verifyPresenterToken(SECRET, token, NOW)).resolves.toMatchObject({
      ok: true,
      expiresAt: (NOW_S + 600) * 1000,
    });
  });

  it('carry a missing phone as null', async () => {
    const token = await mintPresenterToken(SECRET, { ...agent, phone: null });

    const result = await verifyPresenterToken(SECRET, token, Date.now());

    expect(result).toMatchObject({ ok: true, identity: { phone: null } });
  });

  it('are invalid under another secret', async () => {
    const token = await mintPresenterToken(SECRET, agent);

    await expect(
      verifyPresenterToken('another-secret-another-secret-0123456', token, Date.now()),
    ).resolves.toEqual({ ok: false, reason: 'invalid' });
  });

  it('are expired once their lifetime has passed', async () => {
    const token = await mintPresenterToken(SECRET, agent, 600);

    await expect(verifyPresenterToken(SECRET, token, Date.now() + 3_600_000)).resolves.toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('are valid one millisecond before exp and expired at exp', async () => {
    const token = await sign(goodClaims);
    const exp = (NOW_S + 600) * 1000;

    await expect(verifyPresenterToken(SECRET, token, exp - 1)).resolves.toMatchObject({
      ok: true,
    });
    await expect(verifyPresenterToken(SECRET, token, exp)).resolves.toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('are valid with a lifetime of exactly the maximum', async () => {
    const token = await sign({ ...goodClaims, exp: NOW_S + MAX_PRESENTER_TOKEN_SECONDS });

    await expect(verifyPresenterToken(SECRET, token, NOW)).resolves.toMatchObject({ ok: true });
  });

  it('are invalid with a lifetime over the maximum', async () => {
    const token = await sign({ ...goodClaims, exp: NOW_S + MAX_PRESENTER_TOKEN_SECONDS + 1 });

    await expect(verifyPresenterToken(SECRET, token, NOW)).resolves.toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('are invalid when minted with a lifetime over the maximum', async () => {
    const token = await mintPresenterToken(SECRET, agent, MAX_PRESENTER_TOKEN_SECONDS + 1);

    await expect(verifyPresenterToken(SECRET, token, Date.now())).resolves.toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it.each([
    ['another audience', { ...goodClaims, aud: 'someone-else' }],
    ['no audience', { ...goodClaims, aud: undefined }],
    ['no subject', { ...goodClaims, sub: undefined }],
    ['no issued-at time', { ...goodClaims, iat: undefined }],
    ['no expiry', { ...goodClaims, exp: undefined }],
    ['no name', { ...goodClaims, name: undefined }],
    ['an empty name', { ...goodClaims, name: '' }],
    ['a name that is not a string', { ...goodClaims, name: 42 }],
    ['a subject with a space', { ...goodClaims, sub: 'crm 42' }],
    ['a subject over 64 characters', { ...goodClaims, sub: 'a'.repeat(65) }],
  ])('are invalid with %s', async (_name, claims) => {
    const token = await sign(claims);

    await expect(verifyPresenterToken(SECRET, token, NOW)).resolves.toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('are invalid when signed with another HMAC algorithm', async () => {
    const token = await sign(goodClaims, { alg: 'HS512' });

    await expect(verifyPresenterToken(SECRET, token, NOW)).resolves.toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('are invalid with alg none and no signature', async () => {
    const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode(goodClaims)}.`;

    await expect(verifyPresenterToken(SECRET, token, NOW)).resolves.toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('are invalid when the payload is changed after signing', async () => {
    const [header, , signature] = (await sign(goodClaims)).split('.');
    const tampered = `${header}.${encode({ ...goodClaims, sub: 'admin' })}.${signature}`;

    await expect(verifyPresenterToken(SECRET, tampered, NOW)).resolves.toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it.each(['', 'not-a-jwt', 'a.b.c', '...'])('are invalid for the string "%s"', async (token) => {
    await expect(verifyPresenterToken(SECRET, token, NOW)).resolves.toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('cut the name to 120 characters and the phone to 40', async () => {
    const token = await sign({ ...goodClaims, name: 'n'.repeat(500), phone: '7'.repeat(100) });

    const result = await verifyPresenterToken(SECRET, token, NOW);

    expect(result).toMatchObject({
      ok: true,
      identity: { name: 'n'.repeat(120), phone: '7'.repeat(40) },
    });
  });
});

describe('readCookie', () => {
  it('reads the named cookie from a header with several', () => {
    expect(readCookie('theme=dark; rp_session=abc123; lang=ru', 'rp_session')).toBe('abc123');
  });

  it('reads a cookie without spaces after the separators', () => {
    expect(readCookie('a=1;rp_session=abc;b=2', 'rp_session')).toBe('abc');
  });

  it('does not mistake a cookie whose name ends with the wanted name', () => {
    expect(readCookie('xrp_session=evil; rp_session=good', 'rp_session')).toBe('good');
  });

  it('takes the first of two cookies with the same name', () => {
    expect(readCookie('rp_session=first; rp_session=second', 'rp_session')).toBe('first');
  });

  it('keeps an equals sign inside the value', () => {
    expect(readCookie('rp_session=a=b==', 'rp_session')).toBe('a=b==');
  });

  it('decodes a percent-encoded value', () => {
    expect(readCookie('rp_session=a%20b%3Bc', 'rp_session')).toBe('a b;c');
  });

  it('reads an empty value as an empty string', () => {
    expect(readCookie('rp_session=; other=1', 'rp_session')).toBe('');
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a header without the cookie', 'theme=dark; lang=ru'],
    ['a part without an equals sign', 'rp_session; other=1'],
    ['a part with an empty name', '=rp_session'],
  ])('gives undefined for %s', (_name, header) => {
    expect(readCookie(header, 'rp_session')).toBeUndefined();
  });

  // Regression: a malformed escape in the cookie header threw during the WebSocket upgrade
  // and crashed the server.
  it('does not throw on a malformed percent escape', () => {
    expect(() => readCookie('rp_session=%E0%A4%A', 'rp_session')).not.toThrow();
  });
});
