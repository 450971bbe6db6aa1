/**
 * Runtime validation of everything a client sends. The server parses every inbound frame
 * through `parseClientMessage`; a frame that does not match gets a coded error, never a crash.
 */
import { z } from 'zod';

import { FINISHINGS, PUBLIC_STATUSES, ROOM_KINDS } from './inventory.js';
import { REACTION_KINDS } from './protocol.js';
import type { ClientMessage } from './protocol.js';
import { SORT_KEYS, VIEWS } from './view-state.js';
import type { ViewState } from './view-state.js';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const idList = z.array(id).max(500);
const money = z.number().finite().min(0).max(1e11).nullable();
const small = z.number().finite().min(0).max(1e4).nullable();
const floor = z.number().int().min(-5).max(200);

export const filtersSchema = z.strictObject({
  buildings: idList,
  sections: idList,
  rooms: z.array(z.enum(ROOM_KINDS)).max(ROOM_KINDS.length),
  euroOnly: z.boolean(),
  priceMin: money,
  priceMax: money,
  areaMin: small,
  areaMax: small,
  floorMin: floor.nullable(),
  floorMax: floor.nullable(),
  notFirst: z.boolean(),
  notLast: z.boolean(),
  finishing: z.array(z.enum(FINISHINGS)).max(FINISHINGS.length),
  completion: z.array(z.string().regex(/^\d{4}-Q[1-4]$/)).max(40),
  statuses: z.array(z.enum(PUBLIC_STATUSES)).max(PUBLIC_STATUSES.length),
  offersOnly: z.boolean(),
});

export const viewStateSchema = z.strictObject({
  view: z.enum(VIEWS),
  buildingId: id.nullable(),
  sectionId: id.nullable(),
  floor: floor.nullable(),
  unitId: id.nullable(),
  filters: filtersSchema,
  sort: z.strictObject({ key: z.enum(SORT_KEYS), dir: z.enum(['asc', 'desc']) }),
  galleryIndex: z.number().int().min(0).max(100),
  highlighted: idList,
  shortlist: idList,
}) satisfies z.ZodType<ViewState>;

export const viewPatchSchema = viewStateSchema.partial();

const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const fraction = z.number().finite().min(0).max(1);

const volatileSchema = z.strictObject({
  pointer: z.strictObject({ x: fraction, y: fraction }).nullable().optional(),
  scroll: z.strictObject({ top: fraction }).nullable().optional(),
});

const helloViewer = z.strictObject({
  type: z.literal('hello'),
  v: z.number().int(),
  role: z.literal('viewer'),
  token: z.string().min(1).max(512),
  deviceId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  device: z.enum(['phone', 'tablet', 'desktop']),
  resumeFrom: seq.optional(),
});

const helloPresenter = z.strictObject({
  type: z.literal('hello'),
  v: z.number().int(),
  role: z.literal('presenter'),
  presentationId: id,
  auth: z.string().min(1).max(4096).optional(),
  resumeFrom: seq.optional(),
  takeover: z.boolean().optional(),
});

export const clientMessageSchema = z.union([
  helloViewer,
  helloPresenter,
  z.strictObject({ type: z.literal('change'), clientSeq: seq, patch: viewPatchSchema }),
  z.strictObject({ type: z.literal('volatile'), data: volatileSchema }),
  z.strictObject({ type: z.literal('takeover') }),
  z.strictObject({ type: z.literal('presence'), visible: z.boolean() }),
  z.strictObject({
    type: z.literal('react'),
    kind: z.enum(REACTION_KINDS),
    unitId: id.nullable(),
  }),
  z.strictObject({ type: z.literal('ack'), seq }),
  z.strictObject({ type: z.literal('resume'), seq }),
  z.strictObject({ type: z.literal('pong'), t: z.number().finite() }),
]);

const MESSAGE_TYPES = [
  'hello',
  'change',
  'volatile',
  'takeover',
  'presence',
  'react',
  'ack',
  'resume',
  'pong',
] as const satisfies readonly ClientMessage['type'][];

export type ParseResult =
  { ok: true; message: ClientMessage } | { ok: false; code: 'invalid_message'; message: string };

/** Parses one inbound text frame. Never throws. */
export function parseClientMessage(text: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: 'invalid_message', message: 'The frame is not valid JSON.' };
  }

  const result = clientMessageSchema.safeParse(raw);
  if (!result.success) {
    // Name the type only if it is one of ours: nothing the client sent is echoed back.
    const type = raw !== null && typeof raw === 'object' ? (raw as { type?: unknown }).type : null;
    const known = typeof type === 'string' && (MESSAGE_TYPES as readonly string[]).includes(type);
    const issue = result.error.issues[0];
    const where =
      known && issue && issue.path.length > 0 ? ` at ${issue.path.map(String).join('.')}` : '';
    return {
      ok: false,
      code: 'invalid_message',
      message: known
        ? `A "${type}" message does not match the protocol${where}.`
        : 'The message type is not one of the protocol.',
    };
  }

  return { ok: true, message: result.data as ClientMessage };
}
