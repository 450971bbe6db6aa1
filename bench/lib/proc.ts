/**
 * What the kernel knows about a process and the machine, read from /proc: CPU time, resident
 * memory, bytes through read/write calls, per-core busy time. Linux only, like the bench.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

let clockTicks: number | null = null;

/** Kernel clock ticks per second (USER_HZ), the unit of utime and stime. */
export function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User plus system CPU time of a process, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / ticksPerSecond();
}

export interface MemoryReading {
  rssBytes: number;
  peakRssBytes: number;
}

export function memory(pid: number): MemoryReading {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssBytes: kb('VmRSS') * 1024, peakRssBytes: kb('VmHWM') * 1024 };
}

/** Bytes passed through read() and write() (sockets included), from /proc/<pid>/io. */
export function ioBytes(pid: number | 'self'): { readBytes: number; writeBytes: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(io)?.[1] ?? 0);
  return { readBytes: field('rchar'), writeBytes: field('wchar') };
}

export interface CoreTimes {
  /** Everything but idle and iowait, softirq included. */
  busy: number;
  /** Softirq alone: on loopback, mostly the kernel's TCP work for the bench's own traffic. */
  softirq: number;
}

/** Busy and softirq seconds per core since boot, from /proc/stat. */
export function coreTimes(): CoreTimes[] {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  const out: CoreTimes[] = [];
  for (const line of lines) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const v = (match[2] ?? '').split(/\s+/).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    out[Number(match[1])] = {
      busy: (total - idle) / ticksPerSecond(),
      softirq: (v[6] ?? 0) / ticksPerSecond(),
    };
  }
  return out;
}

export function loadAverage(): number[] {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

export interface Limits {
  softNoFile: number;
  hardNoFile: number;
}

export function fileLimits(): Limits {
  const out = execFileSync('sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' }).split(
    '\n',
  );
  const parse = (v: string | undefined) => (v === 'unlimited' ? Infinity : Number(v));
  return { softNoFile: parse(out[0]), hardNoFile: parse(out[1]) };
}

export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  packages: Record<string, string>;
  fileLimit: Limits;
  taskset: boolean;
  loadAverageAtStart: number[];
}

export function machineInfo(): MachineInfo {
  // Read from the file, not through `require`: packages whose `exports` omit package.json
  // (Kysely's) refuse to hand it out.
  const version = (name: string) => {
    try {
      const file = join(
        fileURLToPath(new URL('../../node_modules', import.meta.url)),
        name,
        'package.json',
      );
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      return 'missing';
    }
  };
  const packages: Record<string, string> = {};
  for (const name of [
    'ws',
    'socket.io',
    'socket.io-client',
    'fastify',
    'prom-client',
    'better-sqlite3',
    'kysely',
    'zod',
    'tsx',
  ]) {
    packages[name] = version(name);
  }
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
    node: process.version,
    packages,
    fileLimit: fileLimits(),
    taskset: hasCommand('taskset'),
    loadAverageAtStart: loadAverage(),
  };
}
