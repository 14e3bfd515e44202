/** ffprobe wrapper: what a material is (video, image, audio), its size, duration and streams. */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { materialUnreadable, ReelsmithError } from '../errors.js';
import { runTool } from '../util/tool.js';

export interface ProbeResult {
  kind: 'video' | 'image' | 'audio';
  duration: number;
  width: number;
  height: number;
  hasAudio: boolean;
  hasVideo: boolean;
  rotation: number;
  /**
   * Seconds that really decode (videos and audio): the end of the last packet present, which is
   * less than `duration` for a truncated file whose index claims more.
   */
  decodable?: number;
  /**
   * Whether seeking the input (`-ss` before `-i`) lands on frames that decode as they should; false
   * for files whose indexed keyframes do not decode alone (forged or open keyframes, broken
   * indexes): those are cut by decoding from the start.
   */
  seekSafe?: boolean;
}

const IMAGE_CODECS = new Set(['png', 'mjpeg', 'jpegls', 'webp', 'bmp', 'tiff', 'gif', 'jpeg2000', 'pgm', 'ppm']);

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  duration?: string;
  nb_frames?: string;
  disposition?: { attached_pic?: number };
  side_data_list?: { rotation?: number }[];
  tags?: { rotate?: string };
}

export async function probe(path: string, name = path): Promise<ProbeResult> {
  let out: string;
  try {
    const r = await runTool('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path], {
      timeoutMs: 30_000,
    });
    out = r.stdout;
  } catch (err) {
    const e = err as { stderr?: string; timedOut?: boolean };
    if (e.timedOut) throw materialUnreadable(name, 'probing took longer than 30 s');
    const last = (e.stderr ?? String(err)).trim().split('\n').slice(-1)[0] ?? '';
    // ffprobe's own words name the server's file; the answer says what it means for the user.
    throw new ReelsmithError(
      'InvalidMaterial.Unreadable',
      `material ${name} cannot be read: not a media file FFmpeg can decode`,
      undefined,
      { detail: last },
    );
  }
  const data = JSON.parse(out) as { streams?: FfprobeStream[]; format?: { duration?: string; format_name?: string } };
  const streams = data.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === 'audio');
  const formatName = data.format?.format_name ?? '';
  const duration = Number(data.format?.duration ?? video?.duration ?? audio?.duration ?? 0) || 0;
  if (!video && !audio) throw materialUnreadable(name, 'contains no video, image or audio stream');
  if (!video) return { kind: 'audio', duration, width: 0, height: 0, hasAudio: true, hasVideo: false, rotation: 0 };
  const rotation = Number(video.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? video.tags?.rotate ?? 0);
  let width = video.width ?? 0;
  let height = video.height ?? 0;
  if (Math.abs(rotation) % 180 === 90) [width, height] = [height, width];
  if (!width || !height) throw materialUnreadable(name, 'video stream has no size');
  const frames = Number(video.nb_frames ?? 0);
  const still =
    formatName.includes('image2') ||
    formatName.endsWith('_pipe') ||
    (IMAGE_CODECS.has(video.codec_name ?? '') && !(frames > 1) && !(duration > 0.1 && video.codec_name === 'gif'));
  if (still) return { kind: 'image', duration: Number.POSITIVE_INFINITY, width, height, hasAudio: false, hasVideo: true, rotation };
  if (!(duration > 0)) throw materialUnreadable(name, 'has no duration');
  return { kind: 'video', duration, width, height, hasAudio: !!audio, hasVideo: true, rotation };
}

interface PacketScan {
  /** Seconds from the stream's start to the end of its last packet. */
  end: number;
}

/** Reads every packet of the first video (or audio) stream without decoding: cheap, I/O bound. */
async function scanPackets(path: string, stream: 'v' | 'a'): Promise<PacketScan | undefined> {
  const r = await runTool(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      `${stream}:0`,
      '-show_entries',
      'stream=start_time:packet=pts_time,duration_time',
      '-of',
      'json',
      path,
    ],
    { timeoutMs: 120_000, reject: false, maxBuffer: 512 * 1024 * 1024 },
  );
  if (r.exitCode !== 0) return undefined;
  const j = JSON.parse(r.stdout) as {
    packets?: { pts_time?: string; duration_time?: string; flags?: string }[];
    streams?: { start_time?: string }[];
  };
  const start = Number(j.streams?.[0]?.start_time ?? 0) || 0;
  let end = 0;
  for (const p of j.packets ?? []) {
    const pts = Number(p.pts_time);
    if (Number.isFinite(pts)) end = Math.max(end, pts - start + (Number(p.duration_time) || 0));
  }
  return { end };
}

