/**
 * `Store` over Kysely. The same queries serve SQLite and PostgreSQL: nothing here branches on
 * the backend, so the shared test suite covers both with one set of code.
 */
import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { Complex, Unit } from '../../core/inventory.js';
import type {
  AgentsTable,
  AgentSessionsTable,
  BuyersTable,
  Database,
  LinksTable,
  PresentationEventsTable,
  PresentationsTable,
  WebhookDeliveriesTable,
} from './schema.js';
import type {
  AgentRow,
  BuyerRow,
  EventRow,
  LinkRow,
  PresentationRow,
  PresentationUpdate,
  SessionRow,
  Store,
  WebhookDeliveryRow,
} from './store.js';
import type { NewEvent } from './store.js';
import { WriteBatch } from './write-batch.js';

const DEFAULT_LIST_LIMIT = 50;

/** Rows per batched statement on the live path: 3 or 5 parameters each, far under the limits. */
const ROWS_PER_BATCH = 500;
/**
 * How long a live-path write waits for others to share its statement. At a thousand changes
 * a second this turns a thousand statements into fifty.
 */
const BATCH_WINDOW_MS = 20;

interface SavedState {
  id: string;
  seq: number;
  stateJson: string;
}

/** Rows per insert: well under SQLite's and PostgreSQL's limits on bound parameters. */
const UNITS_PER_INSERT = 500;

/** Case folding for buyer search, done in JavaScript so both backends fold Cyrillic alike. */
export function foldForSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase().replaceAll('ё', 'е');
}

