/**
 * Draws a transition over frame pairs: the native filter program when a C compiler is installed,
 * the JS kernel otherwise. Frames are RGB24 (rows from the top); frame i of N is drawn at progress
 * i/N, so that the first overlap frame is the outgoing clip and the next clip's own frames follow
 * the last one.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { spawn } from 'node:child_process';
import { prepareShader, type Shader, shaderLabel, shaderParams, shaderSource } from './catalogue.js';
import { compileTransition } from './glsl/compile.js';
import { makeKernel } from './kernel.js';
import { buildNative, type NativeShader } from './native.js';
import { rewriteOf } from './rewrites.js';

export type ShaderEngine = 'native' | 'js';

export interface DrawOptions {
  width: number;
  height: number;
  /** Where compiled shader programs and textures are cached. */
  cacheDir: string;
  threads?: number;
  /** Force an engine (default: native when a C compiler is available). */
  engine?: ShaderEngine;
  signal?: AbortSignal;
  /** Draw this GLSL instead of the collection's source (same uniforms); for tests. */
  glsl?: string;
  /** The native program's build: vector (SIMD) with the scalar one as fallback (default), or either alone. */
  build?: NativeBuild;
}

export type NativeBuild = 'auto' | 'vector' | 'scalar';

export interface DrawResult {
  frames: Buffer;
  engine: ShaderEngine;
}

async function textureFiles(
  samplers: string[],
  textures: Record<string, { d: Uint8Array; w: number; h: number }>,
  dir: string,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  return Promise.all(
    samplers.map(async (s) => {
      const t = textures[s];
      const path = join(dir, `texture-${s}-${t.w}x${t.h}.rgb`);
      if (!existsSync(path)) {
        // A name of its own: builds of one process may write the same texture at once.
        const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
        await writeFile(tmp, t.d);
        await rename(tmp, path);
      }
      return `${s}:${t.w}:${t.h}:${path}`;
    }),
  );
}

export interface NativeProgram {
  exe: string;
  /** Texture arguments (name:w:h:file) the program expects after its other arguments. */
  textures: string[];
}

const programs = new Map<string, Promise<NativeProgram | undefined>>();

/** What a native build is: a filter program, a frei0r plugin, or a frei0r source of the shader's weights. */
export type NativeKind = 'program' | 'plugin' | 'weights';

/**
 * Builds the native filter program of a transition (cached on disk by source); undefined without
 * a C compiler; throws when the build fails. `glsl` replaces the collection's source (tests).
 */
async function buildProgram(
  shader: Shader,
  cacheDir: string,
  glsl?: string,
  mode: NativeBuild = 'auto',
  kind: NativeKind = 'program',
): Promise<NativeProgram | undefined> {
  const source = shaderSource(shader);
  const name = shaderLabel(shader);
  // A shader with a rewrite is drawn by it (the same C for both builds), unless a test gives its
  // own GLSL; a weights build compiles the GLSL (a rewrite draws pictures, not weights).
  const rewrite = glsl === undefined && kind !== 'weights' ? rewriteOf(source) : undefined;
  const build = async (target: 'simd' | 'c') => {
    const native: NativeShader = rewrite
      ? { target: 'rewrite', rewrite, params: shaderParams(source) }
      : compileTransition(glsl ?? source.glsl, { params: shaderParams(source), target });
    const samplers = native.target === 'rewrite' ? [] : native.samplers;
    const textures = await textureFiles(samplers, prepareShader(shader).textures, cacheDir);
    const exe = await buildNative(
      native,
      shader.flipY,
      cacheDir,
      kind === 'program' ? { kind: 'program' } : { kind: 'frei0r', textures, weights: kind === 'weights' },
    );
    return exe ? { exe, textures } : undefined;
  };
  let built: NativeProgram | undefined;
  if (mode === 'scalar') built = await build('c');
  else if (mode === 'vector') built = await build('simd');
  else {
    // The vector build; the scalar one if the compiler refuses it (both draw the same frames).
    built = await build('simd').catch((err: Error) => {
      process.emitWarning(`shader ${name}: vector build failed, building it scalar (${err.message.split('\n')[0]})`);
      return build('c');
    });
  }
  return built;
}

