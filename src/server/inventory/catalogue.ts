/**
 * The inventory in memory: loaded from storage at start (seeded with the demo complex when
 * empty), with the buyer-safe projection computed once and reused for every viewer.
 */
import { createHash } from 'node:crypto';

import type { Complex, PublicInventory, Unit } from '../../core/inventory.js';
import { toPublicInventory } from '../../core/inventory.js';
import type { Store } from '../storage/store.js';
import { generateDemoInventory } from './demo.js';

export class Catalogue {
  #complex: Complex;
  #units: Unit[];
  #public: PublicInventory;
  #publicJson: { json: string; version: string } | null = null;

  private constructor(complex: Complex, units: Unit[]) {
    this.#complex = complex;
    this.#units = units;
    this.#public = toPublicInventory(complex, units);
  }

  static async load(store: Store, seedDemo: boolean): Promise<Catalogue> {
    let stored = await store.inventory.load();
    if (!stored && seedDemo) {
      const demo = generateDemoInventory();
      try {
        await store.inventory.replace(demo.complex, demo.units);
        stored = demo;
      } catch (err) {
        // Another node seeding at the same moment won the race: use what it stored.
        stored = await store.inventory.load();
        if (!stored) throw err;
      }
    }
    if (!stored) {
      return new Catalogue({ id: 'empty', name: '', address: '', buildings: [] }, []);
    }
    return new Catalogue(stored.complex, stored.units);
  }

  get complex(): Complex {
    return this.#complex;
  }

  /** Everything, internal fields included: for agents only. */
  get units(): readonly Unit[] {
    return this.#units;
  }

  /** The allow-listed projection: the only inventory a buyer ever receives. */
  get publicInventory(): PublicInventory {
    return this.#public;
  }

  /**
   * The public inventory as JSON, and a version naming exactly that text: the buyer's page
   * fetches it by version after its first frame, so a browser may keep it as long as it likes.
   */
  get publicJson(): { json: string; version: string } {
    if (!this.#publicJson) {
      const json = JSON.stringify(this.#public);
      const version = createHash('sha256').update(json).digest('base64url').slice(0, 16);
      this.#publicJson = { json, version };
    }
    return this.#publicJson;
  }

  unit(id: string): Unit | undefined {
    return this.#units.find((u) => u.id === id);
  }

  /** Takes in new versions of some units (from this node or, through the bus, another). */
  apply(changed: readonly Unit[]): void {
    const byId = new Map(changed.map((u) => [u.id, u]));
    this.#units = this.#units.map((u) => byId.get(u.id) ?? u);
    this.#public = toPublicInventory(this.#complex, this.#units);
    this.#publicJson = null;
  }
}
