/**
 * Renders one Timeline to an MP4: writes the voice track and the ASS document into a work folder,
 * runs the compiled FFmpeg command into a temporary file next to the target and renames it when
 * complete, so that a failed or interrupted render never leaves a file under the final name.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { copyFile, link, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { buildAss } from '../captions/ass.js';
import { renameFont, safeFamily } from '../captions/font-alias.js';
import { ReelsmithError } from '../errors.js';
import type { Timeline } from '../planner/timeline.js';
import { readWav, writeTrack } from '../speech/wav.js';
import { capabilities } from './capabilities.js';
import { type CaptionLayer, prepareCaptionLayer, startLayerPass } from './caption-layer.js';
import { runFfmpeg } from './ffmpeg.js';
import { judge, type Quality, QualityCheckError, SAMPLE, sampleSize } from './quality.js';
import { DEFAULT_RENDER, type RenderSettings } from './settings.js';
import { runTool } from '../util/tool.js';
import { makeWorkDir } from '../util/workdir.js';
import { compileLoudnessProbe, compileTimeline, type EncodeSettings, parseLoudness, type SourceSize } from './graph.js';
import { prepareTransitions } from './transitions/hosting.js';

export interface RenderContext {
  paths: Map<string, string>;
  /** Material ref → width/height. */
  aspects: Map<string, number>;
  /** Material ref → the size its video decodes at (lets shots of one size share a fit chain). */
  sizes?: Map<string, SourceSize>;
  /** Speech clip id → WAV file. */
  speechClips: Map<string, string>;
  /** FontUrl → font file and family. */
  fonts?: Map<string, { path: string; family: string }>;
  encode: EncodeSettings;
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /** Keep the work folder (for debugging). */
  keepWork?: boolean;
  /** Address space each FFmpeg of this render may use (bytes); default unbounded. */
  maxMemoryBytes?: number;
  /** The cache folder (compiled shaders): the data folder's. */
  cacheDir: string;
  /** How the render runs (shader hosting, debugging switches, FFmpeg's malloc); default DEFAULT_RENDER. */
  settings?: RenderSettings;
  /** Check the output before it gets its name (default on). */
  check?: boolean;
  /** This render is the safe path's (every clip decoded from its start): recorded in the figures. */
  safePath?: boolean;
  /**
   * A file already at outPath is kept and this render discarded (another process finished the same
   * output first): the first finisher wins and nothing is overwritten. Default: replaced.
   */
  keepExisting?: boolean;
}

/**
 * Copies a custom font into the render's fonts folder and returns the family name the ASS document
 * uses for it: an alias written into the copy's name table, or (for files that cannot be renamed)
 * the font's own family when that is safe to write in a style line.
 */
export async function installFont(f: { path: string; family: string }, dir: string, i: number, ref: string): Promise<string> {
  const alias = `ReelsmithFont${i}`;
  const renamed = renameFont(await readFile(f.path), alias);
  if (renamed) {
    await writeFile(join(dir, `font${i}.ttf`), renamed);
    return alias;
  }
  const family = safeFamily(f.family);
  if (!family)
    throw new ReelsmithError(
      'InvalidMaterial.Unreadable',
      `font ${ref}: its family name cannot be written in a caption style (commas or control characters) and the file cannot be renamed (use a TTF or OTF file)`,
    );
  await copyFile(f.path, join(dir, `font${i}${extname(f.path)}`));
  return family;
}

/** Where a render writes before its output gets its name: `.<name>.<random>.part` next to it. */
const partialOf = (outPath: string) => join(dirname(outPath), `.${basename(outPath)}.${randomBytes(4).toString('hex')}.part`);

/**
 * Removes what renders stopped by a crash left in `dir` (their outputs never got their names): of
 * every output, or of `output` only (another process may be rendering the others).
 */
export async function removePartials(dir: string, output?: string): Promise<void> {
  const prefix = output ? `.${basename(output)}.` : '.';
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(prefix) && n.endsWith('.part')).map((n) => rm(join(dir, n), { force: true })));
}

