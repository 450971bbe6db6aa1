/**
 * The single-node bus: how it orders changes, how far back a reconnecting client can replay,
 * and who hears what.
 */
import { describe, expect, it } from 'vitest';

import { initialViewState } from '../src/core/view-state.js';
import type { ViewState } from '../src/core/view-state.js';
import type { BusEntry, BusListener, BusSignal } from '../src/server/realtime/bus.js';
import { trimLog } from '../src/server/realtime/bus.js';
import { MemoryBus } from '../src/server/realtime/memory-bus.js';
import { ManualClock } from './support/clock.js';

const PID = 'p_one';

function state(galleryIndex: number): ViewState {
  return { ...initialViewState(), galleryIndex };
}

/** A listener that records what it hears. */
function recorder(): BusListener & { entries: BusEntry[]; signals: BusSignal[] } {
  const entries: BusEntry[] = [];
  const signals: BusSignal[] = [];
  return {
    entries,
    signals,
    entry: (entry) => void entries.push(entry),
    signal: (signal) => void signals.push(signal),
  };
}

async function seededBus(options: { logSize?: number; seq?: number } = {}) {
  const clock = new ManualClock();
  const bus = new MemoryBus({ logSize: options.logSize ?? 100, clock });
  await bus.seed(PID, { seq: options.seq ?? 0, state: state(0) });
  return { bus, clock };
}

async function appendMany(bus: MemoryBus, count: number): Promise<BusEntry[]> {
  const entries: BusEntry[] = [];
  for (let i = 1; i <= count; i++) {
    entries.push(await bus.append(PID, { galleryIndex: i % 100 }, state(i % 100)));
  }
  return entries;
}

describe('appending changes', () => {
  it('assigns consecutive sequence numbers after the seeded one', async () => {
    const { bus } = await seededBus({ seq: 41 });

    const entries = await appendMany(bus, 3);

    expect(entries.map((e) => e.seq)).toEqual([42, 43, 44]);
  });

  it('stamps each entry with its patch and the time the bus ordered it', async () => {
    const { bus, clock } = await seededBus();
    clock.advance(1500);

    const entry = await bus.append(PID, { view: 'grid' }, { ...state(0), view: 'grid' });

    expect(entry).toEqual({ seq: 1, patch: { view: 'grid' }, t: clock.now() });
  });

  it('keeps the latest state and sequence number as the head', async () => {
    const { bus } = await seededBus();

    await appendMany(bus, 5);

    await expect(bus.head(PID)).resolves.toEqual({ seq: 5, state: state(5) });
  });

  it('delivers entries to every listener in the order they were appended', async () => {
    const { bus } = await seededBus();
    const first = recorder();
    const second = recorder();
    await bus.subscribe(PID, first);
    await bus.subscribe(PID, second);

    await appendMany(bus, 10);

    const seqs = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(first.entries.map((e) => e.seq)).toEqual(seqs);
    expect(second.entries.map((e) => e.seq)).toEqual(seqs);
  });

  it('delivers an entry before append resolves', async () => {
    const { bus } = await seededBus();
    const listener = recorder();
    await bus.subscribe(PID, listener);

    const entry = await bus.append(PID, { galleryIndex: 1 }, state(1));

    expect(listener.entries).toEqual([entry]);
  });

  it('does not deliver one presentation’s entries to another’s listeners', async () => {
    const { bus } = await seededBus();
    await bus.seed('p_two', { seq: 0, state: state(0) });
    const other = recorder();
    await bus.subscribe('p_two', other);

    await appendMany(bus, 3);

    expect(other.entries).toEqual([]);
  });

  it('rejects an append for a presentation that was never seeded', async () => {
    const bus = new MemoryBus({ logSize: 10, clock: new ManualClock() });

    await expect(bus.append('p_unknown', { galleryIndex: 1 }, state(1))).rejects.toThrow(
      /not seeded/,
    );
  });

  it('rejects an append for a presentation that was dropped', async () => {
    const { bus } = await seededBus();

    await bus.drop(PID);

    await expect(bus.head(PID)).resolves.toBeUndefined();
    await expect(bus.append(PID, { galleryIndex: 1 }, state(1))).rejects.toThrow(/not seeded/);
  });
});

describe('replaying with since()', () => {
  it('returns the entries after the given sequence number, oldest first', async () => {
    const { bus } = await seededBus();
    const entries = await appendMany(bus, 6);

    await expect(bus.since(PID, 3)).resolves.toEqual(entries.slice(3));
  });

  it('returns every entry from the seeded sequence number', async () => {
    const { bus } = await seededBus({ seq: 10 });
    const entries = await appendMany(bus, 4);

    await expect(bus.since(PID, 10)).resolves.toEqual(entries);
  });

  it('returns an empty list for a client already at the head', async () => {
    const { bus } = await seededBus();
    await appendMany(bus, 4);

    await expect(bus.since(PID, 4)).resolves.toEqual([]);
  });

  it('returns an empty list at the seeded head before any change', async () => {
    const { bus } = await seededBus({ seq: 7 });

    await expect(bus.since(PID, 7)).resolves.toEqual([]);
  });

  it('returns undefined for a sequence number ahead of the head', async () => {
    const { bus } = await seededBus();
    await appendMany(bus, 4);

    await expect(bus.since(PID, 5)).resolves.toBeUndefined();
  });

  it('returns undefined for a presentation it does not know', async () => {
    const { bus } = await seededBus();

    await expect(bus.since('p_unknown', 0)).resolves.toBeUndefined();
  });

  it('replays exactly logSize entries back and no further, after the log was trimmed', async () => {
    const logSize = 8;
    const { bus } = await seededBus({ logSize });
    // More than twice the log size, so the batch trim has run.
    const entries = await appendMany(bus, 3 * logSize + 3);
    const head = entries.length;

    await expect(bus.since(PID, head - logSize)).resolves.toEqual(entries.slice(-logSize));
    await expect(bus.since(PID, head - logSize - 1)).resolves.toBeUndefined();
    await expect(bus.since(PID, 0)).resolves.toBeUndefined();
  });

  it('keeps the same horizon between trims, while the log holds more than logSize', async () => {
    const logSize = 8;
    const { bus } = await seededBus({ logSize });
    const entries = await appendMany(bus, logSize + 3);
    const head = entries.length;

    await expect(bus.since(PID, head - logSize)).resolves.toEqual(entries.slice(-logSize));
    await expect(bus.since(PID, head - logSize - 1)).resolves.toBeUndefined();
  });

  it('cannot replay to before the seeded sequence number', async () => {
    const { bus } = await seededBus({ seq: 10 });
    await appendMany(bus, 2);

    await expect(bus.since(PID, 9)).resolves.toBeUndefined();
  });

  it('replays nothing with a log size of zero, so clients fall back to the snapshot', async () => {
    const { bus } = await seededBus({ logSize: 0 });
    await appendMany(bus, 3);

    await expect(bus.since(PID, 2)).resolves.toBeUndefined();
    await expect(bus.since(PID, 3)).resolves.toEqual([]);
  });
});

