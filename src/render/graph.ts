/**
 * Compiles a Timeline into one FFmpeg command: inputs, a single filtergraph (per-shot fit and
 * background, transitions, overlays, captions, audio mix) and the encoder settings. This is the
 * only place where FFmpeg argument strings are written.
 */
import type { Background, Shot, Timeline } from '../planner/timeline.js';
import type { CaptionLayer } from './caption-layer.js';
import { lookChain } from './looks.js';
import { f, Graph, graphPath } from './filtergraph.js';
import { applyVfx } from './vfx.js';
import { crossfadeHost } from './transitions/crossfade.js';
import type { OverlapCut, OverlapHost, TransitionHosting } from './transitions/host.js';

export interface GraphInputs {
  /** Material ref → local file. */
  paths: Map<string, string>;
  /**
   * Material ref → the size its video decodes at (rotation applied): shots of the same size and
   * the same fit are fitted by one chain (fitGroups). Without it every shot has its own.
   */
  sizes?: Map<string, SourceSize>;
  /** The voice-over as one WAV, already laid out on the timeline. */
  voiceTrack?: string;
  /** ASS document with captions, title and sub-headings. */
  assFile?: string;
  /** Folder of custom fonts for libass (FontUrl). */
  fontsDir?: string;
  /** The ASS document drawn once per change (render/caption-layer.ts): laid over, not drawn by `ass`. */
  captionLayer?: CaptionLayer;
  /** How each cut is joined (render/transitions); default: every cut a crossfade. */
  transitions?: TransitionHosting;
  /** Loudness of the mix measured by a first pass ('measure' makes this the measuring pass). */
  loudness?: Loudness | 'measure';
  /**
   * The output's self-check (render/quality.ts): small frames sampled from the final picture are
   * written to `frames` (raw RGB) and the final mix's loudness to `loudness`, in the same pass.
   */
  quality?: { frames: string; loudness: string; width: number; height: number; fps: number };
}

export interface SourceSize {
  width: number;
  height: number;
}

export interface EncodeSettings {
  crf: number;
  preset: string;
  /** Slice threads of the filtergraph (FFmpeg -filter_complex_threads). */
  filterThreads?: number;
  /** libx264's threads (default: x264's own, 1.5 a core of the machine). */
  encoderThreads?: number;
}

const even = (x: number) => Math.max(2, Math.round(x / 2) * 2);

function colorHex(c: string) {
  return `0x${c.replace('#', '')}`;
}

/** A still frame repeated for `d` seconds at `fps`, its clock starting at frame `from`. */
const still = (fps: number, d: number, from = 0) =>
  `loop=loop=-1:size=1:start=0,settb=1/${fps},setpts=N${from > 0 ? `+${from}` : ''},fps=${fps},trim=duration=${f(d)}`;

/** The size of a picture of `aspect` fitted inside W×H (even, so that chroma stays aligned). */
export function fittedSize(aspect: number, W: number, H: number): [number, number] {
  if (aspect > W / H) return [W, Math.min(H, even(W / aspect))];
  return [Math.min(W, even(H * aspect)), H];
}

/** The background bands around a fw×fh picture centred in W×H: above and below, or left and right. */
export function bandsAround(W: number, H: number, fw: number, fh: number): { vertical: boolean; before: number; after: number } {
  const vertical = fw === W;
  const gap = vertical ? H - fh : W - fw;
  // The picture's offset rounded down to even, as overlay placed it.
  const before = Math.floor(gap / 4) * 2;
  return { vertical, before, after: gap - before };
}

/**
 * The two bands cut from `from` (a picture of fromW×fromH standing for the whole W×H frame),
 * each through `shape` (its crop, and the band's output size); undefined for an empty band.
 */
function cropBands(
  g: Graph,
  from: string,
  bands: { vertical: boolean; before: number; after: number },
  fromW: number,
  fromH: number,
  W: number,
  H: number,
  shape: (crop: string, w: number, h: number) => string,
): [string | undefined, string | undefined] {
  const sizes = [bands.before, bands.after];
  const n = sizes.filter((x) => x > 0).length;
  const parts = sizes.map((x) => (x > 0 ? g.label('band') : undefined));
  const sources = n > 1 ? parts.map((p) => (p ? `${p}s` : undefined)) : parts.map((p) => (p ? from : undefined));
  if (n > 1) g.chain(`[${from}]split=2[${sources[0]}][${sources[1]}]`);
  // A band's rows (or columns) of `from`, in proportion, even and at least 2.
  const scaled = (x: number, whole: number, of: number) => Math.min(of, Math.max(2, even((x * of) / whole)));
  sizes.forEach((size, k) => {
    if (size === 0) return;
    const atEnd = k === 1;
    const h = bands.vertical ? scaled(size, H, fromH) : fromH;
    const w = bands.vertical ? fromW : scaled(size, W, fromW);
    const crop = `crop=${w}:${h}:${!bands.vertical && atEnd ? fromW - w : 0}:${bands.vertical && atEnd ? fromH - h : 0}`;
    g.chain(`[${sources[k]}]${bands.vertical ? shape(crop, W, size) : shape(crop, size, H)}[${parts[k]}]`);
  });
  return [parts[0], parts[1]];
}

