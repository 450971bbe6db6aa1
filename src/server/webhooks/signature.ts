/**
 * Webhook signatures. Each request carries
 *
 *   x-rp-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, `${t}.${body}`)>
 *
 * The timestamp is inside the signed text, so a receiver that also checks its age refuses a
 * request replayed later. Receivers may verify with `verifyWebhookSignature` or with the few
 * lines of node:crypto shown in docs/webhooks.md.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-rp-signature';
export const EVENT_ID_HEADER = 'x-rp-event-id';
export const EVENT_TYPE_HEADER = 'x-rp-event-type';

/** How old (or how far ahead) a signature's timestamp may be by default: five minutes. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

function digest(secret: string, timestamp: number, body: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** The `x-rp-signature` value for a body sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${digest(secret, timestamp, body).toString('hex')}`;
}

/**
 * Whether `header` is a valid signature of `body` (the raw bytes received, not a re-serialised
 * object) made with `secret` within `toleranceSeconds` of `nowSeconds`. Several `v1` values are
 * accepted, any one of which may match; the comparison takes the same time wherever it differs.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string | Uint8Array,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  if (typeof header !== 'string' || header === '') return false;

  const timestamps: number[] = [];
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamps.push(Number(value));
    if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  // Two timestamps would leave it open which one was signed.
  const [timestamp] = timestamps;
  if (timestamp === undefined || timestamps.length > 1 || signatures.length === 0) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;

  const expected = digest(secret, timestamp, body);
  let matched = false;
  for (const signature of signatures) {
    if (timingSafeEqual(expected, signature)) matched = true;
  }
  return matched;
}
