/**
 * Configuration from environment variables, validated once at start. Every variable is listed
 * in docs/configuration.md; a bad value stops the process with one line per problem.
 */
import { z } from 'zod';

const minutes = (def: number) => z.coerce.number().int().positive().default(def);
const flag = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ALLOWED_ORIGINS: z.string().optional(),
  PRESENTER_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  DEFAULT_LIFETIME_MIN: minutes(60),
  MIN_LIFETIME_MIN: minutes(5),
  MAX_LIFETIME_MIN: minutes(480),
  GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(120),
  MAX_DEVICES: z.coerce.number().int().min(1).max(100).default(5),
  HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(15),
  SESSION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  COOKIE_SECURE: flag,
  SEED_DEMO: flag,
  TRUST_PROXY: flag,
  RESUME_LOG_SIZE: z.coerce.number().int().min(0).max(100_000).default(100),
  VIEWER_BUFFER_KIB: z.coerce.number().int().min(16).max(65536).default(256),
  MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(1).max(1_000_000).default(200),
  RECAP_HOURS: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 90)
    .default(72),
  WEBHOOK_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .optional(),
  WEBHOOK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
});

export interface Config {
  port: number;
  host: string;
  /** The base of links handed to buyers; without it, each request's own scheme and host. */
  publicUrl: string | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  logLevel: string;
  /** Extra origins allowed to open sockets and call the API (the service's own is always allowed). */
  allowedOrigins: string[];
  presenterTokenSecret: string | undefined;
  defaultLifetimeMin: number;
  minLifetimeMin: number;
  maxLifetimeMin: number;
  graceMs: number;
  maxDevices: number;
  heartbeatMs: number;
  sessionMs: number;
  cookieSecure: boolean;
  seedDemo: boolean;
  trustProxy: boolean;
  resumeLogSize: number;
  viewerBufferBytes: number;
  maxConnectionsPerIp: number;
  /** How long after the end a buyer's link still opens the recap of the units shown. */
  recapMs: number;
  /** Where events for the host system are POSTed; webhooks are off without it. */
  webhookUrl: string | undefined;
  /** Signs every webhook (HMAC-SHA256); set whenever `webhookUrl` is. */
  webhookSecret: string | undefined;
  /** Tries per delivery before it is marked failed. */
  webhookMaxAttempts: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env)
      .map(([k, v]) => [k, v?.trim()] as const)
      .filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = schema.safeParse(present);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

  // Cross-field checks run on what parsed, so one start reports every problem at once.
  const number = (key: string, fallback: number) => {
    const value = Number(present[key] ?? fallback);
    return Number.isFinite(value) ? value : fallback;
  };
  const reported = new Set(parsed.success ? [] : parsed.error.issues.map((i) => i.path[0]));
  const lifetimesValid = !['MIN_LIFETIME_MIN', 'MAX_LIFETIME_MIN', 'DEFAULT_LIFETIME_MIN'].some(
    (key) => reported.has(key),
  );
  const min = number('MIN_LIFETIME_MIN', 5);
  const max = number('MAX_LIFETIME_MIN', 480);
  const def = number('DEFAULT_LIFETIME_MIN', 60);
  if (lifetimesValid && min > max) {
    problems.push('MIN_LIFETIME_MIN: must not exceed MAX_LIFETIME_MIN');
  }
  if (lifetimesValid && (def < min || def > max)) {
    problems.push('DEFAULT_LIFETIME_MIN: must lie between MIN_LIFETIME_MIN and MAX_LIFETIME_MIN');
  }
  const origins = (present.ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (!/^https?:\/\/[^/]+$/.test(origin)) {
      problems.push(`ALLOWED_ORIGINS: "${origin}" is not an origin like https://admin.example.com`);
    }
  }
  if (present.WEBHOOK_URL !== undefined && present.WEBHOOK_SECRET === undefined) {
    problems.push('WEBHOOK_SECRET: required when WEBHOOK_URL is set');
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);

  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    logLevel: e.LOG_LEVEL,
    allowedOrigins: origins,
    presenterTokenSecret: e.PRESENTER_TOKEN_SECRET,
    defaultLifetimeMin: e.DEFAULT_LIFETIME_MIN,
    minLifetimeMin: e.MIN_LIFETIME_MIN,
    maxLifetimeMin: e.MAX_LIFETIME_MIN,
    graceMs: e.GRACE_SECONDS * 1000,
    maxDevices: e.MAX_DEVICES,
    heartbeatMs: e.HEARTBEAT_SECONDS * 1000,
    sessionMs: e.SESSION_HOURS * 3600 * 1000,
    cookieSecure: e.COOKIE_SECURE ?? e.PUBLIC_URL?.toLowerCase().startsWith('https://') ?? false,
    seedDemo: e.SEED_DEMO ?? e.DATABASE_URL === undefined,
    trustProxy: e.TRUST_PROXY ?? false,
    resumeLogSize: e.RESUME_LOG_SIZE,
    viewerBufferBytes: e.VIEWER_BUFFER_KIB * 1024,
    maxConnectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
    recapMs: e.RECAP_HOURS * 3600 * 1000,
    webhookUrl: e.WEBHOOK_URL,
    webhookSecret: e.WEBHOOK_SECRET,
    webhookMaxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
  };
}
