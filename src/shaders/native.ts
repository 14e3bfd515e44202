/**
 * The fast path for transition shaders: the compiled shader as C (vector or scalar), built with the
 * system's C compiler (cached per source) either into a frei0r plugin that FFmpeg's frei0r filter
 * runs inside the render (frei0rApi), or into a small filter program that reads frame pairs and
 * writes blended frames (ioMain), using every core. The JS kernel (kernel.ts) is the portable
 * fallback when no C compiler is installed; all come from the same compiler front end and follow
 * the same conventions (see kernel.ts).
 *
 * Program protocol:
 * `prog W H N THREADS [name:w:h:file ...]`, stdin: N frames of the outgoing clip then N of
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
/*
 * atan as a float32 polynomial (Cephes' atanf, ~1e-7), the same operations in the scalar and the
 * vector build, so that both draw the same frames; GPUs approximate atan too.
 */
static inline real gl_atan(real x) {
  real a = fabs(x), y = 0;
  if (a > (real)2.414213562373095) { y = (real)1.5707963267948966; a = -1 / a; }
  else if (a > (real)0.4142135623730950) { y = (real)0.7853981633974483; a = (a - 1) / (a + 1); }
  const real z = a * a;
  y = y + ((((real)8.05374449538e-2 * z - (real)1.38776856032e-1) * z + (real)1.99777106478e-1) * z - (real)3.33329491539e-1) * z * a + a;
  return x < 0 ? -y : y;
}
static inline real gl_atan2(real y, real x) {
  if (x == 0) return y > 0 ? (real)1.5707963267948966 : y < 0 ? (real)-1.5707963267948966 : 0;
  const real w = gl_atan(y / x);
  return x < 0 ? w + (y < 0 ? (real)-3.141592653589793 : (real)3.141592653589793) : w;
}
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

/**
 * Where the compiled shader runs: a filter program (frames on pipes, see ioMain) or a frei0r
 * plugin that FFmpeg's frei0r filter loads into the render itself (see frei0rApi).
 */
export type NativeHost = { kind: 'program' } | { kind: 'frei0r'; textures: string[] };

export function nativeSource(
  shader: CompiledShader,
  flipY: boolean,
  real: 'float' | 'double' = REAL,
  host: NativeHost = { kind: 'program' },
): string {
  if (shader.target === 'simd') return simdSource(shader, flipY, host);
  if (shader.target !== 'c') throw new Error('nativeSource needs a shader compiled for C');
  const samplers = shader.samplers;
  // Thread-local: every value the shader writes (R, its file-scope variables).
  const body = shader.source.replace(/^static real ([\w$]+);$/gm, 'static __thread real $1;');
  const row = flipY ? 'v * t->h - (real)0.5' : '(1 - v) * t->h - (real)0.5';
  return `#define _GNU_SOURCE
#include <tgmath.h>
${INCLUDES}
typedef ${real} real;
${shaderState('real', samplers)}
${C_HELPERS}
static inline int clampi(int x, int hi) { return x < 0 ? 0 : x > hi ? hi : x; }
static inline void sample(const Tex *t, real u, real v) {
  const real x = u * t->w - (real)0.5, y = ${row};
  const real rx = rint(x), ry = rint(y);
  const uint32_t *d = t->d;
  if (fabs(x - rx) < (real)(1.0 / 512) && fabs(y - ry) < (real)(1.0 / 512)) {
    /* A texel centre (within float32 rounding and below GPUs' 8-bit filter weights): one tap. */
    const uint32_t p = d[(size_t)clampi((int)ry, t->h - 1) * t->s + clampi((int)rx, t->w - 1)];
    R[0] = (p & 255) * (real)(1.0 / 255); R[1] = (p >> 8 & 255) * (real)(1.0 / 255); R[2] = (p >> 16 & 255) * (real)(1.0 / 255); R[3] = 1;
    return;
  }
  const real fx0 = floor(x), fy0 = floor(y);
  const real fx = x - fx0, fy = y - fy0, gx = 1 - fx, gy = 1 - fy;
  const int x0 = clampi((int)fx0, t->w - 1), x1 = clampi((int)fx0 + 1, t->w - 1);
  const int y0 = clampi((int)fy0, t->h - 1), y1 = clampi((int)fy0 + 1, t->h - 1);
  const uint32_t a = d[(size_t)y0 * t->s + x0], b = d[(size_t)y0 * t->s + x1];
  const uint32_t c = d[(size_t)y1 * t->s + x0], e = d[(size_t)y1 * t->s + x1];
  for (int k = 0; k < 3; k++) {
    const int s = 8 * k;
    R[k] = (((a >> s & 255) * gx + (b >> s & 255) * fx) * gy + ((c >> s & 255) * gx + (e >> s & 255) * fx) * fy) * (real)(1.0 / 255);
  }
  R[3] = 1;
}

${body}

static void prefetchBegin(void) {}
static void prefetchEnd(void) {}
static inline uint32_t q(real c) { return c > 0 ? (c < 1 ? (uint32_t)(c * (real)255 + (real)0.5) : 255) : 0; }

/* Draws rows [y0, y1) as RGBX; out holds row row0, rows are stride texels apart. */
typedef struct { uint32_t *out; int y0, y1, stride, row0; } Band;
static void *draw(void *arg) {
  Band *b = arg;
  init_globals();
  for (int y = b->y0; y < b->y1; y++) {
    const real v = ${flipY ? '(y + 0.5) / H' : '1 - (y + 0.5) / H'};
    uint32_t *o = b->out + (size_t)(y - b->row0) * b->stride;
    for (int x = 0; x < W; x++) {
      f$transition$vec2((real)((x + 0.5) / W), v);
      o[x] = q(R[0]) | q(R[1]) << 8 | q(R[2]) << 16;
    }
  }
  return NULL;
}
static void setUniforms(int i, int N) { progress = (real)((double)i / N); ratio = (real)((double)W / H); }
static void prepare(void) {}
${TEXTURE_LOADER}
${COLOUR}
${host.kind === 'frei0r' ? frei0rApi(samplers, host.textures) : ioMain(samplers)}`;
}