export async function renderTimeline(
  t: Timeline,
  outPath: string,
  ctx: RenderContext,
): Promise<{ filterGraph: string; quality?: Quality }> {
  await capabilities();
  const work = await makeWorkDir('render');
  // REELSMITH_KEEP_WORK=1 keeps the work folder (voice track, ASS, FFmpeg arguments) for debugging.
  const settings = ctx.settings ?? DEFAULT_RENDER;
  const keep = ctx.keepWork ?? settings.keepWork;
  const partial = partialOf(outPath);
  try {
    let voiceTrack: string | undefined;
    if (t.voice && t.voice.segments.length > 0) {
      const clips = await Promise.all(
        t.voice.segments.map(async (s) => {
          const path = ctx.speechClips.get(s.clipId);
          if (!path) throw new Error(`speech clip ${s.clipId} missing`);
          return { pcm: await readWav(path), start: s.start };
        }),
      );
      voiceTrack = join(work, 'voice.wav');
      await writeTrack(voiceTrack, clips, t.duration, clips[0].pcm.sampleRate);
    }
    let assFile: string | undefined;
    let ass = '';
    let fontsDir: string | undefined;
    if (t.captions || t.title || t.subHeadings.length > 0) {
      assFile = join(work, 'captions.ass');
      // Custom fonts go to libass under an alias (their own family names are untrusted text).
      const families = new Map<string, string>();
      if (ctx.fonts && ctx.fonts.size > 0) {
        fontsDir = join(work, 'fonts');
        await mkdir(fontsDir);
        for (const [i, [ref, f]] of [...ctx.fonts].entries()) families.set(ref, await installFont(f, fontsDir, i, ref));
      }
      ass = buildAss(t, families);
      await writeFile(assFile, ass);
    }
    const timeoutMs = ctx.timeoutMs ?? Math.max(120_000, t.duration * 20_000);
    // First pass, audio only (cheap): the mix's loudness, so that the render normalises it exactly.
    // Meanwhile the captions are drawn once per change, when that pays (render/caption-layer.ts).
    const probeArgs = compileLoudnessProbe(t, { paths: ctx.paths, voiceTrack });
    const [probe, captionLayer] = await Promise.all([
      runTool('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'info', ...probeArgs], {
        timeoutMs: 120_000,
        signal: ctx.signal,
        reject: false,
      }),
      assFile
        ? prepareCaptionLayer({
            width: t.width,
            height: t.height,
            fps: t.fps,
            frames: Math.round(t.duration * t.fps),
            ass,
            assFile,
            fontsDir,
            mode: settings.captionLayer,
            timeoutMs,
            signal: ctx.signal,
            mallocEnv: settings.ffmpegEnv,
          }).catch((err) => {
            // The layer is an optimisation: when it cannot be drawn, `ass` draws the captions.
            if (ctx.signal?.aborted) throw err;
            return undefined;
          })
        : undefined,
    ]);
    const loudness = parseLoudness(probe.stderr);
    const onProgress = ctx.onProgress ? (s: number) => ctx.onProgress!(Math.min(1, s / t.duration)) : undefined;
    // The self-check's samples, collected by the render pass itself.
    const size = sampleSize(t.width, t.height);
    const samples = { frames: join(work, 'quality.rgb'), loudness: join(work, 'loudness.txt'), ...size };
    const quality = ctx.check === false ? undefined : { ...samples, fps: SAMPLE.fps };
    const graphInputs = { paths: ctx.paths, sizes: ctx.sizes, voiceTrack, assFile, fontsDir, captionLayer, loudness, quality };
    // How each cut is drawn (shader transitions may be drawn here, before the render pass).
    const transitions = await prepareTransitions(t, {
      settings,
      inputs: { paths: ctx.paths },
      aspects: ctx.aspects,
      work,
      cacheDir: join(ctx.cacheDir, 'shaders'),
      timeoutMs,
      signal: ctx.signal,
    });
    // The render pass; a caption layer's pass runs alongside it, feeding it on standard input.
    const run = async (layer: CaptionLayer | undefined) => {
      const c = compileTimeline(t, { ...graphInputs, captionLayer: layer, transitions }, ctx.aspects, ctx.encode, partial);
      if (keep) writeFileSync(join(work, 'ffmpeg-args.json'), JSON.stringify(c.args, null, 1));
      const pass = layer?.pass ? await startLayerPass(layer, { timeoutMs, signal: ctx.signal, mallocEnv: settings.ffmpegEnv }) : undefined;
      let failure: unknown;
      try {
        await runFfmpeg(c.args, {
          timeoutMs,
          signal: ctx.signal,
          onProgress,
          mallocEnv: settings.ffmpegEnv,
          maxMemoryBytes: ctx.maxMemoryBytes,
          env: transitions.env,
          stdin: pass?.stdout,
        });
      } catch (err) {
        if (!pass || ctx.signal?.aborted) throw err;
        failure = err;
      }
      if (!pass) return c;
      // The pass finishes what the render left unread, and tells whether it drew everything.
      pass.drain();
      const drawn = await pass.ok;
      // A render that failed while its pass drew everything failed of its own accord.
      if (failure !== undefined && drawn) throw failure;
      // A pass that failed cut the captions short: that picture (or that failure) is not kept.
      return drawn ? c : undefined;
    };
    // When the layer cannot be drawn, `ass` draws the captions.
    const c = (await run(captionLayer)) ?? (await run(undefined))!;
    // Judged before it gets its name: an output that fails its check never appears.
    let figures: Quality | undefined;
    if (quality) {
      const { quality: q, findings } = await judge(t, samples, { paths: ctx.paths, normalised: !!loudness, safePath: !!ctx.safePath });
      if (findings.length > 0) throw new QualityCheckError(q, findings);
      figures = q;
    }
    if (ctx.keepExisting) {
      // link() never replaces: an output another process finished first stays as it is.
      await link(partial, outPath).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') return;
        // A file system without hard links: renamed unless the output appeared meanwhile.
        if ((err.code === 'EPERM' || err.code === 'ENOTSUP') && !existsSync(outPath)) await rename(partial, outPath);
        else throw err;
      });
    } else await rename(partial, outPath);
    return { filterGraph: c.filterGraph, quality: figures };
  } finally {
    await rm(partial, { force: true });
    if (!keep) await rm(work, { recursive: true, force: true });
  }
}
