#ifndef REDUCE_KCONFIG_H
#define REDUCE_KCONFIG_H

#include <stdio.h>

#include "child.h"
#include "search.h"
#include "util.h"

/* Client of reducer/kconfig_helper.py: one long-lived Python process per
 * run, answering Kconfig questions over pipes. */
struct kconfig {
	struct child_process cp;
	FILE *in;
	struct strbuf rbuf;     /* what the helper said, read so far */
	size_t rpos;            /* where the next answer starts in rbuf */
	int timed_out;
	char *base;             /* the base .config everything is relative to */

	/* The menu tree of symbols a user can turn off. */
	int n;
	int *parent;
	long *weight;
	unsigned char *group;
	char **name;
};

int kconfig_start(struct kconfig *kc, const char *helper, const char *srctree,
		  const char *base_config, const char *log_path);
/* Writes to `out` the base config with the named symbols turned off and
 * their dependents forced off. (The helper also answers a count and a hash;
 * the driver hashes configs itself, with config_hash, for every writer.) */
int kconfig_resolve(struct kconfig *kc, const char *out, char *const *syms, int nsyms);
struct search_tree kconfig_tree(const struct kconfig *kc);
void kconfig_stop(struct kconfig *kc);

#endif
