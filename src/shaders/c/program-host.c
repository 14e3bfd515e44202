/*
 * The shader as a filter program, for transitions drawn before the render
 * (render/transitions/predrawn.ts) and for tests:
 *   prog W H N THREADS [name:w:h:file ...]
 * stdin: N frames of the outgoing clip, then N of the incoming one (RGB24, W x H), repeated;
 * stdout: N frames, frame i drawn at progress i/N. The textures (N_SAMPLERS of them) are named by
 * the arguments after THREADS.
 */

/* Exact reads and writes (no stdio read-ahead). readFd: 1 read, 0 at the end, -1 short. */
static int readFd(int fd, uint8_t *p, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t k = read(fd, p + got, n - got);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return got == 0 ? 0 : -1;
    got += (size_t)k;
  }
  return 1;
}
static int writeFd(int fd, const uint8_t *p, size_t n) {
  size_t put = 0;
  while (put < n) {
    ssize_t k = write(fd, p + put, n - put);
    if (k < 0 && errno == EINTR) continue;
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

/*
 * One frame: each thread converts its rows of both input frames to RGBX textures, waits for the
 * others (a shader reads anywhere), draws its rows as RGBX, and converts them to RGB24.
 */
static pthread_barrier_t converted;
typedef struct {
  Band band;
  const uint8_t *a, *b;
  uint32_t *texA, *texB;
  uint8_t *out;
} Job;
static void rgbToTex(const uint8_t *rgb, uint32_t *tex, int y0, int y1) {
  const uint8_t *p = rgb + (size_t)y0 * W * 3;
  uint32_t *o = tex + (size_t)y0 * W;
  for (size_t i = 0, n = (size_t)(y1 - y0) * W; i < n; i++, p += 3) o[i] = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}
static void texToRgb(const uint32_t *pix, uint8_t *rgb, int y0, int y1) {
  const uint32_t *p = pix + (size_t)y0 * W;
  uint8_t *o = rgb + (size_t)y0 * W * 3;
  for (size_t i = 0, n = (size_t)(y1 - y0) * W; i < n; i++, o += 3) {
    o[0] = (uint8_t)p[i];
    o[1] = (uint8_t)(p[i] >> 8);
    o[2] = (uint8_t)(p[i] >> 16);
  }
}
static void *frameBand(void *arg) {
  Job *j = arg;
  const int y0 = j->band.y0, y1 = j->band.y1;
  rgbToTex(j->a, j->texA, y0, y1);
  rgbToTex(j->b, j->texB, y0, y1);
  pthread_barrier_wait(&converted);
#ifdef FRAME_PASS
  /* A rewritten shader's frame pass (see rewrite-*.h): every band's rows before any is drawn. */
  framePassRows(y0, y1);
  pthread_barrier_wait(&converted);
#endif
  prefetchBegin();
  draw(&j->band);
  prefetchEnd();
  texToRgb(j->band.out, j->out, y0, y1);
  return NULL;
}
static uint32_t *texA, *texB, *drawn;
/* Draws frame i of N from a and b (RGB24 frames) into out (RGB24), with T threads. */
static int drawFrame(uint8_t *out, const uint8_t *a, const uint8_t *b, int i, int N, int T) {
  pthread_t th[64];
  Job jobs[64];
  if (!texA) {
    texA = bigAlloc((size_t)W * H * 4);
    texB = bigAlloc((size_t)W * H * 4);
    drawn = bigAlloc((size_t)W * H * 4);
    if (!texA || !texB || !drawn) return 0;
  }
  FROM_ = (Tex){ texA, W, H, W };
  TO_ = (Tex){ texB, W, H, W };
  setUniforms(i, N);
#ifdef FRAME_PASS
  framePassBegin();
#endif
  pthread_barrier_init(&converted, NULL, (unsigned)T);
  for (int k = 0; k < T; k++) {
    /* Bands of whole row pairs. */
    const int y0 = H / 2 * k / T * 2, y1 = k == T - 1 ? H : H / 2 * (k + 1) / T * 2;
    jobs[k] = (Job){ { drawn, y0, y1, W, 0 }, a, b, texA, texB, out };
    pthread_create(&th[k], NULL, frameBand, &jobs[k]);
  }
  for (int k = 0; k < T; k++) pthread_join(th[k], NULL);
  pthread_barrier_destroy(&converted);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 5 + N_SAMPLERS) {
    fprintf(stderr, "usage: W H N THREADS [textures]\n");
    return 2;
  }
  W = atoi(argv[1]);
  H = atoi(argv[2]);
  const int N = atoi(argv[3]);
  int T = atoi(argv[4]);
  if (W <= 0 || H <= 0 || N <= 0) return 2;
  if (T < 1) T = 1;
  if (T > 64) T = 64;
  prepare();
  for (int i = 0; i < N_SAMPLERS; i++)
    if (!loadTexture(SAMPLER_TEX[i], argv[5 + i])) {
      fprintf(stderr, "missing texture %d\n", i);
      return 2;
    }
  const size_t frame = (size_t)W * H * 3;
  uint8_t *a = malloc(frame * N), *b = malloc(frame * N), *out = calloc(1, frame);
  if (!a || !b || !out) {
    fprintf(stderr, "out of memory\n");
    return 3;
  }
  for (;;) {
    int r = readFd(0, a, frame * N);
    if (r == 0) return 0;
    if (r < 0 || readFd(0, b, frame * N) != 1) {
      fprintf(stderr, "short input\n");
      return 4;
    }
    for (int i = 0; i < N; i++) {
      if (!drawFrame(out, a + frame * i, b + frame * i, i, N, T)) {
        fprintf(stderr, "out of memory\n");
        return 3;
      }
      if (!writeFd(1, out, frame)) return 5;
    }
  }
}