describe('seeding', () => {
  it('does not move a channel backwards to an older sequence number', async () => {
    const { bus } = await seededBus();
    const entries = await appendMany(bus, 5);

    await bus.seed(PID, { seq: 2, state: state(99) });

    await expect(bus.head(PID)).resolves.toEqual({ seq: 5, state: state(5) });
    await expect(bus.since(PID, 0)).resolves.toEqual(entries);
  });

  it('does not replace the head with a seed of the same sequence number', async () => {
    const { bus } = await seededBus({ seq: 3 });

    await bus.seed(PID, { seq: 3, state: state(42) });

    await expect(bus.head(PID)).resolves.toEqual({ seq: 3, state: state(0) });
  });

  it('moves a channel forward to a newer seed, and continues from it', async () => {
    const { bus } = await seededBus();
    await appendMany(bus, 2);

    await bus.seed(PID, { seq: 20, state: state(20) });
    const next = await bus.append(PID, { galleryIndex: 21 }, state(21));

    expect(next.seq).toBe(21);
    // The entries before the new seed are gone: a client behind it must take a snapshot.
    await expect(bus.since(PID, 1)).resolves.toBeUndefined();
  });
});

describe('signals and subscriptions', () => {
  const signal: BusSignal = { kind: 'volatile', data: { pointer: { x: 0.5, y: 0.5 } } };

  it('delivers a signal to every listener of the presentation', async () => {
    const { bus } = await seededBus();
    const listeners = [recorder(), recorder(), recorder()];
    for (const listener of listeners) await bus.subscribe(PID, listener);

    await bus.signal(PID, signal);

    for (const listener of listeners) expect(listener.signals).toEqual([signal]);
  });

  it('delivers a signal for a presentation that has no channel yet', async () => {
    const bus = new MemoryBus({ logSize: 10, clock: new ManualClock() });
    const listener = recorder();
    await bus.subscribe('p_new', listener);

    await bus.signal('p_new', { kind: 'cut', reason: 'revoked' });

    expect(listener.signals).toEqual([{ kind: 'cut', reason: 'revoked' }]);
  });

  it('stops delivering entries and signals to a listener that unsubscribed', async () => {
    const { bus } = await seededBus();
    const leaving = recorder();
    const staying = recorder();
    const unsubscribe = await bus.subscribe(PID, leaving);
    await bus.subscribe(PID, staying);

    unsubscribe();
    await bus.append(PID, { galleryIndex: 1 }, state(1));
    await bus.signal(PID, signal);

    expect(leaving.entries).toEqual([]);
    expect(leaving.signals).toEqual([]);
    expect(staying.entries).toHaveLength(1);
    expect(staying.signals).toEqual([signal]);
  });

  it('delivers again to a listener that subscribed after everyone left', async () => {
    const { bus } = await seededBus();
    (await bus.subscribe(PID, recorder()))();
    const later = recorder();
    await bus.subscribe(PID, later);

    await bus.append(PID, { galleryIndex: 1 }, state(1));

    expect(later.entries).toHaveLength(1);
  });

  // Regression: a second call of a stale unsubscribe deleted a newer listener set.
  it('keeps a later listener when an earlier unsubscribe is called twice', async () => {
    const { bus } = await seededBus();
    const unsubscribe = await bus.subscribe(PID, recorder());
    unsubscribe();
    const later = recorder();
    await bus.subscribe(PID, later);

    unsubscribe();
    await bus.append(PID, { galleryIndex: 1 }, state(1));

    expect(later.entries).toHaveLength(1);
  });
});

describe('trimLog', () => {
  it('keeps a resume log within a quarter of its size, ending with the newest entries', () => {
    const log: number[] = [];
    let longest = 0;
    for (let i = 1; i <= 10_000; i++) {
      log.push(i);
      trimLog(log, 100);
      longest = Math.max(longest, log.length);
    }
    expect(longest).toBe(125);
    expect(log.at(-1)).toBe(10_000);
    expect(log.length).toBeGreaterThanOrEqual(100);
    expect(log[0]).toBe(10_001 - log.length);
  });

  it('keeps nothing for a size of zero, so every resume gets a snapshot', () => {
    const log = [1, 2, 3];
    trimLog(log, 0);
    expect(log).toEqual([]);
  });
});
