/** Helpers that look at outputs the way a viewer would: ffprobe figures, decoded frames, loudness. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { type Home, reelsmithHome } from '../src/config/home.js';
import { JobValidationError } from '../src/errors.js';
import { parseJob, type RawJobParams } from '../src/job/parse.js';

export const MEDIA = () => {
  const dir = process.env.REELSMITH_TEST_MEDIA;
  if (!dir) throw new Error('test media not generated (global setup)');
  return dir;
};

export const media = (name: string) => join(MEDIA(), name);

export function tempDir(prefix = 'rs-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

let current: Home | undefined;

/**
 * A fresh data folder for a test (library, caches), passed to the library as `home`; it is also
 * REELSMITH_HOME for the CLI processes the test starts.
 */
export function useTempHome(): Home {
  const dir = tempDir('rs-home-');
  process.env.REELSMITH_HOME = dir;
  current = reelsmithHome(dir);
  return current;
}

/** The test's data folder (a fresh one if the test has none yet). */
export function testHome(): Home {
  return current ?? useTempHome();
}

export function writeJob(dir: string, job: object, name = 'job.json'): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(job, null, 2));
  return path;
}

export interface ProbeInfo {
  duration: number;
  streams: { codec_type: string; codec_name: string; width?: number; height?: number; r_frame_rate?: string }[];
}

