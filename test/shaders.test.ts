/**
 * Transitions are drawn from the gl-transitions GLSL itself, on the CPU. Each is compared with the
 * same shader drawn by a real GL implementation (WebGL in headless Chromium) on two real frames at
 * progress 0.25, 0.5 and 0.75, in a 9:16 frame (so `ratio` and GL's upward y axis matter).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegEnv } from '../src/render/ffmpeg.js';
import { Graph } from '../src/render/filtergraph.js';
import { frei0rTransition, frei0rTransitions, frei0rWeightedTransitions, type ShaderCut } from '../src/render/transitions/frei0r.js';
import { prepareShader, shaderFor, shaderParams, uniformTypes } from '../src/shaders/catalogue.js';
import { type DrawOptions, drawTransition, frei0rPlugin, type ShaderEngine } from '../src/shaders/draw.js';
import { frei0rMux } from '../src/shaders/mux.js';
import { C_DIR, NATIVE_FLAGS, nativeUnit } from '../src/shaders/native.js';
import { inlineIncludes } from '../src/util/cc.js';
import { compileTransition, GlslCompileError } from '../src/shaders/glsl/compile.js';
import { rewriteOf } from '../src/shaders/rewrites.js';
import { makeKernel } from '../src/shaders/kernel.js';
import { weighsOnly } from '../src/shaders/weights.js';
import { SHADER_TEXTURES } from '../src/shaders/textures.js';
import { TRANSITIONS } from '../src/job/catalogue.js';
import { flipRows, GlReference, psnr } from './gl-reference.js';
import { media, tempDir } from './helpers.js';

const W = 180;
const H = 320;
const P = [0.25, 0.5, 0.75];
const cacheDir = tempDir('rs-shaders-');

/**
 * Shaders whose pictures depend on implementation-defined precision. GLSL leaves the accuracy of
 * sin() to the implementation: `fract(sin(x) * 43758.5453)` hashes magnify its last bits 40 000
 * times, so two real GPUs draw different noise. These are compared with the hash's multiplier
 * tamed (the same edit on both sides), which tests everything else in the shader exactly.
 */
const HASHED = new Set(['perlin', 'gridflip', 'mosaic', 'crosshatch', 'randomsquares', 'wind']);
/**
 * sin() of arguments near 100 (SwiftShader's error there is ~1e-4), amplified by the shader
 * (÷ smoothness 0.1, sharp step() edges): measured 29–42 dB; held to 28 dB.
 */
const SIN_SENSITIVE = new Map([
  ['crazyparametricfun', 28],
  ['undulatingburnout', 28],
]);

async function frame(file: string, ss: string): Promise<Uint8Array> {
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
    {
      encoding: 'buffer',
    },
  );
  return new Uint8Array(r.stdout);
}

let gl: GlReference;
let from: Uint8Array;
let to: Uint8Array;

beforeAll(async () => {
  gl = await GlReference.launch();
  from = await frame(media('storefront_opening.mp4'), '1');
  to = await frame(media('fresh_fruit.png'), '0');
});
afterAll(async () => {
  await gl?.close();
});

const repeat = (f: Uint8Array, n: number) => Buffer.concat(Array.from({ length: n }, () => f));

/** A transition drawn over n copies of the two frames (frame i at progress i/n), W x H, 2 threads. */
const drawn = (name: string, n: number, o: Partial<DrawOptions> = {}) =>
  drawTransition(shaderFor(name)!, repeat(from, n), repeat(to, n), { width: W, height: H, cacheDir, threads: 2, ...o });

/** Our frames at progress 0.25/0.5/0.75 (frames 1..3 of a 4-frame overlap). */
async function ours(name: string, engine: ShaderEngine, glsl?: string): Promise<Uint8Array[]> {
  const { frames } = await drawn(name, 4, { engine, glsl });
  const size = W * H * 3;
  return [1, 2, 3].map((i) => new Uint8Array(frames.subarray(i * size, (i + 1) * size)));
}

