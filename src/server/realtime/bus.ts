/**
 * The bus orders each presentation's changes and carries them, and the signals that go with
 * them, to every node serving that presentation. The in-process bus serves one node; a Redis
 * bus implements the same interface for several, and nothing else changes.
 *
 * What the bus keeps per presentation: the sequence number, the latest state and a bounded log
 * of recent changes, so a reconnecting client resumes by replay or, past the log's horizon, by
 * snapshot — never by a silent gap.
 */
import type { Unit } from '../../core/inventory.js';
import type {
  FatalReason,
  PresentationView,
  Reaction,
  ViewerPresence,
  VolatileData,
} from '../../core/protocol.js';
import type { ViewPatch, ViewState } from '../../core/view-state.js';

export interface BusEntry {
  seq: number;
  patch: ViewPatch;
  /** Server time when the change was ordered, in epoch ms. */
  t: number;
}

export type BusSignal =
  | { kind: 'lifecycle'; presentation: PresentationView }
  | { kind: 'volatile'; data: VolatileData }
  /** Viewers connected to one node; presenters merge these across nodes. */
  | { kind: 'presence'; node: string; viewers: ViewerPresence[] }
  /** Close viewers: all of them, or those that came through one link. */
  | { kind: 'cut'; reason: FatalReason; tokenHash?: string }
  /** A presenter connection elsewhere took over presenting. */
  | { kind: 'presenter'; node: string; connectionId: string }
  /** The bus lost messages (e.g. Redis restarted): every hub compares its state with the head. */
  | { kind: 'resync' }
  /** A buyer reacted; presenters on every node show it. */
  | { kind: 'reaction'; reaction: Reaction }
  /** The presentation now belongs to another agent: the previous agent's tabs stop. */
  | { kind: 'handoff'; toAgentId: string };

/**
 * Signals for every node rather than one presentation's: what they concern (an agent's sign-in
 * session, an agent's name) may have sockets and cached copies on any node.
 */
export type NodeSignal =
  /** The agent signed out: every node closes the sockets opened with that session (R25). */
  | { kind: 'logged_out'; sessionHash: string }
  /** An agent's name or phone changed: every node drops its cached copy of the agent. */
  | { kind: 'agent_changed'; agentId: string };

export interface NodeListener {
  signal(signal: NodeSignal): void;
  /** Node signals may have been lost for a while (e.g. a broken connection). */
  resync?(): void;
}

export interface BusListener {
  entry(entry: BusEntry): void;
  signal(signal: BusSignal): void;
  /** The bus lost entries for a while (e.g. a broken connection): resync from `head`. */
  resync?(): void;
}

export interface Head {
  seq: number;
  state: ViewState;
}

export interface PresentationBus {
  /**
   * Whether other nodes may be listening. Hubs re-announce their viewers every heartbeat only
   * then: on one node there is nobody to tell.
   */
  readonly spansNodes: boolean;
  /** Sets the starting point for a presentation if the bus has none (e.g. after a restart). */
  seed(pid: string, head: Head): Promise<void>;
  head(pid: string): Promise<Head | undefined>;
  /**
   * Orders one change: assigns the next sequence number, stores `state` as the latest, appends
   * the entry to the log and delivers it to every listener. Resolves with the entry. `baseSeq`
   * is the caller's latest sequence: numbering never restarts below it, even if the bus lost
   * its data.
   */
  append(pid: string, patch: ViewPatch, state: ViewState, baseSeq?: number): Promise<BusEntry>;
  /** Entries after `seq`, oldest first; undefined when the log no longer reaches back that far. */
  since(pid: string, seq: number): Promise<BusEntry[] | undefined>;
  signal(pid: string, signal: BusSignal): Promise<void>;
  /**
   * Resolves once the listener hears every entry and signal published from then on, with the
   * function that stops it.
   */
  subscribe(pid: string, listener: BusListener): Promise<() => void>;
  /**
   * Presenter connections across all nodes, so "the agent left" means the last one, wherever
   * it was. Each resolves with the number of presenter connections still counted.
   */
  presenterJoined(pid: string, connectionId: string): Promise<number>;
  presenterLeft(pid: string, connectionId: string): Promise<number>;
  presenterCount(pid: string): Promise<number>;
  /**
   * Inventory changes (status, price, offer) for every node: each updates its catalogue and
   * tells every console and viewer it serves.
   */
  publishUnits(units: Unit[]): Promise<void>;
  subscribeUnits(listener: (units: Unit[]) => void): () => void;
  /** Delivers a node signal to every node, this one included. */
  broadcast(signal: NodeSignal): Promise<void>;
  subscribeNodes(listener: NodeListener): () => void;
  /** Forgets a presentation that ended. */
  drop(pid: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Keeps the last `size` entries of a resume log. It trims in batches, once the log is a quarter
 * over (at least 16), so an append stays O(1) on average while the log never holds much more
 * than it promises: logs of a few thousand presentations are most of a node's heap otherwise.
 */
export function trimLog<T>(log: T[], size: number): void {
  if (size === 0) log.length = 0;
  else if (log.length > size + Math.max(16, size >> 2)) log.splice(0, log.length - size);
}
