/**
 * The demo inventory: one Moscow comfort-class complex with three buildings and about 820 units,
 * generated from a seed so that every run, test and screenshot sees the same data.
 *
 * The architecture — buildings, sections, floors, positions — is fixed. The seed decides what is
 * built on it: the plan of each stack, areas, prices, which units sold and to whom. Value ranges
 * follow PRODUCT.md, "The inventory".
 */
import type {
  Building,
  Complex,
  Finishing,
  Outdoor,
  RoomKind,
  Section,
  Unit,
  UnitInternal,
  UnitStatus,
  WindowView,
} from '../../core/inventory.js';
import { unitTypeLabel } from '../../core/inventory.js';

export interface DemoAgent {
  id: string;
  email: string;
  name: string;
  phone: string;
  /** Plain text on purpose: these accounts exist to be signed into; the server hashes it. */
  password: string;
}

export const DEMO_AGENTS: readonly DemoAgent[] = [
  {
    id: 'agent-anna',
    email: 'anna@demo.local',
    name: 'Анна Смирнова',
    phone: '+7 495 000-00-01',
    password: 'demo-password',
  },
  {
    id: 'agent-dmitry',
    email: 'dmitry@demo.local',
    name: 'Дмитрий Козлов',
    phone: '+7 495 000-00-02',
    password: 'demo-password',
  },
  {
    id: 'agent-ekaterina',
    email: 'ekaterina@demo.local',
    name: 'Екатерина Волкова',
    phone: '+7 495 000-00-03',
    password: 'demo-password',
  },
];

/** Shares of the status mix; available units take what is left (about 32 %). */
const STATUS_SHARE = { sold: 0.55, reserved: 0.08, notForSale: 0.05 } as const;
const OFFER_SHARE = 0.1;
const PRICE_PER_M2 = { min: 321_000, max: 419_000 } as const;
const FLOOR_PREMIUM = 0.0025;

/**
 * Reservation dates count from this fixed day rather than from the clock, so that one seed gives
 * one inventory whenever it is generated.
 */
const REFERENCE_DAY = Date.UTC(2026, 2, 2);
const DAY_MS = 86_400_000;

type Weighted<T> = readonly [T, number];

interface SectionPlan {
  floors: number;
  positions: number;
  /** Residential units on floor 1 (positions 1…n); the rest of the ground floor is shops. */
  groundFloorUnits: number;
  /** Positions in the first half of a floor look out to `front`, the others to `back`. */
  front: WindowView;
  back: WindowView;
}

interface BuildingPlan {
  completion: string;
  ceiling: number;
  basePricePerM2: number;
  /** Added to every unit's sales score: the building that completes first has sold the most. */
  salesHeadStart: number;
  finishing: readonly Weighted<Finishing>[];
  sections: readonly SectionPlan[];
}

const BUILDING_PLANS: readonly BuildingPlan[] = [
  {
    completion: '2027-Q2',
    ceiling: 2.8,
    basePricePerM2: 350_000,
    salesHeadStart: 0.45,
    finishing: [
      ['white_box', 1],
      ['turnkey', 1],
    ],
    sections: [
      { floors: 17, positions: 6, groundFloorUnits: 0, front: 'street', back: 'yard' },
      { floors: 17, positions: 6, groundFloorUnits: 6, front: 'street', back: 'yard' },
      { floors: 17, positions: 5, groundFloorUnits: 5, front: 'city', back: 'yard' },
    ],
  },
  {
    completion: '2027-Q4',
    ceiling: 2.7,
    basePricePerM2: 343_000,
    salesHeadStart: 0.25,
    finishing: [
      ['shell', 0.3],
      ['white_box', 0.4],
      ['turnkey', 0.3],
    ],
    sections: [
      { floors: 9, positions: 4, groundFloorUnits: 0, front: 'street', back: 'park' },
      { floors: 9, positions: 5, groundFloorUnits: 5, front: 'park', back: 'yard' },
      { floors: 12, positions: 4, groundFloorUnits: 4, front: 'park', back: 'yard' },
      { floors: 12, positions: 4, groundFloorUnits: 4, front: 'park', back: 'yard' },
    ],
  },
  {
    completion: '2028-Q2',
    ceiling: 3.0,
    basePricePerM2: 346_000,
    salesHeadStart: 0,
    finishing: [
      ['shell', 0.5],
      ['white_box', 0.3],
      ['turnkey', 0.2],
    ],
    sections: [
      { floors: 25, positions: 8, groundFloorUnits: 0, front: 'river', back: 'park' },
      { floors: 25, positions: 7, groundFloorUnits: 5, front: 'river', back: 'park' },
    ],
  },
];