/** Fits `src` inside W×H over the timeline's background; returns the output label. */
function fitShot(
  g: Graph,
  t: Timeline,
  shot: Shot,
  src: string,
  aspect: number,
  bgImage: string | undefined,
  range?: [number, number],
): string {
  const { fps } = t;
  // A range [a, b) of the shot's frames: the clock still counts from the shot's start (Ken Burns).
  const from = range?.[0] ?? 0;
  const holdFor = range ? (range[1] - range[0]) / fps : shot.duration;
  // A Ken Burns still is fitted larger than the frame; the pan crops the frame out of it.
  const kb = shot.kenBurns;
  const W = kb ? even(t.width * kb.zoom) : t.width;
  const H = kb ? even(t.height * kb.zoom) : t.height;
  const out = g.label('fit');
  const isStill = shot.material.kind === 'image';
  const hold = isStill ? `,${still(fps, holdFor, from)}` : '';
  const sameAspect = Math.abs(aspect - W / H) < 0.01;
  const bg: Background = t.background;
  const [fw, fh] = fittedSize(aspect, W, H);
  if (sameAspect || (fw === W && fh === H)) {
    g.chain(`[${src}]scale=${W}:${H}:flags=bilinear,setsar=1${hold}[${out}]`);
  } else if (bg.type === 'color') {
    g.chain(
      `[${src}]scale=${fw}:${fh}:flags=bilinear,pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2:color=${colorHex(bg.color)},setsar=1${hold}[${out}]`,
    );
  } else {
    // The picture between two bands of background, stacked: frames are copied once, not blended
    // (overlay would convert the picture to YUVA and blend every pixel of it).
    const bands = bandsAround(W, H, fw, fh);
    const fg = g.label('fg');
    let sides: [string | undefined, string | undefined];
    if (bg.type === 'image' && bgImage) {
      const b = g.input('-i', bgImage);
      const bgl = g.label('bg');
      g.chain(`[${b}:v]scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H},setsar=1,${still(fps, holdFor, from)}[${bgl}]`);
      g.chain(`[${src}]scale=${fw}:${fh}:flags=bilinear,setsar=1${hold}[${fg}]`);
      sides = cropBands(g, bgl, bands, W, H, W, H, (crop) => crop);
    } else {
      // Blur of the same frame, computed at an eighth of the size (the blur hides the difference:
      // 42.6 dB against a quarter, the same look; 1.1 ms a 1080x1920 frame less, with the picture's
      // bilinear scale); each band is scaled up from its own rows of it, the middle (under the
      // picture) never is.
      const radius = bg.type === 'blur' ? bg.radius : 0.1;
      const w8 = even(W / 8);
      const h8 = even(H / 8);
      const r = Math.max(1, Math.min(Math.round(radius * Math.min(w8, h8) * 0.5), Math.floor(Math.min(w8, h8) / 4) - 1));
      // The Gaussian of a power-2 box blur of radius r (the same spread): cheaper, and smoother.
      const sigma = f(Math.sqrt((2 * r * (r + 1)) / 3));
      const a = g.label('a');
      const b = g.label('b');
      const small = g.label('bg');
      g.chain(`[${src}]split=2[${a}][${b}]`);
      // Crop to the output's aspect first, so that the downscale reads only what it keeps.
      const cropTo = aspect > W / H ? `crop=ih*${W}/${H}:ih` : `crop=iw:iw*${H}/${W}`;
      g.chain(`[${a}]${cropTo},scale=${w8}:${h8}:flags=fast_bilinear,gblur=sigma=${sigma}[${small}]`);
      g.chain(`[${b}]scale=${fw}:${fh}:flags=bilinear,setsar=1[${fg}]`);
      sides = cropBands(g, small, bands, w8, h8, W, H, (crop, w, h) => `${crop},scale=${w}:${h}:flags=fast_bilinear,setsar=1`);
    }
    const inputs = [sides[0], fg, sides[1]].filter((x): x is string => x !== undefined);
    g.chain(
      `${inputs.map((l) => `[${l}]`).join('')}${bands.vertical ? 'vstack' : 'hstack'}=inputs=${inputs.length}${bg.type === 'image' ? ':shortest=1' : hold}[${out}]`,
    );
  }
  if (!kb) return out;
  const panned = g.label('kb');
  const D = f(shot.duration);
  const pos = (a: number, b: number) => `(${f(a)}+${f(b - a)}*t/${D})`;
  g.chain(
    `[${out}]crop=${t.width}:${t.height}:x='(iw-ow)*${pos(kb.from[0], kb.to[0])}':y='(ih-oh)*${pos(kb.from[1], kb.to[1])}'[${panned}]`,
  );
  return panned;
}

function atempoChain(speed: number): string {
  const parts: string[] = [];
  let s = speed;
  while (s < 0.5) {
    parts.push('atempo=0.5');
    s /= 0.5;
  }
  while (s > 2) {
    parts.push('atempo=2');
    s /= 2;
  }
  if (Math.abs(s - 1) > 1e-3) parts.push(`atempo=${f(s)}`);
  return parts.length > 0 ? `,${parts.join(',')}` : '';
}

