#ifndef REDUCE_OPTIONS_H
#define REDUCE_OPTIONS_H

#include "search.h"
#include "machine.h"

struct compilers;

/* What the command line of a reduction says (main.c parses it; --help and
 * README.md document it). */
struct options {
	const char *app;
	const char *image;      /* oci:DIR[:TAG], with or without a profile */
	const char *tests;
	const char *kernel_base;
	const char *out;
	const char *hint;       /* a previous run directory whose result is tried first */
	const char *accel;      /* auto, kvm, tcg */
	enum vm_machine machine; /* the machine the image is reduced for */
	int no_min_memory;      /* skip the search for the least guest memory */
	enum strategy strategy;
	int max_candidates;
	int only_kernel, only_rootfs;
	int test_timeout_s;
	int boot_timeout_s;
	int verify_runs;
	int baseline_runs;      /* trials of the baseline that must agree */
	int quiet;
	const struct compilers *compilers; /* where kernel builds compile (compile.h) */
};

#endif
