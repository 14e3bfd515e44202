/**
 * Captions drawn once per change instead of once per frame. FFmpeg's `ass` filter blends every
 * caption bitmap into every frame with generic C code (about 2.7 ms a 1080x1920 frame for a title
 * and a two-line caption: a quarter of the reference render's filtering). Static captions look
 * the same from one change (an event starting or ending) to the next, so before the render:
 *
 * 1. a *profile* pass draws the document on a transparent canvas at those frames only and reports
 *    which rows ever hold a caption pixel (bands: the title's, the captions');
 * 2. a *layer* pass draws it again at those frames, keeps those bands (stacked into one strip),
 *    straightens their colours (chroma weighted by alpha over each 2x2 block, as `ass` blends a
 *    4:2:0 video) and writes them, timed, as a NUT stream. It runs alongside the render, which
 *    reads the stream on its standard input as it goes (startLayerPass): its drawing overlaps the
 *    render instead of preceding it. When it fails, the render's output is not used (see render.ts).
 *
 * The render then lays each band over the video with `overlay` (SIMD blending of straight alpha,
 * over the bands' rows only), holding each drawing until the next. The picture is the `ass`
 * filter's within rounding (luma ≤ 1 level, chroma ≤ 3; tested). Documents that animate most of their frames are
 * drawn by `ass` in the render as before (the layer would draw as many frames, at more cost), and
 * so are documents that draw anything translucent (fades, alpha): on a transparent canvas the
 * colour's alpha would count twice.
 */
import type { Readable } from 'node:stream';
import { assEvents, assOpaque, changeFrames } from '../captions/changes.js';
import { runToolBytes, startTool } from '../util/tool.js';
import { ffmpegEnv } from './ffmpeg.js';
import { graphPath } from './filtergraph.js';

/** Rows [y, y + h) of the frame that a caption band covers, and where it sits in the strip. */
export interface CaptionBand {
  y: number;
  h: number;
  /** Its first row in the layer file's strip. */
  at: number;
}

export interface CaptionLayer {
  bands: CaptionBand[];
  /**
   * The layer pass's FFmpeg arguments: it writes the strips at the change frames (NUT, raw YUVA
   * 4:2:0) to its standard output, for the render's standard input. Undefined when nothing is ever drawn.
   */
  pass?: string[];
}

export type CaptionLayerMode = 'auto' | 'always' | 'never';

export interface CaptionLayerOptions {
  width: number;
  height: number;
  fps: number;
  /** Frames of the video. */
  frames: number;
  /** The ASS document, and the file it is written to (libass reads the file). */
  ass: string;
  assFile: string;
  fontsDir?: string;
  mode: CaptionLayerMode;
  timeoutMs?: number;
  signal?: AbortSignal;
  mallocEnv?: Readonly<Record<string, string>>;
}

/** Both passes' preamble: quiet, no keyboard. */
const QUIET = ['-hide_banner', '-nostdin', '-loglevel', 'error'];

/** Columns the profile reduces each row to (each at most ~70 px wide, so one drawn pixel shows). */
const PROFILE_COLUMNS = 16;
/** Bands closer than this are drawn as one. */
const MERGE_GAP = 24;

/**
 * The times FFmpeg's `ass` filter may draw frame n at: the render's video reaches it with
 * microsecond timestamps (concat), which the filter turns into milliseconds and libass truncates.
 */
export function frameTimesMs(fps: number): (n: number) => number[] {
  return (n) => {
    const pts = Math.round((n * 1e6) / fps);
    const exact = pts * 1e-6 * 1000;
    return [Math.trunc(exact), Math.round(exact), Math.round((n * 1000) / fps)];
  };
}

/** Whether the layer pays: when `auto`, only for videos long and large enough, mostly static. */
function worthIt(o: CaptionLayerOptions, drawn: number): boolean {
  if (o.mode !== 'auto') return o.mode === 'always';
  const work = o.frames * o.width * o.height;
  return drawn * 8 <= o.frames && work >= 150 * 1080 * 1920;
}

/** A select expression keeping frames `ns` (runs of consecutive frames as ranges). */
export function selectFrames(ns: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ns.length; ) {
    let j = i;
    while (j + 1 < ns.length && ns[j + 1] === ns[j] + 1) j++;
    parts.push(i === j ? `eq(n,${ns[i]})` : `between(n,${ns[i]},${ns[j]})`);
    i = j + 1;
  }
  return parts.join('+');
}

/** Rows holding a drawn pixel in any profile frame → bands (even, merged, with a margin). */
export function bandsOf(profile: Buffer, width: number, height: number): { y: number; h: number }[] {
  const frames = Math.floor(profile.length / (width * height));
  const used = new Uint8Array(height);
  for (let f = 0; f < frames; f++)
    for (let y = 0; y < height; y++) {
      const row = profile.subarray((f * height + y) * width, (f * height + y + 1) * width);
      if (row.some((v) => v > 0)) used[y] = 1;
    }
  const bands: { y: number; h: number }[] = [];
  // A run of used rows [a, b], with two rows of margin, on whole chroma rows.
  const add = (a: number, b: number) => {
    const top = Math.max(0, Math.floor((a - 2) / 2) * 2);
    const bottom = Math.min(height, Math.ceil((b + 3) / 2) * 2);
    const last = bands.at(-1);
    if (last && top <= last.y + last.h) last.h = bottom - last.y;
    else bands.push({ y: top, h: bottom - top });
  };
  let start = -1;
  let last = -1;
  for (let y = 0; y < height; y++) {
    if (!used[y]) continue;
    if (start >= 0 && y - last > MERGE_GAP) {
      add(start, last);
      start = y;
    } else if (start < 0) start = y;
    last = y;
  }
  if (start >= 0) add(start, last);
  return bands;
}