/** A kind of plan: rooms, euro or not, and the ranges a stack of that kind is drawn from. */
interface PlanKind {
  rooms: RoomKind;
  euro: boolean;
  area: readonly [number, number];
  /** Living area as a share of the total. */
  living: readonly [number, number];
  /** For a studio, the kitchen zone inside the one room. */
  kitchen: readonly [number, number];
  /** Small flats sell dearer per square metre. */
  priceFactor: number;
}

const PLAN_KINDS = {
  studio: {
    rooms: 'studio',
    euro: false,
    area: [20, 28],
    living: [0.45, 0.55],
    kitchen: [4, 6],
    priceFactor: 1.05,
  },
  one: {
    rooms: '1',
    euro: false,
    area: [33, 45],
    living: [0.45, 0.52],
    kitchen: [8, 11],
    priceFactor: 1.025,
  },
  twoEuro: {
    rooms: '2',
    euro: true,
    area: [52, 60],
    living: [0.45, 0.5],
    kitchen: [15, 19],
    priceFactor: 1.01,
  },
  two: {
    rooms: '2',
    euro: false,
    area: [58, 68],
    living: [0.5, 0.58],
    kitchen: [10, 14],
    priceFactor: 1,
  },
  threeEuro: {
    rooms: '3',
    euro: true,
    area: [72, 82],
    living: [0.48, 0.55],
    kitchen: [16, 20],
    priceFactor: 0.99,
  },
  three: {
    rooms: '3',
    euro: false,
    area: [78, 95],
    living: [0.52, 0.6],
    kitchen: [11, 15],
    priceFactor: 0.98,
  },
  four: {
    rooms: '4+',
    euro: false,
    area: [100, 130],
    living: [0.55, 0.6],
    kitchen: [14, 20],
    priceFactor: 0.96,
  },
} as const satisfies Record<string, PlanKind>;

/**
 * End positions have windows on two sides, so the large flats go there. Four-room flats are not
 * dealt at random: a tower stack of them would be 25 units, far above the few per cent a
 * comfort-class complex builds, so `planSection` places them by hand.
 */
const CORNER_PLANS: readonly Weighted<PlanKind>[] = [
  [PLAN_KINDS.three, 3],
  [PLAN_KINDS.threeEuro, 2],
  [PLAN_KINDS.two, 2],
];

const MIDDLE_PLANS: readonly Weighted<PlanKind>[] = [
  [PLAN_KINDS.studio, 3],
  [PLAN_KINDS.one, 4],
  [PLAN_KINDS.twoEuro, 2],
  [PLAN_KINDS.two, 2],
];

const VIEW_PRICE_FACTOR: Record<WindowView, number> = {
  river: 1.03,
  park: 1.02,
  city: 1.01,
  yard: 1,
  street: 1,
};

const FINISHING_PRICE_FACTOR: Record<Finishing, number> = {
  shell: 1,
  white_box: 1.02,
  turnkey: 1.045,
};

const OFFERS = [
  'Скидка 5 % при 100 % оплате',
  'Ипотека 5,9 % на весь срок',
  'Кладовая в подарок',
  'Рассрочка 0 % до сдачи дома',
  'Машино-место со скидкой 50 %',
  'Скидка 3 % до конца месяца',
] as const;

const AGENT_NAMES = [...DEMO_AGENTS.map((agent) => agent.name), 'Игорь Павлов', 'Ольга Никитина'];

const FIRST_NAMES = {
  male: ['Алексей', 'Сергей', 'Андрей', 'Михаил', 'Павел', 'Николай', 'Артём', 'Илья', 'Максим'],
  female: ['Мария', 'Елена', 'Ольга', 'Наталья', 'Татьяна', 'Ирина', 'Юлия', 'Ксения', 'Светлана'],
} as const;

