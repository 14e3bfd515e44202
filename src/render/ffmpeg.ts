/**
 * Runs FFmpeg as a promise with a timeout, cancellation, progress (from `-progress pipe:1`) and
 * errors that carry the tail of stderr.
 */
import { execa } from 'execa';
import { ReelsmithError } from '../errors.js';
import type { Readable } from 'node:stream';
import { leashed } from '../util/leash.js';

export interface RunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with the output time reached, in seconds. */
  onProgress?: (seconds: number) => void;
  /** Environment variables for FFmpeg (on top of this process's and `mallocEnv`). */
  env?: Record<string, string>;
  /** Malloc tunables for FFmpeg (default FFMPEG_MALLOC_ENV; {} leaves its allocator alone). */
  mallocEnv?: Readonly<Record<string, string>>;
  /** Address space FFmpeg may use (bytes); beyond it the render fails, saying so. */
  maxMemoryBytes?: number;
  /** A stream for FFmpeg's standard input (an input `pipe:0` of its arguments). */
  stdin?: Readable;
}

/**
 * glibc malloc settings for FFmpeg. FFmpeg allocates frames by the megabyte, and the first touch
 * of fresh memory costs a page fault per 4 KiB page (the kernel clears each page): large blocks
 * stay on the heap and the heap is not trimmed, so that freed frames are reused rather than
 * returned to the kernel and faulted in again. Memory is held at its peak until FFmpeg exits.
 *
 * Transparent huge pages for malloc (`glibc.malloc.hugetlb=1`) were used until 2026-12-03: on a
 * fresh virtual machine a 4 KiB fault cost 22 µs and huge pages cut a render's 213,000 faults to
 * 31,000. On a machine that has run a while they cost more than they save: the reference render
 * spent 1.4–2.6 s in the kernel with them (clearing whole 2 MiB pages, 5 % of its CPU in
 * `clear_page_erms`) against 0.6–0.8 s without (77,000 faults), and held 25 MB more
 * (docs/performance.md). A user who wants them back sets GLIBC_TUNABLES=glibc.malloc.hugetlb=1.
 *
 * Other C libraries ignore these variables; the shells let the user's own environment win, and
 * `REELSMITH_FFMPEG_MALLOC=0` leaves FFmpeg's allocator as it is (RenderSettings.ffmpegEnv).
 */
export const FFMPEG_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: String(1 << 30),
  MALLOC_TRIM_THRESHOLD_: String(2 ** 31),
};

/** The environment FFmpeg runs with: the malloc tunables (the shells leave out those the user's own environment sets), `extra` over them. */
export function ffmpegEnv(
  extra: Record<string, string> = {},
  malloc: Readonly<Record<string, string>> = FFMPEG_MALLOC_ENV,
): Record<string, string> {
  return { ...malloc, ...extra };
}

export async function runFfmpeg(args: string[], opts: RunOptions = {}): Promise<void> {
  const [cmd, argv] = await leashed(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats', ...args],
    { maxMemoryBytes: opts.maxMemoryBytes },
  );
  const child = execa(cmd, argv, {
    timeout: opts.timeoutMs,
    cancelSignal: opts.signal,
    forceKillAfterDelay: 3000,
    buffer: { stdout: false, stderr: true },
    env: ffmpegEnv(opts.env, opts.mallocEnv),
    maxBuffer: { stderr: 4 * 1024 * 1024 },
    stdin: opts.stdin ? 'pipe' : 'ignore',
  });
  if (opts.stdin && child.stdin) {
    // FFmpeg closes its input when it has read what it needs: the rest is not its concern.
    child.stdin.on('error', () => {});
    opts.stdin.pipe(child.stdin);
  }
  let carry = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    carry += chunk.toString();
    const lines = carry.split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^out_time_us=(\d+)/.exec(line);
      if (m && opts.onProgress) opts.onProgress(Number(m[1]) / 1e6);
    }
  });
  try {
    await child;
  } catch (err) {
    const e = err as { timedOut?: boolean; isCanceled?: boolean; stderr?: string; exitCode?: number; code?: string; signal?: string };
    // Out of its memory bound: an allocation failed (FFmpeg says so, or dies of it). Not transient.
    if (
      opts.maxMemoryBytes &&
      (/Cannot allocate memory|out of memory|ENOMEM|failed to map segment|error while loading shared libraries/i.test(e.stderr ?? '') ||
        e.signal === 'SIGSEGV' ||
        e.signal === 'SIGABRT')
    )
      throw new ReelsmithError(
        'RenderFailed',
        `the render needed more than its memory bound of ${Math.round(opts.maxMemoryBytes / 1024 ** 2)} MB`,
        undefined,
        {
          detail: (e.stderr ?? '').trim().split('\n').slice(-6).join('\n'),
        },
      );
    if (e.code === 'ENOENT' || e.exitCode === 127)
      throw new ReelsmithError('RenderFailed', 'ffmpeg is not installed (apt-get install ffmpeg)');
    if (e.timedOut)
      throw new ReelsmithError(
        'RenderTimeout',
        `ffmpeg did not finish within ${Math.round((opts.timeoutMs ?? 0) / 1000)} s and was killed`,
      );
    if (e.isCanceled) throw new ReelsmithError('RenderFailed', 'render cancelled');
    // Killed from outside (the OOM killer, an operator): worth another try, unlike a failure of its own.
    if (e.signal) throw new ReelsmithError('RenderFailed', `ffmpeg was killed (${e.signal})`, undefined, { transient: true });
    const tail = (e.stderr ?? '').trim().split('\n').slice(-6).join('\n');
    throw new ReelsmithError('RenderFailed', `the render failed (FFmpeg exited with code ${e.exitCode})`, undefined, { detail: tail });
  }
}