/** buildProgram once per process and cache folder (compiling the GLSL and hashing the C is not free). */
function cachedProgram(
  shader: Shader,
  cacheDir: string,
  mode?: NativeBuild,
  kind: NativeKind = 'program',
): Promise<NativeProgram | undefined> {
  const key = `${cacheDir}\n${shaderLabel(shader)}\n${mode}\n${kind}`;
  let p = programs.get(key);
  if (!p) {
    p = buildProgram(shader, cacheDir, undefined, mode, kind);
    programs.set(key, p);
  }
  return p;
}

/**
 * The frei0r plugin of a transition, for FFmpeg's frei0r filter: FREI0R_PATH=dir, filter_name=name;
 * with `weights`, the source of its weights for FFmpeg's frei0r_src (shaders/weights.ts).
 * Undefined without a C compiler or when the build fails.
 */
export async function frei0rPlugin(
  shader: Shader,
  cacheDir: string,
  mode?: NativeBuild,
  weights = false,
): Promise<{ dir: string; name: string } | undefined> {
  const built = await cachedProgram(shader, cacheDir, mode, weights ? 'weights' : 'plugin').catch((err: Error) => {
    process.emitWarning(`shader ${shaderLabel(shader)}: native build failed (${err.message.split('\n')[0]})`);
    return undefined;
  });
  return built && { dir: dirname(built.exe), name: basename(built.exe).replace(/\.so$/, '') };
}

/** Runs a shader program: writes the inputs to its stdin, reads exactly `outBytes` from its stdout. */
function runProgram(exe: string, args: string[], inputs: Uint8Array[], outBytes: number, signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { stdio: ['pipe', 'pipe', 'pipe'], signal });
    const out = Buffer.allocUnsafe(outBytes);
    let got = 0;
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      const n = Math.min(c.length, outBytes - got);
      c.copy(out, got, 0, n);
      got += n;
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdin.on('error', () => {}); // the exit status says why
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && got === outBytes) resolve(out);
      else reject(new Error(`shader program exited with ${code} after ${got} of ${outBytes} bytes: ${stderr.trim().slice(-300)}`));
    });
    for (const b of inputs) child.stdin.write(b);
    child.stdin.end();
  });
}

/** `from` and `to` hold N frames each; returns the N blended frames. */
export async function drawTransition(shader: Shader, from: Uint8Array, to: Uint8Array, o: DrawOptions): Promise<DrawResult> {
  const name = shaderLabel(shader);
  const size = o.width * o.height * 3;
  const N = from.length / size;
  if (!Number.isInteger(N) || N < 1 || to.length !== from.length)
    throw new Error(`transition ${name}: frame data does not hold whole ${o.width}x${o.height} frames`);
  const prepared = o.glsl
    ? { ...prepareShader(shader), compiled: compileTransition(o.glsl, { params: shaderParams(shaderSource(shader)) }) }
    : prepareShader(shader);
  if (o.engine !== 'js') {
    let program: NativeProgram | undefined;
    try {
      program = await (o.glsl ? buildProgram(shader, o.cacheDir, o.glsl, o.build) : cachedProgram(shader, o.cacheDir, o.build));
    } catch (err) {
      // A compiler that fails on a shader leaves the JS engine, which draws the same frames.
      if (o.engine === 'native') throw err;
      process.emitWarning(`shader ${name}: native build failed, drawing with the JS engine (${(err as Error).message.split('\n')[0]})`);
    }
    if (program) {
      const threads = o.threads ?? availableParallelism();
      const frames = await runProgram(
        program.exe,
        [String(o.width), String(o.height), String(N), String(threads), ...program.textures],
        [from, to],
        size * N,
        o.signal,
      );
      return { frames, engine: 'native' };
    }
    if (o.engine === 'native') throw new Error('no C compiler found for the native shader engine (install gcc, or use the JS engine)');
  }
  const draw = makeKernel(prepared.compiled, { width: o.width, height: o.height, textures: prepared.textures, flipY: prepared.flipY });
  const out = Buffer.alloc(size * N);
  for (let i = 0; i < N; i++) {
    draw(from.subarray(i * size, (i + 1) * size), to.subarray(i * size, (i + 1) * size), out.subarray(i * size, (i + 1) * size), i / N);
  }
  return { frames: out, engine: 'js' };
}
