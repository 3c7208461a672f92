#ifndef REDUCE_VERDICT_H
#define REDUCE_VERDICT_H

/* What testing one candidate said. Shared by the search engine, which
 * only asks pass or not, and by the harness and the memo, which say why. */
enum verdict {
	V_PASS = 0,
	V_BUILD,        /* rejected: the candidate did not build */
	V_BOOT,         /* rejected: it built but did not boot */
	V_TIMEOUT,      /* rejected: no answer within the time limit */
	V_TEST,         /* rejected: booted, but the tests failed */
	/* Not a verdict on the candidate: the harness itself failed (no free
	 * port, QEMU would not start or was killed from outside, no space to
	 * write the image, a guest too small to unpack its initramfs). Never
	 * stored, never used to imply; the candidate is tried again, and a
	 * fault that persists stops the run. */
	V_HOST,
	V_NOCHANGE,     /* not tested: the candidate equals the current state */
	V_ABORT,        /* stop searching (interrupted) */
	V_COUNT
};
/* The words candidates.tsv and the memo use. */
extern const char *const verdict_names[V_COUNT];
/* The verdict a name stands for, or V_COUNT. */
enum verdict verdict_parse(const char *name);

#endif
