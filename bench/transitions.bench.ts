/**
 * Transition benchmark, at 1080x1920:
 * - each IMS transition's cost per frame, drawn by its shader from the gl-transitions GLSL
 *   (native engine, all cores; the JS fallback for a few, for comparison);
 * - the share that transitions add to the reference job's render (≈ 28 s, 8 transitions of 0.5 s):
 *   the same job rendered with and without transitions in interleaved rounds, fastest runs against
 *   fastest runs and the median of the rounds' ratios (target ≤ 15 %),
 *   with its own transition list, with heavier shaders only and with FFmpeg's crossfade on every cut
 *   (the floor), each with the part that is the encoder's own extra work on the transition frames.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { makeSampleMedia } from '../examples/sample-media.js';
import { reelsmithHome } from '../src/config/home.js';
import { renderSettingsFromEnv } from '../src/shells/env.js';
import { produce } from '../src/batch/produce.js';
import { ffmpegEnv } from '../src/render/ffmpeg.js';
import { Graph } from '../src/render/filtergraph.js';
import { frei0rTransition } from '../src/render/transitions/frei0r.js';
import { capabilities } from '../src/render/capabilities.js';
import { drawTransition, frei0rPlugin } from '../src/shaders/draw.js';
import { TRANSITIONS } from '../src/job/catalogue.js';
import { shaderFor } from '../src/shaders/catalogue.js';
import { parseJob } from '../src/job/parse.js';
import { bareEncode, cpuSeconds, decodeToY4m, median, referenceJob } from './reference.js';

const root = new URL('..', import.meta.url).pathname;
const mediaDir = join(root, 'examples/media');
const out = join(root, 'bench/out/transitions');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// The benches' own data folder (caches of speech, probes and shaders), passed to the library.
const home = reelsmithHome(process.env.REELSMITH_HOME ?? join(out, 'home'));
// REELSMITH_SHADER_HOST=program and the other switches, as the CLI reads them.
const render = renderSettingsFromEnv(process.env);
await makeSampleMedia(mediaDir);
const m = (f: string) => join(mediaDir, f);
const W = 1080;
const H = 1920;
const N = Number(process.env.BENCH_FRAMES ?? 30);
const cacheDir = join(out, 'shaders');

// ---- per transition ------------------------------------------------------------------------------
async function frame(file: string, ss: string) {
  const r = await execa(
    'ffmpeg',
    [
      '-v',
      'error',
      '-ss',
      ss,
      '-i',
      file,
      '-frames:v',
      '1',
      '-vf',
      `scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H}`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { encoding: 'buffer' },
  );
  return Buffer.from(r.stdout);
}
const a = await frame(m('storefront_opening.mp4'), '1');
const b = await frame(m('fresh_fruit.png'), '0');
// Two frames of each clip for the JS engine.
const from = Buffer.concat([a, a]);
const to = Buffer.concat([b, b]);
const only = process.env.BENCH_TRANSITIONS?.split(',');
const names = only ?? [...TRANSITIONS];
const perFrame: Record<string, number> = {};
// What a render pays per frame: the shader's frei0r plugin in FFmpeg's filter graph (stacked pair
// in, as in the render), minus the same graph without it; N frames.
const aFile = join(out, 'a.rgb');
const bFile = join(out, 'b.rgb');
writeFileSync(aFile, a);
writeFileSync(bFile, b);
const graphRun = async (plugin?: { dir: string; name: string }) => {
  const g = new Graph();
  frei0rTransition(g, 'a', 'b', 'out', { plugin: plugin?.name ?? 'none', frames: N, width: W, height: H });
  const chain = g.chains.join(';');
  // Without a plugin: the same graph minus the frei0r filter.
  const draw = plugin ? chain : chain.replace(/frei0r=[^,]+,/, '');
  const src = (f: string) => [
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-video_size',
    `${W}x${H}`,
    '-framerate',
    '30',
    '-stream_loop',
    String(N - 1),
    '-i',
    f,
  ];
  const graph = `[0:v]format=yuv420p[a];[1:v]format=yuv420p[b];${draw}`;
  const t0 = performance.now();
  await execa(
    'ffmpeg',
    [
      '-v',
      'error',
      ...src(aFile),
      ...src(bFile),
      '-filter_complex_threads',
      '1',
      '-filter_complex',
      graph,
      '-map',
      '[out]',
      '-f',
      'null',
      '-',
    ],
    { env: ffmpegEnv(plugin ? { FREI0R_PATH: plugin.dir } : {}) },
  );
  return performance.now() - t0;
};
// Each plugin against the graph without it, interleaved (the machine's speed drifts), best of 3.
const bestPair = async (plugin: { dir: string; name: string }) => {
  let without = Number.POSITIVE_INFINITY;
  let withIt = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) {
    without = Math.min(without, await graphRun());
    withIt = Math.min(withIt, await graphRun(plugin));
  }
  return withIt - without;
};
for (const name of names) {
  const plugin = await frei0rPlugin(shaderFor(name)!, cacheDir);
  if (!plugin) throw new Error(`no frei0r plugin for ${name}`);
  perFrame[name] = Math.max(0, await bestPair(plugin)) / N;
  console.log(`${name.padEnd(28)} ${perFrame[name].toFixed(1).padStart(7)} ms/frame`);
}
const jsNames = ['fade', 'wipeleft', 'directional'];
const perFrameJs: Record<string, number> = {};
if (!only) {
  for (const name of jsNames) {
    const t0 = performance.now();
    await drawTransition(shaderFor(name)!, from, to, { width: W, height: H, cacheDir, engine: 'js' });
    perFrameJs[name] = (performance.now() - t0) / 2;
    console.log(`${`${name} (JS engine)`.padEnd(28)} ${perFrameJs[name].toFixed(1).padStart(7)} ms/frame`);
  }
}
const sorted = Object.values(perFrame).sort((x, y) => x - y);
// The table sorted by cost, dearest first, and the target: no transition above 60 ms per frame.
const LIMIT = 60;
console.log(`\nper-frame cost at ${W}x${H}, dearest first:`);
for (const [name, ms] of Object.entries(perFrame).sort((x, y) => y[1] - x[1]))
  console.log(`  ${name.padEnd(28)} ${ms.toFixed(1).padStart(7)} ms${ms > LIMIT ? '  over the limit' : ''}`);
const over = Object.entries(perFrame).filter(([, ms]) => ms > LIMIT);
console.log(
  `per-frame cost at ${W}x${H}: median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms; every transition ≤ ${LIMIT} ms: ${over.length === 0 ? 'MET' : `NOT MET (${over.map(([n]) => n).join(', ')})`}`,
);

// ---- share in a render ---------------------------------------------------------------------------
// The reference job of issue 2 (voice-over, captions, title, music; ≈ 28 s, 9 shots, so 8 cuts)
// rendered without transitions and with 8 transitions of 0.5 s drawn from three lists, in rounds
// (one run of each), the share being the fastest run with against the fastest without (see
// fastestShare), and also the median of the rounds' ratios:
// - its own list (fade, wipeleft, circleopen, radial: the target's definition; fade is FFmpeg's
//   crossfade, the others shaders);
// - shaders only, heavier ones among them (warps that read the frames everywhere: swap, cube,
//   dreamyzoom): a stricter figure;
// - FFmpeg's own crossfade on every cut: what any transition costs (the overlap's frames of both
//   shots decoded and fitted, the encoder's work on new pictures), the floor for a shader.
// For each, the part that is the encoder's own extra work: bare H.264 encodes of both outputs' frames.
const ALL_LISTS: Record<string, string[]> = {
  reference: ['fade', 'wipeleft', 'circleopen', 'radial'],
  shaders: (process.env.BENCH_MIX ?? 'wipeleft,circleopen,radial,directional,swap,pixelize,cube,dreamyzoom').split(','),
  crossfade: ['fade'],
};
// BENCH_LISTS=reference,crossfade: some of the lists only.
const LISTS = Object.fromEntries(Object.entries(ALL_LISTS).filter(([k]) => process.env.BENCH_LISTS?.split(',').includes(k) ?? true));
const files = [
  'storefront_opening.mp4',
  'mall_crowd.mp4',
  'snacks_and_drinks.mp4',
  'checkout_queue.mp4',
  'store_interior.mp4',
  'fresh_fruit.png',
  'mall_crowd.mp4',
  'storefront_opening.mp4',
  'snacks_and_drinks.mp4',
];
// The job lasts as long as its voice-over (≈ 28 s).
const jobFor = (list: string | undefined) =>
  referenceJob({
    scenes: files.map((f) => [m(f)]),
    music: m('relaxing_theme.mp3'),
    shotSeconds: 3.5,
    transitions: ALL_LISTS[list ?? 'reference'],
    allowTransitions: list !== undefined,
    mediaURL: `${list ?? 'without'}_{index}.mp4`,
    width: W,
    height: H,
  });
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SHARE = process.env.BENCH_SHARE !== '0'; // BENCH_SHARE=0: per-frame costs only
const host =
  process.env.REELSMITH_SHADER_HOST === 'program'
    ? 'native programs on pipes'
    : (await capabilities()).filters.has('frei0r')
      ? "frei0r plugins in the render (FFmpeg's frei0r filter)"
      : 'native programs on pipes (no frei0r filter)';
console.log(`transitions drawn by: ${host}`);
const variants = SHARE ? [undefined, ...Object.keys(LISTS)] : [];
const jobs = new Map(variants.map((v) => [v, parseJob(jobFor(v), { baseDir: root })]));
const times = new Map<string | undefined, number[]>(variants.map((v) => [v, []]));
// CPU seconds of each run (this process and its FFmpeg): the work, steadier than the wall clock.
const cpu = new Map<string | undefined, number[]>(variants.map((v) => [v, []]));
const picked = new Map<string, string[]>();
// A folder per variant: a folder's manifest names what the last job made there, and reelsmith
// refuses to replace an output that the folder's last job did not make.
const folderOf = (v: string | undefined) => join(out, v ?? 'without');
for (const v of variants) {
  const r = await produce(jobs.get(v)!, { home, render, outDir: folderOf(v), seed: 1, jobs: 1 }); // warm-up: speech, plugins
  if (v)
    picked.set(
      v,
      r.Plans[0].timeline!.transitions.map((x) => x.name),
    );
}
// Interleaved runs, medians: the machine's speed drifts between runs.
for (let r = 0; r < RUNS; r++) {
  for (const v of variants) {
    const t0 = performance.now();
    const c0 = cpuSeconds();
    await produce(jobs.get(v)!, { home, render, outDir: folderOf(v), seed: 1, jobs: 1 });
    times.get(v)!.push((performance.now() - t0) / 1000);
    const c1 = cpuSeconds();
    if (c0 !== undefined && c1 !== undefined) cpu.get(v)!.push(c1 - c0);
  }
}
// What any transition costs the encoder: the transition frames are new pictures to compress (more
// bits, more work). Measured as bare H.264 encodes of the outputs' frames, same settings.
const encode = async (v: string | undefined) => {
  const raw = join(out, 'frames.y4m');
  await decodeToY4m(join(folderOf(v), `${v ?? 'without'}_0.mp4`), raw);
  const t: number[] = [];
  for (let r = 0; r < RUNS; r++) t.push(await bareEncode(raw, join(out, 'encoded.mp4'), jobs.get(undefined)!.job.output));
  rmSync(raw);
  return median(t);
};
// Each round's own ratio (with / without, run back to back), then their median: robust to the slow
// phases of a shared machine that last longer than a run. Undefined when a round was not measured.
const roundShare = (runs: Map<string | undefined, number[]>, v: string) => {
  const ratios = runs.get(v)!.map((x, r) => x / runs.get(undefined)![r]);
  return ratios.length === RUNS ? median(ratios) - 1 : undefined;
};
// The fastest run of each against the fastest without: this machine's noise only ever slows a run
// down, and it is not shared by the two runs of a round (two renders run at the same time, one per
// core, differ by 2 to 26 % in CPU time), so the fastest runs are the closest to the work itself.
const fastestShare = (runs: Map<string | undefined, number[]>, v: string) =>
  runs.get(v)!.length === RUNS && runs.get(undefined)!.length === RUNS
    ? Math.min(...runs.get(v)!) / Math.min(...runs.get(undefined)!) - 1
    : undefined;
const pct = (x: number | undefined) => (x === undefined ? 'n/a' : `${(x * 100).toFixed(1)} %`);
const verdict = (x: number | undefined) => (x === undefined ? '' : x <= 0.15 ? ' MET' : ' NOT MET');
const shares: Record<string, unknown> = {};
if (SHARE) {
  const wo = median(times.get(undefined)!);
  const encWithout = await encode(undefined);
  console.log(
    `reference job, ${W}x${H}: without transitions ${wo.toFixed(2)} s [${times
      .get(undefined)!
      .map((x) => x.toFixed(2))
      .join(', ')}]`,
  );
  for (const v of Object.keys(LISTS)) {
    const w = median(times.get(v)!);
    const share = roundShare(times, v)!;
    const cpuShare = roundShare(cpu, v);
    const encWith = await encode(v);
    const encoderShare = (encWith - encWithout) / wo;
    const fastest = fastestShare(times, v)!;
    const cpuFastest = fastestShare(cpu, v);
    console.log(
      `  with 8 transitions from the ${v} list (${picked.get(v)!.join(', ')}): ${w.toFixed(2)} s [${times
        .get(v)!
        .map((x) => x.toFixed(2))
        .join(', ')}]`,
    );
    console.log(
      `    transitions add, fastest runs: ${pct(fastest)} (CPU time ${pct(cpuFastest)})${v === 'reference' ? ` (target ≤ 15 %)${verdict(fastest)}` : ''}`,
    );
    console.log(
      `    transitions add, median of the rounds' ratios: ${pct(share)}${v === 'reference' ? verdict(share) : ''}${cpuShare === undefined ? '' : ` (CPU time ${pct(cpuShare)}, ${median(cpu.get(v)!).toFixed(1)} vs ${median(cpu.get(undefined)!).toFixed(1)} CPU-s)`}`,
    );
    console.log(
      `    of which the encoder's own extra work ${(encoderShare * 100).toFixed(1)} points (bare encodes ${encWith.toFixed(2)} s vs ${encWithout.toFixed(2)} s)`,
    );
    shares[v] = {
      list: LISTS[v],
      transitions: picked.get(v),
      withSeconds: w,
      withoutSeconds: wo,
      runsWith: times.get(v),
      runsWithout: times.get(undefined),
      fastestShare: fastest,
      cpuFastestShare: cpuFastest,
      share,
      cpuShare,
      cpuWith: cpu.get(v),
      cpuWithout: cpu.get(undefined),
      encoderShare,
      bareEncodeWith: encWith,
      bareEncodeWithout: encWithout,
      ...(v === 'reference' ? { target: 0.15 } : {}),
    };
  }
}
if (SHARE && shares.reference && shares.crossfade) {
  // What the shaders cost beyond any transition: the reference list against the crossfade floor.
  const [r, c] = [shares.reference, shares.crossfade] as { fastestShare: number; share: number }[];
  console.log(
    `  the reference list over FFmpeg's crossfade (the floor): ${((r.fastestShare - c.fastestShare) * 100).toFixed(1)} points (fastest runs), ${((r.share - c.share) * 100).toFixed(1)} points (medians)`,
  );
}
writeFileSync(
  join(out, 'results.json'),
  `${JSON.stringify({ width: W, height: H, msPerFrame: perFrame, msPerFrameJs: perFrameJs, host, shares }, null, 2)}\n`,
);
