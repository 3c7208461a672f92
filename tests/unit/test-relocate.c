/* A build directory found at another path: objtool's saved command
 * lines and dependency files follow it, their times kept, and nothing
 * else changes. */
#include "relocate.h"
#include "unit.h"
#include "util.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char tmp[] = "/tmp/test-relocate.XXXXXX";

static void put(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *parent = xstrndup(path, strrchr(path, '/') - path);
	REQUIRE(mkdir_p(parent) == 0 && write_file_atomic(path, text, strlen(text)) == 0, "write %s", path);
	/* An old time, as a build long done. */
	struct timespec t[2] = { { 1000000000, 5 }, { 1000000000, 5 } };
	REQUIRE(utimensat(AT_FDCWD, path, t, 0) == 0, "time %s", path);
	free(parent);
	free(path);
}

static char *get(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	struct strbuf sb = STRBUF_INIT;
	REQUIRE(read_file(path, &sb) == 0, "read %s", path);
	free(path);
	return sb.buf;
}

static int old_time(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	struct stat st;
	int ok = stat(path, &st) == 0 && st.st_mtim.tv_sec == 1000000000 && st.st_mtim.tv_nsec == 5;
	free(path);
	return ok;
}

int main(void)
{
	REQUIRE(mkdtemp(tmp), "mkdtemp");
	char *a = xasprintf("%s/a", tmp), *b = xasprintf("%s/b", tmp);
	REQUIRE(mkdir_p(a) == 0, "mkdir %s", a);
	CHECK(relocate_builddir(a) == 0, "a new directory: nothing to rewrite");
	char real_a[PATH_MAX], real_b[PATH_MAX];
	REQUIRE(realpath(a, real_a), "realpath %s", a);
	char *rec = get(a, RELOCATE_RECORD), *want = xasprintf("%s\n", real_a);
	CHECK(!strcmp(rec, want), "its path is recorded");

	/* What Kbuild's tools build leaves, as built in a. */
	char *cmd = xasprintf("cmd_x.o := gcc -I%s/tools/objtool/include -I%s-other/include -c x.c\n"
			      "deps_x.o := %s/tools/objtool/libsubcmd/include/subcmd/opt.h\n",
			      real_a, real_a, real_a);
	put(a, "tools/objtool/.check.o.cmd", cmd);
	put(a, "tools/objtool/.fixdep.o.d", cmd);
	put(a, "tools/objtool/notes.txt", cmd);
	put(a, "init/.main.o.cmd", cmd);
	CHECK(relocate_builddir(a) == 0, "in place: nothing rewritten");
	CHECK(!strcmp(get(a, "tools/objtool/.check.o.cmd"), cmd), "and nothing changed");

	char *copy = xasprintf("cp -a %s %s", a, b);
	REQUIRE(system(copy) == 0, "%s", copy);
	REQUIRE(realpath(b, real_b), "realpath %s", b);
	CHECK(relocate_builddir(b) == 2, "a copy elsewhere: the two saved command files under tools/ rewritten");
	char *moved = xasprintf("cmd_x.o := gcc -I%s/tools/objtool/include -I%s-other/include -c x.c\n"
				"deps_x.o := %s/tools/objtool/libsubcmd/include/subcmd/opt.h\n",
				real_b, real_a, real_b);
	CHECK(!strcmp(get(b, "tools/objtool/.check.o.cmd"), moved) &&
	      !strcmp(get(b, "tools/objtool/.fixdep.o.d"), moved),
	      "they name the new path, and a sibling directory stays as it was");
	CHECK(old_time(b, "tools/objtool/.check.o.cmd") && old_time(b, "tools/objtool/.fixdep.o.d"),
	      "their times are kept, so Make finds them as old as before");
	CHECK(!strcmp(get(b, "tools/objtool/notes.txt"), cmd) && !strcmp(get(b, "init/.main.o.cmd"), cmd),
	      "other files, and the kernel's own outside tools/, are not touched");
	char *want_b = xasprintf("%s\n", real_b);
	CHECK(!strcmp(get(b, RELOCATE_RECORD), want_b), "the new path is recorded");
	CHECK(relocate_builddir(b) == 0 && !strcmp(get(b, "tools/objtool/.check.o.cmd"), moved),
	      "the next call finds it in place");
	CHECK(!strcmp(get(a, "tools/objtool/.check.o.cmd"), cmd), "the original is left as it was");

	put(b, RELOCATE_RECORD, "no newline");
	CHECK(relocate_builddir(b) == 0 && !strcmp(get(b, RELOCATE_RECORD), want_b),
	      "a damaged record is taken as none: the directory counts as built where it is");

	char *rm = xasprintf("rm -rf %s", tmp);
	if (system(rm)) {
	}
	UNIT_EXIT();
}
