/**
 * Shader transitions, drawn before the render pass that splices them in. One FFmpeg command
 * extracts the overlap frames of every shader transition of the video (N frames of the outgoing
 * shot, then N of the incoming one, fitted as in the render, RGB24 on stdout); each transition is
 * drawn by its shader as soon as its frames have arrived, while FFmpeg goes on with the next, and
 * written to the work folder for the render pass to read.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ReelsmithError } from '../errors.js';
import { leashed } from '../util/leash.js';
import { runTool } from '../util/tool.js';
import type { Timeline } from '../planner/timeline.js';
import { drawTransition, nativeProgram } from '../shaders/draw.js';
import type { RenderSettings } from './settings.js';
import { ffmpegEnv, runFfmpeg } from './ffmpeg.js';
import { compileTransitionSources, type GraphInputs } from './graph.js';

/** The timeline's transitions drawn by a gl-transitions shader (the others are FFmpeg crossfades). */
export function shaderTransitions(t: Timeline): Timeline['transitions'] {
  return t.transitions.filter((x) => x.drawnAs.startsWith('glsl:'));
}

export interface ShaderTransitionOptions {
  settings: RenderSettings;
  inputs: GraphInputs;
  aspects: Map<string, number>;
  work: string;
  cacheDir: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Draws the timeline's shader transitions; returns transition index → RGB24 file of its frames. */
export async function drawShaderTransitions(t: Timeline, o: ShaderTransitionOptions): Promise<Map<number, string>> {
  const todo = shaderTransitions(t);
  const files = new Map<number, string>();
  if (todo.length === 0) return files;
  const { args, frames } = compileTransitionSources(
    t,
    todo.map((x) => x.index),
    o.inputs,
    o.aspects,
  );
  if (o.settings.keepWork) await writeFile(join(o.work, 'extract-args.json'), JSON.stringify(args, null, 1));
  const size = t.width * t.height * 3;
  const started = performance.now();
  const [cmd, argv] = await leashed('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args]);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let failure: Error | undefined;
  const fail = (e: Error) => {
    failure ??= e;
    child.kill('SIGKILL');
  };
  child.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-8000);
  });

  let j = 0;
  while (j < todo.length && frames[j] <= 0) j++;
  let buf = Buffer.allocUnsafe(j < todo.length ? 2 * frames[j] * size : 0);
  let filled = 0;
  let drawing: Promise<void> = Promise.resolve();
  const dispatch = (k: number, data: Buffer) => {
    const n = frames[k];
    const tr = todo[k];
    drawing = drawing.then(async () => {
      if (failure) return;
      const t0 = performance.now();
      const drawn = await drawTransition(tr.name, data.subarray(0, n * size), data.subarray(n * size), {
        width: t.width,
        height: t.height,
        cacheDir: o.cacheDir,
        signal: o.signal,
        build: o.settings.shaderBuild,
        ...(o.settings.shaders === 'js' ? { engine: 'js' as const } : {}),
      });
      const file = join(o.work, `transition-${tr.index}.rgb`);
      await writeFile(file, drawn.frames);
      files.set(tr.index, file);
      if (o.settings.debugTiming)
        process.stderr.write(
          `[shader] ${tr.name}: ${n} frames drawn in ${(performance.now() - t0).toFixed(0)} ms (${drawn.engine}), at ${(performance.now() - started).toFixed(0)} ms\n`,
        );
    });
    drawing.catch((e: Error) =>
      fail(new ReelsmithError('RenderFailed', `transition ${tr.name} at ${tr.start.toFixed(2)} s: ${e.message}`)),
    );
  };
  child.stdout.on('data', (chunk: Buffer) => {
    let off = 0;
    while (off < chunk.length) {
      if (j >= todo.length) {
        fail(new ReelsmithError('RenderFailed', 'ffmpeg sent more transition frames than expected'));
        return;
      }
      const take = Math.min(chunk.length - off, buf.length - filled);
      chunk.copy(buf, filled, off, off + take);
      filled += take;
      off += take;
      if (filled === buf.length) {
        dispatch(j, buf);
        j++;
        while (j < todo.length && frames[j] <= 0) j++;
        filled = 0;
        buf = Buffer.allocUnsafe(j < todo.length ? 2 * frames[j] * size : 0);
      }
    }
  });

  const timer = setTimeout(
    () => fail(new ReelsmithError('RenderTimeout', `extracting transition frames took over ${Math.round(o.timeoutMs / 1000)} s`)),
    o.timeoutMs,
  );
  const onAbort = () => fail(new ReelsmithError('RenderFailed', 'render cancelled'));
  o.signal?.addEventListener('abort', onAbort);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', (e: NodeJS.ErrnoException) =>
        reject(e.code === 'ENOENT' ? new ReelsmithError('RenderFailed', 'ffmpeg is not installed (apt-get install ffmpeg)') : e),
      );
      child.on('close', (c) => resolve(c));
    });
    if (o.settings.debugTiming) process.stderr.write(`[shader] extraction ended at ${(performance.now() - started).toFixed(0)} ms\n`);
    await drawing.catch(() => {});
    if (o.settings.debugTiming) process.stderr.write(`[shader] all drawn at ${(performance.now() - started).toFixed(0)} ms\n`);
    if (failure) throw failure;
    if (code !== 0)
      throw new ReelsmithError('RenderFailed', `extracting transition frames failed (FFmpeg exited with code ${code})`, undefined, {
        detail: stderr.trim().split('\n').slice(-6).join('\n'),
      });
    if (j < todo.length)
      throw new ReelsmithError(
        'RenderFailed',
        `extracting transition frames: ffmpeg ended before the frames of transition ${todo[j].name} at ${todo[j].start.toFixed(2)} s`,
      );
    return files;
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

