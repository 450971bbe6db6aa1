/**
 * The protocol over every transport — WebSocket, Server-Sent Events and long-polling — with the
 * same rules (docs/SPEC.md), the HTTP carriage's own guarantees (session keys, cursors, 404 for
 * a session another node holds), and the SDK's fallback from one transport to the next.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { ERRORS } from '../src/core/errors.js';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../src/core/protocol.js';
import type { ConnectionStatus } from '../src/sdk/index.js';
import { SseParser } from '../src/sdk/sse-parser.js';
import type { SseEvent } from '../src/sdk/sse-parser.js';
import { TRANSPORT_MEMORY_KEY } from '../src/sdk/transport-memory.js';
import { ManualClock } from './support/clock.js';
import { freePort } from './support/redis-server.js';
import { openTestStore, presenterFor, startHarness, until } from './support/harness.js';
import type { Agent, Harness } from './support/harness.js';
import {
  Dials,
  HTTP_TRANSPORTS,
  closeHarness,
  RawHttpPeer,
  TRANSPORTS,
  memoryStorage,
  presenterOver,
  rawOpen,
  rawPresenterOver,
  rawViewerOver,
  silentWebSocket,
  startNode,
  startProxy,
  viewerOver,
} from './support/transports.js';

const ENV = { RESUME_LOG_SIZE: '16', GRACE_SECONDS: '120', HEARTBEAT_SECONDS: '300' };

/** Lets timers and sockets run: for "nothing more happens" checks, never for timing. */
const settle = (ms = 250) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(TRANSPORTS)('the protocol over %s', (transport) => {
  let h: Harness;
  let anna: Agent;

  beforeAll(async () => {
    h = await startHarness('sqlite', ENV);
    anna = await h.login();
  });

  afterAll(async () => {
    await closeHarness(h);
  });

  it(`R3, R4 over ${transport}: a presenter's changes reach two viewers in order`, async () => {
    const p = await anna.createPresentation();
    const presenter = presenterOver(h, anna, p.id, transport).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    expect(presenter.transport).toBe(transport);
    const a = await rawViewerOver(h, p.token, transport);
    const b = await rawViewerOver(h, p.token, transport);
    await a.waitFor('snapshot');
    await b.waitFor('snapshot');
    expect(a.frames[0]?.type).toBe('welcome');

    for (let i = 1; i <= 20; i++) presenter.change({ galleryIndex: i });
    for (const viewer of [a, b]) {
      const patches = await viewer.waitFor('patch', 20);
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

  it(`R5 over ${transport}: a change is acknowledged with its client counter once stored`, async () => {
    const p = await anna.createPresentation();
    const presenter = await rawPresenterOver(h, anna, p.id, transport);
    await presenter.waitFor('snapshot');
    presenter.send({ type: 'change', clientSeq: 7, patch: { view: 'list' } });
    const [ack] = await presenter.waitFor('ack');
    expect(ack!.clientSeq).toBe(7);
    const row = await h.store.presentations.findById(p.id);
    expect(row!.seq).toBe(ack!.seq);
    expect(JSON.parse(row!.stateJson).view).toBe('list');
    presenter.close();
  });

  it(`R6 over ${transport}: a viewer that misses 10 changes resumes by replay to the same state`, async () => {
    const p = await anna.createPresentation();
    const presenter = presenterOver(h, anna, p.id, transport).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    const viewer = viewerOver(h, p.token, transport).connect();
    presenter.change({ view: 'list' });
    await until(() => expect(viewer.state?.view).toBe('list'));
    const seenSeq = viewer.seq;
    const seenState = viewer.state!;
    viewer.close();

    for (let i = 0; i < 10; i++) presenter.change({ galleryIndex: i + 1, highlighted: [`u${i}`] });
    await until(() => expect(presenter.pending).toBe(0));

    const raw = await rawViewerOver(h, p.token, transport, { resumeFrom: seenSeq });
    const patches = await raw.waitFor('patch', 10);
    expect(raw.of('snapshot')).toHaveLength(0);
    expect(patches.map((x) => x.seq)).toEqual(
      Array.from({ length: 10 }, (_, i) => seenSeq + i + 1),
    );

    const again = viewerOver(h, p.token, transport, {
      initial: { seq: seenSeq, state: seenState, presentation: null },
    }).connect();
    await until(() => expect(again.seq).toBe(seenSeq + 10));
    expect(again.state).toEqual(presenter.state);
    again.close();
    raw.close();
    presenter.close();
  });

  it(`R7 over ${transport}: a resume from before the log's horizon gets a snapshot, never a gap`, async () => {
    const p = await anna.createPresentation();
    const presenter = presenterOver(h, anna, p.id, transport).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    for (let i = 0; i < 40; i++) presenter.change({ galleryIndex: i });
    presenter.change({ view: 'shortlist', shortlist: ['b1-s1-f2-p1'] });
    await until(() => expect(presenter.pending).toBe(0));

    const viewer = await rawViewerOver(h, p.token, transport, { resumeFrom: 1 });
    const [snapshot] = await viewer.waitFor('snapshot');
    expect(viewer.of('patch')).toHaveLength(0);
    expect(snapshot!.seq).toBe(41);
    expect(snapshot!.state).toEqual(presenter.state);
    viewer.close();
    presenter.close();
  });

  it(`R8 over ${transport}: a viewer that sends presenter messages is refused with not_allowed`, async () => {
    const p = await anna.createPresentation();
    const viewer = await rawViewerOver(h, p.token, transport);
    await viewer.waitFor('snapshot');
    viewer.send({ type: 'change', clientSeq: 1, patch: { view: 'list' } });
    viewer.send({ type: 'takeover' });
    const errors = await viewer.waitFor('error', 2);
    expect(errors.map((e) => e.code)).toEqual(['not_allowed', 'not_allowed']);
    expect((await h.store.presentations.findById(p.id))!.seq).toBe(0);
    viewer.close();
  });

  it(`R1 over ${transport}: a session whose first message is not hello ends fatally`, async () => {
    const client = await rawOpen(h, transport, { type: 'ack', seq: 1 });
    const [error] = await client.waitFor('error');
    expect(error!.code).toBe('hello_required');
    expect(await client.waitClosed()).toEqual({ fatal: true, reason: 'protocol_error' });
  });

  it(`R2 over ${transport}: a client of another protocol version is refused precisely`, async () => {
    const p = await anna.createPresentation();
    const viewer = await rawViewerOver(h, p.token, transport, { v: PROTOCOL_VERSION + 1 });
    const [error] = await viewer.waitFor('error');
    expect(error!.code).toBe('unsupported_version');
    expect(error!.message).toContain(`version ${PROTOCOL_VERSION}`);
    expect(await viewer.waitClosed()).toEqual({ fatal: true, reason: 'unsupported_version' });
  });

  it(`R12, R16 over ${transport}: revoke cuts every viewer fatally, and none reconnects`, async () => {
    const p = await anna.createPresentation();
    const dials = new Dials();
    const viewers = [1, 2].map(() => viewerOver(h, p.token, transport, { dials }).connect());
    const statuses = viewers.map((v) => {
      const seen: ConnectionStatus[] = [];
      v.on('status', (s) => seen.push(s));
      return seen;
    });
    const closed = viewers.map(
      (v) => new Promise((resolve) => v.on('closed', (event) => resolve(event))),
    );
    await until(() => expect(viewers.every((v) => v.status === 'open')).toBe(true));

    await anna.api('POST', `/api/v1/presentations/${p.id}/revoke`);
    for (const event of await Promise.all(closed)) {
      expect(event).toEqual({
        reason: 'revoked',
        fatal: true,
        message: ERRORS.link_revoked.message,
      });
    }
    const dialled = { ...dials };
    await settle();
    expect({ ...dials }).toEqual(dialled);
    expect(dialled[transport === 'ws' ? 'ws' : 'http']).toBe(2);
    for (const seen of statuses) expect(seen).toEqual(['open', 'closed']);
    for (const viewer of viewers) {
      expect(viewer.status).toBe('closed');
      expect(viewer.presentation).toMatchObject({ status: 'ended', endReason: 'revoked' });
    }
  });

  it(`R15 over ${transport}: at expiry the session ends with the expired reason`, async () => {
    const p = await anna.createPresentation({ lifetimeMinutes: 5 });
    const viewer = await rawViewerOver(h, p.token, transport);
    await viewer.waitFor('snapshot');
    h.clock.advance(5 * 60_000);
    expect(await viewer.waitClosed()).toEqual({ fatal: true, reason: 'expired' });
    expect(viewer.of('lifecycle').at(-1)!.presentation).toMatchObject({
      status: 'ended',
      endReason: 'expired',
    });
  });

  it(`R20 over ${transport}: presence tells the agent which transport a viewer uses`, async () => {
    const p = await anna.createPresentation();
    const presenter = presenterFor(h, anna, p.id).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    const viewer = viewerOver(h, p.token, transport).connect();
    await until(() => expect(viewer.state).not.toBeNull());
    viewer.setVisible(false);
    await until(() => {
      // Presence goes out on a timer of the harness's clock: keep it moving while waiting.
      h.clock.advance(250);
      expect(presenter.viewers).toHaveLength(1);
      expect(presenter.viewers[0]).toMatchObject({ transport, visible: false });
    });
    viewer.close();
    presenter.close();
  });

  it(`R20 over ${transport}: a viewer that closes leaves presence at once, not after heartbeats`, async () => {
    const p = await anna.createPresentation();
    const presenter = presenterFor(h, anna, p.id).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    const viewer = viewerOver(h, p.token, transport).connect();
    await until(() => {
      h.clock.advance(250);
      expect(presenter.viewers).toHaveLength(1);
    });
    viewer.close();
    await until(() => {
      h.clock.advance(250);
      expect(presenter.viewers).toHaveLength(0);
    });
    presenter.close();
  });
});

describe('the HTTP carriage', () => {
  let h: Harness;
  let anna: Agent;

  beforeAll(async () => {
    h = await startHarness('sqlite', ENV);
    anna = await h.login();
  });

  afterAll(async () => {
    await closeHarness(h);
  });

  it('a session this node does not know is answered 404 not_found, with the viewer headers', async () => {
    const sid = 's_AAAAAAAAAAAAAAAA';
    const headers = { authorization: 'Bearer nope', origin: h.origin };
    const answers = [
      await fetch(`${h.url}/rt/sessions/${sid}/poll?after=0`, { headers }),
      await fetch(`${h.url}/rt/sessions/${sid}/events?after=0`, { headers }),
      await fetch(`${h.url}/rt/sessions/${sid}/messages`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ type: 'pong', t: 1 }] }),
      }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('a request with the wrong key is answered like an unknown session', async () => {
    const p = await anna.createPresentation();
    const viewer = (await rawViewerOver(h, p.token, 'poll')) as RawHttpPeer;
    await viewer.waitFor('snapshot');
    const res = await fetch(`${h.url}/rt/sessions/${viewer.sid}/poll?after=0`, {
      headers: { authorization: `Bearer ${viewer.key.replace(/.$/, '_')}x` },
    });
    expect(res.status).toBe(404);
    const sse = await fetch(`${h.url}/rt/sessions/${viewer.sid}/events?after=0`, {
      headers: { authorization: `Bearer ${viewer.key}` },
    });
    expect(sse.status).toBe(404);
    viewer.close();
  });

  it('opening a session answers 201 with the first frames, no-store and no-referrer, and no token', async () => {
    const p = await anna.createPresentation();
    const res = await fetch(`${h.url}/rt/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: h.origin },
      body: JSON.stringify({
        transport: 'poll',
        hello: {
          type: 'hello',
          v: 1,
          role: 'viewer',
          token: p.token,
          deviceId: 'dev-headers',
          device: 'phone',
        },
      }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const text = await res.text();
    expect(text).not.toContain(p.token);
    const body = JSON.parse(text) as {
      sid: string;
      key: string;
      cursor: number;
      frames: { type: string }[];
    };
    expect(body.sid).toMatch(/^s_/);
    expect(body.frames.map((f) => f.type)).toEqual(['welcome', 'snapshot']);
    expect(body.cursor).toBe(2);
  });

  it('R21 over HTTP: opening a session from a foreign origin is refused with 403', async () => {
    const p = await anna.createPresentation();
    const peer = new RawHttpPeer(h.url, 'sse', {
      origin: 'https://evil.example',
      cookie: anna.cookie,
    });
    const { status, body } = await peer.open({
      type: 'hello',
      v: PROTOCOL_VERSION,
      role: 'presenter',
      presentationId: p.id,
    });
    expect(status).toBe(403);
    expect(body).toMatchObject({ error: { code: 'origin_not_allowed' } });
  });

  it('R10 over HTTP: a body over 16 KiB is refused with 413 frame_too_large', async () => {
    const p = await anna.createPresentation();
    const viewer = (await rawViewerOver(h, p.token, 'poll')) as RawHttpPeer;
    await viewer.waitFor('snapshot');
    const big = { type: 'pong', t: 1, pad: 'x'.repeat(MAX_FRAME_BYTES) };
    expect(await viewer.post([big])).toBe(413);

    const open = new RawHttpPeer(h.url, 'poll', { origin: h.origin });
    const refused = await open.open({ type: 'hello', pad: 'x'.repeat(MAX_FRAME_BYTES) });
    expect(refused.status).toBe(413);
    expect(refused.body).toMatchObject({ error: { code: 'frame_too_large' } });
    viewer.close();
  });

  it('a body that is not JSON is refused and opens nothing', async () => {
    const res = await fetch(`${h.url}/rt/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: h.origin },
      body: 'hello',
    });
    expect(res.status).toBe(400);
  });

  it('a poll answer lost on the way is sent again: the same cursor gets the same frames', async () => {
    const p = await anna.createPresentation();
    const presenter = presenterFor(h, anna, p.id).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    const viewer = new RawHttpPeer(h.url, 'poll', { origin: h.origin });
    const { body } = await fetch(`${h.url}/rt/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: h.origin },
      body: JSON.stringify({
        transport: 'poll',
        hello: {
          type: 'hello',
          v: 1,
          role: 'viewer',
          token: p.token,
          deviceId: 'dev-retry1',
          device: 'phone',
        },
      }),
    }).then(async (res) => ({
      body: (await res.json()) as { sid: string; key: string; cursor: number },
    }));
    viewer.sid = body.sid;
    viewer.key = body.key;

    presenter.change({ view: 'list' });
    presenter.change({ view: 'grid' });
    const poll = async (after: number) => {
      const res = await fetch(`${h.url}/rt/sessions/${body.sid}/poll?after=${after}`, {
        headers: viewer.auth,
      });
      return (await res.json()) as { cursor: number; frames: { type: string; seq?: number }[] };
    };
    await until(async () => {
      const first = await poll(body.cursor);
      expect(first.frames.filter((f) => f.type === 'patch')).toHaveLength(2);
    });
    const once = await poll(body.cursor);
    const twice = await poll(body.cursor);
    expect(twice).toEqual(once);
    expect(once.frames.filter((f) => f.type === 'patch').map((f) => f.seq)).toEqual([1, 2]);

    // Confirming the cursor lets the frames go: the next answer holds only newer ones.
    presenter.change({ view: 'floor', floor: 3 });
    await until(async () => {
      const next = await poll(once.cursor);
      expect(next.frames.map((f) => f.seq)).toEqual([3]);
    });
    presenter.close();
  });

  it('an SSE stream carries cursors as event ids and resumes after Last-Event-ID', async () => {
    const p = await anna.createPresentation();
    const presenter = presenterFor(h, anna, p.id).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    const viewer = (await rawViewerOver(h, p.token, 'poll')) as RawHttpPeer;
    viewer.close();
    // A poll session refuses a stream: the carriage is fixed at opening.
    const wrong = await fetch(`${h.url}/rt/sessions/${viewer.sid}/events`, {
      headers: viewer.auth,
    });
    expect(wrong.status).toBe(404);

    const open = await fetch(`${h.url}/rt/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: h.origin },
      body: JSON.stringify({
        transport: 'sse',
        hello: {
          type: 'hello',
          v: 1,
          role: 'viewer',
          token: p.token,
          deviceId: 'dev-stream',
          device: 'phone',
        },
      }),
    });
    const session = (await open.json()) as { sid: string; key: string; cursor: number };
    for (let i = 1; i <= 3; i++) presenter.change({ galleryIndex: i });
    await until(() => expect(presenter.pending).toBe(0));

    const read = async (lastEventId: number) => {
      const controller = new AbortController();
      const res = await fetch(`${h.url}/rt/sessions/${session.sid}/events`, {
        headers: { authorization: `Bearer ${session.key}`, 'last-event-id': String(lastEventId) },
        signal: controller.signal,
      });
      const events: SseEvent[] = [];
      const parser = new SseParser();
      const reader = res.body!.getReader();
      await until(async () => {
        const { value } = await reader.read();
        parser.push(value!, (e) => events.push(e));
        expect(events.filter((e) => e.data.includes('"patch"')).length).toBeGreaterThan(0);
        expect(events.at(-1)!.data).toContain('"galleryIndex":3');
      });
      controller.abort();
      return { res, events };
    };

    const first = await read(session.cursor);
    expect(first.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(first.res.headers.get('x-accel-buffering')).toBe('no');
    expect(first.res.headers.get('cache-control')).toBe('no-store');
    expect(first.events.map((e) => Number(e.id))).toEqual([
      session.cursor + 1,
      session.cursor + 2,
      session.cursor + 3,
    ]);

    // The client had the first patch only: the stream picks up right after it.
    const second = await read(session.cursor + 1);
    expect(second.events.map((e) => Number(e.id))).toEqual([
      session.cursor + 2,
      session.cursor + 3,
    ]);
    presenter.close();
  });
});

