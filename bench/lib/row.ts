/** One result row: a system, in one scenario, over one measurement window. */
import { Histogram } from './histogram.js';
import type { LatencySummary } from './histogram.js';
import type { SystemName, WorkerWindowStats } from './ipc.js';
import type { Noise } from './noise.js';

export interface Row {
  scenario: string;
  system: SystemName;
  transport: string;
  presentations: number;
  viewersPerPresentation: number;
  ratePerSecond: number;
  connectionsIntended: number;
  presentersOpen: number;
  viewersOpen: number;
  joinFailures: number;
  windowSeconds: number;
  changes: number;
  expectedDeliveries: number;
  delivered: number;
  lost: number;
  lossRatio: number;
  conflated: number;
  deliveriesPerSecond: number;
  latencyMs: LatencySummary;
  /**
   * Our WebSocket rows: the latency split at the moment the server ordered the change (its `t`,
   * a millisecond wall clock): presenter → server, and server → viewer's apply.
   */
  latencySplit?: {
    upstream: { p50Ms: number; p99Ms: number; maxMs: number };
    downstream: { p50Ms: number; p99Ms: number; maxMs: number };
  };
  server: {
    placement: string;
    cpuSeconds: number;
    cpuPercent: number;
    cpuUsPerDelivery: number;
    rssMiB: number;
    rssBaselineMiB: number;
    /** RSS once all clients had connected, before any change. */
    rssJoinedMiB: number;
    /** (RSS joined − RSS before any client) / connections: what a connection costs. */
    bytesPerConnection: number;
    mibPer1000Connections: number;
    heapBytesPerConnection: number;
    /** (RSS at the window's end − RSS before any client) / connections: with state and buffers. */
    bytesPerConnectionUnderLoad: number;
    heapUsedMiB: number;
    loopLagP50Ms: number;
    loopLagP99Ms: number;
    loopLagMaxMs: number;
  };
  wire: {
    /** TCP payload bytes both ways, all clients of a presentation, per change. */
    bytesPerChange: number;
    /** Bytes the load generator received per change delivered to one viewer. */
    downBytesPerDelivery: number;
    upBytesPerChange: number;
    /** Mean size of the frame (or HTTP response) that carries one change to one viewer. */
    patchFrameBytes: number;
  };
  loadgen: {
    placement: string;
    workers: number;
    cpuPercent: number;
    loopLagP99Ms: number;
    loopLagMaxMs: number;
    schedulerBehind: number;
    sendFailures: number;
  };
  noise: {
    /** Share of the server's core taken by other processes (not the server, not softirq). */
    serverCoreOtherPercent: number;
    /** Kernel softirq on the server's core: mostly loopback TCP work for the bench's traffic. */
    serverCoreSoftirqPercent: number;
    loadCoreOtherPercent: number;
    waitedForQuietS: number;
    /** Windows measured to get this one (a noisy window is measured again, up to 3 times). */
    attempts: number;
    loadAverage: number[];
  };
  /** Our server: protocol messages per change, by direction and type (from its metrics). */
  messagesPerChange: Record<string, number>;
  /** Which side ran out first, if any: "server", "load generator" or "none". */
  limit: string;
  errors: Record<string, number>;
  notes: string[];
  profile?: { file: string; top: { name: string; where: string; selfPercent: number }[] };
  /** The multi-node scenario (`--scenario nodes`): which arrangement of nodes this row measured. */
  nodes?: NodesInfo;
}

export interface NodesInfo {
  /** `one node`, `one node + Redis`, `cross-node`, `three nodes`, `one node again`. */
  variant: string;
  count: number;
  redis: boolean;
  storage: string;
  /** Where the presenters and viewers connect. */
  layout: string;
  /** Each node's CPU over the window, in per cent of a core (all share the server's core). */
  perNodeCpuPercent: number[];
  /** Each node's open realtime connections at the window's end (its rp_connections). */
  perNodeConnections: number[];
  /** Redis and this run's PostgreSQL backends over the window, in per cent of a core. */
  servicesCpuPercent: number;
  /** Against the `one node` row of the same run (null for that row, or when it is missing). */
  addedVsOneNode: { p50Ms: number; p99Ms: number } | null;
}

