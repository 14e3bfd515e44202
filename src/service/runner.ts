/**
 * The in-process queue: runs accepted batch jobs one after the other (each renders its outputs in
 * parallel), records their progress and results in the JobStore, and on start resumes every job
 * that was accepted but not finished (after a crash or a restart).
 */
import { join } from 'node:path';
import { asReelsmithError } from '../errors.js';
import type { Home } from '../config/home.js';
import type { RenderSettings } from '../render/settings.js';
import type { SpeechEngine } from '../speech/engine.js';
import type { AccessPolicy } from '../media/fetch.js';
import { parseJobParams } from '../job/parse.js';
import { removePartials } from '../render/render.js';
import { produce } from '../batch/produce.js';
import type { Published, SubJob } from '../batch/manifest.js';
import type { JobStore } from './store.js';
import type { MediaLibrary } from '../media/library.js';

export interface RunnerOptions {
  /** Where outputs are written: <outputsDir>/<JobId>/. */
  outputsDir: string;
  /** Jobs waiting at most; beyond, submissions are refused (Throttling.User). */
  maxQueued?: number;
  /** Jobs run at once (default 2), each rendering its outputs on its own pool. */
  concurrentJobs?: number;
  /** Relative material paths in jobs resolve against this folder. */
  baseDir?: string;
  /**
   * Called when a job's outcome is known, before it is recorded: events recorded here are never
   * lost (a crash in between runs the job again; its outputs are kept, its events sent twice).
   */
  onComplete?: (job: { JobId: string; Status: 'Finished' | 'Failed'; UserData?: string; UserId?: number }) => Promise<void>;
  /** The data folder (caches, library) the jobs use. */
  home: Home;
  /** The speech engine (espeak-ng unless the service configures another). */
  engine?: SpeechEngine;
  /** How renders run. */
  render?: RenderSettings;
  /** What jobs' local paths and URLs may reach. */
  policy?: AccessPolicy;
  /** Longest output, seconds. */
  maxOutputDuration?: number;
  /** Address space each render's FFmpeg may use, bytes. */
  maxRenderMemoryBytes?: number;
  /** Outputs a worker renders at once (its `--renders`): each render's encoder gets its share of the cores. */
  renders?: number;
  /** Starts of one job without a new output before it is failed (default 5; a job that kills its process must not kill every restart). */
  maxAttempts?: number;
  /** Where job events and internal details go (pino-compatible). */
  log?: RunnerLog;
  /** Called as each output is made or fails (per-output events). */
  /**
   * Makes a successful output available to clients: its download URL (the answer's MediaURL) and its
   * media ID. Called once per output and job run (again for outputs kept from an earlier run: it
   * must be idempotent). Without it, MediaURL is the output's file name.
   */
  /** The media library media IDs resolve in (the service's, on its database). */
  library?: MediaLibrary;
  publish?: (job: { JobId: string }, output: { index: number; file: string; mediaURL: string }) => Promise<Published>;
  onOutput?: (
    job: { JobId: string; UserData?: string; UserId?: number },
    output: { MediaURL: string; MediaId: string; Status: string; ErrorCode: string | null; ErrorMessage: string | null },
  ) => Promise<void>;
}

export interface RunnerLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const silent: RunnerLog = { info() {}, error() {} };

