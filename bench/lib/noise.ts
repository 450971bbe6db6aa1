/**
 * The machine is shared: other people's builds and browsers run on both cores in bursts. Before
 * a window opens, the bench waits (boundedly) for a quiet second, and after it, it says how much
 * of each core went to work that was not the bench's, so a noisy window can be measured again.
 */
import { coreTimes, cpuSeconds } from './proc.js';

export interface Placement {
  serverCore: number | null;
  loadCore: number | null;
  serverPid: number;
  loadPids: number[];
  /** The multi-node scenario: the other nodes, on the server's core too; counted as the server. */
  extraServerPids?: number[];
  /**
   * The multi-node scenario: Redis and this run's PostgreSQL backends, the machine's own
   * services (not pinned). Part of the system under test, so not counted as noise.
   */
  servicePids?: number[];
}

export interface CoreSnapshot {
  at: number;
  cores: ReturnType<typeof coreTimes>;
  /** CPU seconds of the server process(es). */
  server: number;
  load: number;
  /** CPU seconds of each service process that could be read. */
  services: Map<number, number>;
}

function cpuOrNull(pid: number): number | null {
  try {
    return cpuSeconds(pid);
  } catch {
    return null; // exited
  }
}

/** CPU seconds the service processes used between two snapshots (those present in both). */
export function serviceSeconds(a: CoreSnapshot, b: CoreSnapshot): number {
  let total = 0;
  for (const [pid, v] of b.services) {
    const before = a.services.get(pid);
    if (before !== undefined) total += Math.max(0, v - before);
  }
  return total;
}

export function snapshot(p: Placement): CoreSnapshot {
  const self = process.cpuUsage();
  let load = (self.user + self.system) / 1e6;
  for (const pid of p.loadPids) {
    try {
      load += cpuSeconds(pid);
    } catch {
      // a worker that just exited
    }
  }
  let server = cpuSeconds(p.serverPid);
  for (const pid of p.extraServerPids ?? []) server += cpuOrNull(pid) ?? 0;
  const services = new Map<number, number>();
  for (const pid of p.servicePids ?? []) {
    const v = cpuOrNull(pid);
    if (v !== null) services.set(pid, v);
  }
  return { at: performance.now(), cores: coreTimes(), server, load, services };
}

export interface Noise {
  /** Share of the server's core used by anything but the server and softirq, in per cent. */
  serverCoreOther: number;
  serverCoreSoftirq: number;
  /** Share of the load core used by anything but the load generators, the orchestrator and softirq. */
  loadCoreOther: number;
  loadCoreSoftirq: number;
}

export function noiseBetween(p: Placement, a: CoreSnapshot, b: CoreSnapshot): Noise {
  const seconds = (b.at - a.at) / 1000;
  const pct = (v: number) => Math.round((Math.max(0, v) / seconds) * 1000) / 10;
  const core = (c: number | null, s: CoreSnapshot) =>
    c === null ? { busy: 0, softirq: 0 } : (s.cores[c] ?? { busy: 0, softirq: 0 });
  const s0 = core(p.serverCore, a);
  const s1 = core(p.serverCore, b);
  const l0 = core(p.loadCore, a);
  const l1 = core(p.loadCore, b);
  return {
    // Services are not pinned: all their time is taken off the server's core, where most of
    // it runs (an estimate; none of them exist outside the multi-node scenario).
    serverCoreOther: pct(
      s1.busy - s0.busy - (s1.softirq - s0.softirq) - (b.server - a.server) - serviceSeconds(a, b),
    ),
    serverCoreSoftirq: pct(s1.softirq - s0.softirq),
    loadCoreOther: pct(l1.busy - l0.busy - (l1.softirq - l0.softirq) - (b.load - a.load)),
    loadCoreSoftirq: pct(l1.softirq - l0.softirq),
  };
}

/** Waits until one second passes with little foreign work on either core, or `maxS` runs out. */
export async function waitForQuiet(
  p: Placement,
  thresholdPercent: number,
  maxS: number,
): Promise<{ waitedS: number; noise: Noise }> {
  const began = performance.now();
  let noise: Noise = {
    serverCoreOther: 0,
    serverCoreSoftirq: 0,
    loadCoreOther: 0,
    loadCoreSoftirq: 0,
  };
  if (p.serverCore === null) return { waitedS: 0, noise };
  for (let i = 0; i < maxS; i++) {
    const a = snapshot(p);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    noise = noiseBetween(p, a, snapshot(p));
    if (noise.serverCoreOther < thresholdPercent && noise.loadCoreOther < thresholdPercent * 2)
      break;
  }
  return { waitedS: Math.round((performance.now() - began) / 100) / 10, noise };
}
