/**
 * Group commit for the writes the live path makes: every presenter change stores the view
 * state, and many add a line to the session record. One statement per write would cost a
 * query compile, a prepare and a round trip each; instead the writes queued within a short
 * window go out together, as one statement, and each caller's promise settles when the
 * statement that carries its write has. The window delays only the presenter's `ack`, never
 * what a viewer sees: fan-out does not wait for storage.
 */

export type WriteBatchFlush<T> = (items: T[]) => Promise<void>;

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class WriteBatch<T> {
  readonly #flushMany: WriteBatchFlush<T>;
  readonly #flushOne: WriteBatchFlush<T>;
  readonly #maxItems: number;
  readonly #windowMs: number;
  #queue: Pending<T>[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #timerImmediate = false;
  #inFlight: Promise<void> = Promise.resolve();

  /**
   * `flushMany` writes a whole batch as one statement. When it fails, every item is retried
   * alone with `flushOne`, so one bad row (a presentation deleted meanwhile, say) fails only
   * its own caller, and an unavailable database fails every caller, as a single write would.
   */
  constructor(options: {
    flushMany: WriteBatchFlush<T>;
    flushOne: WriteBatchFlush<T>;
    maxItems: number;
    /** How long the first write of a batch waits for company. */
    windowMs: number;
  }) {
    this.#flushMany = options.flushMany;
    this.#flushOne = options.flushOne;
    this.#maxItems = options.maxItems;
    this.#windowMs = options.windowMs;
  }

  /**
   * Queues a write. `soon` makes it wait for the window; otherwise the batch goes out at the
   * next turn, taking along whatever was already waiting, so writes keep their order.
   */
  add(item: T, soon = true): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!soon || this.#queue.length >= this.#maxItems) this.#schedule(0);
      else this.#schedule(this.#windowMs);
    });
  }

  #schedule(delayMs: number): void {
    if (this.#timer && (delayMs > 0 || this.#timerImmediate)) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerImmediate = delayMs === 0;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#inFlight = this.#inFlight.then(() => this.#drain());
    }, delayMs);
  }

  /** Resolves once every write queued so far has settled. */
  async settle(): Promise<void> {
    while (this.#queue.length > 0 || this.#timer) {
      await new Promise<void>((resolve) => setTimeout(resolve, this.#windowMs));
    }
    await this.#inFlight;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxItems);
      await this.#write(batch);
    }
  }

  async #write(batch: Pending<T>[]): Promise<void> {
    try {
      await this.#flushMany(batch.map((p) => p.item));
      for (const p of batch) p.resolve();
      return;
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
    }
    for (const p of batch) {
      try {
        await this.#flushOne([p.item]);
        p.resolve();
      } catch (err) {
        p.reject(err);
      }
    }
  }
}
