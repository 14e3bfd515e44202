/*
 * The scalar build: one pixel at a time, in float32 as GLSL's highp. The shader's generated body
 * follows this header (it calls the helpers below and sample()); scalar-draw.h follows the body.
 * FLIP_Y (0 or 1) is defined by the translation unit: the `_up` twins draw upside down.
 */
#include <tgmath.h>
#include "runtime.h"
typedef float real;
static __thread real R[64];
static real progress, ratio;

#include "sincos.h"
/*
 * atan as a float32 polynomial (Cephes' atanf, ~1e-7), the same operations in the scalar and the
 * vector build, so that both draw the same frames; GPUs approximate atan too.
 */
static inline real gl_atan(real x) {
  real a = fabs(x), y = 0;
  if (a > (real)2.414213562373095) {
    y = (real)1.5707963267948966;
    a = -1 / a;
  } else if (a > (real)0.4142135623730950) {
    y = (real)0.7853981633974483;
    a = (a - 1) / (a + 1);
  }
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
static inline real smoothstep(real e0, real e1, real x) {
  real t = (x - e0) / (e1 - e0);
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  return t * t * (3 - 2 * t);
}
static inline real sign(real x) { return x > 0 ? 1 : x < 0 ? -1 : 0; }
static inline real min(real a, real b) { return b < a ? b : a; }
static inline real max(real a, real b) { return a < b ? b : a; }

static inline int clampi(int x, int hi) { return x < 0 ? 0 : x > hi ? hi : x; }
static inline void sample(const Tex *t, real u, real v) {
#ifdef WEIGHTS
  /* The weights build (frei0r-host.c): the outgoing frame black, the incoming one white. */
  if (t == FROM || t == TO) {
    R[0] = R[1] = R[2] = t == TO ? 1 : 0;
    R[3] = 1;
    return;
  }
#endif
  const real x = u * t->w - (real)0.5, y = TEX_ROW(v, t->h);
  const real rx = rint(x), ry = rint(y);
  const uint32_t *d = t->d;
  if (fabs(x - rx) < (real)(1.0 / 512) && fabs(y - ry) < (real)(1.0 / 512)) {
    /* A texel centre (within float32 rounding and below GPUs' 8-bit filter weights): one tap. */
    const uint32_t p = d[(size_t)clampi((int)ry, t->h - 1) * t->s + clampi((int)rx, t->w - 1)];
    R[0] = (p & 255) * (real)(1.0 / 255);
    R[1] = (p >> 8 & 255) * (real)(1.0 / 255);
    R[2] = (p >> 16 & 255) * (real)(1.0 / 255);
    R[3] = 1;
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
