/**
 * What the benches share: the reference job's voice-over text and title (issue 2's reference
 * job), medians, and the bare H.264 encode that renders are compared with.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { ffmpegEnv } from '../src/render/ffmpeg.js';

export const REFERENCE_SPEECH =
  'A new Hema Fresh just opened in a nearby mall. Today is the grand opening, so let us check it out. ' +
  'This store is not very large, but the mall is crowded. Snacks and drinks are quite cheap. ' +
  'The queues at the checkout are very long. The fruit looks fresh and the staff are friendly. ' +
  'There is a seafood corner with live fish and crabs. You can have your fish cooked right here. ' +
  'Everyone should come and have a look this weekend. Do not forget to bring your friends.';
export const REFERENCE_TITLE = 'Hema Fresh is now open';

/**
 * The reference job (voice-over, captions, title, music at 0.2, the `cally` voice; as long as its
 * voice-over, ≈ 28 s) over scenes of the given media files, one group per scene.
 */
export function referenceJob(o: {
  scenes: string[][];
  music: string;
  shotSeconds: number;
  transitions: string[];
  /** false: plain cuts (the list is not drawn from). */
  allowTransitions?: boolean;
  mediaURL: string;
  count?: number;
  width?: number;
  height?: number;
}) {
  return {
    InputConfig: {
      MediaGroupArray: o.scenes.map((files, i) => ({ GroupName: `scene${i + 1}`, MediaArray: files })),
      SpeechTextArray: [REFERENCE_SPEECH],
      Title: REFERENCE_TITLE,
      BackgroundMusic: o.music,
    },
    EditingConfig: {
      SpeechConfig: { Voice: 'cally', SpeechRate: 0 },
      BackgroundMusicConfig: { Volume: 0.2 },
      ProcessConfig: {
        SingleShotDuration: o.shotSeconds,
        AllowTransition: o.allowTransitions ?? true,
        TransitionDuration: 0.5,
        UseUniformTransition: false,
        TransitionList: o.transitions,
        AllowVfxEffect: false,
      },
    },
    OutputConfig: { MediaURL: o.mediaURL, Count: o.count ?? 1, Width: o.width ?? 1080, Height: o.height ?? 1920, MaxDuration: 30 },
  };
}

/**
 * CPU seconds used so far by this process and the child processes it has waited for (FFmpeg,
 * espeak-ng), from /proc/self/stat (Linux); undefined elsewhere. Steadier than wall time on a shared
 * machine: a slow phase of the host stretches the wall clock more than the work.
 */
const CLOCK_TICKS = 100; // USER_HZ: 100 on every Linux architecture the project runs on
export function cpuSeconds(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14 … cstime 17.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return f.slice(11, 15).reduce((sum, x) => sum + Number(x), 0) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

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
  await execa(
    'ffmpeg',
    [
      '-v',
      'error',
      '-y',
      '-i',
      y4m,
      '-c:v',
      'libx264',
      '-preset',
      o.preset,
      '-crf',
      String(o.crf),
      '-pix_fmt',
      'yuv420p',
      '-r',
      '30',
      '-f',
      'mp4',
      out,
    ],
    { env: ffmpegEnv() },
  );
  return (performance.now() - t0) / 1000;
}

/** This process's children, from the kernel's list of each of its threads' children; undefined where /proc has no such lists. */
function childPids(): string[] | undefined {
  try {
    return readdirSync(`/proc/${process.pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${process.pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean),
    );
  } catch {
    return undefined;
  }
}

/**
 * Runs `work` while watching this process's FFmpeg children (every 25 ms): the largest peak
 * resident set (the kernel's own high-water mark, VmHWM) of any of them, in MB. Only the children
 * are read (their list from /proc/<pid>/task/<tid>/children): scanning every process of the machine
 * each time cost 1.4 ms of CPU, ~1 CPU-s a render — charged to the render, not to the bare encode
 * it is compared with.
 */
export async function withPeakMemory<T>(work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  const peaks = new Map<string, number>();
  const poll = () => {
    for (const pid of childPids() ?? readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const st = readFileSync(`/proc/${pid}/status`, 'utf8');
        if (!/^Name:\s+ffmpeg$/m.test(st) || Number(/^PPid:\s+(\d+)/m.exec(st)?.[1]) !== process.pid) continue;
        const hwm = Number(/^VmHWM:\s+(\d+) kB/m.exec(st)?.[1] ?? 0);
        peaks.set(pid, Math.max(peaks.get(pid) ?? 0, hwm));
      } catch {
        // gone meanwhile
      }
    }
  };
  const timer = setInterval(poll, 25);
  try {
    const result = await work();
    return { result, peakMb: Math.max(0, ...peaks.values()) / 1024 };
  } finally {
    clearInterval(timer);
  }
}