export interface WindowReadings {
  seconds: number;
  serverCpuSeconds: number;
  serverRssBytes: number;
  serverBaselineRssBytes: number;
  serverBaselineHeapBytes: number;
  serverJoined: { rssBytes: number; heapBytes: number; connections: number };
  heapUsedBytes: number;
  loopLag: { p50: number; p99: number; max: number };
  loadCpuSeconds: number;
  loadReadBytes: number;
  loadWriteBytes: number;
  noise: Noise;
  /** Our server: protocol messages during the window (and a little after), by type. */
  messages: Record<string, number>;
  waitedForQuietS: number;
  loadAverage: number[];
}

export interface RowMeta {
  scenario: string;
  system: SystemName;
  presentations: number;
  viewers: number;
  rate: number;
  joinFailures: number;
  serverPlacement: string;
  loadPlacement: string;
  workers: number;
}

const round = (v: number, digits = 2) =>
  Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : v;

export function transportOf(system: SystemName): string {
  switch (system) {
    case 'ours-ws':
      return 'WebSocket';
    case 'ours-sse':
      return 'SSE';
    case 'ours-poll':
      return 'long-polling';
    case 'raw-ws':
      return 'WebSocket';
    case 'socketio':
      return 'Socket.IO over WebSocket';
    case 'poll-2s':
      return 'HTTP GET every 2 s';
  }
}

