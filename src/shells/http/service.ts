/**
 * Assembles the service on embedded defaults: the SQLite database and local storage under the data
 * folder ($REELSMITH_HOME), the job store, the in-process runner (resuming unfinished jobs) and the
 * HTTP server.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captionStill, previewStrip } from '../../batch/preview.js';
import { AccessKeys } from '../../service/keys.js';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../storage/db.js';
import type { FastifyInstance } from 'fastify';
import { type Home, reelsmithHome } from '../../config/home.js';
import type { CallbackDispatcher } from '../../service/callbacks.js';
import { PgJobQueue } from '../../service/queue.js';
import { WorkerRegistry } from '../../service/workers.js';
import type { JobRunner } from '../../service/runner.js';
import type { JobStore } from '../../service/store.js';
import { isPostgresUrl } from '../../storage/db.js';
import { parseS3Url, type S3Settings } from '../../storage/objects.js';
import { assembleRuntime } from '../assemble.js';
import { NonceStore } from './nonces.js';
import { buildServer, type JobIntake } from './server.js';
import type { AccessPolicy } from '../../media/fetch.js';
import type { SpeechEngine } from '../../speech/engine.js';
import type { RenderSettings } from '../../render/settings.js';

export interface ServiceOptions {
  port: number;
  /** The built web console; default the package's dist/console (npm run build:console). */
  consoleDir?: string;
  /**
   * Sign-in to the web console with a password (setting consolePassword, REELSMITH_CONSOLE_PASSWORD):
   * it gives the console the key `consoleKey` (default the first configured key).
   */
  consolePassword?: string;
  consoleKey?: string;
  /** Largest upload into the media library, bytes (default 2 GiB; setting maxUploadBytes). */
  maxUploadBytes?: number;
  host?: string;
  /** The data folder (database, caches, outputs); default $REELSMITH_HOME. */
  dataDir?: string;
  /** AccessKeyId → AccessKeySecret. */
  keys: Map<string, string>;
  /** AccessKeyId → the account's UserId, sent in callbacks (IMS's); 0 when not given. */
  accounts?: Map<string, number>;
  /** The database: a postgres:// URL (shared with workers), else the data folder's SQLite file. */
  database?: string;
  /** Outputs go to an S3-compatible bucket (s3://bucket/prefix and the server's settings). */
  storage?: S3Settings;
  /**
   * The service's base URL as clients reach it (e.g. https://video.example.com behind a proxy):
   * outputs' MediaURLs are built on it. Default: the address it listens on.
   */
  publicUrl?: string;
  maxQueued?: number;
  /** Let callbacks and material URLs reach loopback/private addresses (REELSMITH_ALLOW_PRIVATE_URLS=1). */
  allowPrivateUrls?: boolean;
  /** Callback retry schedule (tests shorten it). */
  callbackBaseDelayMs?: number;
  /** Folders whose files API jobs may name by local path (default none). */
  allowedMediaDirs?: string[];
  /** Longest output a job may plan, seconds (default 600). */
  maxOutputDuration?: number;
  /** Download limits for materials (bytes, time to headers, silence, whole download). */
  download?: Pick<AccessPolicy, 'maxBytes' | 'headersTimeoutMs' | 'idleTimeoutMs' | 'timeoutMs'>;
  /** Log requests and job events (pino): JSON lines on stdout, or readable lines (`pretty`, for a terminal); default off. */
  log?: boolean | 'pretty';
  /** Address space each render's FFmpeg may use, MB (default 4096). */
  maxRenderMemoryMB?: number;
  /** Jobs run at once (default 2): one held up by a slow download does not hold the others. */
  concurrentJobs?: number;
  /** The speech engine (default espeak-ng; `reelsmith serve` passes the OpenAI-compatible one when configured). */
  engine?: SpeechEngine;
  /** How renders run (from the environment, in `reelsmith serve`). */
  render?: RenderSettings;
}

export interface Service {
  app: FastifyInstance;
  runner: JobRunner;
  store: JobStore;
  callbacks: CallbackDispatcher;
  url: string;
  close(): Promise<void>;
  /** The data folder and its parts. */
  home: Home;
}

/** AccessKey pairs from `id:secret,id:secret` (REELSMITH_ACCESS_KEYS). */
/** `id:secret[:userId],…` → the keys, and the accounts of those that name one. */
export function parseAccessKeys(text: string | undefined): Map<string, string> {
  return parseAccessKeyList(text).keys;
}

