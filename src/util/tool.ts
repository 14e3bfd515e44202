/**
 * The gateway every short-lived FFmpeg, ffprobe and espeak-ng process goes through: leashed to
 * this process (it dies with it, within a memory bound when given), with a timeout, and killed
 * hard when it ignores the polite signal. The render's long FFmpeg (render/ffmpeg.ts) uses the
 * same leash, with its own progress reading.
 */
import { execa } from 'execa';
import { leashed } from './leash.js';

export type Tool = 'ffmpeg' | 'ffprobe' | 'espeak-ng';

export interface ToolOptions {
  /** Default 10 minutes: nothing short-lived should take longer. */
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: Record<string, string>;
  input?: string;
  maxMemoryBytes?: number;
  /** Throw when the tool fails (default); false returns the result with its exit code. */
  reject?: boolean;
  maxBuffer?: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

const execaOptions = (o: ToolOptions) => ({
  timeout: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  cancelSignal: o.signal,
  env: o.env,
  input: o.input,
  reject: o.reject ?? true,
  forceKillAfterDelay: 3000,
  ...(o.maxBuffer ? { maxBuffer: o.maxBuffer } : {}),
});

/** Runs a tool; its output as text. */
export async function runTool(name: Tool, args: string[], o: ToolOptions = {}) {
  const [cmd, argv] = await leashed(name, args, { maxMemoryBytes: o.maxMemoryBytes });
  return execa(cmd, argv, execaOptions(o));
}

/** Runs a tool; its standard output as bytes (raw frames). */
export async function runToolBytes(name: Tool, args: string[], o: ToolOptions = {}): Promise<{ stdout: Buffer; exitCode?: number }> {
  const [cmd, argv] = await leashed(name, args, { maxMemoryBytes: o.maxMemoryBytes });
  const r = await execa(cmd, argv, { ...execaOptions(o), encoding: 'buffer' });
  return { stdout: Buffer.from(r.stdout as unknown as Uint8Array), exitCode: r.exitCode };
}

/**
 * Starts a tool whose standard output is read while it runs (a stream for another process): its
 * subprocess (wrapped, as a subprocess is itself awaitable), which resolves, never rejects, with
 * its exit code.
 */
export async function startTool(name: Tool, args: string[], o: ToolOptions = {}) {
  const [cmd, argv] = await leashed(name, args, { maxMemoryBytes: o.maxMemoryBytes });
  const subprocess = execa(cmd, argv, {
    ...execaOptions({ ...o, reject: false }),
    stdin: 'ignore',
    buffer: { stdout: false, stderr: true },
    encoding: 'buffer',
  });
  return { subprocess };
}
