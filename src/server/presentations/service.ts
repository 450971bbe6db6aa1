/**
 * Presentations: creation, the lifecycle and its timers, links, and what each party may see.
 *
 * Every transition goes through `#apply`, one at a time per presentation: it reads the row,
 * asks `transition()` what changes, stores the change and its record, re-arms the timers, and
 * publishes the new lifecycle to every node. Timers are re-armed from the database at start,
 * so expiry and grace keep working across a restart.
 */
import type { Logger } from 'pino';

import { AppError } from '../../core/errors.js';
import type { PresentationView } from '../../core/protocol.js';
import { initialViewState } from '../../core/view-state.js';
import type { ViewState } from '../../core/view-state.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Config } from '../config.js';
import { hashToken, isTokenShaped, mintToken, newId } from '../links/tokens.js';
import type { PresentationBus } from '../realtime/bus.js';
import type { AgentRow, BuyerRow, PresentationRow, Store } from '../storage/store.js';
import type { Activity, ActivitySink } from './activity.js';
import { transition } from './lifecycle.js';
import type { LifecycleEvent } from './lifecycle.js';

export interface PresentationDetail extends PresentationView {
  buyer: { id: string; name: string; contact: string };
  createdAt: string;
  maxExpiresAt: string;
  maxDevices: number;
  seq: number;
}

export type LinkResolution =
  | { ok: true; row: PresentationRow; tokenHash: string; view: PresentationView }
  | {
      ok: false;
      code: 'link_invalid' | 'link_expired' | 'link_revoked' | 'presentation_ended';
      view: PresentationView | null;
    };

export interface PresentationEvents {
  /** A lifecycle change, to be shown to every party on every node. */
  lifecycle(pid: string, view: PresentationView): void;
  /** Viewers of one link (or all) must be cut off now. */
  cut(pid: string, reason: 'revoked', tokenHash?: string): void;
  /** The presentation changed hands: the previous agent's tabs stop presenting. */
  handoff(pid: string, toAgentId: string): void;
}

export interface ServiceDeps {
  store: Store;
  clock: Clock;
  config: Config;
  bus: PresentationBus;
  log: Logger;
  complexName(): string;
  /** Hears what happened (webhooks); optional so tests can run without one. */
  activity?: ActivitySink;
}

export class PresentationService {
  readonly #d: ServiceDeps;
  readonly #timers = new Map<string, { expiry?: TimerHandle; grace?: TimerHandle }>();
  readonly #locks = new Map<string, Promise<unknown>>();
  /**
   * Agents by id, for the name and phone every view carries. Kept current on every node by a
   * bus signal rather than a TTL: with a TTL, another node would go on showing the old name —
   * and announce it again in its next lifecycle, undoing the new one on the buyer's screen — for
   * as long as the TTL. The signal refreshes every node at once; the generation keeps a read that
   * was in flight when the signal came from caching what it read; and a bus that lost messages
   * (Redis reconnected) makes the node drop the whole cache (`forgetAgents`).
   */
  readonly #agentCache = new Map<string, AgentRow>();
  #agentGeneration = 0;
  #events: PresentationEvents | null = null;

  constructor(deps: ServiceDeps) {
    this.#d = deps;
  }

  /** Wires the realtime side; kept out of the constructor because each needs the other. */
  connect(events: PresentationEvents): void {
    this.#events = events;
  }

  /** Re-arms timers after a start. Presentations that were live have lost their presenter. */
  async restore(): Promise<number> {
    const open = await this.#d.store.presentations.listOpen();
    for (const row of open) {
      if (row.status === 'live') await this.#apply(row.id, { kind: 'presenter_left' });
      else this.#arm(row);
      await this.#apply(row.id, { kind: 'expiry_reached' });
      await this.#apply(row.id, { kind: 'grace_elapsed' });
    }
    return open.length;
  }

  /**
   * Makes sure this node enforces a presentation's deadlines. Every node that serves a
   * presentation arms its own timers, so expiry and grace hold even if the node that created
   * it is gone; the transitions are idempotent, so several nodes firing is harmless.
   */
  async rearm(pid: string): Promise<void> {
    const row = await this.#d.store.presentations.findById(pid);
    if (row) this.#arm(row);
  }

  // ------------------------------------------------------------------ creation and reads

