#ifndef REDUCE_CANDLOG_H
#define REDUCE_CANDLOG_H

#include "util.h"
#include "verdict.h"

#include <stdint.h>
#include <stdio.h>

/* candidates.tsv: one line per tested candidate, so that a user can see
 * what was tried, what it cost and why it was rejected. Columns: n,
 * phase, verdict, source (run, memo, implied:N), build_s, trial_s, count,
 * removed (what the candidate turned off, space-separated), memory_mb (the
 * guest memory of its trial, which its memo key names: the profile's and
 * what unpacking the image needs). New columns go last, so that readers of
 * older files (bench/implied-replay.sh) find the others where they were. */
struct candlog {
	FILE *f;
	int n;                  /* lines so far: the number of the last candidate */
	const char *phase;      /* the phase column of the next lines */
	long long build_ms, trial_ms; /* summed over the lines */
};

int candlog_open(struct candlog *l, const char *path);
void candlog_add(struct candlog *l, enum verdict v, const char *source, uint64_t build_ms,
		 uint64_t trial_ms, const struct strvec *what, int memory_mb);
/* Writes out what is buffered, so that the file can be moved or read. */
void candlog_flush(struct candlog *l);
void candlog_close(struct candlog *l);

#endif
