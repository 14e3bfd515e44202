import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ffprobe, frameAt, meanColor, media, tempDir, writeJob } from './helpers.js';

const home = tempDir('rs-cli-home-');
const env = { REELSMITH_HOME: home };

let server: Server;
let hits = 0;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    if (req.url === '/clip.mp4') {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.end(readFileSync(media('portrait_tone.mp4')));
    } else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const small = { Width: 360, Height: 640 };

describe('CLI', () => {
  it('produce renders every output, writes an IMS-shaped manifest and exits 0', async () => {
    const dir = tempDir();
    const job = writeJob(dir, {
      InputConfig: JSON.stringify({
        MediaGroupArray: [{ GroupName: 'g', MediaArray: [media('storefront_opening.mp4'), media('mall_crowd.mp4')] }],
        SpeechTextArray: ['Hello from reelsmith.'],
        Title: 'Title',
      }),
      OutputConfig: JSON.stringify({ MediaURL: 'https://bucket.example.com/v/clip_{index}.mp4', Count: 2, ...small }),
      UserData: JSON.stringify({ NotifyAddress: 'https://example.com/cb', Batch: 7 }),
    });
    const out = join(dir, 'out');
    const r = await cli(['produce', job, '--out', out, '--seed', '5', '--jobs', '2'], env);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('2/2 videos');
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.EditingBatchJob).toMatchObject({
      JobType: 'Script',
      Status: 'Finished',
      UserData: JSON.stringify({ NotifyAddress: 'https://example.com/cb', Batch: 7 }),
    });
    expect(m.EditingBatchJob.SubJobList.map((s: { MediaURL: string }) => s.MediaURL)).toEqual([
      'https://bucket.example.com/v/clip_0.mp4',
      'https://bucket.example.com/v/clip_1.mp4',
    ]);
    expect(m.EditingBatchJob.JobId).toMatch(/^[0-9a-f]{32}$/);
    expect(m.Seed).toBe('5');
    expect(m.Uniqueness.possibleSequences).toBeGreaterThan(1);
    expect(readdirSync(out).sort()).toEqual(['clip_0.mp4', 'clip_1.mp4', 'manifest.json']);
    expect((await ffprobe(join(out, 'clip_1.mp4'))).duration).toBeCloseTo(m.EditingBatchJob.SubJobList[1].Duration, 1);
  });

  it('plan prints the same timelines for the same seed, without rendering', async () => {
    const dir = tempDir();
    const job = writeJob(dir, {
      InputConfig: { MediaArray: [media('fresh_fruit.png'), media('mall_crowd.mp4')], SpeechText: 'Fresh fruit. A crowded mall.' },
      OutputConfig: { MediaURL: 'o_{index}.mp4', Count: 3, ...small },
    });
    const a = await cli(['plan', job, '--seed', '9'], env);
    const b = await cli(['plan', job, '--seed', '9'], env);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const plan = JSON.parse(a.stdout);
    expect(plan.plans).toHaveLength(3);
    expect(plan.plans[0].shots.length).toBe(2);
    expect(readdirSync(dir)).toEqual(['job.json']);
  });

  it('refuses an invalid job before rendering anything, naming each field, with exit code 2', async () => {
    const dir = tempDir();
    const job = writeJob(dir, {
      InputConfig: { MediaArray: [media('fresh_fruit.png')] },
      EditingConfig: { MediaConfig: { MediaMetaDataArray: [{ Media: media('fresh_fruit.png'), TimeRangeList: [{ In: 15, Out: 12 }] }] } },
      OutputConfig: { MediaURL: 'o.mp4', Count: 2 },
    });
    const out = join(dir, 'out');
    const r = await cli(['produce', job, '--out', out], env);
    expect(r.exitCode).toBe(2);
    // Each problem names its line in the job file.
    const lines = readFileSync(job, 'utf8').split('\n');
    const lineOf = (re: RegExp) => lines.findIndex((l) => re.test(l)) + 1;
    expect(r.stderr).toContain(
      `EditingConfig.MediaConfig.MediaMetaDataArray[0].TimeRangeList[0] (line ${lineOf(/"In": 15/) - 1}): In 15 must be less than Out 12`,
    );
    expect(r.stderr).toContain(`OutputConfig.MediaURL (line ${lineOf(/"MediaURL": "o.mp4"/)}): must contain {index}`);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a job whose local material is missing (exit 2), naming the field and the path, and renders nothing', async () => {
    const dir = tempDir();
    const job = writeJob(dir, {
      InputConfig: { MediaArray: ['missing-clip.mp4'] },
      OutputConfig: { MediaURL: 'o_{index}.mp4', ...small, FixedDuration: 1 },
    });
    const r = await cli(['produce', job, '--out', join(dir, 'out')], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/InputConfig\.MediaArray\[0\]: material missing-clip\.mp4 not found: no file at .*missing-clip\.mp4/);
    expect(existsSync(join(dir, 'out', 'o_0.mp4'))).toBe(false);
  });

  it('registers media in the library and renders jobs that name them by ID', async () => {
    const add = await cli(
      ['media', 'add', media('fresh_fruit.png'), '--title', '新鲜水果', '--description', 'fresh fruit stall', '--tags', 'fruit,market'],
      env,
    );
    expect(add.exitCode, add.stderr).toBe(0);
    const id = add.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const list = await cli(['media', 'list', '--json'], env);
    expect(JSON.parse(list.stdout)).toContainEqual(
      expect.objectContaining({ id, title: '新鲜水果', tags: ['fruit', 'market'], kind: 'image' }),
    );
    const dir = tempDir();
    const job = writeJob(dir, {
      InputConfig: { MediaArray: [id] },
      OutputConfig: { MediaURL: 'o_{index}.mp4', ...small, FixedDuration: 1 },
    });
    const r = await cli(['produce', job, '--out', join(dir, 'out')], env);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const unknown = writeJob(
      dir,
      { InputConfig: { MediaArray: ['0123456789abcdef0123456789abcdef'] }, OutputConfig: { MediaURL: 'o_{index}.mp4', ...small } },
      'unknown.json',
    );
    const u = await cli(['produce', unknown, '--out', join(dir, 'out2')], env);
    expect(u.exitCode).toBe(2);
    expect(u.stderr).toMatch(/InputConfig\.MediaArray\[0\]: .*no such media ID in the library/);
  });

  it('downloads http materials once into the cache and reports a 404 as not found', async () => {
    const dir = tempDir();
    const job = writeJob(dir, {
      InputConfig: {
        MediaGroupArray: [
          { GroupName: 'g', MediaArray: [`${base}/clip.mp4`] },
          { GroupName: 'h', MediaArray: [`${base}/clip.mp4`, `${base}/gone.mp4`] },
        ],
      },
      OutputConfig: { MediaURL: 'o_{index}.mp4', ...small, FixedDuration: 1 },
    });
    hits = 0;
    const r1 = await cli(['produce', job, '--out', join(dir, 'a'), '--seed', '1'], env);
    expect(r1.exitCode, r1.stdout + r1.stderr).toBe(0);
    const r2 = await cli(['produce', job, '--out', join(dir, 'b'), '--seed', '1'], env);
    expect(r2.exitCode).toBe(0);
    // clip.mp4 fetched once over both runs; gone.mp4 asked each time (and never used)
    expect(hits).toBe(3);
    const plan = await cli(['plan', job], env);
    const first = JSON.parse(plan.stdout).plans[0];
    expect(first.shots.every((s: { material: { ref: string } }) => s.material.ref.endsWith('/clip.mp4'))).toBe(true);
    expect(first.notes.join()).toMatch(/material http:\/\/127\.0\.0\.1:\d+\/gone\.mp4 left out: .*not found.*HTTP 404/);
  });

  it('lists the effects and writes a PNG contact strip of one', async () => {
    const e = await cli(['effects'], env);
    expect(e.stdout).toMatch(/^withcircleopen\s+opens from black through a growing circle/m);
    expect(e.stdout).toMatch(/^starry\s+\(accepted, planned, not drawn yet\)/m);
    const png = join(tempDir(), 'strip.png');
    const r = await cli(['preview', 'effect', 'black', '--out', png], env);
    expect(r.exitCode, r.stderr).toBe(0);
    const info = await ffprobe(png);
    const v = info.streams[0];
    // six 180-pixel tiles with 4-pixel padding
    expect(v.width).toBeGreaterThanOrEqual(6 * 180);
    expect(v.height).toBe(320);
    const strip = await frameAt(png, 0);
    const first = meanColor(strip, 10, 10, 170, 310);
    const last = meanColor(strip, strip.width - 170, 10, strip.width - 10, 310);
    expect(first.reduce((a, x) => a + x)).toBeLessThan(30); // 'black' starts from black
    expect(last.reduce((a, x) => a + x)).toBeGreaterThan(150);
  });

  it('draws shader transitions the same in every engine: frei0r plugin in the render, drawn before it by native programs, or by JS (no C compiler)', async () => {
    // Three shots, two cuts of the same shader (the second one back to the first clip): in the
    // render, one frei0r chain draws both.
    const dir = tempDir();
    const job = writeJob(dir, {
      InputConfig: {
        MediaGroupArray: [
          { GroupName: 'a', MediaArray: [media('dark_portrait.mp4')] },
          { GroupName: 'b', MediaArray: [media('midtones.mp4')] },
          { GroupName: 'c', MediaArray: [media('dark_portrait.mp4')] },
        ],
      },
      EditingConfig: {
        ProcessConfig: { AllowTransition: true, TransitionList: ['wiperight'], TransitionDuration: 0.4, SingleShotDuration: 1.5 },
      },
      OutputConfig: { MediaURL: 'o_{index}.mp4', Count: 1, MaxDuration: 4, Width: 180, Height: 320 },
    });
    const frames: Buffer[][] = [];
    for (const engine of ['js', 'frei0r', 'program']) {
      const out = join(dir, engine);
      const r = await cli(['produce', job, '--out', out, '--seed', '3'], {
        ...env,
        REELSMITH_SHADERS: engine === 'js' ? 'js' : '',
        REELSMITH_SHADER_HOST: engine === 'program' ? 'program' : '',
      });
      expect(r.exitCode, r.stderr).toBe(0);
      const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      const trs = m.Plans[0].timeline.transitions as { start: number; duration: number; drawnAs: unknown }[];
      const wipe = { by: 'shader', name: 'wipeRight', flipY: false };
      expect(trs.map((t) => t.drawnAs)).toEqual([wipe, wipe]);
      // Each transition at a quarter and three quarters of its length.
      const at = trs.flatMap((t) => [t.start + t.duration / 4, t.start + (3 * t.duration) / 4]);
      frames.push(await Promise.all(at.map(async (s) => (await frameAt(join(out, 'o_0.mp4'), s)).data)));
      // The installed FFmpeg has the frei0r filter: the plugin was built and used.
      if (engine === 'frei0r')
        expect(readdirSync(join(home, 'cache/shaders/frei0r')).filter((f) => f.endsWith('.so')).length).toBeGreaterThan(0);
    }
    // Same pictures from every engine (after H.264): mean absolute difference under 2 levels.
    for (const other of [frames[1], frames[2]]) {
      other.forEach((f, k) => {
        let diff = 0;
        for (let i = 0; i < f.length; i++) diff += Math.abs(frames[0][k][i] - f[i]);
        expect(diff / f.length, `frame ${k}`).toBeLessThan(2);
      });
    }
    // The wipe moves: a quarter and three quarters of the way differ.
    expect(frames[1][0].equals(frames[1][1])).toBe(false);
  });

  it('lists the voice catalogue and the transitions', async () => {
    const v = await cli(['voices'], env);
    expect(v.stdout).toMatch(/^zhiru\s+Female/m);
    expect(v.stdout.trim().split('\n').length).toBeGreaterThan(70);
    const t = await cli(['transitions'], env);
    expect(t.stdout).toMatch(/^doomscreentransition_down\s+glsl:DoomScreenTransition$/m);
    expect(t.stdout).toMatch(/^doomscreentransition_up\s+glsl:DoomScreenTransition\^$/m);
    expect(t.stdout).not.toMatch(/approximation/);
  });
});
