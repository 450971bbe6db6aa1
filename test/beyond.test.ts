/**
 * What goes beyond mirroring: buyer reactions, live unit status, the session record, the
 * buyer's recap and handing a presentation to a colleague. Real sockets, SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PublicUnit } from '../src/core/inventory.js';
import {
  BACKENDS,
  expectFatal,
  presenterFor,
  rawPresenter,
  rawViewer,
  startHarness,
  until,
} from './support/harness.js';
import type { Agent, Harness } from './support/harness.js';

describe.each(BACKENDS)('beyond mirroring on %s', (backend) => {
  let h: Harness;
  let anna: Agent;

  beforeAll(async () => {
    h = await startHarness(backend, { HEARTBEAT_SECONDS: '300' });
    anna = await h.login();
  });

  afterAll(async () => {
    await h.close();
  });

  describe('buyer reactions', () => {
    it('R29: reach the agent at once, with the unit and the device', async () => {
      const p = await anna.createPresentation();
      const presenter = await rawPresenter(h, anna, p.id);
      await presenter.waitFor('snapshot');
      const viewer = await rawViewer(h, p.token, { deviceId: 'phone-of-ivan' });
      await viewer.waitFor('snapshot');

      viewer.send({ type: 'react', kind: 'heart', unitId: 'b1-s1-f5-p2' });
      viewer.send({ type: 'react', kind: 'call_me', unitId: null });
      const reactions = await presenter.waitFor('reaction', 2);
      expect(reactions.map((r) => r.reaction)).toEqual([
        expect.objectContaining({
          kind: 'heart',
          unitId: 'b1-s1-f5-p2',
          deviceId: 'phone-of-ivan',
        }),
        expect.objectContaining({ kind: 'call_me', unitId: null, device: 'phone' }),
      ]);
      presenter.close();
      viewer.close();
    });

    it('R29: are rate-limited, and a buyer cannot send anything that changes the view', async () => {
      const p = await anna.createPresentation();
      const viewer = await rawViewer(h, p.token);
      await viewer.waitFor('snapshot');
      for (let i = 0; i < 8; i++)
        viewer.send({ type: 'react', kind: 'heart', unitId: 'b1-s1-f2-p1' });
      viewer.send({ type: 'react', kind: 'take_control', unitId: null });
      const errors = await viewer.waitFor('error', 4);
      expect(errors.filter((e) => e.code === 'rate_limited')).toHaveLength(3);
      expect(errors.filter((e) => e.code === 'invalid_message')).toHaveLength(1);
      await until(async () => {
        const events = await h.store.events.listFor(p.id);
        expect(events.filter((e) => e.kind === 'reaction')).toHaveLength(5);
      });
      viewer.close();
    });

    it('R29: cannot be sent by a presenter', async () => {
      const p = await anna.createPresentation();
      const presenter = await rawPresenter(h, anna, p.id);
      await presenter.waitFor('snapshot');
      presenter.send({ type: 'react', kind: 'heart', unitId: null });
      const [error] = await presenter.waitFor('error');
      expect(error!.code).toBe('not_allowed');
      presenter.close();
    });
  });

  describe('live unit status', () => {
    it('R30: a unit reserved through the API updates every viewer and console within the same moment', async () => {
      const p = await anna.createPresentation();
      const presenter = await rawPresenter(h, anna, p.id);
      await presenter.waitFor('snapshot');
      const viewer = await rawViewer(h, p.token);
      await viewer.waitFor('snapshot');

      const inventory = await anna.api<{ units: { id: string; status: string }[] }>(
        'GET',
        '/api/v1/inventory',
      );
      const unit = inventory.body.units.find((u) => u.status === 'available')!;
      const dmitry = await h.login('dmitry@demo.local');
      const res = await dmitry.api<{ unit: { status: string; internal: { reservedBy: string } } }>(
        'PATCH',
        `/api/v1/inventory/units/${unit.id}`,
        { status: 'reserved' },
      );
      expect(res.status).toBe(200);
      expect(res.body.unit.internal.reservedBy).toBe('Дмитрий Козлов');

      for (const client of [viewer, presenter]) {
        const [update] = await client.waitFor('units');
        expect(update!.units).toEqual([
          expect.objectContaining({ id: unit.id, status: 'reserved' }),
        ]);
        // The buyer's copy is the public projection: no reservation details travel.
        expect(JSON.stringify(update)).not.toContain('Дмитрий');
      }

      const page = await fetch(`${h.url}/api/v1/viewer/session`, {
        headers: { 'x-viewer-token': p.token },
      });
      const body = (await page.json()) as { inventory: { units: PublicUnit[] } };
      expect(body.inventory.units.find((u) => u.id === unit.id)!.status).toBe('reserved');

      await dmitry.api('PATCH', `/api/v1/inventory/units/${unit.id}`, { status: 'available' });
      presenter.close();
      viewer.close();
    });

    it('refuses an unknown unit and an empty change', async () => {
      const missing = await anna.api('PATCH', '/api/v1/inventory/units/no-such-unit', {
        status: 'sold',
      });
      expect(missing.status).toBe(404);
      const empty = await anna.api('PATCH', '/api/v1/inventory/units/b1-s1-f2-p1', {});
      expect(empty.status).toBe(400);
    });
  });

  describe('the session record', () => {
    it('keeps devices, what was shown and for how long, reactions and hidden tabs; exports CSV', async () => {
      const p = await anna.createPresentation();
      const presenter = presenterFor(h, anna, p.id).connect();
      await until(() => expect(presenter.presenting).toBe(true));
      const viewer = await rawViewer(h, p.token, { deviceId: 'record-phone' });
      await viewer.waitFor('snapshot');

      presenter.change({ view: 'unit', unitId: 'b1-s1-f5-p2' });
      await until(() => expect(presenter.pending).toBe(0));
      h.clock.advance(90_000);
      presenter.change({ view: 'unit', unitId: 'b1-s1-f6-p2' });
      await until(() => expect(presenter.pending).toBe(0));
      h.clock.advance(30_000);
      viewer.send({ type: 'presence', visible: false });
      viewer.send({ type: 'react', kind: 'more_info', unitId: 'b1-s1-f6-p2' });
      await until(async () => {
        const kinds = (await h.store.events.listFor(p.id)).map((e) => e.kind);
        expect(kinds).toEqual(expect.arrayContaining(['viewer_hidden', 'reaction']));
      });
      h.clock.advance(10_000);
      await anna.api('POST', `/api/v1/presentations/${p.id}/end`);

      const record = await anna.api<{
        devices: { deviceId: string; leftAt: string | null }[];
        shown: { unitId: string; ms: number }[];
        reactions: { kind: string; unitId: string }[];
        hidden: { deviceId: string }[];
      }>('GET', `/api/v1/presentations/${p.id}/record`);
      expect(record.body.shown).toEqual([
        expect.objectContaining({ unitId: 'b1-s1-f5-p2', ms: 90_000 }),
        expect.objectContaining({ unitId: 'b1-s1-f6-p2', ms: 40_000 }),
      ]);
      expect(record.body.devices[0]).toMatchObject({ deviceId: 'record-phone' });
      expect(record.body.reactions).toEqual([
        expect.objectContaining({ kind: 'more_info', unitId: 'b1-s1-f6-p2' }),
      ]);
      expect(record.body.hidden).toEqual([expect.objectContaining({ deviceId: 'record-phone' })]);

      const csv = await fetch(`${h.url}/api/v1/presentations/${p.id}/record?format=csv`, {
        headers: { cookie: anna.cookie },
      });
      expect(csv.headers.get('content-type')).toContain('text/csv');
      const text = await csv.text();
      expect(text.split('\r\n')[0]).toBe('at,kind,reason,device_id,device,unit_id,view,detail');
      expect(text).toContain('reaction');
      presenter.close();
    });

    it('R32: after the end, the buyer link opens the recap of the units shown', async () => {
      const p = await anna.createPresentation();
      const presenter = presenterFor(h, anna, p.id).connect();
      await until(() => expect(presenter.presenting).toBe(true));
      presenter.change({ view: 'unit', unitId: 'b2-s1-f3-p1' });
      presenter.change({ shortlist: ['b3-s1-f9-p2'] });
      await until(() => expect(presenter.pending).toBe(0));
      await until(async () => {
        const kinds = (await h.store.events.listFor(p.id)).map((e) => e.kind);
        expect(kinds).toContain('shown');
      });
      await anna.api('POST', `/api/v1/presentations/${p.id}/end`);

      const html = await (await fetch(`${h.url}/p/${p.token}`)).text();
      const data = JSON.parse(/id="rp-bootstrap"[^>]*>(.*?)<\/script>/s.exec(html)![1]!) as {
        error: { code: string };
        recap: { unitIds: string[] };
        inventory: { units: unknown[] };
      };
      expect(data.error.code).toBe('presentation_ended');
      expect(data.recap.unitIds).toEqual(['b2-s1-f3-p1', 'b3-s1-f9-p2']);
      expect(data.inventory.units.length).toBeGreaterThan(0);

      h.clock.advance(73 * 3600_000);
      const later = await (await fetch(`${h.url}/p/${p.token}`)).text();
      expect(later).not.toContain('"recap"');
      presenter.close();
    });
  });

  describe('handing a presentation to a colleague', () => {
    it('R31: the buyer keeps the link and sees the new agent; the old agent stops presenting', async () => {
      // A fresh sign-in: earlier tests moved the clock past the first session's lifetime.
      anna = await h.login();
      const p = await anna.createPresentation();
      const annaTab = await rawPresenter(h, anna, p.id);
      await annaTab.waitFor('snapshot');
      const viewer = await rawViewer(h, p.token);
      await viewer.waitFor('snapshot');

      const res = await anna.api<{ presentation: { agent: { name: string } } }>(
        'POST',
        `/api/v1/presentations/${p.id}/handoff`,
        { toEmail: 'ekaterina@demo.local' },
      );
      expect(res.status).toBe(200);
      expect(res.body.presentation.agent.name).toBe('Екатерина Волкова');

      await until(() =>
        expect(viewer.of('lifecycle').at(-1)?.presentation.agent.name).toBe('Екатерина Волкова'),
      );
      await annaTab.waitClosed();
      expectFatal(annaTab, 'handed_off');
      expect(viewer.closeCode).toBeNull();

      const ekaterina = await h.login('ekaterina@demo.local');
      const tab = presenterFor(h, ekaterina, p.id).connect();
      await until(() => expect(tab.presenting).toBe(true));
      tab.change({ view: 'list' });
      await until(() => expect(viewer.of('patch').at(-1)?.patch.view).toBe('list'));

      const again = await anna.api('POST', `/api/v1/presentations/${p.id}/end`);
      expect(again.status).toBe(403);
      tab.close();
      viewer.close();
    });
  });
});

describe('webhooks from a running server', () => {
  const secret = 'webhook-secret-webhook-secret-0123456789';
  type Received = { type: string; valid: boolean; body: { data: Record<string, unknown> } };

  /** A real HTTP receiver that checks each signature against the harness's clock. */
  async function receiverFor(now: () => number) {
    const { createServer } = await import('node:http');
    const { verifyWebhookSignature } = await import('../src/server/webhooks/index.js');
    const received: Received[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const valid = verifyWebhookSignature(
          secret,
          String(req.headers['x-rp-signature']),
          body,
          Math.floor(now() / 1000),
        );
        received.push({
          type: String(req.headers['x-rp-event-type']),
          valid,
          body: JSON.parse(body),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    return { received, url: `http://127.0.0.1:${port}/hooks`, close: () => server.close() };
  }

  /** A node that sends its webhooks to a fresh receiver, and an agent signed in to it. */
  async function serverWithReceiver() {
    let clockNow = () => Date.now();
    const receiver = await receiverFor(() => clockNow());
    const h = await startHarness('sqlite', {
      HEARTBEAT_SECONDS: '300',
      WEBHOOK_URL: receiver.url,
      WEBHOOK_SECRET: secret,
    });
    clockNow = () => h.clock.now();
    return { receiver, received: receiver.received, h, anna: await h.login() };
  }

  it('the host system hears of creation, buyers joining and leaving, reactions and the end, signed', async () => {
    const { receiver, received, h, anna } = await serverWithReceiver();
    const p = await anna.createPresentation();
    const viewer = await rawViewer(h, p.token);
    await viewer.waitFor('snapshot');
    viewer.send({ type: 'react', kind: 'call_me', unitId: null });
    await until(async () => {
      const kinds = (await h.store.events.listFor(p.id)).map((e) => e.kind);
      expect(kinds).toContain('reaction');
    });
    viewer.close();
    await until(async () => {
      const kinds = (await h.store.events.listFor(p.id)).map((e) => e.kind);
      expect(kinds).toContain('viewer_left');
    });
    await anna.api('POST', `/api/v1/presentations/${p.id}/end`);

    await until(async () => {
      h.clock.advance(1000);
      expect(received.map((r) => r.type)).toEqual(
        expect.arrayContaining([
          'presentation.created',
          'buyer.joined',
          'reaction',
          'buyer.left',
          'presentation.ended',
        ]),
      );
    }, 10_000);
    expect(received.every((r) => r.valid)).toBe(true);
    expect(received.find((r) => r.type === 'presentation.ended')!.body.data.reason).toBe(
      'agent_ended',
    );
    // The buyer's link is a capability: it never goes to the host system.
    expect(JSON.stringify(received)).not.toContain(p.token);
    await h.close();
    receiver.close();
  });

  it('the host system hears of a re-issued link, a revoked one and a hand-off, signed', async () => {
    const { receiver, received, h, anna } = await serverWithReceiver();
    const handed = await anna.createPresentation();
    const reissued = await anna.api<{ link: { url: string } }>(
      'POST',
      `/api/v1/presentations/${handed.id}/reissue`,
    );
    expect(reissued.status).toBe(200);
    const handoff = await anna.api('POST', `/api/v1/presentations/${handed.id}/handoff`, {
      toEmail: 'ekaterina@demo.local',
    });
    expect(handoff.status).toBe(200);
    const revoked = await anna.createPresentation();
    expect((await anna.api('POST', `/api/v1/presentations/${revoked.id}/revoke`)).status).toBe(200);

    const of = (type: string, pid: string) =>
      received.filter(
        (r) =>
          r.type === type && (r.body.data as { presentationId?: string }).presentationId === pid,
      );
    await until(async () => {
      h.clock.advance(1000);
      expect(of('link.revoked', handed.id)).toHaveLength(1);
      expect(of('presentation.handed_off', handed.id)).toHaveLength(1);
      expect(of('link.revoked', revoked.id)).toHaveLength(1);
      expect(of('presentation.ended', revoked.id)).toHaveLength(1);
    }, 10_000);
    expect(received.every((r) => r.valid)).toBe(true);
    expect(of('link.revoked', handed.id)[0]!.body.data.reason).toBe('reissued');
    expect(of('link.revoked', revoked.id)[0]!.body.data.reason).toBe('revoked');
    expect(of('presentation.ended', revoked.id)[0]!.body.data.reason).toBe('revoked');
    const ekaterina = await h.store.agents.findByEmail('ekaterina@demo.local');
    expect(of('presentation.handed_off', handed.id)[0]!.body.data).toMatchObject({
      toAgentId: ekaterina!.id,
    });
    for (const link of [handed.token, revoked.token, reissued.body.link.url.split('/p/')[1]!]) {
      expect(JSON.stringify(received)).not.toContain(link);
    }
    await h.close();
    receiver.close();
  });
});
