/**
 * Several nodes in one process, each with its own PostgreSQL pool and Redis connections, on one
 * PostgreSQL schema and one Redis: any node serves any presenter or viewer.
 */
import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { mintPresenterToken } from '../src/server/agents/presenter-token.js';
import { startServer } from '../src/server/app.js';
import type { RunningServer } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { dropPgSchema, openStore } from '../src/server/storage/open.js';
import type { Store } from '../src/server/storage/store.js';
import { ManualClock } from './support/clock.js';
import {
  PG_URL,
  expectFatal,
  presenterFor,
  rawPresenter,
  rawViewer,
  until,
  viewerFor,
} from './support/harness.js';
import type { Agent, Harness } from './support/harness.js';
import { TestRedis } from './support/redis-server.js';

const SECRET = 'multinode-secret-multinode-secret-0123456';

interface Cluster {
  nodes: Harness[];
  redis: TestRedis;
  close(): Promise<void>;
}

async function startCluster(count: number): Promise<Cluster> {
  const redis = await TestRedis.start();
  const schema = `mn_${process.pid}_${randomBytes(4).toString('hex')}`;
  const clock = new ManualClock();
  const stores: Store[] = [];
  const servers: RunningServer[] = [];
  for (let i = 0; i < count; i++) {
    const store = await openStore({ databaseUrl: PG_URL, dataDir: ':memory:', pgSchema: schema });
    stores.push(store);
    servers.push(
      await startServer({
        config: loadConfig({
          PORT: '0',
          DATA_DIR: ':memory:',
          SEED_DEMO: 'true',
          REDIS_URL: redis.url,
          HEARTBEAT_SECONDS: '300',
          PRESENTER_TOKEN_SECRET: SECRET,
        }),
        clock,
        store,
        logger: pino({ level: 'silent' }),
        nodeId: `node-${i + 1}`,
      }),
    );
  }
  const nodes = servers.map((server, i) => harnessOf(server, clock, stores[i]!));
  return {
    nodes,
    redis,
    async close() {
      for (const server of servers) await server.close();
      for (const store of stores) await store.close();
      await redis.stop();
      await dropPgSchema(PG_URL, schema);
    },
  };
}

function harnessOf(server: RunningServer, clock: ManualClock, store: Store): Harness {
  const url = server.url;
  return {
    server,
    clock,
    url,
    origin: url,
    store,
    login: async (email = 'anna@demo.local') => {
      const res = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'demo-password' }),
      });
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const { csrfToken } = (await res.json()) as { csrfToken: string };
      const api = async <T>(method: string, path: string, body?: unknown) => {
        const headers: Record<string, string> = { cookie, 'x-csrf-token': csrfToken };
        if (body !== undefined) headers['content-type'] = 'application/json';
        const response = await fetch(`${url}${path}`, {
          method,
          headers,
          body: body === undefined ? null : JSON.stringify(body),
        });
        const text = await response.text();
        return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
      };
      const agent: Agent = {
        cookie,
        csrf: csrfToken,
        api,
        async createPresentation(opts = {}) {
          const created = await api<{ presentation: { id: string }; link: { url: string } }>(
            'POST',
            '/api/v1/presentations',
            { buyer: { name: 'Мария', contact: 'maria@example.com' }, ...opts },
          );
          const link = created.body.link.url;
          return { id: created.body.presentation.id, token: link.split('/p/')[1]!, url: link };
        },
      };
      return agent;
    },
    close: async () => undefined,
  };
}

/**
 * ioredis queues a command while it reconnects and gives it up after two failed attempts
 * (`maxRetriesPerRequest: 2`, a few hundred ms). Waiting past that makes an outage lose the
 * signals sent during it, as a longer real one would, instead of replaying them on return.
 */
const outlastQueuedCommands = () => new Promise((resolve) => setTimeout(resolve, 1500));

/** A unit any agent may still reserve, as the inventory API lists it. */
async function availableUnit(agent: Agent): Promise<{ id: string; price: number }> {
  const inventory = await agent.api<{ units: { id: string; status: string; price: number }[] }>(
    'GET',
    '/api/v1/inventory',
  );
  return inventory.body.units.find((u) => u.status === 'available')!;
}

