/**
 * Long-polling: one request at a time asks for the frames after the last cursor; the server
 * answers as soon as one is queued, or empty after about 25 seconds. Each poll is a complete
 * exchange, so nothing between the client and the server has to hold a stream open.
 */
import { REPAIRS, REPAIR_DELAY_MS, HttpChannel, discard, pause } from './http-channel.js';
import type { ChannelContext, FetchLike } from './channel.js';
import type { ServerMessage } from '../core/protocol.js';

/** The server holds a poll about 25 s; one unanswered well past that is given up. */
const POLL_TIMEOUT_MS = 40_000;

export class PollChannel extends HttpChannel {
  readonly kind = 'poll' as const;

  constructor(ctx: ChannelContext, fetch: FetchLike) {
    super(ctx, fetch);
    this.start();
  }

  protected async receive(): Promise<void> {
    let repairs = 0;
    while (!this.done) {
      const answer = await this.#poll();
      if (this.done) return;
      if (answer === 'lost') {
        this.end({ lost: true });
        return;
      }
      if (answer === null) {
        if (++repairs > REPAIRS) {
          this.end({});
          return;
        }
        await pause(REPAIR_DELAY_MS * repairs, this.signal);
        continue;
      }

      repairs = 0;
      this.ctx.handlers.alive();
      this.ctx.handlers.flowing();
      if (this.deliver(answer.frames, answer.cursor)) return;
    }
  }

  /** One poll: its frames, 'lost' when the server does not know the session, null on failure. */
  async #poll(): Promise<{ cursor: number; frames: ServerMessage[] } | 'lost' | null> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), POLL_TIMEOUT_MS);
    const onClose = () => timeout.abort();
    this.signal.addEventListener('abort', onClose, { once: true });
    try {
      const res = await this.fetch(this.sessionUrl(`poll?after=${this.cursor}`), {
        headers: this.authorization(),
        signal: timeout.signal,
      });
      if (res.status === 404) {
        await discard(res);
        return 'lost';
      }
      if (!res.ok) {
        await discard(res);
        return null;
      }
      return (await res.json()) as { cursor: number; frames: ServerMessage[] };
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
      this.signal.removeEventListener('abort', onClose);
    }
  }
}