describe('HTTP sessions and their limits', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0)) await fn();
  });

  it('one session more than the per-address cap is refused with 429', async () => {
    const local = await startHarness('sqlite', { ...ENV, MAX_CONNECTIONS_PER_IP: '2' });
    cleanup.push(() => closeHarness(local));
    const agent = await local.login();
    const p = await agent.createPresentation();
    const a = await rawViewerOver(local, p.token, 'poll');
    const b = await rawViewerOver(local, p.token, 'sse');
    await a.waitFor('snapshot');
    await b.waitFor('snapshot');
    await expect(rawViewerOver(local, p.token, 'poll')).rejects.toThrow('429');
    a.close();
    b.close();
  });

  it('R11 over HTTP: a client absent for two heartbeats is dropped and told to reconnect', async () => {
    const local = await startHarness('sqlite', { HEARTBEAT_SECONDS: '15' });
    cleanup.push(() => closeHarness(local));
    const agent = await local.login();
    const p = await agent.createPresentation();
    const presenter = presenterFor(local, agent, p.id).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    const viewer = (await rawViewerOver(local, p.token, 'poll')) as RawHttpPeer;
    await viewer.waitFor('snapshot');
    await until(() => {
      local.clock.advance(250);
      expect(presenter.viewers).toHaveLength(1);
    });

    // The client stops polling and never answers a ping.
    viewer.close();
    await settle(30);
    local.clock.advance(31_000);
    await until(() => {
      local.clock.advance(250);
      expect(presenter.viewers).toHaveLength(0);
    });

    const res = await fetch(`${local.url}/rt/sessions/${viewer.sid}/poll?after=${viewer.cursor}`, {
      headers: viewer.auth,
    });
    const batch = (await res.json()) as {
      frames: { type: string; reason?: string; retry?: boolean }[];
    };
    expect(batch.frames.at(-1)).toMatchObject({
      type: 'closing',
      reason: 'heartbeat_timeout',
      retry: true,
    });
    presenter.close();
  });
});

