import type { Clock, TimerHandle } from '../../src/server/clock.js';

/** A clock that moves only when a test says so; timers fire in due order during `advance`. */
export class ManualClock implements Clock {
  #now: number;
  #timers: { due: number; fn: () => void; every?: number; id: number }[] = [];
  #nextId = 1;

  constructor(start = Date.UTC(2026, 11, 3, 9, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  after(ms: number, fn: () => void): TimerHandle {
    const id = this.#nextId++;
    this.#timers.push({ due: this.#now + ms, fn, id });
    return { cancel: () => (this.#timers = this.#timers.filter((t) => t.id !== id)) };
  }

  every(ms: number, fn: () => void): TimerHandle {
    const id = this.#nextId++;
    this.#timers.push({ due: this.#now + ms, fn, every: ms, id });
    return { cancel: () => (this.#timers = this.#timers.filter((t) => t.id !== id)) };
  }

  /** Moves time forward, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#timers
        .filter((t) => t.due <= target)
        .sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!next) break;
      this.#now = next.due;
      if (next.every) next.due += next.every;
      else this.#timers = this.#timers.filter((t) => t !== next);
      next.fn();
    }
    this.#now = target;
  }
}
