/**
 * Runs FFmpeg as a promise with a timeout, cancellation, progress (from `-progress pipe:1`) and
 * errors that carry the tail of stderr.
 */
import { execa } from 'execa';
import { ReelsmithError } from '../errors.js';

export interface RunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with the output time reached, in seconds. */
  onProgress?: (seconds: number) => void;
  /** Environment variables for FFmpeg (on top of this process's). */
  env?: Record<string, string>;
}

export async function runFfmpeg(args: string[], opts: RunOptions = {}): Promise<void> {
  const child = execa('ffmpeg', ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats', ...args], {
    timeout: opts.timeoutMs,
    cancelSignal: opts.signal,
    forceKillAfterDelay: 3000,
    buffer: { stdout: false, stderr: true },
    env: opts.env,
    maxBuffer: { stderr: 4 * 1024 * 1024 },
  });
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
    if (e.code === 'ENOENT') throw new ReelsmithError('RenderFailed', 'ffmpeg is not installed (apt-get install ffmpeg)');
    if (e.timedOut) throw new ReelsmithError('RenderTimeout', `ffmpeg did not finish within ${Math.round((opts.timeoutMs ?? 0) / 1000)} s and was killed`);
    if (e.isCanceled) throw new ReelsmithError('RenderFailed', 'render cancelled');
    // Killed from outside (the OOM killer, an operator): worth another try, unlike a failure of its own.
    if (e.signal) throw Object.assign(new ReelsmithError('RenderFailed', `ffmpeg was killed (${e.signal})`), { transient: true });
    const tail = (e.stderr ?? '').trim().split('\n').slice(-6).join('\n');
    throw new ReelsmithError('RenderFailed', `ffmpeg exited with code ${e.exitCode}: ${tail}`);
  }
}