function parseAccessKeyList(text: string | undefined): { keys: Map<string, string>; accounts: Map<string, number> } {
  const keys = new Map<string, string>();
  const accounts = new Map<string, number>();
  for (const item of (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const i = item.indexOf(':');
    if (i <= 0 || i === item.length - 1) throw new Error(`access key "${item.slice(0, 8)}…" is not id:secret`);
    const id = item.slice(0, i);
    // A trailing :digits is the account's UserId (secrets are not all digits after a colon).
    const m = /^(.*):(\d{1,18})$/.exec(item.slice(i + 1));
    keys.set(id, m ? m[1] : item.slice(i + 1));
    if (m) accounts.set(id, Number(m[2]));
  }
  return { keys, accounts };
}

export interface ServiceConfig extends ServiceOptions {}

/** A random secret made once and kept in the database's settings: every process of the service signs with it. */
async function sharedSecret(db: Kysely<DB>, key: string): Promise<string> {
  await db
    .insertInto('settings')
    .values({ key, value: randomBytes(32).toString('hex') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const r = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
  return r.value;
}

/**
 * The service's configuration: a JSON file (`{"port", "host", "data", "accessKeys": {"id": "secret"},
 * "allowPrivateUrls", "maxQueued"}`, all optional), then the environment (REELSMITH_ACCESS_KEYS adds
 * keys, REELSMITH_ALLOW_PRIVATE_URLS=1, REELSMITH_PORT), then command-line options.
 */
export async function loadServiceConfig(file: string | undefined, env: NodeJS.ProcessEnv): Promise<ServiceConfig> {
  let raw: Record<string, unknown> = {};
  if (file) {
    try {
      raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`cannot read the configuration ${file}: ${(err as Error).message}`);
    }
  }
  const known = [
    'port',
    'host',
    'data',
    'accessKeys',
    'allowPrivateUrls',
    'maxQueued',
    'allowedMediaDirs',
    'maxOutputDuration',
    'maxDownloadBytes',
    'downloadHeadersTimeoutS',
    'downloadIdleTimeoutS',
    'downloadTimeoutS',
    'log',
    'maxRenderMemoryMB',
    'maxUploadBytes',
    'consolePassword',
    'consoleKey',
    'concurrentJobs',
    'publicUrl',
    'database',
    'storage',
    's3',
  ];
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`${file}: unknown setting(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  // accessKeys: {"id": "secret"} or {"id": {"secret": "…", "userId": 1234}}.
  const keys = new Map<string, string>();
  const accounts = new Map<string, number>();
  for (const [id, v] of Object.entries((raw.accessKeys ?? {}) as Record<string, unknown>)) {
    if (typeof v === 'string') keys.set(id, v);
    else if (v && typeof v === 'object' && typeof (v as { secret?: unknown }).secret === 'string') {
      keys.set(id, (v as { secret: string }).secret);
      const userId = (v as { userId?: unknown }).userId;
      if (userId !== undefined) {
        if (!Number.isSafeInteger(userId) || (userId as number) < 0) throw new Error(`accessKeys.${id}.userId must be a whole number`);
        accounts.set(id, userId as number);
      }
    } else throw new Error(`accessKeys.${id} must be a secret or {"secret": …, "userId": …}`);
  }
  const fromEnv = parseAccessKeyList(env.REELSMITH_ACCESS_KEYS);
  for (const [id, secret] of fromEnv.keys) keys.set(id, secret);
  for (const [id, userId] of fromEnv.accounts) accounts.set(id, userId);
  const port = Number(env.REELSMITH_PORT ?? raw.port ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port ${port} is not a port number`);
  return {
    port,
    accounts,
    host: typeof raw.host === 'string' ? raw.host : undefined,
    publicUrl: publicUrl(env.REELSMITH_PUBLIC_URL ?? raw.publicUrl),
    database: databaseTarget(env.REELSMITH_DATABASE ?? raw.database),
    storage: storageSettings(env.REELSMITH_STORAGE ?? raw.storage, (raw.s3 ?? {}) as Record<string, unknown>, env),
    dataDir: typeof raw.data === 'string' ? raw.data : undefined,
    keys,
    allowPrivateUrls: env.REELSMITH_ALLOW_PRIVATE_URLS === '1' || raw.allowPrivateUrls === true,
    maxQueued: typeof raw.maxQueued === 'number' ? raw.maxQueued : undefined,
    allowedMediaDirs: Array.isArray(raw.allowedMediaDirs)
      ? raw.allowedMediaDirs.filter((d): d is string => typeof d === 'string')
      : undefined,
    maxOutputDuration: positive(raw.maxOutputDuration, 'maxOutputDuration'),
    download: {
      maxBytes: positive(raw.maxDownloadBytes, 'maxDownloadBytes'),
      headersTimeoutMs: seconds(raw.downloadHeadersTimeoutS, 'downloadHeadersTimeoutS'),
      idleTimeoutMs: seconds(raw.downloadIdleTimeoutS, 'downloadIdleTimeoutS'),
      timeoutMs: seconds(raw.downloadTimeoutS, 'downloadTimeoutS'),
    },
    log: raw.log === undefined ? undefined : raw.log === true,
    maxRenderMemoryMB: positive(raw.maxRenderMemoryMB, 'maxRenderMemoryMB'),
    maxUploadBytes: positive(raw.maxUploadBytes, 'maxUploadBytes'),
    consolePassword: env.REELSMITH_CONSOLE_PASSWORD ?? (typeof raw.consolePassword === 'string' ? raw.consolePassword : undefined),
    consoleKey: typeof raw.consoleKey === 'string' ? raw.consoleKey : undefined,
    concurrentJobs: positive(raw.concurrentJobs, 'concurrentJobs'),
  };
}

function positive(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(v > 0)) throw new Error(`${name} must be a positive number`);
  return v;
}
const seconds = (v: unknown, name: string) => {
  const s = positive(v, name);
  return s === undefined ? undefined : s * 1000;
};

