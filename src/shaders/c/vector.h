/*
 * The vector build: the shader compiled for the 'simd' target draws L pixels of a row at once
 * (GCC vector extensions, lowered to the machine's SIMD instructions by -march=native). Every
 * value is computed in float32 exactly as the scalar build does, lane by lane (same operations,
 * same order, same rounding), so that both builds draw the same frames; texture reads, the
 * transcendental functions and the final rounding to bytes are per lane. The shader's generated
 * body follows this header; vector-draw.h follows the body. FLIP_Y is defined by the translation
 * unit.
 */
#include <math.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif
#include "runtime.h"
typedef float real;
#include "sincos.h"
/* Pixels per vector: one AVX-512 register, two AVX2 ones, four SSE ones (LANE_IDS below count them). */
#define L 16
typedef float vf __attribute__((vector_size(L * 4)));
typedef int vi __attribute__((vector_size(L * 4)));
static __thread vf R[64];
static vf progress, ratio;
#define BF(x) ((vf){} + (x))
#define VTRUE ((vi){} - 1)
#define VFALSE ((vi){})
#define B2F(m) ((vf)((m) & (vi)BF(1.0f)))
static inline vf sel_(vi m, vf a, vf b) { return (vf)(((vi)a & m) | ((vi)b & ~m)); }
#define SEL(m, a, b) sel_((m), BF(a), BF(b))
static inline vi SELB(vi m, vi a, vi b) { return (a & m) | (b & ~m); }
/* A uniform condition (every lane holds the same): its value, from lane 0. */
static inline int lane0(vi m) { return m[0] != 0; }
static inline int anyLane(vi m) {
  int r = 0;
  for (int i = 0; i < L; i++) r |= m[i];
  return r != 0;
}
static inline vf V_abs_(vf x) { return (vf)((vi)x & 0x7fffffff); }
#define V_abs(x) V_abs_(BF(x))
/* trunc, floor and ceil on whole vectors: below 2^23 through int conversion, above it x itself. */
static inline vf V_trunc_(vf x) {
  vf t = __builtin_convertvector(__builtin_convertvector(x, vi), vf);
  return sel_(V_abs_(x) < 8388608.0f, t, x);
}
#define V_trunc(x) V_trunc_(BF(x))
static inline vf V_floor_(vf x) {
  vf t = V_trunc_(x);
  return t - B2F(t > x);
}
#define V_floor(x) V_floor_(BF(x))
static inline vf V_ceil_(vf x) {
  vf t = V_trunc_(x);
  return t + B2F(t < x);
}
#define V_ceil(x) V_ceil_(BF(x))
/* Bitwise: NaN lanes are the same too. */
static inline int sameLanes(vf x) {
  const vi b = (vi)x, f = (vi){} + b[0];
  return !anyLane(b != f);
}
/* Lane by lane, or once when every lane holds the same argument (values of the uniforms alone). */
#define LANE_FN1(name, f) \
  static inline vf V_##name##_(vf x) { \
    if (sameLanes(x)) return BF(f(x[0])); \
    vf r; \
    for (int i = 0; i < L; i++) r[i] = f(x[i]); \
    return r; \
  }
#define LANE_FN2(name, f) \
  static inline vf V_##name##_(vf a, vf b) { \
    if (sameLanes(a) && sameLanes(b)) return BF(f(a[0], b[0])); \
    vf r; \
    for (int i = 0; i < L; i++) r[i] = f(a[i], b[i]); \
    return r; \
  }
