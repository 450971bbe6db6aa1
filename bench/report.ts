/**
 * Prints results as the Markdown tables docs/benchmarks.md uses, with the ratios against the
 * peers measured in the same file:
 *   node --import tsx bench/report.ts <results.json> …
 */
import { readFileSync } from 'node:fs';

import type { Row } from './lib/row.js';

interface Results {
  command: string;
  rows: Row[];
  ramps: {
    scenario: string;
    system: string;
    steps: Row[];
    lastGood: Row | null;
    breach: Row | null;
    stoppedBecause: string;
  }[];
  soaks: {
    system: string;
    durationSeconds: number;
    samples: Record<string, number>[];
    rssGrowthPercent: number;
    heapGrowthPercent: number;
  }[];
}

const ORDER = ['ours-ws', 'ours-sse', 'ours-poll', 'raw-ws', 'socketio', 'poll-2s'];
const n = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '–');
const big = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en') : '–');

function table(rows: Row[]): string {
  const head =
    '| system | p50 ms | p90 ms | p99 ms | max ms | lost / expected | deliveries/s | server CPU % | µs CPU / delivery | KiB / connection | loop delay p99 / max ms | bytes / change | frame B | load gen CPU % | limit |';
  const sep = `|${'---|'.repeat(15)}`;
  const lines = rows
    .sort((a, b) => ORDER.indexOf(a.system) - ORDER.indexOf(b.system))
    .map((r) => {
      const conns = r.presentersOpen + r.viewersOpen;
      const mem = conns >= 1000 ? n(r.server.bytesPerConnection / 1024, 1) : '(too few)';
      return `| ${r.system} | ${n(r.latencyMs.p50Ms, 2)} | ${n(r.latencyMs.p90Ms, 2)} | ${n(r.latencyMs.p99Ms, 1)} | ${n(r.latencyMs.maxMs, 0)} | ${big(r.lost)} / ${big(r.expectedDeliveries)} | ${big(r.deliveriesPerSecond)} | ${n(r.server.cpuPercent, 0)} | ${n(r.server.cpuUsPerDelivery, 0)} | ${mem} | ${n(r.server.loopLagP99Ms, 1)} / ${n(r.server.loopLagMaxMs, 0)} | ${big(r.wire.bytesPerChange)} | ${big(r.wire.patchFrameBytes)} | ${n(r.loadgen.cpuPercent, 0)} | ${r.limit} |`;
    });
  return [head, sep, ...lines].join('\n');
}

function ratios(rows: Row[]): string[] {
  const find = (s: string) => rows.find((r) => r.system === s);
  const ours = find('ours-ws');
  const out: string[] = [];
  if (!ours) return out;
  for (const peer of ['raw-ws', 'socketio']) {
    const p = find(peer);
    if (!p) continue;
    out.push(
      `ours-ws vs ${peer}: p50 ${n(ours.latencyMs.p50Ms / p.latencyMs.p50Ms, 2)}×, p99 ${n(ours.latencyMs.p99Ms / p.latencyMs.p99Ms, 2)}×, CPU/delivery ${n(ours.server.cpuUsPerDelivery / p.server.cpuUsPerDelivery, 2)}×, memory/connection ${n(ours.server.bytesPerConnection / p.server.bytesPerConnection, 2)}×, bytes/change ${n(ours.wire.bytesPerChange / p.wire.bytesPerChange, 2)}×`,
    );
  }
  return out;
}

for (const file of process.argv.slice(2)) {
  const results = JSON.parse(readFileSync(file, 'utf8')) as Results;
  console.log(`\n## ${file}\n\n\`${results.command}\`\n`);
  const byScenario = new Map<string, Row[]>();
  for (const row of results.rows) {
    const key = `${row.scenario} @ ${row.ratePerSecond}/s`;
    byScenario.set(key, [...(byScenario.get(key) ?? []), row]);
  }
  for (const [key, rows] of byScenario) {
    console.log(`### ${key}\n\n${table(rows)}\n`);
    for (const line of ratios(rows)) console.log(`- ${line}`);
    for (const r of rows) {
      for (const note of r.notes) console.log(`- ${r.system}: ${note}`);
      const noise = r.noise;
      console.log(
        `- ${r.system}: noise ${noise.serverCoreOtherPercent} % of the server core (softirq ${noise.serverCoreSoftirqPercent} %), attempts ${noise.attempts}; errors ${JSON.stringify(r.errors)}`,
      );
    }
    console.log('');
  }
  for (const ramp of results.ramps ?? []) {
    console.log(`### ramp: ${ramp.system} — stopped: ${ramp.stoppedBecause}\n`);
    console.log(table(ramp.steps.map((s) => ({ ...s, system: s.scenario as Row['system'] }))));
    const good = ramp.lastGood;
    const bad = ramp.breach;
    console.log(
      `\n- last step within limits: ${good ? `${good.scenario}, ${big(good.deliveriesPerSecond)} deliveries/s (${big(good.changes / good.windowSeconds)} changes/s), server CPU ${n(good.server.cpuPercent, 0)} %, load gen ${n(good.loadgen.cpuPercent, 0)} %` : 'none'}`,
    );
    console.log(
      `- first step past them: ${bad ? `${bad.scenario}, p99 ${n(bad.latencyMs.p99Ms, 0)} ms, lost ${bad.lost}, server CPU ${n(bad.server.cpuPercent, 0)} %, load gen ${n(bad.loadgen.cpuPercent, 0)} % (${bad.limit})` : 'none'}\n`,
    );
  }
  for (const soak of results.soaks ?? []) {
    console.log(
      `### soak: ${soak.system}, ${soak.durationSeconds} s — RSS growth ${soak.rssGrowthPercent} %, heap growth ${soak.heapGrowthPercent} %\n`,
    );
    console.log(
      '| at s | RSS MiB | heap MiB | loop p99 ms | loop max ms | p50 ms | p99 ms | lost | CPU % | noise % |',
    );
    console.log(`|${'---|'.repeat(10)}`);
    for (const s of soak.samples) {
      console.log(
        `| ${s.atSeconds} | ${n(s.rssMiB ?? NaN, 0)} | ${n(s.heapUsedMiB ?? NaN, 0)} | ${n(s.loopLagP99Ms ?? NaN, 1)} | ${n(s.loopLagMaxMs ?? NaN, 0)} | ${n(s.latencyP50Ms ?? NaN, 2)} | ${n(s.latencyP99Ms ?? NaN, 1)} | ${s.lost} | ${n(s.serverCpuPercent ?? NaN, 0)} | ${n(s.serverCoreOtherPercent ?? NaN, 0)} |`,
      );
    }
    console.log('');
  }
}
