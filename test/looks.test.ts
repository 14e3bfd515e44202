import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOOKS_DRAWN } from '../src/effects/looks.js';
import { JobValidationError } from '../src/errors.js';
import { produce } from '../src/batch/produce.js';
import { parseJob } from '../src/job/parse.js';
import { type Frame, frameAt, frameDiff, luma, meanColor, media, saturation, tempDir, useTempHome, testHome } from './helpers.js';

const job = (look?: string) => ({
  // smooth mid-tone gradients: room for colour to move either way
  InputConfig: { MediaArray: [media('midtones.mp4')] },
  EditingConfig: look ? { ProcessConfig: { AllowFilter: true, FilterList: [look] } } : {},
  OutputConfig: { MediaURL: 'l_{index}.mp4', Width: 180, Height: 320, FixedDuration: 1 },
});

async function frameWith(look?: string): Promise<Frame> {
  const out = tempDir();
  const m = await produce(parseJob(job(look)), { home: testHome(), outDir: out, seed: 2 });
  if (look) expect(m.Plans[0].timeline!.look).toEqual({ name: look, rendered: true });
  return frameAt(join(out, 'l_0.mp4'), 0.5);
}

let ref: Frame;
beforeAll(async () => {
  useTempHome();
  ref = await frameWith();
});

const warmth = (f: Frame) => {
  const [r, , b] = meanColor(f, 0, 0, f.width, f.height);
  return r - b;
};
/** Mean of a colour measure over the darkest or the brightest third of the pixels. */
const tint = (f: Frame, which: 'dark' | 'bright', m: (r: number, g: number, b: number) => number) => {
  const px: [number, number][] = [];
  for (let i = 0; i < f.data.length; i += 3) {
    const [r, g, b] = [f.data[i], f.data[i + 1], f.data[i + 2]];
    px.push([0.299 * r + 0.587 * g + 0.114 * b, m(r, g, b)]);
  }
  px.sort((a, b) => a[0] - b[0]);
  const third = Math.floor(px.length / 3);
  const part = which === 'dark' ? px.slice(0, third) : px.slice(-third);
  return part.reduce((a, [, v]) => a + v, 0) / part.length;
};
const darkest = (f: Frame) => {
  let m = 255;
  for (let i = 0; i < f.data.length; i += 3) m = Math.min(m, (f.data[i] + f.data[i + 1] + f.data[i + 2]) / 3);
  return m;
};
const spread = (f: Frame) => {
  const l: number[] = [];
  for (let i = 0; i < f.data.length; i += 3) l.push((f.data[i] + f.data[i + 1] + f.data[i + 2]) / 3);
  const mean = l.reduce((a, x) => a + x, 0) / l.length;
  return Math.sqrt(l.reduce((a, x) => a + (x - mean) ** 2, 0) / l.length);
};

const checks: Record<string, (f: Frame) => void> = {
  warm: (f) => expect(warmth(f)).toBeGreaterThan(warmth(ref) + 8),
  cool: (f) => expect(warmth(f)).toBeLessThan(warmth(ref) - 8),
  electric: (f) => {
    expect(warmth(f)).toBeLessThan(warmth(ref) - 8);
    expect(saturation(f)).toBeGreaterThan(saturation(ref));
  },
  tokoyo: (f) => {
    expect(tint(f, 'dark', (r, g, b) => (g + b) / 2 - r)).toBeGreaterThan(tint(ref, 'dark', (r, g, b) => (g + b) / 2 - r) + 4);
    // (the highlights' magenta lean shows on brighter footage than this mid-tone test clip)
    expect(tint(f, 'bright', (r, g, b) => (r + b) / 2 - g)).toBeGreaterThan(tint(ref, 'bright', (r, g, b) => (r + b) / 2 - g));
  },
  teal_orange: (f) => expect(frameDiff(f, ref)).toBeGreaterThan(4),
  faded: (f) => {
    expect(darkest(f)).toBeGreaterThan(darkest(ref) + 15);
    expect(saturation(f)).toBeLessThan(saturation(ref) * 0.85);
  },
  matte: (f) => {
    expect(darkest(f)).toBeGreaterThan(darkest(ref) + 15);
    expect(spread(f)).toBeLessThan(spread(ref));
  },
  delta: (f) => {
    expect(saturation(f)).toBeGreaterThan(saturation(ref) * 1.05);
    expect(spread(f)).toBeGreaterThan(spread(ref));
  },
  vivid: (f) => expect(saturation(f)).toBeGreaterThan(saturation(ref) * 1.05),
  urbex: (f) => {
    expect(saturation(f)).toBeLessThan(saturation(ref) * 0.7);
    expect(spread(f)).toBeGreaterThan(spread(ref) * 0.95);
  },
  mono: (f) => expect(saturation(f)).toBeLessThan(6),
  sepia: (f) => {
    // one brown tone: red over green over blue nearly everywhere, unlike the source
    const brown = (x: Frame) => {
      let n = 0;
      for (let i = 0; i < x.data.length; i += 3) if (x.data[i] >= x.data[i + 1] - 2 && x.data[i + 1] >= x.data[i + 2] - 2) n++;
      return n / (x.data.length / 3);
    };
    expect(brown(f)).toBeGreaterThan(0.95);
    expect(brown(ref)).toBeLessThan(0.8);
  },
  vintage: (f) => expect(frameDiff(f, ref)).toBeGreaterThan(6),
  slowlived: (f) => {
    expect(frameDiff(f, ref)).toBeGreaterThan(6);
    expect(saturation(f)).toBeLessThan(saturation(ref));
  },
  film: (f) => {
    expect(warmth(f)).toBeGreaterThan(warmth(ref));
    expect(Math.abs(luma(f) - luma(ref))).toBeLessThan(40);
  },
};

describe('colour looks (AllowFilter / FilterList)', () => {
  it('has a check for every look it draws', () => {
    expect(Object.keys(checks).sort()).toEqual(Object.keys(LOOKS_DRAWN).sort());
  });

  for (const [name, what] of Object.entries(LOOKS_DRAWN)) {
    it(`${name}: ${what}`, async () => {
      checks[name](await frameWith(name));
    });
  }

  it('accepts the IMS filter codes (planned, noted as not drawn) and refuses unknown names', async () => {
    const out = tempDir();
    const m = await produce(parseJob(job('pf3')), { home: testHome(), outDir: out, seed: 1, jobs: 1 });
    expect(m.Plans[0].timeline!.look).toEqual({ name: 'pf3', rendered: false });
    expect(m.Plans[0].notes.join()).toMatch(/filter pf3/);
    expect(() => parseJob(job('sparkly'))).toThrow(JobValidationError);
  });
});
