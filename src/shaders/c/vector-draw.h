/* The vector build, after the shader's body: drawing rows of pixels and setting the uniforms. */
static inline vi quantize(vf c) {
  return __builtin_convertvector(sel_(c > 0, sel_(c < 1, c * (real)255 + (real)0.5, BF((real)255)), BF(0.0f)), vi);
}

static real *U;
/* Draws rows [y0, y1) as RGBX; out holds row row0, rows are stride texels apart. */
static void *draw(void *arg) {
  Band *b = arg;
  init_globals();
  for (int y = b->y0; y < b->y1; y++) {
    const vf v = BF((real)PIXEL_V(y));
    uint32_t *o = b->out + (size_t)(y - b->row0) * b->stride;
    for (int x = 0; x < W; x += L) {
      vf u;
      memcpy(&u, U + x, sizeof u);
      CHUNK = x / L;
      CALL = 0;
      f$transition$vec2(VTRUE, u, v);
      const vi px = quantize(R[0]) | quantize(R[1]) << 8 | quantize(R[2]) << 16;
      if (W - x >= L)
        memcpy(o + x, &px, sizeof px);
      else
        for (int i = 0; i < W - x; i++) o[x + i] = (uint32_t)px[i];
    }
  }
  return NULL;
}
static void setUniforms(int i, int N) {
  progress = BF((real)((double)i / N));
  ratio = BF((real)((double)W / H));
}
static void prepare(void) {
  free(U);
  U = malloc(sizeof(real) * (W + L));
  for (int x = 0; x < W + L; x++) U[x] = (real)((x + 0.5) / W);
}
