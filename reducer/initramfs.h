#ifndef REDUCE_INITRAMFS_H
#define REDUCE_INITRAMFS_H

#include "rootfs.h"

/* An initramfs of a staged rootfs, as a candidate or the final image
 * carries it. Its hash names the image as the kernel unpacks it: a kernel
 * that unpacks a plain cpio may not unpack an xz one, so their verdicts
 * must not mix. Rootfs candidates are plain cpio, which every kernel
 * unpacks: compressing a Debian tree for each would cost more than the
 * boot. The kernel phase's image and the final one get xz's best. */
struct initramfs {
	struct strbuf cpio;
	char hash[41];
	int xz, x86;            /* xz-compressed; with the x86 BCJ filter */
	int fresh;              /* compressed here, never taken from the cache */
};

/* Packs the included entries of rf (rootfs_included()). -1 on error. */
int initramfs_pack(struct initramfs *im, const struct rootfs *rf, const unsigned char *incl,
		   int xz, int x86);
/* Writes the image to path, atomically. An xz image is taken from the
 * cache when it holds it whole (named by the image's hash, xz's version
 * and options), and kept there when it did not, unless `fresh` is set
 * (release --check: the point is to redo it with this machine's xz). */
int initramfs_write(const struct initramfs *im, const char *path);
void initramfs_release(struct initramfs *im);
/* How the final image is compressed, for the report ("xz -9e, x86 BCJ"). */
const char *initramfs_compression(int x86);

#endif
