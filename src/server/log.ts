/**
 * Logger options. Secrets are removed by pino's redaction, not by care at each call site:
 * capability tokens, cookies, CSRF tokens, passwords and presenter tokens never reach a log line.
 * Viewer URLs (`/p/<token>`) are rewritten by the request serializer for the same reason.
 */
import type { LoggerOptions } from 'pino';

export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'req.headers["x-viewer-token"]',
  'res.headers["set-cookie"]',
  'token',
  '*.token',
  'password',
  '*.password',
  'auth',
  '*.auth',
  'csrfToken',
  '*.csrfToken',
];

/** Replaces a capability token in a path with a fixed marker. */
export function redactUrl(url: string): string {
  return url.replace(/\/p\/[^/?#]+/g, '/p/[token]').replace(/([?&]token=)[^&#]*/g, '$1[token]');
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req(req: { method?: string; url?: string; id?: string; ip?: string }) {
        return { id: req.id, method: req.method, url: redactUrl(req.url ?? ''), ip: req.ip };
      },
    },
  };
}
