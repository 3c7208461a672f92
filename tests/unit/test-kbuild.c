/* What each option's change recompiles, kept in the cache for the next
 * run from the same base: read back by name, tied to the config's
 * content, and no answer from a file that does not parse. */
#include "kbuild.h"
#include "unit.h"
#include "util.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>

static char tmp[] = "/tmp/test-kbuild.XXXXXX";

static char *put(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmp, name);
	REQUIRE(write_file_atomic(path, text, strlen(text)) == 0, "write %s", path);
	return path;
}

/* The one file kept so far. */
static char *kept_file(void)
{
	glob_t g;
	char *pat = xasprintf("%s/cache/kernels/deps-v1/*/*.tsv", tmp);
	REQUIRE(glob(pat, 0, NULL, &g) == 0 && g.gl_pathc == 1, "one kept file under %s", pat);
	char *path = xstrdup(g.gl_pathv[0]);
	globfree(&g);
	free(pat);
	return path;
}

int main(void)
{
	REQUIRE(mkdtemp(tmp), "mkdtemp");
	char *cache = xasprintf("%s/cache", tmp);
	setenv("REDUCE_CACHE", cache, 1);
	char *src = xasprintf("%s/src", tmp);
	REQUIRE(mkdir_p(src) == 0, "mkdir %s", src);
	put("src/Makefile", "VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192\nEXTRAVERSION =\n");
	struct kbuild kb = { .srctree = src };
	char *a = put("a.config", "CONFIG_PRINTK=y\nCONFIG_NET=y\n");
	char *b = put("b.config", "CONFIG_PRINTK=y\n");

	char *names[] = { "PRINTK", "BUG", "NET" };
	int counts[3] = { 5, 0, 2 }, got[3] = { -1, -1, -1 };
	CHECK(kbuild_known_dependents(&kb, a, names, 3, got) == -1, "nothing is known before a run keeps it");
	kbuild_keep_dependents(&kb, a, names, 3, counts, 10);
	CHECK(kbuild_known_dependents(&kb, a, names, 3, got) == 10 &&
	      got[0] == 5 && got[1] == 0 && got[2] == 2,
	      "the counts come back for the same config (%d %d %d)", got[0], got[1], got[2]);
	char *other[] = { "NET", "ZZZ", "PRINTK" };
	CHECK(kbuild_known_dependents(&kb, a, other, 3, got) == 10 &&
	      got[0] == 2 && got[1] == 0 && got[2] == 5,
	      "by name, whatever the order asked (%d %d %d)", got[0], got[1], got[2]);
	CHECK(kbuild_known_dependents(&kb, b, names, 3, got) == -1,
	      "another config's content has none");
	put("src/Makefile", "VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 193\nEXTRAVERSION =\n");
	CHECK(kbuild_known_dependents(&kb, a, names, 3, got) == -1,
	      "another kernel source's version has none");
	put("src/Makefile", "VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192\nEXTRAVERSION =\n");

	char *path = kept_file();
	struct strbuf sb = STRBUF_INIT;
	REQUIRE(read_file(path, &sb) == 0, "read %s", path);
	CHECK(!strcmp(sb.buf, "objects 10\nPRINTK 5\nNET 2\n"), "the file: objects, then each named option");
	static const char *const bad[][2] = {
		{ "", "empty" },
		{ "objects 0\n", "no objects" },
		{ "objects x\nPRINTK 5\n", "no count of objects" },
		{ "objects 10\nPRINTK 11\n", "more than the objects" },
		{ "objects 10\nPRINTK five\n", "a count that is not a number" },
		{ "objects 10\nprintk 5\n", "a name that is not an option's" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		REQUIRE(write_file_atomic(path, bad[i][0], strlen(bad[i][0])) == 0, "write %s", path);
		CHECK(kbuild_known_dependents(&kb, a, names, 3, got) == -1,
		      "a file that does not parse is no answer: %s", bad[i][1]);
	}
	kbuild_keep_dependents(&kb, b, names, 3, counts, 0);
	CHECK(kbuild_known_dependents(&kb, b, names, 3, got) == -1, "a count of no objects is not kept");

	sb_release(&sb);
	rm_rf(tmp);
	UNIT_EXIT();
}
