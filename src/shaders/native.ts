/**
 * The fast path for transition shaders: the compiled shader as C, built with the system's C
 * compiler into a small filter program (cached per shader source), which reads frame pairs on stdin
 * and writes blended frames on stdout, using every core. The JS kernel (kernel.ts) is the portable
 * fallback when no C compiler is installed; both come from the same compiler front end and follow
 * the same conventions (see kernel.ts).
 *
 * Protocol: `prog W H N THREADS [name:w:h:file ...]`, stdin: N frames of the outgoing clip then N of
 * the incoming one (RGB24, W×H), repeated; stdout: N frames, frame i drawn at progress i/N.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { CompiledShader } from './glsl-to-js.js';

const C_HELPERS = `
/*
 * sin and cos as GPUs compute them: the argument is first reduced to turns in the shader's own
 * precision (x / 2π, minus the nearest integer), then evaluated. Shaders that hash with
 * fract(sin(x) * 43758.5453) depend on exactly this reduction.
 */
static inline real gl_sin(real x) { real t = x * (real)0.15915494309189535; t = t - nearbyint(t); return (real)sin((double)t * 6.283185307179586); }
static inline real gl_cos(real x) { real t = x * (real)0.15915494309189535; t = t - nearbyint(t); return (real)cos((double)t * 6.283185307179586); }
static inline real fract(real x) { return x - floor(x); }
static inline real mod(real x, real y) { return x - y * floor(x / y); }
static inline real clamp(real x, real a, real b) { return x < a ? a : x > b ? b : x; }
static inline real step(real e, real x) { return x < e ? 0 : 1; }
static inline real mix(real a, real b, real t) { return a * (1 - t) + b * t; }
static inline real smoothstep(real e0, real e1, real x) { real t = (x - e0) / (e1 - e0); t = t < 0 ? 0 : t > 1 ? 1 : t; return t * t * (3 - 2 * t); }
static inline real sign(real x) { return x > 0 ? 1 : x < 0 ? -1 : 0; }
static inline real min(real a, real b) { return b < a ? b : a; }
static inline real max(real a, real b) { return a < b ? b : a; }
`;

export function nativeSource(shader: CompiledShader, flipY: boolean, real: 'float' | 'double' = REAL): string {
  if (shader.target !== 'c') throw new Error('nativeSource needs a shader compiled for C');
  const samplers = shader.samplers;
  // Thread-local: every value the shader writes (R, its file-scope variables).
  const body = shader.source.replace(/^static real ([\w$]+);$/gm, 'static __thread real $1;');
  const row = flipY ? 'v * t->h - (real)0.5' : '(1 - v) * t->h - (real)0.5';
  return `#include <tgmath.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef ${real} real;
typedef struct { const uint8_t *d; int w, h; } Tex;
static __thread real R[64];
static real progress, ratio;
static int W, H;
static Tex FROM_, TO_;
#define FROM (&FROM_)
#define TO (&TO_)
${samplers.map((s) => `static Tex S_${s}_;\n#define S_${s} (&S_${s}_)`).join('\n')}
${C_HELPERS}
static inline int clampi(int x, int hi) { return x < 0 ? 0 : x > hi ? hi : x; }
static inline void sample(const Tex *t, real u, real v) {
  const real x = u * t->w - (real)0.5, y = ${row};
  const real rx = rint(x), ry = rint(y);
  const uint8_t *d = t->d;
  if (fabs(x - rx) < (real)(1.0 / 512) && fabs(y - ry) < (real)(1.0 / 512)) {
    /* A texel centre (within float32 rounding and below GPUs' 8-bit filter weights): one tap. */
    const uint8_t *p = d + ((size_t)clampi((int)ry, t->h - 1) * t->w + clampi((int)rx, t->w - 1)) * 3;
    R[0] = p[0] * (real)(1.0 / 255); R[1] = p[1] * (real)(1.0 / 255); R[2] = p[2] * (real)(1.0 / 255); R[3] = 1;
    return;
  }
  const real fx0 = floor(x), fy0 = floor(y);
  const real fx = x - fx0, fy = y - fy0, gx = 1 - fx, gy = 1 - fy;
  const int x0 = clampi((int)fx0, t->w - 1), x1 = clampi((int)fx0 + 1, t->w - 1);
  const int y0 = clampi((int)fy0, t->h - 1), y1 = clampi((int)fy0 + 1, t->h - 1);
  const uint8_t *a = d + ((size_t)y0 * t->w + x0) * 3, *b = d + ((size_t)y0 * t->w + x1) * 3;
  const uint8_t *c = d + ((size_t)y1 * t->w + x0) * 3, *e = d + ((size_t)y1 * t->w + x1) * 3;
  for (int k = 0; k < 3; k++) R[k] = ((a[k] * gx + b[k] * fx) * gy + (c[k] * gx + e[k] * fx) * fy) * (real)(1.0 / 255);
  R[3] = 1;
}