export class JobRunner {
  /** Jobs accepted and not finished: waiting, then running (a job leaves when it is done). */
  private readonly queue: string[] = [];
  private readonly active = new Set<string>();
  private stopped = false;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly store: JobStore,
    private readonly o: RunnerOptions,
  ) {}

  /** Sends job events to this log (the service's, once it exists). */
  setLog(log: RunnerLog): void {
    this.o.log = log;
  }

  /** Queues every unfinished job of the store (call once at start). */
  async resume(): Promise<void> {
    for (const id of await this.store.unfinished()) this.enqueue(id);
  }

  get full(): boolean {
    return this.queue.length >= (this.o.maxQueued ?? 100);
  }

  enqueue(id: string): void {
    if (!this.queue.includes(id)) this.queue.push(id);
    this.pump();
  }

  /**
   * Starts waiting jobs, oldest first, while fewer than `concurrentJobs` run: a job held up by a
   * slow download or a long batch does not stop the next one from starting.
   */
  private pump(): void {
    const max = this.o.concurrentJobs ?? 2;
    for (const id of this.queue) {
      if (this.stopped || this.active.size >= max) break;
      if (this.active.has(id)) continue;
      this.active.add(id);
      void this.runJob(id)
        .catch((err: unknown) => (this.o.log ?? silent).error({ JobId: id, err }, 'job runner failed'))
        .finally(() => {
          this.active.delete(id);
          this.queue.splice(this.queue.indexOf(id), 1);
          if (this.active.size === 0 && this.queue.length === 0) for (const w of this.waiters.splice(0)) w();
          else this.pump();
        });
    }
  }

  /** Resolves when the queue is empty and nothing runs. */
  idle(): Promise<void> {
    if (this.active.size === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
  }

  /** Runs one job to its end (also called by queue workers, which take jobs from elsewhere). */
  async runJob(id: string): Promise<void> {
    const job = await this.store.get(id);
    if (!job || job.Status === 'Finished' || job.Status === 'Failed') return;
    // Events name the job's account (the submitting key's UserId).
    const owner = { JobId: id, UserData: job.UserData, UserId: await this.store.userIdOf(id) };
    const log = this.o.log ?? silent;
    const attempts = await this.store.countAttempt(id);
    const maxAttempts = this.o.maxAttempts ?? 5;
    if (attempts > maxAttempts) {
      // Started this many times and never finished: the job itself stops the process (memory, a crash).
      const message = `the job was started ${maxAttempts} times and the service stopped each time before it finished; it is not tried again`;
      log.error({ JobId: id, attempts }, 'job failed: too many attempts');
      await this.o.onComplete?.({ ...owner, Status: 'Failed' }).catch(() => {});
      await this.store.setStatus(id, 'Failed', { extend: { ErrorCode: 'JobAttemptsExceeded', ErrorMessage: message } });
      return;
    }
    await this.store.setStatus(id, 'Processing');
    const started = Date.now();
    log.info({ JobId: id, attempt: attempts }, 'job started');
    try {
      const parsed = parseJobParams(job, this.o);
      // Seeded by the job, so that a resumed job plans the same outputs and keeps those already made;
      // renders interrupted by a crash left only temporary files, which go.
      const outDir = join(this.o.outputsDir, id);
      await removePartials(outDir);
      const outputEvents: Promise<void>[] = [];
      // Sub-jobs are visible (Init, Processing, Success, Failed) while the job runs.
      let subJobs: SubJob[] = [];
      // Each successful output published once per run (index → its URL and media ID).
      const published = new Map<number, Promise<Published | undefined>>();
      const publish = (index: number, file: string) => {
        let p = published.get(index);
        if (!p) {
          p = this.o.publish
            ? this.o
                .publish({ JobId: id }, { index, file, mediaURL: parsed.job.output.mediaURL.replaceAll('{index}', String(index)) })
                .catch((err: Error) => {
                  log.error({ JobId: id, output: index, stage: 'publish', error: err.message }, 'output not published');
                  return undefined;
                })
            : Promise.resolve(undefined);
          published.set(index, p);
        }
        return p;
      };
      let saving: Promise<void> = Promise.resolve();
      const save = () => {
        const snapshot = subJobs.map((x) => ({ ...x }));
        saving = saving.then(() => this.store.setStatus(id, 'Processing', { subJobs: snapshot }));
      };
      const m = await produce(parsed, {
        outDir,
        jobId: id,
        seed: await this.store.seedOf(id),
        resume: true,
        home: this.o.home,
        engine: this.o.engine,
        render: this.o.render,
        policy: this.o.policy,
        maxOutputDuration: this.o.maxOutputDuration,
        maxRenderMemoryBytes: this.o.maxRenderMemoryBytes,
        library: this.o.library,
        onEvent: (e) => {
          if (e.type === 'output-done') {
            (e.error ? log.error : log.info).call(
              log,
              {
                JobId: id,
                output: e.index,
                stage: 'render',
                ...(e.error ? { code: e.error.code, error: e.error.message, detail: e.error.detail } : {}),
              },
              e.error ? 'output failed' : 'output done',
            );
            // An output made is progress: the job is not one that stops the service on every start.
            if (!e.error) saving = saving.then(() => this.store.resetAttempts(id));
          }
          if (e.type === 'outputs') {
            subJobs = e.subJobs;
            save();
          } else if (e.type === 'output-start' || e.type === 'output-done') {
            const s = subJobs[e.index];
            if (s) {
              s.Status = e.type === 'output-start' ? 'Processing' : e.error ? 'Failed' : 'Success';
              if (e.type === 'output-done' && e.error) [s.ErrorCode, s.ErrorMessage] = [e.error.code, e.error.message];
              save();
            }
          }
          if (e.type !== 'output-done') return;
          const done = e;
          outputEvents.push(
            (async () => {
              const pub = done.error ? undefined : await publish(done.index, done.file);
              const s = subJobs[done.index];
              if (s && pub) {
                Object.assign(s, pub);
                save();
              }
              await this.o.onOutput?.(owner, {
                MediaURL: pub?.MediaURL ?? parsed.job.output.mediaURL.replaceAll('{index}', String(done.index)),
                MediaId: pub?.MediaId ?? '',
                Status: done.error ? 'Failed' : 'Success',
                ErrorCode: done.error?.code ?? null,
                ErrorMessage: done.error?.message ?? null,
              });
            })(),
          );
        },
      });
      await Promise.all(outputEvents);
      await saving;
      const b = m.EditingBatchJob;
      // Every successful output published, also those kept from an earlier run.
      for (const [k, s] of b.SubJobList.entries()) {
        const file = m.Plans[k]?.file;
        if (s.Status !== 'Success' || !file) continue;
        const pub = await publish(k, file);
        if (pub) Object.assign(s, pub);
      }
      const status = b.Status === 'Failed' ? 'Failed' : 'Finished';
      await this.o.onComplete?.({ ...owner, Status: status });
      await this.store.setStatus(id, status, { subJobs: b.SubJobList, extend: JSON.parse(b.Extend || '{}') });
      log.info({ JobId: id, status, durationMs: Date.now() - started }, 'job done');
    } catch (err) {
      const e = asReelsmithError(err);
      log.error({ JobId: id, code: e.code, error: e.message, detail: e.detail, durationMs: Date.now() - started }, 'job failed');
      await this.o.onComplete?.({ ...owner, Status: 'Failed' }).catch(() => {});
      await this.store.setStatus(id, 'Failed', { extend: { ErrorCode: e.code, ErrorMessage: e.message } });
    }
  }
}
