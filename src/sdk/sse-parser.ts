/**
 * A small parser for the `text/event-stream` format, fed with the chunks of a `fetch` body.
 * Reading SSE through `fetch` rather than `EventSource` lets the client send its session key in
 * a header instead of the URL, and decide itself when to reconnect — never after a fatal end.
 */

export interface SseEvent {
  /** The last `id:` seen, which the stream carries over to later events as the spec says. */
  id: string | null;
  event: string;
  data: string;
}

export class SseParser {
  readonly #decoder = new TextDecoder();
  #buffer = '';
  #data: string[] = [];
  #event = '';
  #id: string | null = null;
  /** A chunk that ended in CR: a LF at the start of the next one belongs to it. */
  #skipLf = false;

  /**
   * Feeds bytes; calls `onEvent` for each complete event and `onComment` for each comment line
   * (servers send them as keep-alives).
   */
  push(
    chunk: Uint8Array | string,
    onEvent: (event: SseEvent) => void,
    onComment?: (text: string) => void,
  ): void {
    let text = typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    if (this.#skipLf && text.startsWith('\n')) text = text.slice(1);
    this.#skipLf = false;
    this.#buffer += text;

    let start = 0;
    for (;;) {
      const cr = this.#buffer.indexOf('\r', start);
      const lf = this.#buffer.indexOf('\n', start);
      if (cr === -1 && lf === -1) break;
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      const line = this.#buffer.slice(start, end);
      start = end + 1;
      if (end === cr) {
        if (this.#buffer[start] === '\n') start++;
        else if (start === this.#buffer.length) this.#skipLf = true;
      }
      this.#line(line, onEvent, onComment);
    }
    this.#buffer = this.#buffer.slice(start);
  }

  #line(
    line: string,
    onEvent: (event: SseEvent) => void,
    onComment?: (text: string) => void,
  ): void {
    if (line === '') {
      if (this.#data.length > 0) {
        onEvent({ id: this.#id, event: this.#event || 'message', data: this.#data.join('\n') });
      }
      this.#data = [];
      this.#event = '';
      return;
    }
    if (line.startsWith(':')) {
      onComment?.(line.slice(1).trimStart());
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.#data.push(value);
        return;
      case 'event':
        this.#event = value;
        return;
      case 'id':
        if (!value.includes('\0')) this.#id = value;
        return;
      default:
        // `retry` and unknown fields: this client schedules its own reconnects.
        return;
    }
  }
}
