/** ffprobe wrapper: what a material is (video, image, audio), its size, duration and streams. */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { materialUnreadable, ReelsmithError } from '../errors.js';
import { leashed } from '../util/leash.js';

export interface ProbeResult {
  kind: 'video' | 'image' | 'audio';
  duration: number;
  width: number;
  height: number;
  hasAudio: boolean;
  hasVideo: boolean;
  rotation: number;
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
    const r = await execa(...(await leashed('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path])), { timeout: 30_000 });
    out = r.stdout;
  } catch (err) {
    const e = err as { stderr?: string; timedOut?: boolean };
    if (e.timedOut) throw materialUnreadable(name, 'probing took longer than 30 s');
    const last = (e.stderr ?? String(err)).trim().split('\n').slice(-1)[0] ?? '';
    // ffprobe's own words name the server's file; the answer says what it means for the user.
    throw new ReelsmithError('InvalidMaterial.Unreadable', `material ${name} cannot be read: not a media file FFmpeg can decode`, undefined, { detail: last });
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
    formatName.includes('image2') || formatName.endsWith('_pipe') || (IMAGE_CODECS.has(video.codec_name ?? '') && !(frames > 1) && !(duration > 0.1 && video.codec_name === 'gif'));
  if (still) return { kind: 'image', duration: Number.POSITIVE_INFINITY, width, height, hasAudio: false, hasVideo: true, rotation };
  if (!(duration > 0)) throw materialUnreadable(name, 'has no duration');
  return { kind: 'video', duration, width, height, hasAudio: !!audio, hasVideo: true, rotation };
}

/**
 * probe() with a cache on disk keyed by path, size and modification time, so that a material
 * probed once is not probed again by later outputs, jobs or restarts.
 */
export async function probeCached(path: string, name: string, cacheDir: string): Promise<ProbeResult> {
  const st = await stat(path);
  const key = createHash('sha256').update(`${path}\n${st.size}\n${st.mtimeMs}`).digest('hex').slice(0, 32);
  const file = join(cacheDir, 'probe', `${key}.json`);
  try {
    const cached = JSON.parse(await readFile(file, 'utf8')) as ProbeResult;
    if (cached.kind === 'image') cached.duration = Number.POSITIVE_INFINITY;
    return cached;
  } catch {
    // not cached yet
  }
  const result = await probe(path, name);
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(result));
  await rename(tmp, file);
  return result;
}
