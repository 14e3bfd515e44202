/* The frei0r 1.x ABI's info structures (declared here: no frei0r header needed to build). */
#ifndef REELSMITH_FREI0R_H
#define REELSMITH_FREI0R_H
typedef struct {
  const char *name, *author;
  int plugin_type, color_model, frei0r_version, major_version, minor_version, num_params;
  const char *explanation;
} f0r_plugin_info_t;
typedef struct {
  const char *name;
  int type;
  const char *explanation;
} f0r_param_info_t;
#endif