/** Material ref → its local file, or a clear error when the render stage was not given it. */
function pathLookup(inputs: GraphInputs): (ref: string) => string {
  return (ref) => {
    const p = inputs.paths.get(ref);
    if (!p) throw new Error(`no local file for material ${ref}`);
    return p;
  };
}

/** A shot's own sound: its source range, retimed, placed at the shot's start. */
function materialAudio(g: Graph, shot: Shot, k: number): string {
  const a = g.label('ma');
  const span = shot.sourceOut - shot.sourceIn;
  const delay = Math.round(shot.start * 1000);
  g.chain(
    `[${k}:a]atrim=duration=${f(span)},asetpts=PTS-STARTPTS${atempoChain(shot.speed)},apad,atrim=duration=${f(shot.duration)},` +
      `afade=t=in:d=0.05,afade=t=out:st=${f(Math.max(0, shot.duration - 0.05))}:d=0.05,volume=${f(shot.volume)},` +
      `aresample=44100,aformat=channel_layouts=stereo,adelay=${delay}:all=1[${a}]`,
  );
  return a;
}

/** Music gain while the voice speaks (-15 dB), its ramp, and the pause that lets it come back up. */
export const DUCK = { gain: 0.17, ramp: 0.25, minPause: 0.6 };

/**
 * The ducking envelope of the music as an FFmpeg expression of t: 1 in pauses, DUCK.gain while the
 * voice speaks, with linear ramps of DUCK.ramp around each stretch of speech. Sentences closer
 * than DUCK.minPause are one stretch, so that the music does not pump between them.
 */
export function duckExpression(segments: { start: number; duration: number }[]): string | undefined {
  const spans: [number, number][] = [];
  for (const s of segments) {
    const last = spans[spans.length - 1];
    if (last && s.start - last[1] < DUCK.minPause) last[1] = s.start + s.duration;
    else spans.push([s.start, s.start + s.duration]);
  }
  if (spans.length === 0) return undefined;
  const r = DUCK.ramp;
  const env = spans.map(([a, b]) => `clip(min((t-${f(a - r)})/${f(r)},(${f(b + r)}-t)/${f(r)}),0,1)`);
  const g = env.reduce((acc, e) => `max(${acc},${e})`);
  return `1-${f(1 - DUCK.gain)}*${g}`;
}

export interface Loudness {
  /** Integrated loudness, LUFS. */
  I: number;
}

/** Target of the final mix: -16 LUFS integrated, true peak at most -1.5 dBTP. */
export const LOUDNESS_TARGET = { I: -16, TP: -1.5, LRA: 11 };

function mixAudio(g: Graph, t: Timeline, inputs: GraphInputs, audioLabels: string[], pathOf: (ref: string) => string, out = 'aout') {
  const T = t.duration;
  if (inputs.voiceTrack && t.voice) {
    const k = g.input('-i', inputs.voiceTrack);
    const a = g.label('voice');
    g.chain(`[${k}:a]volume=${f(t.voice.volume)},aresample=44100,aformat=channel_layouts=stereo[${a}]`);
    audioLabels.push(a);
  }
  if (t.music) {
    const k = g.input('-stream_loop', '-1', '-i', pathOf(t.music.ref));
    const a = g.label('music');
    const fo = t.music.fadeOut;
    const duck = t.voice ? duckExpression(t.voice.segments) : undefined;
    g.chain(
      `[${k}:a]atrim=duration=${f(T)},asetpts=PTS-STARTPTS,afade=t=in:d=0.3,afade=t=out:st=${f(Math.max(0, T - fo))}:d=${f(fo)},` +
        `volume=${f(t.music.volume)}${duck ? `,volume='${duck}':eval=frame` : ''},aresample=44100,aformat=channel_layouts=stereo[${a}]`,
    );
    audioLabels.push(a);
  }
  if (audioLabels.length === 0) {
    g.chain(`anullsrc=r=44100:cl=stereo,atrim=duration=${f(T)}[${out}]`);
    return;
  }
  const mix =
    audioLabels.length > 1
      ? `${audioLabels.map((l) => `[${l}]`).join('')}amix=inputs=${audioLabels.length}:duration=longest:normalize=0,`
      : `[${audioLabels[0]}]`;
  const L = LOUDNESS_TARGET;
  let norm = '';
  if (inputs.loudness === 'measure')
    norm = ',ebur128=framelog=verbose'; // (framelog=quiet stops the measurement in FFmpeg 5.1)
  else if (inputs.loudness) {
    // One exact gain to the target (loudnorm's own second pass falls back to a dynamic mode that
    // misses the target on short clips when the gain would push the peaks over), then a limiter
    // that holds the sample peaks 1.5 dB under the true-peak ceiling, for the encoder's overshoot.
    const gain = L.I - inputs.loudness.I;
    const limit = 10 ** ((L.TP - 1.5) / 20);
    norm = `,volume=${f(gain)}dB,alimiter=limit=${f(limit)}:attack=1:release=60:level=false`;
  }
  g.chain(`${mix}apad,atrim=duration=${f(T)}${norm}[${out}]`);
}

