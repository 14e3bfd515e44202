/**
 * The batch pipeline, as a library call: parse → resolve materials → draw variants → synthesize
 * speech → plan → render each output (as many at once as asked) → manifest. Shells (CLI, later the
 * service) only call this and present its events.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { fontFamily } from '../captions/fonts.js';
import { assWidths, fileMeasure, fontMeasure } from '../captions/metrics.js';
import type { Home } from '../config/home.js';
import { asReelsmithError, JobValidationError, ReelsmithError } from '../errors.js';
import type { AccessPolicy } from '../media/fetch.js';
import { DEFAULT_MAX_OUTPUT_DURATION } from '../job/parse.js';
import { namedRefs } from '../job/refs.js';
import { type FontFile, resolveFont } from '../media/fonts.js';
import { MediaLibrary } from '../media/library.js';
import { MusicLibrary } from '../media/music.js';
import { resolveMaterials, type ResolvedMaterials } from '../media/resolve.js';
import { type SpeechTimes, speechKey } from '../planner/inputs.js';
import { type BatchPlan, isFailure, planBatch } from '../planner/plan.js';
import type { Timeline } from '../planner/timeline.js';
import { drawVariants } from '../planner/variants.js';
import { QualityCheckError } from '../render/quality.js';
import { renderTimeline } from '../render/render.js';
import type { SourceSize } from '../render/graph.js';
import { recordRender } from '../render/speed.js';
import type { RenderSettings } from '../render/settings.js';
import type { ParsedJob } from '../job/job.js';
import type { SpeechEngine } from '../speech/engine.js';
import { EspeakEngine } from '../speech/espeak.js';
import { SpeechSynthesizer } from '../speech/synth.js';
import { openDatabase } from '../storage/db.js';
import { mapLimit } from '../util/concurrency.js';
import { Rng } from '../util/rng.js';
import { overwriteIssues, prepareOutDir } from './outputs.js';
import { buildManifest, type Manifest, type SubJob, type SubJobResult, subJob } from './manifest.js';

export type ProduceEvent =
  | { type: 'stage'; stage: 'resolve' | 'speech' | 'plan' | 'render'; detail?: string }
  /** The outputs planned, before any renders (their current state). */
  | { type: 'outputs'; subJobs: SubJob[] }
  | { type: 'output-start'; index: number; file: string }
  | { type: 'output-progress'; index: number; fraction: number }
  | { type: 'output-retry'; index: number; attempt: number; error: ReelsmithError }
  | { type: 'output-done'; index: number; file: string; error?: ReelsmithError };

export interface PrepareOptions {
  seed?: number | string;
  /** The data folder (caches, library, music): passed in by the shell, never read from the environment. */
  home: Home;
  /** What the job's local paths and URLs may reach (default: anything, as on the command line). */
  policy?: AccessPolicy;
  /** Longest output, seconds (default 600): a longer plan fails that output, saying so. */
  maxOutputDuration?: number;
  engine?: SpeechEngine;
  onEvent?: (e: ProduceEvent) => void;
  /** The media library media IDs resolve in (the service's, on its database); default the data folder's. */
  library?: MediaLibrary;
}

export interface Prepared {
  parsed: ParsedJob;
  seed: string;
  materials: ResolvedMaterials;
  plan: BatchPlan;
  speechClips: Map<string, string>;
  fonts: Map<string, FontFile>;
  /** What was left out for a reason the user may accept, once for the batch (manifest `Warnings`). */
  warnings: string[];
}

/**
 * Materials that refuse the whole job: anything named that cannot be used, except a download that
 * failed (the outputs that need it fail, naming it; others are made). A missing local file, a
 * folder, a device, an unknown media ID or a file that is not media is the job's own mistake.
 */
function refusedMaterials(
  job: Prepared['parsed']['job'],
  infos: ResolvedMaterials['infos'],
  fontErrors: Map<string, ReelsmithError>,
): { path: string; reason: string }[] {
  const issues: { path: string; reason: string }[] = [];
  for (const n of namedRefs(job)) {
    const err = infos.get(n.ref) ?? fontErrors.get(n.ref);
    if (!(err instanceof Error)) continue;
    const e = asReelsmithError(err);
    if (n.kind === 'url' && e.code !== 'InvalidParameter') continue;
    issues.push({ path: n.path, reason: e.message });
  }
  return issues;
}

