/**
 * The database behind a typed query layer (Kysely): SQLite (better-sqlite3, a file: the embedded
 * default) or PostgreSQL (a postgres:// URL: the scaled deployment, shared by a service and its
 * workers). One schema, migrations kept in code for both and applied on open (Kysely's migrator
 * takes a lock, so processes starting together migrate once).
 */
import Database from 'better-sqlite3';
import {
  type ColumnDataType,
  type Generated,
  Kysely,
  type Migration,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  sql,
} from 'kysely';
import pg from 'pg';

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
  /** Where the service fetched it from (RegisterMediaInfo InputURL). */
  input_url: string | null;
  size: number | null;
  /** The batch job it is an output of (null for media registered or uploaded). */
  source_job: string | null;
}

/** A batch job accepted by the service (IMS EditingBatchJob). */
export interface BatchJobTable {
  id: string;
  client_token: string | null;
  job_type: string;
  status: string;
  input_config: string;
  editing_config: string;
  output_config: string;
  user_data: string | null;
  /** JSON: the job's ErrorCode/ErrorMessage (IMS `Extend`). */
  extend: string;
  /** JSON: SubJobList once rendered. */
  sub_jobs: string;
  created_at: string;
  modified_at: string;
  completed_at: string | null;
  /** SHA-256 of the submitted parameters: a ClientToken reused with others is refused. */
  params_hash: string | null;
  /** How many times a process started this job (a job that kills its process fails after a few). */
  attempts: number;
  /** The account of the access key that submitted it (callbacks' UserId). */
  user_id: number | null;
  /** What its plans are seeded by: its ClientToken when it had one (so a preview made before submitting shows its plans), else its id. */
  seed: string | null;
}

/** Signature nonces seen (replays are refused), with their time for expiry. */
export interface NonceTable {
  nonce: string;
  seen_at: number;
}

