/* The on-disk verdict memo: survives a reopen, later verdicts win, a line
 * cut short by a crash is ignored. */
#include "memo.h"
#include "unit.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
	char dir[] = "/tmp/reduce-test-memo-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	setenv("REDUCE_CACHE", dir, 1);
	char k1[41], k2[41], k3[41];
	memo_key(k1, "cfgA", "cpioA", "tests");
	memo_key(k2, "cfgB", "cpioA", "tests");
	memo_key(k3, "cfgA", "cpioA", "tests2");
	CHECK(strcmp(k1, k2) && strcmp(k1, k3) && strlen(k1) == 40, "keys differ by every part");

	struct memo m;
	memo_open(&m, "app");
	CHECK(memo_get(&m, k1) == V_COUNT, "an empty memo knows nothing");
	memo_put(&m, k1, V_PASS);
	memo_put(&m, k2, V_BOOT);
	memo_put(&m, k2, V_TEST);

	struct memo again;
	memo_open(&again, "app");
	CHECK(memo_get(&again, k1) == V_PASS, "a verdict survives a reopen");
	CHECK(memo_get(&again, k2) == V_TEST, "the later verdict wins");
	CHECK(memo_from_earlier_run(&again, k1) && !memo_from_earlier_run(&m, k1),
	      "a verdict read from disk is from an earlier run, one stored now is not");
	CHECK(memo_get(&again, k3) == V_COUNT, "another test script's verdict is not used");

	char *path = xasprintf("%s/memo/app.tsv", dir);
	FILE *f = fopen(path, "a");
	fprintf(f, "%.20s", k3);
	fclose(f);
	struct memo cut;
	memo_open(&cut, "app");
	CHECK(cut.n == 3 && memo_get(&cut, k3) == V_COUNT, "a truncated last line is ignored");
	memo_note(&cut, k3, V_TIMEOUT);
	CHECK(memo_get(&cut, k3) == V_TIMEOUT, "a noted verdict holds for this run");
	memo_open(&cut, "app");
	CHECK(memo_get(&cut, k3) == V_COUNT, "a noted verdict is not stored on disk");
	/* After a line a kill cut short, the next verdict is a whole line. */
	memo_put(&cut, k3, V_BOOT);
	struct memo after;
	memo_open(&after, "app");
	CHECK(memo_get(&after, k3) == V_BOOT && memo_get(&after, k1) == V_PASS,
	      "a verdict stored after a cut line is read back, and so are the earlier ones");
	struct strbuf text = STRBUF_INIT;
	read_file(path, &text);
	char *whole = xasprintf("\n%s\tboot\n", k3);
	CHECK(text.buf && strstr(text.buf, whole) && !strstr(text.buf, " "),
	      "lines are KEY<TAB>VERDICT, and the new one starts on a line of its own");
	free(whole);
	sb_release(&text);
	memo_put(&after, k1, V_HOST);
	memo_put(&after, k1, V_NOCHANGE);
	memo_put(&after, k1, V_ABORT);
	struct memo again2;
	memo_open(&again2, "app");
	CHECK(memo_get(&again2, k1) == V_PASS, "host faults, aborts and no-changes are never stored");
	memo_open(&cut, "other-app");
	CHECK(memo_get(&cut, k1) == V_COUNT, "memos are per app");

	/* Export and merge: what travels between machines in a release. */
	struct strbuf ex = STRBUF_INIT, ex2 = STRBUF_INIT;
	int n = memo_export("app", &ex);
	CHECK(n == 3, "an export has one line per key (%d)", n);
	char *want_k2 = xasprintf("%s\ttest\n", k2), *old_k2 = xasprintf("%s\tboot\n", k2);
	CHECK(ex.buf && strstr(ex.buf, want_k2) && !strstr(ex.buf, old_k2),
	      "an export gives each key its latest verdict");
	free(want_k2);
	free(old_k2);
	int sorted = 1;
	for (char *l = ex.buf, *nl; l && (nl = strchr(l, '\n')) && nl[1]; l = nl + 1)
		sorted &= strncmp(l, nl + 1, 40) < 0;
	CHECK(sorted, "an export is sorted by key, so the same verdicts give the same bytes");
	int added = -1;
	CHECK(memo_merge("fresh", ex.buf, &added) == 0 && added == 3,
	      "a merge into an empty memo adds every verdict (%d)", added);
	memo_export("fresh", &ex2);
	CHECK(ex2.len == ex.len && !memcmp(ex2.buf, ex.buf, ex.len), "a merged memo exports the same text");
	CHECK(memo_merge("fresh", ex.buf, &added) == 0 && added == 0, "a second merge adds nothing");
	char k4[41];
	memo_key(k4, "cfgD", "cpioD", "tests");
	char *mixed = xasprintf("%s\tboot\n%s\tpass\nnot a line\n%.39s\tpass\n%s\thost\n"
				"%s\tpass\n", k1, k4, k2, k3, "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ");
	CHECK(memo_merge("fresh", mixed, &added) == 0 && added == 1,
	      "a merge adds only unknown keys, skipping malformed lines and host faults (%d)", added);
	struct memo fr;
	memo_open(&fr, "fresh");
	CHECK(memo_get(&fr, k1) == V_PASS && memo_get(&fr, k4) == V_PASS,
	      "a verdict the memo had is kept over an imported one; the new key is added");
	memo_close(&fr);
	free(mixed);
	sb_release(&ex);
	sb_release(&ex2);

	char *rm = xasprintf("rm -rf %s", dir);
	if (system(rm)) {
	}
	UNIT_EXIT();
}
