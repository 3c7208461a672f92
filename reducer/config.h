#ifndef REDUCE_CONFIG_H
#define REDUCE_CONFIG_H

#include "util.h"

/* A kernel .config, as Kconfig's confdata.c holds one: the only code that
 * reads or writes a .config in C. (Resolving one is Kconfig's job:
 * Kbuild's olddefconfig and the Kconfiglib helper, kconfig.h.) */
struct config {
	/* "CONFIG_X=value" and "# CONFIG_X is not set", in file order;
	 * other comments and blank lines say nothing about the config. */
	struct strvec lines;
};
#define CONFIG_INIT { STRVEC_INIT }

/* Applies a fragment (a list of settings, as kernel-configs/ holds) to
 * the .config at path: later assignments win in Kconfig, so appending
 * it applies it; olddefconfig then resolves what follows. */
int config_append(const char *path, const char *fragment);

/* -1 if the file cannot be read (errno says why). */
int config_read(const char *path, struct config *c);
/* The same, for files the run wrote itself: one it cannot read ends it. */
void config_load(const char *path, struct config *c);
void config_parse(const char *text, struct config *c);
void config_release(struct config *c);

/* The hash of what a config says, not of how it was written: Kbuild and
 * Kconfiglib put different comments on the same config. It names kernel
 * images in the cache and verdicts in the memo, so it must not change
 * from one version of reduce to the next. */
void config_hash(const struct config *c, char out[41]);
int config_file_hash(const char *path, char out[41]);

/* Options set to y or m. */
int config_count_enabled(const struct config *c);
/* Whether CONFIG_<name> is y. */
int config_is_y(const struct config *c, const char *name);
/* Its "CONFIG_X=value" lines, sorted: the settings, for set operations. */
void config_settings(const struct config *c, struct strvec *out);
/* "CONFIG_X" for each option that is y in `from` and not in `to`, in
 * from's order: what a candidate turned off. */
void config_turned_off(const struct config *from, const struct config *to, struct strvec *out);
/* What b sets differently from a: settings only a has ("CONFIG_X=y"),
 * only b has, and options both set to different values ("CONFIG_X=1 → 2"),
 * each sorted. */
void config_diff(const struct config *a, const struct config *b, struct strvec *only_a,
		 struct strvec *only_b, struct strvec *changed);

#endif
