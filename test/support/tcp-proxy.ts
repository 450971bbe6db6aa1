/**
 * A TCP proxy on loopback for fault tests. `pause()` makes every connection through it go
 * silent in both directions without closing anything, as a dead Wi-Fi or a NAT that forgot its
 * mapping does: nothing more is read from either side, so what was sent meanwhile waits in the
 * kernel and arrives on `resume()`, as TCP would deliver it once the path returned. Connections
 * opened while paused are accepted and stay silent too. `refuse()` is an outage: every
 * connection is reset and new ones are dropped as they arrive, until `accept()`.
 */
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Set when one side closed while the proxy was paused; carried out on resume. */
  closeOnResume: boolean;
}

export class TcpProxy {
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #pairs = new Set<Pair>();
  #paused = false;
  #refusing = false;
  /** Connections accepted since the proxy started, silent or not. */
  accepted = 0;

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = createServer((client) => this.#accept(client));
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** The proxy's base URL for an HTTP target, e.g. http://127.0.0.1:40123. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get openConnections(): number {
    return this.#pairs.size;
  }

  pause(): void {
    this.#paused = true;
    for (const pair of this.#pairs) {
      pair.client.pause();
      pair.upstream.pause();
    }
  }

  resume(): void {
    this.#paused = false;
    for (const pair of [...this.#pairs]) {
      if (pair.closeOnResume) {
        this.#destroy(pair);
        continue;
      }
      pair.client.resume();
      pair.upstream.resume();
    }
  }

  /** An outage: resets every connection and drops new ones until `accept()`. */
  refuse(): void {
    this.#refusing = true;
    for (const pair of [...this.#pairs]) this.#destroy(pair);
  }

  accept(): void {
    this.#refusing = false;
  }

  async close(): Promise<void> {
    for (const pair of [...this.#pairs]) this.#destroy(pair);
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.accepted++;
    client.on('error', () => undefined);
    if (this.#refusing) {
      client.destroy();
      return;
    }

    const upstream = connect(this.#target.port, this.#target.host);
    upstream.on('error', () => undefined);
    const pair: Pair = { client, upstream, closeOnResume: false };
    this.#pairs.add(pair);
    if (this.#paused) {
      client.pause();
      upstream.pause();
    }

    this.#forward(pair, client, upstream);
    this.#forward(pair, upstream, client);
    const onClose = () => {
      if (this.#paused) pair.closeOnResume = true;
      else this.#destroy(pair);
    };
    client.once('close', onClose);
    upstream.once('close', onClose);
  }

  #forward(pair: Pair, from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (to.destroyed) return;
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => {
          if (!this.#paused && this.#pairs.has(pair)) from.resume();
        });
      }
    });
    from.on('end', () => {
      if (this.#paused) pair.closeOnResume = true;
      else to.end();
    });
  }

  #destroy(pair: Pair): void {
    this.#pairs.delete(pair);
    pair.client.destroy();
    pair.upstream.destroy();
  }
}
