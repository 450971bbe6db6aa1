/**
 * Kysely's SQLite driver prepares every statement it runs, and preparing costs more than
 * running the short statements the live path makes (a parse and a plan each time). This keeps
 * the most recently used prepared statements by their SQL text, so a statement seen before is
 * run as it is. Reuse is safe: Kysely runs one query at a time on its single connection, and a
 * prepared statement carries no state from one run to the next.
 */
import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

export class StatementCache implements KyselySqliteDatabase {
  readonly #database: SqliteDatabase.Database;
  readonly #capacity: number;
  /** Insertion order is use order: the first key is the least recently used. */
  readonly #statements = new Map<string, SqliteDatabase.Statement>();
  #hits = 0;
  #misses = 0;

  constructor(database: SqliteDatabase.Database, capacity: number) {
    this.#database = database;
    this.#capacity = capacity;
  }

  prepare(sql: string): SqliteDatabase.Statement {
    const cached = this.#statements.get(sql);
    if (cached) {
      this.#hits++;
      this.#statements.delete(sql);
      this.#statements.set(sql, cached);
      return cached;
    }
    this.#misses++;
    const statement = this.#database.prepare(sql);
    this.#statements.set(sql, statement);
    if (this.#statements.size > this.#capacity) {
      const oldest = this.#statements.keys().next().value as string;
      this.#statements.delete(oldest);
    }
    return statement;
  }

  close(): void {
    this.#statements.clear();
    this.#database.close();
  }

  /** How often a statement was found prepared, for the tests and for tuning the capacity. */
  stats(): { size: number; hits: number; misses: number } {
    return { size: this.#statements.size, hits: this.#hits, misses: this.#misses };
  }
}
