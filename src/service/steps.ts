/**
 * A job of the scaled deployment as units of work any worker may take (service/queue.ts):
 *
 * - **plan**: parses and plans the job (seeded by its ClientToken, else its id), records its outputs (Init, or Failed
 *   with the plan's reason) and answers the outputs to render, each queued as its own unit;
 * - **output**: renders one output, publishes it, records it; answers whether it was the job's last;
 * - **complete**: records the job's outcome once and its completion events.
 *
 * Every step may run again (a worker lost mid-step): the plan is the same (same seed), an output
 * already under its final name is not rendered again and a render finishing second never replaces
 * it (renderTimeline's keepExisting), a recorded output or outcome is not recorded twice.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { asReelsmithError, ReelsmithError } from '../errors.js';
import { type Prepared, plannedOutputs, prepare, refuseOverwrites, renderOutput } from '../batch/produce.js';
import { type SubJob, subJob } from '../batch/manifest.js';
import { parseJobParams } from '../job/parse.js';
import { removePartials } from '../render/render.js';
import type { BatchJobRecord, JobStore } from './store.js';
import type { RunnerLog, RunnerOptions } from './runner.js';

const silent: RunnerLog = { info() {}, error() {} };
const terminal = (s: SubJob) => s.Status === 'Success' || s.Status === 'Failed';

/** The outcome of a job from its outputs (IMS: Failed only when every output failed). */
export function jobOutcome(subJobs: SubJob[]): { status: 'Finished' | 'Failed'; extend: object } {
  const failed = subJobs.filter((s) => s.Status === 'Failed');
  return {
    status: subJobs.length > 0 && failed.length === subJobs.length ? 'Failed' : 'Finished',
    extend: failed.length > 0 ? { ErrorCode: failed[0].ErrorCode, ErrorMessage: failed[0].ErrorMessage, FailedCount: failed.length } : {},
  };
}

export class JobSteps {
  /** Prepared jobs (materials fetched, speech made, plans) kept for the next outputs of the same job. */
  private readonly prepared = new Map<string, Promise<Prepared>>();
  private log: RunnerLog;

  constructor(
    private readonly store: JobStore,
    private readonly o: RunnerOptions,
  ) {
    this.log = o.log ?? silent;
  }

  setLog(log: RunnerLog): void {
    this.log = log;
  }

  private outDir(id: string): string {
    return join(this.o.outputsDir, id);
  }

  /** The job prepared on this machine (once per job while it is among the last few). */
  private prepare(job: BatchJobRecord): Promise<Prepared> {
    let p = this.prepared.get(job.JobId);
    if (!p) {
      p = (async () => {
        return prepare(parseJobParams(job, this.o), {
          seed: await this.store.seedOf(job.JobId),
          home: this.o.home,
          engine: this.o.engine,
          policy: this.o.policy,
          maxOutputDuration: this.o.maxOutputDuration,
          library: this.o.library,
        });
      })();
      this.prepared.set(job.JobId, p);
      p.catch(() => this.prepared.delete(job.JobId));
      while (this.prepared.size > 4) this.prepared.delete(this.prepared.keys().next().value as string);
    }
    return p;
  }

  private async owner(job: BatchJobRecord) {
    return { JobId: job.JobId, UserData: job.UserData, UserId: await this.store.userIdOf(job.JobId) };
  }

  /** Fails the whole job with a reason (its events first: never lost, maybe sent twice). */
  private async failJob(job: BatchJobRecord, e: ReelsmithError): Promise<void> {
    this.log.error({ JobId: job.JobId, code: e.code, error: e.message, detail: e.detail }, 'job failed');
    await this.o.onComplete?.({ ...(await this.owner(job)), Status: 'Failed' });
    await this.store.complete(job.JobId, 'Failed', { ErrorCode: e.code, ErrorMessage: e.message });
  }

  /**
   * Plans a job and records its outputs; answers the indices to render (none: the job is complete
   * or failed already, or `complete` is to be queued — `done`).
   */
  async plan(id: string, attempt: number): Promise<{ render: number[]; done: boolean }> {
    const job = await this.store.get(id);
    if (!job || job.Status === 'Finished' || job.Status === 'Failed') return { render: [], done: false };
    const maxAttempts = this.o.maxAttempts ?? 5;
    if (attempt > maxAttempts) {
      await this.failJob(
        job,
        new ReelsmithError(
          'JobAttemptsExceeded',
          `the job was started ${maxAttempts} times and its worker stopped each time before it was planned; it is not tried again`,
        ),
      );
      return { render: [], done: false };
    }
    await this.store.setStatus(id, 'Processing');
    this.log.info({ JobId: id, attempt }, 'job planning');
    let planned: SubJob[];
    let previewOnly: boolean;
    try {
      const prepared = await this.prepare(job);
      const results = plannedOutputs(prepared, this.outDir(id));
      await refuseOverwrites(prepared, results, this.outDir(id), true);
      planned = results.map((r) => subJob(id, { ...r, status: r.status === 'Processing' ? 'Init' : r.status }));
      previewOnly = prepared.parsed.job.output.previewOnly;
    } catch (err) {
      await this.failJob(job, asReelsmithError(err));
      return { render: [], done: false };
    }
    // A plan step run again keeps what output steps recorded meanwhile.
    const subJobs = await this.store.planOutputs(id, planned);
    if (previewOnly) return { render: [], done: true };
    const render = subJobs.flatMap((s, i) => (terminal(s) ? [] : [i]));
    this.log.info({ JobId: id, outputs: subJobs.length, toRender: render.length }, 'job planned');
    return { render, done: render.length === 0 };
  }

