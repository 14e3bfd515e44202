/** Test-only media with properties the assertions rely on. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

async function make(out: string, args: string[]) {
  if (!existsSync(out)) await execa('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, out]);
}

export async function makeTestMedia(dir: string) {
  // 6 s in three 2 s solid-colour parts: red, green, blue (for in/out point tests); landscape.
  await make(join(dir, 'rgb_parts.mp4'), [
    '-f', 'lavfi', '-i', 'color=c=red:s=320x180:r=30:d=2',
    '-f', 'lavfi', '-i', 'color=c=lime:s=320x180:r=30:d=2',
    '-f', 'lavfi', '-i', 'color=c=blue:s=320x180:r=30:d=2',
    '-filter_complex', '[0:v][1:v][2:v]concat=n=3:v=1:a=0', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
  ]);
  // Portrait, moving, with a loud tone (material audio tests).
  await make(join(dir, 'portrait_tone.mp4'), [
    '-f', 'lavfi', '-i', 'testsrc2=s=180x320:r=30', '-f', 'lavfi', '-i', 'sine=f=660:sample_rate=44100',
    '-t', '6', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac',
  ]);
  // Fixed mid-tone gradients with room for colour grading either way (colour look tests).
  await make(join(dir, 'midtones.mp4'), [
    '-f', 'lavfi', '-i', 'gradients=s=180x320:r=30:c0=0x304a66:c1=0xb08a6c:c2=0x4f7a48:c3=0x1c1c24:c4=0xd8d0c0:nb_colors=5:seed=7:speed=0.01',
    '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
  ]);
  // An animated GIF sticker: red for 0.5 s, then blue for 0.5 s, looping.
  await make(join(dir, 'blink.gif'), [
    '-f', 'lavfi', '-i', 'color=c=red:s=64x64:r=10:d=0.5', '-f', 'lavfi', '-i', 'color=c=blue:s=64x64:r=10:d=0.5',
    '-filter_complex', '[0][1]concat=n=2:v=1:a=0', '-loop', '0',
  ]);
  // Plain dark grey portrait clip (caption tests read text pixels against it).
  await make(join(dir, 'dark_portrait.mp4'), ['-f', 'lavfi', '-i', 'color=c=0x101010:s=180x320:r=30:d=6', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']);
  // A file that is not media at all.
  const broken = join(dir, 'broken.mp4');
  if (!existsSync(broken)) writeFileSync(broken, Buffer.from('this is not a video file, just text pretending to be one'.repeat(50)));
}
