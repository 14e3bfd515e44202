/**
 * Every output checks itself before it is called a success, from statistics the render collects
 * in the same pass (small frames sampled from the final picture, the final mix's loudness):
 * no decode garbage (the saturated green of missing reference frames), no black or frozen stretch
 * that its source does not have, audio when speech or music was planned, loudness at the target.
 * A stretch that looks black or frozen is compared with the source footage it came from (a short,
 * small decode of that range only), so a static or dark clip is not a failure.
 */
import { readFile } from 'node:fs/promises';
import type { Shot, Timeline } from '../planner/timeline.js';
import { ReelsmithError } from '../errors.js';
import { runToolBytes } from '../util/tool.js';
import { LOUDNESS_TARGET } from './graph.js';

/** Sampling of the final picture: 4 frames a second, 96 pixels wide. */
export const SAMPLE = { fps: 4, width: 96 };

export const sampleSize = (W: number, H: number) => ({
  width: SAMPLE.width,
  height: Math.max(2, Math.round((SAMPLE.width * H) / W / 2) * 2),
});

/** The figures an output is judged by (the manifest's and the API's `Quality`). */
export interface Quality {
  /** Largest share of a sampled frame that is decode garbage (saturated pure green), 0–1. */
  DecodeGarbage: number;
  /** Longest black stretch, seconds (of the output; judged against the source). */
  LongestBlack: number;
  /** Longest frozen stretch, seconds (of the output; judged against the source). */
  LongestFreeze: number;
  /** Integrated loudness of the final mix, LUFS (null when silent). */
  Loudness: number | null;
  /** Whether the output was rendered again by the safe path (decoding every clip from its start). */
  SafePath: boolean;
}

export interface Finding {
  /** What is wrong, in words, with the output time and the material and its time. */
  reason: string;
}

/** An output that failed its check: no file is made; the reason names the time and the material. */
export class QualityCheckError extends ReelsmithError {
  constructor(
    readonly quality: Quality,
    findings: Finding[],
  ) {
    super('QualityCheckFailed', `the output failed its check: ${findings.map((x) => x.reason).join('; ')}`);
  }
}

/** An output time's shot, and the source time it shows. */
function sourceAt(t: Timeline, at: number): { shot: Shot; time: number } | undefined {
  const shot = [...t.shots].reverse().find((s) => at >= s.start && at < s.start + s.duration);
  if (!shot) return undefined;
  return { shot, time: shot.sourceIn + (at - shot.start) * shot.speed };
}

const where = (t: Timeline, at: number) => {
  const s = sourceAt(t, at);
  if (!s) return `at ${at.toFixed(1)} s`;
  return s.shot.material.kind === 'video'
    ? `at ${at.toFixed(1)} s (material ${s.shot.material.ref} at ${s.time.toFixed(1)} s)`
    : `at ${at.toFixed(1)} s (material ${s.shot.material.ref})`;
};

interface FrameStats {
  garbage: number;
  /** Share of pixels that are dark in every channel. */
  dark: number;
  /** Mean absolute difference from the previous sample (Infinity for the first). */
  change: number;
}

/** Per-sample statistics of raw RGB frames. */
export function frameStats(buf: Buffer, width: number, height: number): FrameStats[] {
  const size = width * height * 3;
  const out: FrameStats[] = [];
  for (let o = 0; o + size <= buf.length; o += size) {
    let garbage = 0;
    let dark = 0;
    let change = 0;
    for (let i = o; i < o + size; i += 3) {
      const r = buf[i];
      const g = buf[i + 1];
      const b = buf[i + 2];
      // Missing reference frames decode as Y=U=V=0: RGB ≈ (0, 135, 0).
      if (r < 24 && b < 24 && g > 90 && g < 180) garbage++;
      if (r < 40 && g < 40 && b < 40) dark++;
      if (o > 0) change += Math.abs(r - buf[i - size]) + Math.abs(g - buf[i + 1 - size]) + Math.abs(b - buf[i + 2 - size]);
    }
    const n = width * height;
    out.push({ garbage: garbage / n, dark: dark / n, change: o > 0 ? change / (3 * n) : Number.POSITIVE_INFINITY });
  }
  return out;
}

/** Stretches (first sample, samples) where `is` holds for consecutive samples. */
function stretches(stats: FrameStats[], is: (s: FrameStats, i: number) => boolean): { from: number; count: number }[] {
  const out: { from: number; count: number }[] = [];
  let from = -1;
  for (let i = 0; i <= stats.length; i++) {
    if (i < stats.length && is(stats[i], i)) {
      if (from < 0) from = i;
    } else if (from >= 0) {
      out.push({ from, count: i - from });
      from = -1;
    }
  }
  return out;
}

/** Black: all but a sliver of the picture dark (a dark clip letterboxed on a colour is not). */
const isBlack = (s: FrameStats) => s.dark > 0.98;
/** A frame that repeats the previous one (a pair counts from the first of the two). */
const FROZEN = 0.2;
/** Time near a cut that a stretch is not judged in (sample timing, cuts between like shots). */
const EDGE = 0.3;

