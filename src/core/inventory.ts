/**
 * The inventory of a residential complex, and the buyer-safe projection of it.
 *
 * A `Unit` is what the developer's back office knows, internal fields included. A `PublicUnit`
 * is what a buyer may see. The projection is built from an allow-list: a field reaches a buyer
 * only if it is named in `PUBLIC_UNIT_FIELDS`, so a field added to `Unit` later stays internal
 * until someone decides otherwise.
 */

export const ROOM_KINDS = ['studio', '1', '2', '3', '4+'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];

export const FINISHINGS = ['shell', 'white_box', 'turnkey'] as const;
export type Finishing = (typeof FINISHINGS)[number];

export const WINDOW_VIEWS = ['park', 'yard', 'city', 'river', 'street'] as const;
export type WindowView = (typeof WINDOW_VIEWS)[number];

export const UNIT_STATUSES = ['available', 'reserved', 'sold', 'not_for_sale'] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];

/** What a buyer is told about a unit's status: "not for sale" and its reason stay internal. */
export const PUBLIC_STATUSES = ['available', 'reserved', 'sold', 'unavailable'] as const;
export type PublicStatus = (typeof PUBLIC_STATUSES)[number];

export type Outdoor = 'balcony' | 'loggia' | null;

export interface Complex {
  id: string;
  name: string;
  address: string;
  buildings: Building[];
}

export interface Building {
  id: string;
  name: string;
  /** Completion quarter, e.g. `2027-Q3`. */
  completion: string;
  floors: number;
  sections: Section[];
}

export interface Section {
  id: string;
  buildingId: string;
  number: number;
  floors: number;
  /** Units per floor; positions are numbered from 1, left to right. */
  positions: number;
}

/** Back-office fields that never reach a buyer. */
export interface UnitInternal {
  reservedBy: string | null;
  reservedUntil: string | null;
  buyerName: string | null;
  dealStage: string | null;
  discountLimitPct: number;
  commissionPct: number;
  notes: string;
  btiNumber: string;
  notForSaleReason: string | null;
}

export interface Unit {
  id: string;
  buildingId: string;
  sectionId: string;
  floor: number;
  position: number;
  number: string;
  rooms: RoomKind;
  /** A "euro" layout: one room fewer plus a kitchen-living room (2E, 3E). */
  euro: boolean;
  openPlan: boolean;
  areaTotal: number;
  areaLiving: number;
  areaKitchen: number;
  ceiling: number;
  finishing: Finishing;
  view: WindowView;
  outdoor: Outdoor;
  bathrooms: number;
  /** Units stacked on the same position share a layout code and a plan. */
  layoutCode: string;
  price: number;
  pricePerM2: number;
  offer: string | null;
  status: UnitStatus;
  internal: UnitInternal;
}

export interface PublicUnit {
  id: string;
  buildingId: string;
  sectionId: string;
  floor: number;
  position: number;
  number: string;
  rooms: RoomKind;
  euro: boolean;
  openPlan: boolean;
  areaTotal: number;
  areaLiving: number;
  areaKitchen: number;
  ceiling: number;
  finishing: Finishing;
  view: WindowView;
  outdoor: Outdoor;
  bathrooms: number;
  layoutCode: string;
  /** Null when the unit cannot be bought: a buyer is not shown what a sold unit went for. */
  price: number | null;
  pricePerM2: number | null;
  offer: string | null;
  status: PublicStatus;
}

export interface PublicInventory {
  complex: Complex;
  units: PublicUnit[];
  /**
   * Only in an inventory cut for one view (`view-inventory.ts`), which holds some of the units:
   * what the overview shows of each building, by building id, summed over all of them.
   */
  buildingSummaries?: Record<string, BuildingSummary>;
}

/** A building's units for sale and the lowest price among them, as the overview shows. */
export interface BuildingSummary {
  available: number;
  fromPrice: number | null;
}

/** The allow-list. Every field copied to a buyer is named here; nothing else is copied. */
export const PUBLIC_UNIT_FIELDS = [
  'id',
  'buildingId',
  'sectionId',
  'floor',
  'position',
  'number',
  'rooms',
  'euro',
  'openPlan',
  'areaTotal',
  'areaLiving',
  'areaKitchen',
  'ceiling',
  'finishing',
  'view',
  'outdoor',
  'bathrooms',
  'layoutCode',
  'price',
  'pricePerM2',
  'offer',
] as const satisfies readonly (keyof Unit & keyof PublicUnit)[];

export function publicStatus(status: UnitStatus): PublicStatus {
  return status === 'not_for_sale' ? 'unavailable' : status;
}

export function toPublicUnit(unit: Unit): PublicUnit {
  const out: Record<string, unknown> = {};
  for (const field of PUBLIC_UNIT_FIELDS) out[field] = unit[field];

  const status = publicStatus(unit.status);
  const buyable = status === 'available' || status === 'reserved';

  return {
    ...(out as Omit<PublicUnit, 'status' | 'price' | 'pricePerM2'>),
    price: buyable ? unit.price : null,
    pricePerM2: buyable ? unit.pricePerM2 : null,
    status,
  };
}

export function toPublicInventory(complex: Complex, units: readonly Unit[]): PublicInventory {
  return { complex, units: units.map(toPublicUnit) };
}

/** Short type label used on grid cells: С, 1, 2E, 3… (Latin letters in English). */
export function unitTypeLabel(unit: Pick<PublicUnit, 'rooms' | 'euro' | 'openPlan'>): string {
  if (unit.openPlan) return 'OP';
  if (unit.rooms === 'studio') return 'S';
  return unit.euro ? `${unit.rooms}E` : unit.rooms;
}
