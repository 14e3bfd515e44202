/**
 * Contact strips for effects and transitions: renders a short sample (two generated clips) with
 * the named effect or transition and tiles frames across it into one PNG.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ReelsmithError } from '../errors.js';
import { parseJob } from '../job/parse.js';
import type { Home } from '../config/home.js';
import { produce } from './produce.js';
import { runTool } from '../util/tool.js';
import { makeWorkDir } from '../util/workdir.js';

export interface PreviewOptions {
  kind: 'effect' | 'transition';
  name: string;
  outPng: string;
  /** The data folder (speech and shader caches). */
  home: Home;
  frames?: number;
  width?: number;
  height?: number;
}

async function sampleClips(dir: string, w: number, h: number): Promise<[string, string]> {
  const a = join(dir, 'a.mp4');
  const b = join(dir, 'b.mp4');
  const enc = ['-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
  await runTool('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=${w}x${h}:r=30`, ...enc, a]);
  await runTool('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `smptehdbars=s=${w}x${h}:r=30,hue=H=2*PI*t/3`, ...enc, b]);
  return [a, b];
}

export async function previewStrip(o: PreviewOptions): Promise<{ png: string; times: number[] }> {
  const w = o.width ?? 360;
  const h = o.height ?? 640;
  const n = o.frames ?? 6;
  const dir = await makeWorkDir('preview');
  try {
    const [a, b] = await sampleClips(dir, w, h);
    const processConfig =
      o.kind === 'transition'
        ? { SingleShotDuration: 2, AllowTransition: true, TransitionDuration: 1, TransitionList: [o.name] }
        : {
            SingleShotDuration: 2,
            AllowVfxEffect: true,
            VfxEffectProbability: 1,
            VfxFirstClipEffectList: [o.name],
            VfxNotFirstClipEffectList: [o.name],
          };
    const parsed = parseJob({
      InputConfig:
        o.kind === 'transition'
          ? {
              MediaGroupArray: [
                { GroupName: 'a', MediaArray: [a] },
                { GroupName: 'b', MediaArray: [b] },
              ],
            }
          : { MediaArray: [a] },
      EditingConfig: { ProcessConfig: processConfig },
      OutputConfig: { MediaURL: 'preview_{index}.mp4', Width: w, Height: h, FixedDuration: o.kind === 'transition' ? 4 : 2 },
    });
    const m = await produce(parsed, { home: o.home, outDir: dir, seed: 1 });
    const sub = m.EditingBatchJob.SubJobList[0];
    if (sub.Status !== 'Success') throw new ReelsmithError('RenderFailed', sub.ErrorMessage ?? 'preview failed');
    const t = m.Plans[0].timeline!;
    // Frames spread over the transition's overlap, or over the whole effect shot.
    const tr = t.transitions[0];
    const [from, to] = tr ? [tr.start, tr.start + tr.duration] : [0, t.shots[0].duration - 1 / t.fps];
    const times = Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));
    const select = times.map((s) => `eq(n\\,${Math.min(Math.round(s * t.fps), Math.round(t.duration * t.fps) - 1)})`).join('+');
    await runTool('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-i',
      join(dir, 'preview_0.mp4'),
      '-vf',
      `select='${select}',scale=${Math.round(w / 2 / 2) * 2}:-2,tile=${n}x1:padding=4:color=white`,
      '-frames:v',
      '1',
      o.outPng,
    ]);
    return { png: o.outPng, times };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface CaptionStillOptions {
  /** The caption's text (one sentence is shown). */
  text: string;
  /** EditingConfig.SpeechConfig.AsrConfig of the job (style and animation), as given. */
  asrConfig: unknown;
  voice?: string;
  width: number;
  height: number;
  outPng: string;
  home: Home;
  engine?: import('../speech/engine.js').SpeechEngine;
}

/**
 * A caption as the render draws it, on a still: a short video of a sample picture with the text
 * spoken and captioned with the job's caption style, and the frame three quarters into the first
 * caption (past its entrance animation). Refusals of the style name its fields.
 */
export async function captionStill(o: CaptionStillOptions): Promise<void> {
  // At most 360 pixels wide, the job's shape.
  const scale = Math.min(1, 360 / o.width);
  const w = Math.max(128, Math.round((o.width * scale) / 2) * 2);
  const h = Math.max(128, Math.round((o.height * scale) / 2) * 2);
  const dir = await makeWorkDir('caption');
  try {
    const [a] = await sampleClips(dir, w, h);
    const parsed = parseJob({
      InputConfig: { MediaArray: [a], SpeechText: o.text },
      EditingConfig: { SpeechConfig: { Voice: o.voice || 'cally', ...(o.asrConfig ? { AsrConfig: o.asrConfig } : {}) } },
      OutputConfig: { MediaURL: 'caption_{index}.mp4', Width: w, Height: h },
    });
    const m = await produce(parsed, { home: o.home, outDir: dir, seed: 1, engine: o.engine, check: false });
    const sub = m.EditingBatchJob.SubJobList[0];
    if (sub.Status !== 'Success') throw new ReelsmithError('RenderFailed', sub.ErrorMessage ?? 'caption preview failed');
    const c = m.Plans[0].timeline?.captions?.captions[0];
    const at = c ? c.start + (c.end - c.start) * 0.75 : 0;
    await runTool('ffmpeg', ['-v', 'error', '-y', '-ss', at.toFixed(3), '-i', join(dir, 'caption_0.mp4'), '-frames:v', '1', o.outPng]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
