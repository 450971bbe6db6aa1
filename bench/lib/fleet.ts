/**
 * The load generators: worker processes pinned to the load core, each holding whole
 * presentations, driven over IPC. Replies are matched by kind, and every wait has a deadline.
 */
import type { ChildProcess } from 'node:child_process';

import type {
  FromWorker,
  JoinCommand,
  RoomAssignment,
  SystemName,
  ToWorker,
  WorkerWindowStats,
} from './ipc.js';
import { spawnPinned } from './spawn.js';

interface Worker {
  child: ChildProcess;
  pid: number;
  inbox: FromWorker[];
  waiters: ((message: FromWorker) => boolean)[];
}

export class Fleet {
  readonly #workers: Worker[] = [];
  readonly placement: string;
  #fatal: string | null = null;

  private constructor(placement: string) {
    this.placement = placement;
  }

  static async start(n: number, core: number | null): Promise<Fleet> {
    let placement = 'unpinned';
    const fleet = new Fleet('');
    for (let i = 0; i < n; i++) {
      const proc = spawnPinned(
        core,
        process.execPath,
        [
          // BENCH_PROFILE_WORKERS=<dir> profiles the load generators too (`node --cpu-prof`).
          ...(process.env.BENCH_PROFILE_WORKERS
            ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE_WORKERS]
            : []),
          '--import',
          'tsx',
          'bench/loadgen/worker.ts',
        ],
        { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
      );
      placement = proc.placement;
      const worker: Worker = {
        child: proc.child,
        pid: proc.child.pid ?? 0,
        inbox: [],
        waiters: [],
      };
      proc.child.on('message', (message: FromWorker) => {
        if (message.ev === 'fatal') fleet.#fatal = message.message;
        const i = worker.waiters.findIndex((w) => w(message));
        if (i >= 0) worker.waiters.splice(i, 1);
        else worker.inbox.push(message);
      });
      proc.child.on('exit', (code) => {
        if (code !== 0 && code !== null) fleet.#fatal ??= `a load generator exited with ${code}`;
      });
      fleet.#workers.push(worker);
    }
    Object.assign(fleet, { placement });
    await Promise.all(fleet.#workers.map((w) => fleet.#expect(w, 'ready', 60_000)));
    return fleet;
  }

  get pids(): number[] {
    return this.#workers.map((w) => w.pid);
  }

  get size(): number {
    return this.#workers.length;
  }

  #expect<E extends FromWorker['ev']>(
    worker: Worker,
    ev: E,
    timeoutMs: number,
  ): Promise<Extract<FromWorker, { ev: E }>> {
    return new Promise((resolve, reject) => {
      const i = worker.inbox.findIndex((m) => m.ev === ev);
      if (i >= 0) {
        resolve(worker.inbox.splice(i, 1)[0] as Extract<FromWorker, { ev: E }>);
        return;
      }
      const timer = setTimeout(() => {
        reject(new Error(this.#fatal ?? `load generator: no "${ev}" within ${timeoutMs} ms`));
      }, timeoutMs);
      worker.waiters.push((message) => {
        if (message.ev === 'fatal') {
          clearTimeout(timer);
          reject(new Error(message.message));
          return true;
        }
        if (message.ev !== ev) return false;
        clearTimeout(timer);
        resolve(message as Extract<FromWorker, { ev: E }>);
        return true;
      });
    });
  }

  #broadcast(message: ToWorker): void {
    for (const worker of this.#workers) worker.child.send(message);
  }

  /** Spreads rooms over the workers round-robin; resolves when every room joined or failed. */
  async join(
    system: SystemName,
    baseUrl: string,
    cookie: string,
    rooms: RoomAssignment[],
    viewersPerRoom: number,
    timeoutMs: number,
    postIdleMs: number,
  ): Promise<{ ok: number; failed: number; errors: string[]; ms: number }> {
    const shares: RoomAssignment[][] = this.#workers.map(() => []);
    rooms.forEach((room, i) => shares[i % shares.length]?.push(room));
    const replies = await Promise.all(
      this.#workers.map((worker, i) => {
        const command: JoinCommand = {
          cmd: 'join',
          system,
          baseUrl,
          cookie,
          rooms: shares[i] ?? [],
          viewersPerRoom,
          concurrency: 64,
          timeoutMs: 30_000,
          postIdleMs,
        };
        worker.child.send(command);
        return this.#expect(worker, 'joined', timeoutMs);
      }),
    );
    return {
      ok: replies.reduce((n, r) => n + r.ok, 0),
      failed: replies.reduce((n, r) => n + r.failed, 0),
      errors: replies.flatMap((r) => r.errors).slice(0, 5),
      ms: Math.max(...replies.map((r) => r.ms)),
    };
  }

  rate(perSecond: number): void {
    this.#broadcast({ cmd: 'rate', perSecond });
  }

  windowStart(window: number): void {
    this.#broadcast({ cmd: 'window-start', window });
  }

  windowEnd(window: number): void {
    this.#broadcast({ cmd: 'window-end', window });
  }

  async collect(window: number, drainMs: number): Promise<WorkerWindowStats[]> {
    this.#broadcast({ cmd: 'collect', window, drainMs });
    const replies = await Promise.all(
      this.#workers.map(async (worker) => {
        for (;;) {
          const reply = await this.#expect(worker, 'window', drainMs + 60_000);
          if (reply.stats.window === window) return reply.stats;
        }
      }),
    );
    return replies;
  }

  async stop(): Promise<void> {
    this.#broadcast({ cmd: 'stop' });
    await Promise.all(
      this.#workers.map(async (worker) => {
        const exited = new Promise<void>((resolve) => {
          if (worker.child.exitCode !== null) resolve();
          else worker.child.once('exit', () => resolve());
        });
        const timer = setTimeout(() => worker.child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
