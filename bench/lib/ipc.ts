/** The messages between the orchestrator (bench/run.ts) and its load-generator processes. */
import type { HistogramData } from './histogram.js';

/** One system under test; `ours-*` rows use the SDK with the named transport. */
export const SYSTEMS = [
  'ours-ws',
  'ours-sse',
  'ours-poll',
  'raw-ws',
  'socketio',
  'poll-2s',
] as const;
export type SystemName = (typeof SYSTEMS)[number];

export interface RoomAssignment {
  /** Global index of the presentation: seeds its walk of changes. */
  index: number;
  /** Presentation id (ours) or room name (peers). */
  id: string;
  /** The viewer link's token (ours only). */
  token: string;
  /**
   * The multi-node scenario: the node this presentation's presenter connects to, and the node
   * of each viewer (viewer n uses `viewerUrls[n % length]`). Absent: the join's `baseUrl`.
   */
  presenterUrl?: string;
  viewerUrls?: string[];
}

export interface JoinCommand {
  cmd: 'join';
  system: SystemName;
  baseUrl: string;
  /** The agent's session cookie, for our presenters. */
  cookie: string;
  rooms: RoomAssignment[];
  viewersPerRoom: number;
  concurrency: number;
  timeoutMs: number;
  /** SSE and poll clients: how long an idle upload connection is kept (see http-fetch.ts). */
  postIdleMs: number;
}

export type ToWorker =
  | JoinCommand
  | { cmd: 'rate'; perSecond: number }
  | { cmd: 'window-start'; window: number }
  | { cmd: 'window-end'; window: number }
  | { cmd: 'collect'; window: number; drainMs: number }
  | { cmd: 'stop' };

export interface WorkerWindowStats {
  window: number;
  latency: HistogramData;
  /** Our WebSocket rows: send → ordered by the server; ordered → applied (ms, ±1 ms). */
  upstream: HistogramData;
  downstream: HistogramData;
  /** Changes the presenters sent during the window. */
  changes: number;
  /** Change × viewer pairs that should have arrived. */
  expected: number;
  /** Pairs that did arrive (the viewer reached that change or a later one) before the drain. */
  delivered: number;
  /** Pairs never seen: the viewer's state never reached that change. */
  lost: number;
  /** Delivered pairs whose own patch never arrived: a later state superseded it (polling). */
  conflated: number;
  viewersOpen: number;
  presentersOpen: number;
  /** Event-loop delay of the load generator over the window. */
  loopLagP99Ms: number;
  loopLagMaxMs: number;
  /** Presenter changes the client refused to send (socket not open). */
  sendFailures: number;
  /** Ticks on which the scheduler was more than one period late. */
  schedulerBehind: number;
  errors: Record<string, number>;
  /** Mean size of the frame that carries one change to one viewer, framing included. */
  patchFrames: number;
  patchFrameBytes: number;
}

export type FromWorker =
  | { ev: 'ready' }
  | { ev: 'joined'; ok: number; failed: number; errors: string[]; ms: number }
  | { ev: 'window'; stats: WorkerWindowStats }
  | { ev: 'stopped' }
  | { ev: 'fatal'; message: string };