/** An audio-only command that measures the loudness of the timeline's mix (first loudnorm pass). */
export function compileLoudnessProbe(t: Timeline, inputs: GraphInputs): string[] {
  const g = new Graph();
  const pathOf = pathLookup(inputs);
  const labels: string[] = [];
  for (const shot of t.shots) {
    if (shot.material.kind !== 'video' || !(shot.volume > 0)) continue;
    const k = g.input('-ss', f(shot.sourceIn), '-t', f(shot.sourceOut - shot.sourceIn + 0.25), '-i', pathOf(shot.material.ref));
    labels.push(materialAudio(g, shot, k));
  }
  mixAudio(g, t, { ...inputs, loudness: 'measure' }, labels, pathOf);
  return [...g.inputs, '-filter_complex', g.chains.join(';\n'), '-map', '[aout]', '-f', 'null', '-'];
}

export function parseLoudness(stderr: string): Loudness | undefined {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const m = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary);
  const I = m ? Number(m[1]) : Number.NaN;
  if (!Number.isFinite(I) || I < -70) return undefined;
  return { I };
}

/** Output frames [first, end) of each shot on the timeline: whole frames, overlaps included. */
function frameLayout(t: Timeline) {
  const firstFrame = t.shots.map((s) => Math.round(s.start * t.fps));
  const endFrame = t.shots.map((s) => Math.round((s.start + s.duration) * t.fps));
  const frames = t.shots.map((_, i) => endFrame[i] - firstFrame[i]);
  const overlap = t.shots.slice(1).map((_, i) => Math.max(0, endFrame[i] - firstFrame[i + 1]));
  return { frames, overlap };
}

/**
 * Frames [a, b) of shot i's source (video shots; a shot with a drawn effect: all its frames), at
 * the source's size and the timeline's rate, PTS from 0: at least b - a of them (tpad guards
 * against a source that decodes a few frames short; the caller cuts the exact count). Ranges that
 * start inside a shot seek the source.
 */
function shotSource(g: Graph, t: Timeline, i: number, [a, b]: [number, number], path: string): { label: string; input: number } {
  const shot = t.shots[i];
  const { fps } = t;
  const span = ((b - a) / fps) * shot.speed;
  const skip = (a / fps) * shot.speed;
  const from = shot.sourceIn + skip;
  // A file whose keyframes do not decode alone is decoded from its start and cut by trim (slower,
  // right); any other is sought at the input.
  const decode = shot.material.seek === 'decode';
  // One decoding thread per shot: a render opens a decoder per shot and each keeps its frame
  // pools to the end; frame threads (3 on 2 cores) held 62 MB more of the reference render's
  // 646 MB for no gain in time (libx264 keeps the cores busy; docs/performance.md).
  const threads = ['-threads', '1'];
  const input = decode
    ? g.input(...threads, '-t', f(from + span + 0.25), '-i', path)
    : g.input(...threads, '-ss', f(from), '-t', f(span + 0.25), '-i', path);
  const label = g.label('src');
  // fps before fitting: a sped-up shot drops its extra frames before they are scaled and blurred.
  const offset = a > 0 ? `+${f(a / fps)}/TB` : '';
  const cut = decode ? `trim=start=${f(from)}:duration=${f(span)}` : `trim=duration=${f(span)}`;
  g.chain(`[${input}:v]${cut},setpts=(PTS-STARTPTS)/${f(shot.speed)}${offset},fps=${fps},tpad=stop_mode=clone:stop_duration=0.5[${label}]`);
  return { label, input };
}

/**
 * Frames [a, b) of shot i, fitted and with its effect, as a label of yuv420p frames starting at
 * PTS 0. Ranges that start inside a shot seek the source (its clock still counts from the shot's
 * start); a shot with a drawn effect is processed from its start, as its effect is timed on it.
 */
function compileShot(
  g: Graph,
  t: Timeline,
  i: number,
  range: [number, number],
  pathOf: (ref: string) => string,
  aspects: Map<string, number>,
  bgImage: string | undefined,
): { label: string; input?: number } {
  const shot = t.shots[i];
  const { fps } = t;
  const total = frameLayout(t).frames[i];
  const vfx = shot.vfx?.rendered;
  const [a, b] = vfx ? [0, total] : range;
  const path = pathOf(shot.material.ref);
  let src: string;
  let input: number | undefined;
  if (shot.material.kind === 'image') {
    const k = g.input('-i', path);
    src = `${k}:v`;
  } else ({ label: src, input } = shotSource(g, t, i, [a, b], path));
  const fitted = fitShot(
    g,
    t,
    shot,
    src,
    aspects.get(shot.material.ref) ?? t.width / t.height,
    bgImage,
    a > 0 || b < total ? [a, b] : undefined,
  );
  let shaped = fitted;
  if (vfx && shot.vfx) {
    const pre = g.label('pre');
    g.chain(`[${fitted}]format=yuv420p,setsar=1[${pre}]`);
    shaped = applyVfx(g, shot.vfx.name, pre, { W: t.width, H: t.height, fps, duration: total / fps });
  }
  const out = g.label('shot');
  const cut =
    vfx && (range[0] > 0 || range[1] < total)
      ? `trim=start_frame=${range[0]}:end_frame=${range[1]}`
      : `trim=end_frame=${range[1] - range[0]}`;
  g.chain(`[${shaped}]${cut},setpts=PTS-STARTPTS,format=yuv420p[${out}]`);
  return { label: out, input };
}