async function reference(name: string, glsl: string): Promise<Uint8Array[]> {
  const t = shaderFor(name)!;
  const params = shaderParams(t.source);
  const samplers = compileTransition(glsl, { params }).samplers;
  const textures = Object.fromEntries(samplers.map((s) => [s, SHADER_TEXTURES[s]()]));
  // The `_up` twins are the shader drawn upside down: flip the inputs, draw, flip back.
  const f = t.flipY ? (a: Uint8Array) => flipRows(a, W, H) : (a: Uint8Array) => a;
  const out = await gl.draw({ glsl, params, types: uniformTypes(glsl), textures }, W, H, f(from), f(to), P);
  return out.map(f);
}

const tame = (glsl: string) => glsl.replace(/43758\.5453/g, '1.5453');

/** FFmpeg's input of an RGB24 picture file of W×H (one frame), played `loops` more times. */
const rgbInput = (file: string, loops: number) => [
  '-f',
  'rawvideo',
  '-pix_fmt',
  'rgb24',
  '-video_size',
  `${W}x${H}`,
  '-framerate',
  '30',
  '-stream_loop',
  String(loops),
  '-i',
  file,
];

/** The raw frames of a graph's [out] as `pixFmt`, FFmpeg run with `inputs` and the plugins of `pluginDir`. */
async function rawFrames(inputs: string[], graph: string, pixFmt: string, pluginDir: string): Promise<Buffer> {
  const r = await execa(
    'ffmpeg',
    ['-v', 'error', ...inputs, '-filter_complex', graph, '-map', '[out]', '-f', 'rawvideo', '-pix_fmt', pixFmt, '-'],
    { encoding: 'buffer', env: ffmpegEnv({ FREI0R_PATH: pluginDir }) },
  );
  return Buffer.from(r.stdout);
}

/** The weights a weights chain draws (its frei0r_src and their unpacking), as a graph of their own with output [out]. */
function weightsSource(g: Graph): string {
  const at = g.chains.findIndex((c) => c.startsWith('frei0r_src='));
  return `${g.chains[at]};${g.chains[at + 1].replace(/,settb.*$/, '[out]')}`;
}

/** The two inputs (a, b) as yuv420p, each split into sources src<A|B><k> of lengths[k] frames. */
function pairSources(g: Graph, lengths: number[]): void {
  const ks = lengths.map((_, k) => k);
  for (const [input, side] of [
    [0, 'A'],
    [1, 'B'],
  ]) {
    g.chain(`[${input}:v]format=yuv420p,split=${ks.length}${ks.map((k) => `[in${side}${k}]`).join('')}`);
    for (const k of ks) g.chain(`[in${side}${k}]trim=end_frame=${lengths[k]}[src${side}${k}]`);
  }
}

