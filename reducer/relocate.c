/* A kernel build directory found at another path than where it was built. */
#define _GNU_SOURCE
#include "relocate.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static struct {
	struct strbuf from, to; /* each with its trailing '/' */
	int rewritten, failed;
} move;

static int is_saved_command(const char *name)
{
	size_t n = strlen(name);
	return (name[0] == '.' && n > 4 && !strcmp(name + n - 4, ".cmd")) ||
	       (n > 2 && !strcmp(name + n - 2, ".d"));
}

static int rewrite(const char *path, const struct stat *st, int type, struct FTW *f)
{
	if (type != FTW_F || !S_ISREG(st->st_mode) || !is_saved_command(path + f->base))
		return 0;
	struct strbuf text = STRBUF_INIT, out = STRBUF_INIT;
	if (read_file(path, &text) < 0) {
		error("cannot read %s: %s", path, strerror(errno));
		move.failed = 1;
		goto done;
	}
	/* The path with its '/': a sibling directory whose name starts with
	 * this one's is another directory. */
	const char *p = text.buf, *q;
	while ((q = strstr(p, move.from.buf))) {
		sb_add(&out, p, q - p);
		sb_add(&out, move.to.buf, move.to.len);
		p = q + move.from.len;
	}
	if (p == text.buf)
		goto done;
	sb_add(&out, p, text.buf + text.len - p);
	struct timespec times[2] = { st->st_atim, st->st_mtim };
	if (write_file_atomic(path, out.buf, out.len) < 0 || utimensat(AT_FDCWD, path, times, 0) < 0) {
		error("cannot rewrite %s: %s", path, strerror(errno));
		move.failed = 1;
		goto done;
	}
	move.rewritten++;
done:
	sb_release(&text);
	sb_release(&out);
	return 0;
}

int relocate_builddir(const char *builddir)
{
	char here[PATH_MAX];
	if (!realpath(builddir, here))
		return error("cannot resolve %s: %s", builddir, strerror(errno));
	char *record = xasprintf("%s/" RELOCATE_RECORD, builddir);
	char *tools = xasprintf("%s/tools", builddir);
	struct strbuf was = STRBUF_INIT;
	int ret = 0;
	if (read_file(record, &was) == 0 && was.len && was.buf[was.len - 1] == '\n') {
		was.buf[--was.len] = '\0';
		if (!strcmp(was.buf, here))
			goto out;
		sb_release(&move.from);
		sb_release(&move.to);
		sb_addf(&move.from, "%s/", was.buf);
		sb_addf(&move.to, "%s/", here);
		move.rewritten = move.failed = 0;
		/* No tools/ yet (no build so far): nothing to rewrite. */
		if (nftw(tools, rewrite, 16, FTW_PHYS) < 0 && errno != ENOENT) {
			error("cannot walk %s: %s", tools, strerror(errno));
			move.failed = 1;
		}
		ret = move.failed ? -1 : move.rewritten;
		if (ret < 0)
			goto out;
	}
	/* No record (a new directory, or one made before records were kept)
	 * is taken as built here. */
	char *line = xasprintf("%s\n", here);
	if (write_file_atomic(record, line, strlen(line)) < 0)
		ret = error("cannot write %s: %s", record, strerror(errno));
	free(line);
out:
	sb_release(&was);
	free(record);
	free(tools);
	return ret;
}