${body}

static inline uint8_t q(real c) { return c > 0 ? (c < 1 ? (uint8_t)(c * (real)255 + (real)0.5) : 255) : 0; }

typedef struct { uint8_t *out; int y0, y1; } Band;
static void *draw(void *arg) {
  Band *b = arg;
  init_globals();
  for (int y = b->y0; y < b->y1; y++) {
    const real v = ${flipY ? '(y + 0.5) / H' : '1 - (y + 0.5) / H'};
    uint8_t *o = b->out + (size_t)y * W * 3;
    for (int x = 0; x < W; x++) {
      f$transition$vec2((real)((x + 0.5) / W), v);
      o[0] = q(R[0]); o[1] = q(R[1]); o[2] = q(R[2]);
      o += 3;
    }
  }
  return NULL;
}

/* Exact reads and writes on raw descriptors (no stdio read-ahead: in splice mode several programs
   take turns on one pipe), waiting when a descriptor is non-blocking. */
static int readFd(int fd, uint8_t *p, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t k = read(fd, p + got, n - got);
    if (k < 0 && (errno == EAGAIN || errno == EINTR)) { struct pollfd q = { fd, POLLIN, 0 }; poll(&q, 1, -1); continue; }
    if (k <= 0) return got == 0 ? 0 : -1;
    got += (size_t)k;
  }
  return 1;
}
static int writeFd(int fd, const uint8_t *p, size_t n) {
  size_t put = 0;
  while (put < n) {
    ssize_t k = write(fd, p + put, n - put);
    if (k < 0 && (errno == EAGAIN || errno == EINTR)) { struct pollfd q = { fd, POLLOUT, 0 }; poll(&q, 1, -1); continue; }
    if (k <= 0) return 0;
    put += (size_t)k;
  }
  return 1;
}
static void drawFrame(uint8_t *out, const uint8_t *a, const uint8_t *b, int i, int N, int T) {
  pthread_t th[64]; Band bands[64];
  FROM_ = (Tex){ a, W, H }; TO_ = (Tex){ b, W, H };
  progress = (real)((double)i / N);
  for (int k = 0; k < T; k++) { bands[k] = (Band){ out, H * k / T, H * (k + 1) / T }; pthread_create(&th[k], NULL, draw, &bands[k]); }
  for (int k = 0; k < T; k++) pthread_join(th[k], NULL);
}