/** An event delivery (callback), durable and retried until the receiver answers 2xx. */
export interface CallbackTable {
  id: Generated<number>;
  job_id: string;
  url: string;
  event_type: string;
  body: string;
  /** Send X-ICE-TIMESTAMP / X-ICE-SIGNATURE with this key (AuthSwitch on). */
  auth_key: string | null;
  status: string;
  attempts: number;
  next_at: number;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

/** A worker of the scaled deployment, as its last heartbeat said (reelsmith workers, /healthz). */
export interface WorkerTable {
  id: string;
  host: string;
  pid: number;
  started_at: string;
  /** Milliseconds since the epoch of the last heartbeat. */
  seen_at: number;
  /** JSON: the ids of the jobs it runs. */
  jobs: string;
  /** Outputs it renders at once. */
  renders: number | null;
  /** Its measured render speed: seconds per second of output per megapixel (render/speed.ts). */
  render_rate: number | null;
}

export interface SettingTable {
  key: string;
  value: string;
}

/** An access key made in the console by an operator (keys of the configuration are not here). */
export interface AccessKeyTable {
  id: string;
  secret: string;
  user_id: number | null;
  description: string;
  created_at: string;
}

export interface DB {
  media: MediaTable;
  callbacks: CallbackTable;
  settings: SettingTable;
  batch_jobs: BatchJobTable;
  nonces: NonceTable;
  workers: WorkerTable;
  access_keys: AccessKeyTable;
  _meta: { key: string; value: string; seq: Generated<number> };
}

export type SqlDialect = 'sqlite' | 'postgres';

/** Column types that differ: 64-bit integers (milliseconds, sizes) and double-precision reals. */
function types(d: SqlDialect) {
  return {
    int64: (d === 'postgres' ? 'bigint' : 'integer') as ColumnDataType,
    real: (d === 'postgres' ? 'double precision' : 'real') as ColumnDataType,
  };
}

const migrationsFor = (d: SqlDialect): Record<string, Migration> => {
  const t = types(d);
  return {
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
          .addColumn('duration', t.real)
          .addColumn('width', 'integer', (c) => c.notNull())
          .addColumn('height', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0002_batch_jobs': {
      async up(db) {
        await db.schema
          .createTable('batch_jobs')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('client_token', 'text', (c) => c.unique())
          .addColumn('job_type', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('input_config', 'text', (c) => c.notNull())
          .addColumn('editing_config', 'text', (c) => c.notNull())
          .addColumn('output_config', 'text', (c) => c.notNull())
          .addColumn('user_data', 'text')
          .addColumn('extend', 'text', (c) => c.notNull().defaultTo('{}'))
          .addColumn('sub_jobs', 'text', (c) => c.notNull().defaultTo('[]'))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('modified_at', 'text', (c) => c.notNull())
          .addColumn('completed_at', 'text')
          .execute();
        await db.schema.createIndex('batch_jobs_status').on('batch_jobs').column('status').execute();
        await db.schema
          .createTable('nonces')
          .addColumn('nonce', 'text', (c) => c.primaryKey())
          .addColumn('seen_at', t.int64, (c) => c.notNull())
          .execute();
      },
    },
    '0004_media_source': {
      async up(db) {
        await db.schema.alterTable('media').addColumn('input_url', 'text').execute();
        await db.schema.alterTable('media').addColumn('size', t.int64).execute();
        await db.schema.createIndex('media_input_url').on('media').column('input_url').execute();
      },
    },
    '0005_job_guards': {
      async up(db) {
        await db.schema.alterTable('batch_jobs').addColumn('params_hash', 'text').execute();
        await db.schema
          .alterTable('batch_jobs')
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
    '0006_workers': {
      async up(db) {
        await db.schema
          .createTable('workers')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('host', 'text', (c) => c.notNull())
          .addColumn('pid', 'integer', (c) => c.notNull())
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('seen_at', t.int64, (c) => c.notNull())
          .addColumn('jobs', 'text', (c) => c.notNull().defaultTo('[]'))
          .execute();
      },
    },
    '0007_job_owner': {
      async up(db) {
        await db.schema.alterTable('batch_jobs').addColumn('user_id', t.int64).execute();
      },
    },
    '0008_job_seed': {
      async up(db) {
        await db.schema.alterTable('batch_jobs').addColumn('seed', 'text').execute();
      },
    },
    '0009_access_keys': {
      async up(db) {
        await db.schema
          .createTable('access_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('secret', 'text', (c) => c.notNull())
          .addColumn('user_id', t.int64)
          .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0010_worker_speed': {
      async up(db) {
        await db.schema.alterTable('workers').addColumn('renders', 'integer').execute();
        await db.schema.alterTable('workers').addColumn('render_rate', t.real).execute();
      },
    },
    // Outputs are registered once per job: another job's identical output at the same place is its own.
    '0011_media_source_job': {
      async up(db) {
        await db.schema.alterTable('media').addColumn('source_job', 'text').execute();
      },
    },
    '0003_callbacks': {
      async up(db) {
        await db.schema
          .createTable('callbacks')
          .addColumn('id', d === 'postgres' ? 'serial' : 'integer', (c) =>
            d === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('job_id', 'text', (c) => c.notNull())
          .addColumn('url', 'text', (c) => c.notNull())
          .addColumn('event_type', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('auth_key', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('next_at', t.int64, (c) => c.notNull())
          .addColumn('last_error', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('delivered_at', 'text')
          .execute();
        await db.schema.createIndex('callbacks_due').on('callbacks').columns(['status', 'next_at']).execute();
        await db.schema
          .createTable('settings')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();
      },
    },
  };
};

/** Whether an open database (or transaction) is PostgreSQL's (row locks, advisory locks). */
export const isPostgres = (db: Kysely<DB>) => db.getExecutor().adapter instanceof PostgresAdapter;

/** Whether a database target is a PostgreSQL URL (else a SQLite file). */
export const isPostgresUrl = (target: string) => /^postgres(ql)?:\/\//i.test(target);

/** A PostgreSQL pool whose 64-bit integers come back as numbers (they hold times and sizes). */
function postgresPool(url: string, max: number): pg.Pool {
  const int8 = 20;
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === int8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server drops (a restart, a network blip) is replaced on the next query;
  // without a listener its error would end the process.
  pool.on('error', () => {});
  return pool;
}

/**
 * Opens (and migrates) the database: a SQLite file, or a postgres:// URL with a pool of at most
 * `poolSize` connections (default 10; workers take fewer: see the README's arithmetic).
 */
export async function openDatabase(target: string, o: { poolSize?: number } = {}): Promise<Kysely<DB>> {
  const dialect: SqlDialect = isPostgresUrl(target) ? 'postgres' : 'sqlite';
  let db: Kysely<DB>;
  if (dialect === 'postgres') db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: postgresPool(target, o.poolSize ?? 10) }) });
  else {
    const sqlite = new Database(target);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  }
  const migrations = migrationsFor(dialect);
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
  await sql`select 1`.execute(db);
  return db;
}
