/*
 * sin and cos of the shader builds, one value at a time: shared by the scalar build (scalar.h) and
 * the vector build (vector.h, for arguments that are the same in every lane), which computes the
 * same operations on whole vectors (V_turnSin), so that both builds draw the same frames. Included
 * after `real` is defined.
 */
#ifndef REELSMITH_SINCOS_H
#define REELSMITH_SINCOS_H
#include <math.h>
/*
 * sin and cos as GPUs compute them: the argument is first reduced to turns in the shader's own
 * precision (x / 2π, minus the nearest integer), then evaluated. Shaders that hash with
 * fract(sin(x) * 43758.5453) depend on exactly this reduction. The evaluation is a float32
 * polynomial (Cephes' sinf/cosf, within 2 ulp) on the nearest quarter turn's remainder: the same
 * operations in the scalar and the vector build (vector.h), so that both draw the same frames, and
 * 16 pixels at a time in the vector build instead of a libm call per pixel.
 */
/* sin and cos of a in [-π/4, π/4] (z = a²), written once for both builds' types. */
#define SIN_POLY(a, z) ((a) + (a) * (z) * ((-(real)1.9515295891e-4 * (z) + (real)8.3321608736e-3) * (z) - (real)1.6666654611e-1))
#define COS_POLY(z) \
  (1 - (real)0.5 * (z) + (z) * (z) * (((real)2.443315711809948e-5 * (z) - (real)1.388731625493765e-3) * (z) + (real)4.166664568298827e-2))
static inline real turnSin(real t, int quarter) {
  const real q = rintf(t * 4);
  const real a = (t - q * (real)0.25) * (real)6.283185307179586;
  const real z = a * a;
  const real s = SIN_POLY(a, z), c = COS_POLY(z);
  const int k = ((int)q + quarter) & 3;
  return k == 0 ? s : k == 1 ? c : k == 2 ? -s : -c;
}
static inline real gl_sin(real x) {
  real t = x * (real)0.15915494309189535;
  t = t - nearbyintf(t);
  return turnSin(t, 0);
}
/* cos(x) = sin(x + a quarter turn). */
static inline real gl_cos(real x) {
  real t = x * (real)0.15915494309189535;
  t = t - nearbyintf(t);
  return turnSin(t, 1);
}
#endif
