/**
 * One client's protocol session, whatever carries it (WebSocket today; SSE and long-polling
 * speak the same messages). It admits the client with `hello`, then routes each message to the
 * hub, enforcing what each role may send and how fast.
 */
import { AppError, ERRORS } from '../../core/errors.js';
import type { ErrorCode } from '../../core/errors.js';
import { ALLOWED_MESSAGES, PROTOCOL_VERSION } from '../../core/protocol.js';
import type {
  ClientMessage,
  CloseReason,
  FatalReason,
  PresenterHello,
  ServerMessage,
  ViewerHello,
} from '../../core/protocol.js';
import { parseClientMessage } from '../../core/protocol-schema.js';
import type { TimerHandle } from '../clock.js';
import { errorIsUnavailable } from '../storage/open.js';
import type { AgentAuth, Identity } from '../agents/auth.js';
import type { Hub, Peer, PeerContext } from './hub.js';
import type { Closable, Realtime } from './realtime.js';

/** A transport's side of a session: how to send, and how to end the connection. */
export interface Connection extends Peer {
  readonly remoteAddress: string;
}

/** Message budget per connection: a burst, then a steady rate, per role. */
const RATE = {
  presenter: { burst: 120, perSecond: 60 },
  viewer: { burst: 20, perSecond: 10 },
  unknown: { burst: 5, perSecond: 1 },
} as const;
/** Past this many refused messages in a row the client is plainly not listening: close it. */
const REFUSALS_BEFORE_CLOSE = 200;

const LINK_REFUSAL: Record<string, FatalReason> = {
  link_invalid: 'invalid_link',
  link_expired: 'expired',
  link_revoked: 'revoked',
  presentation_ended: 'ended',
};

export class ProtocolSession implements Closable {
  readonly #conn: Connection;
  readonly #rt: Realtime;
  readonly #auth: AgentAuth;
  /** The agent session behind the upgrade request, if it carried the cookie. */
  readonly #cookieIdentity: () => Promise<Identity | undefined>;

  #hub: Hub | null = null;
  #ctx: PeerContext | null = null;
  #sessionHash: string | null = null;
  /** Closes a presenter admitted with a presenter token when that token expires. */
  #credentialTimer: TimerHandle | null = null;
  #state: 'new' | 'admitting' | 'joined' | 'closed' = 'new';
  #queue: Promise<void> = Promise.resolve();
  #lastSeen: number;
  #tokens: number = RATE.unknown.burst;
  #tokensAt: number;
  #refusals = 0;

  constructor(options: {
    connection: Connection;
    realtime: Realtime;
    auth: AgentAuth;
    cookieIdentity: () => Promise<Identity | undefined>;
  }) {
    this.#conn = options.connection;
    this.#rt = options.realtime;
    this.#auth = options.auth;
    this.#cookieIdentity = options.cookieIdentity;
    this.#lastSeen = this.#rt.deps.clock.now();
    this.#tokensAt = this.#lastSeen;
    this.#rt.track(this);
  }

  get role(): 'presenter' | 'viewer' | null {
    return this.#ctx?.role ?? null;
  }

  /** One inbound text frame. */
  receive(text: string): void {
    if (this.#state === 'closed') return;
    const now = this.#rt.deps.clock.now();
    this.#lastSeen = now;

    if (!this.#spend(now)) {
      this.#error('rate_limited');
      if (++this.#refusals > REFUSALS_BEFORE_CLOSE) this.close('rate_limited');
      return;
    }

    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      this.#error(parsed.code, parsed.message);
      if (this.#state === 'new') this.close('protocol_error');
      return;
    }
    this.#refusals = 0;
    const message = parsed.message;
    this.#rt.deps.metrics.messagesIn.inc({ role: this.role ?? 'unknown', type: message.type });

    if (message.type === 'hello') {
      if (this.#state !== 'new') {
        this.#error('invalid_message', 'hello was already received.');
        return;
      }
      this.#state = 'admitting';
      this.#queue = this.#queue
        .then(() => this.#admit(message))
        .catch((err: unknown) => {
          this.#rt.deps.log.error({ err }, 'admission failed');
          this.close(errorIsUnavailable(err) ? 'unavailable' : 'protocol_error');
        });
      return;
    }

    if (this.#state === 'new') {
      this.#error('hello_required');
      this.close('protocol_error');
      return;
    }
    // Messages that arrive while hello is being checked wait their turn.
    this.#queue = this.#queue.then(() => this.#route(message));
  }

  #spend(now: number): boolean {
    const rate = RATE[this.role ?? 'unknown'];
    this.#tokens = Math.min(
      rate.burst,
      this.#tokens + ((now - this.#tokensAt) / 1000) * rate.perSecond,
    );
    this.#tokensAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  // ------------------------------------------------------------------ admission

  async #admit(hello: ViewerHello | PresenterHello): Promise<void> {
    if (hello.v !== PROTOCOL_VERSION) {
      this.#error(
        'unsupported_version',
        `This server speaks protocol version ${PROTOCOL_VERSION}; the client sent ${hello.v}. Reload the page to update.`,
      );
      this.close('unsupported_version');
      return;
    }
    if (this.#rt.draining) {
      this.close('shutting_down');
      return;
    }
    if (hello.role === 'viewer') await this.#admitViewer(hello);
    else await this.#admitPresenter(hello);
  }

