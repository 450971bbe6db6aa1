/**
 * Draws the results as SVG bar charts for docs/benchmarks.md:
 *   docs/images/bench-latency.svg  p50 and p99 latency per system, per scenario (log scale)
 *   docs/images/bench-cpu.svg      server CPU per delivered message, per system, per scenario
 *
 *   node --import tsx bench/chart.ts [results.json …]     (default: bench/results/latest.json)
 *
 * Given several files, a later file's row replaces an earlier one for the same scenario,
 * system and rate.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

import type { Row } from './lib/row.js';

const files = process.argv.slice(2);
if (files.length === 0) files.push('bench/results/latest.json');

const rows = new Map<string, Row>();
for (const file of files) {
  const results = JSON.parse(readFileSync(file, 'utf8')) as { rows: Row[] };
  for (const row of results.rows) {
    rows.set(`${row.scenario}|${row.ratePerSecond}|${row.system}`, row);
  }
}

const SYSTEM_ORDER = ['ours-ws', 'ours-sse', 'ours-poll', 'raw-ws', 'socketio', 'poll-2s'];
const COLORS: Record<string, [string, string]> = {
  'ours-ws': ['#9ecae1', '#2171b5'],
  'ours-sse': ['#a1d99b', '#238b45'],
  'ours-poll': ['#c7e9c0', '#41ab5d'],
  'raw-ws': ['#d9d9d9', '#636363'],
  socketio: ['#fdd0a2', '#e6550d'],
  'poll-2s': ['#dadaeb', '#756bb1'],
};

interface Group {
  title: string;
  bars: { label: string; system: string; values: number[]; note: string }[];
}

function groups(metric: (row: Row) => number[]): Group[] {
  const byScenario = new Map<string, Row[]>();
  for (const row of rows.values()) {
    const key = `${row.scenario}|${row.ratePerSecond}`;
    byScenario.set(key, [...(byScenario.get(key) ?? []), row]);
  }
  return [...byScenario.values()]
    .sort((a, b) => (a[0]?.presentations ?? 0) - (b[0]?.presentations ?? 0))
    .map((list) => {
      const first = list[0] as Row;
      return {
        title: `${first.presentations.toLocaleString('en')} presentations × (1 + ${first.viewersPerPresentation}), ${first.ratePerSecond} change/s each — scenario "${first.scenario}"`,
        bars: list
          .sort((a, b) => SYSTEM_ORDER.indexOf(a.system) - SYSTEM_ORDER.indexOf(b.system))
          .map((row) => ({
            label: row.system,
            system: row.system,
            values: metric(row),
            note:
              row.limit === 'load generator'
                ? ' (load generator limited)'
                : row.lost > 0
                  ? ` (lost ${row.lost})`
                  : '',
          })),
      };
    });
}

const sources = files.map((f) => basename(f)).join(', ');

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) =>
  !Number.isFinite(v) ? '–' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);

function render(options: {
  title: string;
  subtitle: string;
  groups: Group[];
  seriesNames: string[];
  unit: string;
  log: boolean;
}): string {
  const width = 960;
  const left = 110;
  const right = 150;
  const barH = 11;
  const plotW = width - left - right;
  const all = options.groups.flatMap((g) => g.bars.flatMap((b) => b.values)).filter((v) => v > 0);
  const max = Math.max(...all, 1);
  const min = options.log ? Math.min(...all, 1) : 0;
  const lo = options.log ? Math.pow(10, Math.floor(Math.log10(min))) : 0;
  const hi = options.log ? Math.pow(10, Math.ceil(Math.log10(max))) : max * 1.1;
  const x = (v: number) =>
    options.log
      ? left +
        ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotW
      : left + (v / hi) * plotW;

  const out: string[] = [];
  let y = 58;
  for (const group of options.groups) {
    out.push(`<text x="${left}" y="${y}" class="g">${escape(group.title)}</text>`);
    y += 8;
    for (const bar of group.bars) {
      const [light, dark] = COLORS[bar.system] ?? ['#ccc', '#333'];
      const rowTop = y;
      out.push(
        `<text x="${left - 8}" y="${rowTop + (barH * bar.values.length) / 2 + 4}" class="l">${escape(bar.label)}</text>`,
      );
      bar.values.forEach((v, i) => {
        const w = Math.max(1, x(v) - left);
        out.push(
          `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH - 2}" fill="${i === 0 && bar.values.length > 1 ? light : dark}"/>`,
          `<text x="${(left + w + 4).toFixed(1)}" y="${y + barH - 3}" class="v">${options.seriesNames[i] ?? ''} ${fmt(v)} ${options.unit}${i === bar.values.length - 1 ? escape(bar.note) : ''}</text>`,
        );
        y += barH;
      });
      y += 5;
    }
    y += 18;
  }
  const height = y + 20;
  const ticks: string[] = [];
  const tickValues: number[] = [];
  if (options.log) for (let t = lo; t <= hi * 1.0001; t *= 10) tickValues.push(t);
  else for (let i = 0; i <= 5; i++) tickValues.push((hi / 5) * i);
  for (const t of tickValues) {
    ticks.push(
      `<line x1="${x(t).toFixed(1)}" y1="44" x2="${x(t).toFixed(1)}" y2="${height - 24}" class="grid"/>`,
      `<text x="${x(t).toFixed(1)}" y="${height - 10}" class="t">${fmt(t)}</text>`,
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">`,
    '<style>.h{font-size:15px;font-weight:600}.s{font-size:11px;fill:#555}.g{font-size:12px;font-weight:600;fill:#222}.l{font-size:11px;text-anchor:end;fill:#222}.v{font-size:10px;fill:#333}.t{font-size:10px;text-anchor:middle;fill:#666}.grid{stroke:#e5e5e5;stroke-width:1}</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="12" y="20" class="h">${escape(options.title)}</text>`,
    `<text x="12" y="36" class="s">${escape(options.subtitle)}</text>`,
    ...ticks,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}

mkdirSync('docs/images', { recursive: true });
writeFileSync(
  'docs/images/bench-latency.svg',
  render({
    title: 'Latency from the presenter’s send to the viewer’s apply',
    subtitle: `p50 (light) and p99 (dark), milliseconds, log scale; loopback, server pinned to one core. Data: ${sources}`,
    groups: groups((row) => [row.latencyMs.p50Ms, row.latencyMs.p99Ms]),
    seriesNames: ['p50', 'p99'],
    unit: 'ms',
    log: true,
  }),
);
writeFileSync(
  'docs/images/bench-cpu.svg',
  render({
    title: 'Server CPU per delivered message',
    subtitle: `microseconds of server CPU (user + system) per change delivered to one viewer. Data: ${sources}`,
    groups: groups((row) => [row.server.cpuUsPerDelivery]),
    seriesNames: [''],
    unit: 'µs',
    log: false,
  }),
);
console.log('wrote docs/images/bench-latency.svg and docs/images/bench-cpu.svg');
