/**
 * The workers of the scaled deployment as their heartbeats say (every 2 s, in the shared
 * database): who runs, where, since when, on which jobs. Read by `reelsmith workers`, the service's
 * /healthz and /api/v1/workers. Liveness of jobs does not rest on this (see queue.ts): a listing.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../storage/db.js';

export interface WorkerInfo {
  WorkerId: string;
  Host: string;
  Pid: number;
  StartTime: string;
  /** Seconds since its last heartbeat. */
  SeenSecondsAgo: number;
  /** The units it runs now (`<JobId>` or `<JobId>-<index>`). */
  JobIds: string[];
  /** Outputs it renders at once. */
  Renders: number | null;
  /** Its measured render speed, seconds per second of output per megapixel (none before its first render). */
  RenderRate: number | null;
}

/** A worker is listed while its last heartbeat is younger than this. */
export const WORKER_STALE_MS = 10_000;

export class WorkerRegistry {
  constructor(private readonly db: Kysely<DB>) {}

  async beat(w: {
    id: string;
    host: string;
    pid: number;
    startedAt: string;
    jobs: string[];
    renders?: number;
    renderRate?: number;
  }): Promise<void> {
    const row = {
      id: w.id,
      host: w.host,
      pid: w.pid,
      started_at: w.startedAt,
      seen_at: Date.now(),
      jobs: JSON.stringify(w.jobs),
      renders: w.renders ?? null,
      render_rate: w.renderRate ?? null,
    };
    await this.db
      .insertInto('workers')
      .values(row)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ seen_at: row.seen_at, jobs: row.jobs, renders: row.renders, render_rate: row.render_rate }),
      )
      .execute();
  }

  /**
   * What the live workers render at once together and how fast (the median of their measured
   * rates), for estimates; undefined without live workers.
   */
  async capacity(): Promise<{ parallel: number; rate?: number } | undefined> {
    const live = await this.list();
    if (live.length === 0) return undefined;
    const rates = live.flatMap((w) => (w.RenderRate ? [w.RenderRate] : [])).sort((a, b) => a - b);
    return {
      parallel: live.reduce((n, w) => n + (w.Renders ?? 1), 0),
      rate: rates.length > 0 ? rates[Math.floor(rates.length / 2)] : undefined,
    };
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('workers').where('id', '=', id).execute();
  }

  /** Workers heard from lately (older rows, of workers gone without a word, are dropped). */
  async list(): Promise<WorkerInfo[]> {
    const now = Date.now();
    await this.db
      .deleteFrom('workers')
      .where('seen_at', '<', now - 60 * WORKER_STALE_MS)
      .execute();
    const rows = await this.db
      .selectFrom('workers')
      .selectAll()
      .where('seen_at', '>=', now - WORKER_STALE_MS)
      .orderBy('started_at')
      .execute();
    return rows.map((r) => ({
      WorkerId: r.id,
      Host: r.host,
      Pid: r.pid,
      StartTime: r.started_at,
      SeenSecondsAgo: Math.round((now - r.seen_at) / 100) / 10,
      JobIds: JSON.parse(r.jobs) as string[],
      Renders: r.renders,
      RenderRate: r.render_rate,
    }));
  }
}
