/**
 * The storage boundary. Everything the service persists goes through `Store`; the SQLite and
 * PostgreSQL backends implement it with the same Kysely queries and the same migrations, and
 * one test suite (test/storage.test.ts) runs against both.
 *
 * Times are epoch milliseconds. JSON columns hold text the caller serialised.
 */
import type { Complex, Unit } from '../../core/inventory.js';
import type { EndReason, PresentationStatus } from '../../core/protocol.js';

export interface AgentRow {
  id: string;
  email: string | null;
  name: string;
  phone: string | null;
  /** scrypt hash in `scrypt$N$r$p$salt$hash` form; null for agents that only sign in by token. */
  passwordHash: string | null;
  createdAt: number;
}

export interface SessionRow {
  /** SHA-256 of the session cookie's value; the value itself is never stored. */
  idHash: string;
  agentId: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

export interface BuyerRow {
  id: string;
  agentId: string;
  name: string;
  contact: string;
  createdAt: number;
}

export interface PresentationRow {
  id: string;
  agentId: string;
  buyerId: string;
  status: PresentationStatus;
  endReason: EndReason | null;
  createdAt: number;
  expiresAt: number;
  /** Extensions stop here. */
  maxExpiresAt: number;
  graceEndsAt: number | null;
  endedAt: number | null;
  maxDevices: number;
  /** Last acknowledged sequence number and view state (JSON). */
  seq: number;
  stateJson: string;
}

export interface LinkRow {
  /** SHA-256 of the token, base64url. The token itself is never stored. */
  tokenHash: string;
  presentationId: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface EventRow {
  id: number;
  presentationId: string;
  at: number;
  kind: string;
  reason: string | null;
  detailJson: string | null;
}

export type NewEvent = Omit<EventRow, 'id'>;

export type PresentationUpdate = Partial<
  Pick<
    PresentationRow,
    'status' | 'endReason' | 'expiresAt' | 'graceEndsAt' | 'endedAt' | 'agentId'
  >
>;

// ---------------------------------------------------------------- webhooks (src/server/webhooks)

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One try at delivering a webhook, as kept in the delivery's attempt log. */
export interface WebhookAttempt {
  at: number;
  /** The receiver's HTTP status; null when no response came (refused, timed out). */
  statusCode: number | null;
  /** Why the try failed, truncated; null when it succeeded. */
  error: string | null;
  durationMs: number;
}

/** One event for the host system, with its delivery state. */
export interface WebhookDeliveryRow {
  /** The event id, sent as `x-rp-event-id`: the receiver's idempotency key. */
  id: string;
  eventType: string;
  presentationId: string;
  /** The exact body that is signed and sent, on every try. */
  payloadJson: string;
  status: WebhookDeliveryStatus;
  /** Tries since the delivery was last queued; the backoff and the give-up count from it. */
  attempts: number;
  /** Every try ever made, oldest first: a JSON array of `WebhookAttempt`. */
  attemptLogJson: string;
  createdAt: number;
  nextAttemptAt: number;
  /** A worker's claim: no other worker sends the delivery before this time. */
  lockedUntil: number | null;
  deliveredAt: number | null;
}

/** What a worker writes after a try; it also releases the claim. */
export type WebhookSettlement = Pick<
  WebhookDeliveryRow,
  'status' | 'attempts' | 'attemptLogJson' | 'nextAttemptAt' | 'deliveredAt'
>;

export interface Store {
  readonly kind: 'sqlite' | 'postgres';

  agents: {
    create(agent: AgentRow): Promise<void>;
    /** Inserts or updates name and phone; used for agents known through presenter tokens. */
    upsert(agent: AgentRow): Promise<void>;
    findById(id: string): Promise<AgentRow | undefined>;
    findByEmail(email: string): Promise<AgentRow | undefined>;
    count(): Promise<number>;
  };

  sessions: {
    create(session: SessionRow): Promise<void>;
    find(idHash: string): Promise<SessionRow | undefined>;
    delete(idHash: string): Promise<void>;
    deleteExpired(now: number): Promise<number>;
  };

  buyers: {
    create(buyer: BuyerRow): Promise<void>;
    findById(id: string): Promise<BuyerRow | undefined>;
    /** The agent's buyers, newest first; `query` matches name or contact, case-insensitively. */
    listForAgent(agentId: string, query?: string, limit?: number): Promise<BuyerRow[]>;
  };

  presentations: {
    create(row: PresentationRow): Promise<void>;
    findById(id: string): Promise<PresentationRow | undefined>;
    /** The agent's presentations, newest first. */
    listForAgent(agentId: string, limit?: number): Promise<PresentationRow[]>;
    /** Every presentation not yet ended: timers are re-armed from these after a restart. */
    listOpen(): Promise<PresentationRow[]>;
    update(id: string, changes: PresentationUpdate): Promise<void>;
    /** Stores the latest state; ignored if `seq` is not newer than the stored one. */
    saveState(id: string, seq: number, stateJson: string): Promise<void>;
  };

  links: {
    create(link: LinkRow): Promise<void>;
    findByHash(tokenHash: string): Promise<LinkRow | undefined>;
    /** Revokes every link of the presentation not yet revoked; returns their hashes. */
    revokeAll(presentationId: string, at: number): Promise<string[]>;
  };

  events: {
    /**
     * Appends to the session record. `batched` lets the write wait a few milliseconds to share
     * a statement with others (the live path's "what was shown" lines); `now` goes out at the
     * next turn. Either way events keep the order they were appended in.
     */
    append(event: NewEvent, when?: 'now' | 'batched'): Promise<void>;
    listFor(presentationId: string): Promise<EventRow[]>;
  };

  inventory: {
    /** Replaces the whole inventory (demo seeding and imports). */
    replace(complex: Complex, units: readonly Unit[]): Promise<void>;
    load(): Promise<{ complex: Complex; units: Unit[] } | undefined>;
    /**
     * Changes one unit (status, price…) from its stored version, not a node's cached copy, so
     * edits made at once on two nodes both count; undefined if there is no such unit.
     */
    modifyUnit(id: string, modify: (unit: Unit) => Unit): Promise<Unit | undefined>;
  };

  // -------------------------------------------------------------- webhooks
  webhooks: {
    create(delivery: WebhookDeliveryRow): Promise<void>;
    find(id: string): Promise<WebhookDeliveryRow | undefined>;
    /** Pending deliveries due by `now` and not claimed, the longest waiting first. */
    listDue(now: number, limit: number): Promise<WebhookDeliveryRow[]>;
    /**
     * Claims a due, pending, unclaimed delivery until `until`, in one conditional update so that
     * two workers never both get it. Returns the claimed row, or undefined if someone else won.
     */
    claim(id: string, now: number, until: number): Promise<WebhookDeliveryRow | undefined>;
    /** Stores a try's outcome if the claim `lockedUntil` is still held; false otherwise. */
    settle(id: string, lockedUntil: number, outcome: WebhookSettlement): Promise<boolean>;
    /** Deliveries of the agent's presentations, newest first. */
    listForAgent(
      agentId: string,
      options?: { status?: WebhookDeliveryStatus; limit?: number },
    ): Promise<WebhookDeliveryRow[]>;
    /** Queues a failed delivery again, due at `now` with a fresh count; false if not failed. */
    requeue(id: string, now: number): Promise<boolean>;
    /** Deletes delivered and failed deliveries created before `before`; returns how many. */
    prune(before: number): Promise<number>;
  };
  // -------------------------------------------------------------- end of webhooks

  /** A cheap round trip, for readiness. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