/** Masculine forms; every one takes an «а» for the feminine. */
const SURNAMES = [
  'Иванов',
  'Кузнецов',
  'Попов',
  'Соколов',
  'Лебедев',
  'Новиков',
  'Морозов',
  'Васильев',
  'Зайцев',
  'Семёнов',
  'Голубев',
  'Виноградов',
  'Богданов',
  'Воробьёв',
  'Фёдоров',
  'Михайлов',
] as const;

const DEAL_STAGES: Record<'reserved' | 'sold', readonly string[]> = {
  reserved: [
    'Бронь оплачена',
    'Ожидает одобрения ипотеки',
    'Подготовка ДДУ',
    'Согласование скидки',
  ],
  sold: ['ДДУ зарегистрирован', 'Оплачено полностью', 'Ожидает регистрации в Росреестре'],
};

const NOTES: Record<UnitStatus, readonly string[]> = {
  available: [
    'Хороший вид, показывать одной из первых',
    'Клиенты спрашивают про парковку рядом',
    'Была бронь, клиент отказался',
    'Можно предложить кладовую в подвале',
    'Солнечная сторона, светлая',
    'Планировку можно показать в шоуруме',
  ],
  reserved: [
    'Клиент просил перезвонить в понедельник',
    'Бронь уже продлевали один раз',
    'Покупатель торгуется, скидку согласовать с руководителем',
    'Ждём справку о доходах для банка',
  ],
  sold: [
    'Сделка закрыта, документы в архиве',
    'Оплата через эскроу',
    'Покупатель просил сообщить о дате сдачи дома',
    'Ипотека, первый взнос 20 %',
  ],
  not_for_sale: [
    'Снята с продажи по решению застройщика',
    'Не показывать до отдельного распоряжения',
    'Вопросы по квартире — к руководителю отдела продаж',
  ],
};

const NOT_FOR_SALE_REASONS = [
  'Резерв застройщика',
  'Выставочная квартира (шоурум)',
  'Передана подрядчику в счёт оплаты работ',
  'Ожидает переоформления после расторжения договора',
  'Квартира для переселения по программе реновации',
] as const;

/** A seeded generator: mulberry32, small and good enough to shuffle demo data. */
class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(this.#state ^ (this.#state >>> 15), this.#state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
  }

  between([min, max]: readonly [number, number]): number {
    return min + (max - min) * this.next();
  }

  /** An integer from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  weighted<T>(options: readonly Weighted<T>[]): T {
    const total = options.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [option, weight] of options) {
      roll -= weight;
      if (roll < 0) return option;
    }
    return (options[options.length - 1] as Weighted<T>)[0];
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
}

/** One position of a section, the same plan on every floor. */
interface Stack {
  kind: PlanKind;
  layoutCode: string;
  areaTotal: number;
  areaLiving: number;
  areaKitchen: number;
  outdoor: Outdoor;
}

/** A unit before the whole inventory is known: statuses and offers are dealt out across it. */
type Draft = Omit<Unit, 'status' | 'offer' | 'internal'> & {
  salesHeadStart: number;
  sectionFloors: number;
};

const roundTo = (value: number, step: number): number => Math.round(value / step) * step;
const tenth = (value: number): number => Math.round(value * 10) / 10;

function planStack(kind: PlanKind, code: string, random: Random): Stack {
  const areaTotal = tenth(random.between(kind.area));
  const outdoor: Outdoor =
    kind.rooms === 'studio'
      ? random.weighted<Outdoor>([
          ['balcony', 1],
          [null, 1],
        ])
      : random.weighted<Outdoor>([
          ['loggia', 3],
          ['balcony', 1],
        ]);
  return {
    kind,
    layoutCode: `${code}-${unitTypeLabel({ rooms: kind.rooms, euro: kind.euro, openPlan: false })}`,
    areaTotal,
    areaLiving: tenth(areaTotal * random.between(kind.living)),
    areaKitchen: tenth(random.between(kind.kitchen)),
    outdoor,
  };
}

function planSection(
  plan: SectionPlan,
  code: string,
  needsFourRooms: boolean,
  random: Random,
): Stack[] {
  const stacks: Stack[] = [];
  for (let position = 1; position <= plan.positions; position += 1) {
    const corner = position === 1 || position === plan.positions;
    // The first section of each building below the tower ends in a stack of four-room flats:
    // about 3 % of the complex, whatever the seed.
    const kind =
      needsFourRooms && position === plan.positions
        ? PLAN_KINDS.four
        : random.weighted(corner ? CORNER_PLANS : MIDDLE_PLANS);
    stacks.push(planStack(kind, `${code}-P${position}`, random));
  }
  return stacks;
}