export async function ffprobe(file: string): Promise<ProbeInfo> {
  const { stdout } = await execa('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]);
  const j = JSON.parse(stdout);
  return { duration: Number(j.format.duration), streams: j.streams };
}

export interface Frame {
  width: number;
  height: number;
  data: Buffer;
  /** [r, g, b] at (x, y). */
  at(x: number, y: number): [number, number, number];
}

/** Decodes the frame at time t as RGB24; scaled to `size` when given (e.g. a source frame to compare with an output). */
export async function frameAt(file: string, t: number, size?: { width: number; height: number }): Promise<Frame> {
  const v = size ?? (await ffprobe(file)).streams.find((s) => s.codec_type === 'video')!;
  const scale = size ? ['-vf', `scale=${size.width}:${size.height}`] : [];
  const { stdout } = await execa(
    'ffmpeg',
    ['-v', 'error', '-ss', String(t), '-i', file, ...scale, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    {
      encoding: 'buffer',
    },
  );
  const data = Buffer.from(stdout as unknown as Uint8Array);
  const width = v.width!;
  const height = v.height!;
  return {
    width,
    height,
    data,
    at(x, y) {
      const i = (Math.floor(y) * width + Math.floor(x)) * 3;
      return [data[i], data[i + 1], data[i + 2]];
    },
  };
}

/** Mean colour of a rectangle. */
export function meanColor(f: Frame, x0: number, y0: number, x1: number, y1: number): [number, number, number] {
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (let y = Math.floor(y0); y < y1; y++)
    for (let x = Math.floor(x0); x < x1; x++) {
      const p = f.at(x, y);
      r += p[0];
      g += p[1];
      b += p[2];
      n++;
    }
  return [r / n, g / n, b / n];
}

/** Count of pixels in a rectangle close to an RGB colour. */
export function countNear(f: Frame, rgb: [number, number, number], tol: number, x0 = 0, y0 = 0, x1 = f.width, y1 = f.height): number {
  let n = 0;
  for (let y = Math.floor(y0); y < y1; y++)
    for (let x = Math.floor(x0); x < x1; x++) {
      const p = f.at(x, y);
      if (Math.abs(p[0] - rgb[0]) <= tol && Math.abs(p[1] - rgb[1]) <= tol && Math.abs(p[2] - rgb[2]) <= tol) n++;
    }
  return n;
}

/** RMS difference between horizontal neighbours: high for sharp, low for blurred (a blur spreads an edge's step over many small differences, whose squares sum to less). */
export function sharpness(f: Frame, x0: number, y0: number, x1: number, y1: number): number {
  let s = 0;
  let n = 0;
  for (let y = Math.floor(y0); y < y1; y++)
    for (let x = Math.floor(x0); x < x1 - 1; x++) {
      const a = f.at(x, y);
      const b = f.at(x + 1, y);
      s += ((a[0] + a[1] + a[2] - b[0] - b[1] - b[2]) / 3) ** 2;
      n++;
    }
  return Math.sqrt(s / n);
}

export function frameDiff(a: Frame, b: Frame): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs(a.data[i] - b.data[i]);
  return s / a.data.length;
}

/** Mean volume (dB) of the audio between start and start + duration. */
export async function meanVolume(file: string, start: number, duration: number): Promise<number> {
  const { stderr } = await execa('ffmpeg', [
    '-hide_banner',
    '-ss',
    String(start),
    '-t',
    String(duration),
    '-i',
    file,
    '-vn',
    '-af',
    'volumedetect',
    '-f',
    'null',
    '-',
  ]);
  const m = /mean_volume: (-?[\d.]+|-inf) dB/.exec(stderr);
  return m ? (m[1] === '-inf' ? -200 : Number(m[1])) : -200;
}

/** Intervals FFmpeg's blackdetect / freezedetect report. */
export async function detectBlackAndFrozen(file: string, minSeconds = 0.5): Promise<{ black: string[]; frozen: string[] }> {
  const { stderr } = await execa('ffmpeg', [
    '-hide_banner',
    '-i',
    file,
    '-vf',
    `blackdetect=d=${minSeconds}:pix_th=0.05,freezedetect=n=0.001:d=${minSeconds}`,
    '-an',
    '-f',
    'null',
    '-',
  ]);
  return {
    black: stderr.split('\n').filter((l) => l.includes('black_start')),
    frozen: stderr.split('\n').filter((l) => l.includes('freeze_start')),
  };
}

/** Byte offsets of the top-level MP4 boxes, to check +faststart (moov before mdat). */
export function topLevelBoxes(buf: Buffer): string[] {
  const boxes: string[] = [];
  let pos = 0;
  while (pos + 8 <= buf.length) {
    let size = buf.readUInt32BE(pos);
    const type = buf.toString('ascii', pos + 4, pos + 8);
    if (size === 1) size = Number(buf.readBigUInt64BE(pos + 8));
    boxes.push(type);
    if (size < 8) break;
    pos += size;
  }
  return boxes;
}

const root = new URL('..', import.meta.url).pathname;

/** Runs the CLI as a user would. */
export async function cli(args: string[], env: Record<string, string> = {}, cwd?: string) {
  return execa('node', [join(root, 'bin/reelsmith.js'), ...args], { reject: false, env: { ...process.env, ...env }, cwd });
}

/** RMS difference between neighbours along x (dir 'x') or y (dir 'y'). */
export function sharpnessDir(f: Frame, dir: 'x' | 'y', x0 = 0, y0 = 0, x1 = f.width, y1 = f.height): number {
  let s = 0;
  let n = 0;
  for (let y = Math.floor(y0); y < y1 - 1; y++)
    for (let x = Math.floor(x0); x < x1 - 1; x++) {
      const a = f.at(x, y);
      const b = dir === 'x' ? f.at(x + 1, y) : f.at(x, y + 1);
      s += ((a[0] + a[1] + a[2] - b[0] - b[1] - b[2]) / 3) ** 2;
      n++;
    }
  return Math.sqrt(s / n);
}

export const luma = (f: Frame, x0 = 0, y0 = 0, x1 = f.width, y1 = f.height) => {
  const [r, g, b] = meanColor(f, x0, y0, x1, y1);
  return 0.299 * r + 0.587 * g + 0.114 * b;
};

/** Mean colourfulness: how far pixels are from grey. */
export function saturation(f: Frame): number {
  let s = 0;
  for (let i = 0; i < f.data.length; i += 3) {
    const r = f.data[i];
    const g = f.data[i + 1];
    const b = f.data[i + 2];
    s += Math.max(r, g, b) - Math.min(r, g, b);
  }
  return s / (f.data.length / 3);
}

/** Mean absolute difference of one channel (0 r, 1 g, 2 b). */
export function channelDiff(a: Frame, b: Frame, ch: number): number {
  let s = 0;
  for (let i = ch; i < a.data.length; i += 3) s += Math.abs(a.data[i] - b.data[i]);
  return s / (a.data.length / 3);
}

/** The issues of a refused job (fails the test if the job was accepted or something else was thrown). */
export function issuesOf(params: object): { path: string; reason: string }[] {
  try {
    parseJob(params as RawJobParams);
  } catch (err) {
    if (err instanceof JobValidationError) return err.issues;
    throw err;
  }
  throw new Error('expected the job to be refused');
}

/** A JSON call to a service's REST API with these headers (a key): its status and body. */
export function restClient(base: string, headers: Record<string, string>) {
  return async (method: string, path: string, body?: object, as: Record<string, string> = headers) => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { ...as, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
}
