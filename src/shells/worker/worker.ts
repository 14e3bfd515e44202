/**
 * A worker of the scaled deployment (`reelsmith worker`): takes units of work (a job's plan, one
 * output, a job's completion: service/steps.ts) from the PostgreSQL queue the service fills, with
 * the same store and library as the service (on the same database), writing outputs to the shared
 * data folder the service serves (or to the bucket). Any number run on any machines; one that dies
 * has its units handed back (service/queue.ts) and taken by another.
 * SIGTERM: no new unit is taken and the running ones finish.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { reelsmithHome } from '../../config/home.js';
import { defaultConcurrency } from '../../batch/produce.js';
import { measuredRate } from '../../render/speed.js';
import { PgJobQueue } from '../../service/queue.js';
import { WorkerRegistry } from '../../service/workers.js';
import { isPostgresUrl } from '../../storage/db.js';
import type { ServiceOptions } from '../http/service.js';
import { assembleRuntime } from '../assemble.js';

/** What a worker shares with the service's settings (same configuration file), and its own. */
export interface WorkerOptions
  extends Pick<
    ServiceOptions,
    'engine' | 'render' | 'allowedMediaDirs' | 'allowPrivateUrls' | 'download' | 'maxOutputDuration' | 'maxRenderMemoryMB' | 'storage'
  > {
  /** The service's PostgreSQL (postgres://…). */
  database: string;
  /** The data folder shared with the service (outputs, media library files, caches). */
  dataDir?: string;
  /** The service's base URL as clients reach it: outputs' MediaURLs are built on it. */
  publicUrl: string;
  /** Outputs rendered at once (default: half the cores, as the command line's batches). */
  renders?: number;
  log?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface Worker {
  /** The id it is listed under. */
  id: string;
  /** Stops taking jobs; waits for the running ones when graceful. */
  stop(graceful?: boolean): Promise<void>;
}

export async function startWorker(o: WorkerOptions): Promise<Worker> {
  if (!isPostgresUrl(o.database)) throw new Error("a worker needs the service's PostgreSQL: --database postgres://…");
  const home = reelsmithHome(o.dataDir);
  await mkdir(join(home.root, 'outputs'), { recursive: true });
  // Outputs rendered at once (what the cores carry by default): the queue's count, and each
  // render's share of the cores for its encoder.
  const renders = o.renders ?? defaultConcurrency();
  const {
    db,
    steps,
    close: closeRuntime,
  } = await assembleRuntime({
    home,
    database: o.database,
    engine: o.engine,
    render: o.render,
    renders,
    allowedMediaDirs: o.allowedMediaDirs,
    download: o.download,
    maxOutputDuration: o.maxOutputDuration,
    maxRenderMemoryMB: o.maxRenderMemoryMB,
    allowPrivateUrls: o.allowPrivateUrls,
    publicUrl: () => o.publicUrl.replace(/\/+$/, ''),
    storage: o.storage,
    // The store's queries are short (records, heartbeats): a small pool per worker.
    poolSize: 3,
  });
  if (o.log) steps.setLog(o.log);
  // Heartbeats every 2 s: who this worker is and what it runs (reelsmith workers, /healthz).
  const registry = new WorkerRegistry(db);
  const me = { id: randomUUID().replace(/-/g, ''), host: hostname(), pid: process.pid, startedAt: new Date().toISOString() };
  const running = new Set<string>();
  const beat = () =>
    registry
      .beat({ ...me, jobs: [...running], renders, renderRate: measuredRate() })
      .catch((err: Error) => o.log?.error({ err: err.message }, 'heartbeat failed'));
  await beat();
  const heartbeat = setInterval(() => void beat(), 2000);
  const queue = await PgJobQueue.open(o.database, { log: o.log, worker: true });
  await queue.work(renders, {
    plan: (id, attempt) => steps.plan(id, attempt),
    output: (id, index, attempt) => steps.output(id, index, attempt),
    complete: (id) => steps.complete(id),
    running(unit, on) {
      if (on) running.add(unit);
      else running.delete(unit);
      void beat();
    },
  });
  return {
    id: me.id,
    async stop(graceful = true) {
      await queue.stop(graceful);
      clearInterval(heartbeat);
      await registry.remove(me.id).catch(() => {});
      await db.destroy();
      closeRuntime();
    },
  };
}
