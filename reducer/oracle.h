#ifndef REDUCE_ORACLE_H
#define REDUCE_ORACLE_H

/* The oracles the search engine calls (search.h's oracle_fn): test one
 * candidate of the kernel or the rootfs tree, with the verdict memo in
 * front and candidates.tsv behind. Each gets a narrow context: what it
 * tests with, and the current image, whose half it changes when a
 * candidate passes. */
#include "candlog.h"
#include "config.h"
#include "failures.h"
#include "kbuild.h"
#include "kconfig.h"
#include "memo.h"
#include "rootfs.h"
#include "trial.h"

/* What both oracles test with and where the verdicts go. */
struct tester {
	struct trial *trial;
	struct memo *memo;
	struct candlog *log;
	int replayed;           /* verdicts taken from earlier runs' memo */
};

/* The image the search stands on: the last candidate that passed. */
struct current {
	const char *kernel, *config, *initrd; /* files */
	char config_hash[41], initrd_hash[41];
	long long initrd_bytes;    /* the initramfs file's size */
	long long initrd_unpacked; /* its cpio's */
	int kernel_stale;       /* the config passed by the memo, its kernel not built yet */
	int initrd_raw;         /* the initramfs is a plain cpio */
};

/* Kernel candidates: the current config with the removed nodes' options
 * off, booted with the current initramfs. */
struct kernel_cands {
	struct tester *t;
	struct current *cur;
	struct kconfig *kc;
	struct kbuild *kb;
	const char *cand_config, *cand_kernel; /* where a candidate's files go */
	enum kimage form;       /* the kernel's form the machine boots */
	struct failures failures;
	int builds;
	int implied;            /* verdicts implied by an earlier failure, not built */
};

/* Rootfs candidates: the rootfs without the removed nodes, as a plain
 * cpio booted with the current kernel. */
struct rootfs_cands {
	struct tester *t;
	struct current *cur;
	const struct rootfs *rf;
	const unsigned char *removed; /* the search's current state */
	const char *cand_initrd;
};

/* ctx is a struct kernel_cands. A passing candidate becomes the current
 * config; its kernel too, unless the pass came from the memo. */
enum verdict kernel_oracle(void *ctx, const unsigned char *removed);
/* ctx is a struct rootfs_cands. A passing candidate becomes the current
 * initramfs. */
enum verdict rootfs_oracle(void *ctx, const unsigned char *removed);

#endif
