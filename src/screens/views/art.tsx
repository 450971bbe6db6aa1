/**
 * Generated pictures: a unit's floor plan and its gallery. The product ships no image files, and
 * a strict CSP allows no external images, so every picture is SVG drawn from the unit's public
 * fields. The same unit always gets the same picture (the seed is its layout code and number),
 * so the agent and the buyer see identical images and a plan never changes between visits.
 */
import type { JSX } from 'preact';
import type { PublicUnit, WindowView } from '../../core/inventory.js';
import { formatArea } from '../format.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import { roomsName } from './labels.js';

export const GALLERY_SIZE = 5;

// ---------------------------------------------------------------- deterministic randomness

/** FNV-1a: a stable 32-bit hash of a string, the seed of a picture. */
export function hashSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A small seeded generator (mulberry32): numbers in [0, 1), the same sequence for a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (value: number) => Math.round(value * 10) / 10;

// ---------------------------------------------------------------- floor plan model

export type PlanRoomKind =
  'room' | 'kitchen' | 'kitchenLiving' | 'studio' | 'openPlan' | 'bath' | 'hall';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlanRoom {
  kind: PlanRoomKind;
  rect: Rect;
  /** Square metres shown on the label. */
  area: number;
}

export interface PlanModel {
  width: number;
  height: number;
  outline: Rect;
  rooms: PlanRoom[];
  /** Window openings on the facade wall, as x ranges along its top edge. */
  windows: { x1: number; x2: number; y: number }[];
  outdoor: { kind: 'balcony' | 'loggia'; rect: Rect } | null;
  /** The entrance: a gap in the bottom wall. */
  door: { x1: number; x2: number; y: number };
}

type PlanUnit = Pick<
  PublicUnit,
  | 'layoutCode'
  | 'rooms'
  | 'euro'
  | 'openPlan'
  | 'areaTotal'
  | 'areaLiving'
  | 'areaKitchen'
  | 'bathrooms'
  | 'outdoor'
  | 'view'
>;

const PX_PER_M = 60;
const PAD = 24;
const OUTDOOR_DEPTH_M = 1.3;

/** Bedrooms (or living rooms) a unit has besides its kitchen: a euro layout has one fewer. */
function roomCount(unit: PlanUnit): number {
  if (unit.rooms === 'studio' || unit.openPlan) return 0;
  const rooms = unit.rooms === '4+' ? 4 : Number(unit.rooms);
  return unit.euro ? Math.max(1, rooms - 1) : rooms;
}

/** Splits `total` into `count` parts with seeded weights between 0.8 and 1.2. */
function split(total: number, count: number, random: () => number): number[] {
  const weights = Array.from({ length: count }, () => 0.8 + random() * 0.4);
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => (total * w) / sum);
}

/** Lays `parts` side by side across `width`, each as wide as its share of the sum. */
function slices(x: number, width: number, parts: readonly number[]): { x: number; w: number }[] {
  const sum = parts.reduce((a, b) => a + b, 0) || 1;
  let cursor = x;
  return parts.map((part) => {
    const w = (width * part) / sum;
    const slice = { x: cursor, w };
    cursor += w;
    return slice;
  });
}

/**
 * The plan of a unit: the living band along the facade (rooms and kitchen, each with a window),
 * the service band behind it (hall and bathrooms, no windows), a balcony or loggia outside.
 * Proportions follow the stated areas; the layout code decides the order and mirroring, so every
 * unit on one riser draws the same plan.
 */
