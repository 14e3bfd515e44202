/**
 * The embedded database (SQLite through better-sqlite3) behind a typed query layer (Kysely), with
 * migrations kept in code and applied on open.
 */
import Database from 'better-sqlite3';
import { type Generated, Kysely, type Migration, Migrator, SqliteDialect, sql } from 'kysely';

export interface MediaTable {
  id: string;
  file: string;
  original_name: string;
  title: string;
  description: string;
  tags: string;
  kind: string;
  duration: number | null;
  width: number;
  height: number;
  created_at: string;
}

export interface DB {
  media: MediaTable;
  _meta: { key: string; value: string; seq: Generated<number> };
}

const migrations: Record<string, Migration> = {
  '0001_media': {
    async up(db) {
      await db.schema
        .createTable('media')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('file', 'text', (c) => c.notNull())
        .addColumn('original_name', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('duration', 'real')
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('height', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

export async function openDatabase(file: string): Promise<Kysely<DB>> {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
  await sql`select 1`.execute(db);
  return db;
}
