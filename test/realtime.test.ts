/**
 * The protocol and the session lifecycle over real sockets, on SQLite and on PostgreSQL.
 * Test names cite the numbered rules of docs/SPEC.md.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CLOSE_FATAL, MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../src/core/protocol.js';
import { initialViewState } from '../src/core/view-state.js';
import {
  PRESENTER_TOKEN_AUDIENCE,
  mintPresenterToken,
} from '../src/server/agents/presenter-token.js';
import type { ViewState } from '../src/core/view-state.js';
import {
  BACKENDS,
  RawClient,
  expectFatal,
  presenterFor,
  rawPresenter,
  rawViewer,
  startHarness,
  until,
  viewerFor,
} from './support/harness.js';
import type { Agent, Harness } from './support/harness.js';

describe.each(BACKENDS)('realtime on %s', (backend) => {
  let h: Harness;
  let anna: Agent;

  beforeAll(async () => {
    // The heartbeat is long here because tests jump the clock by minutes; R11 tests it alone.
    h = await startHarness(backend, {
      RESUME_LOG_SIZE: '16',
      GRACE_SECONDS: '120',
      HEARTBEAT_SECONDS: '300',
    });
    anna = await h.login();
  });

  afterAll(async () => {
    await h.close();
  });

  it("R3, R4: a presenter's changes reach two viewers in order", async () => {
    const p = await anna.createPresentation();
    const presenter = presenterFor(h, anna, p.id).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    const a = await rawViewer(h, p.token);
    const b = await rawViewer(h, p.token);
    await a.waitFor('snapshot');
    await b.waitFor('snapshot');

    for (let i = 1; i <= 20; i++) presenter.change({ galleryIndex: i });
    await a.waitFor('patch', 20);
    await b.waitFor('patch', 20);

    for (const viewer of [a, b]) {
      const patches = viewer.of('patch');
      const start = viewer.of('snapshot')[0]!.seq;
      expect(patches.map((x) => x.seq)).toEqual(
        Array.from({ length: 20 }, (_, i) => start + i + 1),
      );
      expect(patches.map((x) => x.patch.galleryIndex)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
    }
    presenter.close();
    a.close();
    b.close();
  });

  it('R3: a viewer receives welcome, then a snapshot of the current state', async () => {
    const state: ViewState = {
      ...initialViewState(),
      view: 'grid',
      buildingId: 'b1',
      sectionId: 'b1-s1',
    };
    const p = await anna.createPresentation({ state });
    const viewer = await rawViewer(h, p.token);
    const [welcome] = await viewer.waitFor('welcome');
    const [snapshot] = await viewer.waitFor('snapshot');
    expect(viewer.frames[0]?.type).toBe('welcome');
    expect(welcome!.presentation.agent.name).toBe('Анна Смирнова');
    expect(snapshot!.state).toEqual(state);
    viewer.close();
  });

  it('R5: a change is acknowledged with its client counter once stored', async () => {
    const p = await anna.createPresentation();
    const presenter = await rawPresenter(h, anna, p.id);
    await presenter.waitFor('snapshot');
    presenter.send({ type: 'change', clientSeq: 7, patch: { view: 'list' } });
    const [ack] = await presenter.waitFor('ack');
    expect(ack!.clientSeq).toBe(7);
    const row = await h.store.presentations.findById(p.id);
    expect(row!.seq).toBe(ack!.seq);
    expect(JSON.parse(row!.stateJson).view).toBe('list');
    presenter.close();
  });

  it('R6: a viewer that misses 10 changes resumes by replay to the same state', async () => {
    const p = await anna.createPresentation();
    const presenter = presenterFor(h, anna, p.id).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    const viewer = viewerFor(h, p.token).connect();
    await until(() => expect(viewer.state).not.toBeNull());
    presenter.change({ view: 'list' });
    await until(() => expect(viewer.state?.view).toBe('list'));
    const seenSeq = viewer.seq;
    viewer.close();

    for (let i = 0; i < 10; i++) presenter.change({ galleryIndex: i + 1, highlighted: [`u${i}`] });
    await until(() => expect(presenter.pending).toBe(0));

    const again = await rawViewer(h, p.token, { resumeFrom: seenSeq });
    const patches = await again.waitFor('patch', 10);
    expect(again.of('snapshot')).toHaveLength(0);
    expect(patches.map((x) => x.seq)).toEqual(
      Array.from({ length: 10 }, (_, i) => seenSeq + i + 1),
    );
    expect(patches.at(-1)!.patch).toEqual({ galleryIndex: 10, highlighted: ['u9'] });
    again.close();
    presenter.close();
  });

  it("R7: a resume from before the log's horizon gets a snapshot, never a gap", async () => {
    const p = await anna.createPresentation();
    const presenter = presenterFor(h, anna, p.id).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    for (let i = 0; i < 60; i++) presenter.change({ galleryIndex: i % 50 });
    presenter.change({ view: 'shortlist', shortlist: ['b1-s1-f2-p1'] });
    await until(() => expect(presenter.pending).toBe(0));

    const viewer = await rawViewer(h, p.token, { resumeFrom: 1 });
    const [snapshot] = await viewer.waitFor('snapshot');
    expect(viewer.of('patch')).toHaveLength(0);
    expect(snapshot!.seq).toBe(61);
    expect(snapshot!.state).toEqual(presenter.state);
    viewer.close();
    presenter.close();
  });

  it('R8: a viewer that sends presenter messages is refused with not_allowed', async () => {
    const p = await anna.createPresentation();
    const viewer = await rawViewer(h, p.token);
    await viewer.waitFor('snapshot');
    viewer.send({ type: 'change', clientSeq: 1, patch: { view: 'list' } });
    viewer.send({ type: 'takeover' });
    const errors = await viewer.waitFor('error', 2);
    expect(errors.map((e) => e.code)).toEqual(['not_allowed', 'not_allowed']);
    const row = await h.store.presentations.findById(p.id);
    expect(row!.seq).toBe(0);
    viewer.close();
  });

  it('R9: malformed, mistyped and unknown messages get invalid_message and change nothing', async () => {
    const p = await anna.createPresentation();
    const presenter = await rawPresenter(h, anna, p.id);
    await presenter.waitFor('snapshot');
    presenter.sendText('{not json');
    presenter.send({ type: 'change', clientSeq: 1, patch: { view: 'penthouse' } });
    presenter.send({ type: 'teleport' });
    presenter.sendText('{"type":"change","clientSeq":2,"patch":{"__proto__":{"polluted":true}}}');
    const errors = await presenter.waitFor('error', 4);
    expect(errors.every((e) => e.code === 'invalid_message')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await h.store.presentations.findById(p.id))!.seq).toBe(0);
    presenter.close();
  });

  it('R10: a frame over the size limit closes the socket with 1009', async () => {
    const p = await anna.createPresentation();
    const viewer = await rawViewer(h, p.token);
    await viewer.waitFor('snapshot');
    viewer.sendText(JSON.stringify({ type: 'pong', t: 1, pad: 'x'.repeat(MAX_FRAME_BYTES) }));
    const closed = await viewer.waitClosed();
    expect(closed.code).toBe(1009);
  });

  it('R2: a client of another protocol version is refused precisely', async () => {
    const p = await anna.createPresentation();
    const viewer = await rawViewer(h, p.token, { v: PROTOCOL_VERSION + 1 });
    const [error] = await viewer.waitFor('error');
    expect(error!.code).toBe('unsupported_version');
    expect(error!.message).toContain(`version ${PROTOCOL_VERSION}`);
    await viewer.waitClosed();
    expectFatal(viewer, 'unsupported_version');
  });

  it('R1: a socket whose first message is not hello is closed', async () => {
    const client = new RawClient(h.url, { origin: h.origin });
    await client.opened;
    client.send({ type: 'ack', seq: 1 });
    const [error] = await client.waitFor('error');
    expect(error!.code).toBe('hello_required');
    await client.waitClosed();
    expectFatal(client, 'protocol_error');
  });

  it('R24: unknown, malformed, revoked, expired and ended links are refused distinctly', async () => {
    const unknown = await rawViewer(h, 'A'.repeat(43));
    await unknown.waitClosed();
    expectFatal(unknown, 'invalid_link');

    const malformed = await rawViewer(h, "' OR 1=1 --");
    await malformed.waitClosed();
    expectFatal(malformed, 'invalid_link');

    const revoked = await anna.createPresentation();
    await anna.api('POST', `/api/v1/presentations/${revoked.id}/revoke`);
    const r = await rawViewer(h, revoked.token);
    await r.waitClosed();
    expectFatal(r, 'revoked');

    const ended = await anna.createPresentation();
    await anna.api('POST', `/api/v1/presentations/${ended.id}/end`);
    const e = await rawViewer(h, ended.token);
    await e.waitClosed();
    expectFatal(e, 'ended');
    expect(e.of('closing')[0]!.retry).toBe(false);
  });

  it('R16: revoke cuts every connected viewer and the token is refused afterwards', async () => {
    const p = await anna.createPresentation();
    const viewers = await Promise.all([1, 2, 3].map(() => rawViewer(h, p.token)));
    await Promise.all(viewers.map((v) => v.waitFor('snapshot')));

    const res = await anna.api<{ presentation: { status: string; endReason: string } }>(
      'POST',
      `/api/v1/presentations/${p.id}/revoke`,
    );
    expect(res.body.presentation).toMatchObject({ status: 'ended', endReason: 'revoked' });
    for (const v of viewers) {
      await v.waitClosed();
      expectFatal(v, 'revoked');
    }
    const page = await fetch(`${h.url}/p/${p.token}`);
    expect(page.status).toBe(410);
  });

  it('R17: re-issuing a link cuts the old link only; the presentation goes on', async () => {
    const p = await anna.createPresentation();
    const old = await rawViewer(h, p.token);
    await old.waitFor('snapshot');
    const res = await anna.api<{ link: { url: string }; presentation: { status: string } }>(
      'POST',
      `/api/v1/presentations/${p.id}/reissue`,
    );
    expect(res.status).toBe(200);
    await old.waitClosed();
    expectFatal(old, 'revoked');

    const fresh = await rawViewer(h, res.body.link.url.split('/p/')[1]!);
    await fresh.waitFor('snapshot');
    expect(fresh.closeCode).toBeNull();
    fresh.close();
  });

  it('R15: at expiry, open sockets close with the expired reason and the link answers 410', async () => {
    const p = await anna.createPresentation({ lifetimeMinutes: 5 });
    const viewer = await rawViewer(h, p.token);
    await viewer.waitFor('snapshot');

    h.clock.advance(5 * 60_000 - 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(viewer.closeCode).toBeNull();

    h.clock.advance(1);
    await viewer.waitClosed();
    expectFatal(viewer, 'expired');
    const lifecycle = viewer.of('lifecycle').at(-1)!;
    expect(lifecycle.presentation).toMatchObject({ status: 'ended', endReason: 'expired' });
    expect((await fetch(`${h.url}/p/${p.token}`)).status).toBe(410);
  });

  it('R13, R14: the agent leaving shows "agent away"; past the grace period the presentation ends', async () => {
    const p = await anna.createPresentation();
    const presenter = presenterFor(h, anna, p.id).connect();
    const viewer = viewerFor(h, p.token).connect();
    await until(() => expect(viewer.presentation?.status).toBe('live'));

    presenter.close();
    await until(() => expect(viewer.presentation?.status).toBe('agent_away'));
    expect(viewer.presentation?.graceEndsAt).not.toBeNull();

    h.clock.advance(119_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(viewer.presentation?.status).toBe('agent_away');

    h.clock.advance(1_000);
    await until(() => expect(viewer.presentation?.status).toBe('ended'));
    expect(viewer.presentation?.endReason).toBe('grace_timeout');
    await until(() => expect(viewer.status).toBe('closed'));
  });

  it('R13: an agent who returns within the grace period is live again', async () => {
    const p = await anna.createPresentation();
    const first = presenterFor(h, anna, p.id).connect();
    const viewer = viewerFor(h, p.token).connect();
    await until(() => expect(viewer.presentation?.status).toBe('live'));
    first.close();
    await until(() => expect(viewer.presentation?.status).toBe('agent_away'));

    h.clock.advance(60_000);
    const second = presenterFor(h, anna, p.id).connect();
    await until(() => expect(viewer.presentation?.status).toBe('live'));
    second.change({ view: 'floor', floor: 7 });
    await until(() => expect(viewer.state?.floor).toBe(7));
    const kinds = (await h.store.events.listFor(p.id)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['created', 'live', 'agent_away']));
    second.close();
    viewer.close();
  });

  it('R19: a second tab stands by, says so, and can take over', async () => {
    const p = await anna.createPresentation();
    const tab1 = presenterFor(h, anna, p.id).connect();
    await until(() => expect(tab1.presenting).toBe(true));
    const tab2 = presenterFor(h, anna, p.id).connect();
    await until(() => expect(tab2.status).toBe('open'));
    expect(tab2.presenting).toBe(false);
    expect(tab2.change({ view: 'list' })).toBe(false);

    tab2.takeover();
    await until(() => expect(tab2.presenting).toBe(true));
    await until(() => expect(tab1.presenting).toBe(false));
    tab2.change({ view: 'unit', unitId: 'b1-s1-f5-p2' });
    await until(() => expect(tab1.state.unitId).toBe('b1-s1-f5-p2'));
    tab1.close();
    tab2.close();
  });

  it('R18: one device more than the cap is refused with too_many_devices', async () => {
    const local = await startHarness(backend, { MAX_DEVICES: '2', HEARTBEAT_SECONDS: '300' });
    const agent = await local.login();
    const p = await agent.createPresentation();
    const a = await rawViewer(local, p.token, { deviceId: 'device-aaaa' });
    const b = await rawViewer(local, p.token, { deviceId: 'device-bbbb' });
    await a.waitFor('snapshot');
    await b.waitFor('snapshot');
    const sameDevice = await rawViewer(local, p.token, { deviceId: 'device-aaaa' });
    await sameDevice.waitFor('snapshot');
    const c = await rawViewer(local, p.token, { deviceId: 'device-cccc' });
    await c.waitClosed();
    expectFatal(c, 'too_many_devices');
    expect(c.of('closing')[0]!.message).toContain('2 devices');
    await local.close();
  });

  it('R20: presence tells the agent which devices watch, whether visible, and their lag', async () => {
    const p = await anna.createPresentation();
    const presenter = presenterFor(h, anna, p.id).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    const viewer = viewerFor(h, p.token).connect();
    await until(() => expect(viewer.state).not.toBeNull());
    presenter.change({ view: 'list' });
    await until(() => expect(viewer.state?.view).toBe('list'));
    viewer.setVisible(false);
    await new Promise((r) => setTimeout(r, 30));
    h.clock.advance(250);

    await until(() => {
      expect(presenter.viewers).toHaveLength(1);
      expect(presenter.viewers[0]).toMatchObject({
        device: 'phone',
        visible: false,
        transport: 'ws',
      });
      expect(presenter.viewers[0]!.lagMs).not.toBeNull();
    });
    viewer.close();
    presenter.close();
  });

  it('R11: a peer silent for two heartbeats is closed so it reconnects', async () => {
    const local = await startHarness(backend, { HEARTBEAT_SECONDS: '15' });
    const agent = await local.login();
    const p = await agent.createPresentation();
    const viewer = await rawViewer(local, p.token);
    await viewer.waitFor('snapshot');

    local.clock.advance(15_000);
    const [ping] = await viewer.waitFor('ping');
    expect(ping!.t).toBe(local.clock.now());
    expect(viewer.closeCode).toBeNull();

    // The raw client never answers: after two beats of silence the server gives up on it.
    local.clock.advance(30_000);
    const closed = await viewer.waitClosed();
    expect(closed).toEqual({ code: 4002, reason: 'heartbeat_timeout' });
    expect(viewer.of('closing')[0]!.retry).toBe(true);
    await local.close();
  });

  it('R11: heartbeats go out in slices spread over the interval, each connection once a beat', async () => {
    const local = await startHarness(backend, { HEARTBEAT_SECONDS: '20' });
    const pings = new Map<number, number[]>();
    for (let i = 0; i < 40; i++) {
      pings.set(i, []);
      local.server.realtime.track({
        heartbeat: (now) => {
          pings.get(i)!.push(now);
          return true;
        },
        close: () => undefined,
      });
    }
    const start = local.clock.now();
    const pinged = () => [...pings.values()].filter((times) => times.length > 0).length;

    // A twentieth of the beat pings a twentieth of the connections, not all of them.
    local.clock.advance(1000);
    expect(pinged()).toBe(2);
    local.clock.advance(19_000);
    expect(pinged()).toBe(40);
    const first = [...pings.values()].map((times) => times[0]! - start);
    expect(new Set(first).size).toBe(20);
    // The next beat visits each at the same point of the beat.
    local.clock.advance(20_000);
    for (const times of pings.values())
      expect(times.map((t) => t - times[0]!)).toEqual([0, 20_000]);
    await local.close();
  });

  it('R21: a socket upgrade from a foreign origin is refused before the handshake', async () => {
    const client = new RawClient(h.url, { origin: 'https://evil.example', cookie: anna.cookie });
    await expect(client.opened).rejects.toThrow('403');
  });

  it("R25: signing out closes the agent's live sockets for good", async () => {
    const agent = await h.login('dmitry@demo.local');
    const p = await agent.createPresentation();
    const presenter = presenterFor(h, agent, p.id).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    const res = await agent.api('POST', '/api/v1/auth/logout');
    expect(res.status).toBe(204);
    await until(() => expect(presenter.status).toBe('closed'));

    const again = await rawPresenter(h, agent, p.id);
    await again.waitClosed();
    expectFatal(again, 'unauthorized');
  });

  it('R22: a presenter token from an integrating backend presents without a login', async () => {
    const { mintPresenterToken } = await import('../src/server/agents/presenter-token.js');
    const secret = 'integration-secret-integration-secret-0123';
    const token = await mintPresenterToken(secret, {
      agentId: 'crm-42',
      name: 'Олег',
      phone: null,
    });
    const res = await fetch(`${h.url}/api/v1/presentations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ buyer: { name: 'Buyer', contact: 'buyer@example.com' } }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as {
      presentation: { id: string; agent: { name: string } };
      link: { url: string };
    };
    expect(body.presentation.agent.name).toBe('Олег');

    const { PresenterClient } = await import('../src/sdk/index.js');
    const { wsFactory } = await import('./support/harness.js');
    const presenter = new PresenterClient({
      baseUrl: h.url,
      presentationId: body.presentation.id,
      auth: () => mintPresenterToken(secret, { agentId: 'crm-42', name: 'Олег', phone: null }),
      webSocket: wsFactory(),
    }).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    presenter.close();

    const forged = await mintPresenterToken('another-secret-another-secret-0123456', {
      agentId: 'crm-42',
      name: 'Олег',
      phone: null,
    });
    const refused = await fetch(`${h.url}/api/v1/presentations`, {
      headers: { authorization: `Bearer ${forged}` },
    });
    expect(refused.status).toBe(401);
  });

  it('R22: a socket admitted with a presenter token is closed, retryably, when the token expires', async () => {
    const secret = new TextEncoder().encode('integration-secret-integration-secret-0123');
    // Whole seconds on the test's clock, so the token's exp is an exact instant on it.
    const iat = Math.floor(h.clock.now() / 1000);
    const exp = iat + 120;
    const token = await new SignJWT({ name: 'Олег' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('crm-expiring')
      .setAudience(PRESENTER_TOKEN_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(secret);
    const created = await fetch(`${h.url}/api/v1/presentations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ buyer: { name: 'Buyer', contact: 'buyer@example.com' } }),
    });
    const { presentation } = (await created.json()) as { presentation: { id: string } };
    const socket = new RawClient(h.url, { origin: h.origin });
    await socket.opened;
    socket.send({
      type: 'hello',
      v: PROTOCOL_VERSION,
      role: 'presenter',
      presentationId: presentation.id,
      auth: token,
    });
    await socket.waitFor('snapshot');

    // One millisecond before exp the socket is open: it still answers (a presenter's react is
    // refused with an error, after anything the clock set off).
    h.clock.advance(exp * 1000 - 1 - h.clock.now());
    socket.send({ type: 'react', kind: 'heart', unitId: null });
    await socket.waitFor('error');
    expect(socket.of('closing')).toEqual([]);
    expect(socket.closeCode).toBeNull();

    h.clock.advance(1);
    const closed = await socket.waitClosed();
    // Retryable: the SDK reconnects at once and asks its auth callback for a fresh token.
    expect(closed).toEqual({ code: 4002, reason: 'credentials_expired' });
    expect(socket.of('closing')[0]).toMatchObject({ reason: 'credentials_expired', retry: true });
    expect(socket.of('closing')[0]!.message).toContain('expired');

    // The same token is refused from now on; only a fresh one gets back in.
    const again = new RawClient(h.url, { origin: h.origin });
    await again.opened;
    again.send({
      type: 'hello',
      v: PROTOCOL_VERSION,
      role: 'presenter',
      presentationId: presentation.id,
      auth: token,
    });
    await again.waitClosed();
    expectFatal(again, 'unauthorized');
  });

  it("R22: a presenter token with a changed name or phone shows them in the buyer's presentation view", async () => {
    const secret = 'integration-secret-integration-secret-0123';
    const as = (name: string, phone: string | null = null) =>
      mintPresenterToken(secret, { agentId: 'crm-renamed', name, phone });
    const created = await fetch(`${h.url}/api/v1/presentations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await as('Олег')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ buyer: { name: 'Buyer', contact: 'buyer@example.com' } }),
    });
    const body = (await created.json()) as {
      presentation: { id: string };
      link: { url: string };
    };
    const link = body.link.url.split('/p/')[1]!;
    const viewer = await rawViewer(h, link);
    const [welcome] = await viewer.waitFor('welcome');
    expect(welcome!.presentation.agent).toEqual({ name: 'Олег', phone: null });

    // The agent comes back through the integrating admin under its new name.
    const presenter = new RawClient(h.url, { origin: h.origin });
    await presenter.opened;
    presenter.send({
      type: 'hello',
      v: PROTOCOL_VERSION,
      role: 'presenter',
      presentationId: body.presentation.id,
      auth: await as('Олег Сидоров'),
    });
    await presenter.waitFor('snapshot');
    await until(() =>
      expect(viewer.of('lifecycle').at(-1)?.presentation.agent.name).toBe('Олег Сидоров'),
    );
    const page = await (await fetch(`${h.url}/p/${link}`)).text();
    expect(page).toContain('Олег Сидоров');

    // A new phone on an API call, with no change of status: the buyer is told all the same.
    const res = await fetch(`${h.url}/api/v1/presentations/${body.presentation.id}`, {
      headers: { authorization: `Bearer ${await as('Олег Сидоров', '+7 900 111-22-33')}` },
    });
    expect(res.status).toBe(200);
    await until(() =>
      expect(viewer.of('lifecycle').at(-1)?.presentation.agent).toEqual({
        name: 'Олег Сидоров',
        phone: '+7 900 111-22-33',
      }),
    );
    expect(viewer.of('lifecycle').at(-1)?.presentation.status).toBe('live');
    presenter.close();
    viewer.close();
  });

  it("R28: another agent cannot present, extend or end someone else's presentation", async () => {
    const p = await anna.createPresentation();
    const other = await h.login('ekaterina@demo.local');
    for (const action of ['extend', 'end', 'revoke', 'reissue']) {
      const res = await other.api<{ error: { code: string } }>(
        'POST',
        `/api/v1/presentations/${p.id}/${action}`,
        action === 'extend' ? { minutes: 10 } : undefined,
      );
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    const socket = await rawPresenter(h, other, p.id);
    await socket.waitClosed();
    expectFatal(socket, 'forbidden');
    expect(CLOSE_FATAL).toBe(4001);
  });
});