/** Samples of a material's own frames over a source range, the same size and rate. */
async function sourceStats(
  path: string,
  shot: Shot,
  from: number,
  to: number,
  size: { width: number; height: number },
): Promise<FrameStats[]> {
  const a = Math.max(0, from);
  // Sought at the input where that is safe, else decoded from the start (as the render did).
  const seek = shot.material.seek !== 'decode';
  const input = seek ? ['-ss', a.toFixed(3), '-t', (to - a).toFixed(3), '-i', path] : ['-i', path];
  const cut = seek ? '' : `trim=start=${a.toFixed(3)}:end=${to.toFixed(3)},setpts=PTS-STARTPTS,`;
  const args = [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    ...input,
    '-vf',
    `${cut}fps=${SAMPLE.fps / shot.speed},scale=${size.width}:${size.height}:flags=area,format=rgb24`,
    '-an',
    '-f',
    'rawvideo',
    '-',
  ];
  const r = await runToolBytes('ffmpeg', args, { reject: false, timeoutMs: 120_000 });
  return frameStats(Buffer.from(r.stdout as unknown as Uint8Array), size.width, size.height);
}

/**
 * Judges an output from its samples: the figures, and what is wrong (empty when it is right).
 * `paths` maps material refs to files (for the source comparison of black or frozen stretches).
 */
export async function judge(
  t: Timeline,
  samples: { frames: string; loudness: string; width: number; height: number },
  o: { paths: Map<string, string>; normalised: boolean; safePath: boolean },
): Promise<{ quality: Quality; findings: Finding[] }> {
  const stats = frameStats(await readFile(samples.frames).catch(() => Buffer.alloc(0)), samples.width, samples.height);
  const findings: Finding[] = [];
  const time = (i: number) => i / SAMPLE.fps;

  // Decode garbage: a fifth of a frame in the colour of missing references.
  let garbage = 0;
  let garbageAt = -1;
  for (const [i, s] of stats.entries())
    if (s.garbage > garbage) {
      garbage = s.garbage;
      garbageAt = i;
    }
  if (garbage > 0.2) {
    // Unless the source has that colour there itself (a rare pure-green clip).
    const at = time(garbageAt);
    const src = sourceAt(t, at);
    const path = src && src.shot.material.kind === 'video' ? o.paths.get(src.shot.material.ref) : undefined;
    const own = src && path ? await sourceStats(path, src.shot, src.time, src.time + 0.3, samples) : [];
    if (!(own.length > 0 && own[0].garbage > garbage / 2))
      findings.push({ reason: `decode garbage (${Math.round(garbage * 100)} % of the picture) ${where(t, at)}` });
  }

  // The picture lasts as planned (a source that decodes short leaves the video track short).
  const pictured = stats.length / SAMPLE.fps;
  if (pictured < t.duration - 0.5)
    findings.push({ reason: `the picture ends at ${pictured.toFixed(1)} s of ${t.duration.toFixed(1)} s, ${where(t, pictured)}` });

  // Black and frozen stretches of at least a second (first to last sample), unless the source
  // footage has them too.
  const span = (x: { count: number }) => (x.count - 1) / SAMPLE.fps;
  const long = (x: { count: number }) => span(x) >= 1;
  const black = stretches(stats, isBlack);
  const frozen = stretches(stats, (s, i) => i > 0 && s.change < FROZEN).map((x) => ({ from: x.from - 1, count: x.count + 1 }));
  // Judged shot by shot, inside each video shot (away from its cuts), against its source range.
  for (const [kind, list] of [
    ['black', black],
    ['frozen', frozen],
  ] as const)
    for (const x of list.filter(long)) {
      const a = time(x.from);
      const b = a + span(x);
      for (const shot of t.shots) {
        if (shot.material.kind !== 'video') continue;
        const from = Math.max(a, shot.start + EDGE);
        const to = Math.min(b, shot.start + shot.duration - EDGE);
        if (to - from < 1) continue;
        const path = o.paths.get(shot.material.ref);
        if (!path) continue;
        const src = (at: number) => shot.sourceIn + (at - shot.start) * shot.speed;
        const own = await sourceStats(path, shot, src(from), src(to) + 0.01, samples);
        const alsoInSource = own.length > 1 && (kind === 'black' ? own.every(isBlack) : own.slice(1).every((s) => s.change < FROZEN * 2));
        if (!alsoInSource)
          findings.push({ reason: `${kind} for ${(to - from).toFixed(1)} s ${where(t, from)}, where the material is not` });
      }
    }

  // Audio: present when speech or music was planned with a volume, at the target when normalised.
  const logged = (await readFile(samples.loudness, 'utf8').catch(() => '')).match(/lavfi\.r128\.I=(-?[\d.]+|-inf)/g);
  const last = logged?.at(-1)?.split('=')[1];
  const loudness = last === undefined || last === '-inf' || Number(last) < -70 ? null : Math.round(Number(last) * 10) / 10;
  const audible = ((t.voice?.segments.length ?? 0) > 0 && (t.voice?.volume ?? 0) > 0) || (!!t.music && t.music.volume > 0);
  if (audible && (loudness === null || loudness < -45))
    findings.push({ reason: `no audible sound (${loudness ?? '-inf'} LUFS) although ${t.voice ? 'a voice-over' : 'music'} was planned` });
  else if (audible && o.normalised && loudness !== null && Math.abs(loudness - LOUDNESS_TARGET.I) > 3)
    findings.push({ reason: `loudness ${loudness} LUFS is off the ${LOUDNESS_TARGET.I} LUFS target` });

  const seconds = (list: { count: number }[]) => Math.max(0, ...list.map(span));
  return {
    quality: {
      DecodeGarbage: Math.round(garbage * 1000) / 1000,
      LongestBlack: seconds(black),
      LongestFreeze: seconds(frozen),
      Loudness: loudness,
      SafePath: o.safePath,
    },
    findings,
  };
}