  async create(
    agent: AgentRow,
    input: { buyer: BuyerRow; lifetimeMinutes?: number; state?: ViewState },
  ): Promise<{ row: PresentationRow; token: string }> {
    const { config, clock, store } = this.#d;
    const minutes = input.lifetimeMinutes ?? config.defaultLifetimeMin;
    if (minutes < config.minLifetimeMin || minutes > config.maxLifetimeMin) {
      throw new AppError(
        'invalid_request',
        `The lifetime must be between ${config.minLifetimeMin} and ${config.maxLifetimeMin} minutes.`,
      );
    }

    const now = clock.now();
    const row: PresentationRow = {
      id: newId('pr'),
      agentId: agent.id,
      buyerId: input.buyer.id,
      status: 'created',
      endReason: null,
      createdAt: now,
      expiresAt: now + minutes * 60_000,
      maxExpiresAt: now + config.maxLifetimeMin * 60_000,
      graceEndsAt: null,
      endedAt: null,
      maxDevices: config.maxDevices,
      seq: 0,
      stateJson: JSON.stringify(input.state ?? initialViewState()),
    };
    await store.presentations.create(row);
    await this.#record(row.id, 'created', null, { lifetimeMinutes: minutes });
    const token = await this.#issueLink(row.id);
    this.#emit({
      type: 'presentation.created',
      presentationId: row.id,
      agentId: agent.id,
      buyer: { id: input.buyer.id, name: input.buyer.name, contact: input.buyer.contact },
      expiresAt: new Date(row.expiresAt).toISOString(),
    });
    this.#arm(row);
    this.#d.log.info({ presentationId: row.id, agentId: agent.id }, 'presentation created');
    return { row, token };
  }

  async get(pid: string): Promise<PresentationRow | undefined> {
    return this.#d.store.presentations.findById(pid);
  }

  /** The presentation if `agentId` owns it; otherwise a 404 or 403 error. */
  async owned(pid: string, agentId: string): Promise<PresentationRow> {
    const row = await this.#d.store.presentations.findById(pid);
    if (!row) throw new AppError('not_found', 'There is no such presentation.');
    if (row.agentId !== agentId) throw new AppError('forbidden', 'This presentation is not yours.');
    return row;
  }

  async view(row: PresentationRow): Promise<PresentationView> {
    const agent = await this.#agent(row.agentId);
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      id: row.id,
      status: row.status,
      endReason: row.endReason,
      agent: { name: agent?.name ?? '', phone: agent?.phone ?? null },
      complexName: this.#d.complexName(),
      expiresAt: new Date(row.expiresAt).toISOString(),
      graceEndsAt: iso(row.graceEndsAt),
      endedAt: iso(row.endedAt),
    };
  }

  async detail(row: PresentationRow): Promise<PresentationDetail> {
    const buyer = await this.#d.store.buyers.findById(row.buyerId);
    return {
      ...(await this.view(row)),
      buyer: { id: row.buyerId, name: buyer?.name ?? '', contact: buyer?.contact ?? '' },
      createdAt: new Date(row.createdAt).toISOString(),
      maxExpiresAt: new Date(row.maxExpiresAt).toISOString(),
      maxDevices: row.maxDevices,
      seq: row.seq,
    };
  }

  // ------------------------------------------------------------------ links

  /**
   * What a token opens. Malformed and unknown tokens get the same answer, and the check fails
   * closed: if storage cannot answer, the caller gets an error, never access.
   */
  async resolveLink(token: string): Promise<LinkResolution> {
    if (!isTokenShaped(token)) return { ok: false, code: 'link_invalid', view: null };

    const tokenHash = hashToken(token);
    const link = await this.#d.store.links.findByHash(tokenHash);
    if (!link) return { ok: false, code: 'link_invalid', view: null };

    let row = await this.#d.store.presentations.findById(link.presentationId);
    if (!row) return { ok: false, code: 'link_invalid', view: null };

    if (row.status !== 'ended' && this.#d.clock.now() >= row.expiresAt) {
      row = (await this.#apply(row.id, { kind: 'expiry_reached' })) ?? row;
    }
    const view = await this.view(row);

    if (link.revokedAt !== null || row.endReason === 'revoked') {
      return { ok: false, code: 'link_revoked', view };
    }
    if (row.status === 'ended') {
      const code = row.endReason === 'expired' ? 'link_expired' : 'presentation_ended';
      return { ok: false, code, view };
    }
    return { ok: true, row, tokenHash, view };
  }

  /** Revokes the current link and issues a new one; the presentation goes on. */
  async reissue(pid: string, agentId: string): Promise<string> {
    const row = await this.owned(pid, agentId);
    if (row.status === 'ended') throw new AppError('invalid_transition');
    const revoked = await this.#d.store.links.revokeAll(pid, this.#d.clock.now());
    for (const hash of revoked) this.#events?.cut(pid, 'revoked', hash);
    await this.#record(pid, 'link_revoked', 'reissued', null);
    this.#emit({ type: 'link.revoked', presentationId: pid, reason: 'reissued' });
    return this.#issueLink(pid);
  }

  async #issueLink(pid: string): Promise<string> {
    const token = mintToken();
    await this.#d.store.links.create({
      tokenHash: hashToken(token),
      presentationId: pid,
      createdAt: this.#d.clock.now(),
      revokedAt: null,
    });
    await this.#record(pid, 'link_issued', null, null);
    return token;
  }

  // ------------------------------------------------------------------ agent commands

  async extend(pid: string, agentId: string, minutes: number): Promise<PresentationRow> {
    await this.owned(pid, agentId);
    return this.#command(pid, { kind: 'extend', minutes });
  }

  async end(pid: string, agentId: string): Promise<PresentationRow> {
    await this.owned(pid, agentId);
    return this.#command(pid, { kind: 'end' });
  }

  async revoke(pid: string, agentId: string): Promise<PresentationRow> {
    await this.owned(pid, agentId);
    const row = await this.#command(pid, { kind: 'revoke' });
    await this.#d.store.links.revokeAll(pid, this.#d.clock.now());
    return row;
  }

  async #command(pid: string, event: LifecycleEvent): Promise<PresentationRow> {
    const result = await this.#apply(pid, event);
    if (!result) throw new AppError('not_found');
    return result;
  }

  // ------------------------------------------------------------------ presence of the agent

  presenterJoined(pid: string): void {
    void this.#apply(pid, { kind: 'presenter_joined' }).catch((err: unknown) =>
      this.#d.log.error({ err, presentationId: pid }, 'presenter join transition failed'),
    );
  }

  presenterLeft(pid: string): void {
    void this.#apply(pid, { kind: 'presenter_left' }).catch((err: unknown) =>
      this.#d.log.error({ err, presentationId: pid }, 'presenter leave transition failed'),
    );
  }

  // ------------------------------------------------------------------ transitions

  /** Applies one event, serialised per presentation. Returns the row after it. */
  #apply(pid: string, event: LifecycleEvent): Promise<PresentationRow | undefined> {
    return this.#serially(pid, () => this.#applyNow(pid, event));
  }

  /** Runs `fn` after everything queued for the presentation, and before anything queued later. */
  #serially<T>(pid: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(pid) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    this.#locks.set(pid, next);
    void next
      .finally(() => {
        if (this.#locks.get(pid) === next) this.#locks.delete(pid);
      })
      .catch(() => undefined);
    return next;
  }

  async #applyNow(pid: string, event: LifecycleEvent): Promise<PresentationRow | undefined> {
    const { store, clock, config, log } = this.#d;
    const row = await store.presentations.findById(pid);
    if (!row) return undefined;

    const now = clock.now();
    // Expiry wins over anything that arrives after the deadline but before its timer fired.
    if (event.kind !== 'expiry_reached' && row.status !== 'ended' && now >= row.expiresAt) {
      await this.#applyNow(pid, { kind: 'expiry_reached' });
      return this.#applyNow(pid, event);
    }

    const result = transition(row, event, now, config.graceMs);
    if (!result.ok) throw new AppError(result.code);
    if (result.changes === null) return row;

    await store.presentations.update(pid, result.changes);
    const updated: PresentationRow = { ...row, ...result.changes };
    const detail = event.kind === 'extend' ? { minutes: event.minutes } : null;
    await this.#record(pid, result.record.kind, result.record.reason, detail);
    log.info(
      { presentationId: pid, from: row.status, to: updated.status, reason: result.record.reason },
      'presentation %s',
      result.record.kind,
    );

    this.#arm(updated);
    const view = await this.view(updated);
    // Ending reaches every party through this one message: hubs close their sockets with the
    // matching reason when they see an ended lifecycle.
    this.#events?.lifecycle(pid, view);
    if (updated.status === 'ended' && updated.endReason) {
      if (updated.endReason === 'revoked') {
        this.#emit({ type: 'link.revoked', presentationId: pid, reason: 'revoked' });
      }
      this.#emit({ type: 'presentation.ended', presentationId: pid, reason: updated.endReason });
    }
    return updated;
  }

  #arm(row: PresentationRow): void {
    const timers = this.#timers.get(row.id) ?? {};
    timers.expiry?.cancel();
    timers.grace?.cancel();
    delete timers.expiry;
    delete timers.grace;

    if (row.status === 'ended') {
      this.#timers.delete(row.id);
      return;
    }

    const { clock } = this.#d;
    const onTimer = (event: LifecycleEvent) => () => {
      this.#apply(row.id, event).catch((err: unknown) =>
        this.#d.log.error({ err, presentationId: row.id }, 'timer transition failed'),
      );
    };
    timers.expiry = clock.after(
      Math.max(0, row.expiresAt - clock.now()),
      onTimer({ kind: 'expiry_reached' }),
    );
    if (row.status === 'agent_away' && row.graceEndsAt !== null) {
      timers.grace = clock.after(
        Math.max(0, row.graceEndsAt - clock.now()),
        onTimer({ kind: 'grace_elapsed' }),
      );
    }
    this.#timers.set(row.id, timers);
  }

  /** The units a buyer was shown, in order, for the recap: opened units, then the shortlist. */
  async shownUnits(pid: string): Promise<string[]> {
    const [events, row] = await Promise.all([
      this.#d.store.events.listFor(pid),
      this.#d.store.presentations.findById(pid),
    ]);
    const ids = new Set<string>();
    for (const event of events) {
      if (event.kind !== 'shown' || event.detailJson === null) continue;
      const detail = JSON.parse(event.detailJson) as { unitId?: unknown };
      if (typeof detail.unitId === 'string') ids.add(detail.unitId);
    }
    if (row) {
      const state = JSON.parse(row.stateJson) as ViewState;
      for (const id of state.shortlist) ids.add(id);
    }
    return [...ids];
  }

  #emit(activity: Activity): void {
    this.#d.activity?.record(activity, this.#d.clock.now());
  }

  /**
   * Adds an entry to the session record without waiting for it: what the buyer was shown,
   * devices joining and leaving, reactions. A failed write is logged, never thrown at a socket.
   */
  note(pid: string, kind: string, detail: Record<string, unknown>): void {
    this.#record(pid, kind, null, detail, 'batched').catch((err: unknown) =>
      this.#d.log.warn({ err, presentationId: pid, kind }, 'session record write failed'),
    );
  }

  /**
   * Hands a presentation that has not ended to another agent. The buyer keeps the same link and
   * sees the new agent's name; the previous agent's tabs stop presenting.
   */
  async handoff(pid: string, agentId: string, toAgentId: string): Promise<PresentationRow> {
    const row = await this.owned(pid, agentId);
    if (row.status === 'ended') throw new AppError('invalid_transition');
    const target = await this.#d.store.agents.findById(toAgentId);
    if (!target) throw new AppError('not_found', 'There is no such agent.');
    if (toAgentId === agentId) {
      throw new AppError('invalid_request', 'The presentation is already yours.');
    }

    await this.#d.store.presentations.update(pid, { agentId: toAgentId });
    await this.#record(pid, 'handed_off', null, { from: agentId, to: toAgentId });
    const updated: PresentationRow = { ...row, agentId: toAgentId };
    this.#events?.handoff(pid, toAgentId);
    this.#events?.lifecycle(pid, await this.view(updated));
    this.#emit({
      type: 'presentation.handed_off',
      presentationId: pid,
      fromAgentId: agentId,
      toAgentId,
    });
    return updated;
  }

  async #record(
    pid: string,
    kind: string,
    reason: string | null,
    detail: unknown,
    when: 'now' | 'batched' = 'now',
  ): Promise<void> {
    const event = {
      presentationId: pid,
      at: this.#d.clock.now(),
      kind,
      reason,
      detailJson: detail === null ? null : JSON.stringify(detail),
    };
    await this.#d.store.events.append(event, when);
  }

  async #agent(id: string): Promise<AgentRow | undefined> {
    const cached = this.#agentCache.get(id);
    if (cached) return cached;
    const generation = this.#agentGeneration;
    const agent = await this.#d.store.agents.findById(id);
    // Forgotten while this read was on its way: what it read may be the old row.
    if (agent && generation === this.#agentGeneration) this.#agentCache.set(id, agent);
    return agent;
  }

  /** Forgets a cached agent after its name or phone changed (on this node only). */
  forgetAgent(id: string): void {
    this.#agentGeneration++;
    this.#agentCache.delete(id);
  }

  /** Forgets every cached agent, when changes to them may have gone unheard. */
  forgetAgents(): void {
    this.#agentGeneration++;
    this.#agentCache.clear();
  }

  /**
   * An agent's name or phone changed in storage: every node forgets its cached copy, and the
   * buyers of the agent's open presentations are sent a lifecycle with the new name (it goes out
   * in the presentation's order, after any transition already under way). Never throws: the
   * change is stored, and a failure here leaves a stale name, which is logged.
   */
  async agentChanged(agentId: string): Promise<void> {
    const { bus, store, log } = this.#d;
    this.forgetAgent(agentId);
    try {
      await bus.broadcast({ kind: 'agent_changed', agentId });
      const rows = await store.presentations.listForAgent(agentId, 100);
      for (const { id } of rows.filter((row) => row.status !== 'ended')) {
        await this.#serially(id, async () => {
          const row = await store.presentations.findById(id);
          if (!row || row.status === 'ended' || row.agentId !== agentId) return;
          this.#events?.lifecycle(id, await this.view(row));
        });
      }
    } catch (err) {
      log.error({ err, agentId }, 'announcing a changed agent failed');
    }
  }

  stop(): void {
    for (const timers of this.#timers.values()) {
      timers.expiry?.cancel();
      timers.grace?.cancel();
    }
    this.#timers.clear();
  }
}
