/**
 * Secrets never reach a log line: the logger built from loggerOptions redacts tokens, passwords,
 * cookies and CSRF tokens by configuration, and rewrites viewer URLs that carry a token.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';

import { mintToken } from '../src/server/links/tokens.js';
import { REDACT_PATHS, loggerOptions, redactUrl } from '../src/server/log.js';

/** A logger writing into memory, and everything it wrote so far. */
function capture(level = 'info') {
  const lines: string[] = [];
  const log = pino(loggerOptions(level), { write: (line: string) => void lines.push(line) });
  return { log, output: () => lines.join('') };
}

describe('the logger redacts secrets by configuration', () => {
  const secrets = {
    token: mintToken(),
    nestedToken: mintToken(),
    auth: 'eyJhbGciOiJIUzI1NiJ9.presenter-token-canary.sig',
    nestedAuth: 'nested-auth-canary',
    password: 'password-canary-123',
    nestedPassword: 'nested-password-canary',
    csrfToken: 'csrf-canary-abc',
    nestedCsrf: 'nested-csrf-canary',
  };

  it('replaces top-level and nested secret fields with [redacted]', () => {
    const { log, output } = capture();

    log.info(
      {
        token: secrets.token,
        auth: secrets.auth,
        password: secrets.password,
        csrfToken: secrets.csrfToken,
        link: { token: secrets.nestedToken, presentationId: 'p_1' },
        hello: { auth: secrets.nestedAuth },
        login: { password: secrets.nestedPassword, email: 'anna@demo.local' },
        session: { csrfToken: secrets.nestedCsrf },
      },
      'something happened',
    );

    const text = output();
    for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
    const line = JSON.parse(text) as Record<string, Record<string, unknown> | string>;
    expect(line).toMatchObject({
      token: '[redacted]',
      auth: '[redacted]',
      password: '[redacted]',
      csrfToken: '[redacted]',
      link: { token: '[redacted]', presentationId: 'p_1' },
      hello: { auth: '[redacted]' },
      login: { password: '[redacted]', email: 'anna@demo.local' },
      session: { csrfToken: '[redacted]' },
      msg: 'something happened',
    });
  });

  it('keeps the fields around the secrets', () => {
    const { log, output } = capture();

    log.info({ presentationId: 'p_1', token: secrets.token }, 'link opened');

    expect(JSON.parse(output())).toMatchObject({ presentationId: 'p_1', msg: 'link opened' });
  });

  it('does not log the secret headers of a request', () => {
    const { log, output } = capture();
    const cookie = 'rp_session=cookie-canary-xyz';
    const authorization = 'Bearer authorization-canary';
    const viewerToken = mintToken();
    const csrf = 'csrf-header-canary';

    log.info({
      req: {
        id: 'req-1',
        method: 'GET',
        url: '/api/v1/viewer/session',
        ip: '203.0.113.5',
        headers: {
          cookie,
          authorization,
          'x-viewer-token': viewerToken,
          'x-csrf-token': csrf,
        },
      },
    });

    const text = output();
    for (const secret of ['cookie-canary-xyz', 'authorization-canary', viewerToken, csrf]) {
      expect(text).not.toContain(secret);
    }
    expect(JSON.parse(text)).toMatchObject({
      req: { id: 'req-1', method: 'GET', url: '/api/v1/viewer/session', ip: '203.0.113.5' },
    });
  });

  it('replaces the set-cookie header of a logged response with [redacted]', () => {
    const { log, output } = capture();

    log.info({
      res: { statusCode: 200, headers: { 'set-cookie': 'rp_session=set-cookie-canary' } },
    });

    expect(output()).not.toContain('set-cookie-canary');
    expect(JSON.parse(output())).toMatchObject({
      res: { statusCode: 200, headers: { 'set-cookie': '[redacted]' } },
    });
  });

  it('rewrites the token in a viewer URL to /p/[token]', () => {
    const { log, output } = capture();
    const token = mintToken();

    log.info({ req: { method: 'GET', url: `/p/${token}?x=1` } }, 'request completed');

    const text = output();
    expect(text).not.toContain(token);
    expect(JSON.parse(text)).toMatchObject({ req: { url: '/p/[token]?x=1' } });
  });

  it('lists the paths it redacts, the secrets this test covers among them', () => {
    expect(REDACT_PATHS).toEqual(
      expect.arrayContaining([
        'token',
        '*.token',
        'auth',
        'password',
        'csrfToken',
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-viewer-token"]',
      ]),
    );
  });

  it('logs at the level it was given', () => {
    const { log, output } = capture('warn');

    log.info('quiet');
    log.warn('loud');

    expect(output()).not.toContain('quiet');
    expect(output()).toContain('loud');
  });
});

describe('redactUrl', () => {
  const token = mintToken();

  it.each([
    [`/p/${token}`, '/p/[token]'],
    [`/p/${token}?x=1`, '/p/[token]?x=1'],
    [`/p/${token}#top`, '/p/[token]#top'],
    [`/p/${token}/`, '/p/[token]/'],
    [`/api/v1/viewer/events?token=${token}&since=4`, '/api/v1/viewer/events?token=[token]&since=4'],
    [`/ws?v=1&token=${token}`, '/ws?v=1&token=[token]'],
  ])('rewrites %s to %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('leaves a URL without a token unchanged', () => {
    expect(redactUrl('/api/v1/presentations?status=live')).toBe(
      '/api/v1/presentations?status=live',
    );
  });
});
