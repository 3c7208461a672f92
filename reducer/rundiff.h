#ifndef REDUCE_RUNDIFF_H
#define REDUCE_RUNDIFF_H

#include "util.h"

/* Lines present in `a` and not in `b` (both newline-separated), sorted. */
void lines_only_in(const char *a, const char *b, struct strvec *out);

/* The Markdown diff of two run directories into out, naming them by the
 * labels. Returns how many options and files differ; dies (exit 2) when
 * one is not a run directory. */
int run_diff(const char *dir_a, const char *label_a, const char *dir_b, const char *label_b,
	     struct strbuf *out);

/* reduce diff [--history REPO] A B: what changed between two runs, each
 * a run directory or APP@VERSION (a release). Exit 0 when both images
 * hold the same options and files, 1 when they differ, 2 on bad input. */
int cmd_diff(int argc, char **argv, const char *root);

#endif