export function planModel(unit: PlanUnit): PlanModel {
  const random = seededRandom(hashSeed(unit.layoutCode));
  const area = Math.max(unit.areaTotal, 12);
  const depthM = Math.min(9.5, Math.max(5.5, Math.sqrt(area) * 0.95));
  const widthM = area / depthM;

  const outdoorM = unit.outdoor ? OUTDOOR_DEPTH_M : 0;
  const outline: Rect = {
    x: PAD,
    y: PAD + outdoorM * PX_PER_M,
    width: widthM * PX_PER_M,
    height: depthM * PX_PER_M,
  };
  const livingBand = outline.height * 0.62;
  const serviceBand = outline.height - livingBand;

  // The living band: the kitchen (or the shared space of a studio) and the rooms.
  const bedrooms = roomCount(unit);
  const front: { kind: PlanRoomKind; area: number }[] = [];
  if (unit.openPlan) {
    front.push({ kind: 'openPlan', area: unit.areaLiving + unit.areaKitchen });
  } else if (unit.rooms === 'studio') {
    front.push({ kind: 'studio', area: unit.areaLiving + unit.areaKitchen });
  } else {
    front.push({ kind: unit.euro ? 'kitchenLiving' : 'kitchen', area: unit.areaKitchen });
    for (const part of split(unit.areaLiving, bedrooms, random)) {
      front.push({ kind: 'room', area: part });
    }
  }
  if (random() < 0.5) front.reverse();

  // The service band: bathrooms of about 4 m² each, the hall takes what is left.
  const serviceArea = Math.max(area - unit.areaLiving - unit.areaKitchen, 4);
  const baths = Math.max(1, unit.bathrooms);
  const bathArea = Math.min(4 + random(), (serviceArea * 0.6) / baths);
  const back: { kind: PlanRoomKind; area: number }[] = [
    { kind: 'hall', area: serviceArea - bathArea * baths },
  ];
  for (let i = 0; i < baths; i += 1) back.push({ kind: 'bath', area: bathArea });
  const hallFirst = random() < 0.5;
  if (!hallFirst) back.reverse();

  const rooms: PlanRoom[] = [];
  const windows: PlanModel['windows'] = [];

  slices(
    outline.x,
    outline.width,
    front.map((r) => r.area),
  ).forEach((slice, i) => {
    const room = front[i];
    if (!room) return;
    rooms.push({
      kind: room.kind,
      rect: { x: slice.x, y: outline.y, width: slice.w, height: livingBand },
      area: round(room.area),
    });
    windows.push({ x1: slice.x + slice.w * 0.3, x2: slice.x + slice.w * 0.7, y: outline.y });
  });

  // Bathrooms keep a usable width on the plan even when the hall is large.
  const serviceWidths = back.map((r) => (r.kind === 'bath' ? Math.max(r.area, 3.2) : r.area));
  slices(outline.x, outline.width, serviceWidths).forEach((slice, i) => {
    const room = back[i];
    if (!room) return;
    rooms.push({
      kind: room.kind,
      rect: { x: slice.x, y: outline.y + livingBand, width: slice.w, height: serviceBand },
      area: round(room.area),
    });
  });

  const hall = rooms.find((r) => r.kind === 'hall');
  const doorCentre = hall ? hall.rect.x + hall.rect.width / 2 : outline.x + outline.width / 2;
  const doorHalf = Math.min(0.45 * PX_PER_M, (hall?.rect.width ?? outline.width) / 3);

  // The balcony or loggia opens from the largest room on the facade.
  let outdoor: PlanModel['outdoor'] = null;
  if (unit.outdoor) {
    const biggest = rooms
      .filter((r) => r.rect.y === outline.y)
      .reduce<PlanRoom | null>((best, r) => (best && best.area >= r.area ? best : r), null);
    const rect = biggest?.rect ?? outline;
    outdoor = {
      kind: unit.outdoor,
      rect: { x: rect.x + 6, y: PAD, width: rect.width - 12, height: outdoorM * PX_PER_M },
    };
  }

  return {
    width: outline.width + PAD * 2,
    height: outline.y + outline.height + PAD,
    outline,
    rooms,
    windows,
    outdoor,
    door: { x1: doorCentre - doorHalf, x2: doorCentre + doorHalf, y: outline.y + outline.height },
  };
}

type PlanLabelKey =
  | 'plan.room'
  | 'plan.kitchen'
  | 'plan.kitchenLiving'
  | 'plan.studio'
  | 'rooms.openPlan'
  | 'plan.bath'
  | 'plan.hall';

const ROOM_LABEL: Record<PlanRoomKind, PlanLabelKey> = {
  room: 'plan.room',
  kitchen: 'plan.kitchen',
  kitchenLiving: 'plan.kitchenLiving',
  studio: 'plan.studio',
  openPlan: 'rooms.openPlan',
  bath: 'plan.bath',
  hall: 'plan.hall',
};

/** A rough width of a line of text: average glyph width is about 0.6 of the font size. */
export function estimateTextWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}

