/**
 * Peer benchmark: reelsmith against editly (the open-source Node.js video editor: frames decoded
 * by FFmpeg, composed with canvas/fabric and headless-gl, piped back to FFmpeg), on the same job:
 * the sample media's four clips of mixed shapes (16:9, 1:1, 9:16) cut to 720x1280 over a blurred
 * fill, three gl-transitions shaders of 0.5 s (LinearBlur, ColourDistance, DreamyZoom), no sound,
 * both encoded by libx264 at the same preset and CRF (reelsmith's own: veryfast, CRF 23, unless
 * BENCH_PEER_PRESET / BENCH_PEER_CRF say otherwise).
 *
 * It installs editly 0.14.2 in a temporary folder (BENCH_PEER_DIR to keep and reuse one): Debian's
 * cairo, pango, jpeg, gif, rsvg, GL, GLEW and Xvfb development packages first (apt-get, when
 * missing), then npm with the native builds of canvas and gl approved (npm 11 runs no install
 * script otherwise); gl is taken at 8.x, which builds on Node 20. editly draws under its own Xvfb
 * display, started once and not counted.
 *
 * Measured: CPU seconds (user + system, the process and the children it waited for: FFmpeg) and
 * wall seconds of each tool, interleaved runs (BENCH_PEER_RUNS, default 3), medians, and their
 * ratio. reelsmith runs in this process (its library, warm: one render first, as a service or a
 * CLI run after its first); editly as a Node process per run. Not part of `npm test` nor of
 * `npm run bench`: `npm run bench:peer`. Figures go to bench/out/peer/results.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { makeSampleMedia } from '../examples/sample-media.js';
import { produce } from '../src/batch/produce.js';
import { reelsmithHome } from '../src/config/home.js';
import { parseJob } from '../src/job/parse.js';
import { shaderFor } from '../src/shaders/catalogue.js';
import { renderSettingsFromEnv } from '../src/shells/env.js';
import { cpuSeconds, median } from './reference.js';

const root = new URL('..', import.meta.url).pathname;
const mediaDir = join(root, 'examples/media');
const out = join(root, 'bench/out/peer');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const RUNS = Number(process.env.BENCH_PEER_RUNS ?? 3);
const PRESET = process.env.BENCH_PEER_PRESET ?? 'veryfast';
const CRF = Number(process.env.BENCH_PEER_CRF ?? 23);
const W = 720;
const H = 1280;
const FILES = ['checkout_queue.mp4', 'store_interior.mp4', 'storefront_opening.mp4', 'mall_crowd.mp4'];
const TRANSITIONS = ['linearblur', 'colordistance', 'dreamyzoom'];
const EDITLY = '0.14.2';

// ---- editly, installed aside ---------------------------------------------------------------------
const DEBIAN = [
  'libcairo2-dev',
  'libpango1.0-dev',
  'libjpeg-dev',
  'libgif-dev',
  'librsvg2-dev',
  'libgl1-mesa-dev',
  'libglew-dev',
  'libxi-dev',
  'libxext-dev',
  'xvfb',
  'xauth',
  'pkg-config',
];
const missing = DEBIAN.filter((p) => {
  try {
    return !execFileSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).includes('install ok installed');
  } catch {
    return true;
  }
});
if (missing.length > 0) {
  console.log(`installing ${missing.join(' ')} (apt-get)`);
  await execa('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit' });
}
const peerDir = process.env.BENCH_PEER_DIR ?? mkdtempSync(join(tmpdir(), 'reelsmith-peer-'));
if (!existsSync(join(peerDir, 'node_modules/editly/package.json'))) {
  console.log(`installing editly ${EDITLY} in ${peerDir} (native builds of canvas and gl: minutes)`);
  mkdirSync(peerDir, { recursive: true });
  writeFileSync(
    join(peerDir, 'package.json'),
    JSON.stringify({
      name: 'reelsmith-peer',
      private: true,
      type: 'module',
      dependencies: { editly: EDITLY },
      // editly asks for gl 5, which does not build on Node 20; 8.x has the same API.
      overrides: { gl: '^8.1.6' },
      allowScripts: { canvas: true, gl: true },
    }),
  );
  await execa('npm', ['install', '--no-audit', '--no-fund'], { cwd: peerDir, stdio: 'inherit' });
  // npm 11 installs the packages but runs their native builds only once approved.
  await execa('npm', ['rebuild', 'canvas', 'gl'], { cwd: peerDir, stdio: 'inherit' });
}
writeFileSync(
  join(peerDir, 'run.mjs'),
  "import editly from 'editly';\nimport { readFileSync } from 'node:fs';\nawait editly(JSON.parse(readFileSync(process.argv[2], 'utf8')));\n",
);

// ---- the job -------------------------------------------------------------------------------------
await makeSampleMedia(mediaDir);
const home = reelsmithHome(process.env.REELSMITH_HOME ?? join(out, 'home'));
const render = renderSettingsFromEnv(process.env);
const job = parseJob(
  {
    InputConfig: { MediaGroupArray: FILES.map((f, i) => ({ GroupName: `scene${i + 1}`, MediaArray: [join(mediaDir, f)] })) },
    EditingConfig: {
      MediaConfig: { Volume: 0 },
      ProcessConfig: {
        SingleShotDuration: 3,
        AllowTransition: true,
        TransitionDuration: 0.5,
        TransitionList: TRANSITIONS,
        UseUniformTransition: false,
        AllowVfxEffect: false,
      },
    },
    OutputConfig: { MediaURL: 'reelsmith_{index}.mp4', Count: 1, Width: W, Height: H, Video: { Preset: PRESET, Crf: CRF } },
  },
  { baseDir: root },
);
// The first render warms reelsmith's caches (probes, the shaders' plugins) and gives the timeline
// that editly is asked to draw: the same shots, cuts and transitions.
const first = await produce(job, { home, render, outDir: out, seed: 1, jobs: 1 });
const timeline = first.Plans[0].timeline!;
const clips = timeline.shots.map((s, i) => {
  const t = timeline.transitions.find((x) => x.index === i);
  return {
    duration: s.duration,
    layers: [
      { type: 'video', path: join(mediaDir, FILES[Number(s.group?.replace('scene', '')) - 1]), cutFrom: s.sourceIn, cutTo: s.sourceOut },
    ],
    transition: t ? { name: shaderFor(t.name)!.name, duration: t.duration } : { name: 'dummy', duration: 0 },
  };
});
const spec = (file: string) => ({
  outPath: join(out, file),
  width: W,
  height: H,
  fps: 30,
  keepSourceAudio: false,
  defaults: { layer: { resizeMode: 'contain-blur' } },
  clips,
  customOutputArgs: ['-c:v', 'libx264', '-preset:v', PRESET, '-crf', String(CRF), '-pix_fmt', 'yuv420p', '-movflags', 'faststart'],
});
writeFileSync(join(out, 'editly.json'), JSON.stringify(spec('editly.mp4'), null, 2));

// editly's display.
const display = `:${90 + (process.pid % 9)}`;
const xvfb = spawn('Xvfb', [display, '-ac', '-screen', '0', '1280x1024x24'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 1000));

const measure = async (run: () => Promise<unknown>) => {
  const c0 = cpuSeconds()!;
  const t0 = performance.now();
  await run();
  return { cpu: cpuSeconds()! - c0, wall: (performance.now() - t0) / 1000 };
};
const runEditly = () =>
  execa('node', [join(peerDir, 'run.mjs'), join(out, 'editly.json')], { cwd: peerDir, env: { DISPLAY: display }, all: true });
const runReelsmith = () => produce(job, { home, render, outDir: out, seed: 1, jobs: 1 });

const results: { reelsmith: { cpu: number; wall: number }[]; editly: { cpu: number; wall: number }[] } = { reelsmith: [], editly: [] };
try {
  await runEditly(); // a first run: the page cache holds both tools' files alike
  for (let r = 0; r < RUNS; r++) {
    results.editly.push(await measure(runEditly));
    results.reelsmith.push(await measure(runReelsmith));
    console.log(
      `run ${r + 1}: reelsmith ${results.reelsmith[r].cpu.toFixed(1)} CPU-s / ${results.reelsmith[r].wall.toFixed(1)} s, editly ${results.editly[r].cpu.toFixed(1)} CPU-s / ${results.editly[r].wall.toFixed(1)} s`,
    );
  }
} finally {
  xvfb.kill();
  if (!process.env.BENCH_PEER_DIR) rmSync(peerDir, { recursive: true, force: true });
}

// What each made: duration and frames, so that the two are seen to be the same job.
const probe = async (file: string) => {
  const r = await execa('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v',
    '-count_packets',
    '-show_entries',
    'stream=width,height,nb_read_packets:format=duration',
    '-of',
    'json',
    join(out, file),
  ]);
  const j = JSON.parse(r.stdout);
  return `${j.streams[0].width}x${j.streams[0].height}, ${Number(j.format.duration).toFixed(2)} s, ${j.streams[0].nb_read_packets} frames`;
};
const med = (xs: { cpu: number; wall: number }[]) => ({ cpu: median(xs.map((x) => x.cpu)), wall: median(xs.map((x) => x.wall)) });
const rs = med(results.reelsmith);
const ed = med(results.editly);
const ratio = ed.cpu / rs.cpu;
console.log(
  `\nthe job: ${FILES.length} clips, transitions ${timeline.transitions.map((t) => t.name).join(', ')}; x264 ${PRESET}, CRF ${CRF}`,
);
console.log(`reelsmith output: ${await probe('reelsmith_0.mp4')}`);
console.log(`editly output:    ${await probe('editly.mp4')}`);
console.log(`reelsmith: ${rs.cpu.toFixed(1)} CPU-s, ${rs.wall.toFixed(1)} s wall (median of ${RUNS})`);
console.log(`editly:    ${ed.cpu.toFixed(1)} CPU-s, ${ed.wall.toFixed(1)} s wall`);
console.log(
  `editly / reelsmith: ${ratio.toFixed(1)}x the CPU, ${(ed.wall / rs.wall).toFixed(1)}x the wall time — target ≥ 8x CPU: ${ratio >= 8 ? 'met' : 'NOT MET'}`,
);
writeFileSync(
  join(out, 'results.json'),
  JSON.stringify(
    { date: new Date().toISOString(), preset: PRESET, crf: CRF, runs: results, median: { reelsmith: rs, editly: ed }, ratio },
    null,
    2,
  ),
);
