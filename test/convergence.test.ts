/**
 * Convergence under faults, as a property. Random histories of presenter changes, delayed and
 * lost messages, viewer and presenter reconnects, and server crashes and restarts run against
 * the real Hub and MemoryBus, with scripted clients that behave like the SDK's (resume from the
 * last sequence; the presenter reconciles its own state against a snapshot). Every frame is
 * recorded and the history is checked afterwards, Jepsen-style, against R4, R5 and the
 * promise of docs/PROTOCOL.md: every viewer converges to the latest state, in order, without
 * gaps.
 *
 * The network is modelled per connection as two queues (client → server and server → client)
 * that the history drains a few messages at a time; a disconnect loses whatever both still hold.
 * Storage is a single row written only when the history says so, so a crash loses every write
 * the hub had not yet seen complete — exactly what it had not yet acknowledged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { PresentationView, ServerMessage } from '../src/core/protocol.js';
import { VIEWS, applyPatch, diffViewState, initialViewState } from '../src/core/view-state.js';
import type { ViewName, ViewPatch, ViewState } from '../src/core/view-state.js';
import { Metrics } from '../src/server/metrics.js';
import { Hub } from '../src/server/realtime/hub.js';
import type { Peer, PresenterContext, ViewerContext } from '../src/server/realtime/hub.js';
import { MemoryBus } from '../src/server/realtime/memory-bus.js';
import { ManualClock } from './support/clock.js';

const PID = 'pr_convergence';
const VIEWERS = 3;
/** Small, so resumes often reach past the log's horizon and get a snapshot (R7). */
const LOG_SIZE = 4;
const RUNS = 1000;

const VIEW: PresentationView = {
  id: PID,
  status: 'live',
  endReason: null,
  agent: { name: 'Анна', phone: null },
  complexName: 'ЖК',
  expiresAt: new Date(0).toISOString(),
  graceEndsAt: null,
  endedAt: null,
};

type UpMessage =
  { type: 'change'; clientSeq: number; patch: ViewPatch } | { type: 'resume'; seq: number };

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const json = (state: ViewState) => JSON.stringify(state);

/** One connection: what each side sent that the other has not yet received. */
class Wire implements Peer {
  readonly transport = 'ws' as const;
  readonly down: ServerMessage[] = [];
  readonly up: UpMessage[] = [];
  /** Every data frame the client received on this connection, for the history check. */
  readonly received: ServerMessage[] = [];
  cut = false;

  constructor(
    readonly connectionId: string,
    readonly resumeFrom: number | undefined,
  ) {}

  send(frame: string): void {
    if (!this.cut) this.down.push(JSON.parse(frame) as ServerMessage);
  }

  buffered(): number {
    return 0;
  }

  close(): void {
    // Nothing in these histories ends a presentation; a close would be a finding of its own.
    throw new Error('the hub closed a connection');
  }
}

/** The node: a hub over a bus, a one-row store, and the record of what it ever said. */
class Node {
  readonly clock = new ManualClock();
  stored: { seq: number; state: ViewState } = { seq: 0, state: initialViewState() };
  hub!: Hub;
  /** Writes the hub started and storage has not finished. */
  #pending: { seq: number; state: ViewState; done: () => void }[] = [];
  /** The state after each sequence number in the current life of the node. */
  timeline = new Map<number, string>();
  violations: string[] = [];

