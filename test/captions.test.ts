import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { CAPTION_LOOPS, CAPTION_MOTIONS } from '../src/captions/motion.js';
import { produce } from '../src/batch/produce.js';
import { DEFAULT_RENDER } from '../src/render/settings.js';
import { bandsOf, selectFrames } from '../src/render/caption-layer.js';
import { assEvents, assOpaque, changeFrames } from '../src/captions/changes.js';
import type { Caption } from '../src/planner/timeline.js';
import { CAPTION_IN_EFFECTS } from '../src/job/catalogue.js';
import { parseJob } from '../src/job/parse.js';
import { type Frame, frameAt, media, tempDir, useTempHome, testHome } from './helpers.js';

const isMagenta = (r: number, g: number, b: number) => r > 35 && b > 35 && g < 40 && Math.abs(r - b) < 50;

interface Mask {
  count: number;
  /** Mean brightness of the caption pixels (lower while fading). */
  level: number;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  cx: number;
  cy: number;
}

function mask(f: Frame): Mask {
  const m = { count: 0, level: 0, minX: 1e9, maxX: -1, minY: 1e9, maxY: -1, cx: 0, cy: 0 };
  for (let y = 0; y < f.height; y++)
    for (let x = 0; x < f.width; x++) {
      const [r, g, b] = f.at(x, y);
      // magenta at any opacity over the dark grey picture
      if (isMagenta(r, g, b)) {
        m.count++;
        m.level += (r + b) / 2;
        m.minX = Math.min(m.minX, x);
        m.maxX = Math.max(m.maxX, x);
        m.minY = Math.min(m.minY, y);
        m.maxY = Math.max(m.maxY, y);
        m.cx += x;
        m.cy += y;
      }
    }
  if (m.count > 0) {
    m.cx /= m.count;
    m.cy /= m.count;
    m.level /= m.count;
  }
  return m;
}

const width = (m: Mask) => (m.count > 0 ? m.maxX - m.minX : 0);
const height = (m: Mask) => (m.count > 0 ? m.maxY - m.minY : 0);

/** Pixels that are caption in one frame and not in the other. */
function differing(a: Frame, b: Frame): number {
  let n = 0;
  for (let i = 0; i < a.data.length; i += 3)
    if (isMagenta(a.data[i], a.data[i + 1], a.data[i + 2]) !== isMagenta(b.data[i], b.data[i + 1], b.data[i + 2])) n++;
  return n;
}

async function render(effects: {
  AaiMotionInEffect?: string;
  AaiMotionOutEffect?: string;
  AaiMotionLoopEffect?: string;
  WordHighlight?: string;
  HighlightColor?: string;
}) {
  const out = tempDir();
  const parsed = parseJob({
    InputConfig: { MediaArray: [media('dark_portrait.mp4')], SpeechText: 'Hello caption world.' },
    EditingConfig: {
      SpeechConfig: { Voice: 'cally', SpeechRate: -300, AsrConfig: { FontColor: '#ff00ff', FontSize: 44, Outline: 0, ...effects } },
      BackgroundImageConfig: { SubType: 'Color', Color: '#000000' },
    },
    OutputConfig: { MediaURL: 'c_{index}.mp4', Width: 360, Height: 640, Video: { Crf: 18 } },
  });
  const m = await produce(parsed, { home: testHome(), outDir: out, seed: 1 });
  const cap = m.Plans[0].timeline!.captions!;
  const c: Caption = cap.captions[0];
  const file = join(out, 'c_0.mp4');
  return { c, effects: cap, at: (t: number) => frameAt(file, t) };
}

let still: Mask;
beforeAll(async () => {
  useTempHome();
  const r = await render({});
  still = mask(await r.at((r.c.start + r.c.end) / 2));
  expect(still.count).toBeGreaterThan(200);
});

