/**
 * Real-world damage, reproduced with fixtures made by test/media.ts: keyframes that do not decode
 * alone (an index that names P frames as keyframes) and a file cut short (its index claims 8 s,
 * its data stops near 3 s). Outputs are judged by their decoded frames: the fixtures are grey
 * ramps whose brightness says which source frame a picture is.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { prepare, produce } from '../src/batch/produce.js';
import type { Timeline } from '../src/planner/timeline.js';
import { QualityCheckError } from '../src/render/quality.js';
import { renderTimeline } from '../src/render/render.js';
import { inspect } from '../src/media/probe.js';
import { parseJob } from '../src/job/parse.js';
import { detectBlackAndFrozen, frameAt, luma, media, tempDir, useTempHome, testHome } from './helpers.js';

/**
 * Mean brightness (RGB, as frameAt reads it) of a source frame at `t`: decoded from the start
 * (exact) or reached by a naive input seek, the way a careless cutter would.
 */
async function meanAt(file: string, t: number, how: 'exact' | 'seek'): Promise<number> {
  const input = how === 'exact' ? ['-i', file, '-vf', `trim=start=${t},setpts=PTS-STARTPTS`] : ['-ss', String(t), '-i', file];
  const { stdout } = await execa('ffmpeg', ['-v', 'error', ...input, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    encoding: 'buffer',
  });
  const data = Buffer.from(stdout as unknown as Uint8Array);
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i];
  return s / data.length;
}
const exactLuma = (file: string, t: number) => meanAt(file, t, 'exact');
const seekLuma = (file: string, t: number) => meanAt(file, t, 'seek');

describe('keyframes that do not decode alone', () => {
  it('the fixture reproduces the class: a naive input seek gives the wrong frames', async () => {
    const forged = media('forged_keys.mp4');
    // 0.3 s off: the decoder drops the undecodable frames and resumes at the next real IDR
    expect(Math.abs((await seekLuma(forged, 2.7)) - (await exactLuma(forged, 2.7)))).toBeGreaterThan(6);
    // the same content with an honest index seeks exactly
    const honest = join(media('.'), '.forged_keys_source.mp4');
    expect(Math.abs((await seekLuma(honest, 2.7)) - (await exactLuma(honest, 2.7)))).toBeLessThan(1.5);
  });

  it('is found at probe time: seeking is unsafe for the fixture, safe for ordinary files', async () => {
    expect(await inspect(media('forged_keys.mp4'))).toMatchObject({ kind: 'video', seekSafe: false });
    expect(await inspect(media('rgb_parts.mp4'))).toMatchObject({ kind: 'video', seekSafe: true, decodable: expect.closeTo(6, 1) });
  });

  it('renders shots cut past the first keyframe from the right frames', async () => {
    useTempHome();
    const forged = media('forged_keys.mp4');
    const out = tempDir();
    const m = await produce(
      parseJob({
        InputConfig: { MediaGroupArray: [{ GroupName: 'g', MediaArray: [forged], SplitMode: 'NoSplit' }] },
        EditingConfig: { MediaConfig: { MediaMetaDataArray: [{ Media: forged, TimeRangeList: [{ In: 2.7, Out: 3.7 }] }] } },
        OutputConfig: { MediaURL: 'k_{index}.mp4', Width: 180, Height: 320, FixedDuration: 1 },
      }),
      { home: testHome(), outDir: out, seed: 1 },
    );
    expect(m.EditingBatchJob.SubJobList[0].Status).toBe('Success');
    expect(m.Plans[0].timeline!.shots[0].material).toEqual({ ref: forged, kind: 'video', seek: 'decode' });
    for (const t of [0.1, 0.5, 0.9]) {
      const got = luma(await frameAt(join(out, 'k_0.mp4'), t));
      expect(Math.abs(got - (await exactLuma(forged, 2.7 + t)))).toBeLessThan(2.5);
    }
  });
});

