/**
 * Render benchmark: the reference job (1080x1920, ~30 s, 8 shots with transitions, voice-over,
 * captions, music) against a bare FFmpeg H.264 encode of the same frames at the same size and
 * settings, measured in the same run. Prints both times and their ratio (target ≤ 1.5).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { makeSampleMedia } from '../examples/sample-media.js';
import { produce } from '../src/jobs/produce.js';
import { ffmpegEnv } from '../src/render/ffmpeg.js';
import { parseJob } from '../src/spec/parse.js';

const root = new URL('..', import.meta.url).pathname;
const mediaDir = join(root, 'examples/media');
const out = join(root, 'bench/out');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
process.env.REELSMITH_HOME ??= join(out, 'home');
await makeSampleMedia(mediaDir);

const m = (f: string) => join(mediaDir, f);
const files = ['storefront_opening.mp4', 'mall_crowd.mp4', 'snacks_and_drinks.mp4', 'checkout_queue.mp4', 'store_interior.mp4', 'fresh_fruit.png', 'mall_crowd.mp4', 'storefront_opening.mp4'];
const text =
  'A new Hema Fresh just opened in a nearby mall. Today is the grand opening, so let us check it out. ' +
  'This store is not very large, but the mall is crowded. Snacks and drinks are quite cheap. ' +
  'The queues at the checkout are very long. The fruit looks fresh and the staff are friendly. ' +
  'There is a seafood corner with live fish and crabs. You can have your fish cooked right here. ' +
  'Everyone should come and have a look this weekend. Do not forget to bring your friends.';

const job = {
  InputConfig: {
    MediaGroupArray: files.map((f, i) => ({ GroupName: `scene${i + 1}`, MediaArray: [m(f)] })),
    SpeechTextArray: [text],
    Title: 'Hema Fresh is now open',
    BackgroundMusic: m('relaxing_theme.mp3'),
  },
  EditingConfig: {
    SpeechConfig: { Voice: 'cally', SpeechRate: 0 },
    BackgroundMusicConfig: { Volume: 0.2 },
    ProcessConfig: { SingleShotDuration: 4, AllowTransition: true, TransitionDuration: 0.5, UseUniformTransition: false, TransitionList: ['fade', 'wipeleft', 'circleopen', 'radial'] },
  },
  OutputConfig: { MediaURL: 'reference_{index}.mp4', Count: 1, Width: 1080, Height: 1920, MaxDuration: 30 },
};

const parsed = parseJob(job, { baseDir: root });
// Warm caches (speech, probes) so that the figure is the render itself.
await produce(parsed, { outDir: join(out, 'warm'), seed: 1, jobs: 1 });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const renders: number[] = [];
const bares: number[] = [];
let manifest = await produce(parsed, { outDir: out, seed: 1, jobs: 1 });
const t = manifest.Plans[0].timeline!;
if (manifest.EditingBatchJob.SubJobList[0].Status !== 'Success') throw new Error(JSON.stringify(manifest.EditingBatchJob.SubJobList[0]));
const frames = Math.round(t.duration * t.fps);
// Baseline input: the same frames (decoded from the output) as raw video, so that the bare encode
// compresses exactly the content reelsmith compressed.
const raw = join(out, 'frames.y4m');
await execa('ffmpeg', ['-v', 'error', '-y', '-i', join(out, 'reference_0.mp4'), '-f', 'yuv4mpegpipe', '-pix_fmt', 'yuv420p', raw]);
// Interleaved runs, medians: the machine's speed drifts between runs.
for (let run = 0; run < RUNS; run++) {
  const t0 = performance.now();
  manifest = await produce(parsed, { outDir: out, seed: 1, jobs: 1 });
  renders.push((performance.now() - t0) / 1000);
  const b0 = performance.now();
  await execa('ffmpeg', ['-v', 'error', '-y', '-i', raw, '-c:v', 'libx264', '-preset', parsed.job.output.preset, '-crf', String(parsed.job.output.crf), '-pix_fmt', 'yuv420p', '-r', '30', '-f', 'mp4', join(out, 'baseline.mp4')], { env: ffmpegEnv() });
  bares.push((performance.now() - b0) / 1000);
}
rmSync(raw);
const renderS = median(renders);
const bareS = median(bares);

const result = {
  machine: `${(await import('node:os')).cpus().length} cores`,
  duration: t.duration,
  frames,
  shots: t.shots.length,
  transitions: t.transitions.length,
  captions: t.captions?.captions.length ?? 0,
  renderSeconds: Number(renderS.toFixed(2)),
  bareEncodeSeconds: Number(bareS.toFixed(2)),
  ratio: Number((renderS / bareS).toFixed(3)),
  runs: { render: renders.map((x) => Number(x.toFixed(2))), bare: bares.map((x) => Number(x.toFixed(2))) },
  target: 1.5,
};
console.log(`reference job: ${t.duration.toFixed(2)} s, ${frames} frames at 1080x1920, ${t.shots.length} shots, ${t.transitions.length} transitions, ${result.captions} captions, music`);
console.log(`reelsmith render (one pass, all stages), median of ${RUNS}: ${result.renderSeconds} s  [${result.runs.render.join(', ')}]`);
console.log(`bare FFmpeg H.264 encode of the same frames, median of ${RUNS}: ${result.bareEncodeSeconds} s  [${result.runs.bare.join(', ')}]`);
console.log(`ratio: ${result.ratio} (target ≤ ${result.target}) ${result.ratio <= result.target ? 'MET' : 'NOT MET'}`);
await (await import('node:fs/promises')).writeFile(join(out, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
