#ifndef REDUCE_PIPELINE_H
#define REDUCE_PIPELINE_H

#include "search.h"

struct options {
	const char *app;
	const char *tests;
	const char *kernel_base;
	const char *out;
	const char *hint;       /* a previous run directory whose result is tried first */
	const char *accel;      /* auto, kvm, tcg */
	enum strategy strategy;
	int max_candidates;
	int only_kernel, only_rootfs;
	int test_timeout_s;
	int boot_timeout_s;
	int verify_runs;
	int quiet;
};

/* The main job: reduce a profile's kernel and rootfs against its tests. */
int reduce_run(const struct options *o, const char *root);

#endif
