import { mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { JobValidationError } from '../src/errors.js';
import { encoderThreads, materialGeometry, type Prepared, prepare, produce } from '../src/batch/produce.js';
import type { Timeline } from '../src/planner/timeline.js';
import { renderTimeline } from '../src/render/render.js';
import { DEFAULT_RENDER, type RenderSettings } from '../src/render/settings.js';
import { shaderFor } from '../src/shaders/catalogue.js';
import { makeWorkDir, sweepWorkDirs } from '../src/util/workdir.js';
import { Graph } from '../src/render/filtergraph.js';
import { bandsAround, fittedSize, type SourceSize } from '../src/render/graph.js';
import { crossfades } from '../src/render/transitions/crossfade.js';
import { parseJob } from '../src/job/parse.js';
import { referenceJob, withPeakMemory } from '../bench/reference.js';
import {
  countNear,
  detectBlackAndFrozen,
  ffprobe,
  frameAt,
  frameDiff,
  meanColor,
  meanVolume,
  media,
  sharpness,
  tempDir,
  topLevelBoxes,
  useTempHome,
  testHome,
} from './helpers.js';

beforeAll(() => {
  useTempHome();
});

const W = 360;
const H = 640;
const output = (extra: object = {}) => ({ MediaURL: 'out_{index}.mp4', Count: 1, Width: W, Height: H, ...extra });

async function run(params: Record<string, unknown>, seed = 1) {
  const out = tempDir();
  const parsed = parseJob(params, { baseDir: process.cwd() });
  const manifest = await produce(parsed, { home: testHome(), outDir: out, seed, jobs: 2 });
  return { out, manifest, file: (i: number) => join(out, `out_${i}.mp4`) };
}

describe('render', () => {
  it('renders a Script job with voice-over into H.264/AAC MP4s of the planned size and duration, with +faststart', async () => {
    const { manifest, file } = await run({
      InputConfig: {
        MediaGroupArray: [
          { GroupName: 'a', MediaArray: [media('storefront_opening.mp4'), media('store_interior.mp4')] },
          { GroupName: 'b', MediaArray: [media('mall_crowd.mp4'), media('fresh_fruit.png')] },
        ],
        SpeechTextArray: ['The new store opened today. Come and have a look.'],
      },
      EditingConfig: { SpeechConfig: { Voice: 'cally' } },
      OutputConfig: output({ Count: 2 }),
    });
    expect(manifest.EditingBatchJob.Status).toBe('Finished');
    for (const [i, sub] of manifest.EditingBatchJob.SubJobList.entries()) {
      expect(sub.Status).toBe('Success');
      const info = await ffprobe(file(i));
      const v = info.streams.find((s) => s.codec_type === 'video')!;
      expect([v.codec_name, v.width, v.height, v.r_frame_rate]).toEqual(['h264', W, H, '30/1']);
      expect(info.streams.find((s) => s.codec_type === 'audio')!.codec_name).toBe('aac');
      expect(Math.abs(info.duration - sub.Duration!)).toBeLessThan(0.08);
      const bytes = readFileSync(file(i));
      const boxes = topLevelBoxes(bytes);
      expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
      // two renders at once: the encoder's threads are its share of the cores (x264 writes its options into the stream)
      expect(/x264 - core .*? threads=(\d+) /.exec(bytes.toString('latin1'))?.[1]).toBe(String(encoderThreads(2)));
      // the voice-over is audible while it plays
      const seg = manifest.Plans[i].timeline!.voice!.segments[0];
      expect(await meanVolume(file(i), seg.start + 0.1, seg.duration - 0.2)).toBeGreaterThan(-30);
    }
    // no partial files left behind
    expect(readdirSync(join(file(0), '..')).filter((f) => f.includes('.part'))).toEqual([]);
  });

  it('shows caption pixels while speech plays, and none in a silent stretch', async () => {
    const { manifest, file } = await run({
      InputConfig: {
        MediaGroupArray: [
          { GroupName: 'quiet', MediaArray: [media('rgb_parts.mp4')], Duration: 2 },
          { GroupName: 'talk', MediaArray: [media('portrait_tone.mp4')], SpeechTextArray: ['Green words appear here.'] },
        ],
      },
      EditingConfig: {
        SpeechConfig: { AsrConfig: { FontColor: '#00ff00', FontSize: 30, Outline: 0 } },
        BackgroundImageConfig: { SubType: 'Color', Color: '#000000' },
      },
      OutputConfig: output(),
    });
    const t = manifest.Plans[0].timeline!;
    const cap = t.captions!.captions[0];
    expect(cap.start).toBeCloseTo(2, 2);
    const during = await frameAt(file(0), (cap.start + cap.end) / 2);
    const before = await frameAt(file(0), 1.0);
    const band = [0, H * 0.6, W, H * 0.8] as const;
    expect(countNear(during, [0, 255, 0], 60, ...band)).toBeGreaterThan(150);
    expect(countNear(before, [0, 255, 0], 60, ...band)).toBe(0);
  });

  it('fills the letterbox with a blur of the same frame, a solid colour or a background image', async () => {
    const job = (editing: object, input: object = {}) => ({
      InputConfig: { MediaArray: [media('storefront_opening.mp4')], ...input },
      EditingConfig: editing,
      OutputConfig: output({ FixedDuration: 2 }),
    });
    // landscape 16:9 in 9:16: picture is 360x202 in the middle, bands above and below
    const top = [10, 20, W - 10, 180] as const;
    const blur = await run(job({ BackgroundImageConfig: { SubType: 'Blur', Radius: 0.1 } }));
    const bf = await frameAt(blur.file(0), 1);
    const centre = [10, 260, W - 10, 380] as const;
    expect(sharpness(bf, ...top)).toBeLessThan(sharpness(bf, ...centre) / 3);
    const [r, g, b] = meanColor(bf, ...top);
    expect(r + g + b).toBeGreaterThan(60); // not black: it is the picture, blurred

    const color = await run(job({ BackgroundImageConfig: { SubType: 'Color', Color: '#ff0000' } }));
    const cf = await frameAt(color.file(0), 1);
    const [cr, cg, cb] = meanColor(cf, ...top);
    expect(cr).toBeGreaterThan(230);
    expect(cg + cb).toBeLessThan(30);

    const image = await run(job({}, { BackgroundImage: media('poster_background.png') }));
    const imf = await frameAt(image.file(0), 1);
    // smptebars: the top-left bar is light grey (~192), the top-right is blue
    const left = meanColor(imf, 5, 40, 40, 120);
    const right = meanColor(imf, W - 40, 40, W - 5, 120);
    expect(left[0]).toBeGreaterThan(150);
    expect(right[2]).toBeGreaterThan(150);
    expect(right[0]).toBeLessThan(80);
  });

  it('puts the fitted picture exactly between its background bands, above and below or left and right', async () => {
    for (const [clip, w, h] of [
      ['storefront_opening.mp4', W, H],
      ['portrait_tone.mp4', H, W],
    ] as const) {
      const { manifest, file } = await run({
        InputConfig: { MediaArray: [media(clip)] },
        EditingConfig: { BackgroundImageConfig: { SubType: 'Blur', Radius: 0.1 } },
        OutputConfig: output({ Width: w, Height: h, FixedDuration: 2 }),
      });
      const shot = manifest.Plans[0].timeline!.shots[0];
      const info = (await ffprobe(media(clip))).streams.find((s) => s.codec_type === 'video')!;
      const [fw, fh] = fittedSize(info.width! / info.height!, w, h);
      const { vertical, before } = bandsAround(w, h, fw, fh);
      expect(before).toBeGreaterThan(40);
      // The source's frame at the same moment, scaled to the picture's size, is what sits there.
      const at = 1;
      const expected = await frameAt(media(clip), shot.sourceIn + at * shot.speed, { width: fw, height: fh });
      const out = await frameAt(file(0), at);
      const [x0, y0] = vertical ? [0, before] : [before, 0];
      const diffAt = (dx: number, dy: number) => {
        let s = 0;
        for (let y = 2; y < fh - 2; y++)
          for (let x = 2; x < fw - 2; x++) {
            const e = expected.at(x, y);
            const o = out.at(x0 + x + dx, y0 + y + dy);
            s += Math.abs(o[0] - e[0]) + Math.abs(o[1] - e[1]) + Math.abs(o[2] - e[2]);
          }
        return s / ((fw - 4) * (fh - 4) * 3);
      };
      const placed = diffAt(0, 0);
      expect(placed).toBeLessThan(6);
      // two pixels off along the stacking is clearly worse: the picture is where the bands end
      expect(vertical ? diffAt(0, 2) : diffAt(2, 0)).toBeGreaterThan(placed * 1.5);
      // and the bands are the blurred frame, not black
      const [bx, by] = vertical ? [w, before - 2] : [before - 2, h];
      expect(meanColor(out, 0, 0, bx, by).reduce((a, b) => a + b)).toBeGreaterThan(60);
    }
  });

  it('uses only the in/out ranges of a material', async () => {
    const { manifest, file } = await run({
      InputConfig: { MediaGroupArray: [{ GroupName: 'g', MediaArray: [media('rgb_parts.mp4')] }] },
      EditingConfig: {
        MediaConfig: { MediaMetaDataArray: [{ Media: media('rgb_parts.mp4'), GroupName: 'g', TimeRangeList: [{ In: 2, Out: 4 }] }] },
        BackgroundImageConfig: { SubType: 'Color', Color: '#000000' },
        ProcessConfig: { SingleShotDuration: 2 },
      },
      OutputConfig: output({ FixedDuration: 2 }),
    });
    expect(manifest.Plans[0].timeline!.shots[0]).toMatchObject({ sourceIn: 2, sourceOut: 4 });
    for (const t of [0.1, 1, 1.9]) {
      const [r, g, b] = meanColor(await frameAt(file(0), t), 100, 300, 260, 340);
      expect(g).toBeGreaterThan(200);
      expect(r + b).toBeLessThan(60);
    }
  });

  it('has no black or frozen stretches the plan did not ask for, also across transitions', async () => {
    const { manifest, file } = await run({
      InputConfig: {
        MediaGroupArray: [
          { GroupName: 'a', MediaArray: [media('storefront_opening.mp4')] },
          { GroupName: 'b', MediaArray: [media('portrait_tone.mp4')] },
          { GroupName: 'c', MediaArray: [media('checkout_queue.mp4')] },
        ],
      },
      EditingConfig: {
        ProcessConfig: { AllowTransition: true, TransitionList: ['fade', 'wipeleft'], UseUniformTransition: false, SingleShotDuration: 2 },
      },
      OutputConfig: output({ MaxDuration: 6 }),
    });
    const t = manifest.Plans[0].timeline!;
    expect(t.duration).toBe(6);
    expect(t.transitions).toHaveLength(t.shots.length - 1);
    expect(Math.abs((await ffprobe(file(0))).duration - 6)).toBeLessThan(0.08);
    const found = await detectBlackAndFrozen(file(0));
    expect(found).toEqual({ black: [], frozen: [] });
    // mid-transition frame is neither neighbour: it is a mix
    const tr = t.transitions[0];
    const mid = await frameAt(file(0), tr.start + tr.duration / 2);
    const before = await frameAt(file(0), tr.start - 0.2);
    const after = await frameAt(file(0), tr.start + tr.duration + 0.2);
    expect(frameDiff(mid, before)).toBeGreaterThan(3);
    expect(frameDiff(mid, after)).toBeGreaterThan(3);
  });

  it('draws a transition from its shader, in place of the overlap, in GL orientation', async () => {
    // A dark clip, then a white still: wiperight reveals the next shot from the left (uv.x < progress).
    const dir = tempDir();
    const white = join(dir, 'white.png');
    await execa('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=white:s=180x320', '-frames:v', '1', white]);
    const { manifest, file } = await run({
      InputConfig: {
        MediaGroupArray: [
          { GroupName: 'a', MediaArray: [media('dark_portrait.mp4')] },
          { GroupName: 'b', MediaArray: [white] },
        ],
      },
      EditingConfig: {
        ProcessConfig: {
          AllowTransition: true,
          TransitionList: ['wiperight'],
          TransitionDuration: 1,
          SingleShotDuration: 2,
          AllowVfxEffect: false,
        },
      },
      OutputConfig: output({ MaxDuration: 3 }),
    });
    const t = manifest.Plans[0].timeline!;
    expect(t.transitions[0]).toMatchObject({
      name: 'wiperight',
      drawnAs: { by: 'shader', name: 'wipeRight', flipY: false },
      faithful: true,
    });
    const tr = t.transitions[0];
    const at = async (p: number) => {
      const fr = await frameAt(file(0), tr.start + tr.duration * p);
      return {
        left: meanColor(fr, 0, 10, W * 0.15, H - 10)[1],
        mid: meanColor(fr, W * 0.45, 10, W * 0.55, H - 10)[1],
        right: meanColor(fr, W * 0.85, 10, W, H - 10)[1],
      };
    };
    const q = await at(0.5);
    expect(q.left).toBeGreaterThan(220); // already the white shot
    expect(q.right).toBeLessThan(40); // still the dark one
    const early = await at(0.2);
    const late = await at(0.8);
    expect(early.mid).toBeLessThan(40);
    expect(late.mid).toBeGreaterThan(220);
  });

  it('makes outputs of one job that really differ', async () => {
    const { manifest, file } = await run({
      InputConfig: {
        MediaGroupArray: [
          // moving pictures, so that different pieces of one material look different too
          { GroupName: 'a', MediaArray: [media('storefront_opening.mp4'), media('snacks_and_drinks.mp4')] },
          { GroupName: 'b', MediaArray: [media('mall_crowd.mp4'), media('portrait_tone.mp4')] },
        ],
      },
      OutputConfig: output({ Count: 3, MaxDuration: 3 }),
      EditingConfig: { ProcessConfig: { SingleShotDuration: 1.5 } },
    });
    expect(manifest.Uniqueness.duplicates).toBe(0);
    const frames = await Promise.all([0, 1, 2].map((i) => frameAt(file(i), 0.5)));
    const frames2 = await Promise.all([0, 1, 2].map((i) => frameAt(file(i), 2.2)));
    for (const [i, j] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ])
      expect(Math.max(frameDiff(frames[i], frames[j]), frameDiff(frames2[i], frames2[j]))).toBeGreaterThan(5);
  });

  it('mixes material audio at its volume and music under the voice, fading the music out', async () => {
    const { manifest, file } = await run({
      InputConfig: {
        MediaGroupArray: [{ GroupName: 'g', MediaArray: [media('portrait_tone.mp4')], Volume: 1 }],
        BackgroundMusic: media('relaxing_theme.mp3'),
      },
      EditingConfig: { BackgroundMusicConfig: { Volume: 0.5 } },
      OutputConfig: output({ FixedDuration: 4 }),
    });
    expect(manifest.Plans[0].timeline!.shots[0].volume).toBe(1);
    expect(await meanVolume(file(0), 1, 1.5)).toBeGreaterThan(-28);
    const muted = await run({
      InputConfig: {
        MediaGroupArray: [{ GroupName: 'g', MediaArray: [media('portrait_tone.mp4')] }],
        BackgroundMusic: media('relaxing_theme.mp3'),
      },
      EditingConfig: { BackgroundMusicConfig: { Volume: 0.3 } },
      OutputConfig: output({ FixedDuration: 6 }),
    });
    const mid = await meanVolume(muted.file(0), 1, 2);
    const tail = await meanVolume(muted.file(0), 5.6, 0.35);
    expect(mid).toBeGreaterThan(-40);
    expect(tail).toBeLessThan(mid - 6);
  });

  it('overlays a sticker at its position and size', async () => {
    const { file } = await run({
      InputConfig: {
        MediaArray: [media('rgb_parts.mp4')],
        StickerArray: [{ MediaURL: media('logo.png'), X: 20, Y: 20, Width: 100, Height: 100 }],
      },
      EditingConfig: { BackgroundImageConfig: { SubType: 'Color', Color: '#000000' } },
      OutputConfig: output({ FixedDuration: 1 }),
    });
    const f = await frameAt(file(0), 0.5);
    // rgbtestsrc logo: red / green / blue bands, dark on the left, full colour on the right
    const [r] = meanColor(f, 85, 25, 115, 45);
    const [, , b] = meanColor(f, 85, 95, 115, 115);
    expect(r).toBeGreaterThan(150);
    expect(b).toBeGreaterThan(150);
    expect(meanColor(f, 200, 20, 300, 100).reduce((a, x) => a + x, 0)).toBeLessThan(30);
  });

  it('renders a Smart_Mix job whose shots follow the sentences', async () => {
    const { manifest, file } = await run({
      InputConfig: {
        MediaArray: [media('fresh_fruit.png'), media('checkout_queue.mp4'), media('snacks_and_drinks.mp4')],
        SpeechTextArray: ['Look at this fresh fruit. The checkout queue is long. Snacks and drinks are cheap.'],
      },
      EditingConfig: { SpeechConfig: { Voice: 'kenny', SpeechRate: 200 } },
      OutputConfig: output(),
    });
    const t = manifest.Plans[0].timeline!;
    expect(t.shots.map((s) => s.material.ref.split('/').pop())).toEqual(['fresh_fruit.png', 'checkout_queue.mp4', 'snacks_and_drinks.mp4']);
    expect(manifest.EditingBatchJob.JobType).toBe('Smart_Mix');
    expect(Math.abs((await ffprobe(file(0))).duration - t.duration)).toBeLessThan(0.08);
  });

  it('refuses a job whose local materials are missing or undecodable, naming each field, and writes nothing', async () => {
    const out = tempDir();
    const parsed = parseJob({
      InputConfig: {
        MediaGroupArray: [{ GroupName: 'g', MediaArray: [media('rgb_parts.mp4'), media('broken.mp4')] }],
        BackgroundMusicArray: [media('relaxing_theme.mp3'), join(media('..'), 'nope.mp3')],
      },
      OutputConfig: output({ Count: 2, FixedDuration: 1 }),
    });
    const err = (await produce(parsed, { home: testHome(), outDir: out, seed: 1 }).catch((e: unknown) => e)) as JobValidationError;
    expect(err).toBeInstanceOf(JobValidationError);
    expect(err.issues).toEqual([
      {
        path: 'InputConfig.MediaGroupArray[0].MediaArray[1]',
        reason: expect.stringMatching(/broken\.mp4 cannot be read: not a media file/),
      },
      { path: 'InputConfig.BackgroundMusicArray[1]', reason: expect.stringMatching(/nope\.mp3 not found: no file at/) },
    ]);
    expect(readdirSync(out)).toEqual([]);
  });

  it('kills a render that exceeds its timeout and leaves no file behind', async () => {
    const out = tempDir();
    const parsed = parseJob({ InputConfig: { MediaArray: [media('storefront_opening.mp4')] }, OutputConfig: output({ FixedDuration: 4 }) });
    const m = await produce(parsed, { home: testHome(), outDir: out, seed: 1, renderTimeoutMs: 150 });
    expect(m.EditingBatchJob.SubJobList[0]).toMatchObject({ Status: 'Failed', ErrorCode: 'RenderTimeout' });
    expect(m.EditingBatchJob.Status).toBe('Failed');
    expect(readdirSync(out)).toEqual(['manifest.json']);
  });

  it("sweeps away the scratch folders of renders whose process died (killed before its cleanup ran), and no one else's", async () => {
    const tmp = tempDir();
    const startOf = (pid: number) => {
      const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return s.slice(s.lastIndexOf(')') + 2).split(' ')[19];
    };
    // A live process, and one killed with SIGKILL (as the out-of-memory killer would).
    const live = execa('sleep', ['30']);
    const dead = execa('sleep', ['30']);
    const deadStart = startOf(dead.pid!);
    dead.kill('SIGKILL');
    await dead.catch(() => {});
    const folder = (name: string, ageMs: number) => {
      mkdirSync(join(tmp, name));
      writeFileSync(join(tmp, name, 'voice.wav'), 'x');
      const t = new Date(Date.now() - ageMs);
      utimesSync(join(tmp, name), t, t);
      return name;
    };
    const hour = 3_600_000;
    const orphan = folder(`reelsmith-render-${dead.pid}.${deadStart}-Ab12Cd`, hour);
    const orphanRecent = folder(`reelsmith-render-${dead.pid}.${deadStart}-Ef34Gh`, 1000);
    const alive = folder(`reelsmith-render-${live.pid}.${startOf(live.pid!)}-Ij56Kl`, hour);
    // The live process's id with another start time: a dead render's id taken by another program.
    const reused = folder(`reelsmith-preview-${live.pid}.1-Mn78Op`, hour);
    const other = folder('reelsmith-notours', hour);
    // An earlier version's folder (no process in its name): swept after a day.
    const legacyOld = folder('reelsmith-Qr90St', 25 * hour);
    const legacyRecent = folder('reelsmith-preview-Uv12Wx', hour);
    try {
      expect(await sweepWorkDirs(tmp, 60_000)).toBe(3);
      expect(readdirSync(tmp).sort()).toEqual([orphanRecent, alive, other, legacyRecent].sort());
      expect(readdirSync(tmp)).not.toContain(legacyOld);
      expect(readdirSync(tmp)).not.toContain(orphan);
      expect(readdirSync(tmp)).not.toContain(reused);
    } finally {
      live.kill();
      await live.catch(() => {});
    }
    // A render's own scratch folder is named after its process (and its start), and gone when it ends.
    const mine = await makeWorkDir('render');
    expect(basename(mine)).toMatch(new RegExp(`^reelsmith-render-${process.pid}\\.${startOf(process.pid)}-`));
    rmSync(mine, { recursive: true });
    const before = readdirSync(tmpdir()).filter((n) => n.startsWith(`reelsmith-render-${process.pid}.`));
    const { manifest } = await run({
      InputConfig: { MediaArray: [media('storefront_opening.mp4')] },
      OutputConfig: output({ FixedDuration: 1 }),
    });
    expect(manifest.EditingBatchJob.SubJobList[0].Status).toBe('Success');
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith(`reelsmith-render-${process.pid}.`))).toEqual(before);
  });
});

