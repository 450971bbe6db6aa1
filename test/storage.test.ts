/**
 * One suite for every storage backend, run against real databases: an in-memory SQLite and a
 * PostgreSQL server (TEST_DATABASE_URL). Each test opens a fresh store; on PostgreSQL that is a
 * fresh schema, all of them dropped when the file is done.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Complex, Unit } from '../src/core/inventory.js';
import {
  SQLITE_FILE_NAME,
  dropPgSchema,
  errorIsUnavailable,
  openStore,
} from '../src/server/storage/open.js';
import type {
  AgentRow,
  BuyerRow,
  PresentationRow,
  Store,
  WebhookDeliveryRow,
} from '../src/server/storage/store.js';

const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN_ID = `${process.pid}_${Date.now().toString(36)}`;

interface Backend {
  name: string;
  open(): Promise<Store>;
  dropAll(): Promise<void>;
}

const pgSchemas: string[] = [];

const backends: Backend[] = [
  {
    name: 'SQLite',
    open: () => openStore({ dataDir: ':memory:' }),
    dropAll: async () => {},
  },
  {
    name: 'PostgreSQL',
    open: () => {
      const pgSchema = `storage_test_${RUN_ID}_${pgSchemas.length}`;
      pgSchemas.push(pgSchema);
      return openStore({ databaseUrl: PG_URL, dataDir: ':memory:', pgSchema });
    },
    dropAll: async () => {
      for (const schema of pgSchemas) await dropPgSchema(PG_URL, schema);
    },
  },
];

const T0 = 1_767_225_600_000;

function newAgent(overrides: Partial<AgentRow> = {}): AgentRow {
  const id = randomUUID();
  return {
    id,
    email: `${id}@example.com`,
    name: 'Анна Смирнова',
    phone: '+7 916 000-00-00',
    passwordHash: 'scrypt$16384$8$1$salt$hash',
    createdAt: T0,
    ...overrides,
  };
}

function newBuyer(agentId: string, overrides: Partial<BuyerRow> = {}): BuyerRow {
  return {
    id: randomUUID(),
    agentId,
    name: 'Buyer',
    contact: '+7 900 000-00-00',
    createdAt: T0,
    ...overrides,
  };
}

function newPresentation(
  agentId: string,
  buyerId: string,
  overrides: Partial<PresentationRow> = {},
): PresentationRow {
  return {
    id: randomUUID(),
    agentId,
    buyerId,
    status: 'created',
    endReason: null,
    createdAt: T0,
    expiresAt: T0 + 3_600_000,
    maxExpiresAt: T0 + 4 * 3_600_000,
    graceEndsAt: null,
    endedAt: null,
    maxDevices: 3,
    seq: 0,
    stateJson: '{"view":"overview"}',
    ...overrides,
  };
}

function newDelivery(
  presentationId: string,
  overrides: Partial<WebhookDeliveryRow> = {},
): WebhookDeliveryRow {
  const id = `evt_${randomUUID()}`;
  return {
    id,
    eventType: 'buyer.joined',
    presentationId,
    payloadJson: JSON.stringify({ id, type: 'buyer.joined', data: { presentationId } }),
    status: 'pending',
    attempts: 0,
    attemptLogJson: '[]',
    createdAt: T0,
    nextAttemptAt: T0,
    lockedUntil: null,
    deliveredAt: null,
    ...overrides,
  };
}

function newComplex(name: string): Complex {
  return {
    id: 'complex-1',
    name,
    address: 'Москва, ул. Примерная, 1',
    buildings: [
      {
        id: 'b1',
        name: 'Корпус 1',
        completion: '2027-Q3',
        floors: 17,
        sections: [{ id: 's1', buildingId: 'b1', number: 1, floors: 17, positions: 6 }],
      },
    ],
  };
}

function newUnit(id: string, overrides: Partial<Unit> = {}): Unit {
  return {
    id,
    buildingId: 'b1',
    sectionId: 's1',
    floor: 5,
    position: 2,
    number: id,
    rooms: '2',
    euro: true,
    openPlan: false,
    areaTotal: 58.4,
    areaLiving: 30.1,
    areaKitchen: 15.2,
    ceiling: 2.8,
    finishing: 'white_box',
    view: 'park',
    outdoor: 'loggia',
    bathrooms: 1,
    layoutCode: '2E-58',
    price: 21_024_000,
    pricePerM2: 360_000,
    offer: null,
    status: 'available',
    internal: {
      reservedBy: null,
      reservedUntil: null,
      buyerName: null,
      dealStage: null,
      discountLimitPct: 3,
      commissionPct: 1.5,
      notes: '',
      btiNumber: '77:01:0001001:1',
      notForSaleReason: null,
    },
    ...overrides,
  };
}

describe.each(backends.map((backend) => [backend.name, backend] as const))(
  'the %s store',
  (_name, backend) => {
    let store: Store;

    beforeEach(async () => {
      store = await backend.open();
    });

    afterEach(async () => {
      await store.close();
    });

    afterAll(async () => {
      await backend.dropAll();
    });

    async function givenAgent(overrides: Partial<AgentRow> = {}): Promise<AgentRow> {
      const agent = newAgent(overrides);
      await store.agents.create(agent);
      return agent;
    }

    async function givenPresentation(
      overrides: Partial<PresentationRow> = {},
    ): Promise<PresentationRow> {
      const agent = await givenAgent();
      const buyer = newBuyer(agent.id);
      await store.buyers.create(buyer);
      const presentation = newPresentation(agent.id, buyer.id, overrides);
      await store.presentations.create(presentation);
      return presentation;
    }

    describe('agents', () => {
      it('finds a created agent by id and by email', async () => {
        const agent = await givenAgent();

        expect(await store.agents.findById(agent.id)).toEqual(agent);
        expect(await store.agents.findByEmail(agent.email ?? '')).toEqual(agent);
      });

      it('finds nothing for an unknown id or email', async () => {
        expect(await store.agents.findById('nobody')).toBeUndefined();
        expect(await store.agents.findByEmail('nobody@example.com')).toBeUndefined();
      });

      it('rejects a second agent with the same email, and the error is not an outage', async () => {
        const agent = await givenAgent({ email: 'same@example.com' });

        const second = store.agents.create(newAgent({ email: agent.email }));

        await expect(second).rejects.toThrow();
        expect(errorIsUnavailable(await second.catch((err: unknown) => err))).toBe(false);
      });

      it('allows any number of agents without an email', async () => {
        await givenAgent({ email: null, passwordHash: null });
        await givenAgent({ email: null, passwordHash: null });

        expect(await store.agents.count()).toBe(2);
      });

      it('upsert inserts an unknown agent', async () => {
        const agent = newAgent({ email: null, passwordHash: null });

        await store.agents.upsert(agent);

        expect(await store.agents.findById(agent.id)).toEqual(agent);
      });

      it('upsert updates only the name and phone of a known agent', async () => {
        const agent = await givenAgent();

        await store.agents.upsert({
          ...agent,
          name: 'Anna Smirnova',
          phone: null,
          email: 'other@example.com',
          passwordHash: null,
          createdAt: T0 + 1,
        });

        expect(await store.agents.findById(agent.id)).toEqual({
          ...agent,
          name: 'Anna Smirnova',
          phone: null,
        });
        expect(await store.agents.count()).toBe(1);
      });

      it('counts agents as a number', async () => {
        expect(await store.agents.count()).toBe(0);

        await givenAgent();
        await givenAgent();
        await givenAgent();

        expect(await store.agents.count()).toBe(3);
      });
    });

    describe('sessions', () => {
      it('finds a created session and forgets a deleted one', async () => {
        const agent = await givenAgent();
        const session = {
          idHash: randomUUID(),
          agentId: agent.id,
          csrfToken: 'csrf',
          createdAt: T0,
          expiresAt: T0 + 1000,
        };

        await store.sessions.create(session);
        expect(await store.sessions.find(session.idHash)).toEqual(session);

        await store.sessions.delete(session.idHash);
        expect(await store.sessions.find(session.idHash)).toBeUndefined();
      });

      it('deletes only sessions expired by now and says how many', async () => {
        const agent = await givenAgent();
        const expiries = [T0 - 1, T0, T0 + 1];
        for (const expiresAt of expiries) {
          await store.sessions.create({
            idHash: `session-${expiresAt}`,
            agentId: agent.id,
            csrfToken: 'csrf',
            createdAt: T0 - 10,
            expiresAt,
          });
        }

        expect(await store.sessions.deleteExpired(T0)).toBe(2);
        expect(await store.sessions.find(`session-${T0 + 1}`)).toBeDefined();
        expect(await store.sessions.find(`session-${T0}`)).toBeUndefined();
        expect(await store.sessions.deleteExpired(T0)).toBe(0);
      });
    });

    describe('buyers', () => {
      it('finds a created buyer by id', async () => {
        const agent = await givenAgent();
        const buyer = newBuyer(agent.id, { name: 'Пётр', contact: 'petr@example.com' });

        await store.buyers.create(buyer);

        expect(await store.buyers.findById(buyer.id)).toEqual(buyer);
        expect(await store.buyers.findById('nobody')).toBeUndefined();
      });

      it("lists only the agent's own buyers, newest first, up to the limit", async () => {
        const agent = await givenAgent();
        const other = await givenAgent();
        const buyers = [1, 2, 3].map((n) => newBuyer(agent.id, { createdAt: T0 + n }));
        for (const buyer of buyers) await store.buyers.create(buyer);
        await store.buyers.create(newBuyer(other.id, { createdAt: T0 + 10 }));

        const listed = await store.buyers.listForAgent(agent.id);
        expect(listed.map((b) => b.id)).toEqual([buyers[2]?.id, buyers[1]?.id, buyers[0]?.id]);

        const limited = await store.buyers.listForAgent(agent.id, undefined, 2);
        expect(limited.map((b) => b.id)).toEqual([buyers[2]?.id, buyers[1]?.id]);
      });

      it('matches a query against the name or the contact, ignoring case', async () => {
        const agent = await givenAgent();
        const anna = newBuyer(agent.id, { name: 'Anna Lee', contact: '+7 916 111-22-33' });
        const boris = newBuyer(agent.id, { name: 'Boris', contact: 'ANNA.K@Example.com' });
        const carl = newBuyer(agent.id, { name: 'Carl', contact: '+7 903 555-00-00' });
        for (const buyer of [anna, boris, carl]) await store.buyers.create(buyer);

        const byName = await store.buyers.listForAgent(agent.id, 'aNNa');
        expect(byName.map((b) => b.id).sort()).toEqual([anna.id, boris.id].sort());

        const byPhone = await store.buyers.listForAgent(agent.id, ' 903 ');
        expect(byPhone.map((b) => b.id)).toEqual([carl.id]);

        expect(await store.buyers.listForAgent(agent.id, 'nobody')).toEqual([]);
      });

      it('matches Cyrillic names whatever their case, and ё as е', async () => {
        const agent = await givenAgent();
        const ivan = newBuyer(agent.id, { name: 'Иван Петров', contact: 'ivan@example.com' });
        const fedor = newBuyer(agent.id, { name: 'ФЁДОР', contact: '+7 999 000-00-00' });
        await store.buyers.create(ivan);
        await store.buyers.create(fedor);

        for (const query of ['иван', 'ИВАН', 'иВаН пЕтРоВ']) {
          const found = await store.buyers.listForAgent(agent.id, query);
          expect(found.map((b) => b.id)).toEqual([ivan.id]);
        }
        const byPlainE = await store.buyers.listForAgent(agent.id, 'федор');
        expect(byPlainE.map((b) => b.id)).toEqual([fedor.id]);
      });

      it('treats % and _ in a query as plain characters', async () => {
        const agent = await givenAgent();
        const percent = newBuyer(agent.id, { name: '100% ready', contact: 'a_b@example.com' });
        const plain = newBuyer(agent.id, { name: 'Plain', contact: 'ab@example.com' });
        await store.buyers.create(percent);
        await store.buyers.create(plain);

        expect((await store.buyers.listForAgent(agent.id, '%')).map((b) => b.id)).toEqual([
          percent.id,
        ]);
        expect((await store.buyers.listForAgent(agent.id, 'a_b')).map((b) => b.id)).toEqual([
          percent.id,
        ]);
      });
    });

    describe('presentations', () => {
      it('finds a created presentation with every field intact and numbers as numbers', async () => {
        const presentation = await givenPresentation({
          status: 'agent_away',
          graceEndsAt: T0 + 120_000,
          seq: 42,
        });

        const found = await store.presentations.findById(presentation.id);

        expect(found).toEqual(presentation);
        expect(typeof found?.seq).toBe('number');
        expect(typeof found?.expiresAt).toBe('number');
        expect(await store.presentations.findById('nothing')).toBeUndefined();
      });

      it("lists the agent's presentations newest first, up to the limit", async () => {
        const first = await givenPresentation({ createdAt: T0 });
        const second = newPresentation(first.agentId, first.buyerId, { createdAt: T0 + 5 });
        const third = newPresentation(first.agentId, first.buyerId, { createdAt: T0 + 10 });
        await store.presentations.create(third);
        await store.presentations.create(second);
        await givenPresentation({ createdAt: T0 + 20 });

        const listed = await store.presentations.listForAgent(first.agentId);
        expect(listed.map((p) => p.id)).toEqual([third.id, second.id, first.id]);

        const limited = await store.presentations.listForAgent(first.agentId, 1);
        expect(limited.map((p) => p.id)).toEqual([third.id]);
      });

      it('lists every presentation not yet ended, whoever the agent', async () => {
        const created = await givenPresentation({ status: 'created' });
        const live = await givenPresentation({ status: 'live' });
        const away = await givenPresentation({ status: 'agent_away', graceEndsAt: T0 + 1 });
        await givenPresentation({ status: 'ended', endReason: 'expired', endedAt: T0 });

        const open = await store.presentations.listOpen();

        expect(open.map((p) => p.id).sort()).toEqual([created.id, live.id, away.id].sort());
      });

      it('updates only the fields it is given, nulls included', async () => {
        const presentation = await givenPresentation({
          status: 'agent_away',
          graceEndsAt: T0 + 120_000,
        });

        await store.presentations.update(presentation.id, {
          status: 'ended',
          endReason: 'grace_timeout',
          endedAt: T0 + 120_000,
          graceEndsAt: null,
        });
        await store.presentations.update(presentation.id, {});

        expect(await store.presentations.findById(presentation.id)).toEqual({
          ...presentation,
          status: 'ended',
          endReason: 'grace_timeout',
          endedAt: T0 + 120_000,
          graceEndsAt: null,
        });
      });

      it('extends the expiry without touching anything else', async () => {
        const presentation = await givenPresentation();

        await store.presentations.update(presentation.id, { expiresAt: T0 + 7_200_000 });

        expect(await store.presentations.findById(presentation.id)).toEqual({
          ...presentation,
          expiresAt: T0 + 7_200_000,
        });
      });

      it('saves a newer state and ignores an older or equal sequence number', async () => {
        const presentation = await givenPresentation({ seq: 5, stateJson: '{"v":5}' });

        await store.presentations.saveState(presentation.id, 7, '{"v":7}');
        await store.presentations.saveState(presentation.id, 6, '{"v":6}');
        await store.presentations.saveState(presentation.id, 7, '{"v":"again"}');

        const found = await store.presentations.findById(presentation.id);
        expect(found?.seq).toBe(7);
        expect(found?.stateJson).toBe('{"v":7}');
      });

      it('stores the states of many presentations written in one turn, the newest of each', async () => {
        const presentations = await Promise.all(
          Array.from({ length: 30 }, () => givenPresentation({ seq: 1, stateJson: '{"v":1}' })),
        );

        // Not awaited one by one: these share statements, in whatever order they were queued.
        await Promise.all(
          presentations.flatMap((p, i) => [
            store.presentations.saveState(p.id, 3 + i, `{"v":${3 + i}}`),
            store.presentations.saveState(p.id, 2, '{"v":"older"}'),
          ]),
        );

        for (const [i, p] of presentations.entries()) {
          const found = await store.presentations.findById(p.id);
          expect(found?.seq).toBe(3 + i);
          expect(found?.stateJson).toBe(`{"v":${3 + i}}`);
        }
      });
    });

    describe('links', () => {
      it('finds a created link by its hash', async () => {
        const presentation = await givenPresentation();
        const link = {
          tokenHash: randomUUID(),
          presentationId: presentation.id,
          createdAt: T0,
          revokedAt: null,
        };

        await store.links.create(link);

        expect(await store.links.findByHash(link.tokenHash)).toEqual(link);
        expect(await store.links.findByHash('unknown')).toBeUndefined();
      });

      it('revokes the live links of one presentation, returning their hashes once', async () => {
        const presentation = await givenPresentation();
        const other = await givenPresentation();
        const links = [
          { tokenHash: 'live-1', presentationId: presentation.id, revokedAt: null },
          { tokenHash: 'live-2', presentationId: presentation.id, revokedAt: null },
          { tokenHash: 'old', presentationId: presentation.id, revokedAt: T0 + 1 },
          { tokenHash: 'other', presentationId: other.id, revokedAt: null },
        ];
        for (const link of links) await store.links.create({ ...link, createdAt: T0 });

        const revoked = await store.links.revokeAll(presentation.id, T0 + 50);

        expect(revoked.sort()).toEqual(['live-1', 'live-2']);
        expect((await store.links.findByHash('live-1'))?.revokedAt).toBe(T0 + 50);
        expect((await store.links.findByHash('old'))?.revokedAt).toBe(T0 + 1);
        expect((await store.links.findByHash('other'))?.revokedAt).toBeNull();
        expect(await store.links.revokeAll(presentation.id, T0 + 60)).toEqual([]);
      });
    });

    describe('events', () => {
      it("lists a presentation's events in the order they were appended", async () => {
        const presentation = await givenPresentation();
        const other = await givenPresentation();
        const kinds = ['created', 'viewer_joined', 'agent_away', 'agent_back', 'ended'];
        for (const [i, kind] of kinds.entries()) {
          await store.events.append({
            presentationId: presentation.id,
            // Equal times must not reorder events.
            at: T0 + Math.floor(i / 2),
            kind,
            reason: kind === 'ended' ? 'agent_ended' : null,
            detailJson: kind === 'viewer_joined' ? '{"device":"phone"}' : null,
          });
        }
        await store.events.append({
          presentationId: other.id,
          at: T0,
          kind: 'created',
          reason: null,
          detailJson: null,
        });

        const events = await store.events.listFor(presentation.id);

        expect(events.map((e) => e.kind)).toEqual(kinds);
        expect(events[1]).toMatchObject({ at: T0, detailJson: '{"device":"phone"}', reason: null });
        expect(events[4]).toMatchObject({ reason: 'agent_ended', detailJson: null });
        const ids = events.map((e) => e.id);
        expect(ids.every((id) => typeof id === 'number')).toBe(true);
        expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      });

      it('keeps the order of events appended together, batched or not, and fails only a bad one', async () => {
        const presentation = await givenPresentation();
        const kinds = Array.from({ length: 40 }, (_, i) => `step-${i}`);

        const results = await Promise.allSettled([
          // Mixed on purpose: a write that goes out now takes the waiting ones along, in order.
          ...kinds.map((kind, i) =>
            store.events.append(
              { presentationId: presentation.id, at: T0, kind, reason: null, detailJson: null },
              i % 7 === 3 ? 'now' : 'batched',
            ),
          ),
          store.events.append({
            presentationId: 'no-such-presentation',
            at: T0,
            kind: 'orphan',
            reason: null,
            detailJson: null,
          }),
        ]);

        expect(results.slice(0, kinds.length).every((r) => r.status === 'fulfilled')).toBe(true);
        expect(results[kinds.length]?.status).toBe('rejected');
        const events = await store.events.listFor(presentation.id);
        expect(events.map((e) => e.kind)).toEqual(kinds);
      });
    });

    describe('inventory', () => {
      it('loads nothing before an inventory is stored', async () => {
        expect(await store.inventory.load()).toBeUndefined();
      });

      it('loads back the complex and the units in the order they were stored', async () => {
        const complex = newComplex('ЖК Пример');
        const units = [
          newUnit('u-3', { status: 'sold', offer: 'Скидка 5 %' }),
          newUnit('u-1', { price: 9_900_000.5 }),
          newUnit('u-2', { status: 'not_for_sale' }),
        ];

        await store.inventory.replace(complex, units);

        expect(await store.inventory.load()).toEqual({ complex, units });
      });

      it('keeps only the second inventory when replaced twice', async () => {
        await store.inventory.replace(newComplex('First'), [newUnit('a'), newUnit('b')]);
        const second = [newUnit('b', { floor: 9 }), newUnit('c')];

        await store.inventory.replace(newComplex('Second'), second);

        expect(await store.inventory.load()).toEqual({
          complex: newComplex('Second'),
          units: second,
        });
      });

      it('changes one unit from its stored version, and two changes made at once both count', async () => {
        await store.inventory.replace(newComplex('ЖК'), [newUnit('a'), newUnit('b')]);

        const [priced, offered] = await Promise.all([
          store.inventory.modifyUnit('a', (unit) => ({ ...unit, price: 12_000_000 })),
          store.inventory.modifyUnit('a', (unit) => ({ ...unit, offer: 'Акция' })),
        ]);

        expect(priced?.price).toBe(12_000_000);
        const stored = (await store.inventory.load())!.units;
        expect(stored.find((u) => u.id === 'a')).toMatchObject({
          price: 12_000_000,
          offer: 'Акция',
        });
        expect(offered?.offer).toBe('Акция');
        expect(stored.find((u) => u.id === 'b')).toEqual(newUnit('b'));
        expect(await store.inventory.modifyUnit('missing', (unit) => unit)).toBeUndefined();
      });

      it('stores an inventory larger than one insert batch', async () => {
        const units = Array.from({ length: 1_234 }, (_, i) => newUnit(`unit-${i}`, { floor: i }));

        await store.inventory.replace(newComplex('Large'), units);

        const loaded = await store.inventory.load();
        expect(loaded?.units.map((u) => u.id)).toEqual(units.map((u) => u.id));
      });
    });

    // ------------------------------------------------------------ webhook deliveries
    describe('webhook deliveries', () => {
      it('finds a created delivery with every field intact and numbers as numbers', async () => {
        const delivery = newDelivery('p-1', {
          attempts: 2,
          attemptLogJson: '[{"at":1,"statusCode":500,"error":"HTTP 500","durationMs":3}]',
          lockedUntil: T0 + 30_000,
        });

        await store.webhooks.create(delivery);

        const found = await store.webhooks.find(delivery.id);
        expect(found).toEqual(delivery);
        expect(typeof found?.nextAttemptAt).toBe('number');
        expect(typeof found?.attempts).toBe('number');
        expect(await store.webhooks.find('evt_nothing')).toBeUndefined();
      });

      it('lists pending deliveries that are due and unclaimed, the longest waiting first', async () => {
        const later = newDelivery('p-1', { nextAttemptAt: T0 + 5 });
        const first = newDelivery('p-1', { nextAttemptAt: T0 });
        const lapsedClaim = newDelivery('p-1', { nextAttemptAt: T0 + 1, lockedUntil: T0 + 9 });
        const notDue = newDelivery('p-1', { nextAttemptAt: T0 + 11 });
        const claimed = newDelivery('p-1', { lockedUntil: T0 + 30_000 });
        const delivered = newDelivery('p-1', { status: 'delivered', deliveredAt: T0 });
        const failed = newDelivery('p-1', { status: 'failed' });
        for (const d of [later, first, lapsedClaim, notDue, claimed, delivered, failed]) {
          await store.webhooks.create(d);
        }

        const due = await store.webhooks.listDue(T0 + 10, 10);

        expect(due.map((d) => d.id)).toEqual([first.id, lapsedClaim.id, later.id]);
        expect((await store.webhooks.listDue(T0 + 10, 1)).map((d) => d.id)).toEqual([first.id]);
      });

      it('lets only one of two racing workers claim a delivery', async () => {
        const delivery = newDelivery('p-1');
        await store.webhooks.create(delivery);

        const claims = await Promise.all([
          store.webhooks.claim(delivery.id, T0, T0 + 30_000),
          store.webhooks.claim(delivery.id, T0, T0 + 30_001),
        ]);

        const won = claims.filter((c) => c !== undefined);
        expect(won).toHaveLength(1);
        expect(won[0]).toMatchObject({ id: delivery.id, status: 'pending' });
        expect([T0 + 30_000, T0 + 30_001]).toContain(won[0]?.lockedUntil);
        expect(await store.webhooks.claim(delivery.id, T0 + 29_999, T0 + 60_000)).toBeUndefined();
      });

      it('claims again once a claim has lapsed, but never a delivery not yet due', async () => {
        const delivery = newDelivery('p-1', { nextAttemptAt: T0 + 100 });
        await store.webhooks.create(delivery);

        expect(await store.webhooks.claim(delivery.id, T0 + 99, T0 + 1000)).toBeUndefined();
        expect(await store.webhooks.claim(delivery.id, T0 + 100, T0 + 1000)).toBeDefined();
        expect(await store.webhooks.claim(delivery.id, T0 + 1001, T0 + 2000)).toMatchObject({
          lockedUntil: T0 + 2000,
        });
      });

      it('stores an outcome only while the claim is held, and releases the claim', async () => {
        const delivery = newDelivery('p-1');
        await store.webhooks.create(delivery);
        await store.webhooks.claim(delivery.id, T0, T0 + 30_000);
        const outcome = {
          status: 'pending' as const,
          attempts: 1,
          attemptLogJson: '[{"at":0,"statusCode":503,"error":"HTTP 503","durationMs":1}]',
          nextAttemptAt: T0 + 2000,
          deliveredAt: null,
        };

        expect(await store.webhooks.settle(delivery.id, T0 + 1, outcome)).toBe(false);
        expect(await store.webhooks.settle(delivery.id, T0 + 30_000, outcome)).toBe(true);
        expect(await store.webhooks.settle(delivery.id, T0 + 30_000, outcome)).toBe(false);

        expect(await store.webhooks.find(delivery.id)).toEqual({
          ...delivery,
          ...outcome,
          lockedUntil: null,
        });
      });

      it("lists the deliveries of the agent's own presentations, newest first", async () => {
        const mine = await givenPresentation();
        const another = newPresentation(mine.agentId, mine.buyerId);
        await store.presentations.create(another);
        const theirs = await givenPresentation();
        const old = newDelivery(mine.id, { createdAt: T0, status: 'failed' });
        const middle = newDelivery(another.id, { createdAt: T0 + 1 });
        const recent = newDelivery(mine.id, { createdAt: T0 + 2, status: 'delivered' });
        for (const d of [middle, recent, old, newDelivery(theirs.id, { createdAt: T0 + 3 })]) {
          await store.webhooks.create(d);
        }

        const all = await store.webhooks.listForAgent(mine.agentId);
        expect(all.map((d) => d.id)).toEqual([recent.id, middle.id, old.id]);
        expect(all[0]).toEqual(recent);

        const failed = await store.webhooks.listForAgent(mine.agentId, { status: 'failed' });
        expect(failed.map((d) => d.id)).toEqual([old.id]);
        const limited = await store.webhooks.listForAgent(mine.agentId, { limit: 1 });
        expect(limited.map((d) => d.id)).toEqual([recent.id]);
      });

      it('re-queues only a failed delivery, due now with a fresh count and its log kept', async () => {
        const log = '[{"at":1,"statusCode":500,"error":"HTTP 500","durationMs":2}]';
        const failed = newDelivery('p-1', { status: 'failed', attempts: 8, attemptLogJson: log });
        const delivered = newDelivery('p-1', { status: 'delivered', deliveredAt: T0 });
        const pending = newDelivery('p-1', { nextAttemptAt: T0 + 500 });
        for (const d of [failed, delivered, pending]) await store.webhooks.create(d);

        expect(await store.webhooks.requeue(failed.id, T0 + 50)).toBe(true);
        expect(await store.webhooks.requeue(failed.id, T0 + 60)).toBe(false);
        expect(await store.webhooks.requeue(delivered.id, T0 + 50)).toBe(false);
        expect(await store.webhooks.requeue(pending.id, T0 + 50)).toBe(false);

        expect(await store.webhooks.find(failed.id)).toEqual({
          ...failed,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: T0 + 50,
        });
        expect((await store.webhooks.find(pending.id))?.nextAttemptAt).toBe(T0 + 500);
      });

      it('prunes only finished deliveries created before the cutoff', async () => {
        const oldDelivered = newDelivery('p-1', { status: 'delivered', createdAt: T0 - 10 });
        const oldFailed = newDelivery('p-1', { status: 'failed', createdAt: T0 - 10 });
        const oldPending = newDelivery('p-1', { createdAt: T0 - 10 });
        const newDelivered = newDelivery('p-1', { status: 'delivered', createdAt: T0 });
        for (const d of [oldDelivered, oldFailed, oldPending, newDelivered]) {
          await store.webhooks.create(d);
        }

        expect(await store.webhooks.prune(T0)).toBe(2);

        expect(await store.webhooks.find(oldDelivered.id)).toBeUndefined();
        expect(await store.webhooks.find(oldFailed.id)).toBeUndefined();
        expect(await store.webhooks.find(oldPending.id)).toBeDefined();
        expect(await store.webhooks.find(newDelivered.id)).toBeDefined();
        expect(await store.webhooks.prune(T0)).toBe(0);
      });
    });
    // ------------------------------------------------------------ end of webhook deliveries

    describe('lifecycle', () => {
      it('answers a ping', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('reports the backend it runs on', () => {
        expect(store.kind).toBe(backend.name === 'SQLite' ? 'sqlite' : 'postgres');
      });

      it('rejects a presentation for an agent that does not exist', async () => {
        // SQLite enforces foreign keys only when asked to; this proves the store asks.
        const presentation = await givenPresentation();
        await expect(
          store.presentations.create(newPresentation('no-such-agent', presentation.buyerId)),
        ).rejects.toThrow();
      });
    });
  },
);

describe('a SQLite file store', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'storage-test-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates its file in a new data directory and keeps data across a reopen', async () => {
    const nested = join(dataDir, 'nested', 'data');
    const agent = newAgent();

    const first = await openStore({ dataDir: nested });
    await first.agents.create(agent);
    await first.inventory.replace(newComplex('Kept'), [newUnit('u-1')]);
    await first.close();
    expect(existsSync(join(nested, SQLITE_FILE_NAME))).toBe(true);

    const second = await openStore({ dataDir: nested });
    try {
      expect(await second.agents.findById(agent.id)).toEqual(agent);
      expect((await second.inventory.load())?.complex.name).toBe('Kept');
    } finally {
      await second.close();
    }
  });

  it('says which migration failed when one cannot run', async () => {
    const file = new SqliteDatabase(join(dataDir, SQLITE_FILE_NAME));
    file.exec('create table agents (unexpected text)');
    file.close();

    await expect(openStore({ dataDir })).rejects.toThrow(/migration 0001_initial failed/);
  });
});

describe('a PostgreSQL store', () => {
  const pgSchema = `storage_test_${RUN_ID}_reopen`;

  afterAll(async () => {
    await dropPgSchema(PG_URL, pgSchema);
  });

  it('opens its already migrated schema again and keeps the data', async () => {
    const agent = newAgent();

    const first = await openStore({ databaseUrl: PG_URL, dataDir: ':memory:', pgSchema });
    await first.agents.create(agent);
    await first.close();

    const second = await openStore({ databaseUrl: PG_URL, dataDir: ':memory:', pgSchema });
    try {
      expect(await second.agents.findById(agent.id)).toEqual(agent);
    } finally {
      await second.close();
    }
  });

  it('refuses a schema name it would have to quote', async () => {
    await expect(
      openStore({ databaseUrl: PG_URL, dataDir: ':memory:', pgSchema: 'x"; drop table y' }),
    ).rejects.toThrow(/Invalid PostgreSQL schema name/);
  });
});

describe('telling an outage from a rejected query', () => {
  it('treats an unreachable PostgreSQL server as unavailable', async () => {
    const opening = openStore({
      databaseUrl: 'postgres://postgres@127.0.0.1:1/test',
      dataDir: ':memory:',
    });

    const err = await opening.catch((error: unknown) => error);

    expect(err).toBeInstanceOf(Error);
    expect(errorIsUnavailable(err)).toBe(true);
  });

  it('treats a closed store as unavailable', async () => {
    const store = await openStore({ dataDir: ':memory:' });
    await store.close();

    const err = await store.ping().catch((error: unknown) => error);

    expect(errorIsUnavailable(err)).toBe(true);
  });

  it.each([
    [{ code: 'SQLITE_BUSY' }, true],
    [{ code: 'SQLITE_BUSY_SNAPSHOT' }, true],
    [{ code: 'SQLITE_LOCKED_SHAREDCACHE' }, true],
    [{ code: '57P01', message: 'terminating connection due to administrator command' }, true],
    [{ code: '08006' }, true],
    [new Error('Connection terminated unexpectedly'), true],
    [new Error('open failed', { cause: { code: 'ECONNREFUSED' } }), true],
    [new AggregateError([{ code: 'ECONNREFUSED' }]), true],
    [{ code: '23505', message: 'duplicate key value violates unique constraint' }, false],
    [{ code: 'SQLITE_CONSTRAINT_UNIQUE' }, false],
    [new Error('syntax error'), false],
    ['ECONNREFUSED', false],
    [null, false],
  ])('classifies %o as unavailable: %s', (err, expected) => {
    expect(errorIsUnavailable(err)).toBe(expected);
  });
});
