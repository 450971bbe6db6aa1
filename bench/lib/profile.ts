/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and says where the busy time went: self time by
 * function and by package, and inclusive time by function (a function's own time plus all it
 * called), each as a share of the samples in which the process was not idle.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  where: string;
  selfPercent: number;
}

export interface ProfileSummary {
  /** Sampled time in which the process was busy (not idle), in ms. */
  busyMs: number;
  totalMs: number;
  byFunction: ProfileEntry[];
  byPackage: ProfileEntry[];
  inclusive: ProfileEntry[];
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 13);
  const src = url.search(/\/(src|dist)\//);
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}

function packageOf(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? '?');
  }
  if (url.startsWith('node:')) return 'node core';
  const src = url.search(/\/(src|dist)\//);
  if (src >= 0)
    return url
      .slice(src + 1)
      .split('/')
      .slice(0, 3)
      .join('/');
  return url;
}

const IDLE = new Set(['(idle)', '(program)']);

export function summariseProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);

  const key = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    return `${functionName || '(anonymous)'}\t${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`;
  };

  const self = new Map<string, number>();
  const packages = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const node = byId.get(id);
    if (!node || IDLE.has(node.callFrame.functionName)) return;
    busy += dt;
    const k = key(node);
    self.set(k, (self.get(k) ?? 0) + dt);
    const { url, functionName } = node.callFrame;
    const pkg = url ? packageOf(url) : functionName.startsWith('(') ? functionName : '(native)';
    packages.set(pkg, (packages.get(pkg) ?? 0) + dt);
    // Every distinct function on the stack gets the sample once, recursion or not.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at);
      if (!n || n.callFrame.functionName === '(root)') continue;
      const nk = key(n);
      if (seen.has(nk)) continue;
      seen.add(nk);
      inclusive.set(nk, (inclusive.get(nk) ?? 0) + dt);
    }
  });

  const pct = (us: number) => Math.round((us / Math.max(1, busy)) * 1000) / 10;
  const list = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => {
        const [name, where] = k.split('\t');
        return { name: name ?? k, where: where ?? '', selfPercent: pct(us) };
      });
  return {
    busyMs: Math.round(busy / 1000),
    totalMs: Math.round(total / 1000),
    byFunction: list(self),
    byPackage: list(packages),
    inclusive: list(inclusive),
  };
}
