/* xz for the initramfs, in the form the kernel's decoder takes. */
#include "xz.h"
#include "child.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The user's xz settings would change the bytes, not the image. */
static const char *const unset[] = { "XZ_OPT", "XZ_DEFAULTS", NULL };

/* xz's options for data of this length; lzma2 is freed by the caller. */
static int xz_options(const char **argv, size_t len, const char *preset, int x86, char **lzma2)
{
	/* The kernel's decoder allocates the dictionary the stream header
	 * declares while it unpacks, beside the compressed and the unpacked
	 * files: it adds to the least memory the image boots in. So it is
	 * as large as the data (which compresses the same) but at most
	 * 1 MiB, the kernel's own advice for what it decodes
	 * (Documentation/staging/xz.rst): a larger one saves a percent or
	 * two of a large initramfs and costs the guest as many MiB. */
	size_t dict = 4096;
	while (dict < len && dict < XZ_DICT_MAX)
		dict <<= 1;
	*lzma2 = xasprintf("--lzma2=preset=%s,dict=%zu", preset, dict);
	int a = 0;
	argv[a++] = "--check=crc32";
	/* -T0: a large tree compresses in blocks on every core; the kernel
	 * decodes multi-block streams. The x86 BCJ filter makes machine code
	 * compress about 5% better; the kernel's decoder has it only with
	 * CONFIG_XZ_DEC_X86. */
	argv[a++] = "-T0";
	/* No memory limit may switch it to the single-threaded compressor,
	 * whose output differs: the same cpio always gives the same bytes. */
	argv[a++] = "--no-adjust";
	argv[a++] = "-c";
	if (x86)
		argv[a++] = "--x86";
	argv[a++] = *lzma2;
	return a;
}

static const char *xz_version(void)
{
	static char *version;
	if (version)
		return version;
	const char *argv[] = { "xz", "--version", NULL };
	struct child_process cp = { .argv = argv, .unset = unset, .timeout_ms = 20000 };
	version = child_first_line(&cp);
	if (!version)
		version = xstrdup("unknown");
	return version;
}

void xz_describe(size_t len, const char *preset, int x86, struct strbuf *out)
{
	const char *argv[8];
	char *lzma2;
	int n = xz_options(argv, len, preset, x86, &lzma2);
	sb_adds(out, xz_version());
	for (int i = 0; i < n; i++)
		sb_addf(out, " %s", argv[i]);
	free(lzma2);
}

int xz_test(const char *path)
{
	const char *argv[] = { "xz", "-t", "-q", path, NULL };
	struct child_process cp = { .argv = argv, .unset = unset, .timeout_ms = 600000 };
	return child_run(&cp) == 0 ? 0 : -1;
}

int xz_write(const struct strbuf *data, const char *path, const char *preset, int x86)
{
	char *raw = xasprintf("%s.raw", path), *xz = xasprintf("%s.xz.tmp", path);
	char *lzma2 = NULL;
	int ret = -1;
	if (write_file_atomic(raw, data->buf, data->len) < 0)
		goto out;
	unlink(xz);
	const char *argv[10];
	argv[0] = "xz";
	int a = 1 + xz_options(argv + 1, data->len, preset, x86, &lzma2);
	argv[a++] = raw;
	argv[a] = NULL;
	struct child_process cp = { .argv = argv, .out_path = xz, .inherit_stderr = 1,
				    .unset = unset, .timeout_ms = 600000 };
	int st = child_run(&cp);
	if (st != 0) {
		/* The caller names the cause; a full disk is the usual one. */
		if (disk_full(xz))
			errno = ENOSPC;
		else if (!interrupted)
			error("xz failed (status %d) compressing %s", st, raw);
		goto out;
	}
	if (rename(xz, path) < 0)
		goto out;
	ret = 0;
out:;
	int saved = errno;
	unlink(raw);
	unlink(xz);
	errno = saved;
	free(lzma2);
	free(raw);
	free(xz);
	return ret;
}