/**
 * A centred SVG label that never spills out of its box: when the text would be wider than
 * `maxWidth`, it is squeezed to fit instead, since a plan's room can be narrower than its name.
 * The size is an attribute, not CSS, because the squeeze is computed from it.
 */
export function SvgLabel({
  x,
  y,
  size,
  maxWidth,
  text,
  class: className,
}: {
  x: number;
  y: number;
  size: number;
  maxWidth: number;
  text: string;
  class?: string;
}) {
  const fits = estimateTextWidth(text, size) <= maxWidth;
  return (
    <text
      x={x}
      y={y}
      font-size={size}
      class={className}
      textLength={fits ? undefined : Math.max(maxWidth, 1)}
      lengthAdjust={fits ? undefined : 'spacingAndGlyphs'}
    >
      {text}
    </text>
  );
}

const PLAN_LABEL_SIZE = 22;
const PLAN_SMALL_SIZE = 18;

export interface LayoutPlanProps {
  unit: PlanUnit;
  lang?: Lang;
  class?: string;
}

/** The unit's floor plan as an SVG: walls, rooms with names and areas, windows, the entrance. */
export function LayoutPlan({ unit, lang = 'ru', class: className }: LayoutPlanProps) {
  const plan = planModel(unit);
  const label = t(lang, 'plan.label', {
    rooms: roomsName(unit, lang),
    area: formatArea(lang, unit.areaTotal),
  });
  const viewLabel = t(lang, 'plan.windows', { view: t(lang, `windowView.${unit.view}`) });
  const { outline } = plan;

  return (
    <svg
      class={className ? `rp-plan ${className}` : 'rp-plan'}
      viewBox={`0 0 ${round(plan.width)} ${round(plan.height)}`}
      role="img"
      aria-label={`${label}. ${viewLabel}`}
    >
      {plan.outdoor && (
        <g class={`rp-plan-outdoor rp-plan-${plan.outdoor.kind}`}>
          <rect {...plan.outdoor.rect} />
          <SvgLabel
            x={plan.outdoor.rect.x + plan.outdoor.rect.width / 2}
            y={plan.outdoor.rect.y + plan.outdoor.rect.height / 2 + PLAN_SMALL_SIZE / 3}
            size={PLAN_SMALL_SIZE}
            maxWidth={plan.outdoor.rect.width - 12}
            class="rp-plan-small"
            text={t(lang, plan.outdoor.kind === 'balcony' ? 'plan.balcony' : 'plan.loggia')}
          />
        </g>
      )}
      {plan.rooms.map((room, i) => (
        <g key={i} class={`rp-plan-room rp-plan-${room.kind}`}>
          <rect {...room.rect} />
          <SvgLabel
            x={room.rect.x + room.rect.width / 2}
            y={room.rect.y + room.rect.height / 2 - 4}
            size={PLAN_LABEL_SIZE}
            maxWidth={room.rect.width - 14}
            text={t(lang, ROOM_LABEL[room.kind])}
          />
          <SvgLabel
            x={room.rect.x + room.rect.width / 2}
            y={room.rect.y + room.rect.height / 2 + PLAN_SMALL_SIZE + 4}
            size={PLAN_SMALL_SIZE}
            maxWidth={room.rect.width - 14}
            class="rp-plan-small"
            text={formatArea(lang, room.area)}
          />
        </g>
      ))}
      <rect class="rp-plan-wall" {...outline} />
      {plan.windows.map((w, i) => (
        <line key={i} class="rp-plan-window" x1={w.x1} x2={w.x2} y1={w.y} y2={w.y} />
      ))}
      <line
        class="rp-plan-door"
        x1={plan.door.x1}
        x2={plan.door.x2}
        y1={plan.door.y}
        y2={plan.door.y}
      />
    </svg>
  );
}

// ---------------------------------------------------------------- gallery

export const GALLERY_SUBJECTS = ['living', 'kitchen', 'window', 'facade', 'yard'] as const;
export type GallerySubject = (typeof GALLERY_SUBJECTS)[number];

/** Wraps any integer, negative included, onto the gallery: the state may hold a stale index. */
export function galleryIndexOf(index: number): number {
  const i = Number.isFinite(index) ? Math.trunc(index) : 0;
  return ((i % GALLERY_SIZE) + GALLERY_SIZE) % GALLERY_SIZE;
}