/**
 * Draws the caption layer of an ASS document, or returns undefined when the render should draw
 * the document with `ass` itself: translucent drawing (always), mostly animated documents and
 * short or small videos (mode `auto`), mode `never`.
 */
export async function prepareCaptionLayer(o: CaptionLayerOptions): Promise<CaptionLayer | undefined> {
  if (o.mode === 'never') return undefined;
  const doc = o.ass;
  // Translucent drawing (fades, alpha) would come out of the canvas wrong: `ass` draws those.
  if (!assOpaque(doc)) return undefined;
  const frames = changeFrames(assEvents(doc), o.frames, frameTimesMs(o.fps));
  if (!worthIt(o, frames.length)) return undefined;
  const { width: W, height: H, fps } = o;
  const fontsdir = o.fontsDir ? `:fontsdir=${graphPath(o.fontsDir)}` : '';
  const ass = `ass=filename=${graphPath(o.assFile)}${fontsdir}:alpha=1`;
  // The canvas at the change frames only, on the render's clock (microseconds, as after concat).
  const canvas = `color=c=black@0:s=${W}x${H}:r=${fps}:d=${(o.frames + 1) / fps},settb=1/1000000,select='${selectFrames(frames)}'`;
  // 1. Profile: the drawn pixels' alpha, thresholded, each row reduced to a few columns.
  const profile = await runToolBytes(
    'ffmpeg',
    [
      ...QUIET,
      '-filter_complex',
      `${canvas},format=yuva420p,${ass},extractplanes=a,lut=y='if(gt(val,0),255,0)',scale=${PROFILE_COLUMNS}:${H}:flags=area[p]`,
      '-map',
      '[p]',
      '-fps_mode',
      'passthrough',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      'pipe:1',
    ],
    { timeoutMs: o.timeoutMs ?? 120_000, signal: o.signal, env: ffmpegEnv({}, o.mallocEnv) },
  );
  const rows = bandsOf(profile.stdout, PROFILE_COLUMNS, H);
  let at = 0;
  const bands = rows.map((b) => {
    const band = { ...b, at };
    at += b.h;
    return band;
  });
  if (bands.length === 0) return { bands };
  // 2. Layer: drawn over transparent black (`ass` blends the colours towards it: they come out
  // premultiplied, around video black and neutral chroma), then straightened by unpremultiply
  // (which takes luma around 16 and chroma around 128 for such video), so that overlay's
  // straight-alpha blend gives what `ass` would have drawn over the video.
  const crops = bands.map((b, i) => `[c${i}]crop=${W}:${b.h}:0:${b.y}[b${i}]`);
  const strip =
    bands.length === 1
      ? `${canvas},format=yuva444p,${ass},crop=${W}:${bands[0].h}:0:${bands[0].y}[s]`
      : `${canvas},format=yuva444p,${ass},split=${bands.length}${bands.map((_, i) => `[c${i}]`).join('')};${crops.join(';')};${bands.map((_, i) => `[b${i}]`).join('')}vstack=inputs=${bands.length}[s]`;
  const pass = [
    ...QUIET,
    '-filter_complex',
    // Chroma at 4:2:0 is the alpha-weighted mean of each 2x2 block (what `ass` blends on a 4:2:0
    // video): the premultiplied half-size picture straightened, with luma and alpha at full size.
    `${strip};[s]split[full][half];[full]unpremultiply=inplace=1[f];[half]scale=iw/2:ih/2:flags=area,unpremultiply=inplace=1[h];[f][h]mergeplanes=0x00111203:yuva420p[l]`,
    '-map',
    '[l]',
    '-fps_mode',
    'passthrough',
    '-c:v',
    'rawvideo',
    '-f',
    'nut',
    'pipe:1',
  ];
  return { bands, pass };
}

/** A running layer pass: its stream, and whether it drew everything. */
export interface LayerPass {
  stdout: Readable;
  /** True when the pass completed (exit code 0); false when it failed, was cancelled or timed out. */
  ok: Promise<boolean>;
  /** Reads and drops what the render left unread (after the render ends), so that the pass can finish. */
  drain(): void;
}

/** Starts the layer pass of `layer` (which has one): its stream is read by the render as it goes. */
export async function startLayerPass(
  layer: CaptionLayer,
  o: { timeoutMs?: number; signal?: AbortSignal; mallocEnv?: Readonly<Record<string, string>> },
): Promise<LayerPass> {
  const { subprocess: child } = await startTool('ffmpeg', layer.pass!, {
    timeoutMs: o.timeoutMs ?? 120_000,
    signal: o.signal,
    env: ffmpegEnv({}, o.mallocEnv),
  });
  return {
    stdout: child.stdout!,
    ok: child.then((r) => r.exitCode === 0 && !r.isTerminated),
    drain: () => {
      child.stdout!.resume();
    },
  };
}
