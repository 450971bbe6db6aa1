/** The single-node bus: everything in this process's memory, delivered synchronously. */
import type { Unit } from '../../core/inventory.js';
import type { ViewPatch, ViewState } from '../../core/view-state.js';
import type { Clock } from '../clock.js';
import type {
  BusEntry,
  BusListener,
  BusSignal,
  Head,
  NodeListener,
  NodeSignal,
  PresentationBus,
} from './bus.js';
import { trimLog } from './bus.js';

interface Channel {
  seq: number;
  state: ViewState;
  log: BusEntry[];
}

export class MemoryBus implements PresentationBus {
  readonly #channels = new Map<string, Channel>();
  readonly #listeners = new Map<string, Set<BusListener>>();
  readonly #presenters = new Map<string, Set<string>>();
  readonly #unitListeners = new Set<(units: Unit[]) => void>();
  readonly #nodeListeners = new Set<NodeListener>();
  readonly #logSize: number;
  readonly #clock: Clock;
  readonly spansNodes: boolean;

  /** `spansNodes`: tests that stand several hubs of one presentation on it, as nodes. */
  constructor(options: { logSize: number; clock: Clock; spansNodes?: boolean }) {
    this.#logSize = options.logSize;
    this.#clock = options.clock;
    this.spansNodes = options.spansNodes ?? false;
  }

  async seed(pid: string, head: Head): Promise<void> {
    const existing = this.#channels.get(pid);
    if (existing && existing.seq >= head.seq) return;
    this.#channels.set(pid, { seq: head.seq, state: head.state, log: [] });
  }

  async head(pid: string): Promise<Head | undefined> {
    const channel = this.#channels.get(pid);
    return channel && { seq: channel.seq, state: channel.state };
  }

  async append(pid: string, patch: ViewPatch, state: ViewState, baseSeq = -1): Promise<BusEntry> {
    const channel = this.#channels.get(pid);
    if (!channel) throw new Error(`bus: presentation ${pid} was not seeded`);

    const entry: BusEntry = {
      seq: Math.max(channel.seq, baseSeq) + 1,
      patch,
      t: this.#clock.now(),
    };
    channel.seq = entry.seq;
    channel.state = state;
    channel.log.push(entry);
    trimLog(channel.log, this.#logSize);

    for (const listener of this.#listeners.get(pid) ?? []) listener.entry(entry);
    return entry;
  }

  async since(pid: string, seq: number): Promise<BusEntry[] | undefined> {
    const channel = this.#channels.get(pid);
    if (!channel || seq > channel.seq) return undefined;
    if (seq === channel.seq) return [];

    const log = channel.log.slice(-this.#logSize);
    const first = log[0];
    if (!first || first.seq > seq + 1) return undefined;
    return log.filter((e) => e.seq > seq);
  }

  async signal(pid: string, signal: BusSignal): Promise<void> {
    for (const listener of this.#listeners.get(pid) ?? []) listener.signal(signal);
  }

  async subscribe(pid: string, listener: BusListener): Promise<() => void> {
    let set = this.#listeners.get(pid);
    if (!set) this.#listeners.set(pid, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(pid) === set) this.#listeners.delete(pid);
    };
  }

  async presenterJoined(pid: string, connectionId: string): Promise<number> {
    let set = this.#presenters.get(pid);
    if (!set) this.#presenters.set(pid, (set = new Set()));
    set.add(connectionId);
    return set.size;
  }

  async presenterLeft(pid: string, connectionId: string): Promise<number> {
    const set = this.#presenters.get(pid);
    set?.delete(connectionId);
    if (set?.size === 0) this.#presenters.delete(pid);
    return set?.size ?? 0;
  }

  async presenterCount(pid: string): Promise<number> {
    return this.#presenters.get(pid)?.size ?? 0;
  }

  async publishUnits(units: Unit[]): Promise<void> {
    for (const listener of this.#unitListeners) listener(units);
  }

  subscribeUnits(listener: (units: Unit[]) => void): () => void {
    this.#unitListeners.add(listener);
    return () => this.#unitListeners.delete(listener);
  }

  async broadcast(signal: NodeSignal): Promise<void> {
    for (const listener of [...this.#nodeListeners]) listener.signal(signal);
  }

  subscribeNodes(listener: NodeListener): () => void {
    this.#nodeListeners.add(listener);
    return () => this.#nodeListeners.delete(listener);
  }

  async drop(pid: string): Promise<void> {
    this.#channels.delete(pid);
    this.#presenters.delete(pid);
  }

  async close(): Promise<void> {
    this.#channels.clear();
    this.#listeners.clear();
    this.#presenters.clear();
    this.#nodeListeners.clear();
  }
}
