import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VFX_DRAWN } from '../src/effects/vfx.js';
import { produce } from '../src/batch/produce.js';
import { parseJob } from '../src/job/parse.js';
import {
  channelDiff,
  type Frame,
  frameAt,
  frameDiff,
  luma,
  media,
  saturation,
  sharpness,
  sharpnessDir,
  tempDir,
  useTempHome,
  testHome,
} from './helpers.js';

const D = 2;
const T = { start: 0, mid: 1, end: D - 0.04 } as const;
type Frames = Record<keyof typeof T, Frame>;

async function renderWith(effect: string | undefined): Promise<Frames> {
  const out = tempDir();
  const parsed = parseJob({
    InputConfig: { MediaArray: [media('portrait_tone.mp4')] },
    EditingConfig: effect ? { ProcessConfig: { AllowVfxEffect: true, VfxEffectProbability: 1, VfxFirstClipEffectList: [effect] } } : {},
    OutputConfig: { MediaURL: 'v_{index}.mp4', Width: 180, Height: 320, FixedDuration: D },
  });
  const m = await produce(parsed, { home: testHome(), outDir: out, seed: 3 });
  if (m.EditingBatchJob.SubJobList[0].Status !== 'Success') throw new Error(JSON.stringify(m.EditingBatchJob.SubJobList[0]));
  if (effect) expect(m.Plans[0].timeline!.shots[0].vfx).toEqual({ name: effect, rendered: true });
  const file = join(out, 'v_0.mp4');
  return { start: await frameAt(file, T.start), mid: await frameAt(file, T.mid), end: await frameAt(file, T.end) };
}

let ref: Frames;
beforeAll(async () => {
  useTempHome();
  ref = await renderWith(undefined);
});

const same = (a: Frame, b: Frame) => expect(frameDiff(a, b)).toBeLessThan(4);
const differs = (a: Frame, b: Frame, by = 6) => expect(frameDiff(a, b)).toBeGreaterThan(by);
const darker = (a: Frame, b: Frame, ratio: number) => expect(luma(a)).toBeLessThan(luma(b) * ratio);
const brighter = (a: Frame, b: Frame, by: number) => expect(luma(a)).toBeGreaterThan(luma(b) + by);
const blurred = (a: Frame, b: Frame) =>
  expect(sharpness(a, 0, 0, a.width, a.height)).toBeLessThan(0.6 * sharpness(b, 0, 0, b.width, b.height));
const sharpLike = (a: Frame, b: Frame) =>
  expect(sharpness(a, 0, 0, a.width, a.height)).toBeGreaterThan(0.85 * sharpness(b, 0, 0, b.width, b.height));
const corners = (f: Frame) => (luma(f, 0, 0, 30, 40) + luma(f, f.width - 30, f.height - 40, f.width, f.height)) / 2;

