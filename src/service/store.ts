/**
 * Durable batch jobs (SQLite): what the service accepted, its status and results. A job is written
 * before it is acknowledged, so nothing accepted is lost; a restart resumes every job not finished.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type BatchJobTable, type DB, isPostgres } from '../storage/db.js';
import { type Cursor, keysetPage, type PageQuery } from '../storage/paging.js';
import type { EditingBatchJob, SubJob } from '../batch/manifest.js';

export type JobStatus = EditingBatchJob['Status'];

/** A stored job as IMS returns it (CompleteTime only once complete). */
export type BatchJobRecord = Omit<EditingBatchJob, 'CompleteTime'> & { CompleteTime?: string };

export interface NewJob {
  clientToken?: string;
  /** Fingerprint of the submitted parameters (see `paramsHash`). */
  paramsHash?: string;
  jobType: string;
  inputConfig: string;
  editingConfig: string;
  outputConfig: string;
  userData?: string;
  /** The account of the submitting access key (callbacks' UserId). */
  userId?: number;
}

/** Fingerprint of a submission's parameters, for ClientToken reuse. */
export function paramsHash(p: { InputConfig?: string; EditingConfig?: string; OutputConfig?: string; UserData?: string }): string {
  return createHash('sha256')
    .update(JSON.stringify([p.InputConfig ?? '', p.EditingConfig ?? '', p.OutputConfig ?? '', p.UserData ?? '']))
    .digest('hex');
}

/**
 * What a job's plans are seeded by: its ClientToken when it has one (a preview asked with the same
 * token before submitting shows the very plans the job makes), else its id.
 */
export const planSeed = (jobId: string, clientToken?: string | null) => (clientToken ? `token:${clientToken}` : jobId);

/** IMS times: ISO-8601 UTC to the second. */
export const imsTime = (d = new Date()) => `${d.toISOString().slice(0, 19)}Z`;

function toRecord(r: BatchJobTable): BatchJobRecord {
  return {
    JobId: r.id,
    JobType: r.job_type,
    Status: r.status as JobStatus,
    InputConfig: r.input_config,
    EditingConfig: r.editing_config,
    OutputConfig: r.output_config,
    ...(r.user_data !== null ? { UserData: r.user_data } : {}),
    Extend: r.extend,
    CreateTime: r.created_at,
    ModifiedTime: r.modified_at,
    ...(r.completed_at ? { CompleteTime: r.completed_at } : {}),
    SubJobList: JSON.parse(r.sub_jobs) as SubJob[],
  };
}

export class JobStore {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * Records a job (Init). The same ClientToken returns the job already recorded under it, unless
   * the parameters differ (`mismatch`: IMS refuses such a reuse).
   */
  async create(job: NewJob): Promise<{ id: string; created: boolean; mismatch?: boolean }> {
    return this.db.transaction().execute(async (tx) => {
      if (job.clientToken) {
        const hit = await tx
          .selectFrom('batch_jobs')
          .select(['id', 'params_hash'])
          .where('client_token', '=', job.clientToken)
          .executeTakeFirst();
        if (hit)
          return { id: hit.id, created: false, mismatch: !!hit.params_hash && !!job.paramsHash && hit.params_hash !== job.paramsHash };
      }
      const id = randomUUID().replace(/-/g, '');
      const now = imsTime();
      const inserted = await tx
        .insertInto('batch_jobs')
        .values({
          id,
          client_token: job.clientToken ?? null,
          job_type: job.jobType,
          status: 'Init',
          input_config: job.inputConfig,
          editing_config: job.editingConfig,
          output_config: job.outputConfig,
          user_data: job.userData ?? null,
          extend: '{}',
          sub_jobs: '[]',
          created_at: now,
          modified_at: now,
          completed_at: null,
          params_hash: job.paramsHash ?? null,
          attempts: 0,
          user_id: job.userId ?? null,
          seed: planSeed(id, job.clientToken),
        })
        // Two submissions with one ClientToken at once (several processes on one database): the
        // second inserts nothing and answers with the first one's job.
        .onConflict((oc) => oc.column('client_token').doNothing())
        .executeTakeFirst()
        .then(async (r) => {
          if (Number(r.numInsertedOrUpdatedRows ?? 1) > 0 || !job.clientToken) return undefined;
          return tx.selectFrom('batch_jobs').select(['id', 'params_hash']).where('client_token', '=', job.clientToken).executeTakeFirst();
        });
      if (inserted)
        return {
          id: inserted.id,
          created: false,
          mismatch: !!inserted.params_hash && !!job.paramsHash && inserted.params_hash !== job.paramsHash,
        };
      return { id, created: true };
    });
  }

  /** What a job's plans are seeded by (its id for jobs recorded before seeds were). */
  async seedOf(id: string): Promise<string> {
    const r = await this.db.selectFrom('batch_jobs').select('seed').where('id', '=', id).executeTakeFirst();
    return r?.seed ?? id;
  }

  /** The account that submitted a job (callbacks' UserId), if the service knows it. */
  async userIdOf(id: string): Promise<number | undefined> {
    const r = await this.db.selectFrom('batch_jobs').select('user_id').where('id', '=', id).executeTakeFirst();
    return r?.user_id ?? undefined;
  }

  async findByClientToken(token: string): Promise<{ id: string; paramsHash: string | null } | undefined> {
    const r = await this.db.selectFrom('batch_jobs').select(['id', 'params_hash']).where('client_token', '=', token).executeTakeFirst();
    return r ? { id: r.id, paramsHash: r.params_hash } : undefined;
  }