/** Street noise fades with height, and trees hide the river from the lowest floors. */
function viewFrom(side: WindowView, floor: number): WindowView {
  if (side === 'street' && floor >= 10) return 'city';
  if (side === 'river' && floor < 6) return 'street';
  return side;
}

function layOut(random: Random): { buildings: Building[]; drafts: Draft[] } {
  const buildings: Building[] = [];
  const drafts: Draft[] = [];

  BUILDING_PLANS.forEach((buildingPlan, buildingIndex) => {
    const buildingNo = buildingIndex + 1;
    const buildingId = `b${buildingNo}`;
    const sections: Section[] = [];
    let apartmentNumber = 0;

    buildingPlan.sections.forEach((plan, sectionIndex) => {
      const sectionNo = sectionIndex + 1;
      const sectionId = `${buildingId}-s${sectionNo}`;
      sections.push({
        id: sectionId,
        buildingId,
        number: sectionNo,
        floors: plan.floors,
        positions: plan.positions,
      });

      const fourRooms = sectionIndex === 0 && buildingIndex < 2;
      const stacks = planSection(plan, `K${buildingNo}-S${sectionNo}`, fourRooms, random);
      // The top floor's largest flat is sold without partitions, for buyers who plan their own.
      const openPlanStack = stacks.reduce((largest, stack) =>
        stack.areaTotal > largest.areaTotal ? stack : largest,
      );

      for (let floor = 1; floor <= plan.floors; floor += 1) {
        const positions = floor === 1 ? plan.groundFloorUnits : plan.positions;
        for (let position = 1; position <= positions; position += 1) {
          const stack = stacks[position - 1] as Stack;
          const openPlan = floor === plan.floors && stack === openPlanStack;
          const view = viewFrom(position <= plan.positions / 2 ? plan.front : plan.back, floor);
          const finishing = random.weighted(buildingPlan.finishing);

          const floorFactor = floor === 1 ? 0.97 : 1 + FLOOR_PREMIUM * (floor - 2);
          const pricePerM2Asked =
            buildingPlan.basePricePerM2 *
            stack.kind.priceFactor *
            floorFactor *
            VIEW_PRICE_FACTOR[view] *
            FINISHING_PRICE_FACTOR[finishing] *
            random.between([0.99, 1.01]);
          const clamped = Math.min(PRICE_PER_M2.max, Math.max(PRICE_PER_M2.min, pricePerM2Asked));
          const price = roundTo(stack.areaTotal * clamped, 1000);

          apartmentNumber += 1;
          drafts.push({
            id: `${sectionId}-f${floor}-p${position}`,
            buildingId,
            sectionId,
            floor,
            position,
            number: String(apartmentNumber),
            rooms: stack.kind.rooms,
            euro: stack.kind.euro && !openPlan,
            openPlan,
            areaTotal: stack.areaTotal,
            areaLiving: stack.areaLiving,
            areaKitchen: stack.areaKitchen,
            ceiling: buildingPlan.ceiling,
            finishing,
            view,
            // Ground-floor flats have no balcony: the window is a few steps above the pavement.
            outdoor: floor === 1 ? null : stack.outdoor,
            bathrooms: stack.areaTotal >= 70 ? 2 : 1,
            layoutCode: openPlan
              ? `K${buildingNo}-S${sectionNo}-P${position}-OP`
              : stack.layoutCode,
            price,
            pricePerM2: Math.round(price / stack.areaTotal),
            salesHeadStart: buildingPlan.salesHeadStart,
            sectionFloors: plan.floors,
          });
        }
      }
    });

    buildings.push({
      id: buildingId,
      name: `Корпус ${buildingNo}`,
      completion: buildingPlan.completion,
      floors: Math.max(...buildingPlan.sections.map((section) => section.floors)),
      sections,
    });
  });

  return { buildings, drafts };
}

/**
 * Deals statuses out by rank rather than by independent coin flips, so the mix matches the
 * target shares exactly for every seed. Earlier buildings and lower floors rank higher, which is
 * how a real complex sells out; the random term keeps the grid from looking striped.
 */
