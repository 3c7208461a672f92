#ifndef REDUCE_CPIO_H
#define REDUCE_CPIO_H

#include "rootfs.h"

/* Writes the included entries of a staged rootfs as a newc cpio archive
 * (the kernel's initramfs format) into `out`. Owners are root and times are
 * zero, so the same tree always gives the same bytes. */
int cpio_build(const struct rootfs *rf, const unsigned char *incl, struct strbuf *out);

/* Compresses `data` with xz into `path` (atomically). The check must be
 * CRC32: the kernel's XZ decoder does not do CRC64. `preset` is xz's
 * ("9e"); `x86` adds the x86 BCJ filter before LZMA2. */
int cpio_compress(const struct strbuf *data, const char *path, const char *preset, int x86);

#endif