/**
 * The vector build: the shader compiled for the 'simd' target draws L pixels of a row at once
 * (GCC vector extensions, lowered to the machine's SIMD instructions by -march=native). Every
 * value is computed in float32 exactly as the scalar build does, lane by lane (same operations,
 * same order, same rounding), so that both builds draw the same frames; texture reads, the
 * transcendental functions and the final rounding to bytes are per lane.
 */
export function simdSource(shader: CompiledShader, flipY: boolean, host: NativeHost = { kind: 'program' }, lanes = SIMD_LANES): string {
  const samplers = shader.samplers;
  const body = shader.source.replace(/^static (vf|vi) ([\w$]+);$/gm, 'static __thread $1 $2;');
  const row = flipY ? 'v * t->h - (real)0.5' : '(1 - v) * t->h - (real)0.5';
  // Lane by lane, or once when every lane holds the same argument (values of the uniforms alone).
  const lane1 = (name: string, f: string) =>
    `static inline vf V_${name}_(vf x) { if (sameLanes(x)) return BF(${f}(x[0])); vf r; for (int i = 0; i < L; i++) r[i] = ${f}(x[i]); return r; }\n#define V_${name}(x) V_${name}_(BF(x))`;
  const lane2 = (name: string, f: string) =>
    `static inline vf V_${name}_(vf a, vf b) { if (sameLanes(a) && sameLanes(b)) return BF(${f}(a[0], b[0])); vf r; for (int i = 0; i < L; i++) r[i] = ${f}(a[i], b[i]); return r; }\n#define V_${name}(a, b) V_${name}_(BF(a), BF(b))`;
  return `#define _GNU_SOURCE
#include <math.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif
${INCLUDES}
typedef float real;
#define L ${lanes}
typedef float vf __attribute__((vector_size(L * 4)));
typedef int vi __attribute__((vector_size(L * 4)));
${shaderState('vf', samplers)}

#define BF(x) ((vf){} + (x))
#define VTRUE ((vi){} - 1)
#define VFALSE ((vi){})
#define B2F(m) ((vf)((m) & (vi)BF(1.0f)))
static inline vf sel_(vi m, vf a, vf b) { return (vf)(((vi)a & m) | ((vi)b & ~m)); }
#define SEL(m, a, b) sel_((m), BF(a), BF(b))
static inline vi SELB(vi m, vi a, vi b) { return (a & m) | (b & ~m); }
static inline int anyLane(vi m) { int r = 0; for (int i = 0; i < L; i++) r |= m[i]; return r != 0; }
static inline vf V_abs_(vf x) { return (vf)((vi)x & 0x7fffffff); }
#define V_abs(x) V_abs_(BF(x))
/* trunc, floor and ceil on whole vectors: below 2^23 through int conversion, above it x itself. */
static inline vf V_trunc_(vf x) { vf t = __builtin_convertvector(__builtin_convertvector(x, vi), vf); return sel_(V_abs_(x) < 8388608.0f, t, x); }
#define V_trunc(x) V_trunc_(BF(x))
static inline vf V_floor_(vf x) { vf t = V_trunc_(x); return t - B2F(t > x); }
#define V_floor(x) V_floor_(BF(x))
static inline vf V_ceil_(vf x) { vf t = V_trunc_(x); return t + B2F(t < x); }
#define V_ceil(x) V_ceil_(BF(x))
/* sin and cos as GPUs compute them (see the scalar build). */
static inline real gl_sin(real x) { real t = x * (real)0.15915494309189535; t = t - nearbyintf(t); return (real)sin((double)t * 6.283185307179586); }
static inline real gl_cos(real x) { real t = x * (real)0.15915494309189535; t = t - nearbyintf(t); return (real)cos((double)t * 6.283185307179586); }
/* Bitwise: NaN lanes are the same too. */
static inline int sameLanes(vf x) { const vi b = (vi)x, f = (vi){} + b[0]; return !anyLane(b != f); }
${lane1('sin', 'gl_sin')}
${lane1('cos', 'gl_cos')}
${['tan', 'asin', 'acos', 'exp', 'log', 'log2', 'sqrt'].map((f) => lane1(f, `${f}f`)).join('\n')}
${lane2('pow', 'powf')}
/* atan and atan2: the scalar build's gl_atan and gl_atan2, on whole vectors. */
static inline vf V_atan_(vf x) {
  const vf a = V_abs_(x);
  const vi big = a > (real)2.414213562373095, mid = (a > (real)0.4142135623730950) & ~big;
  const vf y = SEL(big, (real)1.5707963267948966, SEL(mid, (real)0.7853981633974483, 0.0f));
  const vf t = sel_(big, -1 / a, sel_(mid, (a - 1) / (a + 1), a));
  const vf z = t * t;
  const vf r = y + ((((real)8.05374449538e-2 * z - (real)1.38776856032e-1) * z + (real)1.99777106478e-1) * z - (real)3.33329491539e-1) * z * t + t;
  return sel_(x < 0, -r, r);
}
#define V_atan(x) V_atan_(BF(x))
static inline vf V_atan2_(vf y, vf x) {
  const vf w = V_atan_(y / x);
  const vf q = sel_(x < 0, w + SEL(y < 0, (real)-3.141592653589793, (real)3.141592653589793), w);
  return sel_(x == 0, SEL(y > 0, (real)1.5707963267948966, SEL(y < 0, (real)-1.5707963267948966, 0.0f)), q);
}
#define V_atan2(y, x) V_atan2_(BF(y), BF(x))
static inline vf V_fract_(vf x) { return x - V_floor_(x); }
#define V_fract(x) V_fract_(BF(x))
static inline vf V_mod_(vf x, vf y) { return x - y * V_floor_(x / y); }
#define V_mod(x, y) V_mod_(BF(x), BF(y))
static inline vf V_clamp_(vf x, vf a, vf b) { return sel_(x < a, a, sel_(x > b, b, x)); }
#define V_clamp(x, a, b) V_clamp_(BF(x), BF(a), BF(b))
static inline vf V_step_(vf e, vf x) { return SEL(x < e, 0.0f, 1.0f); }
#define V_step(e, x) V_step_(BF(e), BF(x))
static inline vf V_mix_(vf a, vf b, vf t) { return a * (1 - t) + b * t; }
#define V_mix(a, b, t) V_mix_(BF(a), BF(b), BF(t))
static inline vf V_smoothstep_(vf e0, vf e1, vf x) { vf t = (x - e0) / (e1 - e0); t = sel_(t < 0, BF(0.0f), sel_(t > 1, BF(1.0f), t)); return t * t * (3 - 2 * t); }
#define V_smoothstep(a, b, x) V_smoothstep_(BF(a), BF(b), BF(x))
static inline vf V_sign_(vf x) { return SEL(x > 0, 1.0f, SEL(x < 0, -1.0f, 0.0f)); }
#define V_sign(x) V_sign_(BF(x))
static inline vf V_min_(vf a, vf b) { return sel_(b < a, b, a); }
#define V_min(a, b) V_min_(BF(a), BF(b))
static inline vf V_max_(vf a, vf b) { return sel_(a < b, b, a); }
#define V_max(a, b) V_max_(BF(a), BF(b))

static inline int clampi(int x, int hi) { return x < 0 ? 0 : x > hi ? hi : x; }
/* rint on whole vectors (round half to even, as rintf): the 1.5 * 2^23 trick below 2^22, rintf above. */
static inline vf V_rint(vf x) {
  const vi small = V_abs_(x) < 4194304.0f;
  vf r = (x + 12582912.0f) - 12582912.0f;
  if (!anyLane(~small)) return r;
  for (int i = 0; i < L; i++) if (!small[i]) r[i] = rintf(x[i]);
  return r;
}
static inline vi clampv(vi x, int hi) { x = x & ~(x < 0); const vi over = x > hi; return (x & ~over) | (hi & over); }
/* The texels at each lane's index, as floats (a hardware gather where there is one). */
static const vi LANE_IDS = { ${Array.from({ length: lanes }, (_, i) => i).join(', ')} };
static const vi EVEN_IDS = { ${Array.from({ length: lanes }, (_, i) => 2 * i).join(', ')} };
static inline void gather3(const uint32_t *d, vi idx, vf *c0, vf *c1, vf *c2) {
  vi x;
  if (!anyLane(idx - idx[0] != LANE_IDS)) memcpy(&x, d + idx[0], sizeof x); /* a run of texels: one load */
  else
#if defined(__AVX512F__) && L == 16
  x = (vi)_mm512_i32gather_epi32((__m512i)idx, (const void *)d, 4);
#elif defined(__AVX2__) && L % 8 == 0
  for (int j = 0; j < L; j += 8)
  {
    __m256i part, got;
    memcpy(&part, (const int *)&idx + j, sizeof part);
    got = _mm256_i32gather_epi32((const int *)d, part, 4);
    memcpy((int *)&x + j, &got, sizeof got);
  }
#else
  for (int i = 0; i < L; i++) x[i] = (int)d[idx[i]];
#endif
  *c0 = __builtin_convertvector(x & 0xff, vf);
  *c1 = __builtin_convertvector((x >> 8) & 0xff, vf);
  *c2 = __builtin_convertvector((x >> 16) & 0xff, vf);
}
/* The texels at each lane's index and the ones right of them (two taps of a bilinear read), as
   integers: one 64-bit gather per pair where there is one (half the loads of two 32-bit gathers). */
static inline void gatherPair(const uint32_t *d, vi idx, vi *lo, vi *hi) {
  if (!anyLane(idx - idx[0] != LANE_IDS)) { memcpy(lo, d + idx[0], sizeof *lo); memcpy(hi, d + idx[0] + 1, sizeof *hi); return; }
#if defined(__AVX512F__) && L == 16
  __m256i i0, i1;
  memcpy(&i0, &idx, 32); memcpy(&i1, (const int *)&idx + 8, 32);
  const vi g0 = (vi)_mm512_i32gather_epi64(i0, (const void *)d, 4), g1 = (vi)_mm512_i32gather_epi64(i1, (const void *)d, 4);
#elif defined(__AVX2__) && L % 4 == 0
  vi g0, g1;
  for (int j = 0; j < L; j += 4) {
    __m128i part; __m256i got;
    memcpy(&part, (const int *)&idx + j, sizeof part);
    got = _mm256_i32gather_epi64((const long long *)d, part, 4);
    memcpy(j < L / 2 ? (int *)&g0 + 2 * j : (int *)&g1 + 2 * (j - L / 2), &got, sizeof got);
  }
#else
  vi g0, g1;
  for (int i = 0; i < L; i++) { vi *g = i < L / 2 ? &g0 : &g1; const int k = 2 * (i % (L / 2)); (*g)[k] = (int)d[idx[i]]; (*g)[k + 1] = (int)d[idx[i] + 1]; }
#endif
  *lo = __builtin_shuffle(g0, g1, EVEN_IDS);
  *hi = __builtin_shuffle(g0, g1, EVEN_IDS + 1);
}
static inline void unpack3(vi x, vf *c) {
  c[0] = __builtin_convertvector(x & 0xff, vf);
  c[1] = __builtin_convertvector((x >> 8) & 0xff, vf);
  c[2] = __builtin_convertvector((x >> 16) & 0xff, vf);
}
/*
 * Prefetching for warped reads (a shader that reads the frames along curves, not rows: swap, cube,
 * zooms). Each bilinear read of a row's chunk of lanes remembers where it read; the same read of
 * the next row is expected as far again, and those cache lines are asked for now, so that they
 * arrive while the row is drawn (the reads otherwise wait on memory for half their time). Reads
 * are told apart by the chunk and their order within it (draw() sets CHUNK and CALL; PREV is the
 * drawing thread's memory of them).
 */
static __thread int CHUNK, CALL;
static __thread vi (*PREV)[8];
/* The drawing thread's memory of its reads, kept from band to band (a band's first row has none). */
static void prefetchBegin(void) {
  const size_t size = (size_t)(W / L + 1) * sizeof *PREV;
  PREV = aligned_alloc(sizeof(vi), size); /* vectors: aligned to their size */
  if (PREV) memset(PREV, 0, size);
}
static void prefetchEnd(void) { free(PREV); PREV = NULL; }
static inline void prefetchNextRow(const Tex *t, vi base, vi m) {
  if (!PREV || CALL >= 8) { CALL++; return; }
  vi *prev = &PREV[CHUNK][CALL++];
  const vi next = base + (base - *prev);
  *prev = base;
  for (int i = 0; i < L; i += 5)
    if (m[i]) { const char *p = (const char *)t->d + 4 * (long)next[i]; __builtin_prefetch(p); __builtin_prefetch(p + 4 * (long)t->s); }
}
/* Texture reads, lane by lane as the scalar build's sample() computes them: texel centres in one
   tap, the rest bilinear. Lanes that do not run read texel 0. */
static inline void sample(vi m, const Tex *t, vf u, vf v) {
  const vf x = u * (real)t->w - (real)0.5, y = ${row.replace(/t->h/g, '(real)t->h')};
  const vf rx = V_rint(x), ry = V_rint(y);
  const vi centre = (V_abs_(x - rx) < (real)(1.0 / 512)) & (V_abs_(y - ry) < (real)(1.0 / 512));
  const uint32_t *d = t->d;
  const int w = t->w;
  vf k0 = {}, k1 = {}, k2 = {};
  const vi bilinear = m & ~centre;
  if (anyLane(m & centre)) {
    gather3(d, (clampv(__builtin_convertvector(ry, vi), t->h - 1) * t->s + clampv(__builtin_convertvector(rx, vi), w - 1)) & m, &k0, &k1, &k2);
    k0 *= (real)(1.0 / 255); k1 *= (real)(1.0 / 255); k2 *= (real)(1.0 / 255);
  }
  if (anyLane(bilinear)) {
    const vf fx0 = V_floor_(x), fy0 = V_floor_(y);
    const vf fx = x - fx0, fy = y - fy0, gx = 1 - fx, gy = 1 - fy;
    const vi ix = __builtin_convertvector(fx0, vi), iy = __builtin_convertvector(fy0, vi);
    const vi y0 = clampv(iy, t->h - 1) * t->s, y1 = clampv(iy + 1, t->h - 1) * t->s;
    vf a[3], b[3], c[3], e[3];
    if (w >= 2) {
      /* Pairs of texels from x = ix (clamped to w - 2); at the edges both taps are the clamped one. */
      const vi xb = clampv(ix, w - 2), right = ix >= w - 1, left = ix < 0;
      vi lo, hi;
      prefetchNextRow(t, (y0 + xb) & bilinear, bilinear);
      gatherPair(d, (y0 + xb) & bilinear, &lo, &hi);
      unpack3(SELB(right, hi, lo), a); unpack3(SELB(left, lo, hi), b);
      gatherPair(d, (y1 + xb) & bilinear, &lo, &hi);
      unpack3(SELB(right, hi, lo), c); unpack3(SELB(left, lo, hi), e);
    } else {
      const vi x0 = clampv(ix, w - 1), x1 = clampv(ix + 1, w - 1);
      gather3(d, (y0 + x0) & bilinear, &a[0], &a[1], &a[2]);
      gather3(d, (y0 + x1) & bilinear, &b[0], &b[1], &b[2]);
      gather3(d, (y1 + x0) & bilinear, &c[0], &c[1], &c[2]);
      gather3(d, (y1 + x1) & bilinear, &e[0], &e[1], &e[2]);
    }
    vf *K[3] = { &k0, &k1, &k2 };
    for (int k = 0; k < 3; k++) *K[k] = sel_(centre, *K[k], ((a[k] * gx + b[k] * fx) * gy + (c[k] * gx + e[k] * fx) * fy) * (real)(1.0 / 255));
  }
  R[0] = k0; R[1] = k1; R[2] = k2; R[3] = BF(1.0f);
}

${body}

static inline vi quantize(vf c) { return __builtin_convertvector(sel_(c > 0, sel_(c < 1, c * (real)255 + (real)0.5, BF((real)255)), BF(0.0f)), vi); }

static real *U;
/* Draws rows [y0, y1) as RGBX; out holds row row0, rows are stride texels apart. */
typedef struct { uint32_t *out; int y0, y1, stride, row0; } Band;
static void *draw(void *arg) {
  Band *b = arg;
  init_globals();
  for (int y = b->y0; y < b->y1; y++) {
    const vf v = BF((real)(${flipY ? '(y + 0.5) / H' : '1 - (y + 0.5) / H'}));
    uint32_t *o = b->out + (size_t)(y - b->row0) * b->stride;
    for (int x = 0; x < W; x += L) {
      vf u;
      memcpy(&u, U + x, sizeof u);
      CHUNK = x / L;
      CALL = 0;
      f$transition$vec2(VTRUE, u, v);
      const vi px = quantize(R[0]) | quantize(R[1]) << 8 | quantize(R[2]) << 16;
      if (W - x >= L) memcpy(o + x, &px, sizeof px);
      else for (int i = 0; i < W - x; i++) o[x + i] = (uint32_t)px[i];
    }
  }
  return NULL;
}
static void setUniforms(int i, int N) { progress = BF((real)((double)i / N)); ratio = BF((real)((double)W / H)); }
static void prepare(void) {
  free(U);
  U = malloc(sizeof(real) * (W + L));
  for (int x = 0; x < W + L; x++) U[x] = (real)((x + 0.5) / W);
}
${TEXTURE_LOADER}
${COLOUR}
${host.kind === 'frei0r' ? frei0rApi(samplers, host.textures) : ioMain(samplers)}`;
}