describe.each(HTTP_TRANSPORTS)('a session another node holds, over %s', (transport) => {
  it(`R6 over ${transport}: a node that does not know the session answers 404, and the SDK opens a new one and converges`, async () => {
    const testStore = await openTestStore('sqlite');
    const clock = new ManualClock();
    const first = await startHarness('sqlite', ENV, { store: testStore, clock });
    const anna = await first.login();
    const p = await anna.createPresentation();
    const proxy = await startProxy(first.url);

    const presenter = presenterOver(first, anna, p.id, transport, { baseUrl: proxy.url }).connect();
    const viewer = viewerOver(first, p.token, transport, { baseUrl: proxy.url }).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    for (let i = 1; i <= 5; i++) presenter.change({ galleryIndex: i });
    await until(() => expect(viewer.seq).toBe(5));
    await until(() => expect(presenter.pending).toBe(0));

    // The balancer sends the next requests to a node that never saw these sessions.
    const second = await startHarness('sqlite', ENV, { store: testStore, clock });
    proxy.switchTo(second.url);
    proxy.dropConnections();
    await until(() => expect(viewer.status).toBe('open'));
    await until(() => expect(presenter.status).toBe('open'));
    await until(() => expect(presenter.presenting).toBe(true));

    for (let i = 6; i <= 10; i++) presenter.change({ galleryIndex: i });
    await until(() => expect(presenter.pending).toBe(0));
    const stored = (await testStore.store.presentations.findById(p.id))!;
    await until(() => expect(viewer.seq).toBe(stored.seq));
    expect(viewer.state).toEqual(presenter.state);
    expect(viewer.state?.galleryIndex).toBe(10);
    expect(proxy.answers.some((a) => a.status === 404 && /^\/rt\/sessions\/s_/.test(a.path))).toBe(
      true,
    );

    viewer.close();
    presenter.close();
    await proxy.close();
    await closeHarness(second);
    await closeHarness(first);
    await testStore.drop();
  });
});

