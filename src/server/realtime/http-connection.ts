/**
 * The server's end of a protocol connection carried over plain HTTP: a Server-Sent Events
 * stream or a run of long polls. It outlives each request. Outbound frames are numbered by a
 * cursor and kept until the client confirms them (a poll's `after`, a stream's resume point),
 * so a response lost on the way is sent again instead of leaving a hole; the bytes waiting
 * count toward the hub's slow-viewer cap exactly like a socket's send buffer.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

import { isFatalReason } from '../../core/protocol.js';
import type { CloseReason } from '../../core/protocol.js';
import { newId } from '../links/tokens.js';
import { closeMessage } from './close-messages.js';
import type { Connection } from './session.js';

export type HttpTransportKind = 'sse' | 'poll';

/** Frames for one answer, as serialised JSON texts, and the cursor of the last one. */
export interface FrameBatch {
  cursor: number;
  texts: string[];
}

/** Where an SSE stream's bytes go; the transport wraps the HTTP response in it. */
export interface StreamSink {
  /** Writes one frame as an SSE event whose id is its cursor. */
  event(cursor: number, text: string): void;
  end(): void;
  /** Bytes written to the response and not yet handed to the network. */
  backlog(): number;
}

export interface HttpConnectionOptions {
  transport: HttpTransportKind;
  remoteAddress: string;
  /** The hub's slow-viewer cap, in bytes. */
  capBytes: number;
  now(): number;
  /** Called once, soon after the connection ends for any reason: the session lets go of it. */
  onEnd(): void;
}

interface Queued {
  cursor: number;
  text: string;
  bytes: number;
}

interface PendingPoll {
  resolve(batch: FrameBatch): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * A client that leaves this many caps of frames unconfirmed is cut (`lagging`). The hub stops
 * sending it changes at one cap; this bounds what still trickles in (presence, pings).
 */
const HARD_CAP_FACTOR = 4;

export class HttpConnection implements Connection {
  readonly connectionId = newId('c');
  /** Names the session in URLs and logs; not a secret. */
  readonly sid = newId('s');
  /** The secret that proves a request belongs to this session; travels in a header only. */
  readonly key = randomBytes(24).toString('base64url');
  readonly transport: HttpTransportKind;
  readonly remoteAddress: string;
  readonly #o: HttpConnectionOptions;

  /** Frames not yet confirmed by the client, oldest first. */
  #queue: Queued[] = [];
  #queuedBytes = 0;
  #lastCursor = 0;
  /** The client confirmed everything up to here; anything older is gone for good. */
  #confirmed = 0;
  /** SSE: frames up to here went into a stream; they stay queued until confirmed or trimmed. */
  #written = 0;
  #writtenBytes = 0;

  #stream: StreamSink | null = null;
  #poll: PendingPoll | null = null;
  #flushQueued = false;
  #absentSince: number | null;

  #endedAt: number | null = null;
  #closingCursor = 0;
  #closingDelivered = false;

  constructor(options: HttpConnectionOptions) {
    this.#o = options;
    this.transport = options.transport;
    this.remoteAddress = options.remoteAddress;
    this.#absentSince = options.now();
  }