type Check = (hidden: Mask, settled: Mask) => void;
/** Fewer or dimmer caption pixels. */
const fainter: Check = (h, s) => expect(h.count * h.level).toBeLessThan(s.count * s.level * 0.7);
const narrower: Check = (h, s) => expect(width(h)).toBeLessThan(width(s) * 0.85);
const wider: Check = (h, s) => expect(width(h)).toBeGreaterThan(width(s) * 1.05);
const shorter: Check = (h, s) => expect(height(h)).toBeLessThan(height(s) * 0.85);
const leftOf: Check = (h, s) => expect(h.cx).toBeLessThan(s.cx - 5);
const rightOf: Check = (h, s) => expect(h.cx).toBeGreaterThan(s.cx + 5);
const above: Check = (h, s) => expect(h.cy).toBeLessThan(s.cy - 3);
const below: Check = (h, s) => expect(h.cy).toBeGreaterThan(s.cy + 3);
const turned: Check = (h, s) => expect(Math.abs(height(h) - height(s)) + Math.abs(width(h) - width(s))).toBeGreaterThan(4);

/** How the hidden end of each motion looks next to the settled caption. */
const expectations: Record<string, Check[]> = {
  fade_in: [fainter],
  blur_in: [fainter],
  wave_in: [fainter],
  scroll_right_in: [leftOf],
  scroll_left_in: [rightOf],
  heartjump_in: [narrower],
  musicjump_in: [shorter],
  rotateup_in: [below, turned],
  close_in: [wider],
  slingshot_in: [below],
  rotateflip_in: [narrower],
  elasticzoom_in: [narrower],
  zoom_in: [narrower],
  spring_in: [shorter],
  growth_in: [narrower],
  open_in: [narrower, fainter],
  dissovle_in: [fainter],
  zoomslightout_in: [wider],
  zoomin_in: [narrower],
  zoomout_in: [wider],
  angular_in: [turned],
  rotate1_in: [narrower],
  rotate2_in: [narrower],
  brokentypewriter_in: [fainter],
  typewriter1_in: [fainter],
  typewriter2_in: [fainter],
  typewriter3_in: [fainter],
  slide_left_in: [rightOf],
  slide_right_in: [leftOf],
  slide_down_in: [above],
  slide_up_in: [below],
};

describe('caption animations', () => {
  it('draws every IMS entrance effect and its exit twin', () => {
    expect(Object.keys(CAPTION_MOTIONS).sort()).toEqual([...CAPTION_IN_EFFECTS].sort());
    expect(Object.keys(expectations).sort()).toEqual([...CAPTION_IN_EFFECTS].sort());
  });

  for (const name of CAPTION_IN_EFFECTS) {
    const out = name.replace(/_in$/, '_out');
    it(`${name} enters and ${out} leaves the way their names say`, async () => {
      const r = await render({ AaiMotionInEffect: name, AaiMotionOutEffect: out });
      expect(r.effects.inEffect).toEqual({ name, rendered: true });
      expect(r.effects.outEffect).toEqual({ name: out, rendered: true });
      const d = r.c.end - r.c.start;
      const tin = Math.min(0.45, d / 3);
      const tout = Math.min(0.35, d / 4);
      // Near the hidden end of each phase (two samples: motions with keyframes overshoot).
      const early = [mask(await r.at(r.c.start + 0.15 * tin)), mask(await r.at(r.c.start + 0.3 * tin))];
      const late = [mask(await r.at(r.c.end - 0.15 * tout)), mask(await r.at(r.c.end - 0.3 * tout))];
      const settled = mask(await r.at(r.c.start + tin + (d - tin - tout) / 2));
      // settled: the caption as it is without effects
      expect(Math.abs(settled.count - still.count)).toBeLessThan(still.count * 0.2);
      const either = (check: Check, samples: Mask[]) => {
        const errors: unknown[] = [];
        for (const m of samples) {
          try {
            return check(m, settled);
          } catch (err) {
            errors.push(err);
          }
        }
        throw errors[errors.length - 1];
      };
      for (const check of expectations[name]) {
        either(check, early);
        either(check, late);
      }
    });
  }

  for (const loop of Object.keys(CAPTION_LOOPS)) {
    it(`${loop} ${CAPTION_LOOPS[loop] ? 'keeps the caption moving' : 'keeps the caption still'}`, async () => {
      const r = await render({ AaiMotionLoopEffect: loop });
      const mid = (r.c.start + r.c.end) / 2;
      const a = await r.at(mid - 0.2);
      const b = await r.at(mid);
      const c = await r.at(mid + 0.2);
      const moved = Math.max(differing(a, b), differing(b, c));
      // (a few pixels flicker with compression alone)
      if (CAPTION_LOOPS[loop]) expect(moved).toBeGreaterThan(150);
      else expect(moved).toBeLessThan(40);
    });
  }
});

