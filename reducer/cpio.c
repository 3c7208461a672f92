#include "cpio.h"

#include <errno.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void pad4(struct strbuf *out)
{
	static const char zeros[4];
	if (out->len % 4)
		sb_add(out, zeros, 4 - out->len % 4);
}

/* Every entry's mtime: SOURCE_DATE_EPOCH, as reproducible builds name
 * it, or 0; never the staged files' own, which differ from run to run. */
static unsigned mtime(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	char *end;
	unsigned long v = e && *e ? strtoul(e, &end, 10) : 0;
	return e && *e && !*end && v <= 0xffffffffUL ? (unsigned)v : 0;
}

/* The staged tree's owners, as its archive or debootstrap made them;
 * what the user running reduce made (the busybox base, the profile's
 * files, everything a run without root stages) is root's. */
static unsigned owner(unsigned id)
{
	return id == (unsigned)geteuid() || id == (unsigned)getegid() ? 0 : id;
}

static void header(struct strbuf *out, unsigned ino, const struct stat *st, unsigned nlink,
		   unsigned long size, unsigned rmaj, unsigned rmin, const char *name)
{
	sb_addf(out, "070701%08X%08X%08X%08X%08X%08X%08lX%08X%08X%08X%08X%08X%08X",
		ino, (unsigned)st->st_mode, owner(st->st_uid), owner(st->st_gid), nlink, mtime(), size,
		0, 0, rmaj, rmin,
		(unsigned)strlen(name) + 1, 0);
	sb_add(out, name, strlen(name) + 1);
	pad4(out);
}

int cpio_build(const struct rootfs *rf, const unsigned char *incl, struct strbuf *out)
{
	unsigned ino = 1;
	for (int i = 0; i < rf->n; i++) {
		if (!incl[i])
			continue;
		char *full = xasprintf("%s/%s", rf->root, rf->path[i]);
		struct stat st;
		if (lstat(full, &st) < 0) {
			error("cannot read %s: %s", full, strerror(errno));
			free(full);
			return -1;
		}
		/* The image's setuid and setgid bits, which the staged copy
		 * was not given. */
		if (rf->setid && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
			st.st_mode |= rf->setid[i];
		if (S_ISREG(st.st_mode)) {
			struct strbuf data = STRBUF_INIT;
			if (read_file(full, &data) < 0) {
				error("cannot read %s: %s", full, strerror(errno));
				free(full);
				return -1;
			}
			header(out, ino++, &st, 1, data.len, 0, 0, rf->path[i]);
			sb_add(out, data.buf, data.len);
			pad4(out);
			sb_release(&data);
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlink(full, target, sizeof(target));
			if (n < 0) {
				error("cannot read link %s: %s", full, strerror(errno));
				free(full);
				return -1;
			}
			header(out, ino++, &st, 1, n, 0, 0, rf->path[i]);
			sb_add(out, target, n);
			pad4(out);
		} else if (S_ISDIR(st.st_mode)) {
			header(out, ino++, &st, 2, 0, 0, 0, rf->path[i]);
		} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
			header(out, ino++, &st, 1, 0, major(st.st_rdev), minor(st.st_rdev), rf->path[i]);
		}
		/* Sockets cannot live in an archive; they are skipped. */
		free(full);
	}
	struct stat none = { .st_mode = 0 };
	header(out, 0, &none, 1, 0, 0, 0, "TRAILER!!!");
	return 0;
}
