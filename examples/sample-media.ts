/**
 * Generates the sample media of the bundled example (and of the tests) with FFmpeg's own sources,
 * so that nothing binary is checked in. Files that already exist are kept.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export interface SampleSpec {
  name: string;
  args: string[];
}

const video = (name: string, source: string, seconds: number, w: number, h: number, tone?: number, extra = ''): SampleSpec => ({
  name,
  args: [
    '-f',
    'lavfi',
    '-i',
    `${source}=size=${w}x${h}:rate=30${extra}`,
    ...(tone ? ['-f', 'lavfi', '-i', `sine=frequency=${tone}:duration=${seconds}:sample_rate=44100`] : []),
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-g',
    '30',
    ...(tone ? ['-c:a', 'aac', '-shortest'] : []),
  ],
});

const image = (name: string, source: string, w: number, h: number): SampleSpec => ({
  name,
  args: ['-f', 'lavfi', '-i', `${source}=size=${w}x${h}:rate=1`, '-frames:v', '1'],
});

/** Two bars of a soft chord progression, loopable. */
const music = (name: string, seconds: number): SampleSpec => ({
  name,
  args: [
    '-f',
    'lavfi',
    '-i',
    `aevalsrc=exprs='0.18*sin(2*PI*(220+55*floor(mod(t,8)/2))*t)*(0.6+0.4*sin(2*PI*t/2))+0.12*sin(2*PI*330*t)*(0.5+0.5*sin(PI*t))':s=44100:d=${seconds}`,
    '-c:a',
    'libmp3lame',
    '-q:a',
    '5',
  ],
});

export function sampleSpecs(scale = 1): SampleSpec[] {
  const s = (x: number) => Math.max(16, Math.round((x * scale) / 2) * 2);
  return [
    video('storefront_opening.mp4', 'testsrc2', 8, s(1280), s(720), 440),
    video('mall_crowd.mp4', 'gradients', 8, s(720), s(1280), undefined, ':seed=11'),
    video('snacks_and_drinks.mp4', 'cellauto', 8, s(720), s(1280), undefined, ':seed=5'),
    video('checkout_queue.mp4', 'rgbtestsrc', 8, s(1280), s(720), undefined, ',hue=H=2*PI*t/4'),
    video('store_interior.mp4', 'smptehdbars', 8, s(1080), s(1080), undefined, ',hue=H=2*PI*t/4:s=1+0.5*sin(t)'),
    image('fresh_fruit.png', 'testsrc', s(1080), s(1080)),
    image('logo.png', 'rgbtestsrc', s(256), s(256)),
    image('poster_background.png', 'smptebars', s(720), s(1280)),
    music('relaxing_theme.mp3', 20),
  ];
}

export async function makeSampleMedia(dir: string, scale = 1): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const made: string[] = [];
  for (const spec of sampleSpecs(scale)) {
    const out = join(dir, spec.name);
    if (!existsSync(out)) {
      await execa('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...spec.args, out]);
      made.push(out);
    }
  }
  return made;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? new URL('./media', import.meta.url).pathname;
  const made = await makeSampleMedia(dir);
  process.stdout.write(`sample media in ${dir} (${made.length} generated)\n`);
}
