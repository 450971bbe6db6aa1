/**
 * The schema's history, kept in code so the built service needs no migration files on disk.
 * Each migration runs on both backends; where SQLite and PostgreSQL disagree (auto-increment)
 * it branches on the backend it was built for.
 */
import { Migrator } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { Store } from './store.js';

type Backend = Store['kind'];

function initial(backend: Backend): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('agents')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('email', 'text')
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('phone', 'text')
        .addColumn('password_hash', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('agents_email_unique')
        .on('agents')
        .column('email')
        .unique()
        .execute();

      await db.schema
        .createTable('agent_sessions')
        .addColumn('id_hash', 'text', (col) => col.primaryKey())
        .addColumn('agent_id', 'text', (col) =>
          col.notNull().references('agents.id').onDelete('cascade'),
        )
        .addColumn('csrf_token', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('agent_sessions_expires_at')
        .on('agent_sessions')
        .column('expires_at')
        .execute();

      await db.schema
        .createTable('buyers')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('agent_id', 'text', (col) =>
          col.notNull().references('agents.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('contact', 'text', (col) => col.notNull())
        .addColumn('search_text', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('buyers_agent_created')
        .on('buyers')
        .columns(['agent_id', 'created_at'])
        .execute();

      await db.schema
        .createTable('presentations')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('agent_id', 'text', (col) =>
          col.notNull().references('agents.id').onDelete('cascade'),
        )
        .addColumn('buyer_id', 'text', (col) =>
          col.notNull().references('buyers.id').onDelete('cascade'),
        )
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('end_reason', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .addColumn('max_expires_at', 'bigint', (col) => col.notNull())
        .addColumn('grace_ends_at', 'bigint')
        .addColumn('ended_at', 'bigint')
        .addColumn('max_devices', 'integer', (col) => col.notNull())
        .addColumn('seq', 'bigint', (col) => col.notNull())
        .addColumn('state_json', 'text', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('presentations_agent_created')
        .on('presentations')
        .columns(['agent_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('presentations_status')
        .on('presentations')
        .column('status')
        .execute();

      await db.schema
        .createTable('links')
        .addColumn('token_hash', 'text', (col) => col.primaryKey())
        .addColumn('presentation_id', 'text', (col) =>
          col.notNull().references('presentations.id').onDelete('cascade'),
        )
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('links_presentation')
        .on('links')
        .column('presentation_id')
        .execute();

      await db.schema
        .createTable('presentation_events')
        .addColumn('id', backend === 'sqlite' ? 'integer' : 'bigint', (col) =>
          // SQLite only auto-increments an `integer primary key`; PostgreSQL wants an identity.
          backend === 'sqlite'
            ? col.primaryKey().autoIncrement()
            : col.primaryKey().generatedAlwaysAsIdentity(),
        )
        .addColumn('presentation_id', 'text', (col) =>
          col.notNull().references('presentations.id').onDelete('cascade'),
        )
        .addColumn('at', 'bigint', (col) => col.notNull())
        .addColumn('kind', 'text', (col) => col.notNull())
        .addColumn('reason', 'text')
        .addColumn('detail_json', 'text')
        .execute();
      await db.schema
        .createIndex('presentation_events_presentation')
        .on('presentation_events')
        .columns(['presentation_id', 'id'])
        .execute();

      await db.schema
        .createTable('inventory_complex')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('json', 'text', (col) => col.notNull())
        .execute();

      await db.schema
        .createTable('inventory_units')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('position', 'integer', (col) => col.notNull())
        .addColumn('json', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('price', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('inventory_units_position')
        .on('inventory_units')
        .column('position')
        .execute();
    },
  };
}

/** Webhook deliveries: the queue, the claims and the attempt log (src/server/webhooks). */
function webhookDeliveries(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('event_type', 'text', (col) => col.notNull())
        // No foreign key: an event may be queued before its presentation's row is committed.
        .addColumn('presentation_id', 'text', (col) => col.notNull())
        .addColumn('payload_json', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('attempts', 'integer', (col) => col.notNull())
        .addColumn('attempt_log_json', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('next_attempt_at', 'bigint', (col) => col.notNull())
        .addColumn('locked_until', 'bigint')
        .addColumn('delivered_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_due')
        .on('webhook_deliveries')
        .columns(['status', 'next_attempt_at'])
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_presentation')
        .on('webhook_deliveries')
        .columns(['presentation_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_created')
        .on('webhook_deliveries')
        .column('created_at')
        .execute();
    },
  };
}

export function migrationsFor(backend: Backend): Record<string, Migration> {
  return {
    '0001_initial': initial(backend),
    '0002_webhook_deliveries': webhookDeliveries(),
  };
}

/**
 * A migrator for the store's database. On PostgreSQL the bookkeeping tables are pinned to the
 * store's schema: Kysely otherwise finds them in any schema and would skip migrating a new one.
 */
export function createMigrator<DB>(db: Kysely<DB>, backend: Backend, pgSchema?: string): Migrator {
  const provider: MigrationProvider = {
    getMigrations: () => Promise.resolve(migrationsFor(backend)),
  };
  return new Migrator({
    db,
    provider,
    ...(backend === 'postgres' ? { migrationTableSchema: pgSchema ?? 'public' } : {}),
  });
}