  async start(): Promise<void> {
    const bus = new MemoryBus({ logSize: LOG_SIZE, clock: this.clock });
    const hub = new Hub({
      pid: PID,
      nodeId: 'n1',
      bus,
      clock: this.clock,
      metrics: new Metrics(),
      view: VIEW,
      logSize: LOG_SIZE,
      heartbeatMs: 15_000,
      bufferCapBytes: 1 << 30,
      persist: (seq, state) =>
        new Promise<void>((done) => void this.#pending.push({ seq, state, done })),
      onPresenterPresence: () => undefined,
      onLifecycle: () => undefined,
      onError: (err) => {
        this.violations.push(`hub error: ${String(err)}`);
      },
      // As Realtime decides it: the bus is new and the presentation had already started.
      afterRestart: VIEW.status !== 'created',
    });
    // As Realtime does after a start: the hub opens from the last stored state.
    await hub.open(this.stored);
    this.hub = hub;
    this.timeline = new Map([[hub.seq, json(hub.state)]]);
    await bus.subscribe(PID, {
      entry: (entry) => this.timeline.set(entry.seq, json(hub.state)),
      signal: () => undefined,
    });
  }

  /** Storage finishes the writes in flight; the hub may start the next one meanwhile. */
  async commit(): Promise<boolean> {
    let wrote = false;
    for (let round = 0; round < 4 && this.#pending.length > 0; round++) {
      for (const write of this.#pending.splice(0)) {
        if (write.seq < this.stored.seq) {
          this.violations.push(`stored seq went back from ${this.stored.seq} to ${write.seq}`);
        }
        this.stored = { seq: write.seq, state: write.state };
        write.done();
        wrote = true;
      }
      await tick();
    }
    return wrote;
  }

  /** The process dies: writes in flight are lost with it. */
  crash(): void {
    this.hub.close();
    this.#pending = [];
  }
}

interface Applied {
  seq: number;
  state: string;
}

/** A client as the SDK behaves, minus the timers: resume from the last sequence it applied. */
abstract class Client {
  wire: Wire | null = null;
  #connections = 0;

  constructor(
    readonly name: string,
    protected readonly node: Node,
  ) {}

  abstract get resumePoint(): number;
  protected abstract admit(wire: Wire, resumeFrom: number | undefined): void;
  protected abstract leave(): void;
  abstract receive(message: ServerMessage): void;
  abstract deliverUp(message: UpMessage): void;

  connect(): void {
    if (this.wire) return;
    const resumeFrom = this.resumePoint >= 0 ? this.resumePoint : undefined;
    const wire = new Wire(`${this.name}-${++this.#connections}`, resumeFrom);
    this.wire = wire;
    this.admit(wire, resumeFrom);
  }

  /** The connection dies (or the node does): both queues are lost. */
  drop(removeFromHub: boolean): void {
    const wire = this.wire;
    if (!wire) return;
    wire.cut = true;
    this.wire = null;
    if (removeFromHub) this.leave();
    this.disconnected();
  }

  protected disconnected(): void {}

  pumpDown(n: number): number {
    let moved = 0;
    while (this.wire && moved < n && this.wire.down.length > 0) {
      const message = this.wire.down.shift()!;
      if (message.type === 'snapshot' || message.type === 'patch') this.wire.received.push(message);
      this.receive(message);
      moved++;
    }
    return moved;
  }

  pumpUp(n: number): number {
    let moved = 0;
    while (this.wire && moved < n && this.wire.up.length > 0) {
      this.deliverUp(this.wire.up.shift()!);
      moved++;
    }
    return moved;
  }

  /** R4 on what the server sent: from the resume point or a snapshot, one above the last. */
  checkReceived(wire: Wire): void {
    let cursor = wire.resumeFrom;
    for (const frame of wire.received) {
      if (frame.type === 'snapshot') {
        cursor = frame.seq;
        continue;
      }
      if (frame.type !== 'patch') continue;
      if (cursor === undefined) {
        this.node.violations.push(`${wire.connectionId}: patch ${frame.seq} before any snapshot`);
      } else if (frame.seq !== cursor + 1) {
        this.node.violations.push(
          `${wire.connectionId}: patch ${frame.seq} after ${cursor} (R4: no gap, no repeat)`,
        );
      }
      cursor = frame.seq;
    }
  }

  /** The state a client holds at `seq` must be the state the node had at `seq`. */
  protected checkApplied(seq: number, state: ViewState): void {
    const expected = this.node.timeline.get(seq);
    if (expected !== json(state)) {
      this.node.violations.push(
        `${this.wire?.connectionId}: holds seq ${seq} with a state the node never had at ${seq}`,
      );
    }
  }
}

class ViewerModel extends Client {
  seq = -1;
  state: ViewState | null = null;
  ctx: ViewerContext | null = null;
  readonly applied: Applied[][] = [];

  get resumePoint(): number {
    return this.seq;
  }

  protected admit(wire: Wire, resumeFrom: number | undefined): void {
    this.applied.push([]);
    const info = { deviceId: `device-${this.name}`, device: 'phone' as const, tokenHash: 't' };
    this.ctx = this.node.hub.addViewer(
      wire,
      resumeFrom === undefined ? info : { ...info, resumeFrom },
    );
  }