/**
 * The bucket outputs go to: s3://bucket/prefix, with the server's endpoint and region and the keys
 * from the `s3` settings or the environment (REELSMITH_S3_ENDPOINT, REELSMITH_S3_REGION,
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
 */
export function storageSettings(url: unknown, s3: Record<string, unknown>, env: NodeJS.ProcessEnv): S3Settings | undefined {
  if (url === undefined || url === '') return undefined;
  if (typeof url !== 'string') throw new Error('storage must be s3://bucket/prefix');
  parseS3Url(url);
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const lifetime = s3.linkLifetimeS ?? env.REELSMITH_S3_LINK_LIFETIME_S;
  const linkLifetimeS = lifetime === undefined ? undefined : Number(lifetime);
  if (linkLifetimeS !== undefined && !(Number.isInteger(linkLifetimeS) && linkLifetimeS >= 0 && linkLifetimeS <= 7 * 24 * 3600))
    throw new Error('s3.linkLifetimeS must be a whole number of seconds from 0 (public bucket) to 604800 (7 days)');
  return {
    url,
    endpoint: str(env.REELSMITH_S3_ENDPOINT) ?? str(s3.endpoint),
    region: str(env.REELSMITH_S3_REGION) ?? str(s3.region),
    accessKeyId: str(env.AWS_ACCESS_KEY_ID) ?? str(s3.accessKeyId),
    secretAccessKey: str(env.AWS_SECRET_ACCESS_KEY) ?? str(s3.secretAccessKey),
    linkLifetimeS,
  };
}

/** A database: a postgres:// URL, or a SQLite file. */
function databaseTarget(v: unknown): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new Error('database must be a postgres:// URL or a file path');
  return v;
}

/** A public base URL: http(s), no query or fragment. */
function publicUrl(v: unknown): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !/^https?:\/\/[^\s?#]+$/i.test(v))
    throw new Error(`publicUrl must be an http(s) URL without query, got ${String(v)}`);
  return v.replace(/\/+$/, '');
}

