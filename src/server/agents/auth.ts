/**
 * Who is asking: an agent signed in with the built-in login (session cookie plus CSRF token),
 * or an agent of an integrating admin, vouched for by a presenter token.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { AppError } from '../../core/errors.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { AgentRow, SessionRow, Store } from '../storage/store.js';
import { verifyPassword } from './passwords.js';
import { verifyPresenterToken } from './presenter-token.js';

export const SESSION_COOKIE = 'rp_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface Identity {
  agent: AgentRow;
  /** Set for cookie sessions: state-changing requests must carry its CSRF token. */
  session: SessionRow | null;
  /** Set for presenter tokens: when the token expires (epoch ms), and a socket it opened closes. */
  tokenExpiresAt?: number;
}

export function sessionHash(cookieValue: string): string {
  return createHash('sha256').update(cookieValue).digest('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class AgentAuth {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #config: Config;
  readonly #onAgentChanged: ((agentId: string) => Promise<void>) | undefined;

  constructor(deps: {
    store: Store;
    clock: Clock;
    config: Config;
    /** A presenter token changed a known agent's name or phone (cached copies must go). */
    onAgentChanged?: (agentId: string) => Promise<void>;
  }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#config = deps.config;
    this.#onAgentChanged = deps.onAgentChanged;
  }

  async login(
    email: string,
    password: string,
  ): Promise<{ agent: AgentRow; cookieValue: string; session: SessionRow }> {
    const agent = await this.#store.agents.findByEmail(email.trim().toLowerCase());
    // Verify against a fixed hash when the account is unknown, so timing does not tell
    // which e-mails exist.
    const hash =
      agent?.passwordHash ??
      'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const ok = await verifyPassword(password, hash);
    if (!agent || !ok) throw new AppError('invalid_credentials');

    const cookieValue = randomBytes(32).toString('base64url');
    const now = this.#clock.now();
    const session: SessionRow = {
      idHash: sessionHash(cookieValue),
      agentId: agent.id,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: now,
      expiresAt: now + this.#config.sessionMs,
    };
    await this.#store.sessions.create(session);
    return { agent, cookieValue, session };
  }

  async fromCookie(cookieValue: string | undefined): Promise<Identity | undefined> {
    if (!cookieValue || cookieValue.length > 128) return undefined;
    const session = await this.#store.sessions.find(sessionHash(cookieValue));
    if (!session || session.expiresAt <= this.#clock.now()) return undefined;
    const agent = await this.#store.agents.findById(session.agentId);
    return agent && { agent, session };
  }

  /** A presenter token from an integrating admin; its agent is created or updated on sight. */
  async fromPresenterToken(token: string): Promise<Identity> {
    const secret = this.#config.presenterTokenSecret;
    if (!secret) {
      throw new AppError('unauthorized', 'Presenter tokens are not enabled on this server.');
    }
    const result = await verifyPresenterToken(secret, token, this.#clock.now());
    if (!result.ok) {
      throw new AppError(
        'unauthorized',
        result.reason === 'expired'
          ? 'The presenter token has expired.'
          : 'The presenter token is not valid.',
      );
    }
    const { agentId, name, phone } = result.identity;
    const tokenExpiresAt = result.expiresAt;
    const known = await this.#store.agents.findById(agentId);
    if (known && known.name === name && known.phone === phone) {
      return { agent: known, session: null, tokenExpiresAt };
    }
    const agent: AgentRow = {
      id: agentId,
      email: null,
      name,
      phone,
      passwordHash: null,
      createdAt: this.#clock.now(),
    };
    await this.#store.agents.upsert(agent);
    // A new name or phone: the buyers' screens and every node's cached copy must follow.
    if (known) await this.#onAgentChanged?.(agentId);
    return {
      agent: (await this.#store.agents.findById(agentId)) ?? agent,
      session: null,
      tokenExpiresAt,
    };
  }

  checkCsrf(identity: Identity, header: string | undefined): void {
    if (!identity.session) return;
    if (!header || !sameSecret(header, identity.session.csrfToken)) {
      throw new AppError('csrf_failed');
    }
  }

  async logout(session: SessionRow): Promise<void> {
    await this.#store.sessions.delete(session.idHash);
  }
}

/** Reads one cookie from a raw Cookie header (the WebSocket upgrade has no parsed cookies). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // A malformed escape is not a cookie of ours: the request is simply not signed in.
      return undefined;
    }
  }
  return undefined;
}
