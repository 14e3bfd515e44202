/*
 * One frei0r plugin that draws a video's shader transitions one after the other, each by its own
 * shader's plugin (loaded from the same folder). The render gives it the transitions' frame pairs
 * in order, each transition followed by one separator frame, and a schedule naming each
 * transition's plugin and length, so that one chain of FFmpeg filters (and its frame buffers)
 * serves every transition of the video instead of one chain each (see frei0rTransitions in
 * render/transitions/frei0r.ts).
 *
 * Parameters: `schedule` = "rs_<hash>/N+rs_<hash>/N+…" (plugin names from the same folder, frames
 * of each transition); `width` and `yuv` (in the weights build, WEIGHTS: `height`), passed on to
 * each transition's plugin. Frame k of the
 * stream is frame k − start of its transition, whose blocks are N + 1 frames long; the separator
 * (the block's last frame) is not drawn. The schedule is checked when the first frame arrives
 * (frei0r sets parameters after constructing): a name that is not a plugin of the folder, or a
 * malformed schedule, stops FFmpeg with the reason on stderr rather than render wrong pictures.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frei0r.h"
typedef struct {
  char name[64];
  void *dl;
  int (*init)(void);
  void (*deinit)(void);
  void *(*construct)(unsigned, unsigned);
  void (*destruct)(void *);
  void (*set)(void *, void *, int);
  void (*update)(void *, double, const uint32_t *, uint32_t *);
} Lib;
typedef struct {
  Lib *lib;
  int frames;
  void *inst;
} Block;
enum { MAX_LIBS = 64, MAX_BLOCKS = 4096 };
typedef struct {
  unsigned w, h;
  double width, yuv;
  char *schedule;
  Lib libs[MAX_LIBS];
  int nlibs;
  Block blocks[MAX_BLOCKS];
  int nblocks, ready, block, frame;
} Mux;

static void fail(const char *what, const char *detail) {
  fprintf(stderr, "reelsmith transition mux: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  exit(70);
}
static void folder(char *dir, size_t n) {
  Dl_info info;
  if (!dladdr((void *)folder, &info) || !info.dli_fname) fail("cannot find the plugin's folder", NULL);
  char path[4096];
  snprintf(path, sizeof path, "%s", info.dli_fname);
  snprintf(dir, n, "%s", dirname(path));
}
static Lib *load(Mux *m, const char *name) {
  for (int i = 0; i < m->nlibs; i++)
    if (strcmp(m->libs[i].name, name) == 0) return &m->libs[i];
  if (m->nlibs == MAX_LIBS) fail("too many shaders", NULL);
  for (const char *c = name; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_')) fail("bad plugin name", name);
  char dir[4096], path[4200];
  folder(dir, sizeof dir);
  snprintf(path, sizeof path, "%s/%s.so", dir, name);
  Lib *l = &m->libs[m->nlibs];
  snprintf(l->name, sizeof l->name, "%s", name);
  l->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!l->dl) fail("cannot load", dlerror());
  l->init = (int (*)(void))dlsym(l->dl, "f0r_init");
  l->deinit = (void (*)(void))dlsym(l->dl, "f0r_deinit");
  l->construct = (void *(*)(unsigned, unsigned))dlsym(l->dl, "f0r_construct");
  l->destruct = (void (*)(void *))dlsym(l->dl, "f0r_destruct");
  l->set = (void (*)(void *, void *, int))dlsym(l->dl, "f0r_set_param_value");
  l->update = (void (*)(void *, double, const uint32_t *, uint32_t *))dlsym(l->dl, "f0r_update");
  if (!l->init || !l->deinit || !l->construct || !l->destruct || !l->set || !l->update) fail("not a frei0r plugin", path);
  if (!l->init()) fail("plugin failed to start (its textures?)", path);
  m->nlibs++;
  return l;
}
/* Parses the schedule and makes one instance per transition. */
static void setup(Mux *m) {
  if (!m->schedule || !*m->schedule) fail("no schedule", NULL);
  char *copy = strdup(m->schedule), *save = NULL;
  if (!copy) fail("out of memory", NULL);
  for (char *item = strtok_r(copy, "+", &save); item; item = strtok_r(NULL, "+", &save)) {
    char *slash = strchr(item, '/');
    if (!slash) fail("schedule item without /frames", item);
    *slash = 0;
    const int frames = atoi(slash + 1);
    if (frames < 1 || m->nblocks == MAX_BLOCKS) fail("bad frames or too many transitions", slash + 1);
    Block *b = &m->blocks[m->nblocks++];
    b->lib = load(m, item);
    b->frames = frames;
    b->inst = b->lib->construct(m->w, m->h);
    if (!b->inst) fail("cannot construct", item);
    double n = frames;
    b->lib->set(b->inst, &n, 0);
    b->lib->set(b->inst, &m->width, 1);
    b->lib->set(b->inst, &m->yuv, 2);
  }
  free(copy);
  if (m->nblocks == 0) fail("empty schedule", NULL);
  m->ready = 1;
}

