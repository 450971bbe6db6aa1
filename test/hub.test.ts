/**
 * The hub on its own, with scripted peers: ordering, slow viewers (R23) and conflated
 * volatile updates (R26). No sockets, so buffer levels can be set exactly.
 */
import { describe, expect, it } from 'vitest';

import type { CloseReason, PresentationView, ServerMessage } from '../src/core/protocol.js';
import { initialViewState } from '../src/core/view-state.js';
import type { ViewState } from '../src/core/view-state.js';
import { Metrics } from '../src/server/metrics.js';
import { Hub } from '../src/server/realtime/hub.js';
import type { Peer } from '../src/server/realtime/hub.js';
import { MemoryBus } from '../src/server/realtime/memory-bus.js';
import { ManualClock } from './support/clock.js';

class ScriptedPeer implements Peer {
  readonly transport = 'ws' as const;
  readonly frames: ServerMessage[] = [];
  backlog = 0;
  closedWith: CloseReason | null = null;
  constructor(readonly connectionId: string) {}
  send(frame: string): void {
    this.frames.push(JSON.parse(frame) as ServerMessage);
  }
  buffered(): number {
    return this.backlog;
  }
  close(reason: CloseReason): void {
    this.closedWith = reason;
  }
  of<T extends ServerMessage['type']>(type: T) {
    return this.frames.filter((f) => f.type === type) as Extract<ServerMessage, { type: T }>[];
  }
}

const VIEW: PresentationView = {
  id: 'pr_test',
  status: 'live',
  endReason: null,
  agent: { name: 'Анна', phone: null },
  complexName: 'ЖК',
  expiresAt: new Date(0).toISOString(),
  graceEndsAt: null,
  endedAt: null,
};

async function openHub(
  stored: { seq: number; state: ViewState }[] = [],
  shared: { clock: ManualClock; bus: MemoryBus; nodeId: string } | null = null,
) {
  const clock = shared?.clock ?? new ManualClock();
  const bus = shared?.bus ?? new MemoryBus({ logSize: 100, clock, spansNodes: true });
  const hub = new Hub({
    pid: 'pr_test',
    nodeId: shared?.nodeId ?? 'n1',
    bus,
    clock,
    metrics: new Metrics(),
    view: VIEW,
    logSize: 100,
    heartbeatMs: 15_000,
    bufferCapBytes: 64 * 1024,
    persist: async (seq, state) => void stored.push({ seq, state }),
    onPresenterPresence: () => undefined,
    onLifecycle: () => undefined,
    record: () => undefined,
    onError: (err) => {
      throw err;
    },
  });
  await hub.open({ seq: 0, state: initialViewState() });
  return { hub, clock, bus };
}