export function gallerySubject(index: number): GallerySubject {
  return GALLERY_SUBJECTS[galleryIndexOf(index)] ?? 'living';
}

export function galleryCaption(unit: Pick<PublicUnit, 'view'>, index: number, lang: Lang) {
  const subject = gallerySubject(index);
  const name =
    subject === 'window'
      ? `${t(lang, 'gallery.window')}: ${t(lang, `windowView.${unit.view}`).toLowerCase()}`
      : t(lang, `gallery.${subject}`);
  return t(lang, 'gallery.caption', { subject: name });
}

type GalleryUnit = Pick<PublicUnit, 'layoutCode' | 'number' | 'view' | 'finishing' | 'floor'>;

interface Palette {
  wall: string;
  floor: string;
  ceiling: string;
  accent: string;
  sky: string;
}

const WALLS: Record<GalleryUnit['finishing'], string[]> = {
  shell: ['#b9b6b1', '#a9a6a0', '#c2beb8'],
  white_box: ['#ecebe7', '#e4e2dc', '#f1efe9'],
  turnkey: ['#efe4d3', '#e3ebe6', '#e9e1ee'],
};
const FLOORS: Record<GalleryUnit['finishing'], string[]> = {
  shell: ['#8f8c87', '#9a968f'],
  white_box: ['#b7b2a8', '#c1bbb0'],
  turnkey: ['#b98a5a', '#a5774c', '#c79c6c'],
};
const ACCENTS = ['#3f6e8c', '#7a4e6d', '#4f7a4a', '#8a5a2e'];
const FACADES = ['#d9d2c5', '#d2c7b6', '#c9cfd6', '#dcc9b8'];
const SKIES = ['#bfdcf2', '#cfe3f0', '#f3dcc2', '#d9e6ef'];

function pick<T>(list: readonly T[], random: () => number, fallback: T): T {
  return list[Math.floor(random() * list.length)] ?? fallback;
}

function paletteFor(unit: GalleryUnit, random: () => number): Palette {
  return {
    wall: pick(WALLS[unit.finishing], random, '#eeeeee'),
    floor: pick(FLOORS[unit.finishing], random, '#999999'),
    ceiling: unit.finishing === 'shell' ? '#c9c6c1' : '#f7f6f2',
    accent: pick(ACCENTS, random, '#3f6e8c'),
    sky: pick(SKIES, random, '#cfe3f0'),
  };
}

const W = 800;
const H = 500;