/** What a viewer sees for each effect, compared with the same shot without it. */
const checks: Record<string, (v: Frames) => void> = {
  open: (v) => {
    darker(v.start, ref.start, 0.35);
    same(v.end, ref.end);
  },
  withcircleopen: (v) => {
    darker(v.start, ref.start, 0.35);
    same(v.end, ref.end);
  },
  slightrectshow: (v) => {
    darker(v.start, ref.start, 0.35);
    same(v.end, ref.end);
  },
  wipecross: (v) => {
    darker(v.start, ref.start, 0.35);
    same(v.end, ref.end);
  },
  black: (v) => {
    darker(v.start, ref.start, 0.35);
    same(v.end, ref.end);
  },
  close: (v) => {
    same(v.start, ref.start);
    darker(v.end, ref.end, 0.35);
  },
  withcircleclose: (v) => {
    same(v.start, ref.start);
    darker(v.end, ref.end, 0.35);
  },
  disappear: (v) => {
    same(v.start, ref.start);
    darker(v.end, ref.end, 0.35);
  },
  whiteshow: (v) => {
    brighter(v.start, ref.start, 80);
    same(v.end, ref.end);
  },
  photograph: (v) => {
    brighter(v.start, ref.start, 80);
    same(v.end, ref.end);
  },
  slightshow: (v) => {
    darker(v.start, ref.start, 0.85);
    expect(luma(v.start)).toBeGreaterThan(luma(ref.start) * 0.2);
    same(v.end, ref.end);
  },
  shock: (v) => {
    brighter(v.start, ref.start, 20);
    same(v.end, ref.end);
  },
  h_blur: (v) => {
    const x = sharpnessDir(v.mid, 'x') / sharpnessDir(ref.mid, 'x');
    const y = sharpnessDir(v.mid, 'y') / sharpnessDir(ref.mid, 'y');
    expect(x).toBeLessThan(0.6);
    expect(y).toBeGreaterThan(x + 0.2);
  },
  v_blur: (v) => {
    const x = sharpnessDir(v.mid, 'x') / sharpnessDir(ref.mid, 'x');
    const y = sharpnessDir(v.mid, 'y') / sharpnessDir(ref.mid, 'y');
    expect(y).toBeLessThan(0.6);
    expect(x).toBeGreaterThan(y + 0.2);
  },
  blur: (v) => {
    blurred(v.start, ref.start);
    blurred(v.end, ref.end);
  },
  bluropen: (v) => {
    blurred(v.start, ref.start);
    sharpLike(v.end, ref.end);
  },
  blurclose: (v) => {
    sharpLike(v.start, ref.start);
    blurred(v.end, ref.end);
  },
  blurring: (v) => {
    blurred(v.start, ref.start);
    sharpLike(v.mid, ref.mid);
    blurred(v.end, ref.end);
  },
  slightshake: (v) => {
    differs(v.mid, ref.mid, 3);
    expect(Math.abs(luma(v.mid) - luma(ref.mid))).toBeLessThan(12);
  },
  withcircleshake: (v) => {
    differs(v.mid, ref.mid, 3);
    expect(corners(v.mid)).toBeLessThan(corners(ref.mid) * 0.75);
  },
  withcircleflashlight: (v) => expect(corners(v.mid)).toBeLessThan(corners(ref.mid) * 0.75),
  zoomslight: (v) => {
    same(v.start, ref.start);
    differs(v.end, ref.end, 3);
  },
  zoom: (v) => {
    same(v.start, ref.start);
    differs(v.end, ref.end);
  },
  zoominout: (v) => {
    same(v.start, ref.start);
    differs(v.mid, ref.mid);
  },
  movie: (v) => {
    expect(luma(v.mid, 0, 0, v.mid.width, 30)).toBeLessThan(20);
    expect(luma(ref.mid, 0, 0, ref.mid.width, 30)).toBeGreaterThan(40);
    expect(frameDiff(v.mid, ref.mid)).toBeGreaterThan(3);
  },
  color_difference: (v) => {
    expect(channelDiff(v.mid, ref.mid, 0)).toBeGreaterThan(8);
    expect(channelDiff(v.mid, ref.mid, 2)).toBeGreaterThan(8);
    expect(channelDiff(v.mid, ref.mid, 1)).toBeLessThan(channelDiff(v.mid, ref.mid, 0) / 2);
  },
  color_to_grey: (v) => {
    expect(saturation(v.start)).toBeGreaterThan(saturation(ref.start) * 0.8);
    expect(saturation(v.end)).toBeLessThan(15);
  },
  grey_to_color: (v) => {
    expect(saturation(v.start)).toBeLessThan(15);
    expect(saturation(v.end)).toBeGreaterThan(saturation(ref.end) * 0.8);
  },
  image_in_image: (v) => {
    // the corners show a blurred copy, the middle the smaller sharp picture
    expect(sharpness(v.mid, 0, 0, 20, 40)).toBeLessThan(sharpness(ref.mid, 0, 0, 20, 40) * 0.6);
    differs(v.mid, ref.mid);
  },
};

describe('visual effects', () => {
  it('has a check for every effect it draws', () => {
    expect(Object.keys(checks).sort()).toEqual(Object.keys(VFX_DRAWN).sort());
  });

  for (const [name, what] of Object.entries(VFX_DRAWN)) {
    it(`${name}: ${what}`, async () => {
      checks[name](await renderWith(name));
    });
  }
});
