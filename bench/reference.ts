/**
 * What the benches share: the reference job's voice-over text and title (issue 2's reference
 * job), medians, and the bare H.264 encode that renders are compared with.
 */
import { execa } from 'execa';
import { ffmpegEnv } from '../src/render/ffmpeg.js';

export const REFERENCE_SPEECH =
  'A new Hema Fresh just opened in a nearby mall. Today is the grand opening, so let us check it out. ' +
  'This store is not very large, but the mall is crowded. Snacks and drinks are quite cheap. ' +
  'The queues at the checkout are very long. The fruit looks fresh and the staff are friendly. ' +
  'There is a seafood corner with live fish and crabs. You can have your fish cooked right here. ' +
  'Everyone should come and have a look this weekend. Do not forget to bring your friends.';
export const REFERENCE_TITLE = 'Hema Fresh is now open';

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A video's frames as raw yuv420p (Y4M), the bare encode's input. */
export async function decodeToY4m(video: string, y4m: string): Promise<void> {
  await execa('ffmpeg', ['-v', 'error', '-y', '-i', video, '-an', '-f', 'yuv4mpegpipe', '-pix_fmt', 'yuv420p', y4m]);
}

/**
 * A bare FFmpeg H.264 encode of raw frames at the render's preset and CRF, with the same allocator
 * settings as the render's FFmpeg (so that ratios compare work, not allocators); seconds taken.
 */
export async function bareEncode(y4m: string, out: string, o: { preset: string; crf: number }): Promise<number> {
  const t0 = performance.now();
  await execa('ffmpeg', ['-v', 'error', '-y', '-i', y4m, '-c:v', 'libx264', '-preset', o.preset, '-crf', String(o.crf), '-pix_fmt', 'yuv420p', '-r', '30', '-f', 'mp4', out], { env: ffmpegEnv() });
  return (performance.now() - t0) / 1000;
}
