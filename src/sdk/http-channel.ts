/**
 * What SSE and long-polling share: the hello is posted to open a session, and the answer
 * carries its first frames (so a refusal or a `welcome` needs no second round trip); client
 * messages are posted in order, one request at a time; every frame has a cursor, and the next
 * request says which cursor the client has, so the server sends again what a broken response
 * lost. The session key travels in `Authorization`, never in a URL.
 */
import type { ClientMessage, ServerMessage } from '../core/protocol.js';
import type { Channel, ChannelContext, ChannelEnd, FetchLike } from './channel.js';

export const SESSIONS_PATH = '/rt/sessions';

/** The server's body limit for posted messages, less room for the envelope. */
const MESSAGE_BYTES = 15 * 1024;
const MESSAGES_PER_REQUEST = 100;

/** A broken stream or poll is picked up again this many times before the session is given up. */
export const REPAIRS = 3;
export const REPAIR_DELAY_MS = 250;

interface Opened {
  sid: string;
  key: string;
  cursor: number;
  frames: ServerMessage[];
}

export abstract class HttpChannel implements Channel {
  abstract readonly kind: 'sse' | 'poll';
  protected readonly ctx: ChannelContext;
  protected readonly fetch: FetchLike;
  /** The last frame cursor received; the server keeps anything after it. */
  protected cursor = 0;
  protected done = false;
  #session: { sid: string; key: string } | null = null;
  readonly #abort = new AbortController();
  readonly #outbox: ClientMessage[] = [];
  #posting = false;
  readonly #encoder = new TextEncoder();

  constructor(ctx: ChannelContext, fetch: FetchLike) {
    this.ctx = ctx;
    this.fetch = fetch;
  }

  /** Reads frames after `cursor` until the session ends or the channel is closed. */
  protected abstract receive(): Promise<void>;

  /** Subclasses call this last in their constructor. */
  protected start(): void {
    void this.#open();
  }

  send(message: ClientMessage): boolean {
    if (this.done || !this.#session) return false;
    this.#outbox.push(message);
    if (!this.#posting) void this.#post();
    return true;
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.#abort.abort();
    this.#leave();
  }

  protected get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** A path of this session, e.g. `poll?after=3`. */
  protected sessionUrl(path: string): string {
    return new URL(`${SESSIONS_PATH}/${this.#session?.sid ?? ''}/${path}`, this.ctx.baseUrl).href;
  }

  protected authorization(): Record<string, string> {
    return { authorization: `Bearer ${this.#session?.key ?? ''}` };
  }

  /**
   * Hands frames to the connection; returns true when the channel is over (a `closing` frame
   * came, or a handler closed it).
   */
  protected deliver(frames: ServerMessage[], cursor: number): boolean {
    this.cursor = cursor;
    for (const frame of frames) {
      if (this.done) return true;
      this.ctx.handlers.message(frame);
      if (frame.type === 'closing') {
        this.end({});
        return true;
      }
    }
    return this.done;
  }

  /** Ends the channel from its side; messages never posted go back to the connection. */
  protected end(end: ChannelEnd): void {
    if (this.done) return;
    this.done = true;
    this.#abort.abort();
    const unsent = [...(end.unsent ?? []), ...this.#outbox.splice(0)];
    this.ctx.handlers.ended(unsent.length > 0 ? { ...end, unsent } : end);
  }

  /**
   * Tells the server this session is over, so the agent stops seeing the device at once rather
   * than after two heartbeats. Best effort, and `keepalive` lets it outlive a closing page.
   */
  #leave(): void {
    if (!this.#session) return;
    this.fetch(new URL(`${SESSIONS_PATH}/${this.#session.sid}`, this.ctx.baseUrl).href, {
      method: 'DELETE',
      headers: this.authorization(),
      keepalive: true,
    }).then(discard, () => undefined);
  }

  async #open(): Promise<void> {
    let opened: Opened;
    try {
      const res = await this.fetch(new URL(SESSIONS_PATH, this.ctx.baseUrl).href, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ transport: this.kind, hello: this.ctx.hello }),
        signal: this.signal,
      });
      if (res.status !== 201) {
        await discard(res);
        this.end({});
        return;
      }
      opened = (await res.json()) as Opened;
    } catch {
      this.end({});
      return;
    }
    if (this.done) return;

    this.#session = { sid: opened.sid, key: opened.key };
    this.ctx.handlers.alive();
    if (this.deliver(opened.frames, opened.cursor)) return;
    await this.receive();
  }

  /** Posts queued messages in order, one request at a time, batching what piles up meanwhile. */
  async #post(): Promise<void> {
    this.#posting = true;
    while (!this.done && this.#outbox.length > 0) {
      const batch = this.#takeBatch();
      const status = await this.#postBatch(batch);
      if (status === null) {
        if (!this.done) this.end({});
        break;
      }
      if (status === 404) {
        this.end({ lost: true, unsent: batch });
        break;
      }
      // Any other refusal (a message over the size limit) drops the batch, as a socket would.
    }
    this.#posting = false;
  }

  /**
   * One request, tried once more after a broken connection: the messages replace fields or
   * are idempotent, so one applied twice does no harm, and one lost would. Null when both fail.
   */
  async #postBatch(batch: ClientMessage[]): Promise<number | null> {
    for (let attempt = 0; attempt < 2 && !this.done; attempt++) {
      if (attempt > 0) await pause(REPAIR_DELAY_MS, this.signal);
      try {
        const res = await this.fetch(this.sessionUrl('messages'), {
          method: 'POST',
          headers: { ...this.authorization(), 'content-type': 'application/json' },
          body: JSON.stringify({ messages: batch }),
          signal: this.signal,
        });
        await discard(res);
        return res.status;
      } catch {
        // Broken on the way; tried again, or given up below.
      }
    }
    return null;
  }

  #takeBatch(): ClientMessage[] {
    const batch: ClientMessage[] = [];
    let bytes = 0;
    while (this.#outbox.length > 0 && batch.length < MESSAGES_PER_REQUEST) {
      const size = this.#encoder.encode(JSON.stringify(this.#outbox[0])).length + 1;
      if (batch.length > 0 && bytes + size > MESSAGE_BYTES) break;
      batch.push(this.#outbox.shift()!);
      bytes += size;
    }
    return batch;
  }
}

/** Reads and drops a body, so the connection can be reused. */
export async function discard(res: Response): Promise<void> {
  try {
    await res.arrayBuffer();
  } catch {
    // The body is gone either way.
  }
}

/** Waits `ms`, or less if `signal` fires. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
