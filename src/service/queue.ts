/**
 * The job queue of the scaled deployment, on the PostgreSQL the store uses: pg-boss (a well-kept
 * PostgreSQL queue: SKIP LOCKED fetching, retries, its own schema and migrations). The service
 * sends each accepted job; any number of workers, on any machines, take them.
 *
 * Liveness is PostgreSQL's own: a worker holds a session advisory lock on each job it runs, on a
 * connection of its own. When the worker dies (kill -9, a machine lost: its connection closes, or
 * TCP keepalives give up), the lock goes with its session; the supervisor, in every process, finds
 * running jobs whose lock is free and hands them back to the queue within seconds, where another
 * worker takes them and resumes them (outputs already made are kept).
 */
import { hostname } from 'node:os';
import PgBoss from 'pg-boss';
import pg from 'pg';

const QUEUE = 'reelsmith-job';
/** A job whose worker is gone is noticed this long after it started at the soonest (fetch-to-lock race). */
const GRACE_SECONDS = 5;

/** 32 hex digits → the UUID pg-boss ids are (one queue entry per reelsmith job). */
const asUuid = (id: string) => `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`;

export interface QueueOptions {
  /** Seconds between supervisor rounds (default 2). */
  superviseEverySeconds?: number;
  /** Seconds between a worker's polls for jobs (default 1). */
  pollSeconds?: number;
  log?: { error(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

export class PgJobQueue {
  private supervisor?: NodeJS.Timeout;
  private locks?: pg.Client;
  private stopping = false;
  private supervising = false;

  private constructor(
    private readonly boss: PgBoss,
    private readonly url: string,
    private readonly o: QueueOptions,
  ) {}

  static async open(url: string, o: QueueOptions = {}): Promise<PgJobQueue> {
    const boss = new PgBoss({ connectionString: url, max: 4, application_name: `reelsmith@${hostname()}`, schedule: false });
    boss.on('error', (err: Error) => o.log?.error({ err: err.message }, 'queue error'));
    await boss.start();
    await boss.createQueue(QUEUE, { name: QUEUE, retryLimit: 20, retryDelay: 1, expireInSeconds: 23 * 3600 });
    const q = new PgJobQueue(boss, url, o);
    q.supervisor = setInterval(() => void q.supervise().catch(() => {}), (o.superviseEverySeconds ?? 2) * 1000);
    return q;
  }

  /** Queues a job (once: sending a job already queued or running does nothing). */
  async enqueue(jobId: string): Promise<void> {
    await this.boss.send(QUEUE, { jobId }, { id: asUuid(jobId) });
  }

  /** Jobs waiting for a worker. */
  async waiting(): Promise<number> {
    return this.boss.getQueueSize(QUEUE);
  }

  /**
   * Runs jobs as they come, `concurrency` at a time, each under its advisory lock (see above);
   * `run` resolves when the job is done (finished or failed for good).
   */
  /**
   * The connection holding this worker's job locks (made again after a lost connection: the jobs
   * it held were handed back meanwhile, and are re-locked by whoever runs them).
   */
  private async lockSession(): Promise<pg.Client> {
    if (this.locks) return this.locks;
    const c = new pg.Client({ connectionString: this.url, keepAlive: true, keepAliveInitialDelayMillis: 5000 });
    c.on('error', (err) => {
      this.o.log?.error({ err: err.message }, 'lock session lost');
      if (this.locks === c) this.locks = undefined;
    });
    c.on('end', () => {
      if (this.locks === c) this.locks = undefined;
    });
    await c.connect();
    this.locks = c;
    return c;
  }

  async work(concurrency: number, run: (jobId: string) => Promise<void>): Promise<void> {
    await this.lockSession();
    for (let i = 0; i < concurrency; i++) {
      await this.boss.work<{ jobId: string }>(QUEUE, { batchSize: 1, pollingIntervalSeconds: this.o.pollSeconds ?? 1 }, async ([job]) => {
        const { jobId } = job.data;
        const locks = await this.lockSession();
        const got = await locks.query('select pg_try_advisory_lock(hashtextextended($1, 0)) as ok', [jobId]);
        // Held by a live worker (a job handed back too early): back to the queue, tried later.
        if (!got.rows[0]?.ok) throw new Error(`job ${jobId} is being run by another worker`);
        try {
          await run(jobId);
        } finally {
          await locks.query('select pg_advisory_unlock(hashtextextended($1, 0))', [jobId]).catch(() => {});
        }
      });
    }
  }

  /** The supervisor's own connection, kept between rounds (made again when lost). */
  private watch?: pg.Client;

  private async watchSession(): Promise<pg.Client> {
    if (this.watch) return this.watch;
    const c = new pg.Client({ connectionString: this.url, keepAlive: true });
    const drop = () => {
      if (this.watch === c) this.watch = undefined;
    };
    c.on('error', drop);
    c.on('end', drop);
    await c.connect();
    this.watch = c;
    return c;
  }

  /** Hands back the running jobs whose worker is gone (their advisory lock is free). */
  private async supervise(): Promise<void> {
    if (this.stopping || this.supervising) return;
    this.supervising = true;
    try {
      const db = await this.watchSession();
      const active = await db.query(
        `select id, data->>'jobId' as job from pgboss.job where name = $1 and state = 'active' and started_on < now() - make_interval(secs => $2)`,
        [QUEUE, GRACE_SECONDS],
      );
      for (const row of active.rows as { id: string; job: string }[]) {
        const free = await db.query('select pg_try_advisory_lock(hashtextextended($1, 0)) as ok', [row.job]);
        if (!free.rows[0]?.ok) continue;
        await db.query('select pg_advisory_unlock(hashtextextended($1, 0))', [row.job]);
        this.o.log?.info({ JobId: row.job }, 'worker gone: job handed back to the queue');
        await this.boss.fail(QUEUE, row.id, { reason: 'worker gone' });
      }
    } finally {
      this.supervising = false;
    }
  }

  /** Stops taking jobs; waits for the running ones when `graceful` (else they are handed back when this process ends). */
  async stop(graceful = true): Promise<void> {
    this.stopping = true;
    if (this.supervisor) clearInterval(this.supervisor);
    await this.boss.stop({ graceful, wait: graceful, timeout: 24 * 3600 * 1000 });
    await this.locks?.end().catch(() => {});
    await this.watch?.end().catch(() => {});
  }
}
