/* .config handling (config.c): reading, counting, hashing, comparing and
 * appending a fragment; and which options the objects of a build
 * directory depend on (fixdep's .cmd files). */
#include "config.h"
#include "kbuild.h"
#include "relocate.h"
#include "unit.h"
#include "util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char path[] = "/tmp/reduce-test-config-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "# CONFIG_A is not set\nCONFIG_B=y\nCONFIG_C=m\nCONFIG_D=\"y\"\n"
			   "CONFIG_E=0x10\n# a comment\n\nCONFIG_F=y";
	REQUIRE(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "writing %s", path);
	close(fd);
	struct config c = CONFIG_INIT;
	CHECK(config_read(path, &c) == 0 && c.lines.n == 6,
	      "settings and 'is not set' lines are read, other comments are not (%zu)", c.lines.n);
	CHECK(config_count_enabled(&c) == 3, "=y and =m lines count, strings and numbers do not (%d)",
	      config_count_enabled(&c));
	struct config missing = CONFIG_INIT;
	CHECK(config_read("/nonexistent/config", &missing) == -1, "a missing file is an error");
	CHECK(config_is_y(&c, "B") && config_is_y(&c, "F") && !config_is_y(&c, "A") &&
	      !config_is_y(&c, "C") && !config_is_y(&c, "D"),
	      "config_is_y finds =y symbols (inside and on a last line without newline) and not others");
	struct strvec set = STRVEC_INIT;
	config_settings(&c, &set);
	CHECK(set.n == 5 && !strcmp(set.v[0], "CONFIG_B=y") && !strcmp(set.v[2], "CONFIG_D=\"y\"") &&
	      !strcmp(set.v[4], "CONFIG_F=y"), "the settings, sorted, without the unset ones (%zu)", set.n);
	sv_clear(&set);

	/* The hash is of what the config says: comments and blank lines do
	 * not change it, a setting does. */
	char h1[41], h2[41], h3[41], hf[41];
	struct config same = CONFIG_INIT, other = CONFIG_INIT;
	config_parse("#\n# Linux/x86 6.1 Kernel Configuration\n#\n# CONFIG_A is not set\nCONFIG_B=y\n"
		     "CONFIG_C=m\nCONFIG_D=\"y\"\n\nCONFIG_E=0x10\nCONFIG_F=y\n", &same);
	config_parse("# CONFIG_A is not set\nCONFIG_B=y\nCONFIG_C=y\nCONFIG_D=\"y\"\nCONFIG_E=0x10\n"
		     "CONFIG_F=y\n", &other);
	config_hash(&c, h1);
	config_hash(&same, h2);
	config_hash(&other, h3);
	CHECK(!strcmp(h1, h2) && strcmp(h1, h3), "the hash ignores comments and tells settings apart");
	CHECK(config_file_hash(path, hf) == 0 && !strcmp(hf, h1), "a file hashes as its text does");
	/* The hash names cached kernels and memo verdicts: its definition
	 * (the git blob id of the lines that say something) must not drift. */
	CHECK(!strcmp(h1, "418909f276c2188c1c8ba5b2bee8e3fee9c11f17"),
	      "the hash is the git blob id of the setting lines, as git hash-object gives it (%s)", h1);

	struct strvec off = STRVEC_INIT;
	config_turned_off(&c, &other, &off);
	CHECK(off.n == 0, "nothing =y in the first config is off in the second (%zu)", off.n);
	struct config fewer = CONFIG_INIT;
	config_parse("CONFIG_C=m\n# CONFIG_B is not set\n", &fewer);
	config_turned_off(&c, &fewer, &off);
	CHECK(off.n == 2 && !strcmp(off.v[0], "CONFIG_B") && !strcmp(off.v[1], "CONFIG_F"),
	      "options =y before and not after are turned off, in order (%zu)", off.n);
	sv_clear(&off);

	struct strvec only_a = STRVEC_INIT, only_b = STRVEC_INIT, changed = STRVEC_INIT;
	struct config vals = CONFIG_INIT;
	config_parse("CONFIG_B=y\nCONFIG_E=0x20\nCONFIG_G=y\n# CONFIG_F is not set\n", &vals);
	config_diff(&c, &vals, &only_a, &only_b, &changed);
	CHECK(only_a.n == 3 && !strcmp(only_a.v[0], "CONFIG_C=m") && !strcmp(only_a.v[2], "CONFIG_F=y") &&
	      only_b.n == 1 && !strcmp(only_b.v[0], "CONFIG_G=y") &&
	      changed.n == 1 && !strcmp(changed.v[0], "CONFIG_E=0x10 → 0x20"),
	      "a diff: settings only in a (%zu), only in b (%zu), and a changed value as one change (%zu)",
	      only_a.n, only_b.n, changed.n);
	sv_clear(&only_a);
	sv_clear(&only_b);
	sv_clear(&changed);
	config_release(&vals);

	const char *frag = "CONFIG_A=y\n# CONFIG_F is not set\n";
	char *fpath = xasprintf("%s.frag", path);
	REQUIRE(write_file_atomic(fpath, frag, strlen(frag)) == 0, "writing %s", fpath);
	struct config applied = CONFIG_INIT;
	CHECK(config_append(path, fpath) == 0 && config_read(path, &applied) == 0 &&
	      applied.lines.n == 8 && !strcmp(applied.lines.v[6], "CONFIG_A=y"),
	      "a fragment is appended, its settings last, where Kconfig lets them win");
	CHECK(config_append(path, "/nonexistent/fragment") < 0, "a missing fragment is an error");
	unlink(fpath);
	free(fpath);
	unlink(path);
	struct config *all[] = { &c, &same, &other, &fewer, &applied };
	for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++)
		config_release(all[i]);

	/* Two objects name PRINTK, one names PRINTK_TIME (a prefix must not
	 * count), a .cmd that is not an object's does not count. */
	char dir[] = "/tmp/reduce-test-kbuild-XXXXXX";
	REQUIRE(mkdtemp(dir) != NULL, "making %s", dir);
	const char *files[][2] = {
		{ "a.o.cmd", "deps_a.o := \\\n  $(wildcard include/config/PRINTK) \\\n  $(wildcard include/config/PRINTK) \\\n" },
		{ "sub/b.o.cmd", "$(wildcard include/config/PRINTK_TIME) $(wildcard include/config/PRINTK)\n" },
		{ "sub/c.o.cmd", "$(wildcard include/config/MULTIUSER)\n" },
		{ "vmlinux.cmd", "$(wildcard include/config/PRINTK)\n" },
	};
	char sub[64];
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	mkdir_p(sub);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p = xasprintf("%s/%s", dir, files[i][0]);
		write_file_atomic(p, files[i][1], strlen(files[i][1]));
		free(p);
	}
	struct kbuild kb = { .builddir = dir };
	char *names[] = { "PRINTK", "MULTIUSER", "TTY", "menu:General_setup" };
	int counts[4];
	int objects = kbuild_dependents(&kb, names, 4, counts);
	CHECK(objects == 3, "objects are the .o.cmd files (%d)", objects);
	CHECK(counts[0] == 2 && counts[1] == 1 && counts[2] == 0 && counts[3] == 0,
	      "each object counts once per option it names (%d %d %d %d)",
	      counts[0], counts[1], counts[2], counts[3]);
	/* An option the top Makefile names changes every object's flags:
	 * it counts for all of them (a longer name it prefixes does not). */
	char src[] = "/tmp/reduce-test-src-XXXXXX";
	REQUIRE(mkdtemp(src) != NULL, "making %s", src);
	char *mk = xasprintf("%s/Makefile", src);
	const char *top = "KBUILD_CFLAGS-$(CONFIG_TTY) += -Werror\nifdef CONFIG_MULTIUSER_X\nendif\n";
	write_file_atomic(mk, top, strlen(top));
	free(mk);
	kb.srctree = src;
	objects = kbuild_dependents(&kb, names, 4, counts);
	CHECK(objects == 3 && counts[0] == 2 && counts[1] == 1 && counts[2] == 3 && counts[3] == 0,
	      "an option the global Makefiles name counts for every object (%d %d %d %d)",
	      counts[0], counts[1], counts[2], counts[3]);
	rm_rf(src);
	rm_rf(dir);

	/* A make cut short: the files written since its stamp go (a truncated
	 * .cmd among them), the files of earlier makes stay. */
	strcpy(dir, "/tmp/reduce-test-kbuild-XXXXXX");
	REQUIRE(mkdtemp(dir) != NULL, "making %s", dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	mkdir_p(sub);
	const char *older[] = { "kept.o", ".kept.o.cmd", "sub/kept.o" };
	const char *newer[] = { "sub/.cut.o.cmd", "sub/cut.o", "vmlinux" };
	struct timespec then[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000 } };
	struct timespec stamp_time[2] = { { .tv_sec = 1000000100 }, { .tv_sec = 1000000100 } };
	for (size_t i = 0; i < 3; i++) {
		char *p = xasprintf("%s/%s", dir, older[i]);
		write_file_atomic(p, "old\n", 4);
		utimensat(AT_FDCWD, p, then, 0);
		free(p);
		p = xasprintf("%s/%s", dir, newer[i]);
		write_file_atomic(p, "deps := $(wildcard", 18);
		free(p);
	}
	CHECK(kbuild_repair(dir) == 0 && file_exists(sub), "no stamp: nothing removed");
	char *stamp = xasprintf("%s/.reduce-make-in-progress", dir);
	write_file_atomic(stamp, "", 0);
	utimensat(AT_FDCWD, stamp, stamp_time, 0);
	/* Written when a run opens the directory, after the stamp. */
	char *record = xasprintf("%s/" RELOCATE_RECORD, dir);
	write_file_atomic(record, "/x\n", 3);
	int removed = kbuild_repair(dir);
	CHECK(removed == 3, "the 3 files written after the stamp are removed (%d)", removed);
	CHECK(file_exists(record), "the directory's path record is no make's output: it stays");
	free(record);
	int left = 0, gone = 0;
	for (size_t i = 0; i < 3; i++) {
		char *p = xasprintf("%s/%s", dir, older[i]);
		left += file_exists(p);
		free(p);
		p = xasprintf("%s/%s", dir, newer[i]);
		gone += !file_exists(p);
		free(p);
	}
	CHECK(left == 3 && gone == 3, "older files stay (%d of 3), newer go (%d of 3)", left, gone);
	CHECK(!file_exists(stamp), "the stamp goes with them");
	CHECK(kbuild_repair(dir) == 0, "a second repair finds nothing to do");
	free(stamp);
	rm_rf(dir);
	UNIT_EXIT();
}
