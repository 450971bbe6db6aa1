/**
 * Presenter tokens: how an existing admin lets its own users present without our login. Its
 * backend signs a short-lived JWT (HS256) with the shared secret; the SDK sends it instead of a
 * session cookie, the way Pusher's and Ably's auth endpoints work.
 */
import { SignJWT, jwtVerify, errors } from 'jose';

export const PRESENTER_TOKEN_AUDIENCE = 'remote-presentation';
/** Tokens living longer than this are refused: a leaked token should be worth little. */
export const MAX_PRESENTER_TOKEN_SECONDS = 3600;

export interface PresenterIdentity {
  agentId: string;
  name: string;
  phone: string | null;
}

export async function mintPresenterToken(
  secret: string,
  agent: PresenterIdentity,
  ttlSeconds = 600,
): Promise<string> {
  return new SignJWT({ name: agent.name, phone: agent.phone ?? undefined })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(agent.agentId)
    .setAudience(PRESENTER_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(new TextEncoder().encode(secret));
}

export type VerifyResult =
  /** `expiresAt`: the token's `exp`, in epoch ms. */
  | { ok: true; identity: PresenterIdentity; expiresAt: number }
  | { ok: false; reason: 'expired' | 'invalid' };

export async function verifyPresenterToken(
  secret: string,
  token: string,
  now: number,
): Promise<VerifyResult> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      audience: PRESENTER_TOKEN_AUDIENCE,
      currentDate: new Date(now),
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    const sub = payload.sub ?? '';
    const name = typeof payload.name === 'string' ? payload.name.slice(0, 120) : '';
    if (!/^[A-Za-z0-9_.:@-]{1,64}$/.test(sub) || name === '')
      return { ok: false, reason: 'invalid' };
    if ((payload.exp ?? 0) - (payload.iat ?? 0) > MAX_PRESENTER_TOKEN_SECONDS) {
      return { ok: false, reason: 'invalid' };
    }
    const phone = typeof payload.phone === 'string' ? payload.phone.slice(0, 40) : null;
    return {
      ok: true,
      identity: { agentId: `ext:${sub}`, name, phone },
      expiresAt: (payload.exp ?? 0) * 1000,
    };
  } catch (err) {
    return { ok: false, reason: err instanceof errors.JWTExpired ? 'expired' : 'invalid' };
  }
}
