/* The scalar build, after the shader's body: drawing rows of pixels and setting the uniforms. */

static void prefetchBegin(void) {}
static void prefetchEnd(void) {}
static inline uint32_t q(real c) { return c > 0 ? (c < 1 ? (uint32_t)(c * (real)255 + (real)0.5) : 255) : 0; }

/* Draws rows [y0, y1) as RGBX; out holds row row0, rows are stride texels apart. */
static void *draw(void *arg) {
  Band *b = arg;
  init_globals();
  for (int y = b->y0; y < b->y1; y++) {
    const real v = PIXEL_V(y);
    uint32_t *o = b->out + (size_t)(y - b->row0) * b->stride;
    for (int x = 0; x < W; x++) {
      f$transition$vec2((real)((x + 0.5) / W), v);
      o[x] = q(R[0]) | q(R[1]) << 8 | q(R[2]) << 16;
    }
  }
  return NULL;
}
static void setUniforms(int i, int N) {
  progress = (real)((double)i / N);
  ratio = (real)((double)W / H);
}
static void prepare(void) {}
