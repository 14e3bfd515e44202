/*
 * LinearBlur (gl-transitions, by gre) rewritten for the CPU, in place of the shader's compiled body
 * and its drawing loop (see src/shaders/rewrites.ts, which uses it only for the exact GLSL it was
 * written from).
 *
 * The shader averages 6 x 6 bilinear reads of each frame at uv + disp * (x, y), x and y in
 * {-1/2, -1/3, ..., 1/3}, disp = intensity * (1/2 - |1/2 - progress|), and mixes the two averages
 * by progress: 144 texel reads of each frame per pixel. Within one frame the reads' offsets are the
 * same at every pixel, a bilinear read with edges clamped per axis is a horizontal interpolation
 * followed by a vertical one, and the mix is linear. So the picture is the mix of the two frames,
 * read 6 times along each row (the frame pass: framePassRows, into H_) and the result 6 times
 * along each column (draw): 12 + 12 multiply-adds per channel and pixel. The same picture within
 * float rounding: test/shaders.test.ts holds it to 50 dB against the shader compiled as written.
 * P_intensity (the uniform's value) and FLIP_Y come from the translation unit.
 */
#include <math.h>
#include "runtime.h"
typedef float real;
#define FRAME_PASS 1
enum { PASSES = 6 };
static real progress;
/* The row pass: 3 planes of W x H floats (R, G, B), in 0..255. */
static float *H_;
static size_t hSize;
/* Integer texel offsets and the weight of the next texel of each read, along x and along y. */
static int NX[PASSES], NY[PASSES];
static float FX[PASSES], FY[PASSES];

/* Out of memory stops the process with the reason (FFmpeg's render then fails), never a wrong picture. */
static void *mustAlloc(size_t n) {
  void *p = malloc(n);
  if (!p) {
    fputs("reelsmith transition: out of memory\n", stderr);
    abort();
  }
  return p;
}

static void prefetchBegin(void) {}
static void prefetchEnd(void) {}
static void setUniforms(int i, int N) { progress = (real)((double)i / N); }
static void prepare(void) {}

/* The offsets of this frame's reads (as the shader computes them, in float32), and the row pass's planes. */
static void framePassBegin(void) {
  const real disp = (real)P_intensity * ((real)0.5 - fabsf((real)0.5 - progress));
  for (int k = 0; k < PASSES; k++) {
    const real v = (real)k / (real)PASSES - (real)0.5;
    /* x = (u + disp v) W - 1/2 at u = (i + 1/2) / W: texel i + disp v W. */
    const real ox = disp * v * (real)W;
    /* y: GL's v points up; the texture row moves against it (or with it, drawn upside down). */
    const real oy = (FLIP_Y ? 1 : -1) * disp * v * (real)H;
    NX[k] = (int)floorf(ox);
    FX[k] = ox - floorf(ox);
    NY[k] = (int)floorf(oy);
    FY[k] = oy - floorf(oy);
  }
  const size_t need = (size_t)W * H * 3;
  if (need != hSize) {
    free(H_);
    H_ = mustAlloc(need * sizeof *H_);
    hSize = need;
  }
}

static inline int clampRow(int y, int hi) { return y < 0 ? 0 : y > hi ? hi : y; }

/* Rows [y0, y1) of the row pass: the two frames mixed, then 6 reads along the row (edges clamped). */
static void framePassRows(int y0, int y1) {
  int reach = 1;
  for (int k = 0; k < PASSES; k++) {
    const int r = NX[k] < 0 ? -NX[k] : NX[k] + 1;
    if (r > reach) reach = r;
  }
  const int padded = W + 2 * reach;
  float *m = mustAlloc(sizeof *m * (size_t)padded * 3);
  const float p = progress, q = 1 - progress;
  for (int y = y0; y < y1; y++) {
    const uint32_t *a = FROM_.d + (size_t)y * FROM_.s, *b = TO_.d + (size_t)y * TO_.s;
    float *mr = m + reach, *mg = mr + padded, *mb = mg + padded;
    for (int x = 0; x < W; x++) {
      const uint32_t s = a[x], t = b[x];
      mr[x] = (float)(s & 255) * q + (float)(t & 255) * p;
      mg[x] = (float)(s >> 8 & 255) * q + (float)(t >> 8 & 255) * p;
      mb[x] = (float)(s >> 16 & 255) * q + (float)(t >> 16 & 255) * p;
    }
    for (int c = 0; c < 3; c++) {
      float *row = m + (size_t)c * padded + reach;
      for (int x = 1; x <= reach; x++) {
        row[-x] = row[0];
        row[W - 1 + x] = row[W - 1];
      }
      float *o = H_ + ((size_t)c * H + y) * W;
      for (int x = 0; x < W; x++) o[x] = 0;
      for (int k = 0; k < PASSES; k++) {
        const float *r0 = row + NX[k];
        const float f = FX[k], g = 1 - FX[k];
        for (int x = 0; x < W; x++) o[x] += r0[x] * g + r0[x + 1] * f;
      }
    }
  }
  free(m);
}

/* Rows [y0, y1) of the picture as RGBX: 6 reads down the columns of the row pass, averaged. */
static void *draw(void *arg) {
  Band *b = arg;
  float *acc = mustAlloc(sizeof *acc * (size_t)W * 3);
  for (int y = b->y0; y < b->y1; y++) {
    for (int c = 0; c < 3; c++) {
      float *o = acc + (size_t)c * W;
      const float *plane = H_ + (size_t)c * H * W;
      for (int x = 0; x < W; x++) o[x] = 0;
      for (int k = 0; k < PASSES; k++) {
        const float *r0 = plane + (size_t)clampRow(y + NY[k], H - 1) * W, *r1 = plane + (size_t)clampRow(y + NY[k] + 1, H - 1) * W;
        const float f = FY[k], g = 1 - FY[k];
        for (int x = 0; x < W; x++) o[x] += r0[x] * g + r1[x] * f;
      }
    }
    uint32_t *o = b->out + (size_t)(y - b->row0) * b->stride;
    const float scale = 1.0f / (PASSES * PASSES);
    for (int x = 0; x < W; x++) {
      uint32_t px = 0;
      for (int c = 0; c < 3; c++) {
        const float v = acc[(size_t)c * W + x] * scale + 0.5f;
        px |= (uint32_t)(v < 0 ? 0 : v > 255 ? 255 : (int)v) << (8 * c);
      }
      o[x] = px;
    }
  }
  free(acc);
  return NULL;
}
