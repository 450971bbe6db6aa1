/**
 * A load-generator process. It holds whole presentations — a presenter and its viewers in the
 * same process — so a change's send time and each viewer's apply time come from one monotonic
 * clock (`performance.now()`), with no cross-process clock error.
 *
 * Latency of a change to a viewer = the first moment that viewer's state reached the change
 * (its number k, or any later one) minus the moment the presenter sent it. Our viewers know k
 * as the server's sequence number (a fresh presentation numbers changes 1, 2, 3… exactly as the
 * presenter sends them, which every acknowledgement checks); the peers' frames carry the
 * presenter's counter as `clientSeq`; a polling viewer reads `seq` from the state it fetched.
 *
 * The orchestrator drives it over IPC: join rooms, set the rate, open and close measurement
 * windows, collect a window's figures after a drain, stop.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

import { Histogram } from '../lib/histogram.js';
import type {
  FromWorker,
  JoinCommand,
  RoomAssignment,
  SystemName,
  ToWorker,
  WorkerWindowStats,
} from '../lib/ipc.js';
import { AgentWalk } from '../lib/patches.js';
import { clientsFor } from './clients.js';
import type { ClientContext, Counters, PresenterHandle, ViewerHandle } from './clients.js';

interface ViewerSlot {
  handle: ViewerHandle | null;
  /** The newest change number this viewer's state has reached. */
  last: number;
  /** Our WebSocket viewers: the server's clock (epoch ms) when it ordered change k. */
  orderedAt: Map<number, number>;
}

interface Room {
  assignment: RoomAssignment;
  walk: AgentWalk;
  presenter: PresenterHandle | null;
  viewers: ViewerSlot[];
  /** Changes sent so far; change numbers start at 1. */
  k: number;
  sentAt: number[];
  /** The window each change was sent in (0: none). */
  windowOf: number[];
  /** Per window, the first and last change number sent in it. */
  ranges: Map<number, [number, number]>;
  phase: number;
}

interface Window {
  hist: Histogram;
  /** Our WebSocket rows: send → ordered by the server, and ordered → applied by the viewer. */
  upstream: Histogram;
  downstream: Histogram;
  delivered: number;
  conflated: number;
  errorsAtStart: Record<string, number>;
  sendFailuresAtStart: number;
  behindAtStart: number;
  framesAtStart: { n: number; bytes: number };
}

const counters: Counters = { errors: {}, patchFrames: 0, patchFrameBytes: 0 };
const rooms: Room[] = [];
const windows = new Map<number, Window>();
let activeWindow = 0;
let system: SystemName | null = null;
let sendFailures = 0;
let schedulerBehind = 0;
const LOOP_RESOLUTION_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
loopDelay.enable();

function send(message: FromWorker): void {
  process.send?.(message);
}

function reach(room: Room, slot: ViewerSlot, k: number): void {
  const upTo = Math.min(k, room.k);
  if (upTo <= slot.last) return;
  const now = performance.now();
  for (let i = slot.last + 1; i <= upTo; i++) {
    const ordered = slot.orderedAt.get(i);
    if (ordered !== undefined) slot.orderedAt.delete(i);
    const w = room.windowOf[i] ?? 0;
    if (w === 0) continue;
    const win = windows.get(w);
    if (!win) continue;
    const sent = room.sentAt[i] ?? now;
    win.hist.add(now - sent);
    win.delivered++;
    if (i < k) win.conflated++;
    if (ordered !== undefined) {
      // Wall clocks of one machine, the server's to the millisecond: a split, not a stopwatch.
      win.upstream.add(Math.max(0, ordered - (performance.timeOrigin + sent)));
      win.downstream.add(Math.max(0, performance.timeOrigin + now - ordered));
    }
  }
  slot.last = upTo;
}

