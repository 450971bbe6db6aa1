/**
 * A channel is one attempt to carry the protocol over one transport: a WebSocket, an SSE
 * stream with messages posted beside it, or a run of long polls. The connection opens one at a
 * time, and decides from how each ends whether to retry, fall back or stop.
 */
import type { ClientMessage, ServerMessage, TransportKind } from '../core/protocol.js';

export type { TransportKind };

/** 'auto' tries WebSocket, then SSE, then long-polling; the others force one transport. */
export type TransportChoice = 'auto' | TransportKind;

/** The part of `fetch` the HTTP transports use; browsers' and Node's both fit. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** How a channel ended, as far as the connection needs to know. */
export interface ChannelEnd {
  /** The WebSocket close code, when there was a socket. */
  code?: number;
  /** The WebSocket close reason, for when no `closing` frame arrived before it. */
  reason?: string;
  /** The server does not know the session (another node, a restart): open a new one now. */
  lost?: boolean;
  /** Messages the server never received; the connection may send them on the next session. */
  unsent?: ClientMessage[];
}

export interface ChannelHandlers {
  message(message: ServerMessage): void;
  /** Something arrived (a frame, a keep-alive, an empty poll): the line is alive. */
  alive(): void;
  /** Frames flow end to end: the socket opened, the stream started, a poll was answered. */
  flowing(): void;
  /** Called at most once, unless the connection closed the channel itself. */
  ended(end: ChannelEnd): void;
}

export interface Channel {
  readonly kind: TransportKind;
  /** Sends one message; false when the channel cannot take it now. */
  send(message: ClientMessage): boolean;
  /** Closes from the client's side; `ended` is not called afterwards. */
  close(): void;
}

export interface ChannelContext {
  baseUrl: string;
  hello: ClientMessage;
  handlers: ChannelHandlers;
}

/** Parses one server frame; a frame that is not JSON is skipped rather than trusted. */
export function parseFrame(text: string): ServerMessage | null {
  try {
    return JSON.parse(text) as ServerMessage;
  } catch {
    return null;
  }
}
