/**
 * First frame on a phone: `npm run bench:first-frame -- [flags]`. A benchmark, never a test.
 *
 * Starts a server on the built screens, creates a presentation showing the availability grid,
 * and opens its link in Debian's Chromium as a phone: a fresh browser context per run (a cold
 * cache and new connections), the network throttled through the DevTools protocol and the CPU
 * slowed four times. Each run reads the buyer page's own marks, relative to navigation start:
 *
 *   rp-first-frame   the agent's view is drawn (from the state embedded in the page)
 *   rp-live          the connection delivered `welcome`: the frame is known to be current
 *   rp-inventory     the whole inventory came in (the page embeds only what the view draws)
 *
 * and the bytes the page transferred over HTTP (in all, and by the first frame). Every profile
 * runs twice: straight to the node, and through a gzip proxy standing in for the reverse proxy
 * of a deployment. The node compresses by itself (brotli, @fastify/compress), and the proxy
 * passes an answer already encoded through untouched, so the two paths differ by the proxy's
 * hop only; the proxy still shows what a deployment's compression would give a node that did
 * not compress.
 *
 *   --runs 10                runs per profile and path
 *   --profiles typical,typical-rtt,slow   network profiles (below)
 *   --cpu 4                  CPU slowdown factor
 *   --json <file>            also write every run
 *
 * The profiles are DevTools' own presets as DevTools sends them (front_end/core/sdk/
 * NetworkManager.ts): the target round trip is multiplied by an adjustment factor (×3.75 for
 * Slow 4G, ×5 for Slow 3G) because the protocol's `latency` is added once per request, and
 * throughputs are scaled down by 0.9 and 0.8. `typical-rtt` takes the typical numbers literally,
 * without those factors: the floor a real network with a warm connection would approach.
 */
import { existsSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

import pino from 'pino';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

import { startServer } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Profile {
  title: string;
  /** Added to each request, ms. */
  latency: number;
  /** Bytes per second. */
  download: number;
  upload: number;
}

const PROFILES: Record<string, Profile> = {
  typical: {
    title: 'typical — DevTools "Slow 4G": 150 ms RTT, 1.6 Mbps down, 750 kbps up',
    latency: 150 * 3.75,
    download: ((1.6 * 1000 * 1000) / 8) * 0.9,
    upload: ((750 * 1000) / 8) * 0.9,
  },
  'typical-rtt': {
    title: 'typical, literally — 150 ms added per request, 1.6 Mbps down, 750 kbps up',
    latency: 150,
    download: (1.6 * 1000 * 1000) / 8,
    upload: (750 * 1000) / 8,
  },
  slow: {
    title: 'slow — DevTools "Slow 3G": 400 ms RTT, 500 kbps down and up',
    latency: 400 * 5,
    download: ((500 * 1000) / 8) * 0.8,
    upload: ((500 * 1000) / 8) * 0.8,
  },
};

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    profiles: { type: 'string', default: 'typical,typical-rtt,slow' },
    cpu: { type: 'string', default: '4' },
    json: { type: 'string' },
  },
});
const RUNS = Number(flags.runs);
const CPU_RATE = Number(flags.cpu);
const profileNames = flags.profiles.split(',').map((name) => name.trim());
for (const name of profileNames) {
  if (!PROFILES[name]) throw new Error(`unknown profile ${name}; known: ${Object.keys(PROFILES)}`);
}

interface Run {
  profile: string;
  path: 'direct' | 'gzip';
  firstFrameMs: number;
  liveMs: number;
  inventoryMs: number;
  htmlDoneMs: number;
  scriptsDoneMs: number;
  httpBytes: number;
  /** Of those, what had arrived by the first frame. */
  firstFrameBytes: number;
  resources: { name: string; bytes: number; endMs: number }[];
}

// ---------------------------------------------------------------- a gzip proxy

const COMPRESSIBLE = /text\/html|javascript|text\/css|application\/json/;

/**
 * A reverse proxy that compresses what a deployment's proxy would compress (HTML, scripts,
 * styles, JSON) and passes WebSocket upgrades through untouched.
 */
async function startGzipProxy(target: URL): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer: IncomingMessage) => {
        const type = String(answer.headers['content-type'] ?? '');
        const accepts = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
        if (!accepts || !COMPRESSIBLE.test(type) || answer.headers['content-encoding']) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = gzipSync(Buffer.concat(chunks), { level: 6 });
          const headers = {
            ...answer.headers,
            'content-encoding': 'gzip',
            vary: 'accept-encoding',
          };
          delete headers['content-length'];
          res.writeHead(answer.statusCode ?? 502, { ...headers, 'content-length': body.length });
          res.end(body);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });

  server.on('upgrade', (req: IncomingMessage, socket: net.Socket, head: Buffer) => {
    const upstream = net.connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------- one run

async function measure(
  browser: Browser,
  url: string,
  profile: Profile,
): Promise<Omit<Run, 'profile' | 'path'>> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    screen: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'ru-RU',
    userAgent:
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) ' +
      'Chrome/156.0.0.0 Mobile Safari/537.36',
  });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: profile.latency,
      downloadThroughput: profile.download,
      uploadThroughput: profile.upload,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_RATE });

    await page.goto(url, { waitUntil: 'commit', timeout: 120_000 });
    await page.waitForFunction(
      () =>
        performance.getEntriesByName('rp-live').length > 0 &&
        performance.getEntriesByName('rp-inventory').length > 0,
      undefined,
      { timeout: 120_000, polling: 100 },
    );

    // No named functions inside: tsx would wrap them in a helper the page does not have.
    return await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      return {
        firstFrameMs: performance.getEntriesByName('rp-first-frame')[0]?.startTime ?? NaN,
        liveMs: performance.getEntriesByName('rp-live')[0]?.startTime ?? NaN,
        inventoryMs: performance.getEntriesByName('rp-inventory')[0]?.startTime ?? NaN,
        htmlDoneMs: nav.responseEnd,
        scriptsDoneMs: Math.max(
          0,
          ...resources.filter((r) => r.name.includes('/assets/')).map((r) => r.responseEnd),
        ),
        httpBytes: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
        firstFrameBytes:
          nav.transferSize +
          resources
            .filter(
              (r) => r.responseEnd <= performance.getEntriesByName('rp-first-frame')[0]!.startTime,
            )
            .reduce((sum, r) => sum + r.transferSize, 0),
        resources: [
          { name: 'page', bytes: nav.transferSize, endMs: nav.responseEnd },
          ...resources.map((r) => ({
            name: new URL(r.name).pathname,
            bytes: r.transferSize,
            endMs: r.responseEnd,
          })),
        ],
      };
    });
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------- report

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