export interface SplicedRenderOptions extends ShaderTransitionOptions {
  /** FFmpeg arguments of the render pass, given the named pipes it reads the drawn frames from. */
  renderArgs: (pipes: Map<number, string>) => string[];
  onProgress?: (seconds: number) => void;
  /** The render's memory bound (the extraction and the programs are small). */
  maxMemoryBytes?: number;
}

/**
 * The render with native shader transitions, everything at once: the extraction pass writes the
 * overlap frames of every transition into one named pipe, as yuv420p pairs (outgoing frame over
 * incoming one); the shader programs (one per transition, all started at once) take turns reading
 * their N pairs from it, drawing each pair as it arrives into one named pipe each, as yuv420p, which
 * the render pass reads when it reaches that transition. The render starts at once (each program
 * gives it a spare frame to probe); no frame goes through this process or the disk.
 * Returns false (having done nothing) when a shader has no native program.
 */
export async function renderWithNativeShaders(t: Timeline, o: SplicedRenderOptions): Promise<boolean> {
  const todo = shaderTransitions(t);
  const programs = await Promise.all(todo.map((x) => nativeProgram(x.name, o.cacheDir, o.settings.shaderBuild)));
  if (programs.some((p) => !p)) return false;
  const extractPipe = join(o.work, 'extract.pipe');
  const pipes = new Map(todo.map((x) => [x.index, join(o.work, `transition-${x.index}.pipe`)]));
  await execa('mkfifo', [extractPipe, ...pipes.values()]);
  const { args: extractArgs, frames } = compileTransitionSources(
    t,
    todo.map((x) => x.index),
    o.inputs,
    o.aspects,
    extractPipe,
    'yuv420p-pairs',
  );
  const renderArgs = o.renderArgs(pipes);

  const controller = new AbortController();
  const stop = () => controller.abort();
  o.signal?.addEventListener('abort', stop);
  const threads = String(availableParallelism());
  const children = todo.map((x, k) => {
    const p = programs[k]!;
    return spawn(
      p.exe,
      [String(t.width), String(t.height), String(frames[k]), threads, '--splice', pipes.get(x.index)!, extractPipe, '--yuv', ...p.textures],
      {
        stdio: ['pipe', 'ignore', 'pipe'],
        signal: controller.signal,
      },
    );
  });
  // Turns on the extraction pipe: program k + 1 reads once program k has its last pair ("R").
  const done = children.map(
    (child, k) =>
      new Promise<void>((resolve, reject) => {
        let err = '';
        child.stdin?.on('error', () => {});
        child.stderr?.on('data', (c: Buffer) => {
          const text = c.toString();
          if (text.includes('R\n') && k + 1 < children.length) children[k + 1].stdin?.end('g');
          err += text.replace('R\n', '');
        });
        child.on('error', reject);
        child.on('close', (code) =>
          code === 0
            ? resolve()
            : reject(
                new ReelsmithError(
                  'RenderFailed',
                  `transition ${todo[k].name} at ${todo[k].start.toFixed(2)} s: its shader program exited with ${code} ${err.trim().slice(-300)}`,
                ),
              ),
        );
      }),
  );
  children[0]?.stdin?.end('g');
  const extraction = runTool('ffmpeg', ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...extractArgs], {
    signal: controller.signal,
    timeoutMs: o.timeoutMs,
    env: ffmpegEnv({}, o.settings.ffmpegEnv),
  });
  const render = runFfmpeg(renderArgs, {
    timeoutMs: o.timeoutMs,
    signal: controller.signal,
    onProgress: o.onProgress,
    mallocEnv: o.settings.ffmpegEnv,
    maxMemoryBytes: o.maxMemoryBytes,
  });
  const all = [render, extraction.then(() => undefined), ...done];
  // The first failure stops everything (a blocked pipe would otherwise wait for ever).
  for (const p of all) p.catch(stop);
  try {
    const results = await Promise.allSettled(all);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // Prefer the cause over the kills it led to.
      const first = results
        .map((r) => (r.status === 'rejected' ? (r.reason as Error) : undefined))
        .find((e) => e && !/cancel|abort|SIGTERM|SIGKILL|exited with null/i.test(e.message));
      throw first ?? failed.reason;
    }
    return true;
  } finally {
    o.signal?.removeEventListener('abort', stop);
  }
}