describe('crossfades', () => {
  it('several crossfades share one chain that blends each cut exactly as a chain of its own would', async () => {
    // Flat greys (RGB 40 and 200), three cuts of 5, 4 and 6 frames alternating direction:
    // frame k of N of a cut is k/N of the way from the outgoing grey to the incoming one.
    const lengths = [5, 4, 6];
    const render = async (shared: boolean) => {
      const g = new Graph();
      g.chain(`[0:v]format=yuv420p,split=3${lengths.map((_, k) => `[a${k}]`).join('')}`);
      g.chain(`[1:v]format=yuv420p,split=3${lengths.map((_, k) => `[b${k}]`).join('')}`);
      const cuts = lengths.map((n, k) => {
        g.chain(`[a${k}]trim=end_frame=${n}[fa${k}]`);
        g.chain(`[b${k}]trim=end_frame=${n}[fb${k}]`);
        return k % 2
          ? { index: k, from: `fb${k}`, to: `fa${k}`, out: `cut${k}`, frames: n }
          : { index: k, from: `fa${k}`, to: `fb${k}`, out: `cut${k}`, frames: n };
      });
      if (shared) crossfades(g, cuts);
      else for (const c of cuts) crossfades(g, [c]);
      g.chain(`${cuts.map((c) => `[${c.out}]`).join('')}concat=n=${cuts.length}:v=1:a=0[out]`);
      const graph = g.chains.join(';');
      const grey = (y: number) => ['-f', 'lavfi', '-i', `color=c=0x${y.toString(16).repeat(3)}:s=64x64:r=30:d=1`];
      const r = await execa(
        'ffmpeg',
        ['-v', 'error', ...grey(40), ...grey(200), '-filter_complex', graph, '-map', '[out]', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'],
        { encoding: 'buffer' },
      );
      return { frames: Buffer.from(r.stdout), overlays: graph.match(/overlay=/g)!.length };
    };
    const [shared, separate] = await Promise.all([render(true), render(false)]);
    expect(shared.overlays).toBe(1);
    expect(separate.overlays).toBe(3);
    const size = 64 * 64;
    const stride = (size * 3) / 2;
    expect(shared.frames.length).toBe(15 * stride);
    expect(separate.frames.length).toBe(15 * stride);
    expect(shared.frames.equals(separate.frames)).toBe(true);
    // Studio-range grey: 40 and 200 in full range are 50 and 187 as Y.
    const y = (v: number) => 16 + (v * 219) / 255;
    let i = 0;
    lengths.forEach((n, c) => {
      const [from, to] = c % 2 ? [200, 40] : [40, 200];
      for (let k = 0; k < n; k++, i++) {
        const centreLuma = shared.frames[i * stride + size / 2];
        expect(Math.abs(centreLuma - y(from + ((to - from) * k) / n)), `cut ${c} frame ${k}`).toBeLessThanOrEqual(2);
      }
    });
  });

  it('fades each cut of a video from the outgoing shot to the incoming one, through the shared chain', async () => {
    // Dark clip, white still, dark, white, dark: four crossfades (two or more share one chain).
    const dir = tempDir();
    const white = join(dir, 'white.png');
    await execa('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=white:s=180x320', '-frames:v', '1', white]);
    const groups = [media('dark_portrait.mp4'), white, media('dark_portrait.mp4'), white, media('dark_portrait.mp4')];
    const { manifest, file } = await run({
      InputConfig: { MediaGroupArray: groups.map((m, i) => ({ GroupName: `g${i}`, MediaArray: [m] })) },
      EditingConfig: {
        ProcessConfig: {
          AllowTransition: true,
          TransitionList: ['fade'],
          TransitionDuration: 0.5,
          SingleShotDuration: 1.5,
          AllowVfxEffect: false,
        },
      },
      OutputConfig: output({ MaxDuration: 6 }),
    });
    const t = manifest.Plans[0].timeline!;
    expect(t.transitions.map((x) => x.name)).toEqual(['fade', 'fade', 'fade', 'fade']);
    const level = async (at: number) => meanColor(await frameAt(file(0), at), 20, 20, W - 20, H - 20)[1];
    const dark = await level(t.transitions[0].start - 0.3);
    const bright = await level(t.transitions[0].start + t.transitions[0].duration + 0.3);
    expect(dark).toBeLessThan(30);
    expect(bright).toBeGreaterThan(230);
    for (const [k, tr] of t.transitions.entries()) {
      // Even cuts go from dark to white, odd ones back.
      for (const p of [0.25, 0.5, 0.75]) {
        const expected = k % 2 === 0 ? dark + (bright - dark) * p : bright + (dark - bright) * p;
        expect(Math.abs((await level(tr.start + tr.duration * p)) - expected), `cut ${k} at ${p}`).toBeLessThan(25);
      }
    }
  });
});

