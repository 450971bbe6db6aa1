/**
 * What the agent's screen shows, as data. Mirroring is semantic: the agent's console and the
 * buyer's phone both render a `ViewState`, each in its own layout.
 *
 * A view state holds identifiers and buyer-safe values only. Unit details come from the public
 * projection of the inventory, never from the view state itself.
 */
import type { Finishing, PublicStatus, RoomKind } from './inventory.js';

export const VIEWS = ['overview', 'grid', 'floor', 'list', 'unit', 'shortlist'] as const;
export type ViewName = (typeof VIEWS)[number];

export const SORT_KEYS = ['price', 'pricePerM2', 'area', 'floor'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface Filters {
  buildings: string[];
  sections: string[];
  rooms: RoomKind[];
  /** Only euro layouts (2E, 3E…). */
  euroOnly: boolean;
  priceMin: number | null;
  priceMax: number | null;
  areaMin: number | null;
  areaMax: number | null;
  floorMin: number | null;
  floorMax: number | null;
  notFirst: boolean;
  notLast: boolean;
  finishing: Finishing[];
  completion: string[];
  statuses: PublicStatus[];
  offersOnly: boolean;
}

export interface Sort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

export interface ViewState {
  view: ViewName;
  buildingId: string | null;
  sectionId: string | null;
  floor: number | null;
  unitId: string | null;
  filters: Filters;
  sort: Sort;
  galleryIndex: number;
  highlighted: string[];
  shortlist: string[];
}

/** A change replaces the top-level fields it names and leaves the others as they were. */
export type ViewPatch = Partial<ViewState>;

export const EMPTY_FILTERS: Filters = {
  buildings: [],
  sections: [],
  rooms: [],
  euroOnly: false,
  priceMin: null,
  priceMax: null,
  areaMin: null,
  areaMax: null,
  floorMin: null,
  floorMax: null,
  notFirst: false,
  notLast: false,
  finishing: [],
  completion: [],
  statuses: [],
  offersOnly: false,
};

export function initialViewState(): ViewState {
  return {
    view: 'overview',
    buildingId: null,
    sectionId: null,
    floor: null,
    unitId: null,
    filters: structuredClone(EMPTY_FILTERS),
    sort: { key: 'price', dir: 'asc' },
    galleryIndex: 0,
    highlighted: [],
    shortlist: [],
  };
}

const VIEW_STATE_KEYS = Object.keys(initialViewState()) as (keyof ViewState)[];

/** Applies a change. Only known top-level keys are copied, so no stray key can ride along. */
export function applyPatch(state: ViewState, patch: ViewPatch): ViewState {
  const next = { ...state };
  for (const key of VIEW_STATE_KEYS) {
    if (Object.prototype.hasOwnProperty.call(patch, key) && patch[key] !== undefined) {
      (next as Record<string, unknown>)[key] = patch[key];
    }
  }
  return next;
}

/** Deep equality of JSON values; the order of object keys does not matter. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => sameValue(item, b[i]))
    );
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  return (
    keys.length === Object.keys(y).length &&
    keys.every((k) => Object.prototype.hasOwnProperty.call(y, k) && sameValue(x[k], y[k]))
  );
}

/** The smallest patch that turns `from` into `to`, comparing fields by value. */
export function diffViewState(from: ViewState, to: ViewState): ViewPatch {
  const patch: Record<string, unknown> = {};
  for (const key of VIEW_STATE_KEYS) {
    if (!sameValue(from[key], to[key])) patch[key] = to[key];
  }
  return patch as ViewPatch;
}
