/**
 * The first frame of the buyer's page, embedded by the server into the HTML it serves for
 * `/p/<token>`: the presentation, the view state at a sequence number and the part of the public
 * inventory that state draws, or the reason the link does not open. Reading it costs no round
 * trip, so the phone shows the agent's view as soon as the script runs.
 */
import type { PublicInventory } from '../../core/inventory.js';
import type { InventoryScope } from '../../core/view-inventory.js';
import type { PresentationView } from '../../core/protocol.js';
import type { ViewState } from '../../core/view-state.js';

export const BOOTSTRAP_ERRORS = [
  'link_invalid',
  'link_expired',
  'link_revoked',
  'presentation_ended',
  'unavailable',
  'rate_limited',
] as const;
export type BootstrapErrorCode = (typeof BOOTSTRAP_ERRORS)[number];

/** After the end, for a while: the units the buyer was shown, kept by the server. */
export interface ServerRecap {
  unitIds: string[];
  /** Until when the link keeps opening this recap. */
  availableUntil: string;
}

export interface ViewerBootstrap {
  presentation: PresentationView | null;
  seq?: number;
  state?: ViewState;
  inventory?: PublicInventory;
  /** Set when `inventory` is cut to the state's view: what it holds, and where the rest is. */
  inventoryScope?: InventoryScope;
  inventoryUrl?: string;
  error?: { code: BootstrapErrorCode; message: string };
  recap?: ServerRecap;
}

/** What the page says when the server sent no usable bootstrap: it could not check the link. */
const MISSING: ViewerBootstrap = {
  presentation: null,
  error: { code: 'unavailable', message: 'The page arrived without its presentation.' },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isBootstrapError(value: unknown): value is ViewerBootstrap['error'] {
  return (
    isRecord(value) &&
    (BOOTSTRAP_ERRORS as readonly unknown[]).includes(value.code) &&
    typeof value.message === 'string'
  );
}

function isScope(value: unknown): value is InventoryScope {
  const ids = (list: unknown) => Array.isArray(list) && list.every((id) => typeof id === 'string');
  return isRecord(value) && ids(value.sections) && ids(value.units);
}

function isServerRecap(value: unknown): value is ServerRecap {
  return (
    isRecord(value) &&
    Array.isArray(value.unitIds) &&
    value.unitIds.every((id) => typeof id === 'string') &&
    typeof value.availableUntil === 'string'
  );
}

/**
 * Reads the `rp-bootstrap` JSON. The server is trusted for the shapes inside; only the frame is
 * checked here, so that a page served without its bootstrap shows a retry screen, not a crash.
 */
export function readBootstrap(doc: Document): ViewerBootstrap {
  const text = doc.getElementById('rp-bootstrap')?.textContent;
  if (!text) return MISSING;

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return MISSING;
  }
  if (!isRecord(value)) return MISSING;

  const bootstrap: ViewerBootstrap = {
    presentation: isRecord(value.presentation)
      ? (value.presentation as unknown as PresentationView)
      : null,
  };
  if (typeof value.seq === 'number') bootstrap.seq = value.seq;
  if (isRecord(value.state)) bootstrap.state = value.state as unknown as ViewState;
  if (isRecord(value.inventory))
    bootstrap.inventory = value.inventory as unknown as PublicInventory;
  // A cut is only of use with the way to the rest of the inventory; the page's own path only.
  if (
    bootstrap.inventory &&
    isScope(value.inventoryScope) &&
    typeof value.inventoryUrl === 'string' &&
    value.inventoryUrl.startsWith('/api/')
  ) {
    bootstrap.inventoryScope = value.inventoryScope;
    bootstrap.inventoryUrl = value.inventoryUrl;
  }
  if (isServerRecap(value.recap)) bootstrap.recap = value.recap;
  if (value.error !== undefined) {
    bootstrap.error = isBootstrapError(value.error) ? value.error : MISSING.error;
  }
  return bootstrap;
}

/** The link's token: the last segment of `/p/<token>`. */
export function tokenFromPath(pathname: string): string | null {
  const segment = pathname
    .split('/')
    .filter((part) => part.length > 0)
    .pop();
  if (!segment) return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * Why this page cannot follow a presentation, if it cannot: the server's own verdict first;
 * then a missing token (the address was cut short); then a bootstrap without the presentation
 * or its inventory, which means the server could not load them and a reload may succeed.
 */
export function bootstrapProblem(
  bootstrap: ViewerBootstrap,
  token: string | null,
): BootstrapErrorCode | null {
  if (bootstrap.error) return bootstrap.error.code;
  if (token === null) return 'link_invalid';
  if (!bootstrap.presentation || !bootstrap.inventory) return 'unavailable';
  return null;
}