/** framemd5 hashes of `frames` video frames from `at`, by input seeking or by decoding from the start. */
async function frameHashes(path: string, at: number, frames: number, how: 'seek' | 'decode'): Promise<{ hashes: string[] }> {
  const input =
    how === 'seek' ? ['-ss', at.toFixed(3), '-i', path] : ['-i', path, '-vf', `trim=start=${at.toFixed(3)},setpts=PTS-STARTPTS`];
  const r = await runTool(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-v', 'error', ...input, '-map', '0:v:0', '-frames:v', String(frames), '-f', 'framemd5', '-'],
    {
      timeoutMs: 120_000,
      reject: false,
    },
  );
  const hashes = r.stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(',').pop()!.trim());
  return { hashes };
}

/** Where an input seek to `t` starts reading: the keyframe the file's own index names before `t`. */
async function indexKeyframeBefore(path: string, t: number): Promise<number | undefined> {
  const r = await runTool(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-read_intervals',
      `${t.toFixed(3)}%+#1`,
      '-show_entries',
      'packet=pts_time:stream=start_time',
      '-of',
      'json',
      path,
    ],
    { timeoutMs: 30_000, reject: false },
  );
  if (r.exitCode !== 0) return undefined;
  const j = JSON.parse(r.stdout) as { packets?: { pts_time?: string }[]; streams?: { start_time?: string }[] };
  const pts = Number(j.packets?.[0]?.pts_time);
  return Number.isFinite(pts) ? pts - (Number(j.streams?.[0]?.start_time ?? 0) || 0) : undefined;
}

/**
 * Whether input seeking into a video gives the frames a decode from the start gives. The file's
 * index decides where a seek starts decoding, so the check seeks just after the keyframes the
 * index names before a third and two thirds of the file: a keyframe that does not decode alone
 * shows as frames that differ (garbage, or frames dropped until the next real keyframe). Costs two
 * short decodes from the start, once per file (the result is cached with the probe).
 */
async function checkSeeking(path: string, scan: PacketScan): Promise<boolean> {
  const keyframes = new Set<number>();
  for (const share of [0.35, 0.7]) {
    const k = await indexKeyframeBefore(path, scan.end * share);
    if (k !== undefined && k > 0.05 && k < Math.min(scan.end - 0.2, 120)) keyframes.add(Math.round(k * 1000) / 1000);
  }
  for (const k of keyframes) {
    const at = k + 0.05;
    const [naive, exact] = await Promise.all([frameHashes(path, at, 3, 'seek'), frameHashes(path, at, 3, 'decode')]);
    // The frames decide (an open GOP logs errors for frames it then drops, and is safe).
    if (naive.hashes.length === 0 || naive.hashes.join() !== exact.hashes.join()) return false;
  }
  return true;
}

/** probe() plus what cutting needs: the decodable length and whether input seeking is safe. */
export async function inspect(path: string, name = path): Promise<ProbeResult> {
  const p = await probe(path, name);
  if (p.kind === 'image') return p;
  const scan = await scanPackets(path, p.kind === 'video' ? 'v' : 'a');
  if (!scan) return p;
  const decodable = Math.min(p.duration, scan.end);
  if (!(decodable > 0)) throw materialUnreadable(name, 'no frame of it can be read (the file is cut short or damaged)');
  return { ...p, decodable, seekSafe: p.kind === 'video' ? await checkSeeking(path, scan) : true };
}

/**
 * probe() with a cache on disk keyed by path, size and modification time, so that a material
 * probed once is not probed again by later outputs, jobs or restarts.
 */
export async function probeCached(path: string, name: string, cacheDir: string): Promise<ProbeResult> {
  const st = await stat(path);
  // v2: with the decodable length and the seek check.
  const key = createHash('sha256').update(`v2\n${path}\n${st.size}\n${st.mtimeMs}`).digest('hex').slice(0, 32);
  const file = join(cacheDir, 'probe', `${key}.json`);
  try {
    const cached = JSON.parse(await readFile(file, 'utf8')) as ProbeResult;
    if (cached.kind === 'image') cached.duration = Number.POSITIVE_INFINITY;
    return cached;
  } catch {
    // not cached yet
  }
  const result = await inspect(path, name);
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(result));
  await rename(tmp, file);
  return result;
}
