/**
 * A `fetch` for the SDK's SSE and long-polling transports, on `node:http`: each client has its
 * own connections, as each phone does, bound to a chosen loopback source address. The bench
 * spreads its HTTP clients over 127.0.0.2–127.0.0.251 because our server limits how many
 * sessions one address may open a minute (600): thousands of phones come from thousands of
 * addresses, not from one.
 *
 * A client holds one connection for its stream (or its polls), kept alive, and one for what it
 * posts, closed after half a second idle: with both kept, 15,000 clients would need 30,000
 * sockets on the server, past this machine's 20,000 file descriptors.
 */
import { Agent, request } from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';

import type { FetchLike } from '../../src/sdk/index.js';

const NULL_BODY = new Set([101, 204, 205, 304]);

export function sourceAddress(n: number): string {
  return `127.0.0.${2 + (n % 250)}`;
}

export function httpFetch(options: {
  localAddress: string;
  headers?: Record<string, string>;
  postIdleMs?: number;
}): { fetch: FetchLike; close(): void } {
  const stream = new Agent({ keepAlive: true, maxSockets: 1, localAddress: options.localAddress });
  const post = new Agent({
    keepAlive: true,
    maxSockets: 1,
    timeout: options.postIdleMs ?? 500,
    localAddress: options.localAddress,
  });
  const fetch: FetchLike = (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const headers: OutgoingHttpHeaders = { ...options.headers };
      for (const [k, v] of Object.entries((init.headers ?? {}) as Record<string, string>)) {
        headers[k] = v;
      }
      const req = request(url, {
        method: init.method ?? 'GET',
        headers,
        agent: (init.method ?? 'GET') === 'GET' ? stream : post,
        ...(init.signal ? { signal: init.signal } : {}),
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const responseHeaders = new Headers();
        const type = res.headers['content-type'];
        if (type) responseHeaders.set('content-type', type);
        if (NULL_BODY.has(status)) {
          res.resume();
          resolve(new Response(null, { status, headers: responseHeaders }));
          return;
        }
        const body = Readable.toWeb(res) as ReadableStream<Uint8Array>;
        resolve(new Response(body, { status, headers: responseHeaders }));
      });
      req.on('error', reject);
      req.end(typeof init.body === 'string' ? init.body : undefined);
    });
  return {
    fetch,
    close: () => {
      stream.destroy();
      post.destroy();
    },
  };
}