/** Everything up to (and including) the plans; no rendering. */
export async function prepare(parsed: ParsedJob, opts: PrepareOptions): Promise<Prepared> {
  const home = opts.home;
  const emit = opts.onEvent ?? (() => {});
  const job = parsed.job;
  const seed = String(opts.seed ?? randomBytes(4).readUInt32BE(0));

  emit({ type: 'stage', stage: 'resolve' });
  // BackgroundMusicConfig.Style: the library's tracks of those styles, when the job names no music.
  const styleMusic =
    job.music.length === 0 && job.musicConfig.styles.length > 0
      ? (await Promise.all(job.musicConfig.styles.map((s) => new MusicLibrary(home.music).tracks(s)))).flat()
      : [];
  const refs = [...namedRefs(job).flatMap((n) => (n.font ? [] : [n.ref])), ...styleMusic];
  const needsLibrary = refs.some((r) => !/[/.]/.test(r));
  const db = needsLibrary && !opts.library ? await openDatabase(home.database) : undefined;
  let materials: ResolvedMaterials;
  try {
    const library = opts.library ?? (db ? new MediaLibrary(db, home.media) : undefined);
    materials = await resolveMaterials(refs, { baseDir: job.baseDir, cacheDir: home.cache, library, policy: opts.policy });
  } finally {
    await db?.destroy();
  }

  // Custom fonts (FontUrl): a font that cannot be loaded fails every output, naming it.
  const fonts = new Map<string, FontFile>();
  const fontErrors = new Map<string, ReelsmithError>();
  for (const ref of new Set(namedRefs(job).flatMap((n) => (n.font ? [n.ref] : [])))) {
    try {
      fonts.set(ref, await resolveFont(ref, job.baseDir, home.cache, opts.policy));
    } catch (err) {
      fontErrors.set(ref, asReelsmithError(err));
    }
  }
  const refused = refusedMaterials(job, materials.infos, fontErrors);
  if (refused.length > 0) throw new JobValidationError(refused);
  const fontError = [...fontErrors.values()][0];
  const captionFont = job.speech.captions.fontUrl ? fonts.get(job.speech.captions.fontUrl) : undefined;

  const rng = new Rng(seed);
  const measure = captionFont ? fileMeasure(captionFont.path) : fontMeasure(fontFamily(job.speech.captions.font));
  const titleFont = job.title.fontUrl ? fonts.get(job.title.fontUrl) : undefined;
  // Titles are fitted to the width libass really draws (see assWidths); captions keep their em rule.
  const titleMeasure = titleFont
    ? assWidths(fileMeasure(titleFont.path), { path: titleFont.path })
    : assWidths(fontMeasure(fontFamily(job.title.font)), { family: fontFamily(job.title.font) });
  const variants = drawVariants(job, rng, measure, styleMusic);

  emit({ type: 'stage', stage: 'speech' });
  const synthesizer = new SpeechSynthesizer(opts.engine ?? new EspeakEngine(), home.cache);
  const speech: SpeechTimes = new Map();
  const speechClips = new Map<string, string>();
  const speechErrors = new Map<number, ReelsmithError>();
  for (const v of variants) {
    const sentences = v.voiceOver.flatMap((p) => p.sentences.map((u) => u.say));
    try {
      const clips = await mapLimit(sentences, 2, (text) => synthesizer.clip(v.voice, v.rate, text, job.speech.language, v.style));
      clips.forEach((clip, i) => {
        speech.set(speechKey(v.voice, v.rate, sentences[i], v.style), { clipId: clip.clipId, duration: clip.duration });
        speechClips.set(clip.clipId, clip.path);
      });
    } catch (err) {
      speechErrors.set(v.index, asReelsmithError(err));
    }
  }

  emit({ type: 'stage', stage: 'plan' });
  const plan = planBatch(job, materials.infos, variants, speech, rng, { caption: measure, title: titleMeasure });
  for (const [index, error] of speechErrors) plan.timelines[index] = { index, error };
  if (fontError) plan.timelines = plan.timelines.map((_, index) => ({ index, error: fontError }));
  // A plan longer than the service makes (SSML pauses can add up to hours) fails, saying so.
  const maxDuration = opts.maxOutputDuration ?? DEFAULT_MAX_OUTPUT_DURATION;
  plan.timelines = plan.timelines.map((t) =>
    !isFailure(t) && t.duration > maxDuration
      ? {
          index: t.index,
          error: new ReelsmithError(
            'InvalidParameter',
            `the plan of output ${t.index} lasts ${t.duration.toFixed(1)} s; the longest output is ${maxDuration} s (shorten the voice-over or its pauses)`,
          ),
        }
      : t,
  );
  return { parsed, seed, materials, plan, speechClips, fonts, warnings: plan.warnings };
}

