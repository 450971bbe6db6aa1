/**
 * Opens the store the configuration asks for: embedded SQLite by default, PostgreSQL when a
 * `postgres://` URL is given. Either way the schema is migrated to the latest version before the
 * store is handed out, so a running service never sees a half-migrated database.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { CustomTypesConfig } from 'pg';
import { KyselyStore } from './kysely-store.js';
import { createMigrator } from './migrations.js';
import type { Database } from './schema.js';
import { StatementCache } from './statement-cache.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** A `postgres://` URL; without it the store is a SQLite file in `dataDir`. */
  databaseUrl?: string;
  /** Where the SQLite file lives; `:memory:` keeps the database in memory (unit tests). */
  dataDir: string;
  /** PostgreSQL only: a schema to create if missing and to use for every table. */
  pgSchema?: string;
}

export const SQLITE_FILE_NAME = 'remote-presentation.sqlite';

const PG_POOL_SIZE = 10;
/**
 * Prepared SQLite statements kept for reuse: the queries the code makes, plus one per row count
 * of the live path's batched writes (see kysely-store.ts), which rarely exceeds a few dozen.
 */
const SQLITE_STATEMENTS_KEPT = 256;
const PG_INT8_OID = 20;

/** Schema names go into `set search_path`, so only plain identifiers are accepted. */
const PG_SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { databaseUrl } = options;
  if (databaseUrl === undefined || databaseUrl === '') return openSqlite(options.dataDir);

  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    // The URL may carry a password, so only its scheme goes into the message.
    const scheme = databaseUrl.split(':', 1)[0];
    throw new Error(`Unsupported database URL scheme "${scheme}:": expected postgres://`);
  }
  return openPostgres(databaseUrl, options.pgSchema);
}

async function openSqlite(dataDir: string): Promise<Store> {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    mkdirSync(dataDir, { recursive: true });
    file = join(dataDir, SQLITE_FILE_NAME);
  }

  let database: SqliteDatabase.Database;
  try {
    database = new SqliteDatabase(file);
    // WAL lets readers proceed while a write is in progress; NORMAL is durable enough under WAL
    // and much cheaper than FULL; the busy timeout rides out a brief lock instead of failing.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
  } catch (err) {
    throw new Error(`Cannot open the SQLite database at ${file}: ${messageOf(err)}`, {
      cause: err,
    });
  }

  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: new StatementCache(database, SQLITE_STATEMENTS_KEPT) }),
  });
  return prepare(db, 'sqlite');
}

async function openPostgres(databaseUrl: string, pgSchema: string | undefined): Promise<Store> {
  if (pgSchema !== undefined && !PG_SCHEMA_NAME.test(pgSchema)) {
    throw new Error(`Invalid PostgreSQL schema name "${pgSchema}": use [a-z0-9_], 63 at most`);
  }

  const pool = new pg.Pool({ connectionString: databaseUrl, max: PG_POOL_SIZE, types: pgTypes });
  // An idle client that loses its server emits 'error' on the pool, and an unhandled 'error'
  // event would crash the process; the next query reports the failure instead.
  pool.on('error', () => {});
  // A client that loses its server while a query holds it emits 'error' with no pool listener
  // attached, which crashed the process; the query fails on its own and is answered with 503.
  pool.on('connect', (client) => client.on('error', () => {}));

  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool,
      // Set per connection rather than as a startup option, which poolers such as PgBouncer
      // refuse.
      onCreateConnection:
        pgSchema === undefined
          ? undefined
          : async (connection) => {
              await connection.executeQuery(CompiledQuery.raw(`set search_path to "${pgSchema}"`));
            },
    }),
  });

  if (pgSchema !== undefined) {
    try {
      await sql`create schema if not exists ${sql.id(pgSchema)}`.execute(db);
    } catch (err) {
      await db.destroy();
      throw new Error(`Cannot prepare PostgreSQL schema "${pgSchema}": ${messageOf(err)}`, {
        cause: err,
      });
    }
  }

  return prepare(db, 'postgres', pgSchema);
}

/**
 * Epoch milliseconds live in int8 columns, which node-postgres returns as strings by default.
 * Every such value stays below 2^53, so a number is exact. Passed to this pool only, leaving the
 * process-wide parsers alone.
 */
const pgTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === PG_INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

async function prepare(
  db: Kysely<Database>,
  backend: Store['kind'],
  pgSchema?: string,
): Promise<Store> {
  const { error, results } = await createMigrator(db, backend, pgSchema).migrateToLatest();
  if (error !== undefined) {
    await db.destroy();
    const failed = results?.find((result) => result.status === 'Error');
    const what = failed
      ? `Database migration ${failed.migrationName} failed on ${backend}`
      : `Cannot migrate the ${backend} database`;
    throw new Error(`${what}: ${messageOf(error)}`, { cause: error });
  }

  return new KyselyStore(db, backend);
}

/** Drops a PostgreSQL schema and everything in it; for tests that each use their own schema. */
export async function dropPgSchema(databaseUrl: string, schema: string): Promise<void> {
  if (!PG_SCHEMA_NAME.test(schema)) throw new Error(`Invalid PostgreSQL schema name "${schema}"`);

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  // PostgreSQL: the server is shutting down, starting up, or out of connections.
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /cannot use a pool after calling end/i,
  /client has encountered a connection error/i,
  /database connection is not open/i,
  /driver has already been destroyed/i,
];

/**
 * Whether an error means the database cannot be reached right now, as opposed to a query the
 * database rejected. The service answers the first kind with 503 and fails closed. Looks through
 * `cause` chains and aggregated errors, where drivers and `openStore` put the original failure.
 */
export function errorIsUnavailable(err: unknown): boolean {
  return someError(err, (candidate) => {
    const code = (candidate as { code?: unknown }).code;
    if (typeof code === 'string') {
      // SQLite extends its primary codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE, ...).
      const primary = code.startsWith('SQLITE_') ? code.split('_', 2).join('_') : code;
      // SQLSTATE class 08 is "connection exception".
      if (UNAVAILABLE_CODES.has(primary) || /^08[0-9A-Z]{3}$/.test(code)) return true;
    }
    const message = (candidate as { message?: unknown }).message;
    return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(message));
  });
}

function someError(err: unknown, test: (candidate: object) => boolean, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 8) return false;
  if (test(err)) return true;
  if (
    err instanceof AggregateError &&
    err.errors.some((inner) => someError(inner, test, depth + 1))
  )
    return true;
  return someError((err as { cause?: unknown }).cause, test, depth + 1);
}

function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.message === '' && err.errors.length > 0) {
    return err.errors.map(messageOf).join('; ');
  }
  return err instanceof Error ? err.message : String(err);
}
