/**
 * The bus for several nodes, on Redis: any node can serve any presenter or viewer.
 *
 * Per presentation Redis keeps the sequence, the latest state and a bounded list of recent
 * entries, all written by one Lua script so ordering is atomic; the same script publishes the
 * entry on the presentation's channel, and signals are published there too. Pub/sub alone would drop what a node misses
 * while its subscription is down, so the stored head and log are what resume and recovery read:
 * when the subscription comes back, every hub on the node resynchronises from them (and re-seeds
 * them, if Redis itself restarted empty). docs/decisions.md records why this beats Streams here.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

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

/**
 * KEYS: seq, head, log. ARGV: patch JSON, state JSON, time, log size, base seq, ttl seconds,
 * channel. The base seq is the caller's own latest: after Redis lost its data, numbering
 * continues from there instead of starting again at 1. The entry is published from inside the
 * script: subscribers hear of it one round trip sooner than if the caller published it after
 * the reply, and never before it is stored.
 */
const APPEND = `
local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
local base = tonumber(ARGV[5])
if current < base then current = base end
local seq = current + 1
redis.call('SET', KEYS[1], seq, 'EX', ARGV[6])
redis.call('SET', KEYS[2], '{"seq":' .. seq .. ',"state":' .. ARGV[2] .. '}', 'EX', ARGV[6])
local entry = '{"seq":' .. seq .. ',"patch":' .. ARGV[1] .. ',"t":' .. ARGV[3] .. '}'
redis.call('RPUSH', KEYS[3], entry)
redis.call('LTRIM', KEYS[3], -tonumber(ARGV[4]), -1)
redis.call('EXPIRE', KEYS[3], ARGV[6])
redis.call('PUBLISH', ARGV[7], '{"e":' .. entry .. '}')
return entry
`;

/** KEYS: seq, head. ARGV: seq, head JSON, ttl. Moves the head forward, never back. */
const SEED = `
local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
if current >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1
`;

type Message = { e: BusEntry } | { s: BusSignal };

export interface RedisBusOptions {
  url: string;
  clock: Clock;
  log: Logger;
  logSize: number;
  /** Keys and channels start with this; tests use a fresh one to keep runs apart. */
  prefix?: string;
  /** How long a presentation's keys live after their last write. */
  ttlSeconds?: number;
  /** A presenter connection counts as present until this long after its last refresh. */
  presenterTtlMs?: number;
}

export class RedisBus implements PresentationBus {
  readonly #cmd: Redis;
  readonly #sub: Redis;
  readonly #o: Required<Omit<RedisBusOptions, 'url'>>;
  readonly #listeners = new Map<string, Set<BusListener>>();
  /** Each channel's SUBSCRIBE, which resolves once Redis has taken it. */
  readonly #subscribing = new Map<string, Promise<void>>();
  readonly #unitListeners = new Set<(units: Unit[]) => void>();
  readonly #nodeListeners = new Set<NodeListener>();
  #wasReady = false;
  readonly spansNodes = true;

  constructor(options: RedisBusOptions) {
    this.#o = {
      prefix: 'rp:',
      ttlSeconds: 9 * 3600,
      presenterTtlMs: 45_000,
      ...options,
    };
    const common = { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false };
    this.#cmd = new Redis(options.url, common);
    this.#sub = new Redis(options.url, { ...common, maxRetriesPerRequest: null });
    this.#cmd.defineCommand('rpAppend', { numberOfKeys: 3, lua: APPEND });
    this.#cmd.defineCommand('rpSeed', { numberOfKeys: 2, lua: SEED });

