/**
 * The Remote Presentation client SDK, for browsers and Node.js. `PresenterClient` presents a
 * view state; `ViewerClient` follows one through a capability link. Both reconnect and resume
 * on their own. docs/integration.md shows how an existing admin uses them.
 */
export { PresenterClient } from './presenter.js';
export type { PresenterOptions } from './presenter.js';
export { ViewerClient } from './viewer.js';
export type { ViewerOptions } from './viewer.js';
export { Connection, webSocketUrl } from './connection.js';
export type {
  ClosedEvent,
  ConnectionStatus,
  FetchLike,
  TransportChoice,
  TransportKind,
  WebSocketFactory,
  WebSocketLike,
} from './connection.js';
export type {
  CloseReason,
  DeviceKind,
  PresentationView,
  ViewerPresence,
  VolatileData,
} from '../core/protocol.js';
export { initialViewState, applyPatch, diffViewState } from '../core/view-state.js';
export type { ViewPatch, ViewState, Filters, Sort, ViewName } from '../core/view-state.js';