const ms = (value: number) => `${Math.round(value)} ms`;
const kb = (value: number) => `${(value / 1024).toFixed(1)} KB`;

function report(runs: Run[]): string {
  const lines = [
    '| profile | path | first frame median | first frame p90 | live median | live p90 | whole inventory | HTML done | assets done | bytes by first frame | HTTP bytes |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const profile of profileNames) {
    for (const path of ['direct', 'gzip'] as const) {
      const group = runs.filter((r) => r.profile === profile && r.path === path);
      if (group.length === 0) continue;
      const pick = (
        key: 'firstFrameMs' | 'liveMs' | 'inventoryMs' | 'htmlDoneMs' | 'scriptsDoneMs',
      ) => group.map((r) => r[key]);
      lines.push(
        `| ${profile} | ${path} | ${ms(quantile(pick('firstFrameMs'), 0.5))} | ` +
          `${ms(quantile(pick('firstFrameMs'), 0.9))} | ${ms(quantile(pick('liveMs'), 0.5))} | ` +
          `${ms(quantile(pick('liveMs'), 0.9))} | ${ms(quantile(pick('inventoryMs'), 0.5))} | ` +
          `${ms(quantile(pick('htmlDoneMs'), 0.5))} | ` +
          `${ms(quantile(pick('scriptsDoneMs'), 0.5))} | ` +
          `${kb(
            quantile(
              group.map((r) => r.firstFrameBytes),
              0.5,
            ),
          )} | ` +
          `${kb(
            quantile(
              group.map((r) => r.httpBytes),
              0.5,
            ),
          )} |`,
      );
    }
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- main

const screensDir = join(process.cwd(), 'dist', 'screens');
if (!existsSync(join(screensDir, 'viewer', 'index.html'))) {
  throw new Error('The screens are not built: run `npm run build:screens` first.');
}

const server = await startServer({
  config: loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: ':memory:',
    SEED_DEMO: 'true',
    LOG_LEVEL: 'silent',
    MAX_DEVICES: '100',
  }),
  logger: pino({ level: 'silent' }),
  screensDir,
});
const proxy = await startGzipProxy(new URL(server.url));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });

try {
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'anna@demo.local', password: 'demo-password' }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const created = await fetch(`${server.url}/api/v1/presentations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({
      buyer: { name: 'Bench', contact: '+7 900 000-00-00' },
      state: {
        view: 'grid',
        buildingId: null,
        sectionId: null,
        floor: null,
        unitId: null,
        filters: {
          buildings: [],
          sections: [],
          rooms: [],
          euroOnly: false,
          priceMin: null,
          priceMax: null,
          areaMin: null,
          areaMax: null,
          floorMin: null,
          floorMax: null,
          notFirst: false,
          notLast: false,
          finishing: [],
          completion: [],
          statuses: [],
          offersOnly: false,
        },
        sort: { key: 'price', dir: 'asc' },
        galleryIndex: 0,
        highlighted: [],
        shortlist: [],
      },
    }),
  });
  if (created.status !== 201) throw new Error(`create failed: ${await created.text()}`);
  const { link } = (await created.json()) as { link: { url: string } };
  const path = new URL(link.url).pathname;

  console.log(`Chromium ${browser.version()}, CPU slowdown ×${CPU_RATE}, ${RUNS} runs each\n`);
  const runs: Run[] = [];
  for (const name of profileNames) {
    const profile = PROFILES[name]!;
    console.log(profile.title);
    for (const [kind, base] of [
      ['direct', server.url],
      ['gzip', proxy.url],
    ] as const) {
      for (let i = 0; i < RUNS; i += 1) {
        const run = {
          profile: name,
          path: kind,
          ...(await measure(browser, base + path, profile)),
        };
        runs.push(run);
        process.stdout.write(`  ${kind} #${i + 1}: first frame ${ms(run.firstFrameMs)}\n`);
      }
    }
  }

  console.log(`\n${report(runs)}\n`);
  const sample = runs.find((r) => r.path === 'direct');
  if (sample) {
    console.log('Transfers of one direct run:');
    for (const r of sample.resources)
      console.log(`  ${r.name}: ${kb(r.bytes)} (done at ${ms(r.endMs)})`);
  }
  if (flags.json) writeFileSync(flags.json, JSON.stringify(runs, null, 2));
} finally {
  await browser.close();
  await proxy.close();
  await server.close();
}
