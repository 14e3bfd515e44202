/**
 * Render benchmark: the reference job (1080x1920, ~30 s, 8 shots with transitions, voice-over,
 * captions, music) against a bare FFmpeg H.264 encode of the same frames at the same size and
 * settings, measured in the same run. Prints both times and their ratio (target ≤ 1.25), and the
 * peak resident memory of the render's FFmpeg (target ≤ 500 MB).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeSampleMedia } from '../examples/sample-media.js';
import { reelsmithHome } from '../src/config/home.js';
import { produce } from '../src/batch/produce.js';
import { parseJob } from '../src/job/parse.js';
import { bareEncode, cpuSeconds, decodeToY4m, median, referenceJob, withPeakMemory } from './reference.js';

const root = new URL('..', import.meta.url).pathname;
const mediaDir = join(root, 'examples/media');
const out = join(root, 'bench/out');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// The benches' own data folder (caches of speech, probes and shaders), passed to the library.
const home = reelsmithHome(process.env.REELSMITH_HOME ?? join(out, 'home'));
await makeSampleMedia(mediaDir);

const m = (f: string) => join(mediaDir, f);
const files = [
  'storefront_opening.mp4',
  'mall_crowd.mp4',
  'snacks_and_drinks.mp4',
  'checkout_queue.mp4',
  'store_interior.mp4',
  'fresh_fruit.png',
  'mall_crowd.mp4',
  'storefront_opening.mp4',
];
const job = referenceJob({
  scenes: files.map((f) => [m(f)]),
  music: m('relaxing_theme.mp3'),
  shotSeconds: 4,
  transitions: ['fade', 'wipeleft', 'circleopen', 'radial'],
  mediaURL: 'reference_{index}.mp4',
});

const parsed = parseJob(job, { baseDir: root });
// Warm caches (speech, probes) so that the figure is the render itself.
await produce(parsed, { home, outDir: join(out, 'warm'), seed: 1, jobs: 1 });

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const renders: number[] = [];
const bares: number[] = [];
const peaks: number[] = [];
// CPU seconds of each (this process and its children): steadier than wall time on a shared machine.
const renderCpu: number[] = [];
const bareCpu: number[] = [];
let manifest = await produce(parsed, { home, outDir: out, seed: 1, jobs: 1 });
const t = manifest.Plans[0].timeline!;
if (manifest.EditingBatchJob.SubJobList[0].Status !== 'Success') throw new Error(JSON.stringify(manifest.EditingBatchJob.SubJobList[0]));
const frames = Math.round(t.duration * t.fps);
// Baseline input: the same frames (decoded from the output) as raw video, so that the bare encode
// compresses exactly the content reelsmith compressed.
const raw = join(out, 'frames.y4m');
await decodeToY4m(join(out, 'reference_0.mp4'), raw);
// Interleaved runs, medians: the machine's speed drifts between runs.
for (let run = 0; run < RUNS; run++) {
  const t0 = performance.now();
  const c0 = cpuSeconds() ?? 0;
  const r = await withPeakMemory(() => produce(parsed, { home, outDir: out, seed: 1, jobs: 1 }));
  renders.push((performance.now() - t0) / 1000);
  const c1 = cpuSeconds() ?? 0;
  renderCpu.push(c1 - c0);
  manifest = r.result;
  peaks.push(r.peakMb);
  bares.push(await bareEncode(raw, join(out, 'baseline.mp4'), parsed.job.output));
  bareCpu.push((cpuSeconds() ?? 0) - c1);
}
rmSync(raw);
// The self-check's cost (render/quality.ts): the same render without it, interleaved.
// CPU seconds (this process and its FFmpegs) are steadier than wall time on a shared machine.
const unchecked: number[] = [];
const checked: number[] = [];
for (let run = 0; run < Number(process.env.BENCH_CHECK_RUNS ?? 3); run++) {
  for (const check of [false, true]) {
    const c0 = cpuSeconds() ?? 0;
    const t0 = performance.now();
    await produce(parsed, { home, outDir: join(out, check ? 'checked' : 'unchecked'), seed: 1, jobs: 1, check });
    (check ? checked : unchecked).push(cpuSeconds() === undefined ? (performance.now() - t0) / 1000 : (cpuSeconds() as number) - c0);
  }
}
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
  pairs: renders.map((r, i) => Number((r / bares[i]).toFixed(3))),
  pairedRatio: Number(median(renders.map((r, i) => r / bares[i])).toFixed(3)),
  runs: { render: renders.map((x) => Number(x.toFixed(2))), bare: bares.map((x) => Number(x.toFixed(2))) },
  target: 1.25,
  cpuRatio: Number((median(renderCpu) / median(bareCpu)).toFixed(3)),
  cpu: { render: renderCpu.map((x) => Number(x.toFixed(2))), bare: bareCpu.map((x) => Number(x.toFixed(2))) },
  // The render's FFmpeg: its peak resident memory (the largest of the runs).
  peakMemoryMb: Math.round(Math.max(...peaks)),
  memoryTargetMb: 500,
};
console.log(
  `reference job: ${t.duration.toFixed(2)} s, ${frames} frames at 1080x1920, ${t.shots.length} shots, ${t.transitions.length} transitions, ${result.captions} captions, music`,
);
console.log(`reelsmith render (one pass, all stages), median of ${RUNS}: ${result.renderSeconds} s  [${result.runs.render.join(', ')}]`);
console.log(
  `bare FFmpeg H.264 encode of the same frames, median of ${RUNS}: ${result.bareEncodeSeconds} s  [${result.runs.bare.join(', ')}]`,
);
console.log(`ratio: ${result.ratio} (target ≤ ${result.target}) ${result.ratio <= result.target ? 'MET' : 'NOT MET'}`);
// Each run's render and bare encode ran back to back (the machine in the same state): their own
// ratios, whose median is steadier than the ratio of the two medians on a machine whose speed drifts.
console.log(`paired: each run's render / its bare encode, median ${result.pairedRatio} [${result.pairs.join(', ')}]`);
console.log(
  `in CPU seconds (process and FFmpeg), medians: ${median(renderCpu).toFixed(1)} / ${median(bareCpu).toFixed(1)} = ${result.cpuRatio} [${result.cpu.render.join(', ')} / ${result.cpu.bare.join(', ')}]`,
);
console.log(
  `peak resident memory of the render's FFmpeg: ${result.peakMemoryMb} MB, largest of ${RUNS} [${peaks.map((x) => Math.round(x)).join(', ')}] (target ≤ ${result.memoryTargetMb} MB) ${result.peakMemoryMb <= result.memoryTargetMb ? 'MET' : 'NOT MET'}`,
);
if (checked.length > 0)
  console.log(
    `self-check (CPU seconds): median ${median(checked).toFixed(2)} s with it, ${median(unchecked).toFixed(2)} s without [${checked.map((x) => x.toFixed(2)).join(', ')} / ${unchecked.map((x) => x.toFixed(2)).join(', ')}]: ${(((median(checked) - median(unchecked)) / median(unchecked)) * 100).toFixed(1)} % of the render`,
  );
await (await import('node:fs/promises')).writeFile(
  join(out, 'results.json'),
  `${JSON.stringify({ ...result, selfCheck: { checked, unchecked } }, null, 2)}\n`,
);
