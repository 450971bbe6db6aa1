/**
 * Starting the bench's processes: pinned to a core with `taskset` where it exists, with the
 * open-files limit raised to the hard limit with `prlimit` when the soft one is lower (15,000
 * sockets need 15,000 descriptors on each side).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';

import { fileLimits, hasCommand } from './proc.js';

const canPin = hasCommand('taskset');
const canRaise = hasCommand('prlimit');
const limits = fileLimits();

/** Every child the bench started, so that none outlives it when it is stopped. */
const children = new Set<ChildProcess>();
let cleanupInstalled = false;

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  const killAll = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

export interface Pinned {
  child: ChildProcess;
  /** Where it runs: "core 0", or "unpinned" when taskset is missing. */
  placement: string;
}

export function spawnPinned(
  core: number | null,
  command: string,
  args: string[],
  options: SpawnOptions,
): Pinned {
  const prefix: string[] = [];
  if (canRaise && limits.softNoFile < limits.hardNoFile && Number.isFinite(limits.hardNoFile)) {
    prefix.push('prlimit', `--nofile=${limits.hardNoFile}:${limits.hardNoFile}`);
  }
  if (core !== null && canPin) prefix.push('taskset', '-c', String(core));
  const argv = [...prefix, command, ...args];
  const child = spawn(argv[0] as string, argv.slice(1), options);
  installCleanup();
  children.add(child);
  child.once('exit', () => children.delete(child));
  return { child, placement: core !== null && canPin ? `core ${core}` : 'unpinned' };
}

/** Pins the calling process (the orchestrator sits with the load generators). */
export function pinSelf(core: number): void {
  if (!canPin) return;
  spawn('taskset', ['-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' });
}

export function fileLimitNote(): string {
  return `open files: soft ${limits.softNoFile}, hard ${limits.hardNoFile}${
    limits.softNoFile < limits.hardNoFile && canRaise ? ' (children raised to hard)' : ''
  }`;
}

export function maxConnectionsPerProcess(): number {
  return Math.min(limits.hardNoFile, canRaise ? limits.hardNoFile : limits.softNoFile) - 200;
}