function dealStatuses(drafts: readonly Draft[], random: Random): UnitStatus[] {
  const total = drafts.length;
  const statuses = drafts.map((): UnitStatus => 'available');
  const order = random.shuffle(drafts.map((_, index) => index));

  const held = Math.round(total * STATUS_SHARE.notForSale);
  for (const index of order.slice(0, held)) statuses[index] = 'not_for_sale';

  const ranked = order.slice(held).map((index) => {
    const draft = drafts[index] as Draft;
    const height = (draft.floor - 1) / Math.max(1, draft.sectionFloors - 1);
    const small = draft.rooms === 'studio' || draft.rooms === '1' ? 0.1 : 0;
    return { index, score: draft.salesHeadStart + 0.5 * (1 - height) + small + random.next() };
  });
  ranked.sort((a, b) => b.score - a.score || a.index - b.index);

  const sold = Math.round(total * STATUS_SHARE.sold);
  const reserved = Math.round(total * STATUS_SHARE.reserved);
  ranked.forEach(({ index }, rank) => {
    statuses[index] = rank < sold ? 'sold' : rank < sold + reserved ? 'reserved' : 'available';
  });
  return statuses;
}

/** Offers go to units a buyer can still take; a sold flat on offer would confuse everyone. */
function dealOffers(statuses: readonly UnitStatus[], random: Random): (string | null)[] {
  const offers = statuses.map((): string | null => null);
  const open = statuses.flatMap((status, index) =>
    status === 'available' || status === 'reserved' ? [index] : [],
  );
  const count = Math.round(statuses.length * OFFER_SHARE);
  for (const index of random.shuffle(open).slice(0, count)) offers[index] = random.pick(OFFERS);
  return offers;
}

function isoDay(daysFromReference: number): string {
  return new Date(REFERENCE_DAY + daysFromReference * DAY_MS).toISOString().slice(0, 10);
}

function personName(random: Random): string {
  const female = random.chance(0.5);
  const first = random.pick(female ? FIRST_NAMES.female : FIRST_NAMES.male);
  const surname = random.pick(SURNAMES);
  return `${first} ${surname}${female ? 'а' : ''}`;
}

function internalFields(draft: Draft, status: UnitStatus, random: Random): UnitInternal {
  const internal: UnitInternal = {
    reservedBy: null,
    reservedUntil: null,
    buyerName: null,
    dealStage: null,
    discountLimitPct: status === 'not_for_sale' ? 0 : random.int(1, 10) / 2,
    commissionPct: random.int(6, 14) / 4,
    notes: random.pick(NOTES[status]),
    btiNumber: `77-${draft.sectionId.toUpperCase()}-${draft.number.padStart(4, '0')}`,
    notForSaleReason: null,
  };

  if (status === 'reserved' || status === 'sold') {
    internal.reservedBy = random.pick(AGENT_NAMES);
    internal.buyerName = personName(random);
    internal.dealStage = random.pick(DEAL_STAGES[status]);
    // A live reservation runs out soon; a sold unit's reservation ended when the deal was signed.
    internal.reservedUntil =
      status === 'reserved' ? isoDay(random.int(2, 14)) : isoDay(-random.int(14, 420));
  }
  if (status === 'not_for_sale') internal.notForSaleReason = random.pick(NOT_FOR_SALE_REASONS);
  return internal;
}

export function generateDemoInventory(seed = 2026): { complex: Complex; units: Unit[] } {
  const random = new Random(seed);
  const { buildings, drafts } = layOut(random);
  const statuses = dealStatuses(drafts, random);
  const offers = dealOffers(statuses, random);

  const units = drafts.map((draft, index): Unit => {
    const { salesHeadStart: _salesHeadStart, sectionFloors: _sectionFloors, ...fields } = draft;
    const status = statuses[index] as UnitStatus;
    return {
      ...fields,
      offer: offers[index] ?? null,
      status,
      internal: internalFields(draft, status, random),
    };
  });

  const complex: Complex = {
    id: 'severny-park',
    name: 'Северный парк',
    address: 'Москва, Дмитровское шоссе, вл. 107',
    buildings,
  };
  return { complex, units };
}
