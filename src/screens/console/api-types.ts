/**
 * The shapes of the agent's HTTP API as the console reads them (docs/integration.md documents
 * the API). The console never imports server code, so these are stated here once.
 */
import type { Complex, Unit, UnitStatus } from '../../core/inventory.js';
import type { PresentationView, ViewerPresence } from '../../core/protocol.js';

export interface Agent {
  id: string;
  name: string;
  email: string;
  phone: string | null;
}

export interface AgentSession {
  agent: Agent;
  /** Null when the caller authenticated with a presenter token rather than the cookie. */
  csrfToken: string | null;
}

export interface Buyer {
  id: string;
  name: string;
  contact: string;
  createdAt: string;
}

/** A presentation as its agent sees it: the buyer, the limits and the devices watching now. */
export interface PresentationDetail extends PresentationView {
  buyer: { id: string; name: string; contact: string };
  createdAt: string;
  maxExpiresAt: string;
  maxDevices: number;
  /** How many view-state changes the presentation has stored. */
  seq: number;
  viewers?: ViewerPresence[];
}

/** The buyer's link. Only a hash of its token is stored, so this is the one time it is seen. */
export interface IssuedLink {
  url: string;
  expiresAt: string;
}

export interface AgentInventory {
  complex: Complex;
  units: Unit[];
}

export type BuyerChoice = { buyerId: string } | { buyer: { name: string; contact: string } };

/** A change an agent makes to a unit; every screen showing the unit sees it at once. */
export interface UnitChange {
  status?: UnitStatus;
  price?: number;
  offer?: string | null;
}

/** What happened in a presentation, as `GET /api/v1/presentations/:id/record` answers. */
export interface SessionRecord {
  presentationId: string;
  timeline: { at: string; kind: string; reason: string | null; detail: unknown }[];
  devices: { deviceId: string; device: string; joinedAt: string; leftAt: string | null }[];
  shown: { unitId: string; firstShownAt: string; ms: number }[];
  reactions: { at: string; kind: string; unitId: string | null; deviceId: string }[];
  hidden: { deviceId: string; from: string; to: string | null }[];
}
