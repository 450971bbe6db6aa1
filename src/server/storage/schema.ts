/**
 * The tables as Kysely sees them. Columns are snake_case; times are epoch milliseconds stored as
 * `bigint` (PostgreSQL's int8 is parsed back to a number when the pool is opened).
 */
import type { Generated } from 'kysely';
import type { EndReason, PresentationStatus } from '../../core/protocol.js';

export interface AgentsTable {
  id: string;
  email: string | null;
  name: string;
  phone: string | null;
  password_hash: string | null;
  created_at: number;
}

export interface AgentSessionsTable {
  id_hash: string;
  agent_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface BuyersTable {
  id: string;
  agent_id: string;
  name: string;
  contact: string;
  /**
   * Name and contact folded to lower case in JavaScript: SQLite's `lower()` leaves Cyrillic
   * alone, so the database cannot be trusted to fold case the same way on both backends.
   */
  search_text: string;
  created_at: number;
}

export interface PresentationsTable {
  id: string;
  agent_id: string;
  buyer_id: string;
  status: PresentationStatus;
  end_reason: EndReason | null;
  created_at: number;
  expires_at: number;
  max_expires_at: number;
  grace_ends_at: number | null;
  ended_at: number | null;
  max_devices: number;
  seq: number;
  state_json: string;
}

export interface LinksTable {
  token_hash: string;
  presentation_id: string;
  created_at: number;
  revoked_at: number | null;
}

export interface PresentationEventsTable {
  id: Generated<number>;
  presentation_id: string;
  at: number;
  kind: string;
  reason: string | null;
  detail_json: string | null;
}

export interface InventoryComplexTable {
  id: string;
  json: string;
}

export interface InventoryUnitsTable {
  id: string;
  /** The unit's index in the imported list, which `load` restores; not its place on a floor. */
  position: number;
  json: string;
  status: string;
  price: number;
}

/** Events for the host system and their delivery state (src/server/webhooks). */
export interface WebhookDeliveriesTable {
  id: string;
  event_type: string;
  presentation_id: string;
  payload_json: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  attempt_log_json: string;
  created_at: number;
  next_attempt_at: number;
  locked_until: number | null;
  delivered_at: number | null;
}

export interface Database {
  agents: AgentsTable;
  agent_sessions: AgentSessionsTable;
  buyers: BuyersTable;
  presentations: PresentationsTable;
  links: LinksTable;
  presentation_events: PresentationEventsTable;
  inventory_complex: InventoryComplexTable;
  inventory_units: InventoryUnitsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