/** What a shader reads and writes besides its own values: textures, R, the uniforms, the frame size. */
function shaderState(value: 'real' | 'vf', samplers: string[]): string {
  return `/* Textures are RGBX: one 32-bit texel per pixel, red in the low byte, rows s texels apart. */
typedef struct { const uint32_t *d; int w, h, s; } Tex;
static __thread ${value} R[64];
static ${value} progress, ratio;
static int W, H;
static Tex FROM_, TO_;
#define FROM (&FROM_)
#define TO (&TO_)
${samplers.map((s) => `static Tex S_${s}_;\n#define S_${s} (&S_${s}_)`).join('\n')}`;
}

const INCLUDES = `#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>`;

/** Lanes of the vector build (16 floats: one AVX-512 register, two AVX2 ones). */
/** Pixels per vector: 16 (a row's 16 pixels in one AVX-512 register, or four SSE ones). */
const SIMD_LANES = 16;

/**
 * RGBX → YCbCr, BT.601 limited range (FFmpeg's default between rgb24 and yuv420p), in 16.16 fixed
 * point; chroma of a 2x2 block from its summed channels. One definition for both hosts.
 */
const COLOUR = `
#define LUMA(r, g, b) ((((r) * 16829 + (g) * 33039 + (b) * 6416 + 32768) >> 16) + 16)
static inline uint8_t clamp8(int x) { return x < 0 ? 0 : x > 255 ? 255 : (uint8_t)x; }
static inline uint8_t lumaOf(uint32_t c) { return (uint8_t)LUMA((int)(c & 255), (int)(c >> 8 & 255), (int)(c >> 16 & 255)); }
static inline void chromaOf(uint32_t k0, uint32_t k1, uint32_t k2, uint32_t k3, uint8_t *cb, uint8_t *cr) {
  const int r = (int)((k0 & 255) + (k1 & 255) + (k2 & 255) + (k3 & 255));
  const int g = (int)((k0 >> 8 & 255) + (k1 >> 8 & 255) + (k2 >> 8 & 255) + (k3 >> 8 & 255));
  const int b = (int)((k0 >> 16 & 255) + (k1 >> 16 & 255) + (k2 >> 16 & 255) + (k3 >> 16 & 255));
  *cb = clamp8(((-9714 * r - 19071 * g + 28784 * b + 131072) >> 18) + 128);
  *cr = clamp8(((28784 * r - 24103 * g - 4681 * b + 131072) >> 18) + 128);
}
/* The same, 16 at a time (GCC vectors): the Y of 16 texels; Cb and Cr of 16 2x2 blocks, the rows
   p and q of 32 texels (red and blue summed in 16-bit halves, green apart: 4 x 255 fits). */
typedef int i16 __attribute__((vector_size(64)));
typedef uint32_t u16 __attribute__((vector_size(64)));
static inline i16 clamp255(i16 x) { x &= ~(x < 0); const i16 over = x > 255; return (x & ~over) | (255 & over); }
static inline i16 luma16(const uint32_t *t) { i16 v; memcpy(&v, t, sizeof v); return LUMA(v & 255, v >> 8 & 255, v >> 16 & 255); }
static inline void chroma16(const uint32_t *p, const uint32_t *q, i16 *cb, i16 *cr) {
  static const u16 even = { 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30 };
  u16 p0, p1, q0, q1;
  memcpy(&p0, p, 64); memcpy(&p1, p + 16, 64); memcpy(&q0, q, 64); memcpy(&q1, q + 16, 64);
  const u16 rb0 = (p0 & 0xff00ff) + (q0 & 0xff00ff), rb1 = (p1 & 0xff00ff) + (q1 & 0xff00ff);
  const u16 g0 = (p0 >> 8 & 255) + (q0 >> 8 & 255), g1 = (p1 >> 8 & 255) + (q1 >> 8 & 255);
  const u16 rb = __builtin_shuffle(rb0, rb1, even) + __builtin_shuffle(rb0, rb1, even + 1);
  const i16 r = (i16)(rb & 0xffff), b = (i16)(rb >> 16), g = (i16)(__builtin_shuffle(g0, g1, even) + __builtin_shuffle(g0, g1, even + 1));
  *cb = clamp255(((-9714 * r - 19071 * g + 28784 * b + 131072) >> 18) + 128);
  *cr = clamp255(((28784 * r - 24103 * g - 4681 * b + 131072) >> 18) + 128);
}
`;