/** What the window looks out at, drawn into a box; also the "view from the window" picture. */
function Scenery({
  view,
  box,
  random,
  sky,
}: {
  view: WindowView;
  box: Rect;
  random: () => number;
  sky: string;
}) {
  const { x, y, width, height } = box;
  const horizon = y + height * 0.62;
  const parts: JSX.Element[] = [
    <rect key="sky" x={x} y={y} width={width} height={height} fill={sky} />,
  ];

  if (view === 'river') {
    parts.push(
      <rect
        key="bank"
        x={x}
        y={horizon - height * 0.08}
        width={width}
        height={height * 0.1}
        fill="#7d9a6a"
      />,
      <rect
        key="water"
        x={x}
        y={horizon}
        width={width}
        height={y + height - horizon}
        fill="#4f86a8"
      />,
    );
    for (let i = 0; i < 4; i += 1) {
      const wy = horizon + (i + 1) * ((y + height - horizon) / 5);
      const wx = x + random() * width * 0.7;
      parts.push(
        <line
          key={`w${i}`}
          x1={wx}
          x2={wx + width * 0.2}
          y1={wy}
          y2={wy}
          stroke="#d6e8f2"
          stroke-width={2}
        />,
      );
    }
  } else if (view === 'park' || view === 'yard') {
    parts.push(
      <rect
        key="ground"
        x={x}
        y={horizon}
        width={width}
        height={y + height - horizon}
        fill={view === 'park' ? '#6f9a55' : '#9fae8c'}
      />,
    );
    const trees = view === 'park' ? 9 : 4;
    for (let i = 0; i < trees; i += 1) {
      const tx = x + ((i + 0.5) / trees) * width + (random() - 0.5) * 20;
      const r = height * (0.07 + random() * 0.06);
      parts.push(
        <rect key={`t${i}`} x={tx - 3} y={horizon - r * 0.4} width={6} height={r} fill="#6b4f35" />,
        <circle
          key={`c${i}`}
          cx={tx}
          cy={horizon - r * 0.9}
          r={r}
          fill={i % 2 ? '#4c7a3c' : '#5d8c45'}
        />,
      );
    }
    if (view === 'yard') {
      parts.push(
        <rect
          key="play"
          x={x + width * 0.35}
          y={horizon + height * 0.12}
          width={width * 0.3}
          height={height * 0.12}
          rx={6}
          fill="#d9b45a"
        />,
      );
    }
  } else {
    // City and street: a row of buildings; the street also gets a road in front of them.
    parts.push(
      <rect
        key="ground"
        x={x}
        y={horizon}
        width={width}
        height={y + height - horizon}
        fill={view === 'street' ? '#6d6d6d' : '#8c8f93'}
      />,
    );
    let cursor = x;
    let i = 0;
    while (cursor < x + width) {
      const bw = width * (0.08 + random() * 0.1);
      const bh = height * (view === 'city' ? 0.25 + random() * 0.35 : 0.18 + random() * 0.15);
      parts.push(
        <rect
          key={`b${i}`}
          x={cursor}
          y={horizon - bh}
          width={Math.min(bw, x + width - cursor)}
          height={bh}
          fill={i % 2 ? '#8b95a1' : '#a3acb6'}
        />,
      );
      cursor += bw + 2;
      i += 1;
    }
    if (view === 'street') {
      parts.push(
        <line
          key="lane"
          x1={x}
          x2={x + width}
          y1={horizon + (y + height - horizon) / 2}
          y2={horizon + (y + height - horizon) / 2}
          stroke="#f2f2f2"
          stroke-width={3}
          stroke-dasharray="18 14"
        />,
      );
    }
  }
  return <g>{parts}</g>;
}

/** A room seen from its door: back wall with a window, floor, ceiling and side walls. */
function Interior({
  unit,
  palette,
  random,
  kitchen,
}: {
  unit: GalleryUnit;
  palette: Palette;
  random: () => number;
  kitchen: boolean;
}) {
  const back = { x: W * 0.24, y: H * 0.2, width: W * 0.52, height: H * 0.5 };
  const windowBox = {
    x: back.x + back.width * 0.28,
    y: back.y + back.height * 0.12,
    width: back.width * 0.44,
    height: back.height * 0.62,
  };
  const furnished = unit.finishing === 'turnkey';

  return (
    <g>
      <polygon
        points={`0,0 ${W},0 ${back.x + back.width},${back.y} ${back.x},${back.y}`}
        fill={palette.ceiling}
      />
      <polygon
        points={`0,0 ${back.x},${back.y} ${back.x},${back.y + back.height} 0,${H}`}
        fill={palette.wall}
        opacity={0.85}
      />
      <polygon
        points={`${W},0 ${W},${H} ${back.x + back.width},${back.y + back.height} ${back.x + back.width},${back.y}`}
        fill={palette.wall}
        opacity={0.75}
      />
      <rect {...back} fill={palette.wall} />
      <polygon
        points={`0,${H} ${back.x},${back.y + back.height} ${back.x + back.width},${back.y + back.height} ${W},${H}`}
        fill={palette.floor}
      />
      <Scenery view={unit.view} box={windowBox} random={random} sky={palette.sky} />
      <rect {...windowBox} fill="none" stroke="#ffffff" stroke-width={6} />
      <line
        x1={windowBox.x + windowBox.width / 2}
        x2={windowBox.x + windowBox.width / 2}
        y1={windowBox.y}
        y2={windowBox.y + windowBox.height}
        stroke="#ffffff"
        stroke-width={4}
      />
      {kitchen && furnished && (
        <g>
          <rect
            x={back.x}
            y={back.y + back.height * 0.62}
            width={back.width * 0.26}
            height={back.height * 0.38}
            fill={palette.accent}
          />
          <rect
            x={back.x}
            y={back.y + back.height * 0.58}
            width={back.width * 0.26}
            height={back.height * 0.05}
            fill="#e9e6e0"
          />
          <rect
            x={back.x}
            y={back.y + back.height * 0.05}
            width={back.width * 0.26}
            height={back.height * 0.3}
            fill={palette.accent}
            opacity={0.85}
          />
        </g>
      )}
      {kitchen && !furnished && (
        <g stroke="#6f6b65" stroke-width={6}>
          <line x1={back.x + 30} x2={back.x + 30} y1={back.y} y2={back.y + back.height} />
          <line x1={back.x + 48} x2={back.x + 48} y1={back.y} y2={back.y + back.height} />
        </g>
      )}
      {!kitchen && furnished && (
        <g>
          <rect
            x={W * 0.3}
            y={H * 0.74}
            width={W * 0.4}
            height={H * 0.1}
            rx={10}
            fill={palette.accent}
          />
          <rect
            x={W * 0.3}
            y={H * 0.66}
            width={W * 0.4}
            height={H * 0.09}
            rx={10}
            fill={palette.accent}
            opacity={0.8}
          />
          <rect
            x={W * 0.44}
            y={H * 0.88}
            width={W * 0.12}
            height={H * 0.05}
            rx={4}
            fill="#6b4f35"
          />
        </g>
      )}
    </g>
  );
}

