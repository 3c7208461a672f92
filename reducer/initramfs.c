#include "initramfs.h"
#include "cpio.h"
#include "xz.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define XZ_PRESET "9e"

int initramfs_pack(struct initramfs *im, const struct rootfs *rf, const unsigned char *incl,
		   int xz, int x86)
{
	memset(im, 0, sizeof(*im));
	im->xz = xz;
	im->x86 = xz && x86;
	if (cpio_build(rf, incl, &im->cpio) < 0)
		return -1;
	content_hash(im->cpio.buf, im->cpio.len, im->hash);
	/* The hash names a verdict's files, so xz's version and dictionary
	 * are not in it: they change the bytes, not what the guest unpacks,
	 * and a guest short of memory gives no verdict (trial.c). */
	if (xz) {
		char *s = xasprintf("%s xz%s", im->hash, im->x86 ? "-x86" : "");
		content_hash(s, strlen(s), im->hash);
		free(s);
	}
	return 0;
}

/* xz's best takes a minute or more on a large tree, and the same trees
 * come back: every rerun's and release's baseline, the image a kernel
 * search starts from. So the output is kept in the cache,
 * named by the image's hash (the cpio and the filter) and by what else
 * decides xz's bytes (its version and options). A cache file is used
 * only when xz finds it whole; one that cannot be written costs only the
 * next run's time. */
static char *cached_path(const struct initramfs *im)
{
	struct strbuf key = STRBUF_INIT;
	char hash[41];
	sb_addf(&key, "%s\n", im->hash);
	xz_describe(im->cpio.len, XZ_PRESET, im->x86, &key);
	content_hash(key.buf, key.len, hash);
	sb_release(&key);
	return xasprintf("%s/initramfs/xz/%.2s/%s.cpio.xz", cache_dir(), hash, hash + 2);
}

static void cache_store(const char *cached, const char *path)
{
	char *dir = xstrndup(cached, strrchr(cached, '/') - cached);
	if (mkdir_p(dir) == 0)
		copy_file_durable(path, cached);
	free(dir);
}

int initramfs_write(const struct initramfs *im, const char *path)
{
	if (!im->xz)
		return write_file_atomic(path, im->cpio.buf, im->cpio.len);
	if (im->fresh)
		return xz_write(&im->cpio, path, XZ_PRESET, im->x86);
	char *cached = cached_path(im);
	int ret = 0;
	if (file_size(cached) > 0 && xz_test(cached) == 0 && copy_file(cached, path) == 0) {
		/* Its time says when a run last used it (reduce cache --prune). */
		utimensat(AT_FDCWD, cached, NULL, 0);
	} else {
		ret = xz_write(&im->cpio, path, XZ_PRESET, im->x86);
		if (ret == 0)
			cache_store(cached, path);
	}
	free(cached);
	return ret;
}

void initramfs_release(struct initramfs *im)
{
	sb_release(&im->cpio);
}

const char *initramfs_compression(int x86)
{
	return x86 ? "xz -" XZ_PRESET ", x86 BCJ" : "xz -" XZ_PRESET;
}
