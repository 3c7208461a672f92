/* .config handling: counting enabled options, and which options the
 * objects of a build directory depend on (fixdep's .cmd files). */
#include "kbuild.h"
#include "kconfig.h"
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
			   "CONFIG_E=0x10\nCONFIG_F=y\n";
	CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "config written");
	CHECK(config_count_enabled(path) == 3, "=y and =m lines count, strings and numbers do not (%d)",
	      config_count_enabled(path));
	CHECK(config_count_enabled("/nonexistent/config") == -1, "a missing file is an error");
	CHECK(config_enabled(path, "CONFIG_B") && config_enabled(path, "CONFIG_F") &&
	      !config_enabled(path, "CONFIG_A") && !config_enabled(path, "CONFIG_D"),
	      "config_enabled finds =y symbols (inside and on the last line) and not others");
	unlink(path);

	/* Two objects name PRINTK, one names PRINTK_TIME (a prefix must not
	 * count), a .cmd that is not an object's does not count. */
	char dir[] = "/tmp/reduce-test-kbuild-XXXXXX";
	CHECK(mkdtemp(dir) != NULL, "build directory made");
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
	CHECK(mkdtemp(src) != NULL, "source tree made");
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
	CHECK(mkdtemp(dir) != NULL, "build directory made");
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
	int removed = kbuild_repair(dir);
	CHECK(removed == 3, "the 3 files written after the stamp are removed (%d)", removed);
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
