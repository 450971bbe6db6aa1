import { describe, expect, it } from 'vitest';

import { toPublicUnit } from '../src/core/inventory.js';
import type { RoomKind, Unit, UnitInternal, UnitStatus } from '../src/core/inventory.js';
import { DEMO_AGENTS, generateDemoInventory } from '../src/server/inventory/demo.js';

const { complex, units } = generateDemoInventory();

const share = (predicate: (unit: Unit) => boolean): number =>
  units.filter(predicate).length / units.length;

function groupBy<K>(items: readonly Unit[], keyOf: (unit: Unit) => K): Map<K, Unit[]> {
  const groups = new Map<K, Unit[]>();
  for (const item of items) {
    const key = keyOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}

const mean = (values: readonly number[]): number =>
  values.reduce((sum, value) => sum + value, 0) / values.length;

describe('the demo inventory', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(generateDemoInventory(2026)).toEqual({ complex, units });
    expect(generateDemoInventory(7)).toEqual(generateDemoInventory(7));
    expect(generateDemoInventory(7).units).not.toEqual(units);
  });

  it('has one complex of three buildings, each with two to four sections', () => {
    // The name alone: screens add «ЖК» / "residential complex" in the reader's language.
    expect(complex.name).toBe('Северный парк');
    expect(complex.address).toMatch(/^Москва, /);
    expect(complex.buildings.map((b) => b.id)).toEqual(['b1', 'b2', 'b3']);

    for (const building of complex.buildings) {
      expect(building.sections.length).toBeGreaterThanOrEqual(2);
      expect(building.sections.length).toBeLessThanOrEqual(4);
      expect(building.floors).toBe(Math.max(...building.sections.map((s) => s.floors)));
      building.sections.forEach((section, index) => {
        expect(section.id).toBe(`${building.id}-s${index + 1}`);
        expect(section.buildingId).toBe(building.id);
        expect(section.number).toBe(index + 1);
        expect(section.floors).toBeGreaterThanOrEqual(9);
        expect(section.floors).toBeLessThanOrEqual(25);
        expect(section.positions).toBeGreaterThanOrEqual(4);
        expect(section.positions).toBeLessThanOrEqual(8);
      });
    }
  });

  it('gives each building its own completion quarter', () => {
    const quarters = complex.buildings.map((b) => b.completion);
    for (const quarter of quarters) expect(quarter).toMatch(/^20\d\d-Q[1-4]$/);
    expect(new Set(quarters).size).toBe(3);
  });

  it('holds between 780 and 840 units, for other seeds too', () => {
    for (const seed of [2026, 1, 99, 123_456]) {
      const count = generateDemoInventory(seed).units.length;
      expect(count).toBeGreaterThanOrEqual(780);
      expect(count).toBeLessThanOrEqual(840);
    }
  });

  it('places every unit on an existing floor and position of its section', () => {
    const sections = new Map(complex.buildings.flatMap((b) => b.sections).map((s) => [s.id, s]));
    for (const unit of units) {
      const section = sections.get(unit.sectionId);
      expect(section?.buildingId).toBe(unit.buildingId);
      expect(unit.floor).toBeGreaterThanOrEqual(1);
      expect(unit.floor).toBeLessThanOrEqual(section?.floors ?? 0);
      expect(unit.position).toBeGreaterThanOrEqual(1);
      expect(unit.position).toBeLessThanOrEqual(section?.positions ?? 0);
    }
  });

  it('gives every unit a unique id built from its place', () => {
    expect(new Set(units.map((u) => u.id)).size).toBe(units.length);
    for (const unit of units) {
      expect(unit.id).toBe(`${unit.sectionId}-f${unit.floor}-p${unit.position}`);
    }
  });

  it('numbers apartments from 1 without gaps within each building', () => {
    for (const [, inBuilding] of groupBy(units, (u) => u.buildingId)) {
      const numbers = inBuilding.map((u) => Number(u.number)).sort((a, b) => a - b);
      expect(numbers).toEqual(numbers.map((_, index) => index + 1));
    }
  });

  it('deals statuses within a few per cent of the target mix', () => {
    const targets: Record<UnitStatus, number> = {
      sold: 0.55,
      reserved: 0.08,
      available: 0.32,
      not_for_sale: 0.05,
    };
    for (const seed of [2026, 5]) {
      const generated = generateDemoInventory(seed).units;
      for (const [status, target] of Object.entries(targets)) {
        const actual = generated.filter((u) => u.status === status).length / generated.length;
        expect(Math.abs(actual - target)).toBeLessThan(0.03);
      }
    }
  });

  it('has sold more of the earliest building and of the lower floors', () => {
    const soldIn = (predicate: (unit: Unit) => boolean) => {
      const group = units.filter(predicate);
      return group.filter((u) => u.status === 'sold').length / group.length;
    };
    expect(soldIn((u) => u.buildingId === 'b1')).toBeGreaterThan(
      soldIn((u) => u.buildingId === 'b3'),
    );
    expect(soldIn((u) => u.floor <= 5)).toBeGreaterThan(soldIn((u) => u.floor >= 12));
  });

  it('offers every room kind, euro layouts and a few open plans', () => {
    const kinds = new Set(units.map((u) => u.rooms));
    for (const kind of ['studio', '1', '2', '3', '4+'] satisfies RoomKind[]) {
      expect(kinds.has(kind)).toBe(true);
    }
    expect(units.some((u) => u.euro && u.rooms === '2')).toBe(true);
    expect(units.some((u) => u.euro && u.rooms === '3')).toBe(true);
    expect(units.every((u) => !u.euro || u.rooms === '2' || u.rooms === '3')).toBe(true);
    expect(share((u) => u.openPlan)).toBeGreaterThan(0);
    expect(share((u) => u.openPlan)).toBeLessThan(0.03);
  });

  it('keeps total areas within the range of each room kind', () => {
    const ranges: Record<RoomKind, [number, number]> = {
      studio: [20, 28],
      '1': [33, 45],
      '2': [52, 68],
      '3': [72, 95],
      '4+': [100, 130],
    };
    for (const unit of units) {
      const [min, max] = ranges[unit.rooms];
      expect(unit.areaTotal).toBeGreaterThanOrEqual(min);
      expect(unit.areaTotal).toBeLessThanOrEqual(max);
    }
  });

  it('keeps living and kitchen areas plausible and inside the total', () => {
    for (const unit of units) {
      const livingShare = unit.areaLiving / unit.areaTotal;
      expect(livingShare).toBeGreaterThanOrEqual(0.445);
      expect(livingShare).toBeLessThanOrEqual(0.605);
      expect(unit.areaLiving + unit.areaKitchen).toBeLessThan(unit.areaTotal);
      if (unit.rooms === 'studio') expect(unit.areaKitchen).toBeGreaterThan(0);
      else {
        expect(unit.areaKitchen).toBeGreaterThanOrEqual(8);
        expect(unit.areaKitchen).toBeLessThanOrEqual(20);
      }
    }
  });

  it('sets one ceiling height per building, between 2.7 and 3.0 m', () => {
    for (const [, inBuilding] of groupBy(units, (u) => u.buildingId)) {
      const ceilings = new Set(inBuilding.map((u) => u.ceiling));
      expect(ceilings.size).toBe(1);
      const [ceiling] = ceilings;
      expect(ceiling).toBeGreaterThanOrEqual(2.7);
      expect(ceiling).toBeLessThanOrEqual(3.0);
    }
  });

  it('gives large flats two bathrooms and small ones one', () => {
    for (const unit of units) {
      expect([1, 2]).toContain(unit.bathrooms);
      if (unit.areaTotal >= 100) expect(unit.bathrooms).toBe(2);
      if (unit.areaTotal < 45) expect(unit.bathrooms).toBe(1);
    }
  });

  it('prices units at 320–420 thousand roubles per m², rounded to 1000 roubles', () => {
    for (const unit of units) {
      expect(unit.pricePerM2).toBeGreaterThanOrEqual(320_000);
      expect(unit.pricePerM2).toBeLessThanOrEqual(420_000);
      expect(unit.price % 1000).toBe(0);
      expect(Math.abs(unit.price / unit.areaTotal - unit.pricePerM2)).toBeLessThanOrEqual(1);
    }
  });

  it('charges more per m² on high floors than on low ones', () => {
    const perM2 = (predicate: (unit: Unit) => boolean) =>
      mean(units.filter(predicate).map((u) => u.pricePerM2));
    expect(perM2((u) => u.floor >= 15)).toBeGreaterThan(perM2((u) => u.floor <= 4));
  });

  it('gives units stacked on one position with one plan the same layout code', () => {
    const stacks = groupBy(units, (u) =>
      [u.sectionId, u.position, u.rooms, u.euro, u.openPlan].join('|'),
    );
    const codeOwners = new Map<string, string>();
    for (const [stack, stacked] of stacks) {
      const codes = new Set(stacked.map((u) => u.layoutCode));
      expect(codes.size).toBe(1);
      const code = stacked[0]?.layoutCode ?? '';
      // A code names one plan: no other stack may borrow it.
      expect(codeOwners.get(code) ?? stack).toBe(stack);
      codeOwners.set(code, stack);
    }
    expect(stacks.size).toBeLessThan(units.length / 5);
  });

  it('puts special offers on about a tenth of the units, all of them still for sale', () => {
    const withOffer = units.filter((u) => u.offer !== null);
    expect(withOffer.length / units.length).toBeGreaterThan(0.07);
    expect(withOffer.length / units.length).toBeLessThan(0.13);
    for (const unit of withOffer) {
      expect(['available', 'reserved']).toContain(unit.status);
      expect(unit.offer).toMatch(/[А-Яа-яЁё]/);
    }
  });

  it('fills the internal fields each status calls for', () => {
    const agentNames = new Set<string>();
    for (const unit of units) {
      const internal = unit.internal;
      expect(internal.notes).toMatch(/[А-Яа-яЁё]/);
      expect(internal.btiNumber.length).toBeGreaterThan(0);
      expect(internal.commissionPct).toBeGreaterThan(0);
      expect(internal.discountLimitPct).toBeGreaterThanOrEqual(0);

      const dealt = unit.status === 'reserved' || unit.status === 'sold';
      if (dealt) {
        expect(internal.reservedBy).toBeTruthy();
        expect(internal.buyerName).toMatch(/^[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+$/);
        expect(internal.dealStage).toBeTruthy();
        expect(internal.reservedUntil).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(Number.isNaN(Date.parse(internal.reservedUntil ?? ''))).toBe(false);
        agentNames.add(internal.reservedBy ?? '');
      } else {
        expect(internal.reservedBy).toBeNull();
        expect(internal.reservedUntil).toBeNull();
        expect(internal.buyerName).toBeNull();
        expect(internal.dealStage).toBeNull();
      }

      if (unit.status === 'not_for_sale') expect(internal.notForSaleReason).toBeTruthy();
      else expect(internal.notForSaleReason).toBeNull();
    }
    for (const agent of DEMO_AGENTS) expect(agentNames.has(agent.name)).toBe(true);
  });

  it('gives every unit a unique BTI number', () => {
    expect(new Set(units.map((u) => u.internal.btiNumber)).size).toBe(units.length);
  });
});

