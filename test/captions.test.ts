import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CAPTION_LOOPS, CAPTION_MOTIONS } from '../src/captions/motion.js';
import { produce } from '../src/batch/produce.js';
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
