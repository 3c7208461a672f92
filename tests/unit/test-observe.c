/* The rootfs search's first guess from the guest's console: the entries
 * init saw touched, their ancestors, and what the guess leaves out. */
#include "observe.h"
#include "rootfs.h"
#include "tree.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/reduce-test-observe-XXXXXX";


static int node(const struct rootfs *rf, const char *rel)
{
	for (int i = 0; i < rf->n; i++)
		if (!strcmp(rf->path[i], rel))
			return rf->node[i];
	return -2;
}

int main(void)
{
	REQUIRE(mkdtemp(dir), "a temporary directory");
	put_in(dir, "init", "#!init\n");
	put_in(dir, "init.conf", "cmd /bin/app\n");
	put_in(dir, "bin/app", "APP");
	put_in(dir, "bin/other", "OTHER");
	put_in(dir, "etc/keep.d/kept", "K");
	put_in(dir, "etc/passwd", "root:x:0:0::/:/bin/sh\n");
	put_in(dir, "usr/lib/mod/a.py", "a");
	put_in(dir, "usr/lib/mod/b.py", "b");
	put_in(dir, "usr/share/doc/readme", "doc");
	put_in(dir, "var/log/x", "x");
	struct profile p;
	memset(&p, 0, sizeof(p));
	sv_push(&p.keep, "/etc/keep.d");
	struct rootfs rf;
	REQUIRE(rootfs_scan(dir, &p, NULL, &rf) == 0, "the tree scans");

	static const char console[] =
		"[    1.2] some kernel line\n"
		"reduce-init: started at 1.2\n"
		"reduce-init: ready\n"
		"reduce-init: touched /bin/app\n"
		"reduce-init: touched /usr/lib/mod/a.py\r\n"
		"reduce-init: touched /usr/lib/mod\n"
		"reduce-init: touched /bin/app\n"
		"reduce-init: touched /etc/keep.d/kept\n"
		"reduce-init: touched /tmp/made-by-the-app\n"
		"reduce-init: touched /usr/lib/mod/../../share/doc/readme\n"
		"reduce-init: touched usr/share/doc/readme\n"
		"reduce-init: touched /var/log/\n"
		"reduce-init: touched /var/lo\n"
		"  reduce-init: touched /var/log/x\n"
		"reduce-init: touched /var/log/x\0 and more\n"
		"reduce-init: touched \n"
		"reduce-init: scanned 1\n"
		"reduce-init: touched /var/log/x";
	int touched = -1;
	unsigned char *c = observe_untouched(&rf, console, sizeof(console) - 1, &touched);
	CHECK(touched == 4, "the entries named are counted once each, kept ones too (%d)", touched);
	CHECK(!c[node(&rf, "bin/app")] && !c[node(&rf, "bin")], "a touched file and its directory stay out of the guess");
	CHECK(c[node(&rf, "bin/other")], "its untouched sibling is in the guess");
	CHECK(!c[node(&rf, "usr/lib/mod/a.py")] && !c[node(&rf, "usr/lib/mod")] && !c[node(&rf, "usr/lib")] &&
	      !c[node(&rf, "usr")], "a touched file's ancestors all stay out");
	CHECK(c[node(&rf, "usr/lib/mod/b.py")], "an untouched file in a touched directory is in the guess");
	CHECK(c[node(&rf, "usr/share")] && c[node(&rf, "usr/share/doc/readme")],
	      "a path with .. names nothing: what it would reach stays in the guess");
	CHECK(c[node(&rf, "var")] && c[node(&rf, "var/log/x")],
	      "a trailing slash, a prefix of a name, a line not at its start, a NUL in the path, "
	      "an empty path and a last line cut off name nothing");
	CHECK(!c[node(&rf, "etc")], "a group node (a kept path's directory) is never in the guess");
	CHECK(c[node(&rf, "etc/passwd")], "an untouched file beside a kept path is");

	int none = -1;
	unsigned char *all = observe_untouched(&rf, "", 0, &none);
	int every = 1;
	for (int i = 0; i < rf.nnodes; i++)
		every &= all[i] == !rf.tgroup[i];
	CHECK(none == 0 && every, "a console that names nothing guesses every item");
	free(c);
	free(all);

	struct strbuf why = STRBUF_INIT;
	CHECK(!observe_failed(console, sizeof(console) - 1, &why), "a console without the line has not failed");
	static const char gave_up[] = "reduce-init: ready\nreduce-init: observe failed: too many entries "
				      "touched\r\nreduce-init: scanned 3\n";
	CHECK(observe_failed(gave_up, sizeof(gave_up) - 1, &why) && why.buf &&
	      !strcmp(why.buf, "too many entries touched"), "init's giving up is read, with its reason");
	sb_release(&why);

	char *rm = xasprintf("rm -rf %s", dir);
	if (system(rm) != 0)
		return 1;
	UNIT_EXIT();
}