  /** Back to one start (this one): the job made progress. */
  async resetAttempts(id: string): Promise<void> {
    await this.db.updateTable('batch_jobs').set({ attempts: 1 }).where('id', '=', id).execute();
  }

  /** Counts a start of the job by a process; returns how many there have been, this one included. */
  async countAttempt(id: string): Promise<number> {
    await this.db
      .updateTable('batch_jobs')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .execute();
    const r = await this.db.selectFrom('batch_jobs').select('attempts').where('id', '=', id).executeTakeFirst();
    return r?.attempts ?? 0;
  }

  async get(id: string): Promise<BatchJobRecord | undefined> {
    const r = await this.db.selectFrom('batch_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toRecord(r) : undefined;
  }

  /** Jobs by filters, newest first (or oldest with `asc`), a page at a time (keyset paging). */
  async list(
    q: PageQuery & { jobId?: string; jobType?: string; status?: string; startTime?: string; endTime?: string },
  ): Promise<{ jobs: BatchJobRecord[]; next?: Cursor }> {
    let sel = this.db.selectFrom('batch_jobs').selectAll();
    if (q.jobId) sel = sel.where('id', '=', q.jobId);
    if (q.jobType) sel = sel.where('job_type', '=', q.jobType);
    if (q.status) sel = sel.where('status', '=', q.status);
    if (q.startTime) sel = sel.where('created_at', '>=', q.startTime);
    if (q.endTime) sel = sel.where('created_at', '<=', q.endTime);
    const { rows, next } = await keysetPage(sel, q);
    return { jobs: rows.map(toRecord), next };
  }

  /** Jobs accepted but not finished (Init, or Processing when the process stopped), oldest first. */
  async unfinished(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('batch_jobs')
      .select('id')
      .where('status', 'in', ['Init', 'Processing'])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * Reads a job's outputs (and status) in a transaction that holds its row (PostgreSQL's row lock;
   * SQLite's transactions run one at a time), so that processes changing outputs of one job at once
   * do not overwrite each other; `change` answers what to write (outputs, and the job reopened) and
   * what to return.
   */
  private changeSubJobs<T>(
    id: string,
    change: (subJobs: SubJob[], status: string | undefined) => { write?: SubJob[]; reopen?: boolean; result: T },
  ): Promise<T> {
    return this.db.transaction().execute(async (tx) => {
      let q = tx.selectFrom('batch_jobs').select(['sub_jobs', 'status']).where('id', '=', id);
      if (isPostgres(tx)) q = q.forUpdate();
      const row = await q.executeTakeFirst();
      const c = change(JSON.parse(row?.sub_jobs ?? '[]') as SubJob[], row?.status);
      if (c.write)
        await tx
          .updateTable('batch_jobs')
          .set({
            sub_jobs: JSON.stringify(c.write),
            modified_at: imsTime(),
            ...(c.reopen ? { status: 'Processing', completed_at: null } : {}),
          })
          .where('id', '=', id)
          .execute();
      return c.result;
    });
  }

  /**
   * Changes one output of a job (its own unit of work, run by any worker); returns the job's
   * outputs after the change.
   */
  updateSubJob(id: string, index: number, change: (s: SubJob) => SubJob): Promise<SubJob[]> {
    return this.changeSubJobs(id, (subJobs) => {
      if (!subJobs[index]) return { result: subJobs };
      subJobs[index] = change(subJobs[index]);
      return { write: subJobs, result: subJobs };
    });
  }

  /**
   * Records the planned outputs of a job, keeping those an output step recorded meanwhile (a plan
   * step run again); returns the job's outputs.
   */
  planOutputs(id: string, planned: SubJob[]): Promise<SubJob[]> {
    return this.changeSubJobs(id, (old) => {
      const subJobs = planned.map((s, i) => (old[i] && old[i].Status !== 'Init' ? old[i] : s));
      return { write: subJobs, result: subJobs };
    });
  }

  /**
   * Opens a failed output of a finished job again (Init, its error cleared; the job Processing):
   * false when the job is not finished or the output did not fail.
   */
  reopenOutput(id: string, index: number): Promise<boolean> {
    return this.changeSubJobs(id, (subJobs, status) => {
      const s = subJobs[index];
      if ((status !== 'Finished' && status !== 'Failed') || s?.Status !== 'Failed') return { result: false };
      subJobs[index] = { ...s, Status: 'Init', ErrorCode: null, ErrorMessage: null };
      return { write: subJobs, reopen: true, result: true };
    });
  }

  /**
   * Records a job's outcome unless one is recorded already; true when this call did (the process
   * that sends its completion events).
   */
  async complete(id: string, status: 'Finished' | 'Failed', extend: object): Promise<boolean> {
    const now = imsTime();
    const r = await this.db
      .updateTable('batch_jobs')
      .set({ status, modified_at: now, completed_at: now, extend: JSON.stringify(extend) })
      .where('id', '=', id)
      .where('status', 'not in', ['Finished', 'Failed'])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async setStatus(id: string, status: JobStatus, extra: { subJobs?: SubJob[]; extend?: object } = {}): Promise<void> {
    const now = imsTime();
    await this.db
      .updateTable('batch_jobs')
      .set({
        status,
        modified_at: now,
        ...(status === 'Finished' || status === 'Failed' ? { completed_at: now } : {}),
        ...(extra.subJobs ? { sub_jobs: JSON.stringify(extra.subJobs) } : {}),
        ...(extra.extend ? { extend: JSON.stringify(extra.extend) } : {}),
      })
      .where('id', '=', id)
      .execute();
  }
}
