#ifndef REDUCE_ORACLE_H
#define REDUCE_ORACLE_H

#include "state.h"

/* A progress line after each tested candidate (search_opts.progress). */
void progress(void *ctx, const struct search_stats *st, int remaining, int total);

/* Boots kernel + initrd under the run's VM settings and runs the tests. */
enum verdict run_trial(struct run *r, const char *kernel, const char *initrd,
		       struct trial_result *res);

/* Oracles for search_run; ctx is the struct run. A passing candidate
 * becomes the current kernel or initramfs. */
enum verdict kernel_oracle(void *ctx, const unsigned char *removed);
enum verdict rootfs_oracle(void *ctx, const unsigned char *removed);

/* Writes the initramfs of the rootfs without `removed` to path: plain cpio
 * if level is NULL, else xz at that preset. hash gets the image's content
 * hash; with skip_same, an image equal to the current one is not written. */
int make_initrd(struct run *r, const unsigned char *removed, const char *path,
		const char *level, int skip_same, char hash[41], long long *raw_bytes);

/* Symbols enabled (=y) in config file a but not in b. */
void removed_options(const char *a, const char *b, struct strvec *out);

#endif