  protected leave(): void {
    if (this.ctx) this.node.hub.remove(this.ctx);
    this.ctx = null;
  }

  receive(message: ServerMessage): void {
    if (message.type === 'snapshot') {
      this.seq = message.seq;
      this.state = message.state;
    } else if (message.type === 'patch') {
      if (message.seq <= this.seq) return;
      if (message.seq !== this.seq + 1 || !this.state) {
        this.wire?.up.push({ type: 'resume', seq: Math.max(this.seq, 0) });
        return;
      }
      this.seq = message.seq;
      this.state = applyPatch(this.state, message.patch);
    } else {
      return;
    }
    this.applied.at(-1)!.push({ seq: this.seq, state: json(this.state) });
    this.checkApplied(this.seq, this.state);
  }

  deliverUp(message: UpMessage): void {
    if (message.type === 'resume' && this.ctx) this.node.hub.resume(this.ctx, message.seq);
  }
}

class PresenterModel extends Client {
  state: ViewState = initialViewState();
  serverSeq = -1;
  clientSeq = 0;
  readonly unacked = new Map<number, ViewPatch>();
  dirty = false;
  presenting = false;
  welcomed = false;
  ctx: PresenterContext | null = null;
  /** The highest sequence the node acknowledged as stored (R5). */
  ackedSeq = 0;

  get resumePoint(): number {
    return this.serverSeq;
  }

  protected admit(wire: Wire, resumeFrom: number | undefined): void {
    this.welcomed = false;
    const info = { agentId: 'a', sessionHash: null, takeover: false };
    this.ctx = this.node.hub.addPresenter(
      wire,
      resumeFrom === undefined ? info : { ...info, resumeFrom },
    );
  }

  protected leave(): void {
    if (this.ctx) this.node.hub.remove(this.ctx);
    this.ctx = null;
  }

  protected override disconnected(): void {
    this.welcomed = false;
    if (this.unacked.size > 0) this.dirty = true;
  }

  change(patch: ViewPatch): void {
    if (!this.presenting && this.wire && this.welcomed) return;
    this.state = applyPatch(this.state, patch);
    if (!this.#sendChange(patch)) this.dirty = true;
  }

  #sendChange(patch: ViewPatch): boolean {
    if (!this.presenting) return false;
    const clientSeq = ++this.clientSeq;
    if (!this.wire) return false;
    this.wire.up.push({ type: 'change', clientSeq, patch });
    this.unacked.set(clientSeq, patch);
    return true;
  }

  receive(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        this.presenting = message.presenting;
        this.welcomed = true;
        return;
      case 'snapshot':
        this.serverSeq = message.seq;
        this.checkApplied(message.seq, message.state);
        this.#reconcile(message.state);
        return;
      case 'patch':
        if (message.seq <= this.serverSeq) return;
        if (message.seq !== this.serverSeq + 1) {
          this.wire?.up.push({ type: 'resume', seq: Math.max(this.serverSeq, 0) });
          return;
        }
        this.serverSeq = message.seq;
        return;
      case 'ack':
        this.unacked.delete(message.clientSeq);
        this.ackedSeq = Math.max(this.ackedSeq, message.seq);
        if (this.node.stored.seq < message.seq) {
          this.node.violations.push(`ack for seq ${message.seq} before it was stored (R5)`);
        }
        return;
      case 'error':
        if (message.clientSeq !== undefined) this.unacked.delete(message.clientSeq);
        return;
      default:
        return;
    }
  }

  /** As the SDK: its own unacknowledged changes win, sent as the difference from the server. */
  #reconcile(server: ViewState): void {
    const ownChanges = this.dirty || this.unacked.size > 0;
    this.unacked.clear();
    this.dirty = false;
    if (ownChanges && this.presenting) {
      const patch = diffViewState(server, this.state);
      if (Object.keys(patch).length > 0) this.#sendChange(patch);
      return;
    }
    this.state = server;
  }

  deliverUp(message: UpMessage): void {
    if (!this.ctx) return;
    if (message.type === 'change') this.node.hub.change(this.ctx, message.clientSeq, message.patch);
    else this.node.hub.resume(this.ctx, message.seq);
  }
}

// ---------------------------------------------------------------- histories