int f0r_init(void) { return 1; }
void f0r_deinit(void) {}
void f0r_get_plugin_info(f0r_plugin_info_t *info) {
  *info = (f0r_plugin_info_t){ "reelsmith transitions",
                               "reelsmith",
#ifdef WEIGHTS
                               1 /* source: each transition's weights, see frei0r-host.c */,
#else
                               0 /* filter */,
#endif
                               1 /* RGBA8888 */,
                               1,
                               1,
                               0,
                               3,
                               "a video's shader transitions in turn, each by its own plugin" };
}
void f0r_get_param_info(f0r_param_info_t *info, int index) {
  if (index == 0)
    *info = (f0r_param_info_t){ "schedule", 4 /* string */, "name/frames+name/frames+...: each transition's plugin and length" };
  if (index == 1) *info = (f0r_param_info_t){ "width", 1 /* double */, "width of the pictures (see the plugins)" };
#ifdef WEIGHTS
  if (index == 2) *info = (f0r_param_info_t){ "height", 1 /* double */, "height of the pictures (see the plugins)" };
#else
  if (index == 2) *info = (f0r_param_info_t){ "yuv", 1 /* double */, "1: return YCbCr (see the plugins)" };
#endif
}
void *f0r_construct(unsigned int width, unsigned int height) {
  Mux *m = calloc(1, sizeof *m);
  if (m) {
    m->w = width;
    m->h = height;
  }
  return m;
}
void f0r_destruct(void *instance) {
  Mux *m = instance;
  for (int i = 0; i < m->nblocks; i++) m->blocks[i].lib->destruct(m->blocks[i].inst);
  for (int i = 0; i < m->nlibs; i++) {
    m->libs[i].deinit();
    dlclose(m->libs[i].dl);
  }
  free(m->schedule);
  free(m);
}
void f0r_set_param_value(void *instance, void *param, int index) {
  Mux *m = instance;
  /* FFmpeg passes a string parameter as a pointer to its char *. */
  if (index == 0) {
    free(m->schedule);
    m->schedule = strdup(*(const char **)param);
  }
  if (index == 1) m->width = *(const double *)param;
  if (index == 2) m->yuv = *(const double *)param;
}
void f0r_get_param_value(void *instance, void *param, int index) {
  Mux *m = instance;
  if (index == 0) *(const char **)param = m->schedule;
  if (index == 1) *(double *)param = m->width;
  if (index == 2) *(double *)param = m->yuv;
}
void f0r_update(void *instance, double time, const uint32_t *in, uint32_t *out) {
  Mux *m = instance;
  if (!m->ready) setup(m);
  if (m->block >= m->nblocks) return; /* frames past the schedule: nobody sees them */
  Block *b = &m->blocks[m->block];
  if (m->frame < b->frames) b->lib->update(b->inst, time, in, out);
  /* else: the separator after the transition, dropped by the graph */
  if (++m->frame > b->frames) {
    m->frame = 0;
    m->block++;
  }
}