  /** Compares a presented key in constant time. */
  keyMatches(candidate: string): boolean {
    const a = Buffer.from(candidate);
    const b = Buffer.from(this.key);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  get ended(): boolean {
    return this.#endedAt !== null;
  }

  /** Ended, and its `closing` frame has been handed to a response: nothing is left to collect. */
  get finished(): boolean {
    return this.#closingDelivered;
  }

  // ------------------------------------------------------------------ Connection

  send(frame: string): void {
    if (this.ended) return;
    this.#push(frame);
    if (this.buffered() > this.#o.capBytes * HARD_CAP_FACTOR) this.close('lagging');
  }

  buffered(): number {
    if (this.transport === 'poll') return this.#queuedBytes;
    return this.#queuedBytes - this.#writtenBytes + (this.#stream?.backlog() ?? 0);
  }

  close(reason: CloseReason, message?: string): void {
    if (this.ended) return;
    const closing = {
      type: 'closing',
      reason,
      retry: !isFatalReason(reason),
      message: message ?? closeMessage(reason),
    };
    this.#endedAt = this.#o.now();
    this.#closingCursor = this.#lastCursor + 1;
    this.#push(JSON.stringify(closing));

    if (this.#stream) this.#endStream();
    if (this.#poll) this.#answerPoll();
    // Like a socket's close event, the session hears of it after the current call unwinds.
    queueMicrotask(() => this.#o.onEnd());
  }

  /** Whether a client that has everything up to `after` can go on with this connection. */
  canContinue(after: number): boolean {
    if (!Number.isSafeInteger(after) || after < this.#confirmed || after > this.#lastCursor) {
      return false;
    }
    // Ended, and the client already has the closing frame: nothing is left to send.
    return !(this.ended && after >= this.#closingCursor);
  }

  /**
   * The client said goodbye (it closed the page or the SDK): the connection ends at once, with
   * no `closing` frame, since nobody is left to read one.
   */
  hangUp(): void {
    if (this.ended) return;
    this.#endedAt = this.#o.now();
    this.#closingDelivered = true;
    this.release();
    queueMicrotask(() => this.#o.onEnd());
  }

  // ------------------------------------------------------------------ long-polling

  /**
   * Answers a poll that has everything up to `after`: at once when frames are waiting (or the
   * connection ended), otherwise as soon as one is queued, or empty after `holdMs`. Resolves
   * with 'gone' when `after` cannot continue this connection without a gap.
   */
  nextBatch(after: number, holdMs: number, signal?: AbortSignal): Promise<FrameBatch | 'gone'> {
    if (!this.canContinue(after)) return Promise.resolve('gone');
    this.#confirm(after);
    // One poll at a time: an older one still waiting is answered and superseded.
    this.#answerPoll();

    if (this.#lastCursor > after) {
      const batch = this.#batch();
      this.#noteDelivered(batch);
      this.#absentSince = this.#o.now();
      return Promise.resolve(batch);
    }

    this.#absentSince = null;
    return new Promise((resolve) => {
      const poll: PendingPoll = {
        resolve,
        timer: setTimeout(() => {
          if (this.#poll === poll) this.#answerPoll();
        }, holdMs),
      };
      this.#poll = poll;
      signal?.addEventListener('abort', () => {
        if (this.#poll !== poll) return;
        clearTimeout(poll.timer);
        this.#poll = null;
        this.#absentSince = this.#o.now();
        resolve({ cursor: after, texts: [] });
      });
    });
  }

  #answerPoll(): void {
    const poll = this.#poll;
    if (!poll) return;
    this.#poll = null;
    clearTimeout(poll.timer);
    const batch = this.#batch();
    this.#noteDelivered(batch);
    this.#absentSince = this.#o.now();
    poll.resolve(batch);
  }

  // ------------------------------------------------------------------ Server-Sent Events

  /**
   * Makes `sink` this connection's stream, continuing after `after`: frames a previous stream
   * carried but the client never confirmed are written again. Returns false when `after`
   * cannot continue this connection without a gap.
   */
  attachStream(sink: StreamSink, after: number): boolean {
    if (!this.canContinue(after)) return false;
    this.#confirm(after);
    if (this.#stream) this.#endStream();
    this.#answerPoll();

    this.#stream = sink;
    this.#absentSince = null;
    this.#written = after;
    this.#writtenBytes = 0;
    for (const item of this.#queue) this.#write(item);
    if (this.ended) this.#endStream();
    return true;
  }

  /** The stream's response closed (the client went away, or we ended it). */
  detachStream(sink: StreamSink): void {
    if (this.#stream !== sink) return;
    this.#stream = null;
    this.#absentSince = this.#o.now();
  }

  #write(item: Queued): void {
    this.#stream?.event(item.cursor, item.text);
    this.#written = item.cursor;
    this.#writtenBytes += item.bytes;
    if (this.ended && item.cursor === this.#closingCursor) this.#closingDelivered = true;
    // An SSE client confirms only when it reconnects; keep a cap's worth for that, no more.
    while (this.#writtenBytes > this.#o.capBytes && this.#queue.length > 1) {
      const oldest = this.#queue[0]!;
      if (oldest.cursor > this.#written) break;
      this.#drop(oldest);
      this.#confirmed = oldest.cursor;
    }
  }

  #endStream(): void {
    const sink = this.#stream;
    this.#stream = null;
    this.#absentSince = this.#o.now();
    sink?.end();
  }

  // ------------------------------------------------------------------ the queue

  #push(text: string): void {
    const item: Queued = { cursor: ++this.#lastCursor, text, bytes: Buffer.byteLength(text) };
    this.#queue.push(item);
    this.#queuedBytes += item.bytes;
    if (this.#stream) this.#write(item);
    else if (this.#poll) this.#flushSoon();
  }

  /** Frames queued in one go (welcome and snapshot, a replay) leave in one answer. */
  #flushSoon(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    setImmediate(() => {
      this.#flushQueued = false;
      this.#answerPoll();
    });
  }

  #confirm(after: number): void {
    while (this.#queue.length > 0 && this.#queue[0]!.cursor <= after) this.#drop(this.#queue[0]!);
    this.#confirmed = after;
  }

  #drop(item: Queued): void {
    this.#queue.shift();
    this.#queuedBytes -= item.bytes;
    if (item.cursor <= this.#written) this.#writtenBytes -= item.bytes;
  }

  #batch(): FrameBatch {
    const last = this.#queue.at(-1);
    return { cursor: last?.cursor ?? this.#confirmed, texts: this.#queue.map((q) => q.text) };
  }

  #noteDelivered(batch: FrameBatch): void {
    if (this.ended && batch.cursor >= this.#closingCursor) this.#closingDelivered = true;
  }

  // ------------------------------------------------------------------ housekeeping

  /** No stream and no poll for longer than `limitMs`: the client is gone. */
  absentFor(now: number, limitMs: number): boolean {
    return !this.ended && this.#absentSince !== null && now - this.#absentSince > limitMs;
  }

  /** Ended long enough ago that a client that never collected the `closing` frame never will. */
  lingeredFor(now: number, limitMs: number): boolean {
    return this.#endedAt !== null && now - this.#endedAt > limitMs;
  }

  /** Ends whatever request is open, for a server that is going away. */
  release(): void {
    this.#endStream();
    this.#answerPoll();
  }
}