/**
 * Renders a prepared job's timeline as produce would, `sizes` given or not (shots share fit chains
 * only with them). One encoder thread: libx264's threads make its bytes differ run to run
 * (docs/performance.md), and these tests compare renders.
 */
function renderPrepared(p: Prepared, t: Timeline, file: string, sizes?: Map<string, SourceSize>, settings?: RenderSettings) {
  return renderTimeline(t, file, {
    paths: p.materials.paths,
    aspects: materialGeometry(p).aspects,
    sizes,
    speechClips: p.speechClips,
    encode: { crf: 18, preset: 'veryfast', encoderThreads: 1 },
    cacheDir: testHome().cache,
    settings,
  });
}

describe('shader transitions by their weights', () => {
  it('draws a shader that only weighs the frames by its weights and another by its pictures, in one render, as both by pictures', async () => {
    // Three shots, two cuts: wiperight (weighs only: its weights, blended by FFmpeg) and crosswarp
    // (moves pixels: drawn in RGBA); rendered again with every shader drawing pictures.
    const parsed = parseJob(
      {
        InputConfig: {
          MediaGroupArray: ['dark_portrait.mp4', 'midtones.mp4', 'dark_portrait.mp4'].map((m, i) => ({
            GroupName: `g${i}`,
            MediaArray: [media(m)],
          })),
        },
        EditingConfig: {
          ProcessConfig: {
            AllowTransition: true,
            TransitionList: ['wiperight'],
            TransitionDuration: 0.5,
            SingleShotDuration: 1.5,
            AllowVfxEffect: false,
          },
        },
        OutputConfig: output({ MaxDuration: 4 }),
      },
      { baseDir: process.cwd() },
    );
    const p = await prepare(parsed, { home: testHome(), seed: 3 });
    const planned = p.plan.timelines[0] as Timeline;
    expect(planned.transitions).toHaveLength(2);
    const crosswarp = shaderFor('crosswarp')!;
    const t: Timeline = {
      ...planned,
      transitions: planned.transitions.map((x, k) =>
        k === 1 ? { ...x, name: 'crosswarp', drawnAs: { by: 'shader', name: crosswarp.name, flipY: false } } : x,
      ),
    };
    const dir = tempDir();
    const render = async (name: string, shaderWeights: boolean) => {
      const file = join(dir, `${name}_0.mp4`);
      const r = await renderPrepared(p, t, file, undefined, { ...DEFAULT_RENDER, shaderWeights });
      const at = t.transitions.flatMap((x) => [x.start + x.duration / 4, x.start + (3 * x.duration) / 4]);
      return { graph: r.filterGraph, frames: await Promise.all(at.map((s) => frameAt(file, s))) };
    };
    const [weighed, drawn] = await Promise.all([render('weighed', true), render('drawn', false)]);
    expect(weighed.graph.match(/frei0r_src=/g)).toHaveLength(1);
    expect(weighed.graph.match(/frei0r=filter_name/g)).toHaveLength(1);
    expect(drawn.graph).not.toMatch(/frei0r_src=/);
    expect(drawn.graph.match(/frei0r=filter_name/g)).toHaveLength(1);
    // The same pictures (after H.264): a mean difference under a level; the wipe moves.
    weighed.frames.forEach((f, k) => {
      expect(frameDiff(f, drawn.frames[k]), `frame ${k}`).toBeLessThan(1);
    });
    expect(frameDiff(weighed.frames[0], weighed.frames[1])).toBeGreaterThan(3);
  });
});

