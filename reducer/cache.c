#define _GNU_SOURCE
/* reduce cache: the cache directory's parts, their sizes, and pruning
 * what no run has used for a while. Which parts may go is decided here;
 * each part's layout belongs to the module that writes it (kbuild.c,
 * debian.c, initramfs.c, memo.c). */
#include "cache.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* nftw has no user pointer. */
static long long walk_bytes;
static long walk_files;

static int add_size(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)path; (void)f;
	if (type == FTW_F || type == FTW_SL) {
		walk_bytes += (long long)st->st_blocks * 512;
		walk_files++;
	}
	return 0;
}

static long long du(const char *path, long *files)
{
	walk_bytes = 0;
	walk_files = 0;
	nftw(path, add_size, 32, FTW_PHYS);
	if (files)
		*files = walk_files;
	return walk_bytes;
}

static void human(long long bytes, char *buf, size_t n)
{
	if (bytes >= 1LL << 30)
		snprintf(buf, n, "%.1f GiB", bytes / (double)(1LL << 30));
	else if (bytes >= 1 << 20)
		snprintf(buf, n, "%.1f MiB", bytes / (double)(1 << 20));
	else
		snprintf(buf, n, "%lld KiB", bytes / 1024);
}

/* The parts of the cache, in the order a run makes them. */
static const struct {
	const char *name, *what;
	int prunable;
} parts[] = {
	{ "linux-source-6.1", "the kernel source, unpacked once", 0 },
	{ "kbuild", "kernel build directories (one per base, reused by later runs)", 1 },
	{ "ccache", "compiled objects (ccache, capped at 5 GiB)", 0 },
	{ "kernels", "kernel images and option counts, by config, kernel source and build date", 1 },
	{ "rootfs", "Debian root filesystem archives", 1 },
	{ "initramfs", "initramfs images compressed with xz, by content", 1 },
	{ "memo", "verdicts, one file per app", 0 },
	{ "history", "copies of remote release histories; what stopped releases left", 1 },
};

static int older_than(const struct stat *st, time_t cutoff)
{
	time_t used = st->st_mtime > st->st_atime ? st->st_mtime : st->st_atime;
	return used < cutoff;
}

static time_t prune_cutoff;
static long pruned_files;
static long long pruned_bytes;

static int prune_file(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)f;
	if (type == FTW_F && older_than(st, prune_cutoff) && unlink(path) == 0) {
		pruned_files++;
		pruned_bytes += (long long)st->st_blocks * 512;
	}
	return 0;
}

/* A build directory goes whole, and only when no run holds it: its lock
 * file's time is when a run last took it. */
static void prune_builds(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".lock"))
			continue;
		char *lock = xasprintf("%s/%s", dir, e->d_name);
		char *build = xstrndup(lock, strlen(lock) - 5);
		struct stat st;
		int fd = open(lock, O_RDWR | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0 && older_than(&st, prune_cutoff) &&
		    flock(fd, LOCK_EX | LOCK_NB) == 0 && file_exists(build)) {
			long files;
			long long bytes = du(build, &files);
			/* The lock file stays: see kbuild_close(). */
			if (rm_rf(build) == 0) {
				pruned_files += files;
				pruned_bytes += bytes;
			}
		}
		if (fd >= 0)
			close(fd);
		free(lock);
		free(build);
	}
	if (d)
		closedir(d);
}

/* An entry of history/ goes whole: a git repository pruned file by file
 * would lose objects it still needs. A copy of a remote was last used
 * when it was last fetched. */
static void prune_history(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *path = xasprintf("%s/%s", dir, e->d_name);
		char *fetched = xasprintf("%s/FETCH_HEAD", path);
		struct stat st;
		if ((stat(fetched, &st) == 0 || stat(path, &st) == 0) && older_than(&st, prune_cutoff)) {
			long files;
			long long bytes = du(path, &files);
			if (rm_rf(path) == 0) {
				pruned_files += files;
				pruned_bytes += bytes;
			}
		}
		free(fetched);
		free(path);
	}
	if (d)
		closedir(d);
}

static int usage(FILE *f)
{
	fputs("usage: reduce cache [--prune DAYS]\n\n"
	      "Shows what the cache holds ($REDUCE_CACHE, else $XDG_CACHE_HOME/reduce, else\n"
	      "~/.cache/reduce) and its size. --prune DAYS removes the kernel images, build\n"
	      "directories, rootfs archives, compressed initramfs images and copies of remote\n"
	      "histories that no run has used for DAYS days (build directories a run holds\n"
	      "stay); the kernel source, ccache and the verdict memo stay.\n\nExit status: 0, or 2 on a bad command line.\n", f);
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

int cmd_cache(int argc, char **argv)
{
	long days = -1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout);
		if (!strcmp(argv[i], "--prune")) {
			char *end;
			if (i + 1 >= argc)
				die_usage("--prune needs a number of days (see reduce cache --help)");
			days = strtol(argv[++i], &end, 10);
			if (!*argv[i] || *end || days < 0 || days > 100000)
				die_usage("--prune needs a whole number of days, not '%s'", argv[i]);
			continue;
		}
		die_usage("unknown argument '%s' to reduce cache (see reduce cache --help)", argv[i]);
	}
	const char *root = cache_dir();
	if (days >= 0) {
		prune_cutoff = time(NULL) - days * 86400;
		for (size_t i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
			if (!parts[i].prunable)
				continue;
			char *p = xasprintf("%s/%s", root, parts[i].name);
			if (!strcmp(parts[i].name, "kbuild"))
				prune_builds(p);
			else if (!strcmp(parts[i].name, "history"))
				prune_history(p);
			else
				nftw(p, prune_file, 32, FTW_PHYS);
			free(p);
		}
		char h[32];
		human(pruned_bytes, h, sizeof(h));
		printf("pruned %ld files (%s) unused for %ld days\n", pruned_files, h, days);
	}
	printf("cache %s\n", root);
	long long total = 0;
	for (size_t i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
		char *p = xasprintf("%s/%s", root, parts[i].name);
		char h[32];
		long files = 0;
		long long bytes = file_exists(p) ? du(p, &files) : 0;
		total += bytes;
		human(bytes, h, sizeof(h));
		printf("  %-18s %10s %8ld files  %s\n", parts[i].name, h, files, parts[i].what);
		free(p);
	}
	char h[32];
	human(total, h, sizeof(h));
	printf("  %-18s %10s\n", "total", h);
	if (fflush(stdout) != 0)
		die("cannot write to stdout");
	return EXIT_OK;
}
