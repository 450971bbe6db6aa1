/**
 * The prepared-statement cache under Kysely's SQLite driver: a statement seen before is reused,
 * results are those of a fresh statement, and the least recently used one goes first.
 */
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { StatementCache } from '../src/server/storage/statement-cache.js';

interface Db {
  items: { id: number; name: string };
}

let open: StatementCache[] = [];

function setup(capacity: number): { cache: StatementCache; db: Kysely<Db> } {
  const raw = new SqliteDatabase(':memory:');
  raw.exec('create table items (id integer primary key, name text not null)');
  const cache = new StatementCache(raw, capacity);
  open.push(cache);
  return { cache, db: new Kysely<Db>({ dialect: new SqliteDialect({ database: cache }) }) };
}

afterEach(() => {
  for (const cache of open) cache.close();
  open = [];
});

describe('StatementCache', () => {
  it('prepares a query once and reuses it, with each run seeing its own parameters', async () => {
    const { cache, db } = setup(8);
    for (let i = 1; i <= 20; i++) {
      await db
        .insertInto('items')
        .values({ id: i, name: `unit ${i}` })
        .execute();
    }
    const names: string[] = [];
    for (const id of [3, 17, 3]) {
      const row = await db
        .selectFrom('items')
        .select('name')
        .where('id', '=', id)
        .executeTakeFirst();
      names.push(row?.name ?? '');
    }
    expect(names).toEqual(['unit 3', 'unit 17', 'unit 3']);
    // One insert and one select statement, each prepared once.
    expect(cache.stats()).toEqual({ size: 2, hits: 21, misses: 2 });
  });

  it('keeps at most its capacity, dropping the least recently used statement', async () => {
    const { cache, db } = setup(2);
    const byCount = (n: number) =>
      sql`select count(*) as n from items where id in (${sql.join(Array.from({ length: n }, (_, i) => i))})`.execute(
        db,
      );
    await byCount(1);
    await byCount(2);
    await byCount(1); // hit: the 1-parameter statement is now the most recent
    await byCount(3); // evicts the 2-parameter one
    await byCount(1); // still there
    await byCount(2); // prepared again
    expect(cache.stats()).toEqual({ size: 2, hits: 2, misses: 4 });
  });

  it('runs a transaction through cached statements and rolls it back on failure', async () => {
    const { db } = setup(8);
    await db.insertInto('items').values({ id: 1, name: 'kept' }).execute();
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ id: 2, name: 'rolled back' }).execute();
        await trx.insertInto('items').values({ id: 1, name: 'duplicate' }).execute();
      }),
    ).rejects.toThrow(/UNIQUE/);
    const rows = await db.selectFrom('items').select('name').execute();
    expect(rows).toEqual([{ name: 'kept' }]);
  });
});