export interface ProduceOptions extends PrepareOptions {
  outDir: string;
  /** Outputs rendered at once; default: what the machine's cores carry. */
  jobs?: number;
  jobId?: string;
  /**
   * Keep outputs already in outDir instead of rendering them again (resuming a job: with the same
   * seed the plans are the same, and a file under its final name is always complete).
   */
  resume?: boolean;
  /** Pauses before retrying an output whose render failed transiently (default 1 s, 4 s). */
  renderRetryDelaysMs?: number[];
  renderTimeoutMs?: number;
  signal?: AbortSignal;
  /** Check each output before it is called a success (default on; the bench measures its cost). */
  check?: boolean;
  /** Address space each render's FFmpeg may use, bytes (default unbounded). */
  maxRenderMemoryBytes?: number;
  /** How renders run (shader hosting, debugging switches, FFmpeg's malloc); default DEFAULT_RENDER. */
  render?: RenderSettings;
}

export function defaultConcurrency(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

/**
 * libx264's threads for each of `jobs` renders at once: x264's own rule (1.5 threads a core) on
 * the render's share of the cores rather than on all of them, which gave every render of a batch
 * as many threads as the machine (each thread holds frames: memory, and contention).
 */
export function encoderThreads(jobs: number): number {
  return Math.max(1, Math.round((1.5 * availableParallelism()) / Math.max(1, jobs)));
}

export function outputFileName(mediaURL: string, index: number): string {
  const name = mediaURL.replaceAll('{index}', String(index));
  const base = basename(/^[a-z]+:\/\//i.test(name) ? new URL(name).pathname : name);
  return base.toLowerCase().endsWith('.mp4') ? base : `${base}.mp4`;
}

/** The same timeline with every clip cut by decoding from its start (no input seeking). */
function safeTimeline(t: Timeline): Timeline {
  return {
    ...t,
    shots: t.shots.map((s) => (s.material.kind === 'video' ? { ...s, material: { ...s.material, seek: 'decode' as const } } : s)),
  };
}

/** The outputs of a prepared batch as planned (file names under outDir, plan failures failed). */
export function plannedOutputs(prepared: Prepared, outDir: string): SubJobResult[] {
  const { job } = prepared.parsed;
  return prepared.plan.timelines.map((t, index) => ({
    index,
    mediaURL: job.output.mediaURL.replaceAll('{index}', String(index)),
    file: join(outDir, outputFileName(job.output.mediaURL, index)),
    timeline: isFailure(t) ? undefined : t,
    error: isFailure(t) ? t.error : undefined,
    status: isFailure(t) ? 'Failed' : job.output.previewOnly ? 'Init' : 'Processing',
  }));
}

/** What rendering one output needs besides its plan. */
export type RenderOutputOptions = Pick<
  ProduceOptions,
  'home' | 'check' | 'maxRenderMemoryBytes' | 'render' | 'renderTimeoutMs' | 'renderRetryDelaysMs' | 'signal' | 'onEvent' | 'jobs'
> & {
  /**
   * An output already there under its final name is kept and this render discarded (another
   * process finished it first): the first finisher wins, nothing is overwritten.
   */
  keepExisting?: boolean;
};

/** Sizes and aspect ratios of the usable materials (the render's background decisions). */
export function materialGeometry(prepared: Prepared): { aspects: Map<string, number>; sizes: Map<string, SourceSize> } {
  const aspects = new Map<string, number>();
  const sizes = new Map<string, SourceSize>();
  for (const [ref, info] of prepared.materials.infos)
    if (!(info instanceof Error) && info.height > 0) {
      aspects.set(ref, info.width / info.height);
      sizes.set(ref, { width: info.width, height: info.height });
    }
  return { aspects, sizes };
}

/**
 * Renders one planned output (its own unit of work): a transient failure (FFmpeg killed from
 * outside) is retried after a pause; an output failing its self-check is rendered once more by the
 * safe path (every clip decoded from its start), then failed with the reason; anything else is
 * final. Updates `r` (status, error, quality) and emits its events.
 */
export async function renderOutput(prepared: Prepared, r: SubJobResult, opts: RenderOutputOptions): Promise<SubJobResult> {
  const emit = opts.onEvent ?? (() => {});
  const { job } = prepared.parsed;
  const { aspects, sizes } = materialGeometry(prepared);
  emit({ type: 'output-start', index: r.index, file: r.file });
  const delays = opts.renderRetryDelaysMs ?? [1000, 4000];
  let timeline = r.timeline as Timeline;
  let safePath = false;
  const started = performance.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const rendered = await renderTimeline(timeline, r.file, {
        safePath,
        check: opts.check,
        cacheDir: opts.home.cache,
        settings: opts.render,
        maxMemoryBytes: opts.maxRenderMemoryBytes,
        paths: prepared.materials.paths,
        aspects,
        sizes,
        speechClips: prepared.speechClips,
        fonts: prepared.fonts,
        encode: { crf: job.output.crf, preset: job.output.preset, encoderThreads: encoderThreads(opts.jobs ?? defaultConcurrency()) },
        timeoutMs: opts.renderTimeoutMs,
        signal: opts.signal,
        keepExisting: opts.keepExisting,
        onProgress: (fraction) => emit({ type: 'output-progress', index: r.index, fraction }),
      });
      r.status = 'Success';
      r.error = undefined;
      r.quality = rendered.quality;
      recordRender((performance.now() - started) / 1000, timeline.duration, timeline.width, timeline.height);
      break;
    } catch (err) {
      r.status = 'Failed';
      r.error = asReelsmithError(err);
      if (err instanceof QualityCheckError) {
        r.quality = err.quality;
        if (safePath) break;
        emit({ type: 'output-retry', index: r.index, attempt: attempt + 1, error: r.error });
        timeline = safeTimeline(timeline);
        safePath = true;
        continue;
      }
      if (!r.error.transient || attempt >= delays.length || opts.signal?.aborted) break;
      emit({ type: 'output-retry', index: r.index, attempt: attempt + 1, error: r.error });
      await new Promise((res) => setTimeout(res, delays[attempt]));
    }
  }
  emit({ type: 'output-done', index: r.index, file: r.file, error: r.error });
  return r;
}

