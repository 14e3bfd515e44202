/* The third parameter, `yuv`, is the pictures' height in the weights build (WEIGHTS). */
typedef struct {
  int w, h;
  double frames, width, yuv;
  int next;
} Instance;
/* Work of one frame, in bands of 16 rows that the threads take in turn (balanced whatever the
   shader costs where). Packed (YUV, or weights) each band is drawn into the thread's own band
   buffer (it stays in the cache) and packed from there; otherwise it is drawn straight into the
   output. */
enum { PACK_NONE, PACK_YUV, PACK_WEIGHTS };
typedef struct {
  uint32_t *out;
  int stride, pack;
} Job;
static Job job;
static int nextBand;
#ifdef FRAME_PASS
/* A rewritten shader's frame pass (see rewrite-*.h): bands of rows taken in turn like the drawing,
   all of them done before any band is drawn. */
static int nextPassBand;
static pthread_barrier_t passed;
#endif
static void packBand(const uint32_t *rgb, uint32_t *out, int stride, int y0, int y1);
static void packWeights(const uint32_t *rgb, uint32_t *out, int stride, int y0, int y1);
/* The next band of 16 rows from a shared counter: 0 when none is left. */
static int takeBand(int *counter, int *y0, int *y1) {
  *y0 = __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED) * 16;
  *y1 = *y0 + 16 < H ? *y0 + 16 : H;
  return *y0 < H;
}
static void *worker(void *arg) {
  (void)arg;
  int y0, y1;
#ifdef FRAME_PASS
  while (takeBand(&nextPassBand, &y0, &y1)) framePassRows(y0, y1);
  pthread_barrier_wait(&passed);
#endif
  /* A thread without its band buffer leaves the bands to the others (after the barrier: every
     thread reaches it). */
  uint32_t *band = job.pack ? malloc((size_t)W * 16 * 4) : NULL;
  if (job.pack && !band) return NULL;
  prefetchBegin();
  while (takeBand(&nextBand, &y0, &y1)) {
    if (!job.pack) {
      Band b = { job.out, y0, y1, job.stride, 0 };
      draw(&b);
      continue;
    }
    Band b = { band, y0, y1, W, y0 };
    draw(&b);
    if (job.pack == PACK_YUV)
      packBand(band, job.out, job.stride, y0, y1);
    else
      packWeights(band, job.out, job.stride, y0, y1);
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
#ifdef FRAME_PASS
  nextPassBand = 0;
  pthread_barrier_init(&passed, NULL, (unsigned)T);
#endif
  /* Threads of our own only: FFmpeg's filter thread just waits, and never holds the shader's
     thread-local state. */
  for (int k = 0; k < T; k++) pthread_create(&th[k], NULL, worker, NULL);
  for (int k = 0; k < T; k++) pthread_join(th[k], NULL);
#ifdef FRAME_PASS
  pthread_barrier_destroy(&passed);
#endif
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
/*
 * Weights packed four rows to a texel (the weights build; the render's graph unpacks them, see
 * frei0rWeightedTransitions): with Q = ceil(H / 4) rows of output, the weight of row y goes to
 * channel y / Q (R, G, B, A) of output row y % Q. The weight is the red of the drawn pixel (the
 * shader drew black to white: grey).
 */
static void packWeights(const uint32_t *rgb, uint32_t *out, int stride, int y0, int y1) {
  const int q = (H + 3) / 4;
  for (int y = y0; y < y1; y++) {
    const uint32_t *r = rgb + (size_t)(y - y0) * W;
    uint8_t *o = (uint8_t *)(out + (size_t)(y % q) * stride) + y / q;
    for (int x = 0; x < W; x++) o[4 * x] = (uint8_t)(r[x] & 255);
  }
}
/* The shader's textures: SAMPLER_TEX (N_SAMPLERS of them) and TEXTURE_SPECS, built in. */
int f0r_init(void) {
  for (int i = 0; i < N_SAMPLERS; i++)
    if (!loadTexture(SAMPLER_TEX[i], TEXTURE_SPECS[i])) return 0;
  return 1;
}
void f0r_deinit(void) {}
void f0r_get_plugin_info(f0r_plugin_info_t *info) {
  *info = (f0r_plugin_info_t){ "reelsmith transition", "reelsmith",
#ifdef WEIGHTS
                               1 /* source */,
#else
                               0 /* filter */,
#endif
                               1 /* RGBA8888 */,       1,           1, 0, 3, "a gl-transitions shader over stacked frame pairs" };
}
void f0r_get_param_info(f0r_param_info_t *info, int index) {
  if (index == 0) *info = (f0r_param_info_t){ "frames", 1 /* double */, "frames of the overlap (N): frame i is drawn at progress i/N" };
  if (index == 1)
    *info = (f0r_param_info_t){ "width", 1 /* double */, "width of the pictures, left of the padding that makes rows contiguous" };
#ifdef WEIGHTS
  if (index == 2)
    *info = (f0r_param_info_t){ "height", 1 /* double */, "height of the pictures (their weights are packed 4 rows to a texel)" };
#else
  if (index == 2) *info = (f0r_param_info_t){ "yuv", 1 /* double */, "1: return YCbCr packed in the RGBA channels" };
#endif
}
void *f0r_construct(unsigned int width, unsigned int height) {
  Instance *s = calloc(1, sizeof *s);
  if (s) {
    s->w = (int)width;
    s->h = (int)height;
    s->frames = 1;
  }
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
  /* Rows are s->w texels apart; the picture is the left `width` of them. */
  const int w = s->width >= 1 && s->width <= s->w ? (int)s->width : s->w;
#ifdef WEIGHTS
  /* The weights build: no input; each pixel's weight of the incoming frame (what the shader draws
     with the outgoing frame black and the incoming one white), packed four rows to a texel of an
     output of ceil(H / 4) rows (packWeights); H is the third parameter. */
  const int h = s->yuv >= 1 && s->yuv <= 4 * s->h ? (int)s->yuv : 4 * s->h;
  (void)in;
#else
  const int h = s->h / 2;
#endif
  if (W != w || H != h) {
    W = w;
    H = h;
    prepare();
  }
#ifdef WEIGHTS
  FROM_ = (Tex){ NULL, W, H, s->w };
  TO_ = (Tex){ NULL, W, H, s->w };
#else
  FROM_ = (Tex){ in, W, H, s->w };
  TO_ = (Tex){ in + (size_t)s->w * H, W, H, s->w };
#endif
  const int N = s->frames >= 1 ? (int)s->frames : 1;
  setUniforms(s->next < N ? s->next : N - 1, N);
  s->next++;
#ifdef WEIGHTS
  job = (Job){ out, s->w, PACK_WEIGHTS };
#else
  job = (Job){ out, s->w, s->yuv > 0.5 && W % 2 == 0 && H % 2 == 0 ? PACK_YUV : PACK_NONE };
#endif
#ifdef FRAME_PASS
  framePassBegin();
#endif
  runJob();
}