describe('automatic fallback', () => {
  let h: Harness;
  let anna: Agent;
  const cleanup: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    h = await startHarness('sqlite', ENV);
    anna = await h.login();
  });

  afterEach(async () => {
    for (const fn of cleanup.splice(0)) await fn();
    vi.unstubAllGlobals();
  });

  afterAll(async () => {
    await closeHarness(h);
  });

  it('auto mode falls back to SSE when WebSocket upgrades are refused, and remembers it', async () => {
    const storage = memoryStorage();
    vi.stubGlobal('localStorage', storage);
    const node = await startNode(h, ['sse', 'poll']);
    cleanup.push(() => node.close());
    const p = await anna.createPresentation();

    const presenter = presenterOver(h, anna, p.id, 'auto', { baseUrl: node.url }).connect();
    cleanup.push(() => presenter.close());
    await until(() => expect(presenter.presenting).toBe(true));
    expect(presenter.transport).toBe('sse');

    const viewer = viewerOver(h, p.token, 'auto', { baseUrl: node.url }).connect();
    cleanup.push(() => viewer.close());
    presenter.change({ view: 'list' });
    await until(() => expect(viewer.state?.view).toBe('list'));
    expect(viewer.transport).toBe('sse');
    const memory = JSON.parse(storage.getItem(TRANSPORT_MEMORY_KEY)!) as {
      kind: string;
      until: number;
    };
    expect(memory.kind).toBe('sse');
    expect(memory.until).toBeGreaterThan(Date.now());

    // The next page load starts where the last one succeeded: no WebSocket attempt at all.
    const dials = new Dials();
    const next = viewerOver(h, p.token, 'auto', { baseUrl: node.url, dials }).connect();
    cleanup.push(() => next.close());
    await until(() => expect(next.state?.view).toBe('list'));
    expect(dials).toMatchObject({ ws: 0, http: 1 });
  });

  it('auto mode falls back to long-polling when neither WebSocket nor SSE is offered', async () => {
    const node = await startNode(h, ['poll']);
    cleanup.push(() => node.close());
    const p = await anna.createPresentation();
    const dials = new Dials();
    const viewer = viewerOver(h, p.token, 'auto', { baseUrl: node.url, dials }).connect();
    cleanup.push(() => viewer.close());
    await until(() => expect(viewer.state).not.toBeNull());
    expect(viewer.transport).toBe('poll');
    expect(dials.ws).toBe(3);
  });

  it('auto mode moves on when a WebSocket does not reach welcome in time', async () => {
    const p = await anna.createPresentation();
    const viewer = viewerOver(h, p.token, 'auto', {
      webSocket: silentWebSocket,
      connectTimeoutMs: 200,
    }).connect();
    cleanup.push(() => viewer.close());
    await until(() => expect(viewer.state).not.toBeNull());
    expect(viewer.transport).toBe('sse');
  });

  it('attempts that fail while the device is offline do not move auto mode off WebSocket', async () => {
    vi.stubGlobal('navigator', { onLine: false });
    const p = await anna.createPresentation();
    const dials = new Dials();
    // Nothing listens there: every attempt fails at once, as it does without a network.
    const viewer = viewerOver(h, p.token, 'auto', {
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      dials,
    }).connect();
    cleanup.push(() => viewer.close());
    await until(() => expect(dials.ws).toBeGreaterThan(4));
    expect(viewer.status).toBe('offline');
    expect(viewer.transport).toBe('ws');
    expect(dials.http).toBe(0);
  });

  it('a forced transport is used even when another is remembered', async () => {
    const storage = memoryStorage();
    storage.setItem(
      TRANSPORT_MEMORY_KEY,
      JSON.stringify({ kind: 'sse', until: Date.now() + 60_000 }),
    );
    vi.stubGlobal('localStorage', storage);
    const p = await anna.createPresentation();
    const dials = new Dials();
    const viewer = viewerOver(h, p.token, 'ws', { dials }).connect();
    cleanup.push(() => viewer.close());
    await until(() => expect(viewer.state).not.toBeNull());
    expect(viewer.transport).toBe('ws');
    expect(dials).toMatchObject({ ws: 1, http: 0 });
  });
});