/**
 * The fit of a shot whose fitted frames depend on nothing but its source frames (a video shot
 * without effect, pan or background picture), as text: shots with the same text and sources of the
 * same size can go through one chain. Undefined for any other shot.
 */
function sharedFitKey(t: Timeline, shot: Shot, aspect: number, size: SourceSize | undefined): string | undefined {
  if (!size || shot.material.kind !== 'video' || shot.kenBurns || shot.vfx?.rendered || t.background.type === 'image') return undefined;
  const scratch = new Graph();
  fitShot(scratch, t, shot, 'src', aspect, undefined);
  return `${size.width}x${size.height}|${scratch.chains.join(';')}`;
}

/**
 * Shots fitted by one chain, in the video's order: each shot with a shared fit key joins the first
 * group of its key whose last shot is not the one just before it (two shots that touch are
 * blended at their cut, their frames needed at once: one chain would hold the outgoing shot's
 * overlap while it fits the incoming one's). Groups of one are fitted as usual.
 *
 * Why: FFmpeg 5.1 keeps every filter's frame pool until the graph ends, so each shot's own fit
 * chain holds a few frames of 1080x1920 for the whole render (≈ 20 MB a shot); shots filmed by the
 * same camera share their chain's pools instead.
 */
function fitGroups(
  t: Timeline,
  aspects: Map<string, number>,
  sizes: Map<string, SourceSize> | undefined,
): { shots: number[]; aspect: number; size?: SourceSize }[] {
  const groups: { key?: string; shots: number[]; aspect: number; size?: SourceSize }[] = [];
  t.shots.forEach((shot, i) => {
    const ref = shot.material.ref;
    const aspect = aspects.get(ref) ?? t.width / t.height;
    const size = sizes?.get(ref);
    const key = sharedFitKey(t, shot, aspect, size);
    const group = key === undefined ? undefined : groups.find((x) => x.key === key && x.shots[x.shots.length - 1] < i - 1);
    if (group) group.shots.push(i);
    else groups.push({ key, shots: [i], aspect, size });
  });
  return groups;
}

/**
 * Frames [from, to) of each shot of a group through one fit chain: each source cut to its exact
 * count and held at its probed size (a no-op unless the decoder disagrees with the probe: concat
 * needs one size), concatenated, fitted once, and cut apart again by frame counts. Each shot's
 * label counts its frames from PTS 0 in 1/fps, as a shot of its own would.
 */
function compileSharedFit(
  g: Graph,
  t: Timeline,
  shots: { index: number; range: [number, number] }[],
  pathOf: (ref: string) => string,
  aspect: number,
  size: SourceSize,
): { labels: string[]; inputs: number[] } {
  const { fps } = t;
  const parts = shots.map(({ index, range }) => {
    const { label, input } = shotSource(g, t, index, range, pathOf(t.shots[index].material.ref));
    const part = g.label('part');
    g.chain(`[${label}]trim=end_frame=${range[1] - range[0]},scale=${size.width}:${size.height},setsar=1[${part}]`);
    return { part, input, frames: range[1] - range[0] };
  });
  const joined = g.label('same');
  g.chain(`${parts.map((p) => `[${p.part}]`).join('')}concat=n=${parts.length}:v=1:a=0[${joined}]`);
  const fitted = fitShot(g, t, t.shots[shots[0].index], joined, aspect, undefined);
  const labels = shots.map(() => g.label('shot'));
  g.chain(`[${fitted}]format=yuv420p,split=${labels.length}${labels.map((l) => `[${l}s]`).join('')}`);
  // Each shot's frames wait in a fifo until its own consumers ask for them. Without it, the frame
  // that ends one shot (its trim learns its end from the next frame) flows on into the next shot's
  // consumers at once: a cut's blend started early asks its other shot for its overlap, and that
  // shot's whole body is decoded into a queue (4 shots of 7 s at 1080x1920: 1.1 GB instead of 0.47).
  let at = 0;
  parts.forEach((p, k) => {
    g.chain(`[${labels[k]}s]trim=start_frame=${at}:end_frame=${at + p.frames},settb=1/${fps},setpts=N,fifo[${labels[k]}]`);
    at += p.frames;
  });
  return { labels, inputs: parts.map((p) => p.input) };
}

/**
 * The frames the shader transitions blend, in one FFmpeg command: for each transition index, the
 * last N frames of its outgoing shot and the first N of the incoming one, fitted exactly as in the
 * render (N = the overlap in frames, returned per transition), on stdout or into `output`. As
 * 'rgb24': the N outgoing frames then the N incoming ones; as 'yuv420p-pairs': N frames of twice
 * the height, the outgoing frame over the incoming one (the render's own pixel format).
 */
