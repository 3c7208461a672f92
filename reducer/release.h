#ifndef REDUCE_RELEASE_H
#define REDUCE_RELEASE_H

#include "options.h"

/* Exit statuses of reduce release beyond those of a reduction. */
enum {
	EXIT_GREW = 3,          /* the image grew more than --max-growth: nothing committed */
	EXIT_PUSH_REFUSED = 4,  /* the remote moved meanwhile: the run directory is kept */
};

/* What reduce release adds to a reduction's command line. */
struct release_options {
	const char *version;
	const char *history;    /* a path or a URL; NULL for reports/history.git */
	const char *check;      /* APP@VERSION: rebuild a recorded release and compare */
	int force;              /* release a version again */
	double max_growth;      /* percent; < 0 for no limit */
	const struct compilers *compilers; /* for --check's build (compile.h) */
};

/* reduce release: a reduction whose verified result becomes the app's
 * next release in the history, going on from what the last one learned. */
int release_run(struct options *o, const struct release_options *ro, const char *root);
/* reduce release --check APP@VERSION. */
int release_check(const struct release_options *ro, const char *root);
/* reduce log [--history REPO] [APP]. */
int cmd_log(int argc, char **argv, const char *root);

#endif