/** Shader textures (luma, displacement maps): RGB24 files given as name:w:h:path, kept as RGBX. */
const TEXTURE_LOADER = `
static int loadTexture(Tex *t, const char *spec) {
  char name[64]; int w, h; char path[4096];
  if (sscanf(spec, "%63[^:]:%d:%d:%4095s", name, &w, &h, path) != 4) return 0;
  FILE *f = fopen(path, "rb"); if (!f) return 0;
  uint8_t *d = malloc((size_t)w * h * 3);
  uint32_t *x = malloc((size_t)w * h * 4);
  size_t k = fread(d, 1, (size_t)w * h * 3, f); fclose(f);
  if (k != (size_t)w * h * 3) return 0;
  for (size_t i = 0; i < (size_t)w * h; i++) x[i] = d[3 * i] | (uint32_t)d[3 * i + 1] << 8 | (uint32_t)d[3 * i + 2] << 16;
  free(d);
  t->d = x; t->w = w; t->h = h; t->s = w;
  return 1;
}

`;

/** The frei0r 1.x ABI's info structures (declared here: no header needed), for every plugin we build. */
export const FREI0R_TYPES = `typedef struct { const char *name, *author; int plugin_type, color_model, frei0r_version, major_version, minor_version, num_params; const char *explanation; } f0r_plugin_info_t;
typedef struct { const char *name; int type; const char *explanation; } f0r_param_info_t;`;