static int loadTexture(Tex *t, const char *spec) {
  char name[64]; int w, h; char path[4096];
  if (sscanf(spec, "%63[^:]:%d:%d:%4095s", name, &w, &h, path) != 4) return 0;
  FILE *f = fopen(path, "rb"); if (!f) return 0;
  uint8_t *d = malloc((size_t)w * h * 3);
  size_t k = fread(d, 1, (size_t)w * h * 3, f); fclose(f);
  if (k != (size_t)w * h * 3) return 0;
  t->d = d; t->w = w; t->h = h;
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: W H N THREADS [--splice OUT IN] [textures]\\n"); return 2; }
  W = atoi(argv[1]); H = atoi(argv[2]);
  const int N = atoi(argv[3]); int T = atoi(argv[4]);
  if (W <= 0 || H <= 0 || N <= 0) return 2;
  if (T < 1) T = 1; if (T > 64) T = 64;
  ratio = (real)((double)W / H);
  int arg = 5;
  const char *spliceOut = NULL, *spliceIn = NULL;
  if (argc > 7 && strcmp(argv[5], "--splice") == 0) { spliceOut = argv[6]; spliceIn = argv[7]; arg = 8; }
  Tex *samplers[] = { ${samplers.map((s) => `&S_${s}_`).join(', ')}${samplers.length === 0 ? 'NULL' : ''} };
  for (int i = 0; i < ${samplers.length}; i++) if (argc <= arg + i || !loadTexture(samplers[i], argv[arg + i])) { fprintf(stderr, "missing texture %d\\n", i); return 2; }
  const size_t frame = (size_t)W * H * 3;
  uint8_t *a = malloc(frame * N), *b = malloc(frame * N), *out = calloc(1, frame);
  if (!a || !b || !out) { fprintf(stderr, "out of memory\\n"); return 3; }
  if (spliceOut) {
    /* Splice mode (render/splice.ts): open the render's input and give it a spare frame to probe;
       wait for our turn (a byte on stdin); read our 2N frames from the extraction pipe; say so
       ("R" on stderr); draw; write the N frames to the render. */
    int outFd = open(spliceOut, O_WRONLY);
    if (outFd < 0 || !writeFd(outFd, out, frame)) { fprintf(stderr, "cannot open %s\\n", spliceOut); return 6; }
    int inFd = open(spliceIn, O_RDONLY);
    if (inFd < 0) { fprintf(stderr, "cannot open %s\\n", spliceIn); return 6; }
    uint8_t go;
    if (readFd(0, &go, 1) != 1) return 7;
    if (readFd(inFd, a, frame * N) != 1 || readFd(inFd, b, frame * N) != 1) { fprintf(stderr, "short input\\n"); return 4; }
    if (write(2, "R\\n", 2) != 2) return 7;
    close(inFd);
    for (int i = 0; i < N; i++) {
      drawFrame(out, a + frame * i, b + frame * i, i, N, T);
      if (!writeFd(outFd, out, frame)) return 5;
    }
    close(outFd);
    return 0;
  }
  for (;;) {
    int r = readFd(0, a, frame * N);
    if (r == 0) return 0;
    if (r < 0 || readFd(0, b, frame * N) != 1) { fprintf(stderr, "short input\\n"); return 4; }
    for (int i = 0; i < N; i++) {
      drawFrame(out, a + frame * i, b + frame * i, i, N, T);
      if (!writeFd(1, out, frame)) return 5;
    }
  }
}
`;
}

/** GLSL's highp float is float32; the native build computes in float32 too (REELSMITH_SHADER_REAL=double to change). */
const REAL: 'float' | 'double' = process.env.REELSMITH_SHADER_REAL === 'double' ? 'double' : 'float';

let compilerAvailable: Promise<string | undefined> | undefined;

/** The system's C compiler, if there is one (cc, gcc or clang). */
export function cCompiler(): Promise<string | undefined> {
  compilerAvailable ??= (async () => {
    if (process.env.REELSMITH_SHADERS === 'js') return undefined;
    for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean) as string[]) {
      const r = await execa(cc, ['--version'], { reject: false });
      if (r.exitCode === 0) return cc;
    }
    return undefined;
  })();
  return compilerAvailable;
}

/** Builds (or finds in the cache) the filter program of a shader; undefined without a C compiler. */
export async function buildNative(shader: CompiledShader, flipY: boolean, cacheDir: string): Promise<string | undefined> {
  const cc = await cCompiler();
  if (!cc) return undefined;
  const src = nativeSource(shader, flipY);
  const flags = ['-O3', '-march=native', '-fno-math-errno', '-ffp-contract=off', '-pthread'];
  const hash = createHash('sha256').update(src).update(flags.join(' ')).digest('hex').slice(0, 20);
  const exe = join(cacheDir, `shader-${hash}`);
  if (existsSync(exe)) return exe;
  await mkdir(cacheDir, { recursive: true });
  // Unique work names: renders of one process may build the same shader at once.
  const tag = `${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
  const c = `${exe}.${tag}.c`;
  const tmp = `${exe}.${tag}.tmp`;
  await writeFile(c, src);
  try {
    await execa(cc, [...flags, '-o', tmp, c, '-lm']);
    await rename(tmp, exe);
  } finally {
    await rm(c, { force: true });
    await rm(tmp, { force: true });
  }
  return exe;
}