describe('hub', () => {
  it('R23: a viewer over its buffer cap is skipped, then gets a snapshot once it drains', async () => {
    const { hub, clock } = await openHub();
    const presenter = new ScriptedPeer('p');
    const slow = new ScriptedPeer('slow');
    const healthy = new ScriptedPeer('ok');
    const p = hub.addPresenter(presenter, { agentId: 'a', sessionHash: null, takeover: false });
    hub.addViewer(slow, { deviceId: 'slow-device', device: 'phone', tokenHash: 't' });
    hub.addViewer(healthy, { deviceId: 'ok-device', device: 'phone', tokenHash: 't' });

    slow.backlog = 1024 * 1024;
    for (let i = 1; i <= 100; i++) hub.change(p, i, { galleryIndex: i % 50, floor: i });
    await hub.settle();

    expect(healthy.of('patch').map((f) => f.seq)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    expect(slow.of('patch')).toHaveLength(0);

    // Still stuck: nothing more is queued for it.
    hub.sweepStale(30_000);
    expect(slow.of('snapshot')).toHaveLength(1);

    slow.backlog = 0;
    hub.sweepStale(30_000);
    const snapshots = slow.of('snapshot');
    expect(snapshots).toHaveLength(2);
    expect(snapshots[1]!.seq).toBe(100);
    expect(snapshots[1]!.state).toEqual(hub.state);

    hub.change(p, 101, { view: 'list' });
    await hub.settle();
    expect(slow.of('patch').map((f) => f.seq)).toEqual([101]);
    expect(clock.now()).toBeGreaterThan(0);
  });

  it('R23: a viewer stuck over its cap for longer than allowed is closed to reconnect', async () => {
    const { hub, clock } = await openHub();
    const presenter = new ScriptedPeer('p');
    const stuck = new ScriptedPeer('stuck');
    const p = hub.addPresenter(presenter, { agentId: 'a', sessionHash: null, takeover: false });
    hub.addViewer(stuck, { deviceId: 'stuck-device', device: 'phone', tokenHash: 't' });
    stuck.backlog = 10 * 1024 * 1024;
    hub.change(p, 1, { floor: 3 });
    await hub.settle();

    clock.advance(29_000);
    hub.sweepStale(30_000);
    expect(stuck.closedWith).toBeNull();
    clock.advance(2_000);
    hub.sweepStale(30_000);
    expect(stuck.closedWith).toBe('lagging');
  });

  it('R5: acknowledges each change only after the state holding it was stored', async () => {
    const stored: { seq: number; state: ViewState }[] = [];
    const { hub } = await openHub(stored);
    const presenter = new ScriptedPeer('p');
    const p = hub.addPresenter(presenter, { agentId: 'a', sessionHash: null, takeover: false });
    for (let i = 1; i <= 10; i++) hub.change(p, i, { floor: i });
    await hub.settle();

    const acks = presenter.of('ack');
    expect(acks.map((a) => a.clientSeq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const lastStored = stored.at(-1)!;
    expect(lastStored.seq).toBe(10);
    expect(lastStored.state.floor).toBe(10);
    // Bursts share writes: never more writes than changes.
    expect(stored.length).toBeLessThanOrEqual(10);
  });

  it('R26: pointer updates are conflated to the latest and never sequenced', async () => {
    const { hub, clock } = await openHub();
    const presenter = new ScriptedPeer('p');
    const viewer = new ScriptedPeer('v');
    const p = hub.addPresenter(presenter, { agentId: 'a', sessionHash: null, takeover: false });
    hub.addViewer(viewer, { deviceId: 'viewer-device', device: 'phone', tokenHash: 't' });
    for (let i = 0; i < 50; i++) hub.volatile(p, { pointer: { x: i / 100, y: 0.5 } });
    await Promise.resolve();
    clock.advance(40);

    const volatile = viewer.of('volatile');
    expect(volatile).toHaveLength(1);
    expect(volatile[0]!.data.pointer).toEqual({ x: 0.49, y: 0.5 });
    expect(hub.seq).toBe(0);
  });

  it('R19: only the presenting tab may change the state', async () => {
    const { hub } = await openHub();
    const first = new ScriptedPeer('p1');
    const second = new ScriptedPeer('p2');
    hub.addPresenter(first, { agentId: 'a', sessionHash: null, takeover: false });
    const standby = hub.addPresenter(second, { agentId: 'a', sessionHash: null, takeover: false });
    hub.change(standby, 1, { floor: 9 });
    await hub.settle();
    expect(second.of('error')[0]).toMatchObject({ code: 'not_presenting', clientSeq: 1 });
    expect(hub.seq).toBe(0);
  });

  it("another node's viewers leave the agent's list when that node stops announcing them", async () => {
    const { hub: node1, clock, bus } = await openHub();
    const { hub: node2 } = await openHub([], { clock, bus, nodeId: 'n2' });
    const presenter = new ScriptedPeer('p');
    node1.addPresenter(presenter, { agentId: 'a', sessionHash: null, takeover: false });
    node2.addViewer(new ScriptedPeer('v'), {
      deviceId: 'phone-1',
      device: 'phone',
      tokenHash: 't',
    });
    clock.advance(200);
    const latest = () =>
      presenter
        .of('presence')
        .at(-1)!
        .viewers.map((v) => v.deviceId);
    expect(latest()).toEqual(['phone-1']);

    // Both nodes alive: each heartbeat re-announces the viewer, and it stays.
    for (let beat = 0; beat < 4; beat++) {
      clock.advance(15_000);
      await node2.checkPresenters();
      await node1.checkPresenters();
    }
    expect(latest()).toEqual(['phone-1']);
    expect(node1.deviceIds()).toEqual(new Set(['phone-1']));

    // Node 2 vanishes without a goodbye (kill -9): its viewer lapses after 2.5 heartbeats.
    node2.close();
    clock.advance(15_000);
    await node1.checkPresenters();
    expect(latest()).toEqual(['phone-1']);
    for (let beat = 0; beat < 2; beat++) {
      clock.advance(15_000);
      await node1.checkPresenters();
    }
    expect(latest()).toEqual([]);
    expect(node1.deviceIds()).toEqual(new Set());
  });

  it('a change that arrives while the hub resynchronises is not lost', async () => {
    const { hub: node1, clock, bus } = await openHub();
    const viewer = new ScriptedPeer('v');
    node1.addViewer(viewer, { deviceId: 'phone-1', device: 'phone', tokenHash: 't' });
    // The bus tells the hub to check its head, and another node appends before that check
    // has come back: the entry reaches the hub in the middle of its resynchronisation.
    void bus.signal('pr_test', { kind: 'resync' });
    void bus.append('pr_test', { floor: 9 }, { ...initialViewState(), floor: 9 });
    for (let i = 0; i < 5; i++) await Promise.resolve();
    clock.advance(0);
    await new Promise((resolve) => setTimeout(resolve, 0));

    expect(node1.seq).toBe(1);
    const last = viewer.frames.filter((f) => f.type === 'snapshot' || f.type === 'patch').at(-1)!;
    expect(last).toMatchObject({ seq: 1 });
    expect(node1.state.floor).toBe(9);
  });
});
