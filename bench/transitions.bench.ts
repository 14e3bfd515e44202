/**
 * Transition benchmark, at 1080x1920:
 * - each IMS transition's cost per frame, drawn by its shader from the gl-transitions GLSL
 *   (native engine, all cores; the JS fallback for a few, for comparison);
 * - the share that transitions add to the render of a 30 s video with 8 transitions of 0.5 s:
 *   the same job rendered with and without transitions, medians of interleaved runs (target ≤ 15 %),
 *   for the reference job (voice-over, captions) and a bare one, with the part that is the encoder's
 *   own extra work on the transition frames.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { makeSampleMedia } from '../examples/sample-media.js';
import { produce } from '../src/jobs/produce.js';
import { ffmpegEnv } from '../src/render/ffmpeg.js';
import { frei0rTransition } from '../src/render/graph.js';
import { capabilities } from '../src/render/capabilities.js';
import { drawTransition, frei0rPlugin } from '../src/shaders/draw.js';
import { TRANSITIONS } from '../src/spec/catalogue.js';
import { parseJob } from '../src/spec/parse.js';
import { bareEncode, decodeToY4m, median, REFERENCE_SPEECH, REFERENCE_TITLE } from './reference.js';

const root = new URL('..', import.meta.url).pathname;
const mediaDir = join(root, 'examples/media');
const out = join(root, 'bench/out/transitions');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
process.env.REELSMITH_HOME ??= join(out, 'home');
await makeSampleMedia(mediaDir);
const m = (f: string) => join(mediaDir, f);
const W = 1080;
const H = 1920;
const N = Number(process.env.BENCH_FRAMES ?? 15);
const cacheDir = join(out, 'shaders');

// ---- per transition ------------------------------------------------------------------------------
async function frame(file: string, ss: string) {
  const r = await execa('ffmpeg', ['-v', 'error', '-ss', ss, '-i', file, '-frames:v', '1', '-vf', `scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { encoding: 'buffer' });
  return Buffer.from(r.stdout);
}
const a = await frame(m('storefront_opening.mp4'), '1');
const b = await frame(m('fresh_fruit.png'), '0');
const from = Buffer.concat(Array.from({ length: N }, () => a));
const to = Buffer.concat(Array.from({ length: N }, () => b));
const only = process.env.BENCH_TRANSITIONS?.split(',');
const names = only ?? [...TRANSITIONS];
const perFrame: Record<string, number> = {};
// What a render pays per frame: the shader's frei0r plugin in FFmpeg's filter graph (stacked pair
// in, as in the render), minus the same graph without it; N frames, best of 3.
const aFile = join(out, 'a.rgb');
const bFile = join(out, 'b.rgb');
writeFileSync(aFile, a);
writeFileSync(bFile, b);
const graphRun = async (plugin?: { dir: string; name: string }) => {
  const chains: string[] = [];
  let labels = 0;
  const g = { chain: (c: string) => void chains.push(c), label: (p: string) => `${p}${labels++}` };
  frei0rTransition(g, 'a', 'b', 'out', { plugin: plugin?.name ?? 'none', frames: N, width: W, height: H });
  // Without a plugin: the same graph minus the frei0r filter.
  const draw = chains.join(';').replace(plugin ? /^$/ : /frei0r=[^,]+,/, '');
  const src = (f: string) => ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-video_size', `${W}x${H}`, '-framerate', '30', '-stream_loop', String(N - 1), '-i', f];
  const graph = `[0:v]format=yuv420p[a];[1:v]format=yuv420p[b];${draw}`;
  const t0 = performance.now();
  await execa('ffmpeg', ['-v', 'error', ...src(aFile), ...src(bFile), '-filter_complex_threads', '1', '-filter_complex', graph, '-map', '[out]', '-f', 'null', '-'], { env: ffmpegEnv(plugin ? { FREI0R_PATH: plugin.dir } : {}) });
  return performance.now() - t0;
};
const best = async (f: () => Promise<number>) => Math.min(await f(), await f(), await f());
const baseline = await best(() => graphRun());
for (const name of names) {
  const plugin = await frei0rPlugin(name, cacheDir);
  if (!plugin) throw new Error(`no frei0r plugin for ${name}`);
  perFrame[name] = Math.max(0, (await best(() => graphRun(plugin))) - baseline) / N;
  console.log(`${name.padEnd(28)} ${perFrame[name].toFixed(1).padStart(7)} ms/frame`);
}
const jsNames = ['fade', 'wipeleft', 'directional'];
const perFrameJs: Record<string, number> = {};
if (!only) {
  for (const name of jsNames) {
    const t0 = performance.now();
    await drawTransition(name, from.subarray(0, 2 * W * H * 3), to.subarray(0, 2 * W * H * 3), { width: W, height: H, cacheDir, engine: 'js' });
    perFrameJs[name] = (performance.now() - t0) / 2;
    console.log(`${`${name} (JS engine)`.padEnd(28)} ${perFrameJs[name].toFixed(1).padStart(7)} ms/frame`);
  }
}
const sorted = Object.values(perFrame).sort((x, y) => x - y);
console.log(`per-frame cost at ${W}x${H}: median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`);

// ---- share in a render ---------------------------------------------------------------------------
// Two jobs of ≈ 30 s with 8 transitions of 0.5 s, each rendered with and without transitions: the
// reference job of issue 2 (voice-over, captions, title, music: the target's definition) and a
// bare one (clips and music only: a smaller denominator, so a stricter figure).
const MIX = (process.env.BENCH_MIX ?? 'wipeleft,circleopen,radial,directional,swap,pixelize,cube,dreamyzoom').split(',');
const files = ['storefront_opening.mp4', 'mall_crowd.mp4', 'snacks_and_drinks.mp4', 'checkout_queue.mp4', 'store_interior.mp4', 'fresh_fruit.png', 'mall_crowd.mp4', 'storefront_opening.mp4', 'snacks_and_drinks.mp4'];
const jobFor = (kind: 'reference' | 'bare', allow: boolean) => ({
  InputConfig: {
    MediaGroupArray: files.map((f, i) => ({ GroupName: `scene${i + 1}`, MediaArray: [m(f)] })),
    BackgroundMusic: m('relaxing_theme.mp3'),
    ...(kind === 'reference' ? { SpeechTextArray: [REFERENCE_SPEECH], Title: REFERENCE_TITLE } : {}),
  },
  EditingConfig: {
    ...(kind === 'reference' ? { SpeechConfig: { Voice: 'cally', SpeechRate: 0 }, BackgroundMusicConfig: { Volume: 0.2 } } : {}),
    ProcessConfig: { SingleShotDuration: 3.5, AllowTransition: allow, TransitionDuration: 0.5, UseUniformTransition: false, TransitionList: MIX, AllowVfxEffect: false },
  },
  // The reference job lasts as long as its voice-over (≈ 28 s), the bare one 30 s.
  OutputConfig: { MediaURL: `${kind}_${allow ? 'with' : 'without'}_{index}.mp4`, Count: 1, Width: W, Height: H, ...(kind === 'reference' ? { MaxDuration: 30 } : { FixedDuration: 30 }) },
});
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const host = process.env.REELSMITH_SHADER_HOST === 'program' ? 'native programs on pipes' : (await capabilities()).filters.has('frei0r') ? "frei0r plugins in the render (FFmpeg's frei0r filter)" : 'native programs on pipes (no frei0r filter)';
console.log(`transitions drawn by: ${host}`);
const shares: Record<string, unknown> = {};
for (const kind of ['reference', 'bare'] as const) {
  const withT = parseJob(jobFor(kind, true), { baseDir: root });
  const withoutT = parseJob(jobFor(kind, false), { baseDir: root });
  const warm = await produce(withT, { outDir: out, seed: 1, jobs: 1 });
  await produce(withoutT, { outDir: out, seed: 1, jobs: 1 });
  const tl = warm.Plans[0].timeline!;
  const timesWith: number[] = [];
  const timesWithout: number[] = [];
  // Interleaved runs, medians: the machine's speed drifts between runs.
  for (let r = 0; r < RUNS; r++) {
    let t0 = performance.now();
    await produce(withoutT, { outDir: out, seed: 1, jobs: 1 });
    timesWithout.push((performance.now() - t0) / 1000);
    t0 = performance.now();
    await produce(withT, { outDir: out, seed: 1, jobs: 1 });
    timesWith.push((performance.now() - t0) / 1000);
  }
  const w = median(timesWith);
  const wo = median(timesWithout);
  const share = (w - wo) / wo;
  // What any transition costs the encoder: the transition frames are new pictures to compress (more
  // bits, more work). Measured as bare H.264 encodes of the two outputs' frames, same settings.
  const encode = async (file: string) => {
    const raw = join(out, 'frames.y4m');
    await decodeToY4m(join(out, file), raw);
    const times: number[] = [];
    for (let r = 0; r < RUNS; r++) times.push(await bareEncode(raw, join(out, 'encoded.mp4'), withT.job.output));
    rmSync(raw);
    return median(times);
  };
  const encWith = await encode(`${kind}_with_0.mp4`);
  const encWithout = await encode(`${kind}_without_0.mp4`);
  const encoderShare = (encWith - encWithout) / wo;
  console.log(`${kind} job: ${tl.duration.toFixed(1)} s at ${W}x${H}, ${tl.transitions.length} transitions of ${tl.transitions[0]?.duration ?? 0} s (${tl.transitions.map((x) => x.name).join(', ')})`);
  console.log(`  render with transitions ${w.toFixed(2)} s [${timesWith.map((x) => x.toFixed(2)).join(', ')}], without ${wo.toFixed(2)} s [${timesWithout.map((x) => x.toFixed(2)).join(', ')}]`);
  console.log(`  of the difference, the encoder's own extra work on the transition frames (bare encodes ${encWith.toFixed(2)} s vs ${encWithout.toFixed(2)} s): ${(encoderShare * 100).toFixed(1)} % points`);
  console.log(`  transitions add ${(share * 100).toFixed(1)} % (target ≤ 15 %) ${share <= 0.15 ? 'MET' : 'NOT MET'}`);
  shares[kind] = { transitions: tl.transitions.map((x) => x.name), withSeconds: w, withoutSeconds: wo, share, encoderShare, bareEncodeWith: encWith, bareEncodeWithout: encWithout, target: 0.15 };
}
writeFileSync(join(out, 'results.json'), `${JSON.stringify({ width: W, height: H, msPerFrame: perFrame, msPerFrameJs: perFrameJs, host, shares }, null, 2)}\n`);
