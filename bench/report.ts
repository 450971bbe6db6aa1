/**
 * Prints results as the Markdown tables docs/benchmarks.md uses, with the ratios against the
 * peers measured in the same file, and for the multi-node scenario the latency each arrangement
 * adds to the single node of the same run:
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

/** The multi-node scenario's rows (`--scenario nodes`), against its `one node` row. */
function nodesTable(rows: Row[]): string[] {
  const base = rows.find((r) => r.nodes?.variant === 'one node');
  const head =
    '| row | nodes | Redis | presentations | p50 ms | p90 ms | p99 ms | max ms | added p50 ms | added p99 ms | send→ordered p50 / p99 ms | ordered→applied p50 / p99 ms | lost / expected | deliveries/s | server CPU % (per node) | Redis + PostgreSQL CPU % | loop delay p99 ms (worst node) | load gen CPU % | noise % | limit |';
  const sep = `|${'---|'.repeat(20)}`;
  const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(2)}` : '–');
  const lines = rows.map((r) => {
    const x = r.nodes;
    const isBase = r === base;
    const addP50 = base && !isBase ? r.latencyMs.p50Ms - base.latencyMs.p50Ms : NaN;
    const addP99 = base && !isBase ? r.latencyMs.p99Ms - base.latencyMs.p99Ms : NaN;
    const split = r.latencySplit;
    const up = split ? `${n(split.upstream.p50Ms, 2)} / ${n(split.upstream.p99Ms, 1)}` : '–';
    const down = split ? `${n(split.downstream.p50Ms, 2)} / ${n(split.downstream.p99Ms, 1)}` : '–';
    const perNode =
      x && x.count > 1 ? ` (${x.perNodeCpuPercent.map((v) => n(v, 0)).join(' + ')})` : '';
    return `| ${x?.variant ?? r.scenario} | ${x?.count ?? '?'} | ${x?.redis ? 'yes' : 'no'} | ${big(r.presentations)} | ${n(r.latencyMs.p50Ms, 2)} | ${n(r.latencyMs.p90Ms, 2)} | ${n(r.latencyMs.p99Ms, 1)} | ${n(r.latencyMs.maxMs, 0)} | ${isBase ? '(base)' : signed(addP50)} | ${isBase ? '(base)' : signed(addP99)} | ${up} | ${down} | ${big(r.lost)} / ${big(r.expectedDeliveries)} | ${big(r.deliveriesPerSecond)} | ${n(r.server.cpuPercent, 0)}${perNode} | ${n(x?.servicesCpuPercent ?? NaN, 0)} | ${n(r.server.loopLagP99Ms, 1)} | ${n(r.loadgen.cpuPercent, 0)} | ${n(r.noise.serverCoreOtherPercent, 0)} | ${r.limit} |`;
  });
  const out = [head, sep, ...lines, ''];
  const find = (variant: string) => rows.find((r) => r.nodes?.variant === variant);
  const goal = (variant: string, what: string) => {
    const r = find(variant);
    if (!base || !r) return;
    const p50 = r.latencyMs.p50Ms - base.latencyMs.p50Ms;
    const p99 = r.latencyMs.p99Ms - base.latencyMs.p99Ms;
    out.push(
      `- ${what}: ${signed(p50)} ms at p50, ${signed(p99)} ms at p99 (${n(base.latencyMs.p50Ms, 2)} → ${n(r.latencyMs.p50Ms, 2)} ms, ${n(base.latencyMs.p99Ms, 1)} → ${n(r.latencyMs.p99Ms, 1)} ms); goal ≤ 1 ms at p50: ${p50 <= 1 ? 'met' : 'not met'}`,
    );
  };
  goal('one node + Redis', 'the Redis hop (one node + Redis against one node)');
  goal('cross-node', 'the cross-node hop (cross-node against one node)');
  goal('three nodes', 'three nodes with 3 × the presentations, against one node');
  const again = find('one node again');
  if (base && again) {
    out.push(
      `- the same single node measured again at the end: ${signed(again.latencyMs.p50Ms - base.latencyMs.p50Ms)} ms at p50, ${signed(again.latencyMs.p99Ms - base.latencyMs.p99Ms)} ms at p99: the spread between two windows of the same thing`,
    );
  }
  out.push(
    '- added = the row’s percentile minus the single node’s (a difference of percentiles, not the percentile of a difference); send→ordered and ordered→applied split each change at the ordering node’s clock',
  );
  return out;
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
  const nodeRows = results.rows.filter((r) => r.nodes);
  for (const row of results.rows.filter((r) => !r.nodes)) {
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
  if (nodeRows.length > 0) {
    const first = nodeRows[0] as Row;
    console.log(
      `### several nodes @ ${first.ratePerSecond}/s, ${first.viewersPerPresentation} viewers per presentation\n`,
    );
    for (const line of nodesTable(nodeRows)) console.log(line);
    for (const r of nodeRows) {
      const noise = r.noise;
      const who = r.nodes?.variant ?? r.scenario;
      for (const note of r.notes) console.log(`- ${who}: ${note}`);
      console.log(
        `- ${who}: connections per node ${r.nodes?.perNodeConnections.join(' / ') ?? '–'}; noise ${noise.serverCoreOtherPercent} % of the server core (softirq ${noise.serverCoreSoftirqPercent} %), attempts ${noise.attempts}; errors ${JSON.stringify(r.errors)}`,
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
