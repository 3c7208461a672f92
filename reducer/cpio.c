#include "cpio.h"
#include "run.h"

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

static void header(struct strbuf *out, unsigned ino, unsigned mode, unsigned nlink,
		   unsigned long size, unsigned rmaj, unsigned rmin, const char *name)
{
	sb_addf(out, "070701%08X%08X%08X%08X%08X%08X%08lX%08X%08X%08X%08X%08X%08X",
		ino, mode, 0, 0, nlink, 0, size, 0, 0, rmaj, rmin,
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
		if (S_ISREG(st.st_mode)) {
			struct strbuf data = STRBUF_INIT;
			if (read_file(full, &data) < 0) {
				error("cannot read %s: %s", full, strerror(errno));
				free(full);
				return -1;
			}
			header(out, ino++, st.st_mode, 1, data.len, 0, 0, rf->path[i]);
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
			header(out, ino++, st.st_mode, 1, n, 0, 0, rf->path[i]);
			sb_add(out, target, n);
			pad4(out);
		} else if (S_ISDIR(st.st_mode)) {
			header(out, ino++, st.st_mode, 2, 0, 0, 0, rf->path[i]);
		} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
			header(out, ino++, st.st_mode, 1, 0, major(st.st_rdev), minor(st.st_rdev), rf->path[i]);
		}
		/* Sockets cannot live in an archive; they are skipped. */
		free(full);
	}
	header(out, 0, 0, 1, 0, 0, 0, "TRAILER!!!");
	return 0;
}

int cpio_compress(const struct strbuf *data, const char *path, const char *preset, int x86)
{
	char *raw = xasprintf("%s.raw", path), *xz = xasprintf("%s.xz.tmp", path);
	char *lzma2 = xasprintf("--lzma2=preset=%s", preset);
	int ret = -1;
	if (write_file_atomic(raw, data->buf, data->len) < 0) {
		error("cannot write %s: %s", raw, strerror(errno));
		goto out;
	}
	unlink(xz);
	/* -T0: a large tree compresses in blocks on every core; the kernel
	 * decodes multi-block streams. The x86 BCJ filter makes machine code
	 * compress about 5% better; the kernel's decoder has it only with
	 * CONFIG_XZ_DEC_X86. */
	const char *argv[8];
	int a = 0;
	argv[a++] = "xz";
	argv[a++] = "--check=crc32";
	argv[a++] = "-T0";
	argv[a++] = "-c";
	if (x86)
		argv[a++] = "--x86";
	argv[a++] = lzma2;
	argv[a++] = raw;
	argv[a] = NULL;
	struct child_process cp = { .argv = argv, .out_path = xz, .inherit_stderr = 1,
				    .timeout_ms = 600000 };
	int st = run_command(&cp);
	if (st != 0) {
		if (!interrupted)
			error("xz failed (status %d) compressing %s", st, raw);
		goto out;
	}
	if (rename(xz, path) < 0) {
		error("cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	unlink(raw);
	unlink(xz);
	free(lzma2);
	free(raw);
	free(xz);
	return ret;
}
