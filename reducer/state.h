#ifndef REDUCE_STATE_H
#define REDUCE_STATE_H

/* The state of one reduction, shared by the pipeline's stages
 * (pipeline.c) and the oracles that test its candidates (oracle.c). */
#include "kbuild.h"
#include "kconfig.h"
#include "memo.h"
#include "monotone.h"
#include "pipeline.h"
#include "profile.h"
#include "report.h"
#include "rootfs.h"
#include "trial.h"

#include <stdint.h>
#include <stdio.h>

/* Rootfs candidates are booted as plain cpio, which every kernel unpacks:
 * compressing a Debian tree for each candidate would cost more than the
 * boot. Images the kernel phase boots, and the final one, get xz's best. */
#define XZ_FINAL "9e"

struct run {
	const struct options *o;
	const char *root;
	struct profile prof;
	char *partial;          /* work directory, renamed to final at the end */
	char *final;
	struct kbuild kb;
	struct kconfig kc;
	struct rootfs rf;
	struct vm_config vmc;
	struct trial trial;
	const char *phase;

	char *init_bin, *tests_abs, *stage, *srctree, *base_config;
	char *cur_kernel, *cur_initrd, *cur_config;
	char cur_config_hash[41], cur_cpio_hash[41];
	int cur_initrd_raw;     /* the current initramfs is a plain cpio */
	int cur_kernel_stale;   /* cur_config passed by the memo, not built yet */
	int xz_x86;             /* the base kernel decodes xz's x86 filter */
	int hint_files;         /* the hint is a run of this app: its file list applies */
	char *cand_kernel, *cand_initrd, *cand_config;
	unsigned char *rf_removed;
	unsigned char *incl;

	struct memo memo;
	struct failures failures; /* kernel candidates that failed: see monotone.h */
	FILE *cand_log;         /* candidates.tsv: one line per tested candidate */
	int cand_n;
	char tests_hash[41];
	struct report rep;
	uint64_t t0;
	enum stage clock;       /* whose stage the clock runs for: enter_stage() */
	uint64_t clock_t0;
	struct search_stats total;
	long sum_init, sum_ready;
};

#endif