export function compileTransitionSources(
  t: Timeline,
  indices: number[],
  inputs: GraphInputs,
  aspects: Map<string, number>,
  output = 'pipe:1',
  layout: 'rgb24' | 'yuv420p-pairs' = 'rgb24',
): { args: string[]; frames: number[] } {
  const g = new Graph();
  const pathOf = pathLookup(inputs);
  const bgImage = t.background.type === 'image' ? pathOf(t.background.ref) : undefined;
  const { frames, overlap } = frameLayout(t);
  const labels: string[] = [];
  const counts = indices.map((i) => {
    const n = overlap[i];
    const from = compileShot(g, t, i, [frames[i] - n, frames[i]], pathOf, aspects, bgImage).label;
    const to = compileShot(g, t, i + 1, [0, n], pathOf, aspects, bgImage).label;
    if (layout === 'rgb24') labels.push(from, to);
    else {
      const pair = g.label('pair');
      g.chain(`[${from}][${to}]vstack=inputs=2[${pair}]`);
      labels.push(pair);
    }
    return n;
  });
  const pixFmt = layout === 'rgb24' ? 'rgb24' : 'yuv420p';
  g.chain(`${labels.map((l) => `[${l}]`).join('')}concat=n=${labels.length}:v=1:a=0,format=${pixFmt}[out]`);
  return {
    args: [
      ...g.inputs,
      '-filter_complex_threads',
      '1',
      '-filter_complex',
      g.chains.join(';\n'),
      '-map',
      '[out]',
      '-fps_mode',
      'passthrough',
      '-f',
      'rawvideo',
      '-pix_fmt',
      pixFmt,
      output,
    ],
    frames: counts,
  };
}

/** A picture laid over the video: its label, where its top-left corner goes, its height, how overlay treats its end. */
interface Layer {
  label: string;
  x: number;
  y: number;
  h: number;
  options: string;
}

/**
 * Lays each layer over the rows it covers: the video is cut into those rows and the rows between
 * (crop: no copy), each layer blended into its own rows, and the whole stacked again. FFmpeg 5.1's
 * overlay copies the whole picture it blends into on every frame (framesync clones the main frame
 * while the other input's next frame is unknown): given a band, it copies the band; vstack then
 * copies the picture once, however many layers there are. Layers must not share rows.
 */
function overlayRows(g: Graph, video: string, W: number, H: number, layers: Layer[]): string {
  const rows: { y: number; h: number; layer?: Layer }[] = [];
  let y = 0;
  for (const l of [...layers].sort((a, b) => a.y - b.y)) {
    // Whole chroma rows, inside the frame.
    const top = Math.max(y, Math.floor(Math.max(0, l.y) / 2) * 2);
    const bottom = Math.min(H, Math.ceil((l.y + l.h) / 2) * 2);
    if (bottom <= top) {
      // Nothing of it in the frame (or on rows already taken): its frames go nowhere.
      g.chain(`[${l.label}]nullsink`);
      continue;
    }
    if (top > y) rows.push({ y, h: top - y });
    rows.push({ y: top, h: bottom - top, layer: l });
    y = bottom;
  }
  if (rows.length === 0) return video;
  if (y < H) rows.push({ y, h: H - y });
  const cut = rows.map(() => g.label('rows'));
  g.chain(`[${video}]split=${rows.length}${cut.map((l) => `[${l}s]`).join('')}`);
  const pieces = rows.map((r, i) => {
    g.chain(`[${cut[i]}s]crop=${W}:${r.h}:0:${r.y}[${cut[i]}]`);
    if (!r.layer) return cut[i];
    const out = g.label('over');
    g.chain(`[${cut[i]}][${r.layer.label}]overlay=x=${r.layer.x}:y=${r.layer.y - r.y}${r.layer.options}[${out}]`);
    return out;
  });
  if (pieces.length === 1) return pieces[0];
  const out = g.label('stacked');
  g.chain(`${pieces.map((p) => `[${p}]`).join('')}vstack=inputs=${pieces.length}[${out}]`);
  return out;
}

/** Seconds the self-check's samples are stamped later than the picture (more than any encoder's delay). */
const QUALITY_LEAD = 10;

export interface CompiledCommand {
  args: string[];
  filterGraph: string;
}

