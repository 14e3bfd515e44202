/*
 * What every shader build shares: the headers, the texture type and the frames being drawn.
 * Included first by scalar.h and vector.h (the translation unit defines _GNU_SOURCE before).
 */
#ifndef REELSMITH_RUNTIME_H
#define REELSMITH_RUNTIME_H
#include <errno.h>
#include <sys/mman.h>
#include <pthread.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* Textures are RGBX: one 32-bit texel per pixel, red in the low byte, rows s texels apart. */
typedef struct {
  const uint32_t *d;
  int w, h, s;
} Tex;
static int W, H;
/* Rows [y0, y1) to draw as RGBX, for draw() of each build (scalar-draw.h, vector-draw.h, a
   rewrite): out holds row row0, rows are stride texels apart. */
typedef struct {
  uint32_t *out;
  int y0, y1, stride, row0;
} Band;
static Tex FROM_, TO_;
#define FROM (&FROM_)
#define TO (&TO_)
/*
 * GL's conventions: uv (0,0) at the bottom left, y up, pixel centres. TEX_ROW: the texture row
 * (before filtering) of coordinate v in a texture of h rows; PIXEL_V: the v of the output's row y.
 * FLIP_Y (the translation unit's, 0 or 1): the picture upside down (the `_up` twins).
 */
#if FLIP_Y
#define TEX_ROW(v, h) ((v) * (h) - (real)0.5)
#define PIXEL_V(y) (((y) + 0.5) / H)
#else
#define TEX_ROW(v, h) ((1 - (v)) * (h) - (real)0.5)
#define PIXEL_V(y) (1 - ((y) + 0.5) / H)
#endif
#endif
