#include "initramfs.h"
#include "cpio.h"
#include "xz.h"

#include <stdlib.h>
#include <string.h>

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
	if (xz) {
		char *s = xasprintf("%s xz%s", im->hash, im->x86 ? "-x86" : "");
		content_hash(s, strlen(s), im->hash);
		free(s);
	}
	return 0;
}

int initramfs_write(const struct initramfs *im, const char *path)
{
	if (!im->xz)
		return write_file_atomic(path, im->cpio.buf, im->cpio.len);
	return xz_write(&im->cpio, path, XZ_PRESET, im->x86);
}

void initramfs_release(struct initramfs *im)
{
	sb_release(&im->cpio);
}

const char *initramfs_compression(int x86)
{
	return x86 ? "xz -" XZ_PRESET ", x86 BCJ" : "xz -" XZ_PRESET;
}