  /** Renders one output and records it; answers whether every output of its job is now recorded. */
  async output(id: string, index: number, attempt: number): Promise<{ done: boolean }> {
    const job = await this.store.get(id);
    const recorded = job?.SubJobList[index];
    if (!job || !recorded || job.Status === 'Finished' || job.Status === 'Failed') return { done: false };
    if (terminal(recorded)) return { done: job.SubJobList.every(terminal) };
    const maxAttempts = this.o.maxAttempts ?? 5;
    const record = async (s: Pick<SubJob, 'Status' | 'ErrorCode' | 'ErrorMessage'> & Partial<SubJob>) => {
      const all = await this.store.updateSubJob(id, index, (old) => (terminal(old) ? old : { ...old, ...s }));
      return { done: all.every(terminal) };
    };
    if (attempt > maxAttempts) {
      this.log.error({ JobId: id, output: index, attempts: attempt - 1 }, 'output failed: too many attempts');
      return record({
        Status: 'Failed',
        ErrorCode: 'OutputAttemptsExceeded',
        ErrorMessage: `the output was started ${maxAttempts} times and its worker stopped each time before it was made; it is not tried again`,
      });
    }
    let prepared: Prepared;
    try {
      prepared = await this.prepare(job);
    } catch (err) {
      // It was planned: a download or a probe failing now is retried (a new attempt), then final.
      if (attempt < maxAttempts) throw err;
      const e = asReelsmithError(err);
      return record({ Status: 'Failed', ErrorCode: e.code, ErrorMessage: e.message });
    }
    const r = plannedOutputs(prepared, this.outDir(id))[index];
    if (!r?.timeline)
      return record({ Status: 'Failed', ErrorCode: r?.error?.code ?? 'InternalError', ErrorMessage: r?.error?.message ?? 'not planned' });
    await mkdir(dirname(r.file), { recursive: true });
    const log = this.log;
    if (existsSync(r.file)) {
      // Made by an earlier attempt whose worker stopped before recording it.
      r.status = 'Success';
      log.info({ JobId: id, output: index }, 'output kept from an earlier attempt');
    } else {
      await removePartials(dirname(r.file), r.file);
      await this.store.updateSubJob(id, index, (old) => (terminal(old) ? old : { ...old, Status: 'Processing' }));
      await renderOutput(prepared, r, {
        jobs: this.o.renders,
        home: this.o.home,
        render: this.o.render,
        maxRenderMemoryBytes: this.o.maxRenderMemoryBytes,
        keepExisting: true,
        onEvent: (e) => {
          if (e.type === 'output-done')
            (e.error ? log.error : log.info).call(
              log,
              {
                JobId: id,
                output: index,
                stage: 'render',
                ...(e.error ? { code: e.error.code, error: e.error.message, detail: e.error.detail } : {}),
              },
              e.error ? 'output failed' : 'output done',
            );
        },
      });
    }
    const s = subJob(id, r);
    const pub = r.status === 'Success' ? await this.o.publish?.({ JobId: id }, { index, file: r.file, mediaURL: r.mediaURL }) : undefined;
    if (pub) Object.assign(s, pub);
    // Its event first, then its record: an event is never lost (a step run again may send it twice).
    await this.o.onOutput?.(await this.owner(job), {
      MediaURL: s.MediaURL,
      MediaId: s.MediaId ?? '',
      Status: s.Status,
      ErrorCode: s.ErrorCode,
      ErrorMessage: s.ErrorMessage,
    });
    return record(s);
  }

  /** Records the job's outcome from its outputs, once, after its completion events. */
  async complete(id: string): Promise<void> {
    const job = await this.store.get(id);
    if (!job || job.Status === 'Finished' || job.Status === 'Failed') return;
    const { status, extend } = jobOutcome(job.SubJobList);
    await this.o.onComplete?.({ ...(await this.owner(job)), Status: status });
    if (await this.store.complete(id, status, extend)) {
      this.log.info({ JobId: id, status }, 'job done');
      this.prepared.delete(id);
    }
  }
}