describe('the SSE parser', () => {
  it('reads events split anywhere, with CRLF, CR or LF line ends, comments and multi-line data', () => {
    const stream =
      ': hello\r\nid: 1\r\ndata: {"a":1}\r\n\r\nid: 2\rdata: line one\rdata: line two\r\rdata: x\n\n';
    for (let size = 1; size <= stream.length; size++) {
      const parser = new SseParser();
      const events: SseEvent[] = [];
      const comments: string[] = [];
      const bytes = new TextEncoder().encode(stream);
      for (let i = 0; i < bytes.length; i += size) {
        parser.push(
          bytes.slice(i, i + size),
          (e) => events.push(e),
          (c) => comments.push(c),
        );
      }
      expect(events).toEqual([
        { id: '1', event: 'message', data: '{"a":1}' },
        { id: '2', event: 'message', data: 'line one\nline two' },
        { id: '2', event: 'message', data: 'x' },
      ]);
      expect(comments).toEqual(['hello']);
    }
  });

  it('keeps multi-byte characters whole across chunk boundaries', () => {
    const bytes = new TextEncoder().encode('data: Анна\n\n');
    const parser = new SseParser();
    const events: SseEvent[] = [];
    for (const byte of bytes) parser.push(new Uint8Array([byte]), (e) => events.push(e));
    expect(events.map((e) => e.data)).toEqual(['Анна']);
  });
});
