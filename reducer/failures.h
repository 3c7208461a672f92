#ifndef REDUCE_FAILURES_H
#define REDUCE_FAILURES_H

/* Failures that answer later candidates without a build. The search
 * already assumes that removing more never helps (it keeps a node once its
 * own removal failed). Under that assumption a kernel config whose
 * settings are all settings of a config that booted badly or failed the
 * tests, with the same initramfs and test script, fails too. Kconfig's
 * dependencies make this catch what the menu tree cannot: once a config
 * without VIRTIO_NET has failed, a later candidate that turns off VIRTIO,
 * and with it VIRTIO_NET, needs no build to be known to fail.
 * Build failures are not used: turning off more can make a build work. */

#include "config.h"
#include "verdict.h"

#include <stdint.h>

/* A set of lines (a config's settings), as sorted 64-bit hashes. */
struct lineset {
	uint64_t *h;
	int n;
};

/* The settings of a config (its `CONFIG_X=...` lines): "is not set"
 * lines say nothing that the absence of a setting does not. */
void lineset_of_config(struct lineset *s, const struct config *c);
/* Whether every line of a is a line of b. */
int lineset_subset(const struct lineset *a, const struct lineset *b);
void lineset_release(struct lineset *s);

struct failure {
	struct lineset s;
	char context[41];       /* what else was tested: initramfs and tests */
	int cand;               /* its line in candidates.tsv */
	enum verdict v;
};

struct failures {
	int n, alloc;
	struct failure *f;
};

/* Records a failure of config c. Verdicts other than boot and test
 * failures are not recorded. */
void failures_add(struct failures *fs, const struct config *c, const char *context, int cand,
		  enum verdict v);
/* A pass of c: every failure it would have been implied by is forgotten.
 * Such a pass (replayed from the memo, which is consulted first) shows
 * the failure was flaky or that removing more did help; kept, it would
 * imply every later candidate, all of them inside c. */
void failures_passed(struct failures *fs, const struct config *c, const char *context);
/* The recorded failure that implies c fails in this context, or NULL. */
const struct failure *failures_implying(const struct failures *fs, const struct config *c,
					const char *context);
void failures_release(struct failures *fs);

#endif