const FIELDS = ['view', 'floor', 'galleryIndex', 'highlighted'] as const;

type Step =
  | { kind: 'change'; fields: (typeof FIELDS)[number][]; view: ViewName }
  | { kind: 'down' | 'up'; who: number; n: number }
  | { kind: 'commit' }
  | { kind: 'disconnect' | 'connect'; who: number }
  | { kind: 'crash' | 'restart' };

const who = fc.integer({ min: 0, max: VIEWERS });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('change' as const),
      fields: fc.subarray([...FIELDS], { minLength: 1 }),
      view: fc.constantFrom(...VIEWS),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('down' as const),
      who,
      n: fc.integer({ min: 1, max: 6 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('up' as const),
      who,
      n: fc.integer({ min: 1, max: 6 }),
    }),
  },
  { weight: 3, arbitrary: fc.constant({ kind: 'commit' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('disconnect' as const), who }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('connect' as const), who }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'crash' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

interface Outcome {
  violations: string[];
  presenter: PresenterModel;
  viewers: ViewerModel[];
  node: Node;
  changes: number;
  crashes: number;
}

/** Plays one history, then heals the network and lets everything settle. */
async function play(steps: Step[], presenterFirst: boolean): Promise<Outcome> {
  const node = new Node();
  await node.start();
  const presenter = new PresenterModel('presenter', node);
  const viewers = Array.from({ length: VIEWERS }, (_, i) => new ViewerModel(`viewer${i}`, node));
  const clients: Client[] = [presenter, ...viewers];
  const wires: { client: Client; wire: Wire }[] = [];
  const connect = (client: Client) => {
    client.connect();
    if (client.wire && !wires.some((w) => w.wire === client.wire)) {
      wires.push({ client, wire: client.wire });
    }
  };
  for (const client of clients) connect(client);

  let changes = 0;
  let crashes = 0;
  const restart = async (graceful: boolean) => {
    if (graceful) {
      // Realtime.shutdown: everything in flight is stored before the connections close.
      for (let round = 0; round < 50; round++) {
        if (!(await node.commit()) && node.stored.seq >= node.hub.seq) break;
      }
    } else {
      crashes++;
    }
    if (node.stored.seq < presenter.ackedSeq) {
      node.violations.push(`restart lost acknowledged seq ${presenter.ackedSeq} (R5)`);
    }
    node.crash();
    for (const client of clients) client.drop(false);
    await node.start();
  };

  for (const step of steps) {
    switch (step.kind) {
      case 'change': {
        changes++;
        const patch: ViewPatch = {};
        for (const field of step.fields) {
          if (field === 'view') patch.view = step.view;
          if (field === 'floor') patch.floor = changes;
          if (field === 'galleryIndex') patch.galleryIndex = changes % 101;
          if (field === 'highlighted') patch.highlighted = [`u${changes}`];
        }
        presenter.change(patch);
        break;
      }
      case 'down':
        clients[step.who]!.pumpDown(step.n);
        break;
      case 'up':
        clients[step.who]!.pumpUp(step.n);
        break;
      case 'commit':
        await node.commit();
        break;
      case 'disconnect':
        clients[step.who]!.drop(true);
        break;
      case 'connect':
        connect(clients[step.who]!);
        break;
      case 'crash':
        await restart(false);
        break;
      case 'restart':
        await restart(true);
        break;
    }
    await tick();
  }

  // Heal: everyone reconnects and every queue drains until nothing moves. When the presenter
  // comes back first, what it re-sends is ordered before any viewer resumes.
  const drain = async () => {
    for (let round = 0; round < 100; round++) {
      let moved = 0;
      for (const client of clients) moved += client.pumpUp(Infinity);
      await tick();
      for (const client of clients) moved += client.pumpDown(Infinity);
      if (await node.commit()) moved++;
      await tick();
      if (moved === 0) return;
    }
  };
  if (presenterFirst) {
    connect(presenter);
    await drain();
  }
  for (const client of clients) connect(client);
  await drain();

  for (const { client, wire } of wires) client.checkReceived(wire);
  return { violations: node.violations, presenter, viewers, node, changes, crashes };
}

/** Every check of one played history; throws on the first broken promise. */
function expectConverged({ violations, presenter, viewers, node }: Outcome): void {
  expect(violations).toEqual([]);
  // Nothing of the presenter's is left unsent or unacknowledged (R5)…
  expect(presenter.unacked.size).toBe(0);
  expect(presenter.dirty).toBe(false);
  // …and its state is the node's, the stored one and every viewer's.
  expect(node.hub.state).toEqual(presenter.state);
  expect(node.stored).toEqual({ seq: node.hub.seq, state: presenter.state });
  for (const viewer of viewers) {
    expect(viewer.state).toEqual(presenter.state);
    expect(viewer.seq).toBe(node.hub.seq);
    // Within a connection the applied sequence only climbs: nothing is applied twice.
    for (const connection of viewer.applied) {
      for (let i = 1; i < connection.length; i++) {
        expect(connection[i]!.seq).toBeGreaterThan(connection[i - 1]!.seq);
      }
    }
  }
}

const historyArb = fc.record({
  steps: fc.array(stepArb, { maxLength: 80, size: 'max' }),
  presenterFirst: fc.boolean(),
});

describe('convergence under faults', () => {
  it(`${RUNS} random histories of changes, lost messages, reconnects and crashes: every viewer ends at the presenter's state, in order, nothing applied twice`, async () => {
    let changes = 0;
    let crashes = 0;
    await fc.assert(
      fc.asyncProperty(historyArb, async ({ steps, presenterFirst }) => {
        const outcome = await play(steps, presenterFirst);
        changes += outcome.changes;
        crashes += outcome.crashes;
        expectConverged(outcome);
      }),
      { numRuns: RUNS },
    );
    // The histories exercised what they claim to.
    expect(changes).toBeGreaterThan(RUNS * 5);
    expect(crashes).toBeGreaterThan(RUNS / 4);
  });

  it('regression: a presenter change lost in flight is re-sent when the presenter resumes with nothing to replay', async () => {
    const outcome = await play(
      [
        { kind: 'change', fields: ['highlighted'], view: 'grid' },
        { kind: 'down', who: 0, n: 2 },
        { kind: 'disconnect', who: 0 },
      ],
      false,
    );
    expectConverged(outcome);
  });

  it('regression: changes still queued from a closed presenter connection do not overwrite what the presenter did since', async () => {
    const outcome = await play(
      [
        { kind: 'down', who: 0, n: 1 },
        { kind: 'change', fields: ['galleryIndex'], view: 'overview' },
        { kind: 'change', fields: ['view'], view: 'floor' },
        { kind: 'up', who: 0, n: 2 },
        { kind: 'change', fields: ['view', 'highlighted'], view: 'overview' },
        { kind: 'disconnect', who: 0 },
      ],
      false,
    );
    expectConverged(outcome);
  });

  it('regression: after a crash, new changes never reuse the numbers of changes that died unstored', async () => {
    const outcome = await play(
      [
        { kind: 'down', who: 0, n: 3 },
        { kind: 'change', fields: ['highlighted'], view: 'grid' },
        { kind: 'up', who: 0, n: 1 },
        { kind: 'down', who: 1, n: 3 },
        { kind: 'crash' },
        { kind: 'change', fields: ['floor'], view: 'grid' },
        { kind: 'connect', who: 0 },
        { kind: 'down', who: 0, n: 3 },
        { kind: 'up', who: 0, n: 1 },
        { kind: 'connect', who: 1 },
      ],
      false,
    );
    expectConverged(outcome);
    // Two crashes in a row, the second before anything new was stored, jump apart too.
    const twice = await play(
      [
        { kind: 'down', who: 0, n: 3 },
        { kind: 'change', fields: ['highlighted'], view: 'grid' },
        { kind: 'up', who: 0, n: 1 },
        { kind: 'crash' },
        { kind: 'connect', who: 0 },
        { kind: 'down', who: 0, n: 3 },
        { kind: 'change', fields: ['floor'], view: 'list' },
        { kind: 'up', who: 0, n: 2 },
        { kind: 'down', who: 1, n: 3 },
        { kind: 'crash' },
        { kind: 'connect', who: 0 },
        { kind: 'down', who: 0, n: 3 },
        { kind: 'change', fields: ['view'], view: 'unit' },
        { kind: 'up', who: 0, n: 2 },
        { kind: 'commit' },
        { kind: 'connect', who: 1 },
      ],
      true,
    );
    expectConverged(twice);
  });
});
