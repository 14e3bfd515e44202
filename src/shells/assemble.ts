/**
 * The wiring the service and the workers share: one database (SQLite file or PostgreSQL URL), the
 * job store, the media library, the durable callbacks and a job runner that publishes each output
 * (its download URL under the service's public URL, and its media ID).
 */
import { basename, join } from 'node:path';
import type { Home } from '../config/home.js';
import type { AccessPolicy } from '../media/fetch.js';
import { MediaLibrary } from '../media/library.js';
import type { RenderSettings } from '../render/settings.js';
import { CallbackDispatcher } from '../service/callbacks.js';
import type { SubJob } from '../batch/manifest.js';
import { prepare } from '../batch/produce.js';
import type { ParsedJob } from '../job/job.js';
import { JobRunner, type RunnerOptions } from '../service/runner.js';
import { JobSteps } from '../service/steps.js';
import { JobStore } from '../service/store.js';
import type { SpeechEngine } from '../speech/engine.js';
import { openDatabase } from '../storage/db.js';
import { type S3Settings, S3OutputStore } from '../storage/objects.js';

export interface RuntimeOptions {
  home: Home;
  /** A postgres:// URL, else the data folder's SQLite file. */
  database?: string;
  engine?: SpeechEngine;
  render?: RenderSettings;
  /** Folders API jobs may name by local path (default none). */
  allowedMediaDirs?: string[];
  /** Limits of material downloads. */
  download?: Omit<AccessPolicy, 'allowedDirs' | 'allowPrivate' | 's3'>;
  maxOutputDuration?: number;
  /** Address space each render's FFmpeg may take, MB (default DEFAULT_RENDER_MEMORY_MB). */
  maxRenderMemoryMB?: number;
  concurrentJobs?: number;
  /** Outputs a worker renders at once (the encoder's share of the cores; default what the cores carry). */
  renders?: number;
  maxQueued?: number;
  allowPrivateUrls?: boolean;
  callbackBaseDelayMs?: number;
  /** The service's base URL as clients reach it (read when an output is published). */
  publicUrl: () => string | undefined;
  /** PostgreSQL connections this process's store may hold at once (default 10). */
  poolSize?: number;
  /** Outputs go to this S3-compatible bucket (else they are served from the data folder). */
  storage?: S3Settings;
}

/** Address space a render's FFmpeg may take by default: 1080x1920 renders peak far below (see README). */
export const DEFAULT_RENDER_MEMORY_MB = 4096;

export async function assembleRuntime(o: RuntimeOptions) {
  // What jobs' materials may reach: allowed folders only, public addresses unless allowed, the
  // download limits; s3:// materials from the bucket server of the storage settings.
  const policy: AccessPolicy = {
    allowedDirs: o.allowedMediaDirs ?? [],
    allowPrivate: o.allowPrivateUrls ?? false,
    ...o.download,
    s3: o.storage,
  };
  const db = await openDatabase(o.database ?? o.home.database, { poolSize: o.poolSize });
  const store = new JobStore(db);
  const library = new MediaLibrary(db, o.home.media);
  const callbacks = new CallbackDispatcher(db, { allowPrivate: o.allowPrivateUrls, baseDelayMs: o.callbackBaseDelayMs });
  const bucket = o.storage ? new S3OutputStore(o.storage) : undefined;
  const runnerOptions: RunnerOptions = {
    outputsDir: join(o.home.root, 'outputs'),
    library,
    // Each successful output: uploaded to the bucket (its link pre-signed) or downloadable at
    // <publicUrl>/outputs/<JobId>/<file>; and in the media library under its place (so that a job
    // run again finds it instead of registering it twice).
    publish: async (job, out) => {
      const name = basename(out.file);
      let url: string;
      let place: string;
      let object: string | undefined;
      if (bucket) {
        place = object = await bucket.publish(job.JobId, out.file, bucket.objectFor(job.JobId, name, out.mediaURL));
        url = await bucket.link(object);
      } else {
        const base = o.publicUrl();
        if (!base) throw new Error('no public URL to publish outputs under');
        url = place = `${base}/outputs/${encodeURIComponent(job.JobId)}/${encodeURIComponent(name)}`;
      }
      const rec = await library.addOnce(out.file, { title: basename(name, '.mp4'), inputUrl: place, sourceJob: job.JobId });
      return { MediaURL: url, MediaId: rec.id, ...(object ? { Object: object } : {}) };
    },
    maxQueued: o.maxQueued,
    home: o.home,
    engine: o.engine,
    render: o.render,
    policy,
    maxOutputDuration: o.maxOutputDuration,
    maxRenderMemoryBytes: (o.maxRenderMemoryMB ?? DEFAULT_RENDER_MEMORY_MB) * 1024 ** 2,
    concurrentJobs: o.concurrentJobs,
    renders: o.renders,
    onComplete: (job) => callbacks.jobCompleted(job),
    onOutput: (job, output) => callbacks.outputCompleted(job, output),
  };
  // SQLite: jobs run in this process, a job at a time each; PostgreSQL: a job's steps and outputs
  // are units any worker takes (the queue).
  const runner = new JobRunner(store, runnerOptions);
  const steps = new JobSteps(store, runnerOptions);
  /** A job as answered: each output's link signed anew from its object (links expire), the object not shown. */
  const present = async <J extends { SubJobList: SubJob[] }>(job: J): Promise<J> => ({
    ...job,
    SubJobList: await Promise.all(
      job.SubJobList.map(async ({ Object: object, ...s }) => (object && bucket ? { ...s, MediaURL: await bucket.link(object) } : s)),
    ),
  });
  /** A job prepared (materials, speech, plans) as its renders would be, without rendering: previews. */
  const prepareJob = (parsed: ParsedJob, seed: string) =>
    prepare(parsed, { seed, home: o.home, engine: o.engine, policy, maxOutputDuration: o.maxOutputDuration, library });
  return { db, store, library, callbacks, runner, steps, present, prepareJob, close: () => bucket?.destroy() };
}
