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
import type { BusListener } from '../src/server/realtime/bus.js';
import { MemoryBus } from '../src/server/realtime/memory-bus.js';
import { ManualClock } from './support/clock.js';

/**
 * A bus with Redis's failure modes, on the in-process one: a node's subscription that hears
 * nothing for a while (`deafen`), a SUBSCRIBE that Redis takes only later (`holdSubscribes`),
 * and a restart that loses every key (`drop`).
 */
class FaultyBus extends MemoryBus {
  readonly #deaf = new Set<BusListener>();
  #held: (() => void)[] | null = null;
  readonly listeners: BusListener[] = [];

  override async subscribe(pid: string, listener: BusListener): Promise<() => void> {
    if (this.#held) await new Promise<void>((resolve) => this.#held!.push(resolve));
    const gated: BusListener = {
      entry: (entry) => this.#deaf.has(gated) || listener.entry(entry),
      signal: (signal) => this.#deaf.has(gated) || listener.signal(signal),
      resync: () => listener.resync?.(),
    };
    this.listeners.push(gated);
    return super.subscribe(pid, gated);
  }

  /** The most recent subscription hears nothing until `hear` is called. */
  deafenLast(): () => void {
    const listener = this.listeners.at(-1)!;
    this.#deaf.add(listener);
    return () => this.#deaf.delete(listener);
  }

  holdSubscribes(): () => void {
    this.#held = [];
    return () => {
      const held = this.#held ?? [];
      this.#held = null;
      for (const resolve of held) resolve();
    };
  }
}

/** Lets every pending promise callback run. */
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

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

  it('R33: a hub whose subscription missed its own change still numbers the next after it, through a bus that lost its data', async () => {
    const clock = new ManualClock();
    const bus = new FaultyBus({ logSize: 100, clock, spansNodes: true });
    const { hub: node1 } = await openHub([], { clock, bus, nodeId: 'n1' });
    const hearAgain = bus.deafenLast();
    const { hub: node2 } = await openHub([], { clock, bus, nodeId: 'n2' });
    const presenter = new ScriptedPeer('p');
    const p = node1.addPresenter(presenter, { agentId: 'a', sessionHash: null, takeover: false });
    const onNode1 = new ScriptedPeer('v1');
    const onNode2 = new ScriptedPeer('v2');
    node1.addViewer(onNode1, { deviceId: 'phone-1', device: 'phone', tokenHash: 't' });
    node2.addViewer(onNode2, { deviceId: 'phone-2', device: 'phone', tokenHash: 't' });

    node1.change(p, 1, { floor: 3 });
    await node1.settle();
    expect(node1.seq).toBe(1);
    expect(onNode1.of('patch').map((f) => f.patch)).toEqual([{ floor: 3 }]);
    expect(node2.state.floor).toBe(3);

    // Redis restarts empty; the presenter's node is the first to check and re-seed it.
    hearAgain();
    await bus.drop('pr_test');
    for (const listener of bus.listeners) listener.resync?.();
    await flush();
    node1.change(p, 2, { floor: 7 });
    await node1.settle();
    await flush();

    expect(node1.seq).toBeGreaterThan(1);
    expect(node2.seq).toBe(node1.seq);
    expect(node2.state).toEqual(node1.state);
    expect(node2.state.floor).toBe(7);
    const last = onNode2.frames.filter((f) => f.type === 'snapshot' || f.type === 'patch').at(-1);
    expect(last).toMatchObject({ seq: node1.seq });
  });

  it('R33: a change published while a hub opens reaches that hub', async () => {
    const clock = new ManualClock();
    const bus = new FaultyBus({ logSize: 100, clock, spansNodes: true });
    const { hub: node1 } = await openHub([], { clock, bus, nodeId: 'n1' });
    const p = node1.addPresenter(new ScriptedPeer('p'), {
      agentId: 'a',
      sessionHash: null,
      takeover: false,
    });

    // Node 2's SUBSCRIBE is still on its way to Redis when node 1 appends.
    const release = bus.holdSubscribes();
    const opened = openHub([], { clock, bus, nodeId: 'n2' });
    await flush();
    node1.change(p, 1, { floor: 5 });
    await node1.settle();
    release();
    const { hub: node2 } = await opened;
    const viewer = new ScriptedPeer('v');
    node2.addViewer(viewer, { deviceId: 'phone-1', device: 'phone', tokenHash: 't' });

    expect(node2.seq).toBe(1);
    expect(viewer.of('snapshot')[0]).toMatchObject({ seq: 1, state: { floor: 5 } });
  });

  it('R33: a hub holding another state under the same number as the bus takes the bus’s on resync', async () => {
    const clock = new ManualClock();
    const bus = new FaultyBus({ logSize: 100, clock, spansNodes: true });
    const { hub: node1 } = await openHub([], { clock, bus, nodeId: 'n1' });
    const viewer = new ScriptedPeer('v');
    node1.addViewer(viewer, { deviceId: 'phone-1', device: 'phone', tokenHash: 't' });
    await bus.append('pr_test', { floor: 3 }, { ...initialViewState(), floor: 3 });
    expect(node1.state.floor).toBe(3);

    // Redis came back empty and another node, unaware of entry 1, numbered its change 1 too.
    await bus.drop('pr_test');
    await bus.seed('pr_test', { seq: 1, state: { ...initialViewState(), floor: 8 } });
    void bus.signal('pr_test', { kind: 'resync' });
    await flush();

    expect(node1.seq).toBe(1);
    expect(node1.state.floor).toBe(8);
    expect(viewer.of('snapshot').at(-1)).toMatchObject({ seq: 1, state: { floor: 8 } });
  });
});
