/**
 * Server-Sent Events read through `fetch`: frames arrive as events whose id is their cursor.
 * A stream that breaks without a `closing` frame is picked up again after the last cursor, on
 * the same session; a session the server no longer knows (404) ends the channel so the
 * connection opens a new one. After a `closing` frame the stream is not re-opened.
 */
import { REPAIRS, REPAIR_DELAY_MS, HttpChannel, discard, pause } from './http-channel.js';
import type { ChannelContext, FetchLike } from './channel.js';
import { parseFrame } from './channel.js';
import { SseParser } from './sse-parser.js';

export class SseChannel extends HttpChannel {
  readonly kind = 'sse' as const;

  constructor(ctx: ChannelContext, fetch: FetchLike) {
    super(ctx, fetch);
    this.start();
  }

  protected async receive(): Promise<void> {
    let repairs = 0;
    while (!this.done) {
      const before = this.cursor;
      let over = false;
      try {
        const res = await this.fetch(this.sessionUrl(`events?after=${this.cursor}`), {
          headers: { ...this.authorization(), accept: 'text/event-stream' },
          signal: this.signal,
        });
        if (res.status === 404) {
          await discard(res);
          this.end({ lost: true });
          return;
        }
        if (!res.ok || !res.body) {
          await discard(res);
        } else {
          over = await this.#read(res.body);
        }
      } catch {
        // The stream broke; picked up again below.
      }
      if (over || this.done) return;

      // A stream that delivered something earned its repairs back.
      repairs = this.cursor > before ? 1 : repairs + 1;
      if (repairs > REPAIRS) {
        this.end({});
        return;
      }
      await pause(REPAIR_DELAY_MS * repairs, this.signal);
    }
  }

  /** Reads one stream to its end; true when the channel is over. */
  async #read(body: ReadableStream<Uint8Array>): Promise<boolean> {
    const reader = body.getReader();
    const parser = new SseParser();
    const { handlers } = this.ctx;
    let over = false;
    try {
      while (!over && !this.done) {
        const { done, value } = await reader.read();
        if (done) break;
        handlers.alive();
        handlers.flowing();
        parser.push(value, (event) => {
          if (over) return;
          const frame = parseFrame(event.data);
          const cursor = Number(event.id);
          if (frame)
            over = this.deliver([frame], Number.isSafeInteger(cursor) ? cursor : this.cursor);
        });
      }
    } finally {
      reader.cancel().catch(() => undefined);
    }
    return over || this.done;
  }
}