describe('shared fit chains', () => {
  it('fits shots of one size through one chain, frame for frame as chains of their own', async () => {
    // Landscape and portrait clips: the landscape shots (blurred bands) share a chain, the portrait
    // ones (scaled) another.
    const scenes = ['rgb_parts.mp4', 'portrait_tone.mp4', 'rgb_parts.mp4', 'portrait_tone.mp4', 'rgb_parts.mp4'];
    const parsed = parseJob(
      {
        InputConfig: { MediaGroupArray: scenes.map((m, i) => ({ GroupName: `g${i}`, MediaArray: [media(m)] })) },
        EditingConfig: {
          ProcessConfig: {
            AllowTransition: true,
            TransitionList: ['fade'],
            TransitionDuration: 0.3,
            SingleShotDuration: 1,
            AllowVfxEffect: false,
          },
        },
        OutputConfig: output({ MaxDuration: 5 }),
      },
      { baseDir: process.cwd() },
    );
    const p = await prepare(parsed, { home: testHome(), seed: 3 });
    const t = p.plan.timelines[0] as Timeline;
    const sequence = t.shots.map((s) => basename(p.materials.paths.get(s.material.ref)!));
    // Seed 3 plans two touching landscape shots (2 and 3): they must not share (their cut blends
    // both), so the landscape chains are {0, 2, 5} and {3}, the portrait one {1, 4}.
    expect(sequence).toEqual([
      'rgb_parts.mp4',
      'portrait_tone.mp4',
      'rgb_parts.mp4',
      'rgb_parts.mp4',
      'portrait_tone.mp4',
      'rgb_parts.mp4',
    ]);
    const { sizes } = materialGeometry(p);
    const dir = tempDir();
    const render = async (name: string, shapes?: typeof sizes) => {
      const file = join(dir, `${name}_0.mp4`);
      const r = await renderPrepared(p, t, file, shapes);
      const { stdout } = await execa('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:v', '-f', 'framemd5', '-']);
      return { graph: r.filterGraph, frames: stdout.split('\n').filter((l) => l && !l.startsWith('#')) };
    };
    const [shared, own] = await Promise.all([render('shared', sizes), render('own')]);
    expect(shared.graph.match(/concat=n=3:v=1:a=0\[same/g)).toHaveLength(1);
    expect(shared.graph.match(/concat=n=2:v=1:a=0\[same/g)).toHaveLength(1);
    expect(own.graph).not.toMatch(/\[same/);
    expect(shared.frames.length).toBe(Math.round(t.duration * t.fps));
    expect(shared.frames).toEqual(own.frames);
    // A decoder that disagrees with the probe's size is held to it: the chain still joins its shots.
    const wrong = new Map([...sizes].map(([ref, s]) => [ref, { width: s.width + 2, height: s.height + 2 }]));
    const held = await render('held', wrong);
    expect(held.frames.length).toBe(shared.frames.length);
  });
  it('holds a shot of a shared chain back until its own cut asks for it (no shot decoded into a queue)', async () => {
    // Landscape, portrait, portrait, landscape (the reference job's first four scenes, 7 s shots):
    // the landscape shots share a chain, so the last shot's first frame is ready as soon as the first
    // shot ends. Let through at once, it starts the last cut's blend, which asks the third shot for
    // its overlap and so queues that shot's whole body. Measured by the render's FFmpeg's peak memory
    // against chains of their own (without the hold: 234 MB against 163).
    const scenes = ['storefront_opening.mp4', 'mall_crowd.mp4', 'snacks_and_drinks.mp4', 'checkout_queue.mp4'];
    const parsed = parseJob(
      referenceJob({
        scenes: scenes.map((m) => [media(m)]),
        music: media('relaxing_theme.mp3'),
        shotSeconds: 7,
        transitions: ['wipeleft'],
        mediaURL: 'x_{index}.mp4',
        width: W,
        height: H,
      }),
      { baseDir: process.cwd() },
    );
    const p = await prepare(parsed, { home: testHome(), seed: 1 });
    const planned = p.plan.timelines[0] as Timeline;
    expect(planned.shots.map((s) => basename(p.materials.paths.get(s.material.ref)!))).toEqual(scenes);
    // Two shader cuts, then a crossfade of its own (the blend that would start early).
    const last = planned.transitions.length - 1;
    const t: Timeline = {
      ...planned,
      transitions: planned.transitions.map((x, k) => (k === last ? { ...x, name: 'fade', drawnAs: { by: 'crossfade' } } : x)),
    };
    const { sizes } = materialGeometry(p);
    const dir = tempDir();
    const peak = async (name: string, shapes?: typeof sizes) => {
      const r = await withPeakMemory(() => renderPrepared(p, t, join(dir, `${name}_0.mp4`), shapes));
      return { mb: r.peakMb, graph: r.result.filterGraph };
    };
    const own = await peak('own');
    const shared = await peak('shared', sizes);
    expect(shared.graph).toMatch(/concat=n=2:v=1:a=0\[same/);
    // A queued body adds ~190 frames of 360x640 (~65 MB); sharing saves a chain's pools.
    expect(shared.mb, `shared ${shared.mb.toFixed(0)} MB, own ${own.mb.toFixed(0)} MB`).toBeLessThan(own.mb + 15);
  });
});

describe('render options', () => {
  it('GeneratePreviewOnly plans every output and renders none', async () => {
    const { manifest, out } = await run({
      InputConfig: { MediaArray: [media('mall_crowd.mp4')], SpeechText: 'Only a plan.' },
      OutputConfig: output({ Count: 2, GeneratePreviewOnly: true }),
    });
    expect(manifest.Plans.every((p) => p.timeline && p.timeline.shots.length > 0)).toBe(true);
    expect(manifest.EditingBatchJob.SubJobList.map((s) => s.Status)).toEqual(['Init', 'Init']);
    expect(readdirSync(out)).toEqual(['manifest.json']);
  });

  it('writes the requested frame rate and duration', async () => {
    const { file } = await run({
      InputConfig: { MediaArray: [media('mall_crowd.mp4')] },
      OutputConfig: output({ FixedDuration: 2, Video: { Fps: 25, Crf: 30 } }),
    });
    const info = await ffprobe(file(0));
    expect(info.streams.find((s) => s.codec_type === 'video')!.r_frame_rate).toBe('25/1');
    expect(Math.abs(info.duration - 2)).toBeLessThan(0.06);
  });
});

describe('stills', () => {
  it('moves still images with a Ken Burns pan, so an image-only video is not frozen', async () => {
    const { manifest, file } = await run({
      InputConfig: { MediaArray: [media('fresh_fruit.png'), media('poster_background.png')] },
      EditingConfig: { ProcessConfig: { ImageDuration: 2 } },
      OutputConfig: output({ FixedDuration: 4 }),
    });
    const shots = manifest.Plans[0].timeline!.shots;
    expect(shots.every((s) => s.kenBurns && s.kenBurns.zoom > 1)).toBe(true);
    const a = await frameAt(file(0), 0.1);
    const b = await frameAt(file(0), 1.8);
    expect(frameDiff(a, b)).toBeGreaterThan(2);
    expect((await detectBlackAndFrozen(file(0))).frozen).toEqual([]);
  });
});

describe('captions', () => {
  it('wraps long Latin and Chinese captions inside the frame, at most two lines each', async () => {
    const { manifest, file } = await run({
      InputConfig: {
        MediaGroupArray: [{ GroupName: 'g', MediaArray: [media('rgb_parts.mp4')] }],
        SpeechTextArray: [
          'Supercalifragilisticexpialidocious extraordinarily longwinded sentences keep going and going without any pause at all. 附近的商场新开了一家盒马鲜生今天是第一天开业商场里的人不少零食酒水都比较便宜大家也快来看看呀',
        ],
      },
      EditingConfig: {
        SpeechConfig: { SpeechRate: 400, AsrConfig: { FontColor: '#ff00ff', FontSize: 40, Outline: 0 } },
        BackgroundImageConfig: { SubType: 'Color', Color: '#000000' },
      },
      OutputConfig: output(),
    });
    const caps = manifest.Plans[0].timeline!.captions!.captions;
    expect(caps.length).toBeGreaterThan(2);
    for (const c of caps) {
      expect(c.lines.length).toBeLessThanOrEqual(2);
      const f = await frameAt(file(0), (c.start + c.end) / 2);
      const inside = countNear(f, [255, 0, 255], 80, 8, 0, W - 8, H);
      const edges = countNear(f, [255, 0, 255], 80, 0, 0, 8, H) + countNear(f, [255, 0, 255], 80, W - 8, 0, W, H);
      expect(inside).toBeGreaterThan(100);
      expect(edges).toBe(0);
    }
  });
});

describe('animated stickers', () => {
  it('loops an animated GIF sticker for the whole video', async () => {
    const { manifest, file } = await run({
      InputConfig: {
        MediaArray: [media('dark_portrait.mp4')],
        StickerArray: [{ MediaURL: media('blink.gif'), X: 20, Y: 20, Width: 80, Height: 80 }],
      },
      OutputConfig: output({ FixedDuration: 3 }),
    });
    expect(manifest.Plans[0].timeline!.sticker!.animated).toBe(true);
    const colourAt = async (t: number) => meanColor(await frameAt(file(0), t), 30, 30, 90, 90);
    for (const t of [0.25, 1.25, 2.25]) {
      const [r, , b] = await colourAt(t);
      expect(r, `red at ${t}`).toBeGreaterThan(180);
      expect(b).toBeLessThan(80);
    }
    for (const t of [0.75, 1.75, 2.75]) {
      const [r, , b] = await colourAt(t);
      expect(b, `blue at ${t}`).toBeGreaterThan(180);
      expect(r).toBeLessThan(80);
    }
  });
});

describe('transient render failures', () => {
  it('renders an output again when FFmpeg is killed from outside', async () => {
    const { execa } = await import('execa');
    const out = tempDir();
    const parsed = parseJob(
      {
        InputConfig: {
          MediaGroupArray: [
            { GroupName: 'a', MediaArray: [media('storefront_opening.mp4')] },
            { GroupName: 'b', MediaArray: [media('mall_crowd.mp4')] },
          ],
        },
        EditingConfig: { ProcessConfig: { SingleShotDuration: 3, AllowTransition: false } },
        OutputConfig: { MediaURL: 'killed_{index}.mp4', Count: 1, Width: W, Height: H, MaxDuration: 8 },
      },
      { baseDir: process.cwd() },
    );
    const events: string[] = [];
    let killed = false;
    const running = produce(parsed, {
      home: testHome(),
      outDir: out,
      seed: 1,
      renderRetryDelaysMs: [100],
      onEvent: (e) => {
        if (e.type === 'output-retry' || e.type === 'output-done') events.push(e.type);
      },
    });
    // Kill the render's FFmpeg (the one writing the output's temporary file) once, mid-way.
    for (let i = 0; i < 400 && !killed; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const found = await execa('pgrep', ['-f', String.raw`\.killed_0\.mp4\.[0-9a-f]+\.part`], { reject: false });
      const pid = found.stdout.trim().split('\n')[0];
      if (pid) {
        await execa('kill', ['-9', pid], { reject: false });
        killed = true;
      }
    }
    const manifest = await running;
    expect(killed).toBe(true);
    expect(events).toEqual(['output-retry', 'output-done']);
    expect(manifest.EditingBatchJob.SubJobList[0].Status).toBe('Success');
    expect((await ffprobe(join(out, 'killed_0.mp4'))).duration).toBeCloseTo(manifest.EditingBatchJob.SubJobList[0].Duration as number, 1);
    expect(readdirSync(out).filter((n) => n.endsWith('.part'))).toEqual([]);
  });
});