/** The building from the courtyard, with the unit's floor marked. */
function Facade({
  unit,
  palette,
  random,
}: {
  unit: GalleryUnit;
  palette: Palette;
  random: () => number;
}) {
  const floors = Math.max(unit.floor + 2 + Math.floor(random() * 6), 9);
  const top = H * 0.08;
  const bottom = H * 0.9;
  const storey = (bottom - top) / floors;
  const left = W * 0.22;
  const width = W * 0.56;
  const columns = 8;
  const marked = floors - unit.floor;
  const rows: JSX.Element[] = [];

  for (let row = 0; row < floors; row += 1) {
    for (let col = 0; col < columns; col += 1) {
      rows.push(
        <rect
          key={`${row}-${col}`}
          x={left + 14 + col * ((width - 28) / columns)}
          y={top + row * storey + storey * 0.25}
          width={(width - 28) / columns - 10}
          height={storey * 0.5}
          fill={row === marked ? '#f2c14e' : '#c8dcec'}
        />,
      );
    }
  }
  return (
    <g>
      <rect x={0} y={0} width={W} height={H} fill={palette.sky} />
      <rect x={0} y={bottom} width={W} height={H - bottom} fill="#9fae8c" />
      <rect
        x={left}
        y={top}
        width={width}
        height={bottom - top}
        fill={pick(FACADES, random, '#d2c7b6')}
      />
      {rows}
      <rect
        x={left - 8}
        y={top + marked * storey}
        width={width + 16}
        height={storey}
        fill="none"
        stroke="#b3261e"
        stroke-width={4}
      />
    </g>
  );
}

export interface GalleryImageProps {
  unit: GalleryUnit;
  index: number;
  lang: Lang;
  class?: string;
}

/** One picture of the gallery: room, kitchen, view from the window, facade or courtyard. */
export function GalleryImage({ unit, index, lang, class: className }: GalleryImageProps) {
  const subject = gallerySubject(index);
  const random = seededRandom(hashSeed(`${unit.layoutCode}|${unit.number}|${subject}`));
  const palette = paletteFor(unit, random);
  let picture: JSX.Element;

  if (subject === 'living' || subject === 'kitchen') {
    picture = (
      <Interior unit={unit} palette={palette} random={random} kitchen={subject === 'kitchen'} />
    );
  } else if (subject === 'window') {
    picture = (
      <Scenery
        view={unit.view}
        box={{ x: 0, y: 0, width: W, height: H }}
        random={random}
        sky={palette.sky}
      />
    );
  } else if (subject === 'facade') {
    picture = <Facade unit={unit} palette={palette} random={random} />;
  } else {
    picture = (
      <Scenery
        view="yard"
        box={{ x: 0, y: 0, width: W, height: H }}
        random={random}
        sky={palette.sky}
      />
    );
  }

  return (
    <svg
      class={className ? `rp-gallery-image ${className}` : 'rp-gallery-image'}
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={galleryCaption(unit, index, lang)}
    >
      {picture}
    </svg>
  );
}