function likePattern(query: string): string {
  return `%${query.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

function toAgent(row: Selectable<AgentsTable>): AgentRow {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    phone: row.phone,
    passwordHash: row.password_hash,
    createdAt: Number(row.created_at),
  };
}

function toSession(row: Selectable<AgentSessionsTable>): SessionRow {
  return {
    idHash: row.id_hash,
    agentId: row.agent_id,
    csrfToken: row.csrf_token,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

function toBuyer(row: Selectable<BuyersTable>): BuyerRow {
  return {
    id: row.id,
    agentId: row.agent_id,
    name: row.name,
    contact: row.contact,
    createdAt: Number(row.created_at),
  };
}

function nullableNumber(value: number | null): number | null {
  return value === null ? null : Number(value);
}

function toPresentation(row: Selectable<PresentationsTable>): PresentationRow {
  return {
    id: row.id,
    agentId: row.agent_id,
    buyerId: row.buyer_id,
    status: row.status,
    endReason: row.end_reason,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    maxExpiresAt: Number(row.max_expires_at),
    graceEndsAt: nullableNumber(row.grace_ends_at),
    endedAt: nullableNumber(row.ended_at),
    maxDevices: Number(row.max_devices),
    seq: Number(row.seq),
    stateJson: row.state_json,
  };
}

function toLink(row: Selectable<LinksTable>): LinkRow {
  return {
    tokenHash: row.token_hash,
    presentationId: row.presentation_id,
    createdAt: Number(row.created_at),
    revokedAt: nullableNumber(row.revoked_at),
  };
}

function toEvent(row: Selectable<PresentationEventsTable>): EventRow {
  return {
    id: Number(row.id),
    presentationId: row.presentation_id,
    at: Number(row.at),
    kind: row.kind,
    reason: row.reason,
    detailJson: row.detail_json,
  };
}

function toWebhookDelivery(row: Selectable<WebhookDeliveriesTable>): WebhookDeliveryRow {
  return {
    id: row.id,
    eventType: row.event_type,
    presentationId: row.presentation_id,
    payloadJson: row.payload_json,
    status: row.status,
    attempts: Number(row.attempts),
    attemptLogJson: row.attempt_log_json,
    createdAt: Number(row.created_at),
    nextAttemptAt: Number(row.next_attempt_at),
    lockedUntil: nullableNumber(row.locked_until),
    deliveredAt: nullableNumber(row.delivered_at),
  };
}

export class KyselyStore implements Store {
  readonly kind: Store['kind'];
  readonly #db: Kysely<Database>;
  readonly #states: WriteBatch<SavedState>;
  readonly #events: WriteBatch<NewEvent>;

  constructor(db: Kysely<Database>, kind: Store['kind']) {
    this.#db = db;
    this.kind = kind;
    this.#states = new WriteBatch({
      flushMany: (rows) => this.#saveStates(rows),
      flushOne: (rows) => this.#saveStates(rows),
      maxItems: ROWS_PER_BATCH,
      windowMs: BATCH_WINDOW_MS,
    });
    this.#events = new WriteBatch({
      flushMany: (events) => this.#appendEvents(events),
      flushOne: (events) => this.#appendEvents(events),
      maxItems: ROWS_PER_BATCH,
      windowMs: BATCH_WINDOW_MS,
    });
  }

  /**
   * Stores the latest state of several presentations in one statement. The `seq` condition
   * lives in the statement, so a late write can never overtake a newer one.
   */
  async #saveStates(rows: SavedState[]): Promise<void> {
    const latest = new Map<string, SavedState>();
    for (const row of rows) {
      const seen = latest.get(row.id);
      if (!seen || seen.seq < row.seq) latest.set(row.id, row);
    }
    const values = [...latest.values()].map((r) => sql`(${r.id}, ${r.seq}, ${r.stateJson})`);
    await sql`
      WITH saved (id, seq, state_json) AS (VALUES ${sql.join(values)})
      UPDATE presentations
      SET seq = CAST(saved.seq AS BIGINT), state_json = saved.state_json
      FROM saved
      WHERE presentations.id = saved.id AND presentations.seq < CAST(saved.seq AS BIGINT)
    `.execute(this.#db);
  }

  async #appendEvents(events: NewEvent[]): Promise<void> {
    await this.#db
      .insertInto('presentation_events')
      .values(
        events.map((event) => ({
          presentation_id: event.presentationId,
          at: event.at,
          kind: event.kind,
          reason: event.reason,
          detail_json: event.detailJson,
        })),
      )
      .execute();
  }

  readonly agents: Store['agents'] = {
    create: async (agent) => {
      await this.#db
        .insertInto('agents')
        .values({
          id: agent.id,
          email: agent.email,
          name: agent.name,
          phone: agent.phone,
          password_hash: agent.passwordHash,
          created_at: agent.createdAt,
        })
        .execute();
    },

    upsert: async (agent) => {
      await this.#db
        .insertInto('agents')
        .values({
          id: agent.id,
          email: agent.email,
          name: agent.name,
          phone: agent.phone,
          password_hash: agent.passwordHash,
          created_at: agent.createdAt,
        })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            phone: eb.ref('excluded.phone'),
          })),
        )
        .execute();
    },

    findById: async (id) => {
      const row = await this.#db
        .selectFrom('agents')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toAgent(row);
    },

    findByEmail: async (email) => {
      const row = await this.#db
        .selectFrom('agents')
        .selectAll()
        .where('email', '=', email)
        .executeTakeFirst();
      return row && toAgent(row);
    },

    count: async () => {
      const row = await this.#db
        .selectFrom('agents')
        .select((eb) => eb.fn.countAll().as('count'))
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
  };

  readonly sessions: Store['sessions'] = {
    create: async (session) => {
      await this.#db
        .insertInto('agent_sessions')
        .values({
          id_hash: session.idHash,
          agent_id: session.agentId,
          csrf_token: session.csrfToken,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
        })
        .execute();
    },

    find: async (idHash) => {
      const row = await this.#db
        .selectFrom('agent_sessions')
        .selectAll()
        .where('id_hash', '=', idHash)
        .executeTakeFirst();
      return row && toSession(row);
    },

    delete: async (idHash) => {
      await this.#db.deleteFrom('agent_sessions').where('id_hash', '=', idHash).execute();
    },

    deleteExpired: async (now) => {
      const result = await this.#db
        .deleteFrom('agent_sessions')
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };

  readonly buyers: Store['buyers'] = {
    create: async (buyer) => {
      await this.#db
        .insertInto('buyers')
        .values({
          id: buyer.id,
          agent_id: buyer.agentId,
          name: buyer.name,
          contact: buyer.contact,
          search_text: foldForSearch(`${buyer.name}\n${buyer.contact}`),
          created_at: buyer.createdAt,
        })
        .execute();
    },

    findById: async (id) => {
      const row = await this.#db
        .selectFrom('buyers')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toBuyer(row);
    },

    listForAgent: async (agentId, query, limit = DEFAULT_LIST_LIMIT) => {
      const folded = foldForSearch(query?.trim() ?? '');
      const rows = await this.#db
        .selectFrom('buyers')
        .selectAll()
        .where('agent_id', '=', agentId)
        .$if(folded !== '', (qb) =>
          qb.where(sql<boolean>`search_text like ${likePattern(folded)} escape '\\'`),
        )
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toBuyer);
    },
  };

  readonly presentations: Store['presentations'] = {
    create: async (row) => {
      await this.#db
        .insertInto('presentations')
        .values({
          id: row.id,
          agent_id: row.agentId,
          buyer_id: row.buyerId,
          status: row.status,
          end_reason: row.endReason,
          created_at: row.createdAt,
          expires_at: row.expiresAt,
          max_expires_at: row.maxExpiresAt,
          grace_ends_at: row.graceEndsAt,
          ended_at: row.endedAt,
          max_devices: row.maxDevices,
          seq: row.seq,
          state_json: row.stateJson,
        })
        .execute();
    },

    findById: async (id) => {
      const row = await this.#db
        .selectFrom('presentations')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toPresentation(row);
    },

    listForAgent: async (agentId, limit = DEFAULT_LIST_LIMIT) => {
      const rows = await this.#db
        .selectFrom('presentations')
        .selectAll()
        .where('agent_id', '=', agentId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toPresentation);
    },

    listOpen: async () => {
      const rows = await this.#db
        .selectFrom('presentations')
        .selectAll()
        .where('status', '!=', 'ended')
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toPresentation);
    },

    update: async (id, changes) => {
      const set = presentationColumns(changes);
      if (Object.keys(set).length === 0) return;

      await this.#db.updateTable('presentations').set(set).where('id', '=', id).execute();
    },

    saveState: (id, seq, stateJson) => this.#states.add({ id, seq, stateJson }),
  };

  readonly links: Store['links'] = {
    create: async (link) => {
      await this.#db
        .insertInto('links')
        .values({
          token_hash: link.tokenHash,
          presentation_id: link.presentationId,
          created_at: link.createdAt,
          revoked_at: link.revokedAt,
        })
        .execute();
    },

    findByHash: async (tokenHash) => {
      const row = await this.#db
        .selectFrom('links')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row && toLink(row);
    },

    revokeAll: async (presentationId, at) => {
      const rows = await this.#db
        .updateTable('links')
        .set({ revoked_at: at })
        .where('presentation_id', '=', presentationId)
        .where('revoked_at', 'is', null)
        .returning('token_hash')
        .execute();
      return rows.map((row) => row.token_hash);
    },
  };

  readonly events: Store['events'] = {
    // Every event goes through one queue, so one insert keeps their order.
    append: (event, when = 'now') => this.#events.add(event, when === 'batched'),

    listFor: async (presentationId) => {
      const rows = await this.#db
        .selectFrom('presentation_events')
        .selectAll()
        .where('presentation_id', '=', presentationId)
        .orderBy('id')
        .execute();
      return rows.map(toEvent);
    },
  };

  readonly inventory: Store['inventory'] = {
    replace: async (complex: Complex, units: readonly Unit[]) => {
      await this.#db.transaction().execute(async (trx) => {
        await trx.deleteFrom('inventory_units').execute();
        await trx.deleteFrom('inventory_complex').execute();
        await trx
          .insertInto('inventory_complex')
          .values({ id: complex.id, json: JSON.stringify(complex) })
          .execute();

        for (let start = 0; start < units.length; start += UNITS_PER_INSERT) {
          const batch = units.slice(start, start + UNITS_PER_INSERT).map((unit, i) => ({
            id: unit.id,
            position: start + i,
            json: JSON.stringify(unit),
            status: unit.status,
            // The column serves sorting and filtering; the exact price stays in the JSON.
            price: Math.round(unit.price),
          }));
          await trx.insertInto('inventory_units').values(batch).execute();
        }
      });
    },

    modifyUnit: async (id: string, modify: (unit: Unit) => Unit) => {
      return this.#db.transaction().execute(async (trx) => {
        let read = trx.selectFrom('inventory_units').select('json').where('id', '=', id);
        // Two nodes editing one unit at once: the second waits for the first and builds on its
        // result. SQLite needs no lock: it has one writer, and Kysely one connection.
        if (this.kind === 'postgres') read = read.forUpdate();
        const row = await read.executeTakeFirst();
        if (!row) return undefined;
        const unit = modify(JSON.parse(row.json) as Unit);
        await trx
          .updateTable('inventory_units')
          .set({ json: JSON.stringify(unit), status: unit.status, price: Math.round(unit.price) })
          .where('id', '=', id)
          .execute();
        return unit;
      });
    },

    load: async () => {
      const complexRow = await this.#db
        .selectFrom('inventory_complex')
        .select('json')
        .executeTakeFirst();
      if (!complexRow) return undefined;

      const unitRows = await this.#db
        .selectFrom('inventory_units')
        .select('json')
        .orderBy('position')
        .execute();
      return {
        complex: JSON.parse(complexRow.json) as Complex,
        units: unitRows.map((row) => JSON.parse(row.json) as Unit),
      };
    },
  };

  // -------------------------------------------------------------- webhooks
  readonly webhooks: Store['webhooks'] = {
    create: async (delivery) => {
      await this.#db
        .insertInto('webhook_deliveries')
        .values({
          id: delivery.id,
          event_type: delivery.eventType,
          presentation_id: delivery.presentationId,
          payload_json: delivery.payloadJson,
          status: delivery.status,
          attempts: delivery.attempts,
          attempt_log_json: delivery.attemptLogJson,
          created_at: delivery.createdAt,
          next_attempt_at: delivery.nextAttemptAt,
          locked_until: delivery.lockedUntil,
          delivered_at: delivery.deliveredAt,
        })
        .execute();
    },

    find: async (id) => {
      const row = await this.#db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toWebhookDelivery(row);
    },

    listDue: async (now, limit) => {
      const rows = await this.#db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
        .orderBy('next_attempt_at')
        .orderBy('created_at')
        .limit(limit)
        .execute();
      return rows.map(toWebhookDelivery);
    },

    claim: async (id, now, until) => {
      // Every condition lives in the statement: of two workers racing for one row, the second
      // finds it already locked (PostgreSQL re-checks the row after waiting for the first).
      const row = await this.#db
        .updateTable('webhook_deliveries')
        .set({ locked_until: until })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
        .returningAll()
        .executeTakeFirst();
      return row && toWebhookDelivery(row);
    },

    settle: async (id, lockedUntil, outcome) => {
      const result = await this.#db
        .updateTable('webhook_deliveries')
        .set({
          status: outcome.status,
          attempts: outcome.attempts,
          attempt_log_json: outcome.attemptLogJson,
          next_attempt_at: outcome.nextAttemptAt,
          delivered_at: outcome.deliveredAt,
          locked_until: null,
        })
        .where('id', '=', id)
        .where('locked_until', '=', lockedUntil)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    listForAgent: async (agentId, options = {}) => {
      const { status } = options;
      const rows = await this.#db
        .selectFrom('webhook_deliveries as w')
        .innerJoin('presentations as p', 'p.id', 'w.presentation_id')
        .selectAll('w')
        .where('p.agent_id', '=', agentId)
        .$if(status !== undefined, (qb) => qb.where('w.status', '=', status ?? 'pending'))
        .orderBy('w.created_at', 'desc')
        .orderBy('w.id', 'desc')
        .limit(options.limit ?? DEFAULT_LIST_LIMIT)
        .execute();
      return rows.map(toWebhookDelivery);
    },

    requeue: async (id, now) => {
      const result = await this.#db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', attempts: 0, next_attempt_at: now, locked_until: null })
        .where('id', '=', id)
        .where('status', '=', 'failed')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    prune: async (before) => {
      const result = await this.#db
        .deleteFrom('webhook_deliveries')
        .where('status', 'in', ['delivered', 'failed'])
        .where('created_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
  // -------------------------------------------------------------- end of webhooks

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.#db);
  }

  async close(): Promise<void> {
    await Promise.all([this.#states.settle(), this.#events.settle()]);
    await this.#db.destroy();
  }
}

function presentationColumns(changes: PresentationUpdate): Partial<PresentationsTable> {
  const set: Partial<PresentationsTable> = {};
  if (changes.status !== undefined) set.status = changes.status;
  if (changes.endReason !== undefined) set.end_reason = changes.endReason;
  if (changes.expiresAt !== undefined) set.expires_at = changes.expiresAt;
  if (changes.graceEndsAt !== undefined) set.grace_ends_at = changes.graceEndsAt;
  if (changes.endedAt !== undefined) set.ended_at = changes.endedAt;
  if (changes.agentId !== undefined) set.agent_id = changes.agentId;
  return set;
}
