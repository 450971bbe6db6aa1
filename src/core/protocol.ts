/**
 * The wire protocol between the server and its clients (presenter and viewer), on every
 * transport. One union per direction, keyed by `type`; JSON text frames. docs/PROTOCOL.md
 * explains it and docs/SPEC.md numbers the rules that tests cite.
 *
 * This module holds types and constants only, so the buyer's bundle stays small; the server
 * validates inbound frames with the schemas in `protocol-schema.ts`.
 */
import type { ErrorCode } from './errors.js';
import type { PublicUnit } from './inventory.js';
import type { ViewPatch, ViewState } from './view-state.js';

/** Bumped on any incompatible change; the client states it in `hello`. */
export const PROTOCOL_VERSION = 1;

/** Largest inbound text frame the server accepts, in bytes. */
export const MAX_FRAME_BYTES = 16 * 1024;

/** The WebSocket subprotocol name; it carries the version so proxies and logs can see it. */
export const WS_SUBPROTOCOL = 'rp.v1';

/** Close codes: a fatal end (do not retry) and a transient one (reconnect with backoff). */
export const CLOSE_FATAL = 4001;
export const CLOSE_RETRY = 4002;

export const FATAL_REASONS = [
  'expired',
  'revoked',
  'ended',
  'invalid_link',
  'unauthorized',
  'forbidden',
  'too_many_devices',
  'unsupported_version',
  'protocol_error',
  'logged_out',
  'handed_off',
] as const;
export type FatalReason = (typeof FATAL_REASONS)[number];

export const RETRY_REASONS = [
  'shutting_down',
  'heartbeat_timeout',
  'lagging',
  'rate_limited',
  'unavailable',
  'credentials_expired',
] as const;
export type RetryReason = (typeof RETRY_REASONS)[number];

export type CloseReason = FatalReason | RetryReason;

export function isFatalReason(reason: string): reason is FatalReason {
  return (FATAL_REASONS as readonly string[]).includes(reason);
}

export type Role = 'presenter' | 'viewer';
export type DeviceKind = 'phone' | 'tablet' | 'desktop';
export type TransportKind = 'ws' | 'sse' | 'poll';

export const PRESENTATION_STATUSES = ['created', 'live', 'agent_away', 'ended'] as const;
export type PresentationStatus = (typeof PRESENTATION_STATUSES)[number];

export const END_REASONS = ['agent_ended', 'grace_timeout', 'expired', 'revoked'] as const;
export type EndReason = (typeof END_REASONS)[number];

/** What any participant, the buyer included, may know about a presentation. */
export interface PresentationView {
  id: string;
  status: PresentationStatus;
  endReason: EndReason | null;
  agent: { name: string; phone: string | null };
  complexName: string;
  expiresAt: string;
  /** Set while the agent is away: when the presentation ends unless the agent returns. */
  graceEndsAt: string | null;
  endedAt: string | null;
}

/** One buyer device as the agent sees it. */
export interface ViewerPresence {
  connectionId: string;
  deviceId: string;
  device: DeviceKind;
  transport: TransportKind;
  visible: boolean;
  connectedAt: string;
  /** Time from the server's send of a change to the viewer's acknowledgement of it, in ms. */
  lagMs: number | null;
}

/** What a buyer can send about a unit without taking control: the agent sees it at once. */
export const REACTION_KINDS = ['heart', 'call_me', 'more_info'] as const;
export type ReactionKind = (typeof REACTION_KINDS)[number];

export interface Reaction {
  kind: ReactionKind;
  /** The unit the buyer reacted to; null for "call me" about the presentation as a whole. */
  unitId: string | null;
  deviceId: string;
  device: DeviceKind;
  at: string;
}

/** Pointer and scroll: conflated to the latest value, never persisted, never sequenced. */
export interface VolatileData {
  pointer?: { x: number; y: number } | null;
  scroll?: { top: number } | null;
}

// ---------------------------------------------------------------- client → server

export interface ViewerHello {
  type: 'hello';
  v: number;
  role: 'viewer';
  token: string;
  /** Stable per browser (kept in local storage): devices are counted by it. */
  deviceId: string;
  device: DeviceKind;
  /** The last sequence number this client applied; absent on a first connection. */
  resumeFrom?: number;
}

export interface PresenterHello {
  type: 'hello';
  v: number;
  role: 'presenter';
  presentationId: string;
  /** A presenter token minted by an integrating backend; absent when a session cookie is used. */
  auth?: string;
  resumeFrom?: number;
  /** Present from this connection even if another tab presents now. */
  takeover?: boolean;
}

export type ClientMessage =
  | ViewerHello
  | PresenterHello
  | { type: 'change'; clientSeq: number; patch: ViewPatch }
  | { type: 'volatile'; data: VolatileData }
  | { type: 'takeover' }
  | { type: 'presence'; visible: boolean }
  | { type: 'react'; kind: ReactionKind; unitId: string | null }
  | { type: 'ack'; seq: number }
  | { type: 'resume'; seq: number }
  | { type: 'pong'; t: number };

/** What each role may send after `hello`. Anything else is refused with `not_allowed`. */
export const ALLOWED_MESSAGES: Record<Role, readonly ClientMessage['type'][]> = {
  presenter: ['change', 'volatile', 'takeover', 'resume', 'pong'],
  viewer: ['presence', 'react', 'ack', 'resume', 'pong'],
};

// ---------------------------------------------------------------- server → client

export interface Welcome {
  type: 'welcome';
  v: number;
  role: Role;
  connectionId: string;
  presentation: PresentationView;
  /** For presenters: whether this connection presents, or another tab does. */
  presenting: boolean;
  heartbeatMs: number;
  serverTime: number;
}

export type ServerMessage =
  | Welcome
  | { type: 'snapshot'; seq: number; state: ViewState }
  | { type: 'patch'; seq: number; patch: ViewPatch; t: number }
  | { type: 'ack'; clientSeq: number; seq: number }
  | { type: 'volatile'; data: VolatileData }
  | { type: 'lifecycle'; presentation: PresentationView }
  | { type: 'presence'; viewers: ViewerPresence[] }
  | { type: 'presenting'; presenting: boolean }
  /** Presenters only: a buyer's reaction. */
  | { type: 'reaction'; reaction: Reaction }
  /** Units whose status, price or offer changed, in the buyer-safe projection. */
  | { type: 'units'; units: PublicUnit[] }
  | { type: 'error'; code: ErrorCode; message: string; clientSeq?: number }
  | { type: 'ping'; t: number }
  | { type: 'closing'; reason: CloseReason; retry: boolean; message: string };

export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
