/** The manifest of a batch, shaped like IMS GetBatchMediaProducingJob plus reelsmith's plan details. */
import type { ReelsmithError } from '../errors.js';
import type { Uniqueness } from '../planner/plan.js';
import type { Timeline } from '../planner/timeline.js';
import type { Quality } from '../render/quality.js';
import type { ParsedJob } from '../job/job.js';

export interface SubJobResult {
  index: number;
  mediaURL: string;
  file: string;
  timeline?: Timeline;
  error?: ReelsmithError;
  status: 'Init' | 'Processing' | 'Success' | 'Failed';
  /** The output's self-check figures (render/quality.ts). */
  quality?: Quality;
}

export interface SubJob {
  JobId: string;
  MediaURL: string;
  Duration: number | null;
  Status: SubJobResult['status'];
  ErrorCode: string | null;
  ErrorMessage: string | null;
  /** The output in the media library (the service registers each successful output, as IMS does). */
  MediaId?: string;
  /** reelsmith extension: the figures the output was checked by before it was called a success. */
  Quality?: Quality;
  /**
   * Internal, never in answers: the output's object (s3://bucket/key) when outputs go to a bucket;
   * its download link is signed from it each time it is answered (links expire, objects do not).
   */
  Object?: string;
}

/** What publishing an output gives: its download link, its media ID, its object when in a bucket. */
export type Published = Pick<SubJob, 'MediaURL' | 'MediaId' | 'Object'>;

/** IMS's view of one output. */
export function subJob(jobId: string, r: SubJobResult): SubJob {
  return {
    JobId: `${jobId}-${r.index}`,
    MediaURL: r.mediaURL,
    Duration: r.timeline ? r.timeline.duration : null,
    Status: r.status,
    ErrorCode: r.error?.code ?? null,
    ErrorMessage: r.error?.message ?? null,
    ...(r.quality ? { Quality: r.quality } : {}),
  };
}

/** IMS's EditingBatchJob (GetBatchMediaProducingJob). */
export interface EditingBatchJob {
  JobId: string;
  JobType: string;
  Status: 'Init' | 'Processing' | 'Finished' | 'Failed';
  InputConfig: string;
  EditingConfig: string;
  OutputConfig: string;
  UserData?: string;
  Extend: string;
  CreateTime: string;
  ModifiedTime: string;
  CompleteTime: string | null;
  SubJobList: SubJob[];
}

export interface Manifest {
  RequestId: string;
  EditingBatchJob: EditingBatchJob;
  Seed: string;
  Uniqueness: Uniqueness;
  Warnings: string[];
  Plans: { index: number; file: string; timeline: Timeline | null; notes: string[] }[];
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function buildManifest(a: {
  jobId: string;
  parsed: ParsedJob;
  /** The plans' seed, uniqueness figures and what they left out. */
  prepared: { seed: string; plan: { uniqueness: Uniqueness }; warnings: string[] };
  results: SubJobResult[];
  created: Date;
  completed: Date;
}): Manifest {
  const { parsed, results } = a;
  const allFailed = results.every((r) => r.status === 'Failed');
  const preview = parsed.job.output.previewOnly;
  const failed = results.filter((r) => r.status === 'Failed');
  return {
    RequestId: a.jobId,
    EditingBatchJob: {
      JobId: a.jobId,
      JobType: parsed.job.type,
      Status: allFailed ? 'Failed' : preview ? 'Init' : 'Finished',
      InputConfig: parsed.raw.InputConfig,
      EditingConfig: parsed.raw.EditingConfig,
      OutputConfig: parsed.raw.OutputConfig,
      UserData: parsed.raw.UserData,
      Extend: JSON.stringify(
        failed.length > 0 ? { ErrorCode: failed[0].error?.code, ErrorMessage: failed[0].error?.message, FailedCount: failed.length } : {},
      ),
      CreateTime: iso(a.created),
      ModifiedTime: iso(a.completed),
      CompleteTime: preview ? null : iso(a.completed),
      SubJobList: results.map((r) => subJob(a.jobId, r)),
    },
    Seed: a.prepared.seed,
    Uniqueness: a.prepared.plan.uniqueness,
    Warnings: [...parsed.warnings, ...a.prepared.warnings],
    Plans: results.map((r) => ({ index: r.index, file: r.file, timeline: r.timeline ?? null, notes: r.timeline?.notes ?? [] })),
  };
}