describe('gl-transitions on the CPU, compared with WebGL', () => {
  const names: string[] = [...TRANSITIONS];

  it('every IMS transition name has its shader in the collection', () => {
    expect(names.length).toBe(63);
    for (const n of names) expect(shaderFor(n), n).toBeDefined();
  });

  for (const name of names) {
    it(`${name} matches the GL reference (PSNR)`, async () => {
      const t = shaderFor(name)!;
      const glsl = HASHED.has(name) ? tame(t.source.glsl) : t.source.glsl;
      const [mine, ref] = await Promise.all([ours(name, 'native', HASHED.has(name) ? glsl : undefined), reference(name, glsl)]);
      const scores = mine.map((m, i) => psnr(m, ref[i]));
      const floor = SIN_SENSITIVE.get(name) ?? 35;
      console.log(
        `${name.padEnd(26)} PSNR ${scores.map((s) => (s === Number.POSITIVE_INFINITY ? '  inf' : s.toFixed(1).padStart(5))).join(' ')} dB (≥ ${floor})`,
      );
      for (const s of scores) expect(s).toBeGreaterThanOrEqual(floor);
      // The transition really moves: the three frames differ from each other and from both clips.
      expect(psnr(mine[0], mine[2])).toBeLessThan(40);
    });
  }

  it('the vector build of every shader draws exactly the frames of the scalar build', async () => {
    // 180 px rows: whole runs of 16 lanes and a partial one; progress 0 to 0.8.
    const draw = (name: string, build: 'vector' | 'scalar') => drawn(name, 5, { engine: 'native', build });
    const differing: string[] = [];
    for (const name of names) {
      const [v, s] = await Promise.all([draw(name, 'vector'), draw(name, 'scalar')]);
      if (Buffer.compare(v.frames, s.frames) !== 0) differing.push(name);
    }
    expect(differing).toEqual([]);
  });

  it('the vector build runs uniform loops and ifs as plain C and varying ones under masks, drawing what the scalar build draws', async () => {
    // acc starts uniform and turns varying in a uniform loop; n varies under a varying if; the second
    // loop's condition reads n (found varying only on the compiler's second pass); the last if is
    // uniform and returns.
    const glsl = `
vec4 transition(vec2 uv) {
  float acc = 0.0;
  float n = 0.0;
  for (int i = 0; i < 4; i++) {
    acc += uv.x * float(i);
    if (uv.y > 0.5) n += 1.0;
  }
  float k = 0.0;
  for (float j = 0.0; j < 1.0 + n; j += 1.0) k += 0.1;
  if (progress > 0.5) return mix(getFromColor(uv), getToColor(uv), clamp(acc * 0.2 + k, 0.0, 1.0));
  return getFromColor(uv) * (1.0 - progress) + vec4(k * 0.5);
}`;
    const simd = compileTransition(glsl, { target: 'simd' }).source;
    // The first loop and the last if are plain C; the second loop runs under masks.
    expect(simd.match(/lane0\(/g)?.length).toBe(2);
    expect(simd).toMatch(/if \(!anyLane\(M\$\d+\)\) break;/);
    const draw = (build: 'vector' | 'scalar') => drawn('fade', 4, { engine: 'native', build, glsl });
    const [v, sc] = await Promise.all([draw('vector'), draw('scalar')]);
    expect(Buffer.compare(v.frames, sc.frames)).toBe(0);
    // And the JS engine (float64, no lanes) draws the same picture within rounding.
    const size = W * H * 3;
    const f3 = v.frames.subarray(3 * size, 4 * size);
    const js = await drawn('fade', 4, { engine: 'js', glsl });
    expect(psnr(new Uint8Array(f3), new Uint8Array(js.frames.subarray(3 * size, 4 * size)))).toBeGreaterThan(45);
  });

  it('in the render, the frei0r plugin returns exactly the BT.601 YCbCr of the pictures it draws', async () => {
    // The render's graph (frei0rTransition): the plugin packs Y, Cb and Cr into its RGBA output and
    // FFmpeg takes them apart into yuv420p. Compared with the same plugin drawing RGB (yuv=0),
    // converted here: Y per pixel, chroma of each 2x2 block from its summed channels (180 px: whole
    // runs of 16 lanes and a partial one, both for luma and for chroma).
    const dir = tempDir('rs-frei0r-');
    writeFileSync(join(dir, 'a.rgb'), from);
    writeFileSync(join(dir, 'b.rgb'), to);
    const N = 4;
    const src = (f: string) => rgbInput(join(dir, f), N - 1);
    const run = (plugin: { dir: string; name: string }, graph: string, pixFmt: string) =>
      rawFrames([...src('a.rgb'), ...src('b.rgb')], `[0:v]format=yuv420p[a];[1:v]format=yuv420p[b];${graph}`, pixFmt, plugin.dir);
    for (const name of ['swap', 'circleopen', 'linearblur']) {
      const plugin = (await frei0rPlugin(shaderFor(name)!, cacheDir))!;
      const g = new Graph();
      frei0rTransition(g, 'a', 'b', 'out', { plugin: plugin.name, frames: N, width: W, height: H });
      const yuv = await run(plugin, g.chains.join(';'), 'yuv420p');
      const padded = Math.ceil(W / 64) * 64;
      const rgb = await run(
        plugin,
        `[a][b]vstack=inputs=2,pad=${padded}:ih,format=rgba,frei0r=filter_name=${plugin.name}:filter_params=${N}|${W}|0,crop=${W}:${H}:0:0[out]`,
        'rgb24',
      );
      const Y = W * H;
      const C = Y / 4;
      expect(yuv.length).toBe(N * (Y + 2 * C));
      let wrong = 0;
      for (let k = 1; k < N; k++) {
        const p = rgb.subarray(k * Y * 3, (k + 1) * Y * 3);
        const f = yuv.subarray(k * (Y + 2 * C), (k + 1) * (Y + 2 * C));
        for (let i = 0; i < Y; i++)
          if (f[i] !== ((p[3 * i] * 16829 + p[3 * i + 1] * 33039 + p[3 * i + 2] * 6416 + 32768) >> 16) + 16) wrong++;
        for (let y = 0; y < H / 2; y++) {
          for (let x = 0; x < W / 2; x++) {
            const s = [0, 1, 2].map((c) => [0, 1, W, W + 1].reduce((a, o) => a + p[3 * (2 * y * W + 2 * x + o) + c], 0));
            const clamp = (v: number) => Math.max(0, Math.min(255, v));
            const cb = clamp(((-9714 * s[0] - 19071 * s[1] + 28784 * s[2] + 131072) >> 18) + 128);
            const cr = clamp(((28784 * s[0] - 24103 * s[1] - 4681 * s[2] + 131072) >> 18) + 128);
            if (f[Y + y * (W / 2) + x] !== cb || f[Y + C + y * (W / 2) + x] !== cr) wrong++;
          }
        }
      }
      expect(wrong, name).toBe(0);
      // The pictures move: frame 1 and frame 3 differ.
      expect(yuv.subarray(Y + 2 * C, 2 * Y + 2 * C).equals(yuv.subarray(3 * (Y + 2 * C), 3 * (Y + 2 * C) + Y))).toBe(false);
    }
  });

  it('in the render, one frei0r chain draws all the transitions (through the mux) exactly as a chain each would', async () => {
    // Four cuts: circleopen, swap (one frame shorter), circleopen, circleopen; the cuts alternate
    // their direction (a to b, b to a) so that a frame out of place would show.
    const dir = tempDir('rs-frei0r-shared-');
    writeFileSync(join(dir, 'a.rgb'), from);
    writeFileSync(join(dir, 'b.rgb'), to);
    const N = 4;
    const names = ['circleopen', 'swap', 'circleopen', 'circleopen'];
    const lengths = [N, N - 1, N, N];
    const plugins = new Map(
      await Promise.all([...new Set(names)].map(async (n) => [n, (await frei0rPlugin(shaderFor(n)!, cacheDir))!] as const)),
    );
    const mux = (await frei0rMux(cacheDir))!;
    const src = (f: string) => rgbInput(join(dir, f), N - 1);
    const render = async (shared: boolean) => {
      const g = new Graph();
      const k4 = names.map((_, k) => k);
      pairSources(g, lengths);
      const cuts: ShaderCut[] = names.map((n, k) => ({
        from: k % 2 ? `srcB${k}` : `srcA${k}`,
        to: k % 2 ? `srcA${k}` : `srcB${k}`,
        index: k,
        out: `cut${k}`,
        plugin: plugins.get(n)!.name,
        frames: lengths[k],
      }));
      frei0rTransitions(g, cuts, { width: W, height: H, mux: shared ? mux.name : undefined });
      g.chain(`${k4.map((k) => `[cut${k}]`).join('')}concat=n=4:v=1:a=0[out]`);
      const graph = g.chains.join(';');
      const frames = await rawFrames([...src('a.rgb'), ...src('b.rgb')], graph, 'yuv420p', mux.dir);
      return { frames, filters: graph.match(/frei0r=/g)!.length };
    };
    const [shared, separate] = await Promise.all([render(true), render(false)]);
    expect(shared.filters).toBe(1);
    expect(separate.filters).toBe(4);
    const frame = (W * H * 3) / 2;
    expect(shared.frames.length).toBe((4 * N - 1) * frame);
    expect(shared.frames.equals(separate.frames)).toBe(true);
    // The cuts really differ: circleopen a to b (cut 0) and b to a (cut 3, from frame 3N - 1) at the
    // same progress are different pictures.
    const cut3 = 3 * N - 1;
    expect(shared.frames.subarray(frame, 2 * frame).equals(shared.frames.subarray((cut3 + 1) * frame, (cut3 + 2) * frame))).toBe(false);
  });

  it('finds the shaders that only weigh the two frames by drawing them', () => {
    const weighs = (n: string) => weighsOnly(shaderFor(n)!, W / H);
    // Wipes, circles, a clock hand, a luma map (a texture of its own), squares at random.
    for (const n of ['wipeleft', 'wipeup', 'circleopen', 'radial', 'directionalwipe', 'heart', 'luma', 'randomsquares', 'fade'])
      expect(weighs(n), n).toBe(true);
    // Pixels moved (crosswarp, cube, swap, linearblur), a colour of their own (circlecrop,
    // fadecolor), the pictures' colours read (burn, colorphase).
    for (const n of ['crosswarp', 'cube', 'swap', 'linearblur', 'circlecrop', 'fadecolor', 'burn', 'colorphase'])
      expect(weighs(n), n).toBe(false);
  });

  it('in the render, a shader that only weighs the frames draws its weights and FFmpeg blends the frames by them in YUV', async () => {
    // Four cuts through one chain (the weights mux): circleopen a to b, wipeleft b to a (one frame
    // shorter), radial a to b, luma (a texture of its own) b to a. Each frame must be the two frames mixed by the weights the chain
    // drew (read back from the same source): the frames' own pixels where a weight is 0 or 1, within
    // a level elsewhere; and the weights those of the shader (the JS engine's, black to white).
    const dir = tempDir('rs-frei0r-weights-');
    writeFileSync(join(dir, 'a.rgb'), from);
    writeFileSync(join(dir, 'b.rgb'), to);
    const N = 4;
    const names = ['circleopen', 'wipeleft', 'radial', 'luma'];
    const lengths = [N, N - 1, N, N];
    const plugins = await Promise.all(names.map(async (n) => (await frei0rPlugin(shaderFor(n)!, cacheDir, undefined, true))!));
    const mux = (await frei0rMux(cacheDir, true))!;
    const src = (f: string, loops: number) => rgbInput(join(dir, f), loops);
    const yuv = (args: string[], graph: string) => rawFrames(args, graph, 'yuv420p', mux.dir);
    const g = new Graph();
    pairSources(g, lengths);
    const cuts: ShaderCut[] = names.map((_, k) => ({
      from: k % 2 ? `srcB${k}` : `srcA${k}`,
      to: k % 2 ? `srcA${k}` : `srcB${k}`,
      index: k,
      out: `cut${k}`,
      plugin: plugins[k].name,
      frames: lengths[k],
    }));
    frei0rWeightedTransitions(g, cuts, { width: W, height: H, fps: 30, mux: mux.name });
    g.chain('[cut0][cut1][cut2][cut3]concat=n=4:v=1:a=0[out]');
    const graph = g.chains.join(';');
    expect(graph.match(/frei0r_src=/g)).toHaveLength(1);
    const frames = await yuv([...src('a.rgb', N - 1), ...src('b.rgb', N - 1)], graph);
    const [a, b] = await Promise.all(['a.rgb', 'b.rgb'].map((f) => yuv(src(f, 0), '[0:v]format=yuv420p[out]')));
    const Y = W * H;
    const C = Y / 4;
    expect(frames.length).toBe(lengths.reduce((n, x) => n + x) * (Y + 2 * C));
    // The weights as the chain draws them (read back from the same source), gray.
    const drawnWeights = await rawFrames([], weightsSource(g), 'gray', mux.dir);
    expect(drawnWeights.length).toBe(lengths.reduce((n, x) => n + x + 1, 0) * Y);
    const black = new Uint8Array(Y * 3);
    const white = new Uint8Array(Y * 3).fill(255);
    const reference = new Uint8Array(Y * 3);
    let at = 0;
    let exact = 0;
    let ends = 0;
    let worst = 0;
    names.forEach((n, k) => {
      const p = prepareShader(shaderFor(n)!);
      const draw = makeKernel(p.compiled, { width: W, height: H, textures: p.textures, flipY: p.flipY });
      const [f, t] = k % 2 ? [b, a] : [a, b];
      for (let i = 0; i < lengths[k]; i++, at++) {
        // Frame i of the cut's block of lengths[k] + 1 (the last is the separator).
        const block = lengths.slice(0, k).reduce((s, x) => s + x + 1, 0) + i;
        const weights = drawnWeights.subarray(block * Y, (block + 1) * Y);
        draw(black, white, reference, i / lengths[k]);
        let off = 0;
        for (let j = 0; j < Y; j++) off += Math.abs(weights[j] - reference[3 * j]);
        expect(off / Y, `${n} frame ${i}: weights against the shader's`).toBeLessThan(0.05);
        const got = frames.subarray(at * (Y + 2 * C), (at + 1) * (Y + 2 * C));
        const check = (j: number, w: number) => {
          const d = Math.abs(got[j] - (f[j] + ((t[j] - f[j]) * w) / 255));
          worst = Math.max(worst, d);
          if (w === 0 || w === 255) {
            ends++;
            if (got[j] === (w === 0 ? f[j] : t[j])) exact++;
          }
        };
        for (let j = 0; j < Y; j++) check(j, weights[j]);
        // Chroma by the mean weight of its 2x2 block (overlay takes fewer of them in its last
        // chroma row and column: those are left out).
        for (let y = 0; y < H / 2 - 1; y++)
          for (let x = 0; x < W / 2 - 1; x++) {
            const w = [0, 1, W, W + 1].reduce((s, o) => s + weights[2 * y * W + 2 * x + o], 0) / 4;
            check(Y + y * (W / 2) + x, w);
            check(Y + C + y * (W / 2) + x, w);
          }
      }
    });
    expect(worst).toBeLessThanOrEqual(1.5);
    expect(ends).toBeGreaterThan(Y);
    expect(exact / ends).toBeGreaterThan(0.999);
    // And the same pictures as the shader drawing them itself in RGB (the RGBA chain), to within
    // its round trip through RGB: frame 2 of circleopen, in luma.
    const rgba = new Graph();
    frei0rTransition(rgba, 'a', 'b', 'out', {
      plugin: (await frei0rPlugin(shaderFor('circleopen')!, cacheDir))!.name,
      frames: N,
      width: W,
      height: H,
    });
    const drawn = await yuv(
      [...src('a.rgb', N - 1), ...src('b.rgb', N - 1)],
      `[0:v]format=yuv420p[a];[1:v]format=yuv420p[b];${rgba.chains.join(';')}`,
    );
    const frame2 = (x: Buffer) => new Uint8Array(x.subarray(2 * (Y + 2 * C), 2 * (Y + 2 * C) + Y));
    expect(psnr(frame2(frames), frame2(drawn))).toBeGreaterThan(40);
    // A height that is not a multiple of 4 (the last texel row packs fewer rows): 182x318.
    const odd = new Graph();
    frei0rWeightedTransitions(odd, [{ index: 0, from: 'a', to: 'b', out: 'o', plugin: plugins[0].name, frames: N }], {
      width: 182,
      height: 318,
      fps: 30,
      mux: mux.name,
    });
    const oddWeights = await rawFrames([], weightsSource(odd), 'gray', mux.dir);
    const p0 = prepareShader(shaderFor('circleopen')!);
    const drawOdd = makeKernel(p0.compiled, { width: 182, height: 318, textures: p0.textures, flipY: p0.flipY });
    const oddRef = new Uint8Array(182 * 318 * 3);
    drawOdd(new Uint8Array(182 * 318 * 3), new Uint8Array(182 * 318 * 3).fill(255), oddRef, 2 / N);
    let oddOff = 0;
    for (let j = 0; j < 182 * 318; j++) oddOff += Math.abs(oddWeights[2 * 182 * 318 + j] - oddRef[3 * j]);
    expect(oddOff / (182 * 318)).toBeLessThan(0.05);
  });

  it('the transition mux stops FFmpeg with the reason when its schedule names no plugin of its folder', async () => {
    const mux = (await frei0rMux(cacheDir))!;
    const r = await execa(
      'ffmpeg',
      [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        `color=s=${W}x${2 * H}:d=0.2`,
        '-vf',
        `format=rgba,frei0r=filter_name=${mux.name}:filter_params=rs_nothere/4|${W}|1`,
        '-f',
        'null',
        '-',
      ],
      {
        reject: false,
        env: ffmpegEnv({ FREI0R_PATH: mux.dir }),
      },
    );
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/transition mux: cannot load: .*rs_nothere\.so/);
  });

  it('linearblur is drawn by its rewrite (a separable blur): the pictures of its GLSL as written within 50 dB', async () => {
    // 360x640, progress 0 to 7/8 (the blur is widest at 1/2), native builds of both; the rewrite
    // is used for the collection's GLSL only (any edit to the source turns it off).
    const w = 360;
    const h = 640;
    const big = async (file: string, ss: string) =>
      new Uint8Array(
        (
          await execa(
            'ffmpeg',
            ['-v', 'error', '-ss', ss, '-i', file, '-frames:v', '1', '-vf', `scale=${w}:${h}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
            { encoding: 'buffer' },
          )
        ).stdout,
      );
    const [a, b] = await Promise.all([big(media('storefront_opening.mp4'), '1'), big(media('fresh_fruit.png'), '0')]);
    const s = shaderFor('linearblur')!;
    expect(rewriteOf(s.source)?.file).toBe('rewrite-linearblur.h');
    expect(rewriteOf({ ...s.source, glsl: `${s.source.glsl}\n` })).toBeUndefined();
    const o = { width: w, height: h, cacheDir, engine: 'native' as const, threads: 2 };
    const [mine, written] = await Promise.all([
      drawTransition(s, repeat(a, 8), repeat(b, 8), o),
      drawTransition(s, repeat(a, 8), repeat(b, 8), { ...o, glsl: s.source.glsl }),
    ]);
    const size = w * h * 3;
    const frame = (f: Buffer, i: number) => new Uint8Array(f.subarray(i * size, (i + 1) * size));
    const scores = Array.from({ length: 8 }, (_, i) => psnr(frame(mine.frames, i), frame(written.frames, i)));
    console.log(`linearblur rewrite against its GLSL: ${scores.map((x) => x.toFixed(1)).join(' ')} dB`);
    for (const x of scores) expect(x).toBeGreaterThanOrEqual(50);
    // Drawn by the rewrite indeed: the same picture within rounding, not the same bytes.
    expect(scores.some((x) => x !== Number.POSITIVE_INFINITY)).toBe(true);
    // It blurs: the middle frame is far from the plain mix of the two frames.
    const mix = new Uint8Array(size).map((_, k) => Math.round((a[k] + b[k]) / 2));
    expect(psnr(frame(mine.frames, 4), mix)).toBeLessThan(40);
  });

  it('the JS engine (no C compiler) follows the same conventions', async () => {
    for (const name of ['fade', 'directional', 'bounce_up', 'pixelize', 'circlecrop', 'cube', 'luma']) {
      const [mine, ref] = await Promise.all([ours(name, 'js'), reference(name, shaderFor(name)!.source.glsl)]);
      for (let i = 0; i < 3; i++) expect(psnr(mine[i], ref[i]), `${name} at ${P[i]}`).toBeGreaterThanOrEqual(35);
    }
  });

  it('names are case-insensitive; unsupported GLSL is refused with its line', () => {
    expect(shaderFor('DreamyZoom')?.source.name).toBe('DreamyZoom');
    expect(shaderFor('MultiplyBlend')?.source.name).toBe('multiply_blend');
    expect(() => compileTransition('float a[3];\nvec4 transition(vec2 uv) { return vec4(a[0]); }')).toThrow(GlslCompileError);
    expect(() => compileTransition('vec4 transition(vec2 uv) { return nope(uv); }')).toThrow(/line 1: unknown function 'nope'/);
  });

  it('the fixed C (src/shaders/c, the leash) compiles without a warning under -Wall -Wextra, for every shader, build and host', async () => {
    // Diagnostics name their file through the #line markers: only the generated body ('shader.c')
    // may warn (unused temporaries). Every unit is checked fast (-fsyntax-only); three are built
    // in full, where the optimiser's flow warnings show.
    const dir = tempDir('rs-cwarn-');
    const fixed = (stderr: string) =>
      stderr.split('\n').filter((l) => /^[\w.-]+\.[ch]:\d+:\d+: (warning|error)/.test(l) && !l.startsWith('shader.c:'));
    const check = async (file: string, full: boolean, extra: string[] = []) => {
      const r = await execa(
        'cc',
        [...NATIVE_FLAGS, '-Wall', '-Wextra', ...extra, ...(full ? ['-c', '-o', '/dev/null'] : ['-fsyntax-only']), file],
        {
          reject: false,
        },
      );
      expect(r.exitCode, r.stderr).toBe(0);
      expect(fixed(r.stderr), file).toEqual([]);
    };
    const units: Promise<void>[] = [];
    for (const name of TRANSITIONS) {
      const s = shaderFor(name)!;
      for (const target of ['c', 'simd'] as const) {
        const shader = compileTransition(s.source.glsl, { params: shaderParams(s.source), target });
        for (const host of [
          { kind: 'program' as const },
          { kind: 'frei0r' as const, textures: shader.samplers.map((x) => `${x}:1:1:/t`) },
          { kind: 'frei0r' as const, textures: shader.samplers.map((x) => `${x}:1:1:/t`), weights: true },
        ]) {
          const file = join(dir, `${name}-${target}-${host.kind}${'weights' in host ? '-weights' : ''}.c`);
          writeFileSync(file, nativeUnit(shader, s.flipY, host));
          const full = ['luma', 'bounce_up', 'wipeleft'].includes(name);
          units.push(check(file, full, host.kind === 'frei0r' ? ['-fPIC'] : []));
        }
      }
      const rewrite = rewriteOf(s.source);
      if (rewrite)
        for (const host of [{ kind: 'program' as const }, { kind: 'frei0r' as const, textures: [] }]) {
          const file = join(dir, `${name}-rewrite-${host.kind}.c`);
          writeFileSync(file, nativeUnit({ target: 'rewrite', rewrite, params: shaderParams(s.source) }, s.flipY, host));
          units.push(check(file, true, host.kind === 'frei0r' ? ['-fPIC'] : []));
        }
      if (units.length >= 8) await Promise.all(units.splice(0));
    }
    await Promise.all(units);
    const mux = join(dir, 'mux.c');
    writeFileSync(mux, inlineIncludes(readFileSync(join(C_DIR, 'mux.c'), 'utf8'), C_DIR, 'mux.c'));
    for (const defines of [[], ['-DWEIGHTS=1']]) {
      const fixedMux = await execa('cc', ['-O2', '-Wall', '-Wextra', '-Werror', '-fPIC', ...defines, '-c', '-o', '/dev/null', mux], {
        reject: false,
      });
      expect(fixedMux.exitCode, fixedMux.stderr).toBe(0);
    }
    const leash = join(import.meta.dirname, '..', 'src', 'util', 'leash.c');
    const l = await execa('cc', ['-O2', '-Wall', '-Wextra', '-Werror', '-c', '-o', '/dev/null', leash], { reject: false });
    expect(l.exitCode, l.stderr).toBe(0);
  });
});
