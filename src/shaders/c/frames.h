/* Textures from files, and RGBX to YCbCr: shared by both builds and both hosts. */
static int loadTexture(Tex *t, const char *spec) {
  char name[64];
  int w, h;
  char path[4096];
  if (sscanf(spec, "%63[^:]:%d:%d:%4095s", name, &w, &h, path) != 4) return 0;
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  uint8_t *d = malloc((size_t)w * h * 3);
  uint32_t *x = malloc((size_t)w * h * 4);
  size_t k = fread(d, 1, (size_t)w * h * 3, f);
  fclose(f);
  if (k != (size_t)w * h * 3) return 0;
  for (size_t i = 0; i < (size_t)w * h; i++) x[i] = d[3 * i] | (uint32_t)d[3 * i + 1] << 8 | (uint32_t)d[3 * i + 2] << 16;
  free(d);
  t->d = x;
  t->w = w;
  t->h = h;
  t->s = w;
  return 1;
}

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
static inline i16 clamp255(i16 x) {
  x &= ~(x < 0);
  const i16 over = x > 255;
  return (x & ~over) | (255 & over);
}
static inline i16 luma16(const uint32_t *t) {
  i16 v;
  memcpy(&v, t, sizeof v);
  return LUMA(v & 255, v >> 8 & 255, v >> 16 & 255);
}
static inline void chroma16(const uint32_t *p, const uint32_t *q, i16 *cb, i16 *cr) {
  static const u16 even = { 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30 };
  u16 p0, p1, q0, q1;
  memcpy(&p0, p, 64);
  memcpy(&p1, p + 16, 64);
  memcpy(&q0, q, 64);
  memcpy(&q1, q + 16, 64);
  const u16 rb0 = (p0 & 0xff00ff) + (q0 & 0xff00ff), rb1 = (p1 & 0xff00ff) + (q1 & 0xff00ff);
  const u16 g0 = (p0 >> 8 & 255) + (q0 >> 8 & 255), g1 = (p1 >> 8 & 255) + (q1 >> 8 & 255);
  const u16 rb = __builtin_shuffle(rb0, rb1, even) + __builtin_shuffle(rb0, rb1, even + 1);
  const i16 r = (i16)(rb & 0xffff), b = (i16)(rb >> 16), g = (i16)(__builtin_shuffle(g0, g1, even) + __builtin_shuffle(g0, g1, even + 1));
  *cb = clamp255(((-9714 * r - 19071 * g + 28784 * b + 131072) >> 18) + 128);
  *cr = clamp255(((28784 * r - 24103 * g - 4681 * b + 131072) >> 18) + 128);
}