describe('several nodes on PostgreSQL and Redis', () => {
  let cluster: Cluster;
  let n1: Harness;
  let n2: Harness;
  let n3: Harness;
  let anna: Agent;

  beforeAll(async () => {
    cluster = await startCluster(3);
    [n1, n2, n3] = cluster.nodes as [Harness, Harness, Harness];
    anna = await n1.login();
  });

  afterAll(async () => {
    await cluster.close();
  });

  it('a presenter on node 1 reaches viewers on nodes 2 and 3, in order', async () => {
    const p = await anna.createPresentation();
    const presenter = presenterFor(n1, anna, p.id).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    const on2 = await rawViewer(n2, p.token);
    const on3 = await rawViewer(n3, p.token);
    await on2.waitFor('snapshot');
    await on3.waitFor('snapshot');

    for (let i = 1; i <= 30; i++) presenter.change({ galleryIndex: i % 10, floor: i });
    for (const viewer of [on2, on3]) {
      const patches = await viewer.waitFor('patch', 30);
      expect(patches.map((x) => x.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    }
    presenter.close();
    on2.close();
    on3.close();
  });

  it('R16: revoking on node 1 cuts viewers on node 3 within 2 s', async () => {
    const p = await anna.createPresentation();
    const on3 = await rawViewer(n3, p.token);
    await on3.waitFor('snapshot');
    await anna.api('POST', `/api/v1/presentations/${p.id}/revoke`);
    // The bound the operator is promised across nodes; it takes milliseconds here.
    await until(() => on3.waitClosed(), 2000);
    expectFatal(on3, 'revoked');
  });

  it('a presenter reconnecting to another node keeps its sequence', async () => {
    const p = await anna.createPresentation();
    const first = presenterFor(n1, anna, p.id).connect();
    await until(() => expect(first.presenting).toBe(true));
    for (let i = 1; i <= 5; i++) first.change({ floor: i });
    await until(() => expect(first.pending).toBe(0));
    first.close();

    const onNode2 = await n2.login();
    const second = presenterFor(n2, onNode2, p.id).connect();
    await until(() => expect(second.state.floor).toBe(5));
    second.change({ floor: 6 });
    const viewer = await rawViewer(n3, p.token);
    const [snapshot] = await viewer.waitFor('snapshot');
    expect(snapshot!.state.floor).toBe(6);
    expect(snapshot!.seq).toBe(6);
    second.close();
    viewer.close();
  });

  it('the agent leaving node 1 shows "agent away" to a viewer on node 2', async () => {
    const p = await anna.createPresentation();
    const presenter = presenterFor(n1, anna, p.id).connect();
    const viewer = viewerFor(n2, p.token).connect();
    await until(() => expect(viewer.presentation?.status).toBe('live'));
    presenter.close();
    await until(() => expect(viewer.presentation?.status).toBe('agent_away'));
    viewer.close();
  });

  it('R25: signing out through node 1 closes the presenter socket on node 2', async () => {
    const dmitry = await n1.login('dmitry@demo.local');
    const p = await dmitry.createPresentation();
    const onNode2 = await rawPresenter(n2, dmitry, p.id);
    await onNode2.waitFor('snapshot');

    const res = await dmitry.api('POST', '/api/v1/auth/logout');
    expect(res.status).toBe(204);
    await onNode2.waitClosed();
    expectFatal(onNode2, 'logged_out');
  });

  it('R22: a presenter token with a changed name on node 1 shows the new name on node 2', async () => {
    const as = (name: string) =>
      mintPresenterToken(SECRET, { agentId: 'crm-renamed', name, phone: null });
    const call = async (h: Harness, name: string, method: string, path: string, body?: unknown) => {
      const headers: Record<string, string> = { authorization: `Bearer ${await as(name)}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${h.url}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
      });
      return (await res.json()) as {
        presentation: { id: string; agent: { name: string } };
        link: { url: string };
      };
    };
    const buyerView = async (h: Harness, token: string) => {
      const res = await fetch(`${h.url}/api/v1/viewer/session`, {
        headers: { 'x-viewer-token': token },
      });
      return ((await res.json()) as { presentation: { agent: { name: string } } }).presentation;
    };

    const created = await call(n1, 'Олег', 'POST', '/api/v1/presentations', {
      buyer: { name: 'Мария', contact: 'maria@example.com' },
    });
    const id = created.presentation.id;
    const link = created.link.url.split('/p/')[1]!;
    // Node 2 caches the agent and serves the buyer with the old name.
    expect(
      (await call(n2, 'Олег', 'GET', `/api/v1/presentations/${id}`)).presentation.agent.name,
    ).toBe('Олег');
    expect((await buyerView(n2, link)).agent.name).toBe('Олег');

    const renamed = await call(n1, 'Олег Сидоров', 'GET', `/api/v1/presentations/${id}`);
    expect(renamed.presentation.agent.name).toBe('Олег Сидоров');

    // Node 2 saw no change itself (the row already holds the new name): it heard of it.
    await until(async () => {
      const onNode2 = await call(n2, 'Олег Сидоров', 'GET', `/api/v1/presentations/${id}`);
      expect(onNode2.presentation.agent.name).toBe('Олег Сидоров');
    });
    await until(async () => expect((await buyerView(n2, link)).agent.name).toBe('Олег Сидоров'));
  });

  it('after Redis restarts empty, every viewer converges and numbering continues', async () => {
    const p = await anna.createPresentation();
    const presenter = presenterFor(n1, anna, p.id).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    const on2 = viewerFor(n2, p.token).connect();
    const on3 = viewerFor(n3, p.token).connect();
    presenter.change({ view: 'list', floor: 1 });
    await until(() => expect(on3.state?.floor).toBe(1));
    const before = on3.seq;

    await cluster.redis.stop();
    await cluster.redis.start();

    presenter.change({ view: 'floor', floor: 12 });
    await until(() => {
      expect(on2.state?.floor).toBe(12);
      expect(on3.state?.floor).toBe(12);
    }, 15_000);
    expect(on3.seq).toBeGreaterThan(before);
    presenter.close();
    on2.close();
    on3.close();
  });

  it('a revoke made while Redis is down cuts viewers on the other nodes once it is back', async () => {
    const p = await anna.createPresentation();
    const on3 = await rawViewer(n3, p.token);
    await on3.waitFor('snapshot');

    await cluster.redis.stop();
    const revoked = await anna.api('POST', `/api/v1/presentations/${p.id}/revoke`);
    expect(revoked.status).toBe(200);
    await outlastQueuedCommands();
    expect(on3.closeCode).toBeNull();
    await cluster.redis.start();

    await until(() => on3.waitClosed(), 15_000);
    expectFatal(on3, 'revoked');
  });

  it("a link re-issued while Redis is down cuts the old link's viewers on other nodes once it is back", async () => {
    const p = await anna.createPresentation();
    const old = await rawViewer(n2, p.token);
    await old.waitFor('snapshot');

    await cluster.redis.stop();
    const reissued = await anna.api<{ link: { url: string } }>(
      'POST',
      `/api/v1/presentations/${p.id}/reissue`,
    );
    expect(reissued.status).toBe(200);
    await outlastQueuedCommands();
    await cluster.redis.start();

    await until(() => old.waitClosed(), 15_000);
    expectFatal(old, 'revoked');
    const fresh = await rawViewer(n2, reissued.body.link.url.split('/p/')[1]!);
    await fresh.waitFor('snapshot');
    fresh.close();
  });

  it('a unit reserved while Redis is down is stored, and reaches screens on other nodes once it is back', async () => {
    const p = await anna.createPresentation();
    const on2 = await rawViewer(n2, p.token);
    await on2.waitFor('snapshot');
    const unit = await availableUnit(anna);

    await cluster.redis.stop();
    const res = await anna.api('PATCH', `/api/v1/inventory/units/${unit.id}`, {
      status: 'reserved',
    });
    expect(res.status).toBe(200);
    await outlastQueuedCommands();
    await cluster.redis.start();

    const [update] = await until(() => on2.waitFor('units'), 15_000);
    expect(update!.units).toEqual([expect.objectContaining({ id: unit.id, status: 'reserved' })]);
    on2.close();
  });

  it('two agents changing one unit on two nodes at once both count', async () => {
    const unit = await availableUnit(anna);
    const dmitry = await n2.login('dmitry@demo.local');
    const [a, b] = await Promise.all([
      anna.api('PATCH', `/api/v1/inventory/units/${unit.id}`, { price: unit.price + 100_000 }),
      dmitry.api('PATCH', `/api/v1/inventory/units/${unit.id}`, { offer: 'Скидка 3 %' }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const stored = (await n3.store.inventory.load())!.units.find((u) => u.id === unit.id)!;
    expect(stored.price).toBe(unit.price + 100_000);
    expect(stored.offer).toBe('Скидка 3 %');
  });

  it('a change the agent makes while Redis is down reaches every viewer once it is back', async () => {
    const p = await anna.createPresentation();
    const presenter = presenterFor(n1, anna, p.id).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    const on2 = viewerFor(n2, p.token).connect();
    const on3 = viewerFor(n3, p.token).connect();
    presenter.change({ view: 'list', floor: 3 });
    await until(() => expect(on3.state?.floor).toBe(3));

    await cluster.redis.stop();
    presenter.change({ view: 'floor', floor: 7 });
    await outlastQueuedCommands();
    await cluster.redis.start();

    await until(() => {
      expect(on2.state?.floor).toBe(7);
      expect(on3.state?.floor).toBe(7);
      expect(on3.state?.view).toBe('floor');
    }, 15_000);
    presenter.close();
    on2.close();
    on3.close();
  });

  it('after Redis restarts empty, the presenter is counted again before any heartbeat', async () => {
    const p = await anna.createPresentation();
    const presenter = presenterFor(n1, anna, p.id).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    const redis = new Redis(cluster.redis.url, { lazyConnect: true });
    const counted = async () => {
      await redis.connect();
      try {
        return await redis.zcard(`rp:p:${p.id}:presenters`);
      } finally {
        redis.disconnect();
      }
    };
    expect(await counted()).toBe(1);

    await cluster.redis.stop();
    await cluster.redis.start();

    // The shared clock stands still: no heartbeat runs, so only the recovery can count it.
    await until(async () => expect(await counted()).toBe(1), 15_000);
    presenter.close();
  });

  it('R13: a presentation taken for away while its agent presents on another node is live again at the next heartbeat', async () => {
    const p = await anna.createPresentation();
    const presenter = presenterFor(n1, anna, p.id).connect();
    const viewer = viewerFor(n2, p.token).connect();
    await until(() => expect(viewer.presentation?.status).toBe('live'));

    // The count is lost (as when Redis comes back without it) and node 2 checks first.
    const redis = new Redis(cluster.redis.url);
    await redis.del(`rp:p:${p.id}:presenters`);
    redis.disconnect();
    await n2.server.realtime.existingHub(p.id)!.checkPresenters();
    await until(() => expect(viewer.presentation?.status).toBe('agent_away'));

    await n1.server.realtime.existingHub(p.id)!.checkPresenters();
    await until(() => expect(viewer.presentation?.status).toBe('live'));
    expect((await n3.store.presentations.findById(p.id))?.status).toBe('live');
    presenter.close();
    viewer.close();
  });

  it('a hub opened on node 2 from a row read just before the agent joined on node 1 shows the presentation live', async () => {
    const p = await anna.createPresentation();
    const readBefore = (await n2.store.presentations.findById(p.id))!;
    expect(readBefore.status).toBe('created');
    const presenter = presenterFor(n1, anna, p.id).connect();
    await until(async () =>
      expect((await n3.store.presentations.findById(p.id))?.status).toBe('live'),
    );

    // The "live" signal went out before node 2 had a hub listening for it.
    const hub = await n2.server.realtime.hub(readBefore);
    expect(hub.view.status).toBe('live');
    presenter.close();
  });

  it('R31: a hand-off through node 1 renames the agent for a viewer on node 2 and closes the old tab on node 3', async () => {
    const p = await anna.createPresentation();
    const tab = await rawPresenter(n3, anna, p.id);
    await tab.waitFor('snapshot');
    const viewer = await rawViewer(n2, p.token);
    await viewer.waitFor('snapshot');

    const res = await anna.api('POST', `/api/v1/presentations/${p.id}/handoff`, {
      toEmail: 'ekaterina@demo.local',
    });
    expect(res.status).toBe(200);

    await until(() =>
      expect(viewer.of('lifecycle').at(-1)?.presentation.agent.name).toBe('Екатерина Волкова'),
    );
    await tab.waitClosed();
    expectFatal(tab, 'handed_off');
    expect(viewer.closeCode).toBeNull();
    viewer.close();
  });

  it('R30: a unit reserved through node 1 updates a viewer on node 3 and the inventory node 2 serves', async () => {
    const p = await anna.createPresentation();
    const on3 = await rawViewer(n3, p.token);
    await on3.waitFor('snapshot');
    const unit = await availableUnit(anna);

    const res = await anna.api('PATCH', `/api/v1/inventory/units/${unit.id}`, {
      status: 'reserved',
    });
    expect(res.status).toBe(200);

    const [update] = await on3.waitFor('units');
    expect(update!.units).toEqual([expect.objectContaining({ id: unit.id, status: 'reserved' })]);
    const dmitry = await n2.login('dmitry@demo.local');
    await until(async () => {
      const seen = await dmitry.api<{ units: { id: string; status: string }[] }>(
        'GET',
        '/api/v1/inventory',
      );
      expect(seen.body.units.find((u) => u.id === unit.id)?.status).toBe('reserved');
    });
    on3.close();
  });
});