/**
 * The frei0r filter API (the frei0r 1.x ABI, declared here: no header needed), for FFmpeg's frei0r
 * filter inside the render. The filter gets the overlap's frame pairs stacked vertically (outgoing
 * over incoming, W x 2H, RGBA, which is our RGBX texture layout) and draws frame i of N, counting
 * the frames it is given: as RGBX into the top half of its output, or as YCbCr packed in both
 * halves (the yuv parameter, see packBand; the render takes the planes apart). Instances share the
 * shader's globals: FFmpeg runs one filter at a time (one filtergraph thread), and each update sets
 * them. Textures are loaded once, from the paths built in.
 */
function frei0rApi(samplers: string[], textures: string[]): string {
  const cstr = (x: string) => JSON.stringify(x);
  return `
${FREI0R_TYPES}
typedef struct { int w, h; double frames, width, yuv; int next; } Instance;
/* Work of one frame, in bands of 16 rows that the threads take in turn (balanced whatever the
   shader costs where). In YUV mode each band is drawn into the thread's own band buffer (it stays
   in the cache) and packed from there; otherwise it is drawn straight into the output. */
typedef struct { uint32_t *out; int stride, yuv; } Job;
static Job job;
static int nextBand;
static void packBand(const uint32_t *rgb, uint32_t *out, int stride, int y0, int y1);
static void *worker(void *arg) {
  (void)arg;
  uint32_t *band = job.yuv ? malloc((size_t)W * 16 * 4) : NULL;
  if (job.yuv && !band) return NULL;
  prefetchBegin();
  for (;;) {
    const int y0 = __atomic_fetch_add(&nextBand, 1, __ATOMIC_RELAXED) * 16;
    if (y0 >= H) break;
    const int y1 = y0 + 16 < H ? y0 + 16 : H;
    if (!job.yuv) { Band b = { job.out, y0, y1, job.stride, 0 }; draw(&b); continue; }
    Band b = { band, y0, y1, W, y0 };
    draw(&b);
    packBand(band, job.out, job.stride, y0, y1);
  }
  prefetchEnd();
  free(band);
  return NULL;
}
static void runJob(void) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  const int T = cores < 1 ? 1 : cores > 64 ? 64 : (int)cores;
  pthread_t th[64];
  nextBand = 0;
  /* Threads of our own only: FFmpeg's filter thread just waits, and never holds the shader's
     thread-local state. */
  for (int k = 0; k < T; k++) pthread_create(&th[k], NULL, worker, NULL);
  for (int k = 0; k < T; k++) pthread_join(th[k], NULL);
}
/*
 * YCbCr packed in the RGBA output (the render's graph unpacks it, see graph.ts): rows 0 to H-1
 * hold the Y of each pixel in R; rows H to H + H/2 - 1, for x < W/2, hold Cb and Cr of the 2x2
 * block at (2x, 2(y - H)) in R and G. A band (even rows y0 to y1, drawn as RGBX into rgb, W texels
 * apart) writes its own rows of both. BT.601 limited range, as FFmpeg's default conversion; chroma
 * from the block's summed channels; 16 at a time, the rest one by one.
 */
static void packBand(const uint32_t *rgb, uint32_t *out, int stride, int y0, int y1) {
  for (int y = y0; y < y1; y++) {
    const uint32_t *r = rgb + (size_t)(y - y0) * W;
    uint32_t *o = out + (size_t)y * stride;
    int x = 0;
    for (; x + 16 <= W; x += 16) {
      const i16 l = luma16(r + x);
      memcpy(o + x, &l, sizeof l);
    }
    for (; x < W; x++) o[x] = lumaOf(r[x]);
  }
  for (int y = y0; y + 1 < y1; y += 2) {
    const uint32_t *p = rgb + (size_t)(y - y0) * W, *q = p + W;
    uint32_t *o = out + (size_t)(H + y / 2) * stride;
    int x = 0;
    for (; 2 * x + 32 <= W; x += 16) {
      i16 cb, cr;
      chroma16(p + 2 * x, q + 2 * x, &cb, &cr);
      const i16 c = cb | cr << 8;
      memcpy(o + x, &c, sizeof c);
    }
    for (; x < W / 2; x++) {
      uint8_t cb, cr;
      chromaOf(p[2 * x], p[2 * x + 1], q[2 * x], q[2 * x + 1], &cb, &cr);
      o[x] = cb | (uint32_t)cr << 8;
    }
  }
}
static Tex *SAMPLERS[] = { ${samplers.map((x) => `&S_${x}_`).join(', ')}${samplers.length === 0 ? 'NULL' : ''} };
static const char *TEXTURE_SPECS[] = { ${textures.map(cstr).join(', ')}${textures.length === 0 ? 'NULL' : ''} };
int f0r_init(void) {
  for (int i = 0; i < ${samplers.length}; i++) if (!loadTexture(SAMPLERS[i], TEXTURE_SPECS[i])) return 0;
  return 1;
}
void f0r_deinit(void) {}
void f0r_get_plugin_info(f0r_plugin_info_t *info) {
  *info = (f0r_plugin_info_t){ "reelsmith transition", "reelsmith", 0 /* filter */, 1 /* RGBA8888 */, 1, 1, 0, 3, "a gl-transitions shader over stacked frame pairs" };
}
void f0r_get_param_info(f0r_param_info_t *info, int index) {
  if (index == 0) *info = (f0r_param_info_t){ "frames", 1 /* double */, "frames of the overlap (N): frame i is drawn at progress i/N" };
  if (index == 1) *info = (f0r_param_info_t){ "width", 1 /* double */, "width of the pictures, left of the padding that makes rows contiguous" };
  if (index == 2) *info = (f0r_param_info_t){ "yuv", 1 /* double */, "1: return YCbCr packed in the RGBA channels" };
}
void *f0r_construct(unsigned int width, unsigned int height) {
  Instance *s = calloc(1, sizeof *s);
  if (s) { s->w = (int)width; s->h = (int)height; s->frames = 1; }
  return s;
}
void f0r_destruct(void *instance) { free(instance); }
void f0r_set_param_value(void *instance, void *param, int index) {
  Instance *s = instance;
  if (index == 0) s->frames = *(const double *)param;
  if (index == 1) s->width = *(const double *)param;
  if (index == 2) s->yuv = *(const double *)param;
}
void f0r_get_param_value(void *instance, void *param, int index) {
  Instance *s = instance;
  if (index == 0) *(double *)param = s->frames;
  if (index == 1) *(double *)param = s->width;
  if (index == 2) *(double *)param = s->yuv;
}
void f0r_update(void *instance, double time, const uint32_t *in, uint32_t *out) {
  Instance *s = instance;
  (void)time;
  /* Rows are s->w texels apart; the picture is the left \`width\` of them. */
  const int w = s->width >= 1 && s->width <= s->w ? (int)s->width : s->w;
  if (W != w || H != s->h / 2) { W = w; H = s->h / 2; prepare(); }
  FROM_ = (Tex){ in, W, H, s->w }; TO_ = (Tex){ in + (size_t)s->w * H, W, H, s->w };
  const int N = s->frames >= 1 ? (int)s->frames : 1;
  setUniforms(s->next < N ? s->next : N - 1, N);
  s->next++;
  job = (Job){ out, s->w, s->yuv > 0.5 && W % 2 == 0 && H % 2 == 0 };
  runJob();
}
`;
}