export async function startService(o: ServiceOptions): Promise<Service> {
  // Everything the service touches is under its own data folder, passed down (two services in one
  // process share nothing).
  const home = reelsmithHome(o.dataDir);
  await mkdir(join(home.root, 'outputs'), { recursive: true });
  const app0Logger = !o.log
    ? false
    : o.log === 'pretty'
      ? { level: 'info', transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } } }
      : { level: 'info' };
  // The service's address as clients reach it: configured (behind a proxy), else where it listens.
  let publicUrl = o.publicUrl?.replace(/\/+$/, '');
  const postgres = !!o.database && isPostgresUrl(o.database);
  const {
    db,
    store,
    library,
    callbacks,
    runner,
    steps,
    present,
    prepareJob,
    close: closeRuntime,
  } = await assembleRuntime({
    home,
    database: o.database,
    engine: o.engine,
    render: o.render,
    allowedMediaDirs: o.allowedMediaDirs,
    download: o.download,
    maxOutputDuration: o.maxOutputDuration,
    maxRenderMemoryMB: o.maxRenderMemoryMB,
    concurrentJobs: o.concurrentJobs,
    maxQueued: o.maxQueued,
    allowPrivateUrls: o.allowPrivateUrls,
    callbackBaseDelayMs: o.callbackBaseDelayMs,
    publicUrl: () => publicUrl,
    storage: o.storage,
  });
  // On PostgreSQL, jobs go to the queue the workers take them from (the service renders them too
  // when given concurrentJobs); on SQLite, to the in-process runner.
  const queue = postgres ? await PgJobQueue.open(o.database!) : undefined;
  const intake: JobIntake = queue
    ? {
        isFull: async () => (await queue.waiting()) >= (o.maxQueued ?? 100),
        enqueue: (id) => queue.enqueue(id),
        renderOutput: (id, index) => queue.enqueueOutput(id, index),
      }
    : {
        isFull: async () => runner.full,
        enqueue: async (id) => runner.enqueue(id),
        // One output of a finished job: its unit of work, here (the same steps the workers run).
        renderOutput: async (id, index) => {
          void steps
            .output(id, index, 1)
            .then(({ done }) => (done ? steps.complete(id) : undefined))
            .catch((err: Error) => app.log.error({ JobId: id, output: index, err: err.message }, 'output not rendered again'));
        },
      };
  let linkSecret: Promise<string> | undefined;
  // Keys made in the console join the configuration's (the operators') in the one key table.
  const accounts = o.accounts ?? new Map<string, number>();
  const accessKeys = new AccessKeys(db, o.keys, accounts, new Set(o.keys.keys()));
  await accessKeys.start(postgres ? 5 : undefined);
  const app = buildServer({
    present,
    prepareJob,
    linkSecret: () => (linkSecret ??= sharedSecret(db, 'media_link_secret')),
    captionStill: (c, outPng) => captionStill({ ...c, outPng, home, engine: o.engine }),
    strip: async (kind, name, outPng) => {
      await previewStrip({ kind, name, outPng, home, width: 180, height: 320, frames: 5 });
    },
    consoleDir: o.consoleDir ?? fileURLToPath(new URL('../../../dist/console', import.meta.url)),
    engine: o.engine,
    maxUploadBytes: o.maxUploadBytes,
    consoleSignIn: o.consolePassword ? { password: o.consolePassword, keyId: o.consoleKey ?? [...o.keys.keys()][0] } : undefined,
    store,
    nonces: new NonceStore(db),
    intake,
    workers: postgres ? new WorkerRegistry(db) : undefined,
    callbacks,
    library,
    cacheDir: home.cache,
    keys: o.keys,
    accounts,
    accessKeys,
    musicDir: home.music,
    outputsDir: join(home.root, 'outputs'),
    allowedMediaDirs: o.allowedMediaDirs,
    maxOutputDuration: o.maxOutputDuration,
    download: { ...o.download, allowPrivate: o.allowPrivateUrls ?? false },
    logger: app0Logger,
  });
  // Job events and internal details in the same log as the requests.
  if (o.log) {
    runner.setLog(app.log);
    steps.setLog(app.log);
  }
  const address = await app.listen({ port: o.port, host: o.host ?? '127.0.0.1' });
  publicUrl ??= address;
  if (queue) {
    // Jobs accepted but not finished (also any whose sending was cut short): queued again, once.
    for (const id of await store.unfinished()) await queue.enqueue(id);
    if (o.concurrentJobs) await queue.work(o.concurrentJobs, steps);
  } else await runner.resume();
  callbacks.start();
  return {
    app,
    home,
    runner,
    store,
    callbacks,
    url: address,
    async close() {
      runner.stop();
      callbacks.stop();
      accessKeys.stop();
      await queue?.stop(false);
      await app.close();
      await db.destroy();
      closeRuntime();
    },
  };
}
