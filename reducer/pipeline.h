#ifndef REDUCE_PIPELINE_H
#define REDUCE_PIPELINE_H

#include "options.h"

/* The main job: reduce a profile's kernel and rootfs against its tests and
 * write the run directory. `root` is the project's directory (profiles/,
 * rootfs/, kernel-configs/). Returns the exit status; *run_dir (if not
 * NULL) gets the run directory written. */
int reduce_run(const struct options *o, const char *root, char **run_dir);

/* The checks reduce_run() makes of its inputs before any long work
 * (profile, test script, kernel base, hint): dies on a bad one. */
void reduce_check_inputs(const struct options *o, const char *root);

/* What a run recorded, to build its image again. */
struct rebuild {
	const char *app;
	const char *profile;    /* the profile file */
	const char *config;     /* the kernel.config */
	const char *manifest;   /* the rootfs.manifest */
	const char *out;        /* gets bzImage and initramfs.cpio.xz */
	const struct compilers *compilers; /* where the build compiles (compile.h) */
};
/* Builds the image again from a run's records, without the caches: the
 * rootfs staged afresh and packed from the manifest, the kernel built from
 * its config (no cached image). Dies on failure. */
int reduce_rebuild(const struct rebuild *rb, const char *root);

#endif