    for (const [name, client] of [
      ['commands', this.#cmd],
      ['subscriber', this.#sub],
    ] as const) {
      client.on('error', (err: Error) =>
        this.#o.log.warn({ err: err.message }, `redis ${name} error`),
      );
    }
    this.#sub.on('message', (channel: string, text: string) => this.#deliver(channel, text));
    // ioredis re-subscribes by itself after a reconnect; what was published meanwhile is lost,
    // so every hub on this node checks the stored head. It says 'ready' before it sends the
    // SUBSCRIBE commands, though: checking then would leave a gap in which an entry is
    // published to a node not yet listening, after that node read the head. A PING sent after
    // them comes back once Redis has taken them, and only then do the hubs check.
    this.#sub.on('ready', () => {
      if (!this.#wasReady) {
        this.#wasReady = true;
        return;
      }
      setImmediate(() => {
        this.#sub.ping().then(
          () => this.#resyncAll(),
          (err: unknown) => this.#o.log.warn({ err }, 'redis subscriber did not come back'),
        );
      });
    });
  }

  /** Resolves once both connections are up. */
  async ready(): Promise<void> {
    await Promise.all([this.#cmd.ping(), this.#sub.ping()]);
  }

  #key(pid: string, part: string): string {
    return `${this.#o.prefix}p:${pid}:${part}`;
  }

  #channel(pid: string): string {
    return `${this.#o.prefix}c:${pid}`;
  }

  async seed(pid: string, head: Head): Promise<void> {
    await (this.#cmd as unknown as ScriptCommands).rpSeed(
      this.#key(pid, 'seq'),
      this.#key(pid, 'head'),
      head.seq,
      JSON.stringify(head),
      this.#o.ttlSeconds,
    );
  }

  async head(pid: string): Promise<Head | undefined> {
    const text = await this.#cmd.get(this.#key(pid, 'head'));
    return text ? (JSON.parse(text) as Head) : undefined;
  }

  async append(pid: string, patch: ViewPatch, state: ViewState, baseSeq = -1): Promise<BusEntry> {
    const text = await (this.#cmd as unknown as ScriptCommands).rpAppend(
      this.#key(pid, 'seq'),
      this.#key(pid, 'head'),
      this.#key(pid, 'log'),
      JSON.stringify(patch),
      JSON.stringify(state),
      this.#o.clock.now(),
      this.#o.logSize,
      baseSeq,
      this.#o.ttlSeconds,
      this.#channel(pid),
    );
    return JSON.parse(text) as BusEntry;
  }

  async since(pid: string, seq: number): Promise<BusEntry[] | undefined> {
    const head = await this.head(pid);
    if (!head || seq > head.seq) return undefined;
    if (seq === head.seq) return [];
    const log = (await this.#cmd.lrange(this.#key(pid, 'log'), 0, -1)).map(
      (text) => JSON.parse(text) as BusEntry,
    );
    const first = log[0];
    if (!first || first.seq > seq + 1) return undefined;
    return log.filter((e) => e.seq > seq);
  }

  async signal(pid: string, signal: BusSignal): Promise<void> {
    await this.#cmd.publish(this.#channel(pid), JSON.stringify({ s: signal }));
  }

  async subscribe(pid: string, listener: BusListener): Promise<() => void> {
    let set = this.#listeners.get(pid);
    if (!set) {
      this.#listeners.set(pid, (set = new Set()));
      // Kept per channel, so a second listener waits for the same confirmation.
      this.#subscribing.set(
        pid,
        this.#sub.subscribe(this.#channel(pid)).then(
          () => undefined,
          (err: unknown) => {
            this.#o.log.warn({ err, presentationId: pid }, 'redis subscribe failed');
          },
        ),
      );
    }
    set.add(listener);
    const subscribed = set;
    await this.#subscribing.get(pid);
    return () => {
      subscribed.delete(listener);
      if (subscribed.size === 0 && this.#listeners.get(pid) === subscribed) {
        this.#listeners.delete(pid);
        this.#subscribing.delete(pid);
        this.#sub.unsubscribe(this.#channel(pid)).catch(() => undefined);
      }
    };
  }

  async presenterJoined(pid: string, connectionId: string): Promise<number> {
    const key = this.#key(pid, 'presenters');
    const now = this.#o.clock.now();
    const [, , [, count]] = (await this.#cmd
      .multi()
      .zadd(key, now + this.#o.presenterTtlMs, connectionId)
      .expire(key, this.#o.ttlSeconds)
      .zcount(key, now, '+inf')
      .exec()) as [unknown, unknown, [unknown, number]];
    return count;
  }

  async presenterLeft(pid: string, connectionId: string): Promise<number> {
    const key = this.#key(pid, 'presenters');
    await this.#cmd.zrem(key, connectionId);
    return this.presenterCount(pid);
  }

  async presenterCount(pid: string): Promise<number> {
    return this.#cmd.zcount(this.#key(pid, 'presenters'), this.#o.clock.now(), '+inf');
  }

  async publishUnits(units: Unit[]): Promise<void> {
    await this.#cmd.publish(this.#unitsChannel(), JSON.stringify(units));
  }

  subscribeUnits(listener: (units: Unit[]) => void): () => void {
    if (this.#unitListeners.size === 0) {
      this.#sub.subscribe(this.#unitsChannel()).catch((err: unknown) => {
        this.#o.log.warn({ err }, 'redis subscribe to unit changes failed');
      });
    }
    this.#unitListeners.add(listener);
    return () => this.#unitListeners.delete(listener);
  }

  #unitsChannel(): string {
    return `${this.#o.prefix}units`;
  }

  async broadcast(signal: NodeSignal): Promise<void> {
    await this.#cmd.publish(this.#nodesChannel(), JSON.stringify(signal));
  }

  subscribeNodes(listener: NodeListener): () => void {
    if (this.#nodeListeners.size === 0) {
      this.#sub.subscribe(this.#nodesChannel()).catch((err: unknown) => {
        this.#o.log.warn({ err }, 'redis subscribe to node signals failed');
      });
    }
    this.#nodeListeners.add(listener);
    return () => this.#nodeListeners.delete(listener);
  }

  #nodesChannel(): string {
    return `${this.#o.prefix}nodes`;
  }

  async drop(pid: string): Promise<void> {
    await this.#cmd.del(
      this.#key(pid, 'seq'),
      this.#key(pid, 'head'),
      this.#key(pid, 'log'),
      this.#key(pid, 'presenters'),
    );
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    this.#subscribing.clear();
    this.#nodeListeners.clear();
    await Promise.allSettled([this.#sub.quit(), this.#cmd.quit()]);
  }

  #deliver(channel: string, text: string): void {
    if (channel === this.#unitsChannel()) {
      let units: Unit[];
      try {
        units = JSON.parse(text) as Unit[];
      } catch {
        return;
      }
      for (const listener of this.#unitListeners) listener(units);
      return;
    }
    if (channel === this.#nodesChannel()) {
      let signal: NodeSignal;
      try {
        signal = JSON.parse(text) as NodeSignal;
      } catch {
        return;
      }
      for (const listener of [...this.#nodeListeners]) listener.signal(signal);
      return;
    }
    const pid = channel.slice(this.#o.prefix.length + 2);
    const listeners = this.#listeners.get(pid);
    if (!listeners) return;
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      return;
    }
    for (const listener of listeners) {
      if ('e' in message) listener.entry(message.e);
      else listener.signal(message.s);
    }
  }

  #resyncAll(): void {
    for (const listener of this.#nodeListeners) listener.resync?.();
    for (const listeners of this.#listeners.values()) {
      for (const listener of listeners) listener.resync?.();
    }
  }
}

interface ScriptCommands {
  rpAppend(...args: (string | number)[]): Promise<string>;
  rpSeed(...args: (string | number)[]): Promise<number>;
}
