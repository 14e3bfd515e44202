import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { cli, ffprobe, meanVolume, media, tempDir, writeJob } from './helpers.js';

const home = tempDir('rs-music-home-');

/** Mean volume of a window of the track played twice in a row. */
async function loopedVolume(file: string, start: number, duration: number): Promise<number> {
  const { stderr } = await execa('ffmpeg', [
    '-hide_banner',
    '-stream_loop',
    '1',
    '-i',
    file,
    '-ss',
    String(start),
    '-t',
    String(duration),
    '-af',
    'volumedetect',
    '-f',
    'null',
    '-',
  ]);
  return Number(/mean_volume: (-?[\d.]+) dB/.exec(stderr)![1]);
}
const env = { REELSMITH_HOME: home };

describe('music library', () => {
  it('generates two loopable starter tracks per style, audible, starting and ending in silence', async () => {
    const r = await cli(['music', 'list', '--style', 'bgm-relaxing'], env);
    expect(r.exitCode, r.stderr).toBe(0);
    const tracks = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)[1]);
    expect(tracks).toHaveLength(2);
    for (const t of tracks) {
      const { duration } = await ffprobe(t);
      expect(duration).toBeGreaterThan(20);
      expect(await meanVolume(t, 2, 6)).toBeGreaterThan(-35);
      // Loopable: played twice, the seam sounds like the bar changes inside the track (every
      // track is a whole number of 4-bar phrases whose envelopes close at the bar lines).
      const seam = await loopedVolume(t, duration - 0.15, 0.3);
      const inner = await loopedVolume(t, duration / 2 - 0.15, 0.3);
      expect(Math.abs(seam - inner)).toBeLessThan(4);
    }
  });

  it('adds a user track to a style and refuses unknown styles', async () => {
    const add = await cli(['music', 'add', media('relaxing_theme.mp3'), '--style', 'bgm-upbeat'], env);
    expect(add.exitCode, add.stderr).toBe(0);
    const list = await cli(['music', 'list', '--style', 'bgm-upbeat'], env);
    expect(list.stdout).toContain('relaxing_theme.mp3');
    const bad = await cli(['music', 'add', media('relaxing_theme.mp3'), '--style', 'bgm-sad'], env);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/unknown music style "bgm-sad"; valid: bgm-beauty/);
  });

  it('draws music of BackgroundMusicConfig.Style when the job names none, and mixes it in', async () => {
    const dir = tempDir();
    const job = writeJob(dir, {
      InputConfig: { MediaArray: [media('mall_crowd.mp4')] },
      EditingConfig: { BackgroundMusicConfig: { Style: 'bgm-relaxing', Volume: 0.5 } },
      OutputConfig: { MediaURL: 'm_{index}.mp4', Count: 2, Width: 180, Height: 320, FixedDuration: 3 },
    });
    const plan = JSON.parse((await cli(['plan', job], env)).stdout);
    for (const p of plan.plans) expect(p.music.ref).toMatch(/music\/bgm-relaxing\/starter-[12]\.m4a$/);
    expect(new Set(plan.plans.map((p: { music: { ref: string } }) => p.music.ref)).size).toBe(2);
    const r = await cli(['produce', job, '--out', join(dir, 'out')], env);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(await meanVolume(join(dir, 'out', 'm_0.mp4'), 0.5, 1.5)).toBeGreaterThan(-30);
  });
});
