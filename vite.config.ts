/**
 * Builds the two screens: the agent's console and the buyer's viewer, each an HTML page served
 * by the server (`/` and `/p/<token>`), with hashed assets under `/assets/`.
 *
 * Each page is built on its own (two environments, one after the other, into one directory),
 * so each bundle is tree-shaken for its own page: a chunk shared by both pages would carry every
 * export either of them uses, and the buyer's phone would download the console's filter panel,
 * agent-only helpers and the like for nothing. The console does not share the viewer's cache
 * either way: an agent's desktop and a buyer's phone are different browsers.
 *
 * Both pages run under a strict CSP (`script-src 'self'`, `style-src 'self'`), so nothing may be
 * inlined: no asset becomes a data: URL and no preload polyfill is injected.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { defineConfig } from 'vite';
import type { Plugin, Rolldown } from 'vite';

const root = fileURLToPath(new URL('./src/screens', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/screens', import.meta.url));

/** The viewer's budget: it opens over a phone's mobile connection. */
const VIEWER_BUDGET_BYTES = 50 * 1024;

type Output = Rolldown.OutputChunk | Rolldown.OutputAsset;

/** Every chunk a page loads before it can run: its entry and the entry's static imports. */
function chunksOfEntry(bundle: Record<string, Output>, entryHtml: string) {
  const entry = Object.values(bundle).find(
    (item): item is Rolldown.OutputChunk =>
      item.type === 'chunk' && item.isEntry && (item.facadeModuleId ?? '').endsWith(entryHtml),
  );
  if (!entry) return [];

  const seen = new Map<string, Rolldown.OutputChunk>();
  const visit = (chunk: Rolldown.OutputChunk) => {
    if (seen.has(chunk.fileName)) return;
    seen.set(chunk.fileName, chunk);
    for (const name of chunk.imports) {
      const imported = bundle[name];
      if (imported?.type === 'chunk') visit(imported);
    }
  };
  visit(entry);
  return [...seen.values()];
}

/**
 * Prints each page's gzipped JavaScript once the build is written, and fails the build when the
 * viewer outgrows its budget.
 */
function reportPageSize(): Plugin {
  const lines: string[] = [];
  let overBudget: string | null = null;

  return {
    name: 'rp-report-page-size',
    apply: 'build',
    generateBundle(_options, bundle) {
      lines.length = 0;
      for (const page of ['viewer/index.html', 'console/index.html']) {
        const chunks = chunksOfEntry(bundle as Record<string, Output>, page);
        if (chunks.length === 0) continue; // the other page's build
        const gzipped = chunks.reduce((sum, chunk) => sum + gzipSync(chunk.code).length, 0);
        const kb = (gzipped / 1024).toFixed(1);
        lines.push(`${page}: ${kb} KB of JavaScript gzipped (${chunks.length} chunks)`);

        if (page.startsWith('viewer/') && gzipped > VIEWER_BUDGET_BYTES) {
          overBudget = `the viewer's JavaScript is ${kb} KB gzipped, over its 50 KB budget`;
        }
      }
    },
    closeBundle() {
      for (const line of lines) this.info(line);
      lines.length = 0;
      if (overBudget) this.error(overBudget);
    },
  };
}

const PAGES = {
  viewer: fileURLToPath(new URL('./src/screens/viewer/index.html', import.meta.url)),
  console: fileURLToPath(new URL('./src/screens/console/index.html', import.meta.url)),
};

/** One page's build: its entry only, into the common output directory. */
function pageEnvironment(page: keyof typeof PAGES) {
  return {
    consumer: 'client' as const,
    build: {
      outDir,
      // Both builds write here; the directory is emptied once, before the first (buildApp).
      emptyOutDir: false,
      rolldownOptions: {
        input: { [page]: PAGES[page] },
        // Code split off the entry is named for the page that loads it.
        output: { chunkFileNames: `assets/${page}-[name]-[hash].js` },
      },
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  // JSX is stated here as well as in tsconfig.json, so the build never depends on which
  // tsconfig the transformer happens to find from the `root` above.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [reportPageSize()],
  build: {
    outDir,
    assetsDir: 'assets',
    target: 'es2020',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  environments: {
    viewer: pageEnvironment('viewer'),
    console: pageEnvironment('console'),
  },
  builder: {
    async buildApp(builder) {
      rmSync(outDir, { recursive: true, force: true });
      for (const name of ['viewer', 'console'] as const) {
        const environment = builder.environments[name];
        if (!environment) throw new Error(`no ${name} build environment`);
        await builder.build(environment);
      }
    },
  },
});