export function buildRow(meta: RowMeta, r: WindowReadings, stats: WorkerWindowStats[]): Row {
  const hist = new Histogram();
  const upstream = new Histogram();
  const downstream = new Histogram();
  for (const s of stats) {
    hist.merge(s.latency);
    upstream.merge(s.upstream);
    downstream.merge(s.downstream);
  }
  const short = (h: Histogram) => {
    const v = h.summary();
    return { p50Ms: round(v.p50Ms, 2), p99Ms: round(v.p99Ms, 2), maxMs: round(v.maxMs, 2) };
  };
  const sum = (f: (s: WorkerWindowStats) => number) => stats.reduce((n, s) => n + f(s), 0);
  const changes = sum((s) => s.changes);
  const expected = sum((s) => s.expected);
  const delivered = sum((s) => s.delivered);
  const lost = sum((s) => s.lost);
  const frames = sum((s) => s.patchFrames);
  const frameBytes = sum((s) => s.patchFrames * s.patchFrameBytes);
  const errors: Record<string, number> = {};
  for (const s of stats) {
    for (const [k, n] of Object.entries(s.errors)) errors[k] = (errors[k] ?? 0) + n;
  }
  const presentersOpen = sum((s) => s.presentersOpen);
  const viewersOpen = sum((s) => s.viewersOpen);
  const serverCpuPercent = (r.serverCpuSeconds / r.seconds) * 100;
  const loadCpuPercent = (r.loadCpuSeconds / r.seconds) * 100;
  const loadLagP99 = Math.max(...stats.map((s) => s.loopLagP99Ms));
  const behind = sum((s) => s.schedulerBehind);
  const joined = r.serverJoined;
  const perConnection =
    joined.connections > 0
      ? (joined.rssBytes - r.serverBaselineRssBytes) / joined.connections
      : NaN;
  const heapPerConnection =
    joined.connections > 0
      ? (joined.heapBytes - r.serverBaselineHeapBytes) / joined.connections
      : NaN;
  const underLoad =
    joined.connections > 0
      ? (r.serverRssBytes - r.serverBaselineRssBytes) / joined.connections
      : NaN;

  const notes: string[] = [];
  let limit = 'none';
  if (loadCpuPercent >= 90 || loadLagP99 > 50 || behind > 0) {
    limit = 'load generator';
    notes.push(
      `load generator saturated (CPU ${round(loadCpuPercent, 0)} % of its core, loop p99 ${round(loadLagP99, 1)} ms, ${behind} late ticks): latency includes its queueing`,
    );
  } else if (serverCpuPercent >= 90) {
    limit = 'server';
    notes.push(`server CPU ${round(serverCpuPercent, 0)} % of its core: the server is the limit`);
  }
  const serverOther = r.noise.serverCoreOther;
  if (serverOther > 15) {
    notes.push(`other work took ${round(serverOther, 0)} % of the server's core (noisy machine)`);
  }
  if (meta.joinFailures > 0) notes.push(`${meta.joinFailures} presentations failed to join`);

  return {
    scenario: meta.scenario,
    system: meta.system,
    transport: transportOf(meta.system),
    presentations: meta.presentations,
    viewersPerPresentation: meta.viewers,
    ratePerSecond: meta.rate,
    connectionsIntended: meta.presentations * (1 + meta.viewers),
    presentersOpen,
    viewersOpen,
    joinFailures: meta.joinFailures,
    windowSeconds: round(r.seconds, 1),
    changes,
    expectedDeliveries: expected,
    delivered,
    lost,
    lossRatio: expected > 0 ? lost / expected : 0,
    conflated: sum((s) => s.conflated),
    deliveriesPerSecond: round(delivered / r.seconds, 0),
    latencyMs: Object.fromEntries(
      Object.entries(hist.summary()).map(([k, v]) => [k, k === 'count' ? v : round(v, 3)]),
    ) as unknown as LatencySummary,
    ...(upstream.count > 0
      ? { latencySplit: { upstream: short(upstream), downstream: short(downstream) } }
      : {}),
    server: {
      placement: meta.serverPlacement,
      cpuSeconds: round(r.serverCpuSeconds, 2),
      cpuPercent: round(serverCpuPercent, 1),
      cpuUsPerDelivery: round(delivered > 0 ? (r.serverCpuSeconds / delivered) * 1e6 : NaN, 2),
      rssMiB: round(r.serverRssBytes / 2 ** 20, 1),
      rssBaselineMiB: round(r.serverBaselineRssBytes / 2 ** 20, 1),
      rssJoinedMiB: round(joined.rssBytes / 2 ** 20, 1),
      bytesPerConnection: round(perConnection, 0),
      mibPer1000Connections: round((perConnection * 1000) / 2 ** 20, 2),
      heapBytesPerConnection: round(heapPerConnection, 0),
      bytesPerConnectionUnderLoad: round(underLoad, 0),
      heapUsedMiB: round(r.heapUsedBytes / 2 ** 20, 1),
      loopLagP50Ms: round(r.loopLag.p50, 2),
      loopLagP99Ms: round(r.loopLag.p99, 2),
      loopLagMaxMs: round(r.loopLag.max, 2),
    },
    wire: {
      bytesPerChange: round(changes > 0 ? (r.loadReadBytes + r.loadWriteBytes) / changes : NaN, 0),
      downBytesPerDelivery: round(delivered > 0 ? r.loadReadBytes / delivered : NaN, 0),
      upBytesPerChange: round(changes > 0 ? r.loadWriteBytes / changes : NaN, 0),
      patchFrameBytes: round(frames > 0 ? frameBytes / frames : NaN, 0),
    },
    loadgen: {
      placement: meta.loadPlacement,
      workers: meta.workers,
      cpuPercent: round(loadCpuPercent, 1),
      loopLagP99Ms: round(loadLagP99, 2),
      loopLagMaxMs: round(Math.max(...stats.map((s) => s.loopLagMaxMs)), 2),
      schedulerBehind: behind,
      sendFailures: sum((s) => s.sendFailures),
    },
    noise: {
      serverCoreOtherPercent: serverOther,
      serverCoreSoftirqPercent: r.noise.serverCoreSoftirq,
      loadCoreOtherPercent: r.noise.loadCoreOther,
      waitedForQuietS: r.waitedForQuietS,
      attempts: 1,
      loadAverage: r.loadAverage,
    },
    messagesPerChange: Object.fromEntries(
      Object.entries(r.messages)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => [k, round(changes > 0 ? v / changes : NaN, 3)]),
    ),
    limit,
    errors,
    notes,
  };
}