describe('files shorter than they claim', () => {
  it('knows what decodes, plans inside it, says so, and makes no frozen stretch', async () => {
    useTempHome();
    const file = media('truncated.mp4');
    const p = await inspect(file);
    expect(p.duration).toBeGreaterThan(7.5);
    expect(p.decodable).toBeGreaterThan(1.5);
    expect(p.decodable).toBeLessThan(5);
    const out = tempDir();
    const m = await produce(
      parseJob({
        InputConfig: { MediaGroupArray: [{ GroupName: 'g', MediaArray: [file], SplitMode: 'NoSplit' }] },
        OutputConfig: { MediaURL: 't_{index}.mp4', Width: 180, Height: 320 },
      }),
      { home: testHome(), outDir: out, seed: 1 },
    );
    const shot = m.Plans[0].timeline!.shots[0];
    expect(shot.sourceOut).toBeLessThanOrEqual(p.decodable! + 0.01);
    expect(m.Warnings.join('\n')).toMatch(/truncated\.mp4 decodes only \d\.\d\d s of the 8\.\d\d s its file claims/);
    expect((await detectBlackAndFrozen(join(out, 't_0.mp4'), 0.3)).frozen).toEqual([]);
    // the last frame is the source's last decodable picture, not a freeze of an earlier one
    const end = m.Plans[0].timeline!.duration;
    expect(Math.abs(luma(await frameAt(join(out, 't_0.mp4'), end - 0.1)) - (await exactLuma(file, shot.sourceOut - 0.1)))).toBeLessThan(3);
  });
});

describe('every output checks itself', () => {
  it('records its figures in the manifest: no garbage, no unplanned freeze, loudness at the target', async () => {
    useTempHome();
    const out = tempDir();
    const m = await produce(
      parseJob({
        InputConfig: { MediaArray: [media('portrait_tone.mp4')], SpeechText: 'The check runs on every output.' },
        OutputConfig: { MediaURL: 'q_{index}.mp4', Width: 180, Height: 320 },
      }),
      { home: testHome(), outDir: out, seed: 1 },
    );
    expect(m.EditingBatchJob.SubJobList[0]).toMatchObject({
      Status: 'Success',
      Quality: { DecodeGarbage: expect.any(Number), LongestBlack: 0, Loudness: expect.closeTo(-16, 0), SafePath: false },
    });
    expect(m.EditingBatchJob.SubJobList[0].Quality!.DecodeGarbage).toBeLessThan(0.05);
  });

  it('refuses an output whose picture stops short of its plan, naming the material and the time, and leaves no file', async () => {
    useTempHome();
    const file = media('truncated.mp4');
    const parsed = parseJob({
      InputConfig: { MediaGroupArray: [{ GroupName: 'g', MediaArray: [file], SplitMode: 'NoSplit' }] },
      OutputConfig: { MediaURL: 'x_{index}.mp4', Width: 180, Height: 320 },
    });
    const p = await prepare(parsed, { home: testHome(), seed: 1 });
    const t = p.plan.timelines[0] as Timeline;
    // What a planner that trusted the file's own claim (8 s) would have asked for.
    const lying: Timeline = { ...t, duration: 6, shots: [{ ...t.shots[0], duration: 6, sourceIn: 0, sourceOut: 6 }] };
    const target = join(tempDir(), 'x_0.mp4');
    const err = await renderTimeline(lying, target, {
      paths: p.materials.paths,
      aspects: new Map(),
      speechClips: p.speechClips,
      encode: { crf: 23, preset: 'veryfast' },
      cacheDir: testHome().cache,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QualityCheckError);
    expect((err as QualityCheckError).message).toMatch(
      /the picture ends at \d\.\d s of 6\.0 s, at \d\.\d s \(material .*truncated\.mp4 at \d\.\d s\)/,
    );
    expect(existsSync(target)).toBe(false);
  });
});