async function join(command: JoinCommand): Promise<void> {
  const started = performance.now();
  system = command.system;
  const clients = clientsFor(command.system);
  const ctx: ClientContext = {
    baseUrl: command.baseUrl,
    cookie: command.cookie,
    timeoutMs: command.timeoutMs,
    postIdleMs: command.postIdleMs,
    counters,
  };
  let ok = 0;
  let failed = 0;
  const errors: string[] = [];
  const queue = [...command.rooms];

  const joinRoom = async (assignment: RoomAssignment) => {
    const room: Room = {
      assignment,
      walk: new AgentWalk(assignment.index),
      presenter: null,
      viewers: [],
      k: 0,
      sentAt: [0],
      windowOf: [0],
      ranges: new Map(),
      phase: Math.random(),
    };
    try {
      // The multi-node scenario places each client on a node of its own; the counters stay shared.
      const on = (url: string | undefined): ClientContext =>
        url === undefined ? ctx : { ...ctx, baseUrl: url };
      room.presenter = await clients.presenter(assignment, on(assignment.presenterUrl));
      room.viewers = await Promise.all(
        Array.from({ length: command.viewersPerRoom }, async (_, n) => {
          const slot: ViewerSlot = { handle: null, last: 0, orderedAt: new Map() };
          slot.handle = await clients.viewer(
            assignment,
            n,
            (k) => reach(room, slot, k),
            on(
              assignment.viewerUrls?.length
                ? assignment.viewerUrls[n % assignment.viewerUrls.length]
                : undefined,
            ),
            (k, t) => {
              slot.orderedAt.set(k, t);
            },
          );
          return slot;
        }),
      );
      rooms.push(room);
      ok++;
    } catch (err) {
      failed++;
      if (errors.length < 5) errors.push(err instanceof Error ? err.message : String(err));
      room.presenter?.close();
    }
  };

  await Promise.all(
    Array.from({ length: Math.max(1, command.concurrency) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await joinRoom(next);
    }),
  );
  send({ ev: 'joined', ok, failed, errors, ms: Math.round(performance.now() - started) });
}

// ------------------------------------------------------------------------------ the scheduler

/**
 * Each presentation changes state `perSecond` times a second at its own phase. A timer wakes
 * every few milliseconds and sends every change that has come due since the last wake; if the
 * process fell more than one period behind, the missed sends are dropped (and counted) rather
 * than fired in a burst, since a late burst would measure the load generator, not the server.
 */
let periodMs = 0;
let epoch = 0;
let lastTick = 0;
let tickTimer: ReturnType<typeof setInterval> | null = null;
const TICK_MS = 5;

function setRate(perSecond: number): void {
  if (tickTimer) clearInterval(tickTimer);
  tickTimer = null;
  if (perSecond <= 0) return;
  periodMs = 1000 / perSecond;
  epoch = performance.now();
  lastTick = epoch;
  tickTimer = setInterval(tick, TICK_MS);
}

function tick(): void {
  const now = performance.now();
  let from = lastTick;
  if (now - from > periodMs) {
    schedulerBehind++;
    from = now - periodMs;
  }
  lastTick = now;
  // Room i is due at epoch + (phase + n) * period for every whole n.
  const a = (from - epoch) / periodMs;
  const b = (now - epoch) / periodMs;
  for (const room of rooms) {
    const due = Math.floor(b - room.phase) - Math.floor(a - room.phase);
    if (due > 0) fire(room);
  }
}

function fire(room: Room): void {
  const presenter = room.presenter;
  if (!presenter?.open) {
    sendFailures++;
    return;
  }
  const patch = room.walk.next();
  const k = room.k + 1;
  const sentAt = performance.now();
  if (!presenter.change(k, patch)) {
    sendFailures++;
    return;
  }
  room.k = k;
  room.sentAt[k] = sentAt;
  room.windowOf[k] = activeWindow;
  if (activeWindow !== 0) {
    const range = room.ranges.get(activeWindow);
    if (range) range[1] = k;
    else room.ranges.set(activeWindow, [k, k]);
  }
}

// ------------------------------------------------------------------------------ windows