/** Frame I/O, threads and the program's entry point, shared by both builds. */
function ioMain(samplers: string[]): string {
  return `
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
/* Large buffers in huge pages where the system allows it (fewer page faults for frames of MBs). */
static void *bigAlloc(size_t n) {
  void *p = NULL;
  if (posix_memalign(&p, (size_t)2 << 20, n) != 0) return NULL;
#ifdef MADV_HUGEPAGE
  madvise(p, n, MADV_HUGEPAGE);
#endif
  return p;
}
/* Pipes as large as allowed: a frame of MBs then moves in a few large copies, not 64 KB ones. */
static void widenPipe(int fd) {
#ifdef F_SETPIPE_SZ
  for (int size = 1 << 20; size >= 1 << 16; size >>= 1) if (fcntl(fd, F_SETPIPE_SZ, size) >= 0) break;
#else
  (void)fd;
#endif
}

/*
 * One frame: each thread converts its rows of both input frames to RGBX textures, waits for the
 * others (a shader reads anywhere), draws its rows as RGBX, and converts them to RGB24 or, in YUV
 * mode, back to yuv420p.
 * YUV mode (splice): frames travel as yuv420p, the render's own format (half the bytes of RGB24,
 * no RGB conversion in FFmpeg); an input frame is a pair stacked vertically (outgoing clip over
 * incoming one, W x 2H). BT.601 limited range both ways, as FFmpeg's default conversion between
 * rgb24 and yuv420p; chroma is replicated up and averaged down.
 */
static pthread_barrier_t converted;
typedef struct { Band band; const uint8_t *a, *b; int yuv; uint32_t *texA, *texB; uint8_t *out; } Job;
static void rgbToTex(const uint8_t *rgb, uint32_t *tex, int y0, int y1) {
  const uint8_t *p = rgb + (size_t)y0 * W * 3;
  uint32_t *o = tex + (size_t)y0 * W;
  for (size_t i = 0, n = (size_t)(y1 - y0) * W; i < n; i++, p += 3) o[i] = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}
/* Conversions, 16 pixels at a time (GCC vectors), the row's rest one by one. */
typedef unsigned char b16 __attribute__((vector_size(16)));
static void yuvToTex(const uint8_t *Y, const uint8_t *U, const uint8_t *V, uint32_t *tex, int y0, int y1) {
  for (int y = y0; y < y1; y++) {
    const uint8_t *yr = Y + (size_t)y * W, *ur = U + (size_t)(y / 2) * (W / 2), *vr = V + (size_t)(y / 2) * (W / 2);
    uint32_t *o = tex + (size_t)y * W;
    int x = 0;
    for (; x + 16 <= W; x += 16) {
      b16 yb, ub = {0}, vb = {0};
      memcpy(&yb, yr + x, 16); memcpy(&ub, ur + x / 2, 8); memcpy(&vb, vr + x / 2, 8);
      const b16 up = { 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7 };
      const i16 c = (__builtin_convertvector(yb, i16) - 16) * 76309 + 32768;
      const i16 d = __builtin_convertvector(__builtin_shuffle(ub, up), i16) - 128, e = __builtin_convertvector(__builtin_shuffle(vb, up), i16) - 128;
      const i16 px = clamp255((c + 104597 * e) >> 16) | clamp255((c - 25675 * d - 53279 * e) >> 16) << 8 | clamp255((c + 132201 * d) >> 16) << 16;
      memcpy(o + x, &px, sizeof px);
    }
    for (; x < W; x++) {
      const int c = (yr[x] - 16) * 76309 + 32768, d = ur[x >> 1] - 128, e = vr[x >> 1] - 128;
      o[x] = (uint32_t)clamp8((c + 104597 * e) >> 16) | (uint32_t)clamp8((c - 25675 * d - 53279 * e) >> 16) << 8 | (uint32_t)clamp8((c + 132201 * d) >> 16) << 16;
    }
  }
}
static void texToYuv(const uint32_t *pix, uint8_t *Y, uint8_t *U, uint8_t *V, int y0, int y1) {
  for (int y = y0; y < y1; y++) {
    const uint32_t *p = pix + (size_t)y * W;
    uint8_t *yr = Y + (size_t)y * W;
    int x = 0;
    for (; x + 16 <= W; x += 16) {
      const b16 yb = __builtin_convertvector(luma16(p + x), b16);
      memcpy(yr + x, &yb, 16);
    }
    for (; x < W; x++) yr[x] = lumaOf(p[x]);
  }
  for (int y = y0; y < y1; y += 2) {
    const uint32_t *p = pix + (size_t)y * W, *q = p + W;
    uint8_t *ur = U + (size_t)(y / 2) * (W / 2), *vr = V + (size_t)(y / 2) * (W / 2);
    int x = 0;
    for (; 2 * x + 32 <= W; x += 16) {
      i16 cb, cr;
      chroma16(p + 2 * x, q + 2 * x, &cb, &cr);
      const b16 ub = __builtin_convertvector(cb, b16), vb = __builtin_convertvector(cr, b16);
      memcpy(ur + x, &ub, 16); memcpy(vr + x, &vb, 16);
    }
    for (; x < W / 2; x++) chromaOf(p[2 * x], p[2 * x + 1], q[2 * x], q[2 * x + 1], &ur[x], &vr[x]);
  }
}
static void texToRgb(const uint32_t *pix, uint8_t *rgb, int y0, int y1) {
  const uint32_t *p = pix + (size_t)y0 * W;
  uint8_t *o = rgb + (size_t)y0 * W * 3;
  for (size_t i = 0, n = (size_t)(y1 - y0) * W; i < n; i++, o += 3) { o[0] = (uint8_t)p[i]; o[1] = (uint8_t)(p[i] >> 8); o[2] = (uint8_t)(p[i] >> 16); }
}
static void *frameBand(void *arg) {
  Job *j = arg;
  const int y0 = j->band.y0, y1 = j->band.y1;
  const size_t plane = (size_t)W * H, chroma = plane / 4;
  if (j->yuv) {
    const uint8_t *Y = j->a, *U = Y + 2 * plane, *V = U + 2 * chroma;
    yuvToTex(Y, U, V, j->texA, y0, y1);
    yuvToTex(Y + plane, U + chroma, V + chroma, j->texB, y0, y1);
  } else {
    rgbToTex(j->a, j->texA, y0, y1);
    rgbToTex(j->b, j->texB, y0, y1);
  }
  pthread_barrier_wait(&converted);
  prefetchBegin();
  draw(&j->band);
  prefetchEnd();
  if (j->yuv) texToYuv(j->band.out, j->out, j->out + plane, j->out + plane + chroma, y0, y1);
  else texToRgb(j->band.out, j->out, y0, y1);
  return NULL;
}
static uint32_t *texA, *texB, *drawn;
/* Draws frame i of N from a and b (RGB24 frames, or one stacked yuv420p pair in a) into out
   (RGB24, or yuv420p in YUV mode). */
static void drawFrame(uint8_t *out, const uint8_t *a, const uint8_t *b, int yuv, int i, int N, int T) {
  pthread_t th[64]; Job jobs[64];
  if (!texA) { texA = bigAlloc((size_t)W * H * 4); texB = bigAlloc((size_t)W * H * 4); drawn = bigAlloc((size_t)W * H * 4); }
  FROM_ = (Tex){ texA, W, H, W }; TO_ = (Tex){ texB, W, H, W };
  setUniforms(i, N);
  pthread_barrier_init(&converted, NULL, (unsigned)T);
  for (int k = 0; k < T; k++) {
    /* Bands of whole row pairs (each holds whole chroma rows). */
    jobs[k] = (Job){ { drawn, H / 2 * k / T * 2, k == T - 1 ? H : H / 2 * (k + 1) / T * 2, W }, a, b, yuv, texA, texB, out };
    pthread_create(&th[k], NULL, frameBand, &jobs[k]);
  }
  for (int k = 0; k < T; k++) pthread_join(th[k], NULL);
  pthread_barrier_destroy(&converted);
}

int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: W H N THREADS [--splice OUT IN] [textures]\\n"); return 2; }
  W = atoi(argv[1]); H = atoi(argv[2]);
  const int N = atoi(argv[3]); int T = atoi(argv[4]);
  if (W <= 0 || H <= 0 || N <= 0) return 2;
  if (T < 1) T = 1; if (T > 64) T = 64;
  prepare();
  int arg = 5;
  const char *spliceOut = NULL, *spliceIn = NULL;
  int yuv = 0;
  if (argc > 7 && strcmp(argv[5], "--splice") == 0) { spliceOut = argv[6]; spliceIn = argv[7]; arg = 8; }
  if (spliceOut && argc > 8 && strcmp(argv[8], "--yuv") == 0) { yuv = 1; arg = 9; }
  Tex *samplers[] = { ${samplers.map((s) => `&S_${s}_`).join(', ')}${samplers.length === 0 ? 'NULL' : ''} };
  for (int i = 0; i < ${samplers.length}; i++) if (argc <= arg + i || !loadTexture(samplers[i], argv[arg + i])) { fprintf(stderr, "missing texture %d\\n", i); return 2; }
  const size_t frame = (size_t)W * H * 3;
  if (yuv) {
    /* YUV splice mode: as below, with N stacked yuv420p pairs in and N yuv420p frames out, each
       pair drawn and sent as it arrives. Fresh memory is costly (page clearing), so the program
       holds one pair and one frame, not the whole transition; the next program may read once
       this one has its last pair. */
    if (W % 2 || H % 2) { fprintf(stderr, "yuv420p needs even sizes\\n"); return 2; }
    const size_t pair = (size_t)W * H * 3, yuvFrame = pair / 2;
    uint8_t *in = bigAlloc(pair), *out = calloc(1, yuvFrame);
    if (!in || !out) { fprintf(stderr, "out of memory\\n"); return 3; }
    int outFd = open(spliceOut, O_WRONLY);
    if (outFd >= 0) widenPipe(outFd);
    if (outFd < 0 || !writeFd(outFd, out, yuvFrame)) { fprintf(stderr, "cannot open %s\\n", spliceOut); return 6; }
    int inFd = open(spliceIn, O_RDONLY);
    if (inFd < 0) { fprintf(stderr, "cannot open %s\\n", spliceIn); return 6; }
    widenPipe(inFd);
    uint8_t go;
    if (readFd(0, &go, 1) != 1) return 7;
    for (int i = 0; i < N; i++) {
      if (readFd(inFd, in, pair) != 1) { fprintf(stderr, "short input\\n"); return 4; }
      if (i == N - 1) { if (write(2, "R\\n", 2) != 2) return 7; close(inFd); }
      drawFrame(out, in, NULL, 1, i, N, T);
      if (!writeFd(outFd, out, yuvFrame)) return 5;
    }
    close(outFd);
    return 0;
  }
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
      drawFrame(out, a + frame * i, b + frame * i, 0, i, N, T);
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
      drawFrame(out, a + frame * i, b + frame * i, 0, i, N, T);
      if (!writeFd(1, out, frame)) return 5;
    }
  }
}
`;
}