LANE_FN1(tan, tanf)
LANE_FN1(asin, asinf)
LANE_FN1(acos, acosf)
LANE_FN1(exp, expf)
LANE_FN1(log, logf)
LANE_FN1(log2, log2f)
LANE_FN1(sqrt, sqrtf)
LANE_FN2(pow, powf)
#define V_tan(x) V_tan_(BF(x))
#define V_asin(x) V_asin_(BF(x))
#define V_acos(x) V_acos_(BF(x))
#define V_exp(x) V_exp_(BF(x))
#define V_log(x) V_log_(BF(x))
#define V_log2(x) V_log2_(BF(x))
#define V_sqrt(x) V_sqrt_(BF(x))
#define V_pow(a, b) V_pow_(BF(a), BF(b))
/* atan and atan2: the scalar build's gl_atan and gl_atan2, on whole vectors. */
static inline vf V_atan_(vf x) {
  const vf a = V_abs_(x);
  const vi big = a > (real)2.414213562373095, mid = (a > (real)0.4142135623730950) & ~big;
  const vf y = SEL(big, (real)1.5707963267948966, SEL(mid, (real)0.7853981633974483, 0.0f));
  const vf t = sel_(big, -1 / a, sel_(mid, (a - 1) / (a + 1), a));
  const vf z = t * t;
  const vf r =
      y + ((((real)8.05374449538e-2 * z - (real)1.38776856032e-1) * z + (real)1.99777106478e-1) * z - (real)3.33329491539e-1) * z * t + t;
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
static inline vf V_smoothstep_(vf e0, vf e1, vf x) {
  vf t = (x - e0) / (e1 - e0);
  t = sel_(t < 0, BF(0.0f), sel_(t > 1, BF(1.0f), t));
  return t * t * (3 - 2 * t);
}
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
  for (int i = 0; i < L; i++)
    if (!small[i]) r[i] = rintf(x[i]);
  return r;
}
/* sin and cos: the scalar build's turnSin, gl_sin and gl_cos on whole vectors (same operations);
   once when every lane holds the same argument (a uniform angle: kaleidoscope's folds). */