function startWindow(id: number): void {
  windows.set(id, {
    hist: new Histogram(),
    upstream: new Histogram(),
    downstream: new Histogram(),
    delivered: 0,
    conflated: 0,
    errorsAtStart: { ...counters.errors },
    sendFailuresAtStart: sendFailures,
    behindAtStart: schedulerBehind,
    framesAtStart: { n: counters.patchFrames, bytes: counters.patchFrameBytes },
  });
  activeWindow = id;
  loopDelay.reset();
}

let loopAtEnd = { p99: 0, max: 0 };
let windowEndCounters = {
  errors: {} as Record<string, number>,
  sendFailures: 0,
  behind: 0,
  frames: { n: 0, bytes: 0 },
};

function endWindow(id: number): void {
  if (activeWindow === id) activeWindow = 0;
  // The monitor samples every 10 ms and reports the whole interval: the delay is the excess.
  loopAtEnd = {
    p99: Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
    max: Math.max(0, loopDelay.max / 1e6 - LOOP_RESOLUTION_MS),
  };
  windowEndCounters = {
    errors: { ...counters.errors },
    sendFailures,
    behind: schedulerBehind,
    frames: { n: counters.patchFrames, bytes: counters.patchFrameBytes },
  };
}

async function collect(id: number, drainMs: number): Promise<void> {
  const end = { loop: loopAtEnd, counters: windowEndCounters };
  await new Promise((resolve) => setTimeout(resolve, drainMs));
  const win = windows.get(id);
  if (!win) return;
  windows.delete(id);

  let changes = 0;
  let expected = 0;
  let lost = 0;
  let viewersOpen = 0;
  let presentersOpen = 0;
  for (const room of rooms) {
    if (room.presenter?.open) presentersOpen++;
    for (const slot of room.viewers) if (slot.handle?.open) viewersOpen++;
    const range = room.ranges.get(id);
    room.ranges.delete(id);
    if (!range) continue;
    const [first, last] = range;
    changes += last - first + 1;
    for (const slot of room.viewers) {
      expected += last - first + 1;
      lost += Math.max(0, last - Math.max(slot.last, first - 1));
    }
  }

  const errors: Record<string, number> = {};
  for (const [key, n] of Object.entries(end.counters.errors)) {
    const d = n - (win.errorsAtStart[key] ?? 0);
    if (d > 0) errors[key] = d;
  }
  const frames = end.counters.frames.n - win.framesAtStart.n;
  const stats: WorkerWindowStats = {
    window: id,
    latency: win.hist.toJSON(),
    upstream: win.upstream.toJSON(),
    downstream: win.downstream.toJSON(),
    changes,
    expected,
    delivered: win.delivered,
    lost,
    conflated: win.conflated,
    viewersOpen,
    presentersOpen,
    loopLagP99Ms: end.loop.p99,
    loopLagMaxMs: end.loop.max,
    sendFailures: end.counters.sendFailures - win.sendFailuresAtStart,
    schedulerBehind: end.counters.behind - win.behindAtStart,
    errors,
    patchFrames: frames,
    patchFrameBytes:
      frames > 0 ? (end.counters.frames.bytes - win.framesAtStart.bytes) / frames : 0,
  };
  send({ ev: 'window', stats });
}

function stop(): void {
  setRate(0);
  for (const room of rooms) {
    room.presenter?.close();
    for (const slot of room.viewers) slot.handle?.close();
  }
  send({ ev: 'stopped' });
  // Sockets finish closing in the background; the orchestrator ends this process shortly.
  setTimeout(() => process.exit(0), 1500).unref();
}

process.on('message', (message: ToWorker) => {
  switch (message.cmd) {
    case 'join':
      join(message).catch((err: unknown) => send({ ev: 'fatal', message: String(err) }));
      return;
    case 'rate':
      setRate(message.perSecond);
      return;
    case 'window-start':
      startWindow(message.window);
      return;
    case 'window-end':
      endWindow(message.window);
      return;
    case 'collect':
      void collect(message.window, message.drainMs);
      return;
    case 'stop':
      stop();
      return;
  }
});
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (err) => {
  send({ ev: 'fatal', message: `${system ?? 'worker'}: ${err.stack ?? String(err)}` });
  process.exit(1);
});
send({ ev: 'ready' });