describe('word-by-word highlighting (reelsmith extension)', () => {
  const GREEN = (r: number, g: number, b: number) => g > 120 && r < 100 && b < 100;
  const count = (f: Frame, is: (r: number, g: number, b: number) => boolean) => {
    let n = 0;
    for (let i = 0; i < f.data.length; i += 3) if (is(f.data[i], f.data[i + 1], f.data[i + 2])) n++;
    return n;
  };

  for (const mode of ['sweep', 'pop']) {
    it(`${mode}: spoken words turn to the highlight colour as the caption plays`, async () => {
      const r = await render({ WordHighlight: mode, HighlightColor: '#00ff00' });
      expect(r.effects.highlight).toEqual({ mode, color: '#00ff00' });
      const d = r.c.end - r.c.start;
      const early = await r.at(r.c.start + 0.2 * d);
      const late = await r.at(r.c.start + 0.85 * d);
      // early: mostly not yet spoken (magenta); late: mostly spoken (green)
      expect(count(early, isMagenta)).toBeGreaterThan(count(early, GREEN));
      expect(count(late, GREEN)).toBeGreaterThan(count(late, isMagenta));
      expect(count(early, GREEN)).toBeGreaterThan(0);
    });
  }
});

describe('caption layer (captions drawn once per change, laid over the video)', () => {
  /** A job's only output rendered with the layer or with `ass` on every frame, losslessly: its raw frames, and the render's work folder. */
  async function renderWith(mode: 'always' | 'never', asr: object, fps = 30) {
    const out = tempDir();
    const tmp = tempDir('rs-work-');
    const parsed = parseJob({
      InputConfig: {
        MediaArray: [media('dark_portrait.mp4')],
        SpeechText: 'One short line. Then a second one, longer than the first. And the last.',
        Title: 'A title on top',
      },
      EditingConfig: {
        SpeechConfig: { Voice: 'cally', AsrConfig: { FontColor: '#ffcc00', FontSize: 30, Outline: 2, OutlineColour: '#3050ff', ...asr } },
        BackgroundImageConfig: { SubType: 'Color', Color: '#000000' },
      },
      OutputConfig: { MediaURL: 'l_{index}.mp4', Width: 360, Height: 640, Video: { Crf: 0, Preset: 'ultrafast', Fps: fps } },
    });
    // The render's work folder is kept (under a TMPDIR of our own) to see how the captions were drawn.
    const before = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const m = await produce(parsed, {
        home: testHome(),
        outDir: out,
        seed: 3,
        jobs: 1,
        render: { ...DEFAULT_RENDER, captionLayer: mode, keepWork: true },
      });
      expect(m.EditingBatchJob.SubJobList[0].Status).toBe('Success');
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
    const work = join(tmp, readdirSync(tmp).find((d) => d.startsWith('reelsmith-'))!);
    const { stdout } = await execa('ffmpeg', ['-v', 'error', '-i', join(out, 'l_0.mp4'), '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'], {
      encoding: 'buffer',
    });
    return {
      frames: Buffer.from(stdout as unknown as Uint8Array),
      work,
      args: JSON.parse(readFileSync(join(work, 'ffmpeg-args.json'), 'utf8')) as string[],
    };
  }

  for (const [what, asr, fps] of [
    ['static captions and a title', {}],
    // a font file of the job's own (FontUrl), handed to libass by both
    [
      "static captions in a font of the job's own at 25 fps",
      { FontUrl: `file://${execaSync('fc-match', ['-f', '%{file}', 'AR PL UKai CN']).stdout}` },
      25,
    ],
    ['captions that turn and zoom in and out', { AaiMotionInEffect: 'rotate1_in', AaiMotionOutEffect: 'zoom_out' }],
  ] as [string, object, number?][]) {
    it(`draws ${what} as the ass filter does, within rounding, at the same frames`, async () => {
      const layered = await renderWith('always', asr, fps);
      const direct = await renderWith('never', asr, fps);
      const graph = (a: string[]) => a[a.indexOf('-filter_complex') + 1];
      expect(graph(layered.args)).not.toContain('ass=');
      expect(graph(layered.args)).toContain('overlay=x=0');
      // the layer's stream, read on standard input as its pass draws it
      expect(layered.args).toContain('pipe:0');
      expect(graph(direct.args)).toContain('ass=');
      expect(layered.frames.length).toBe(direct.frames.length);
      const frameBytes = 360 * 640 * 1.5;
      const count = layered.frames.length / frameBytes;
      let exact = 0;
      let worstPsnr = Number.POSITIVE_INFINITY;
      const luma = 360 * 640;
      let worstLuma = 0;
      let worstChroma = 0;
      for (let f = 0; f < count; f++) {
        let d = 0;
        let se = 0;
        for (let i = f * frameBytes; i < (f + 1) * frameBytes; i++) {
          const e = layered.frames[i] - direct.frames[i];
          if (i - f * frameBytes < luma) worstLuma = Math.max(worstLuma, Math.abs(e));
          else worstChroma = Math.max(worstChroma, Math.abs(e));
          d = Math.max(d, Math.abs(e));
          se += e * e;
        }
        if (d <= 3) exact++;
        worstPsnr = Math.min(worstPsnr, se === 0 ? 99 : 10 * Math.log10((255 * 255) / (se / frameBytes)));
      }
      if (what.startsWith('static')) {
        // luma within 1 level, chroma within 3 (averaged over 2x2 blocks in two steps, rounded
        // twice), every frame: the captions change at the same frames
        expect(exact).toBe(count);
        expect(worstLuma).toBeLessThanOrEqual(1);
        expect(worstChroma).toBeLessThanOrEqual(3);
      } else {
        // Moving frames are drawn at the same milliseconds but for the frames on whole tenths of a
        // second, whose time the render's clock may round to the millisecond before (concat sums
        // rounded durations): a turn or zoom 1 ms apart moves a few edge pixels.
        expect(exact).toBeGreaterThan(count * 0.8);
        expect(worstPsnr).toBeGreaterThan(38);
      }
    });
  }

  it('draws the captions with ass when the layer pass dies mid-stream (nothing half-drawn is kept)', async () => {
    // An ffmpeg on PATH that passes every call through, but cuts the layer pass's stream short and fails
    // (the stream is ~600 kB here, 7 drawings of ~86 kB: cut after the third).
    const bin = tempDir('rs-bin-');
    const real = execaSync('sh', ['-c', 'command -v ffmpeg']).stdout.trim();
    writeFileSync(
      join(bin, 'ffmpeg'),
      `#!/bin/sh\ncase "$*" in *unpremultiply*pipe:1) "${real}" "$@" | head -c 300000; exit 1;; esac\nexec "${real}" "$@"\n`,
      { mode: 0o755 },
    );
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    let cut: Awaited<ReturnType<typeof renderWith>>;
    try {
      cut = await renderWith('always', {});
    } finally {
      process.env.PATH = path;
    }
    const direct = await renderWith('never', {});
    // drawn again, by `ass`: the same frames as a render that never tried the layer
    expect(cut.args[cut.args.indexOf('-filter_complex') + 1]).toContain('ass=');
    expect(cut.frames.length).toBe(direct.frames.length);
    expect(cut.frames.equals(direct.frames)).toBe(true);
  });

  it('leaves translucent captions (fades) to the ass filter', async () => {
    const faded = await renderWith('always', { AaiMotionInEffect: 'fade_in' });
    const graph = faded.args[faded.args.indexOf('-filter_complex') + 1];
    expect(graph).toContain('ass=');
    expect(faded.args).not.toContain('pipe:0');
  });
});