export async function produce(parsed: ParsedJob, opts: ProduceOptions): Promise<Manifest> {
  const created = new Date();
  const jobId = opts.jobId ?? randomUUID().replace(/-/g, '');
  const emit = opts.onEvent ?? (() => {});
  // The data folder and the output folder are checked before any work.
  await prepareOutDir(opts.outDir);
  const prepared = await prepare(parsed, opts);
  const { job } = parsed;
  const results = plannedOutputs(prepared, opts.outDir);
  await refuseOverwrites(prepared, results, opts.outDir, opts.resume);

  const done = opts.resume && !job.output.previewOnly ? results.filter((r) => r.timeline && existsSync(r.file)) : [];
  for (const r of done) r.status = 'Success';
  // Outputs not started yet are Init, as in IMS.
  emit({ type: 'outputs', subJobs: results.map((r) => subJob(jobId, { ...r, status: r.status === 'Processing' ? 'Init' : r.status })) });
  if (!job.output.previewOnly) {
    emit({ type: 'stage', stage: 'render' });
    const todo = results.filter((r) => r.timeline && !done.includes(r));
    await mapLimit(todo, opts.jobs ?? defaultConcurrency(), (r) => renderOutput(prepared, r, opts));
  }

  const manifest = buildManifest({ jobId, parsed, prepared, results, created, completed: new Date() });
  await writeFile(join(opts.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Nothing the user owns is replaced: not an input material, not a file reelsmith did not make. */
export async function refuseOverwrites(prepared: Prepared, results: SubJobResult[], outDir: string, resume?: boolean): Promise<void> {
  const inputs = namedRefs(prepared.parsed.job).flatMap((n) => {
    const path = prepared.materials.paths.get(n.ref) ?? prepared.fonts.get(n.ref)?.path;
    return path ? [{ ref: n.ref, path, field: n.path }] : [];
  });
  const overwrites = await overwriteIssues(results, inputs, outDir, { resume, field: 'OutputConfig.MediaURL' });
  if (overwrites.length > 0) throw new JobValidationError(overwrites);
}
