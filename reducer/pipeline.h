#ifndef REDUCE_PIPELINE_H
#define REDUCE_PIPELINE_H

#include "options.h"

/* The main job: reduce a profile's kernel and rootfs against its tests and
 * write the run directory. `root` is the project's directory (profiles/,
 * rootfs/, kernel-configs/). Returns the exit status. */
int reduce_run(const struct options *o, const char *root);

#endif
