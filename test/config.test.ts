/**
 * Configuration from the environment: the defaults, and a ConfigError that names every problem
 * at once, so an operator fixes a bad deployment in one pass.
 */
import { describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from '../src/server/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig defaults', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: '127.0.0.1',
      publicUrl: undefined,
      dataDir: './data',
      databaseUrl: undefined,
      redisUrl: undefined,
      logLevel: 'info',
      allowedOrigins: [],
      presenterTokenSecret: undefined,
      defaultLifetimeMin: 60,
      minLifetimeMin: 5,
      maxLifetimeMin: 480,
      graceMs: 120_000,
      maxDevices: 5,
      heartbeatMs: 15_000,
      sessionMs: 12 * 3_600_000,
      cookieSecure: false,
      seedDemo: true,
      trustProxy: false,
      resumeLogSize: 100,
      viewerBufferBytes: 256 * 1024,
      maxConnectionsPerIp: 200,
      recapMs: 72 * 3600 * 1000,
      webhookUrl: undefined,
      webhookSecret: undefined,
      webhookMaxAttempts: 8,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', GRACE_SECONDS: '', DATABASE_URL: '' })).toMatchObject({
      port: 8080,
      graceMs: 120_000,
      databaseUrl: undefined,
    });
  });

  it('reads numbers, flags and lists from their variables', () => {
    const config = loadConfig({
      PORT: '9000',
      GRACE_SECONDS: '0',
      HEARTBEAT_SECONDS: '30',
      SESSION_HOURS: '1',
      VIEWER_BUFFER_KIB: '64',
      DATABASE_URL: 'postgresql://db/rp',
      TRUST_PROXY: '1',
      ALLOWED_ORIGINS: ' https://admin.example.com , http://localhost:3000 ,',
    });

    expect(config).toMatchObject({
      port: 9000,
      graceMs: 0,
      heartbeatMs: 30_000,
      sessionMs: 3_600_000,
      viewerBufferBytes: 64 * 1024,
      databaseUrl: 'postgresql://db/rp',
      seedDemo: false,
      trustProxy: true,
      allowedOrigins: ['https://admin.example.com', 'http://localhost:3000'],
    });
  });

  it('drops a trailing slash from PUBLIC_URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://show.example.com/' }).publicUrl).toBe(
      'https://show.example.com',
    );
  });
});

describe('cookieSecure', () => {
  it('is on when PUBLIC_URL is https', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://show.example.com' }).cookieSecure).toBe(true);
  });

  it('is off when PUBLIC_URL is http', () => {
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:8080' }).cookieSecure).toBe(false);
  });

  it('follows COOKIE_SECURE when it is set, whatever PUBLIC_URL says', () => {
    expect(
      loadConfig({ PUBLIC_URL: 'https://show.example.com', COOKIE_SECURE: 'false' }).cookieSecure,
    ).toBe(false);
    expect(
      loadConfig({ PUBLIC_URL: 'http://localhost:8080', COOKIE_SECURE: 'true' }).cookieSecure,
    ).toBe(true);
  });
});

describe('loadConfig refuses bad values', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['GRACE_SECONDS', '-1'],
    ['GRACE_SECONDS', '3601'],
    ['MAX_DEVICES', '0'],
    ['DEFAULT_LIFETIME_MIN', '0'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'http://cache'],
    ['LOG_LEVEL', 'verbose'],
    ['PUBLIC_URL', 'not a url'],
    ['PRESENTER_TOKEN_SECRET', 'too-short'],
    ['COOKIE_SECURE', 'yes'],
    ['RESUME_LOG_SIZE', '-5'],
    ['VIEWER_BUFFER_KIB', '8'],
  ])('names %s when it is %s', (name, value) => {
    const problems = problemsOf({ [name]: value });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: `));
  });

  it('throws a ConfigError whose message lists each problem on its own line', () => {
    expect(() => loadConfig({ PORT: 'abc', LOG_LEVEL: 'verbose' })).toThrow(
      /^Invalid configuration:\n {2}- PORT: .+\n {2}- LOG_LEVEL: .+$/,
    );
  });

  it('names every one of several bad schema values at once', () => {
    const problems = problemsOf({
      PORT: 'abc',
      GRACE_SECONDS: '-1',
      DATABASE_URL: 'mysql://x',
    });

    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'DATABASE_URL',
      'GRACE_SECONDS',
      'PORT',
    ]);
  });

  it('names an allowed origin that is not an origin', () => {
    const problems = problemsOf({
      ALLOWED_ORIGINS: 'https://admin.example.com,not an origin,https://x.example.com/path',
    });

    expect(problems).toEqual([
      'ALLOWED_ORIGINS: "not an origin" is not an origin like https://admin.example.com',
      'ALLOWED_ORIGINS: "https://x.example.com/path" is not an origin like https://admin.example.com',
    ]);
  });

  it('refuses a minimum lifetime above the maximum', () => {
    const problems = problemsOf({ MIN_LIFETIME_MIN: '90', MAX_LIFETIME_MIN: '30' });

    expect(problems).toContain('MIN_LIFETIME_MIN: must not exceed MAX_LIFETIME_MIN');
  });

  it('refuses a default lifetime outside the minimum and maximum', () => {
    expect(problemsOf({ DEFAULT_LIFETIME_MIN: '600' })).toEqual([
      'DEFAULT_LIFETIME_MIN: must lie between MIN_LIFETIME_MIN and MAX_LIFETIME_MIN',
    ]);
    expect(problemsOf({ DEFAULT_LIFETIME_MIN: '3' })).toEqual([
      'DEFAULT_LIFETIME_MIN: must lie between MIN_LIFETIME_MIN and MAX_LIFETIME_MIN',
    ]);
  });

  it('accepts a minimum lifetime equal to the maximum', () => {
    expect(
      loadConfig({ MIN_LIFETIME_MIN: '60', MAX_LIFETIME_MIN: '60', DEFAULT_LIFETIME_MIN: '60' }),
    ).toMatchObject({ minLifetimeMin: 60, maxLifetimeMin: 60 });
  });

  it('never echoes the presenter token secret in a problem', () => {
    const secret = 'short-secret-canary';

    expect(problemsOf({ PRESENTER_TOKEN_SECRET: secret }).join('\n')).not.toContain(secret);
  });

  // Regression: the lifetime and origin checks ran only after the schema passed, so they were
  // missing from the list when any other value was also bad.
  it('names every bad value at once, origins and lifetimes included', () => {
    const problems = problemsOf({
      PORT: 'abc',
      GRACE_SECONDS: '-1',
      DATABASE_URL: 'mysql://x',
      ALLOWED_ORIGINS: 'not an origin',
      MIN_LIFETIME_MIN: '90',
      MAX_LIFETIME_MIN: '30',
    });

    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'ALLOWED_ORIGINS',
      'DATABASE_URL',
      'DEFAULT_LIFETIME_MIN',
      'GRACE_SECONDS',
      'MIN_LIFETIME_MIN',
      'PORT',
    ]);
  });
});
