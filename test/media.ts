/** Test-only media with properties the assertions rely on. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

async function make(out: string, args: string[]) {
  if (!existsSync(out)) await execa('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, out]);
}

export async function makeTestMedia(dir: string) {
  // 6 s in three 2 s solid-colour parts: red, green, blue (for in/out point tests); landscape.
  await make(join(dir, 'rgb_parts.mp4'), [
    '-f',
    'lavfi',
    '-i',
    'color=c=red:s=320x180:r=30:d=2',
    '-f',
    'lavfi',
    '-i',
    'color=c=lime:s=320x180:r=30:d=2',
    '-f',
    'lavfi',
    '-i',
    'color=c=blue:s=320x180:r=30:d=2',
    '-filter_complex',
    '[0:v][1:v][2:v]concat=n=3:v=1:a=0',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
  ]);
  // Portrait, moving, with a loud tone (material audio tests).
  await make(join(dir, 'portrait_tone.mp4'), [
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=180x320:r=30',
    '-f',
    'lavfi',
    '-i',
    'sine=f=660:sample_rate=44100',
    '-t',
    '6',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
  ]);
  // Fixed mid-tone gradients with room for colour grading either way (colour look tests).
  await make(join(dir, 'midtones.mp4'), [
    '-f',
    'lavfi',
    '-i',
    'gradients=s=180x320:r=30:c0=0x304a66:c1=0xb08a6c:c2=0x4f7a48:c3=0x1c1c24:c4=0xd8d0c0:nb_colors=5:seed=7:speed=0.01',
    '-t',
    '3',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
  ]);
  // An animated GIF sticker: red for 0.5 s, then blue for 0.5 s, looping.
  await make(join(dir, 'blink.gif'), [
    '-f',
    'lavfi',
    '-i',
    'color=c=red:s=64x64:r=10:d=0.5',
    '-f',
    'lavfi',
    '-i',
    'color=c=blue:s=64x64:r=10:d=0.5',
    '-filter_complex',
    '[0][1]concat=n=2:v=1:a=0',
    '-loop',
    '0',
  ]);
  // Plain dark grey portrait clip (caption tests read text pixels against it).
  await make(join(dir, 'dark_portrait.mp4'), [
    '-f',
    'lavfi',
    '-i',
    'color=c=0x101010:s=180x320:r=30:d=6',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
  ]);
  // A file that is not media at all.
  const broken = join(dir, 'broken.mp4');
  if (!existsSync(broken)) writeFileSync(broken, Buffer.from('this is not a video file, just text pretending to be one'.repeat(50)));
  // Real-world damage, made here. Both are grey ramps: frame n has luma n + 20, so a frame's
  // brightness says which source frame it is.
  const ramp = (d: number) => [
    '-f',
    'lavfi',
    '-i',
    `color=black:s=180x320:r=30:d=${d},format=yuv420p,geq=lum='N+20':cb=128:cr=128`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
  ];
  // Keyframes that do not decode alone: IDR frames every second, but the index (stss) names the
  // P frame half a second after each as the keyframe, so that an input seek starts decoding there.
  const forged = join(dir, 'forged_keys.mp4');
  if (!existsSync(forged)) {
    const plain = join(dir, '.forged_keys_source.mp4');
    await make(plain, [...ramp(6), '-x264-params', 'keyint=30:min-keyint=30:scenecut=0']);
    writeFileSync(forged, shiftSyncSamples(readFileSync(plain), 15));
  }
  // Shorter than it claims: the index (at the front) says 8 s, the data stops after about 3 s.
  const truncated = join(dir, 'truncated.mp4');
  if (!existsSync(truncated)) {
    const whole = join(dir, '.truncated_source.mp4');
    await make(whole, [...ramp(8), '-movflags', '+faststart', '-x264-params', 'keyint=30']);
    const bytes = readFileSync(whole);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.4)));
  }
}

/** The MP4 with every sync sample after the first moved `by` samples later in its stss box. */
export function shiftSyncSamples(mp4: Buffer, by: number): Buffer {
  const out = Buffer.from(mp4);
  const at = out.indexOf('stss');
  if (at < 0) throw new Error('no stss box');
  const n = out.readUInt32BE(at + 8);
  for (let k = 1; k < n; k++) out.writeUInt32BE(out.readUInt32BE(at + 12 + 4 * k) + by, at + 12 + 4 * k);
  return out;
}
