/**
 * What the multi-node scenario needs beside the nodes: a PostgreSQL database of its own for
 * each measurement (created through the `test` database's server, dropped afterwards, as
 * test/support/cluster.ts does for the cluster tests), a Redis database index of its own on
 * the machine's Redis (flushed between measurements and at the end), and the process ids of
 * both services, so that their CPU time counts as the system's and not as noise.
 */
import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';
import pg from 'pg';

export const PG_ADMIN_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_BASE_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Refuses anything but the loopback address: the bench sends traffic to 127.0.0.1 only. */
function loopbackOnly(url: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost') {
    throw new Error(`the bench talks to 127.0.0.1 only, not to ${host} (${url})`);
  }
}

async function withClient<T>(url: string, f: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 10_000,
    statement_timeout: 30_000,
  });
  await client.connect();
  try {
    return await f(client);
  } finally {
    await client.end();
  }
}

export interface BenchDatabase {
  name: string;
  url: string;
  /** Process ids of the PostgreSQL backends serving this database right now. */
  backendPids(): Promise<number[]>;
  drop(): Promise<void>;
}

export async function createBenchDatabase(label: string): Promise<BenchDatabase> {
  loopbackOnly(PG_ADMIN_URL);
  const safe = label.replace(/[^a-z0-9_]/g, '_').slice(0, 20);
  const name = `rp_bench_${process.pid}_${safe}_${randomBytes(3).toString('hex')}`;
  await withClient(PG_ADMIN_URL, (c) => c.query(`create database "${name}"`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    backendPids: () =>
      withClient(PG_ADMIN_URL, async (c) => {
        const res = await c.query<{ pid: number }>(
          'select pid from pg_stat_activity where datname = $1',
          [name],
        );
        return res.rows.map((r) => Number(r.pid));
      }),
    // FORCE: a node stopped with SIGKILL may leave a session the server has not noticed yet.
    drop: async () => {
      await withClient(PG_ADMIN_URL, (c) =>
        c.query(`drop database if exists "${name}" with (force)`),
      );
    },
  };
}

const MARKER = 'rp-bench:nodes:owner';

/**
 * One Redis database index for the bench's nodes (`redis://127.0.0.1:6379/<index>`). The bus
 * has no key prefix a node can be given from its environment, so the index keeps the keys
 * apart. It must be empty or hold the bench's marker (left by an earlier run); it is flushed
 * before each measurement and at the end. Pub/sub channels are not per index in Redis; theirs
 * carry presentation ids, which are fresh in every run.
 */
export class BenchRedis {
  readonly url: string;
  readonly #client: Redis;

  private constructor(
    readonly index: number,
    client: Redis,
  ) {
    this.url = `${REDIS_BASE_URL.replace(/\/\d*$/, '')}/${index}`;
    this.#client = client;
  }

  static async open(index: number): Promise<BenchRedis> {
    loopbackOnly(REDIS_BASE_URL);
    if (!Number.isInteger(index) || index < 1 || index > 15) {
      throw new Error(`--redis-db must be 1…15 (0 is the default database), not ${index}`);
    }
    const client = new Redis(`${REDIS_BASE_URL.replace(/\/\d*$/, '')}/${index}`, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 5000,
      commandTimeout: 10_000,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const size = await client.dbsize();
      if (size > 0 && (await client.exists(MARKER)) === 0) {
        throw new Error(
          `Redis database ${index} holds ${size} keys that are not the bench's; pick another with --redis-db`,
        );
      }
    } catch (err) {
      client.disconnect();
      throw err;
    }
    const redis = new BenchRedis(index, client);
    await redis.flush();
    return redis;
  }

  /** Empties the bench's database index and marks it as the bench's again. */
  async flush(): Promise<void> {
    await this.#client.flushdb();
    await this.#client.set(MARKER, String(process.pid));
  }

  async pid(): Promise<number | null> {
    const info = await this.#client.info('server');
    const pid = /^process_id:(\d+)/m.exec(info)?.[1];
    return pid ? Number(pid) : null;
  }

  /** Flushes and disconnects. */
  async close(): Promise<void> {
    try {
      await this.#client.flushdb();
    } finally {
      this.#client.disconnect();
    }
  }
}
