#ifndef REDUCE_MEMO_H
#define REDUCE_MEMO_H

#include "util.h"
#include "verdict.h"

/* Test verdicts stored on disk by the content of what was tested (kernel
 * config, initramfs, test script), shared by every later run of the same
 * app. Because the search is deterministic, a run that was interrupted
 * replays its decisions from here and goes on where it stopped. On disk
 * (memo/<app>.tsv in the cache): "KEY<TAB>VERDICT" per line, appended. */
struct memo {
	char *path;
	int n, alloc;
	int nloaded;            /* entries read from disk at open */
	char (*key)[41];
	unsigned char *v;
};

void memo_open(struct memo *m, const char *app);
/* Returns the stored verdict, or V_COUNT when there is none. */
enum verdict memo_get(const struct memo *m, const char *key);
/* Whether the verdict memo_get returns was stored by an earlier run. */
int memo_from_earlier_run(const struct memo *m, const char *key);
/* Stores a verdict on disk: pass, build, boot or test; any other is
 * ignored, since it says nothing about the candidate. */
void memo_put(struct memo *m, const char *key, enum verdict v);
/* Remembers a verdict for this run only, not on disk. */
void memo_note(struct memo *m, const char *key, enum verdict v);
void memo_close(struct memo *m);
/* The app's verdicts as text, one "KEY<TAB>VERDICT" line per key (its
 * latest verdict), sorted by key. Returns how many. */
int memo_export(const char *app, struct strbuf *out);
/* Adds the verdicts of such a text (another machine's, a release's) for
 * the keys this memo does not know; malformed lines are skipped. -1 when
 * the memo cannot be written (errno says why). */
int memo_merge(const char *app, const char *text, int *added);
/* The memo key of a test: the hash of its parts, the kernel config, the
 * initramfs and the harness (trial_key(): the machine, its memory, the
 * test script). */
void memo_key(char out[41], const char *config_hash, const char *cpio_hash,
	      const char *harness_hash);

#endif
