/**
 * Batch benchmark: a `Count: 20` job at 1080x1920 (the reference job's material, two clips per
 * scene, voice-over, captions, title, music, shader transitions), from cold caches, as `produce`
 * runs it on this machine (outputs rendered as many at once as the cores carry). Prints outputs per
 * hour, and what the outputs of the batch share, counted rather than assumed:
 * - speech: sentences synthesized (files in the speech cache) against sentences the plans say;
 * - probes: media probed (files in the probe cache) against shots that use them;
 * - shader programs: plugins built against shader transitions drawn;
 * - fitted backgrounds: distinct shot segments (a clip and its in and out points) against shots —
 *   each render fits its own shots' pictures, so a segment two outputs use is fitted twice;
 * - the time before the first render (resolve, speech, plans) and the first render against the
 *   median of the others (the first pays for the plugins' builds).
 * Figures go to bench/out/batch/results.json.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSampleMedia } from '../examples/sample-media.js';
import { produce } from '../src/batch/produce.js';
import { reelsmithHome } from '../src/config/home.js';
import { parseJob } from '../src/job/parse.js';
import type { Timeline } from '../src/planner/timeline.js';
import { renderSettingsFromEnv } from '../src/shells/env.js';
import { cpuSeconds, median, referenceJob } from './reference.js';

const root = new URL('..', import.meta.url).pathname;
const mediaDir = join(root, 'examples/media');
const out = join(root, 'bench/out/batch');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// A fresh data folder: the batch starts from cold caches (speech, probes, shader plugins).
const home = reelsmithHome(join(out, 'home'));
const render = renderSettingsFromEnv(process.env);
await makeSampleMedia(mediaDir);
const m = (f: string) => join(mediaDir, f);
const COUNT = Number(process.env.BENCH_COUNT ?? 20);
const scenes = [
  ['storefront_opening.mp4', 'mall_crowd.mp4'],
  ['snacks_and_drinks.mp4', 'checkout_queue.mp4'],
  ['store_interior.mp4', 'fresh_fruit.png'],
  ['mall_crowd.mp4', 'storefront_opening.mp4'],
  ['checkout_queue.mp4', 'store_interior.mp4'],
  ['fresh_fruit.png', 'snacks_and_drinks.mp4'],
];
const parsed = parseJob(
  referenceJob({
    scenes: scenes.map((files) => files.map(m)),
    music: m('relaxing_theme.mp3'),
    shotSeconds: 4,
    transitions: ['fade', 'wipeleft', 'circleopen', 'radial', 'directional', 'dreamyzoom'],
    mediaURL: 'batch_{index}.mp4',
    count: COUNT,
  }),
  { baseDir: root },
);

const t0 = performance.now();
const c0 = cpuSeconds() ?? 0;
let firstRenderAt: number | undefined;
const started = new Map<number, number>();
const took = new Map<number, number>();
const manifest = await produce(parsed, {
  home,
  render,
  outDir: join(out, 'outputs'),
  seed: 1,
  onEvent: (e) => {
    if (e.type === 'output-start') {
      firstRenderAt ??= performance.now();
      started.set(e.index, performance.now());
    }
    if (e.type === 'output-done') took.set(e.index, (performance.now() - started.get(e.index)!) / 1000);
  },
});
const wall = (performance.now() - t0) / 1000;
const cpu = (cpuSeconds() ?? 0) - c0;
const done = manifest.EditingBatchJob.SubJobList.filter((s) => s.Status === 'Success').length;
if (done !== COUNT) throw new Error(`${COUNT - done} outputs failed: ${JSON.stringify(manifest.EditingBatchJob.SubJobList)}`);

// ---- what the outputs share --------------------------------------------------------------------
const timelines = manifest.Plans.map((p) => p.timeline).filter((t): t is Timeline => t !== undefined);
const files = (dir: string, ext?: RegExp) =>
  (existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : []).filter((f) => !ext || ext.test(f));
const sentences = timelines.reduce((n, t) => n + (t.voice?.segments.length ?? 0), 0);
const synthesized = files(join(home.cache, 'speech'), /\.wav$/).length;
const shots = timelines.reduce((n, t) => n + t.shots.length, 0);
const probed = files(join(home.cache, 'probe'), /\.json$/).length;
const shaderCuts = timelines.reduce((n, t) => n + t.transitions.filter((x) => x.drawnAs.by === 'shader').length, 0);
const plugins = files(join(home.cache, 'shaders'), /^frei0r\/rs_\w+\.so$/).length;
const segments = new Set(timelines.flatMap((t) => t.shots.map((s) => `${s.material.ref}|${s.sourceIn}|${s.sourceOut}`))).size;
const renders = [...took.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
const result = {
  machine: `${(await import('node:os')).cpus().length} cores`,
  count: COUNT,
  size: '1080x1920',
  seconds: Number(wall.toFixed(1)),
  cpuSeconds: Number(cpu.toFixed(1)),
  outputsPerHour: Math.round((COUNT / wall) * 3600),
  videoSeconds: Number(timelines.reduce((n, t) => n + t.duration, 0).toFixed(1)),
  beforeFirstRender: Number((((firstRenderAt ?? t0) - t0) / 1000).toFixed(1)),
  firstRender: Number(renders[0].toFixed(1)),
  otherRendersMedian: Number(median(renders.slice(1)).toFixed(1)),
  shared: {
    speech: { synthesized, said: sentences },
    probes: { probed, shotsUsingThem: shots },
    shaderPrograms: { built: plugins, shaderTransitionsDrawn: shaderCuts },
    fittedBackgrounds: { distinctSegments: segments, shotsFitted: shots },
  },
};
console.log(
  `Count ${COUNT} at 1080x1920 (${result.videoSeconds} s of video): ${result.seconds} s wall, ${result.cpuSeconds} CPU-s — ${result.outputsPerHour} outputs per hour`,
);
console.log(
  `  before the first render (resolve, speech, plans): ${result.beforeFirstRender} s; first render ${result.firstRender} s, the others ${result.otherRendersMedian} s (median)`,
);
console.log(`  speech: ${synthesized} sentences synthesized for ${sentences} said (shared across the batch)`);
console.log(`  probes: ${probed} media probed for ${shots} shots`);
console.log(`  shader programs: ${plugins} plugins built for ${shaderCuts} shader transitions`);
console.log(
  `  fitted backgrounds: ${segments} distinct shot segments in ${shots} shots — not shared: each render fits its shots (${shots - segments} repeats)`,
);
writeFileSync(join(out, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