describe('the demo inventory as a buyer sees it', () => {
  it('carries no internal value of any unit', () => {
    for (const unit of units) {
      const published = JSON.stringify(toPublicUnit(unit));
      expect(published).not.toContain('internal');
      for (const value of Object.values(unit.internal)) {
        if (typeof value === 'string') expect(published).not.toContain(value);
      }
    }
  });

  it('carries no internal field even when every one of them holds a canary', () => {
    const canary = 'CANARY-7f3a';
    const sample = units.find((u) => u.status === 'reserved') as Unit;
    const internal = Object.fromEntries(
      Object.keys(sample.internal).map((key) => [key, `${canary}-${key}`]),
    ) as unknown as UnitInternal;

    const published = JSON.stringify(toPublicUnit({ ...sample, internal }));
    expect(published).not.toContain(canary);
  });

  it('shows not-for-sale units as unavailable, without a price', () => {
    const held = units.filter((u) => u.status === 'not_for_sale');
    expect(held.length).toBeGreaterThan(0);
    for (const unit of held) {
      const published = toPublicUnit(unit);
      expect(published.status).toBe('unavailable');
      expect(published.price).toBeNull();
      expect(JSON.stringify(published)).not.toContain('not_for_sale');
    }
  });

  it('hides what a sold unit went for and keeps the price of units still for sale', () => {
    for (const unit of units) {
      const published = toPublicUnit(unit);
      if (unit.status === 'sold') {
        expect(published.price).toBeNull();
        expect(published.pricePerM2).toBeNull();
      } else if (unit.status === 'available' || unit.status === 'reserved') {
        expect(published.price).toBe(unit.price);
        expect(published.pricePerM2).toBe(unit.pricePerM2);
      }
    }
  });
});

describe('the demo agents', () => {
  it('are three accounts with distinct ids and e-mails and a password to sign in with', () => {
    expect(DEMO_AGENTS).toHaveLength(3);
    expect(DEMO_AGENTS[0]).toEqual({
      id: 'agent-anna',
      email: 'anna@demo.local',
      name: 'Анна Смирнова',
      phone: '+7 495 000-00-01',
      password: 'demo-password',
    });
    expect(new Set(DEMO_AGENTS.map((a) => a.id)).size).toBe(3);
    expect(new Set(DEMO_AGENTS.map((a) => a.email)).size).toBe(3);
    for (const agent of DEMO_AGENTS) {
      expect(agent.email).toMatch(/^[a-z]+@demo\.local$/);
      expect(agent.phone).toMatch(/^\+7 \d{3} \d{3}-\d{2}-\d{2}$/);
      expect(agent.password.length).toBeGreaterThanOrEqual(8);
    }
  });
});
