/**
 * The work queue of the scaled deployment, on the PostgreSQL the store uses: pg-boss (a well-kept
 * PostgreSQL queue: SKIP LOCKED fetching, priorities, retries, its own schema and migrations). A job
 * is units of work (service/steps.ts): its plan step, then one unit per output, spread over all
 * workers, then its completion step. Output units are queued with priority −index, so that every
 * job's first outputs come before any job's later ones: a 100-output job does not hold up a
 * 1-output job submitted after it.
 *
 * Liveness is PostgreSQL's own: a worker holds a session advisory lock on each unit it runs, on a
 * connection of its own. When the worker dies (kill -9, a machine lost: its connection closes, or
 * TCP keepalives give up), the lock goes with its session; the supervisor, in every process, finds
 * running units whose lock is free and hands them back to the queue within seconds, where another
 * worker takes them (an output already made is kept, never made twice to completion).
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import PgBoss from 'pg-boss';
import pg from 'pg';

/** Plan and completion steps of jobs. */
const JOB_QUEUE = 'reelsmith-job';
/** One output's render. */
const OUTPUT_QUEUE = 'reelsmith-output';
/** A unit whose worker is gone is noticed this long after it started at the soonest (fetch-to-lock race). */
const GRACE_SECONDS = 5;

/** A deterministic UUID (pg-boss's ids) naming a unit, so that queuing it twice queues it once. */
function unitId(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A unit of work; `round` tells a second round of a job's outputs (a failed output rendered again) from its first. */
type Unit = { lock: string; round?: string } & (
  | { step: 'plan' | 'complete'; jobId: string }
  | { step: 'output'; jobId: string; index: number }
);

export interface QueueOptions {
  /** Seconds between supervisor rounds (default 2). */
  superviseEverySeconds?: number;
  /** Seconds between a worker's polls for work (default 1). */
  pollSeconds?: number;
  log?: { error(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /**
   * A worker's queue: fewer connections (2), and pg-boss's maintenance (archiving, expiry) left to
   * the service, so that a hundred workers do not each run it.
   */
  worker?: boolean;
}

/** What a worker does with each unit; `attempt` counts its starts (1 the first time). */
export interface UnitHandlers {
  plan(jobId: string, attempt: number): Promise<{ render: number[]; done: boolean }>;
  output(jobId: string, index: number, attempt: number): Promise<{ done: boolean }>;
  complete(jobId: string): Promise<void>;
  /** Called as units start and end (the heartbeat's list): `<JobId>` or `<JobId>-<index>`. */
  running?(unit: string, on: boolean): void;
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
    const boss = new PgBoss({
      connectionString: url,
      max: o.worker ? 2 : 4,
      application_name: `reelsmith@${hostname()}`,
      schedule: false,
      supervise: !o.worker,
    });
    boss.on('error', (err: Error) => o.log?.error({ err: err.message }, 'queue error'));
    await boss.start();
    // Units are retried every 2 s (a failure of the database, a worker gone): the steps count
    // their own attempts and fail what keeps failing, with the reason.
    // Made once, by one process at a time (processes starting together would deadlock on the
    // queues' tables otherwise).
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    try {
      await setup.query('select pg_advisory_lock(hashtextextended($1, 0))', ['reelsmith:queues']);
      for (const name of [JOB_QUEUE, OUTPUT_QUEUE])
        if (!(await boss.getQueue(name)))
          await boss.createQueue(name, { name, retryLimit: 1000, retryDelay: 2, expireInSeconds: 23 * 3600 });
    } finally {
      await setup.end().catch(() => {});
    }
    const q = new PgJobQueue(boss, url, o);
    q.supervisor = setInterval(() => void q.supervise().catch(() => {}), (o.superviseEverySeconds ?? 2) * 1000);
    return q;
  }

  /** Queues a job's plan step (once: queuing a job already queued or running does nothing). */
  async enqueue(jobId: string): Promise<void> {
    await this.send(JOB_QUEUE, { step: 'plan', jobId, lock: jobId }, `${jobId}:plan`);
  }

  /** Queues one output of a job again (a failed output rendered once more). */
  async enqueueOutput(jobId: string, index: number): Promise<void> {
    const round = `again-${Date.now()}`;
    await this.send(OUTPUT_QUEUE, { step: 'output', jobId, index, lock: `${jobId}-${index}`, round }, `${jobId}:${index}:${round}`, -index);
  }

  private async send(queue: string, unit: Unit, name: string, priority = 0): Promise<void> {
    await this.boss.send(queue, unit, { id: unitId(name), priority });
    // This process's own idle loops look at once (others within their poll interval).
    for (const wake of this.sleepers.splice(0)) wake();
  }

  /** Idle loops of this process, woken when it queues work. */
  private readonly sleepers: (() => void)[] = [];

  private idle(seconds: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const i = this.sleepers.indexOf(done);
        if (i >= 0) this.sleepers.splice(i, 1);
        resolve();
      }, seconds * 1000);
      this.sleepers.push(done);
    });
  }

  /** Jobs waiting to be planned. */
  async waiting(): Promise<number> {
    return this.boss.getQueueSize(JOB_QUEUE);
  }

  /** Units this process runs (their lock names), re-locked when the lock connection is made again. */
  private readonly held = new Set<string>();
  private reconnecting?: NodeJS.Timeout;

  /**
   * The connection holding this worker's unit locks. Lost (the database restarted, a network
   * blip), it is made again at once, retried every second, and the running units are locked again,
   * so that they are not handed back while this worker still runs them (if the supervisor of
   * another process was quicker, the unit runs twice and the first finisher's output is kept).
   */
  private async lockSession(): Promise<pg.Client> {
    if (this.locks) return this.locks;
    const c = new pg.Client({ connectionString: this.url, keepAlive: true, keepAliveInitialDelayMillis: 5000 });
    const lost = () => {
      if (this.locks !== c) return;
      this.locks = undefined;
      this.relockSoon();
    };
    c.on('error', (err) => {
      this.o.log?.error({ err: err.message }, 'lock session lost');
      lost();
    });
    c.on('end', lost);
    await c.connect();
    for (const lock of this.held) await c.query('select pg_try_advisory_lock(hashtextextended($1, 0))', [lock]);
    this.locks = c;
    return c;
  }

  private relockSoon(): void {
    if (this.stopping || this.reconnecting || this.held.size === 0) return;
    this.reconnecting = setTimeout(() => {
      this.reconnecting = undefined;
      this.lockSession().catch(() => this.relockSoon());
    }, 1000);
  }

  /** Runs one unit under its advisory lock. */
  private async locked(lock: string, run: () => Promise<void>): Promise<void> {
    // Session locks are re-entrant: a unit handed back while this process still runs it is not run here twice.
    if (this.held.has(lock)) throw new Error(`${lock} is already being run by this worker`);
    const locks = await this.lockSession();
    const got = await locks.query('select pg_try_advisory_lock(hashtextextended($1, 0)) as ok', [lock]);
    // Held by a live worker (a unit handed back too early): back to the queue, tried later.
    if (!got.rows[0]?.ok) throw new Error(`${lock} is being run by another worker`);
    this.held.add(lock);
    try {
      await run();
    } finally {
      this.held.delete(lock);
      await this.locks?.query('select pg_advisory_unlock(hashtextextended($1, 0))', [lock]).catch(() => {});
    }
  }

  /** Loops taking units (see `work`); they end when the queue stops. */
  private readonly loops: Promise<void>[] = [];

  /**
   * Takes units as they come: `renders` outputs at once, and plan and completion steps one at a
   * time beside them (they are short and keep the outputs flowing). Each loop fetches a unit,
   * runs it and records its end; a database that does not answer is waited for (its units, if
   * their lock was lost meanwhile, are handed back by the supervisor), never the end of the process.
   */
  async work(renders: number, h: UnitHandlers): Promise<void> {
    await this.lockSession();
    this.loops.push(
      this.loop(JOB_QUEUE, async (u, attempt) => {
        h.running?.(u.jobId, true);
        try {
          if (u.step === 'plan') {
            const { render, done } = await h.plan(u.jobId, attempt);
            for (const index of render)
              await this.send(
                OUTPUT_QUEUE,
                { step: 'output', jobId: u.jobId, index, lock: `${u.jobId}-${index}` },
                `${u.jobId}:${index}`,
                -index,
              );
            if (done) await this.completeLater(u.jobId);
          } else if (u.step === 'complete') await h.complete(u.jobId);
        } finally {
          h.running?.(u.jobId, false);
        }
      }),
    );
    for (let i = 0; i < renders; i++)
      this.loops.push(
        this.loop(OUTPUT_QUEUE, async (u, attempt) => {
          if (u.step !== 'output') return;
          h.running?.(u.lock, true);
          try {
            const { done } = await h.output(u.jobId, u.index, attempt);
            if (done) await this.completeLater(u.jobId, u.round);
          } finally {
            h.running?.(u.lock, false);
          }
        }),
      );
  }

  private async loop(queue: string, run: (u: Unit, attempt: number) => Promise<void>): Promise<void> {
    const pause = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
    while (!this.stopping) {
      let job: PgBoss.JobWithMetadata<Unit> | undefined;
      try {
        [job] = (await this.boss.fetch<Unit>(queue, { batchSize: 1, includeMetadata: true })) ?? [];
      } catch (err) {
        this.o.log?.error({ err: (err as Error).message, queue }, 'queue not reachable');
        await pause(2);
        continue;
      }
      if (!job) {
        await this.idle(this.o.pollSeconds ?? 1);
        continue;
      }
      let failure: Error | undefined;
      try {
        await this.locked(job.data.lock, () => run(job.data, job.retryCount + 1));
      } catch (err) {
        failure = err as Error;
        this.o.log?.error({ unit: job.data.lock, err: failure.message }, 'unit failed; tried again');
      }
      // Its end recorded; when the database does not answer, the unit stays active and the
      // supervisor hands it back once its lock is free (it then finds its work recorded).
      await (failure ? this.boss.fail(queue, job.id, { reason: failure.message }) : this.boss.complete(queue, job.id)).catch((err: Error) =>
        this.o.log?.error({ unit: job.data.lock, err: err.message }, 'unit end not recorded'),
      );
    }
  }

  /** Queues a job's completion step (once per round of its outputs). */
  private completeLater(jobId: string, round?: string): Promise<void> {
    return this.send(JOB_QUEUE, { step: 'complete', jobId, lock: jobId }, `${jobId}:complete${round ? `:${round}` : ''}`, 1);
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

  /** Hands back the running units whose worker is gone (their advisory lock is free). */
  private async supervise(): Promise<void> {
    if (this.stopping || this.supervising) return;
    this.supervising = true;
    try {
      const db = await this.watchSession();
      const active = await db.query(
        `select id, name, data->>'lock' as lock from pgboss.job where name = any($1) and state = 'active' and started_on < now() - make_interval(secs => $2)`,
        [[JOB_QUEUE, OUTPUT_QUEUE], GRACE_SECONDS],
      );
      for (const row of active.rows as { id: string; name: string; lock: string }[]) {
        const free = await db.query('select pg_try_advisory_lock(hashtextextended($1, 0)) as ok', [row.lock]);
        if (!free.rows[0]?.ok) continue;
        await db.query('select pg_advisory_unlock(hashtextextended($1, 0))', [row.lock]);
        this.o.log?.info({ unit: row.lock }, 'worker gone: its work handed back to the queue');
        await this.boss.fail(row.name, row.id, { reason: 'worker gone' });
      }
    } finally {
      this.supervising = false;
    }
  }

  /** Stops taking work; waits for the running units when `graceful` (else they are handed back when this process ends). */
  async stop(graceful = true): Promise<void> {
    this.stopping = true;
    if (this.supervisor) clearInterval(this.supervisor);
    if (this.reconnecting) clearTimeout(this.reconnecting);
    // Graceful: the running units finish (each loop ends after its unit); else they are handed
    // back by the other processes' supervisors once this one's locks go.
    if (graceful) await Promise.all(this.loops);
    await this.boss.stop({ graceful: false, wait: true, timeout: 10_000 });
    await this.locks?.end().catch(() => {});
    await this.watch?.end().catch(() => {});
  }
}