export function compileTimeline(
  t: Timeline,
  inputs: GraphInputs,
  aspects: Map<string, number>,
  encode: EncodeSettings,
  outPath: string,
): CompiledCommand {
  const g = new Graph();
  const { fps } = t;
  const T = t.duration;
  const pathOf = pathLookup(inputs);
  const bgImage = t.background.type === 'image' ? pathOf(t.background.ref) : undefined;

  // ---- shots -----------------------------------------------------------------------------------
  // Frame-exact layout: shot i covers output frames [first_i, last_i); overlaps are whole frames.
  const { frames, overlap } = frameLayout(t);
  const audioLabels: string[] = [];
  // Cuts whose frames were drawn before the render come from their own input: the render pass
  // does not fit those frames of the two shots at all.
  const hostOf = inputs.transitions?.hostOf ?? (() => crossfadeHost);
  const drawnAt = (j: number) => j >= 0 && j < overlap.length && overlap[j] > 0 && hostOf(j).kind === 'frames';
  const rangeOf = (i: number): [number, number] => [drawnAt(i - 1) ? overlap[i - 1] : 0, frames[i] - (drawnAt(i) ? overlap[i] : 0)];
  const shotLabels: string[] = [];
  const shotInputs: (number | undefined)[] = [];
  for (const { shots: group, aspect, size } of fitGroups(t, aspects, inputs.sizes)) {
    if (group.length === 1 || !size) {
      const { label, input } = compileShot(g, t, group[0], rangeOf(group[0]), pathOf, aspects, bgImage);
      shotLabels[group[0]] = label;
      shotInputs[group[0]] = input;
      continue;
    }
    const ranges = group.map((index) => ({ index, range: rangeOf(index) }));
    const shared = compileSharedFit(g, t, ranges, pathOf, aspect, size);
    group.forEach((i, k) => {
      shotLabels[i] = shared.labels[k];
      shotInputs[i] = shared.inputs[k];
    });
  }
  t.shots.forEach((shot, i) => {
    if (shot.volume > 0 && shot.material.kind === 'video') {
      // The shot's sound covers the whole shot; a video input that skips the head cannot carry it.
      const input = shotInputs[i];
      const k =
        rangeOf(i)[0] > 0 || input === undefined || shot.material.seek === 'decode'
          ? g.input('-ss', f(shot.sourceIn), '-t', f(shot.sourceOut - shot.sourceIn + 0.25), '-i', pathOf(shot.material.ref))
          : input;
      audioLabels.push(materialAudio(g, shot, k));
    }
  });

  // ---- joins -------------------------------------------------------------------------------------
  // Each shot is cut into head (overlap with the previous shot), body and tail (overlap with the
  // next). Crossfades blend a tail with the next head only; shader transitions replace both with
  // their drawn frames; everything is then concatenated in order. Concat pulls its inputs one after
  // the other, so FFmpeg decodes the shots in order and never holds more than a transition's worth
  // of frames (chaining xfade over whole shots makes FFmpeg decode every shot at once).
  const pieces: string[] = [];
  // Each overlap host joins all of its cuts at once, in the video's order.
  const overlapCuts = new Map<OverlapHost, OverlapCut[]>();
  let pendingHead: string | undefined;
  t.shots.forEach((_, i) => {
    const drawnHead = drawnAt(i - 1);
    const head = i > 0 && !drawnHead ? overlap[i - 1] : 0;
    const tail = i < t.shots.length - 1 && !drawnAt(i) ? overlap[i] : 0;
    const length = frames[i] - (drawnHead ? overlap[i - 1] : 0) - (drawnAt(i) ? overlap[i] : 0);
    if (drawnHead) {
      const host = hostOf(i - 1);
      if (host.kind !== 'frames') throw new Error(`cut ${i - 1}: its host brings no frames`);
      pieces.push(host.frames(g, { index: i - 1, frames: overlap[i - 1] }));
    }
    if (head === 0 && tail === 0) {
      pieces.push(shotLabels[i]);
      return;
    }
    const parts: [string, number, number][] = [];
    if (head > 0) parts.push(['head', 0, head]);
    if (length - tail > head) parts.push(['body', head, length - tail]);
    if (tail > 0) parts.push(['tail', length - tail, length]);
    const labels = parts.map(([name]) => g.label(name));
    g.chain(`[${shotLabels[i]}]split=${parts.length}${labels.map((l) => `[${l}s]`).join('')}`);
    parts.forEach(([, a, b], k) => {
      g.chain(`[${labels[k]}s]trim=start_frame=${a}:end_frame=${b},setpts=PTS-STARTPTS[${labels[k]}]`);
    });
    parts.forEach(([name], k) => {
      if (name === 'head') {
        const host = hostOf(i - 1);
        if (host.kind !== 'overlap') throw new Error(`cut ${i - 1}: its host joins no overlap`);
        const out = g.label('tr');
        const cuts = overlapCuts.get(host) ?? [];
        cuts.push({ index: i - 1, from: pendingHead!, to: labels[k], out, frames: head });
        overlapCuts.set(host, cuts);
        pieces.push(out);
      } else if (name === 'body') pieces.push(labels[k]);
      else pendingHead = labels[k];
    });
  });
  for (const [host, cuts] of overlapCuts) host.join(g, cuts);
  let video = pieces[0];
  if (pieces.length > 1) {
    video = g.label('joined');
    g.chain(`${pieces.map((p) => `[${p}]`).join('')}concat=n=${pieces.length}:v=1:a=0[${video}]`);
  }

  // ---- colour look ---------------------------------------------------------------------------
  const chain = t.look?.rendered ? lookChain(t.look.name) : undefined;
  if (chain) {
    const out = g.label('look');
    g.chain(`[${video}]${chain}[${out}]`);
    video = out;
  }

  // ---- overlays --------------------------------------------------------------------------------
  if (t.sticker) {
    const s = t.sticker;
    const path = pathOf(s.ref);
    // Animated stickers loop for the whole video (GIFs by their own loop, videos by stream_loop).
    const k = s.animated
      ? g.input(...(/\.gif$/i.test(path) ? ['-ignore_loop', '0'] : ['-stream_loop', '-1']), '-i', path)
      : g.input('-i', path);
    const st = g.label('stk');
    const opacity = s.opacity < 1 ? `,colorchannelmixer=aa=${f(s.opacity)}` : '';
    const timing = s.animated ? `fps=${fps},trim=duration=${f(T)},setpts=PTS-STARTPTS` : still(fps, T);
    g.chain(`[${k}:v]scale=${even(s.width)}:${even(s.height)},format=rgba${opacity},${timing}[${st}]`);
    video = overlayRows(g, video, t.width, t.height, [{ label: st, x: s.x, y: s.y, h: even(s.height), options: ':shortest=1' }]);
  }
  let post = '';
  const layer = inputs.captionLayer;
  if (layer) {
    // Each band of the layer's strip over its rows; a band's drawing holds until the next one.
    if (layer.pass && layer.bands.length > 0) {
      // The layer pass's stream, on standard input as the pass draws it (caption-layer.ts).
      const k = g.input('-threads', '1', '-thread_queue_size', '2', '-f', 'nut', '-i', 'pipe:0');
      const bands = layer.bands.map(() => g.label('cap'));
      const held = g.label('held');
      // Each drawing half a frame early: overlay takes the last drawing at or before a frame, so
      // the drawing of frame n is used from frame n on, whatever the rounding of the file's times.
      g.chain(`[${k}:v]setpts=PTS-${f(0.5 / fps)}/TB[${held}]`);
      const from = layer.bands.length > 1 ? bands.map((b) => `${b}s`) : [held];
      if (layer.bands.length > 1) g.chain(`[${held}]split=${bands.length}${from.map((l) => `[${l}]`).join('')}`);
      // Each band over its rows (overlayRows: the picture is copied once, not once per band).
      video = overlayRows(
        g,
        video,
        t.width,
        t.height,
        layer.bands.map((b, i) => {
          g.chain(`[${from[i]}]crop=${t.width}:${b.h}:0:${b.at}[${bands[i]}]`);
          return { label: bands[i], x: 0, y: b.y, h: b.h, options: ':eof_action=repeat' };
        }),
      );
    }
  } else if (inputs.assFile) {
    const fontsdir = inputs.fontsDir ? `:fontsdir=${graphPath(inputs.fontsDir)}` : '';
    post = `ass=filename=${graphPath(inputs.assFile)}${fontsdir},`;
  }
  const q = inputs.quality;
  if (q) {
    // The self-check taps the final picture and mix (split/asplit pass the same frames on). Its
    // samples are stamped QUALITY_LEAD later (a raw file, read by count): FFmpeg's CLI serves the
    // output whose last written time is earliest, and a tap 4 times a second would otherwise be
    // served by running the graph until its next sample, with up to 8 frames of the picture
    // waiting at the encoder's door — 11–13 MB of the reference render's peak (docs/performance.md).
    g.chain(`[${video}]${post}format=yuv420p,split=2[vout][vq0]`);
    g.chain(`[vq0]fps=${q.fps},scale=${q.width}:${q.height}:flags=area,format=rgb24,setpts=PTS+${QUALITY_LEAD}/TB[vq]`);
  } else g.chain(`[${video}]${post}format=yuv420p[vout]`);

  mixAudio(g, t, inputs, audioLabels, pathOf, q ? 'aout0' : 'aout');
  if (q) {
    g.chain('[aout0]asplit=2[aout][aq0]');
    g.chain(`[aq0]ebur128=metadata=1,ametadata=mode=print:key=lavfi.r128.I:file=${graphPath(q.loudness)},anullsink`);
  }

  const filterGraph = g.chains.join(';\n');
  const args = [
    ...g.inputs,
    // One filter thread: libx264 already keeps both cores busy; more slice threads measured slower.
    '-filter_complex_threads',
    String(encode.filterThreads ?? 1),
    '-filter_complex',
    filterGraph,
    '-map',
    '[vout]',
    '-map',
    '[aout]',
    '-c:v',
    'libx264',
    ...(encode.encoderThreads ? ['-threads:v', String(encode.encoderThreads)] : []),
    '-preset',
    encode.preset,
    '-crf',
    String(encode.crf),
    '-pix_fmt',
    'yuv420p',
    '-r',
    String(fps),
    '-c:a',
    'aac',
    // FFmpeg 5.1's native AAC encoder defaults to its two-loop search: 1.2 CPU-s for 27.5 s of
    // stereo at 128 kb/s against 0.6 with the fast search (a twentieth of a render's filtering).
    '-aac_coder',
    'fast',
    '-b:a',
    '128k',
    '-ar',
    '44100',
    '-movflags',
    '+faststart',
    '-t',
    f(T),
    '-f',
    'mp4',
    outPath,
    ...(q ? ['-map', '[vq]', '-fps_mode', 'passthrough', '-f', 'rawvideo', '-y', q.frames] : []),
  ];
  return { args, filterGraph };
}
