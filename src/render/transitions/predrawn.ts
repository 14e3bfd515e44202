/**
 * Shader transitions drawn before the render pass, when FFmpeg cannot run them itself (no frei0r
 * filter, a plugin that does not build, or REELSMITH_SHADER_HOST=program / REELSMITH_SHADERS=js).
 * One FFmpeg command extracts the overlap frames of every shader transition of the video (N frames
 * of the outgoing shot, then N of the incoming one, fitted as in the render, RGB24 on stdout); each
 * transition is drawn by its shader (the native program, or the JS engine without a C compiler) as
 * soon as its frames have arrived, while FFmpeg goes on with the next, and written to the work
 * folder; the render pass reads each as an input instead of fitting those frames of the shots.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReelsmithError } from '../../errors.js';
import type { Timeline } from '../../planner/timeline.js';
import { drawTransition } from '../../shaders/draw.js';
import { leashed } from '../../util/leash.js';
import type { Graph } from '../filtergraph.js';
import { graphPath } from '../filtergraph.js';
import { compileTransitionSources, type GraphInputs } from '../graph.js';
import type { RenderSettings } from '../settings.js';
import type { FramesHost } from './host.js';

export interface PredrawOptions {
  settings: RenderSettings;
  inputs: GraphInputs;
  aspects: Map<string, number>;
  work: string;
  cacheDir: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Draws the given shader transitions; returns transition index → RGB24 file of its frames. */
export async function drawShaderTransitions(t: Timeline, todo: Timeline['transitions'], o: PredrawOptions): Promise<Map<number, string>> {
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
    const shader = tr.drawnAs;
    drawing = drawing.then(async () => {
      if (failure) return;
      if (shader.by !== 'shader') throw new Error(`transition ${tr.index} is not drawn by a shader`);
      const t0 = performance.now();
      const drawn = await drawTransition(shader, data.subarray(0, n * size), data.subarray(n * size), {
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

/** The host reading the drawn frames (RGB24 files, transition index → file) as inputs of the render. */
export function predrawnHost(t: Timeline, files: Map<number, string>): FramesHost {
  return {
    kind: 'frames',
    frames: (g: Graph, cut) => {
      const file = files.get(cut.index);
      if (!file) throw new Error(`transition ${cut.index} was not drawn`);
      const src = g.input(
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        '-video_size',
        `${t.width}x${t.height}`,
        '-framerate',
        String(t.fps),
        '-i',
        graphPath(file),
      );
      const out = g.label('tr');
      g.chain(`[${src}:v]setsar=1,format=yuv420p,trim=start_frame=0:end_frame=${cut.frames},setpts=PTS-STARTPTS[${out}]`);
      return out;
    },
  };
}