static inline vf V_turnSin(vf t, int quarter) {
  const vf q = V_rint(t * 4);
  const vf a = (t - q * (real)0.25) * (real)6.283185307179586;
  const vf z = a * a;
  const vf s = SIN_POLY(a, z), c = COS_POLY(z);
  const vi k = (__builtin_convertvector(q, vi) + quarter) & 3;
  return sel_(k == 0, s, sel_(k == 1, c, sel_(k == 2, -s, -c)));
}
static inline vf V_sin_(vf x) {
  if (sameLanes(x)) return BF(gl_sin(x[0]));
  const vf t = x * (real)0.15915494309189535;
  return V_turnSin(t - V_rint(t), 0);
}
static inline vf V_cos_(vf x) {
  if (sameLanes(x)) return BF(gl_cos(x[0]));
  const vf t = x * (real)0.15915494309189535;
  return V_turnSin(t - V_rint(t), 1);
}
#define V_sin(x) V_sin_(BF(x))
#define V_cos(x) V_cos_(BF(x))
static inline vi clampv(vi x, int hi) {
  x = x & ~(x < 0);
  const vi over = x > hi;
  return (x & ~over) | (hi & over);
}
/* The texels at each lane's index, as floats (a hardware gather where there is one). */
static const vi LANE_IDS = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
static const vi EVEN_IDS = { 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30 };
static inline void gather3(const uint32_t *d, vi idx, vf *c0, vf *c1, vf *c2) {
  vi x;
  if (!anyLane(idx - idx[0] != LANE_IDS))
    memcpy(&x, d + idx[0], sizeof x); /* a run of texels: one load */
  else
#if defined(__AVX512F__) && L == 16
    x = (vi)_mm512_i32gather_epi32((__m512i)idx, (const void *)d, 4);
#elif defined(__AVX2__) && L % 8 == 0
    for (int j = 0; j < L; j += 8) {
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
  if (!anyLane(idx - idx[0] != LANE_IDS)) {
    memcpy(lo, d + idx[0], sizeof *lo);
    memcpy(hi, d + idx[0] + 1, sizeof *hi);
    return;
  }
#if defined(__AVX512F__) && L == 16
  __m256i i0, i1;
  memcpy(&i0, &idx, 32);
  memcpy(&i1, (const int *)&idx + 8, 32);
  const vi g0 = (vi)_mm512_i32gather_epi64(i0, (const void *)d, 4), g1 = (vi)_mm512_i32gather_epi64(i1, (const void *)d, 4);
#elif defined(__AVX2__) && L % 4 == 0
  vi g0, g1;
  for (int j = 0; j < L; j += 4) {
    __m128i part;
    __m256i got;
    memcpy(&part, (const int *)&idx + j, sizeof part);
    got = _mm256_i32gather_epi64((const long long *)d, part, 4);
    memcpy(j < L / 2 ? (int *)&g0 + 2 * j : (int *)&g1 + 2 * (j - L / 2), &got, sizeof got);
  }
#else
  vi g0, g1;
  for (int i = 0; i < L; i++) {
    vi *g = i < L / 2 ? &g0 : &g1;
    const int k = 2 * (i % (L / 2));
    (*g)[k] = (int)d[idx[i]];
    (*g)[k + 1] = (int)d[idx[i] + 1];
  }
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
static void prefetchEnd(void) {
  free(PREV);
  PREV = NULL;
}
static inline void prefetchNextRow(const Tex *t, vi base, vi m) {
  if (!PREV || CALL >= 8) {
    CALL++;
    return;
  }
  vi *prev = &PREV[CHUNK][CALL++];
  const vi next = base + (base - *prev);
  *prev = base;
  for (int i = 0; i < L; i += 5)
    if (m[i]) {
      const char *p = (const char *)t->d + 4 * (long)next[i];
      __builtin_prefetch(p);
      __builtin_prefetch(p + 4 * (long)t->s);
    }
}
/* Texture reads, lane by lane as the scalar build's sample() computes them: texel centres in one
   tap, the rest bilinear. Lanes that do not run read texel 0. */
static inline void sample(vi m, const Tex *t, vf u, vf v) {
#ifdef WEIGHTS
  /* The weights build (frei0r-host.c): the outgoing frame black, the incoming one white. */
  if (t == FROM || t == TO) {
    R[0] = R[1] = R[2] = BF(t == TO ? 1.0f : 0.0f);
    R[3] = BF(1.0f);
    (void)m;
    (void)u;
    (void)v;
    return;
  }
#endif
  const vf x = u * (real)t->w - (real)0.5, y = TEX_ROW(v, (real)t->h);
  const vf rx = V_rint(x), ry = V_rint(y);
  const vi centre = (V_abs_(x - rx) < (real)(1.0 / 512)) & (V_abs_(y - ry) < (real)(1.0 / 512));
  const uint32_t *d = t->d;
  const int w = t->w;
  vf k0 = {}, k1 = {}, k2 = {};
  const vi bilinear = m & ~centre;
  if (anyLane(m & centre)) {
    gather3(d, (clampv(__builtin_convertvector(ry, vi), t->h - 1) * t->s + clampv(__builtin_convertvector(rx, vi), w - 1)) & m, &k0, &k1,
            &k2);
    k0 *= (real)(1.0 / 255);
    k1 *= (real)(1.0 / 255);
    k2 *= (real)(1.0 / 255);
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
      unpack3(SELB(right, hi, lo), a);
      unpack3(SELB(left, lo, hi), b);
      gatherPair(d, (y1 + xb) & bilinear, &lo, &hi);
      unpack3(SELB(right, hi, lo), c);
      unpack3(SELB(left, lo, hi), e);
    } else {
      const vi x0 = clampv(ix, w - 1), x1 = clampv(ix + 1, w - 1);
      gather3(d, (y0 + x0) & bilinear, &a[0], &a[1], &a[2]);
      gather3(d, (y0 + x1) & bilinear, &b[0], &b[1], &b[2]);
      gather3(d, (y1 + x0) & bilinear, &c[0], &c[1], &c[2]);
      gather3(d, (y1 + x1) & bilinear, &e[0], &e[1], &e[2]);
    }
    vf *K[3] = { &k0, &k1, &k2 };
    for (int k = 0; k < 3; k++)
      *K[k] = sel_(centre, *K[k], ((a[k] * gx + b[k] * fx) * gy + (c[k] * gx + e[k] * fx) * fy) * (real)(1.0 / 255));
  }
  R[0] = k0;
  R[1] = k1;
  R[2] = k2;
  R[3] = BF(1.0f);
}