/** GLSL's highp float is float32; the native build computes in float32 too. */
const REAL: 'float' | 'double' = 'float';

let compilerAvailable: Promise<string | undefined> | undefined;

/** The system's C compiler, if there is one (cc, gcc or clang). */
export function cCompiler(): Promise<string | undefined> {
  compilerAvailable ??= (async () => {
    for (const cc of ['cc', 'gcc', 'clang']) {
      const r = await execa(cc, ['--version'], { reject: false });
      if (r.exitCode === 0) return cc;
    }
    return undefined;
  })();
  return compilerAvailable;
}

/**
 * Builds (or finds in the cache) the filter program of a shader, or its frei0r plugin (a shared
 * object named rs_<hash>.so in the cache folder's frei0r/ folder); undefined without a C compiler.
 */
export async function buildNative(
  shader: CompiledShader,
  flipY: boolean,
  cacheDir: string,
  host: NativeHost = { kind: 'program' },
): Promise<string | undefined> {
  const cc = await cCompiler();
  if (!cc) return undefined;
  const src = nativeSource(shader, flipY, REAL, host);
  const plugin = host.kind === 'frei0r';
  const flags = ['-O3', '-march=native', '-fno-math-errno', '-ffp-contract=off', '-pthread', ...(plugin ? ['-shared', '-fPIC'] : [])];
  return compileCached(cc, src, flags, plugin ? join(cacheDir, 'frei0r') : cacheDir, plugin ? 'rs_' : 'shader-', plugin ? '.so' : '');
}

/**
 * Builds C source with the given flags into `dir/<prefix><hash of source and flags><suffix>`,
 * unless it is there already; returns its path.
 */
export async function compileCached(
  cc: string,
  src: string,
  flags: string[],
  dir: string,
  prefix: string,
  suffix: string,
): Promise<string> {
  const hash = createHash('sha256').update(src).update(flags.join(' ')).digest('hex').slice(0, 20);
  const exe = join(dir, `${prefix}${hash}${suffix}`);
  if (existsSync(exe)) return exe;
  await mkdir(dir, { recursive: true });
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
