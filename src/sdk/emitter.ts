/** A small typed event emitter: `on` returns the function that unsubscribes. */
export type Listener<A extends unknown[]> = (...args: A) => void;

type AnyListener = (...args: unknown[]) => void;

export class Emitter<Events extends Record<string, unknown[]>> {
  readonly #listeners = new Map<keyof Events, Set<AnyListener>>();

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const stored = listener as unknown as AnyListener;
    set.add(stored);
    return () => set.delete(stored);
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const listener of this.#listeners.get(event) ?? []) listener(...args);
  }
}