  async #admitViewer(hello: ViewerHello): Promise<void> {
    const link = await this.#rt.deps.service.resolveLink(hello.token);
    if (this.#isClosed()) return;
    if (!link.ok) {
      // The buyer's end screen names the agent, so a known presentation is described first.
      if (link.view) this.#send({ type: 'lifecycle', presentation: link.view });
      const message = ERRORS[link.code].message;
      this.#closeWith(LINK_REFUSAL[link.code] ?? 'invalid_link', message, link.code);
      return;
    }

    const hub = await this.#rt.hub(link.row);
    if (this.#isClosed()) return;
    const devices = hub.deviceIds();
    if (!devices.has(hello.deviceId) && devices.size >= link.row.maxDevices) {
      this.#closeWith(
        'too_many_devices',
        `This link is already open on ${link.row.maxDevices} devices; close it on one of them and try again.`,
        'too_many_devices',
      );
      return;
    }

    this.#hub = hub;
    this.#state = 'joined';
    this.#tokens = RATE.viewer.burst;
    const info = { deviceId: hello.deviceId, device: hello.device, tokenHash: link.tokenHash };
    this.#ctx = hub.addViewer(
      this.#conn,
      hello.resumeFrom === undefined ? info : { ...info, resumeFrom: hello.resumeFrom },
    );
    this.#rt.deps.metrics.connections.inc({ role: 'viewer', transport: this.#conn.transport });
    this.#rt.viewerJoined(hub.pid, {
      deviceId: hello.deviceId,
      device: hello.device,
      transport: this.#conn.transport,
    });
  }

  async #admitPresenter(hello: PresenterHello): Promise<void> {
    let identity: Identity | undefined;
    try {
      identity = hello.auth
        ? await this.#auth.fromPresenterToken(hello.auth)
        : await this.#cookieIdentity();
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      this.#closeWith('unauthorized', err.message, 'unauthorized');
      return;
    }
    if (this.#isClosed()) return;
    if (!identity) {
      this.#closeWith('unauthorized', 'Sign in again to present.', 'unauthorized');
      return;
    }

    const row = await this.#rt.deps.service.get(hello.presentationId);
    if (this.#isClosed()) return;
    if (!row || row.agentId !== identity.agent.id) {
      this.#closeWith('forbidden', 'This presentation is not yours.', 'forbidden');
      return;
    }
    if (row.status === 'ended' || this.#rt.deps.clock.now() >= row.expiresAt) {
      const reason: FatalReason =
        row.endReason === 'revoked'
          ? 'revoked'
          : row.endReason === 'agent_ended' || row.endReason === 'grace_timeout'
            ? 'ended'
            : 'expired';
      this.#closeWith(reason, ERRORS.presentation_ended.message, 'presentation_ended');
      return;
    }

    const hub = await this.#rt.hub(row);
    if (this.#isClosed()) return;
    this.#hub = hub;
    this.#state = 'joined';
    this.#tokens = RATE.presenter.burst;
    this.#sessionHash = identity.session?.idHash ?? null;
    if (this.#sessionHash) {
      this.#rt.untrack(this);
      this.#rt.track(this, this.#sessionHash);
    }
    const info = {
      agentId: identity.agent.id,
      sessionHash: this.#sessionHash,
      takeover: hello.takeover ?? false,
    };
    this.#ctx = hub.addPresenter(
      this.#conn,
      hello.resumeFrom === undefined ? info : { ...info, resumeFrom: hello.resumeFrom },
    );
    this.#rt.deps.metrics.connections.inc({ role: 'presenter', transport: this.#conn.transport });
    if (identity.tokenExpiresAt !== undefined) this.#closeAt(identity.tokenExpiresAt);
  }

  /**
   * A presenter token vouches for its agent until its `exp`, and so for the socket it opened:
   * past it the socket is closed (R22). The close is retryable: the SDK connects again at once,
   * asking its `auth` callback for a fresh token, and the presentation goes on; a client that
   * cannot get one is refused at `hello` like any other without a credential.
   */
  #closeAt(expiresAt: number): void {
    const { clock } = this.#rt.deps;
    this.#credentialTimer = clock.after(Math.max(0, expiresAt - clock.now()), () => {
      this.#credentialTimer = null;
      if (this.#isClosed()) return;
      this.#closeWith('credentials_expired', 'The presenter token has expired.', 'unauthorized');
    });
  }

  /** Read through a method: the transport may close the session while admission awaits. */
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  // ------------------------------------------------------------------ routing

  #route(message: ClientMessage): void {
    const ctx = this.#ctx;
    const hub = this.#hub;
    if (this.#state !== 'joined' || !ctx || !hub) return;

    if (!ALLOWED_MESSAGES[ctx.role].includes(message.type)) {
      this.#error('not_allowed', `A ${ctx.role} may not send "${message.type}".`);
      return;
    }

    switch (message.type) {
      case 'change':
        if (ctx.role === 'presenter') hub.change(ctx, message.clientSeq, message.patch);
        return;
      case 'volatile':
        if (ctx.role === 'presenter') hub.volatile(ctx, message.data);
        return;
      case 'takeover':
        if (ctx.role === 'presenter') hub.takeover(ctx);
        return;
      case 'presence':
        if (ctx.role === 'viewer') hub.viewerPresence(ctx, message.visible);
        return;
      case 'react':
        if (ctx.role === 'viewer') hub.react(ctx, message.kind, message.unitId);
        return;
      case 'ack':
        if (ctx.role === 'viewer') hub.viewerAck(ctx, message.seq);
        return;
      case 'resume':
        hub.resume(ctx, message.seq);
        return;
      case 'pong':
      case 'hello':
        return;
    }
  }

  // ------------------------------------------------------------------ sending and closing

  #error(code: ErrorCode, message: string = ERRORS[code].message): void {
    this.#send({ type: 'error', code, message });
    this.#rt.deps.metrics.errors.inc({ code });
  }

  #send(message: ServerMessage): void {
    this.#conn.send(JSON.stringify(message));
  }

  #closeWith(reason: CloseReason, message: string, code: ErrorCode): void {
    this.#rt.deps.metrics.errors.inc({ code });
    this.#conn.close(reason, message);
  }

  heartbeat(now: number): boolean {
    const limit = this.#rt.deps.config.heartbeatMs * 2;
    if (now - this.#lastSeen > limit) return false;
    this.#send({ type: 'ping', t: now });
    return true;
  }

  close(reason: CloseReason): void {
    this.#conn.close(reason);
  }

  /** The transport reports that the connection is gone, whoever closed it. */
  closed(): void {
    if (this.#state === 'closed') return;
    const wasJoined = this.#state === 'joined';
    this.#state = 'closed';
    this.#credentialTimer?.cancel();
    this.#credentialTimer = null;
    this.#rt.untrack(this, this.#sessionHash);
    if (wasJoined && this.#ctx && this.#hub) {
      this.#hub.remove(this.#ctx);
      this.#rt.deps.metrics.connections.dec({
        role: this.#ctx.role,
        transport: this.#conn.transport,
      });
      if (this.#ctx.role === 'viewer') {
        this.#rt.viewerLeft(this.#hub.pid, {
          deviceId: this.#ctx.deviceId,
          device: this.#ctx.device,
          transport: this.#conn.transport,
        });
      }
    }
  }
}