describe('caption changes and bands (pure)', () => {
  const doc = (
    events: string[],
    styles = 'Style: Caption,Noto Sans,30,&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,2,0,2,0,0,0,1',
  ) =>
    [
      '[V4+ Styles]',
      'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
      styles,
      '',
      '[Events]',
      'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
      ...events,
    ].join('\n');

  it('draws again only where an event starts or ends, and every frame of a moving one', () => {
    const events = assEvents(
      doc([
        'Dialogue: 0,0:00:00.50,0:00:01.00,Caption,,0,0,0,,{\\pos(10,10)}a, with a comma',
        'Dialogue: 0,0:00:02.00,0:00:02.10,Caption,,0,0,0,,{\\move(0,0,10,10)}b',
      ]),
    );
    expect(events).toEqual([
      { start: 500, end: 1000, animated: false, translucent: false },
      { start: 2000, end: 2100, animated: true, translucent: false },
    ]);
    // 10 fps, frame n at n × 100 ms
    expect(changeFrames(events, 30, (n) => [n * 100])).toEqual([0, 5, 10, 20, 21]);
    // a clock that may read a frame's time 1 ms early draws the frame after a boundary too
    expect(changeFrames(events, 30, (n) => [n * 100, n * 100 - 1])).toEqual([0, 5, 6, 10, 11, 20, 21, 22]);
  });

  it('knows translucent drawing: alpha tags, fades, style colours with alpha', () => {
    expect(assOpaque(doc(['Dialogue: 0,0:00:00.00,0:00:01.00,Caption,,0,0,0,,{\\pos(1,1)}x']))).toBe(true);
    expect(assOpaque(doc(['Dialogue: 0,0:00:00.00,0:00:01.00,Caption,,0,0,0,,{\\fad(100,100)}x']))).toBe(false);
    expect(assOpaque(doc(['Dialogue: 0,0:00:00.00,0:00:01.00,Caption,,0,0,0,,{\\t(\\1a&H80&)}x']))).toBe(false);
    // user text that merely reads like a tag is not one (override blocks only)
    expect(assOpaque(doc(['Dialogue: 0,0:00:00.00,0:00:01.00,Caption,,0,0,0,,see \\alpha here']))).toBe(true);
    const translucentFill = 'Style: Caption,Noto Sans,30,&H40FFFFFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,2,0,2,0,0,0,1';
    expect(assOpaque(doc([], translucentFill))).toBe(false);
    // a translucent back colour matters only where a shadow or a box is drawn
    const shadowed = 'Style: Caption,Noto Sans,30,&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,2,2,2,0,0,0,1';
    expect(assOpaque(doc([], shadowed))).toBe(false);
  });

  it('finds the bands of rows that hold a drawn pixel, merged when close, on whole chroma rows', () => {
    const width = 4;
    const height = 200;
    const profile = Buffer.alloc(2 * width * height);
    profile[10 * width + 3] = 1; // frame 0, row 10
    profile[20 * width + 0] = 7; // frame 0, row 20: close to row 10, merged
    profile[(height + 150) * width + 2] = 255; // frame 1, row 150
    expect(bandsOf(profile, width, height)).toEqual([
      { y: 8, h: 16 },
      { y: 148, h: 6 },
    ]);
    expect(selectFrames([0, 5, 6, 7, 9])).toBe('eq(n,0)+between(n,5,7)+eq(n,9)');
  });
});
